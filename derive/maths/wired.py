"""The engine of wired networks (convolution, pooling and recurrent layers, see `derive.model.wiring`):
the forward pass stage by stage, every neuron's delta from the neurons that read it, and every gradient
as the sum over its parameter's uses, at the working precision and as closed forms.

A neuron's error dE/dout is the sum, over every neuron that reads its out, of that neuron's delta times
how its net changes with this out: the weight of the link (a kernel entry, W_h, a dense weight), or, for
a pooling unit, its route: 1 for the entry that is the window's max (a tie goes to the first in reading
order, PyTorch's rule) and 0 for the others, 1/m for a mean of m entries. A shared parameter's gradient
is the sum of delta times source over every neuron that uses it: over every position of a kernel, over
every step of an unrolled rnn. `WiredTrainer` does this on plain lists for training; its `Flags` make
it one of the catalogued mistakes (`derive.check.layer_mistakes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from collections.abc import Mapping, Sequence

from sympy import Add, Expr, Mul, Symbol, diff

import derive.maths.derivation as dv
import derive.maths.numeric as numeric
from derive.maths.numeric import Trainer, _resolved, evaluate, precise_errors, resolution, settled_difference
from derive.model.network import Network, Neuron, symbol
from derive.model.precision import CTX, WORKING_DIGITS, Real, real
from derive.model.rules import numeric_softmax_jacobian, softmax_jacobian
from derive.model.spec import SampleSpec
from derive.model.wiring import ConvPlan, PoolNeuron, RecurrentPlan


@dataclass(frozen=True)
class Flags:
    """How a variant of the algorithm errs (all False: the algorithm itself)."""

    no_slope: bool = False  # the activation's derivative left out
    slope_at_net: bool = False  # the derivative fed net in place of out
    net_for_out: bool = False  # d net / d w taken as the source's net
    loss_factor: int = 0  # -1: the square's 2 dropped, +1: one 2 too many
    stale: bool = False  # errors sent back through output weights already updated
    one_position: bool = False  # a shared parameter's gradient from its first use only
    route_all: bool = False  # a max pool's delta sent to every entry of its window
    unflipped: bool = False  # the input gradient with the kernel not flipped (each delta with the mirrored entry)
    truncated: bool = False  # BPTT cut after one step: no error through W_h to the step before


def consumers(network: Network) -> dict[Symbol, list[tuple[Neuron, Expr]]]:
    """Every out (and input) -> the neurons that read it, each with d net / d out (a weight or a route)."""
    found: dict[Symbol, list[tuple[Neuron, Expr]]] = {}
    for stage in network.layers:
        for n in stage:
            if isinstance(n, PoolNeuron):
                for j, (_, source) in enumerate(n.window):
                    found.setdefault(source, []).append((n, n.route(j)))
            for link in n.links:
                found.setdefault(link.source, []).append((n, link.weight.symbol))
    return found


def _slope_expr(n: Neuron) -> Expr:
    """dout/dnet of an elementwise neuron (every neuron but a softmax output's)."""
    local = n.activation.local
    assert local is not None, "a softmax layer's slope is its Jacobian"
    return local(n.out, n.net)


def output_stages(network: Network) -> list[int]:
    """The stages that hold outputs (one, or one per step of a sequence)."""
    return sorted({o.neuron.layer for o in network.outputs})


def closed_forms(network: Network) -> dv.Closed:
    """dE_total/dout and dE_total/dnet of every neuron, from the last stage back, each through the
    neurons that read it."""
    loss_grads = {o.neuron.out: diff(o.loss_expr, o.neuron.out) for o in network.outputs}
    errors: dict[Symbol, Expr] = {}
    deltas: dict[Symbol, Expr] = {}
    factors: dict[Symbol, tuple[Expr, ...]] = {}
    readers = consumers(network)
    for stage in reversed(network.layers):
        for n in stage:
            if n.out in loss_grads:
                _output_closed(network, n, loss_grads, errors, factors)
            else:
                errors[n.out] = Add(*[deltas[k.delta] * local for k, local in readers.get(n.out, [])])
                factors[n.delta] = (errors[n.out], _slope_expr(n))
            deltas[n.delta] = Mul(*factors[n.delta])
    return dv.Closed(loss_grads, errors, deltas, factors)


def _output_closed(network: Network, n: Neuron, loss_grads: Mapping[Symbol, Expr], errors: dict[Symbol, Expr],
                   factors: dict[Symbol, tuple[Expr, ...]]) -> None:
    if n.activation.elementwise:
        errors[n.out] = loss_grads[n.out]
        factors[n.delta] = (errors[n.out], _slope_expr(n))
    else:
        stage = network.layers[n.layer]
        factors[n.delta] = (Add(*[loss_grads[k.out] * softmax_jacobian(k.out, n.out, k is n) for k in stage]),)


@dataclass(frozen=True)
class WiredPass(dv.Pass):
    """A pass of a wired network; `inputs` holds dE_total/dx of every input (a convolution's input gradient)."""

    inputs: Mapping[Symbol, Real] = field(default_factory=lambda: MappingProxyType({}))


def derive_pass(network: Network, closed: dv.Closed, sample: SampleSpec) -> WiredPass:
    """Forward pass, losses, every neuron's backward quantities and every gradient for one sample."""
    values = dv._initial_values(network, sample)
    forward = []
    for stage in network.layers:
        for n in stage:
            values[n.net] = _net_value(n, values)
        nets = tuple(k.net for k in stage)
        for n in stage:
            values[n.out] = evaluate(n.activation.forward(nets, n.position), values)
            forward.append(dv.ForwardStep(n, values[n.net], values[n.out]))
    losses = tuple(dv.LossTerm(o.neuron, o.loss_expr, evaluate(o.loss_expr, values)) for o in network.outputs)
    total = CTX.fsum(t.value for t in losses)
    backward = _backward(network, closed, values)
    for quantity, value in values.items():
        dv.check_representable(network, f"sample {sample.name}: ", quantity.name, value)
    by_net = {b.neuron.net: b for b in backward}
    memo: dict[Expr, Real] = {}
    gradients = tuple(dv._gradient(network, i, by_net, closed, values, memo) for i in range(len(network.params)))
    readers = consumers(network)
    inputs = {x: dv.sum_to_precision(values[k.delta] * evaluate(local, values) for k, local in readers.get(x, []))
              for x in network.inputs}
    return WiredPass(sample, tuple(forward), losses, total, tuple(backward), gradients, MappingProxyType(values),
                     MappingProxyType(inputs))


def _net_value(n: Neuron, values: dict[Symbol, Real]) -> Real:
    """A net's value: a weighted sum that cancels below the working precision is 0 (a relu's kink,
    reached as the spec's decimals say, not by the last bits of their binary forms), as the trainer
    computes it."""
    if isinstance(n, PoolNeuron):
        return evaluate(n.net_expr(), values)
    return dv.sum_to_precision(evaluate(term, values) for term in Add.make_args(n.net_expr()))


def winner(entries: Sequence[Real]) -> int:
    """The entry a max pool routes its error to: the largest, a tie at the working precision going to the
    first in reading order (as `PoolNeuron.route` states it, and as PyTorch breaks ties)."""
    best = 0
    for j in range(1, len(entries)):  # the likely one in a single pass, then the rule checked for it
        if settled_difference(entries[j], entries[best]) > 0:
            best = j
    for j in [best, *range(len(entries))]:
        me = entries[j]
        if all(settled_difference(me, s) > 0 for s in entries[:j]) and \
                all(settled_difference(me, s) >= 0 for s in entries[j + 1:]):
            return j
    raise AssertionError("a window without a largest entry")


def _backward(network: Network, closed: dv.Closed, values: dict[Symbol, Real]) -> list[dv.NeuronBackward]:
    """Every neuron's backward quantities, from the last stage to the first."""
    outputs = {o.neuron.out for o in network.outputs}
    readers = consumers(network)
    found: list[dv.NeuronBackward] = []
    for stage in reversed(network.layers):
        if stage[0].out in outputs:
            found += dv._output_backward(_stage_view(network, stage), closed, values)
            continue
        for n in stage:
            found.append(_hidden(network, n, readers.get(n.out, []), closed, values))
    return found


def _stage_view(network: Network, stage: tuple[Neuron, ...]) -> Network:
    """The network as `_output_backward` reads it: with `stage` as its output layer."""
    return replace(network, layers=(stage,))


def _hidden(network: Network, n: Neuron, readers: list[tuple[Neuron, Expr]], closed: dv.Closed,
            values: dict[Symbol, Real]) -> dv.NeuronBackward:
    paths = []
    for k, local in readers:
        delta = dv.Factor(network.e_total, k.net, k.delta, values[k.delta])
        weight = dv.Factor(k.net, n.out, local, evaluate(local, values))
        paths.append(dv.PathTerm(k, delta, weight, delta.value * weight.value))
    teacher = Add(*[k.delta * local for k, local in readers])
    error = dv.Factor(network.e_total, n.out, teacher, dv.sum_to_precision(p.value for p in paths))
    slope = dv._factor(n.out, n.net, _slope_expr(n), values)
    values[n.delta] = error.value * slope.value
    delta = dv.Factor(network.e_total, n.net, closed.deltas[n.delta], values[n.delta])
    return dv.NeuronBackward(n, error, tuple(paths), slope, (), delta)


# --- numeric: training at the working precision -----------------------------------------------------


class WiredTrainer(Trainer):
    """The forward and backward pass of a wired network over a flat parameter vector, stage by stage;
    `flags` make it one of the catalogued mistakes. `forward` gives nets and outs per stage, as
    `Trainer.forward` gives them per layer."""

    def __init__(self, network: Network, flags: Flags = Flags()) -> None:
        super().__init__(network)
        self.flags = flags
        self.deltas: dict[str, Real] = {}  # the first sample's deltas by net name, for claims about them
        index = {p.name: i for i, p in enumerate(network.params)}
        slots = {x: i for i, x in enumerate(network.inputs)}
        self.order = [n for stage in network.layers for n in stage]
        slots.update({n.out: len(network.inputs) + g for g, n in enumerate(self.order)})
        self.input_count = len(network.inputs)
        self.sources = [[slots[link.source] for link in n.links] for n in self.order]
        self.params_of = [[index[link.weight.name] for link in n.links] for n in self.order]
        self.windows = [[slots[s] for _, s in n.window] if isinstance(n, PoolNeuron) else None for n in self.order]
        self.modes = [n.mode if isinstance(n, PoolNeuron) else "" for n in self.order]
        self.bias_of = [(index[n.bias.name], n.bias_sign) if n.bias else None for n in self.order]
        self.stage_of = [n.layer for n in self.order]
        self.outputs = [self.order.index(o.neuron) for o in network.outputs]
        first: dict[int, int] = {}
        for g, n in enumerate(self.order):
            for p, _ in n.local_derivatives():
                first.setdefault(index[p.name], g)
        self.first_use = first
        self.mirror = _mirrors(network, index)
        self.recurrent = _recurrent(network, index)

    def _values(self, params: Sequence[Real], inputs: Sequence[Real]) -> tuple[list[Real], list[Real]]:
        """Every neuron's net (in order) and every slot's out (inputs first)."""
        outs: list[Real] = list(inputs) + [CTX.zero] * len(self.order)
        nets: list[Real] = [CTX.zero] * len(self.order)
        g = 0
        for stage in self.network.layers:
            start = g
            for _ in stage:
                nets[g] = self._net(g, params, outs)
                g += 1
            for j, value in enumerate(stage[0].activation.numeric(nets[start:g])):
                outs[self.input_count + start + j] = value
        return nets, outs

    def _net(self, g: int, params: Sequence[Real], outs: list[Real]) -> Real:
        window = self.windows[g]
        if window is not None:
            entries = [outs[s] for s in window]
            return entries[winner(entries)] if self.modes[g] == "max" else CTX.fsum(entries) / len(entries)
        terms = [params[i] * outs[s] for i, s in zip(self.params_of[g], self.sources[g])]
        bias = self.bias_of[g]
        if bias is not None:
            terms.append(bias[1] * params[bias[0]])
        return dv.sum_to_precision(terms)  # as the derivation sums it: a kink is a kink on both routes

    def forward(self, params: Sequence[Real], inputs: Sequence[Real]) -> tuple[list[list[Real]], list[list[Real]]]:
        """nets and outs per stage; outs[0] are the inputs."""
        nets, outs = self._values(params, inputs)
        by_stage_nets: list[list[Real]] = [[]]
        by_stage_outs: list[list[Real]] = [list(inputs)]
        g = 0
        for stage in self.network.layers:
            by_stage_nets.append(nets[g:g + len(stage)])
            by_stage_outs.append(outs[self.input_count + g:self.input_count + g + len(stage)])
            g += len(stage)
        return by_stage_nets, by_stage_outs

    def symbol_values(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]],
                      params_from: int = 0) -> dict[Symbol, Real]:
        """As a dense network's, and each neuron's own name for its out (a unit at a step, h2_t3)."""
        values = super().symbol_values(params, sample, params_from)
        values.update((symbol(n.name), values[n.out]) for n in self.order)
        return values

    def output_values(self, params: Sequence[Real], inputs: Sequence[Real]) -> list[Real]:
        """The outputs, in network.outputs order."""
        _, outs = self._values(params, inputs)
        return [outs[self.input_count + g] for g in self.outputs]

    def error(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]]) -> Real:
        outs = self.output_values(params, sample[0])
        return CTX.fsum(evaluate(o.loss_expr, {o.target: t, o.neuron.out: y})
                        for o, t, y in zip(self.network.outputs, sample[1], outs))

    def resolved(self, params: Sequence[Real]) -> bool:
        unit = resolution()
        single = self.network.loss.name == "cross_entropy" and len(self.network.spec.layers[-1].neurons) == 1
        return single or all(_resolved(self.network.loss.name, t, y, unit) for inputs, targets in self.samples
                             for t, y in zip(targets, self.output_values(params, inputs)))

    def error_bound(self, params: Sequence[Real]) -> Real:
        unit = resolution()
        power = 2 if self.network.loss.name in ("half_sse", "mse") else 1
        total = CTX.fsum(max(abs(t - y), unit * max(abs(t), abs(y), 1)) ** power for inputs, targets in self.samples
                         for t, y in zip(targets, self.output_values(params, inputs)))
        total = total / len(self.samples) if self.network.spec.training.reduction == "mean" else total
        return CTX.mpf(10) ** int(CTX.ceil(CTX.log10(total)))

    def gradients(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]]) -> list[Real]:
        """dE_total/dp for every parameter: each neuron's delta from its readers, pushed back to its sources."""
        nets, outs = self._values(params, sample[0])
        grads = [CTX.zero] * len(params)
        errors = [CTX.zero] * len(self.order)
        deltas = self._output_deltas_at(nets, outs, sample[1])
        weights = params
        last_output = max(self.outputs)
        for g in range(len(self.order) - 1, -1, -1):
            if g not in deltas:
                slope = self._slope(self.stage_of[g], nets[g], outs[self.input_count + g])
                deltas[g] = errors[g] * slope
            if self.record:
                self.deltas.setdefault(self.order[g].net.name, deltas[g])
                self.deltas.setdefault(self.order[g].out.name, errors[g] if g not in self.outputs else deltas[g])
            self._collect(g, deltas[g], grads, nets, outs)
            if self.flags.stale and g == min(self.outputs) and self.stage_of[g] == self.stage_of[last_output]:
                weights = self.update(list(params), grads)  # grads hold only the output layer's so far
            self._push(g, deltas[g], errors, weights, outs)
        if self.record:  # the inputs' gradients too, for claims about them
            self._input_errors(params, deltas)
        return grads

    def _input_errors(self, params: Sequence[Real], deltas: dict[int, Real]) -> None:
        found = [CTX.zero] * self.input_count
        for g in range(len(self.order)):
            for p, s in zip(self.params_of[g], self.sources[g]):
                if s < self.input_count:
                    w = params[self.mirror.get(p, p)] if self.flags.unflipped else params[p]
                    found[s] += deltas[g] * w
        for x, value in zip(self.network.inputs, found):
            self.deltas.setdefault(x.name, value)

    record = False  # set by the mistakes' variants, which answer claims about their deltas

    def _output_deltas_at(self, nets: list[Real], outs: list[Real], targets: list[Real]) -> dict[int, Real]:
        found: dict[int, Real] = {}
        by_stage: dict[int, list[tuple[int, Real]]] = {}
        for g, t in zip(self.outputs, targets):
            by_stage.setdefault(self.stage_of[g], []).append((g, t))
        for stage, members in by_stage.items():
            ys = [outs[self.input_count + g] for g, _ in members]
            ts = [t for _, t in members]
            for (g, _), d in zip(members, self._stage_deltas(stage, [nets[g] for g, _ in members], ys, ts)):
                found[g] = d
        return found

    def _stage_deltas(self, stage: int, nets: list[Real], outs: list[Real], targets: list[Real]) -> list[Real]:
        n = len(outs)
        if self.network.loss.name == "binary_cross_entropy" and not self.flags.loss_factor:
            return [y - t for t, y in zip(targets, outs)]
        grad_out = [CTX.mpf(2) ** self.flags.loss_factor * self.network.loss.numeric_grad(t, y, n)
                    for t, y in zip(targets, outs)]
        if self.network.layers[stage][0].activation.numeric_local is None:
            return [CTX.fsum(grad_out[k] * numeric_softmax_jacobian(outs[k], outs[j], k == j) for k in range(n))
                    for j in range(n)]
        return [gr * self._slope(stage, net, y) for gr, net, y in zip(grad_out, nets, outs)]

    def _slope(self, stage: int, net: Real, out: Real) -> Real:
        if self.flags.no_slope:
            return CTX.one
        rule = self.network.layers[stage][0].activation.numeric_local
        assert rule is not None, "a softmax layer's slope is its Jacobian"
        return rule(net, net if self.flags.slope_at_net else out)

    def _collect(self, g: int, delta: Real, grads: list[Real], nets: list[Real], outs: list[Real]) -> None:
        """delta times each source into the gradient of the link's parameter (and delta into the bias)."""
        one = self.flags.one_position
        for p, s in zip(self.params_of[g], self.sources[g]):
            if one and self.first_use[p] != g:
                continue
            source = nets[s - self.input_count] if self.flags.net_for_out and s >= self.input_count else outs[s]
            grads[p] += delta * source
        bias = self.bias_of[g]
        if bias is not None and not (one and self.first_use[bias[0]] != g):
            grads[bias[0]] += delta * bias[1]

    def _push(self, g: int, delta: Real, errors: list[Real], weights: Sequence[Real], outs: list[Real]) -> None:
        """delta times d net / d source into the error of each source that is a neuron."""
        window = self.windows[g]
        if window is not None:
            entries = [outs[s] for s in window]
            top = winner(entries) if self.modes[g] == "max" else -1
            for j, s in enumerate(window):
                if s >= self.input_count:
                    errors[s - self.input_count] += delta * self._route(g, len(entries), j, top)
            return
        for p, s in zip(self.params_of[g], self.sources[g]):
            if s < self.input_count or (self.flags.truncated and p in self.recurrent):
                continue
            w = weights[self.mirror.get(p, p)] if self.flags.unflipped else weights[p]
            errors[s - self.input_count] += delta * w

    def _route(self, g: int, size: int, j: int, top: int) -> Real:
        if self.modes[g] == "avg":
            return CTX.one / size
        if self.flags.route_all:
            return CTX.one
        return CTX.one if top == j else CTX.zero


def _mirrors(network: Network, index: Mapping[str, int]) -> dict[int, int]:
    """Each kernel entry's index -> the index of the entry mirrored through the kernel's centre."""
    found = {}
    for plan in network.graph.plans:
        if isinstance(plan, ConvPlan):
            rows, cols = plan.spec.kernel
            for kernel in plan.kernel:
                for channel in kernel:
                    for a in range(rows):
                        for c in range(cols):
                            found[index[channel[a][c].name]] = index[channel[rows - 1 - a][cols - 1 - c].name]
    return found


def _recurrent(network: Network, index: Mapping[str, int]) -> frozenset[int]:
    """The indices of W_h's entries."""
    return frozenset(index[p.name] for plan in network.graph.plans if isinstance(plan, RecurrentPlan)
                     for row in plan.recurrent_weights for p in row)


# --- the derivation ---------------------------------------------------------------------------------


def build(network: Network, history_steps: tuple[int, ...] | None = None,
          shown_digits: int | None = None) -> dv.Derivation:
    """The whole derivation of a wired network: the first update in full, then the iterations (at the
    working precision: the float64 route covers dense networks only)."""
    steps = network.spec.training.steps if history_steps is None else history_steps
    dv.check_iteration_work(network, steps)
    closed = closed_forms(network)
    trainer = WiredTrainer(network)
    first = trainer.step_samples(1)
    samples = network.spec.samples if len(first) > 1 else network.spec.samples[:1]
    try:
        passes = tuple(derive_pass(network, closed, s) for s in samples)
    except ZeroDivisionError:
        raise dv.DerivationError(f"{network.spec.source}: an output saturates to exactly 0 or 1 at "
                                 f"{WORKING_DIGITS} digits, where the loss's derivative is undefined") from None
    dv._check_finite(network, passes)
    updates = dv._updates(network, passes)
    for u in updates:
        dv.check_representable(network, "after the first update: ", u.param.name, u.new)
    initial = trainer.initial()
    stepped = trainer.update(initial, trainer.batch_gradient(initial, first))
    for u, value in zip(updates, stepped):
        dv.check_agree(u.new, value, f"updated {u.param.name}")
    for p in passes:
        _check_forward(network, trainer, p)
    points = [dv.HistoryPoint(r.step, r.error, tuple(r.params), r.resolved, r.digits)
              for r in precise_errors(network, sorted({0, 1, *steps}))]
    history = tuple(h for h in points if h.step in steps)
    return dv.Derivation(network, closed, passes, updates, points[0].error, points[1].error, history, (),
                         points[0], points[1])


def _check_forward(network: Network, trainer: WiredTrainer, p: dv.Pass) -> None:
    """The closed forms' forward pass and the trainer's agree (the max's expression against max())."""
    inputs = [real(v) for v in p.sample.inputs]
    _, outs = trainer._values(trainer.initial(), inputs)
    for step, value in zip(p.forward, outs[len(inputs):]):
        dv.check_agree(step.out, value, f"out of {step.neuron.name}")


# derivation.build, derivation.derive_pass and numeric.trainer_for reach these networks through this module
dv.wired_build, dv.wired_pass, numeric.wired_trainer = build, derive_pass, WiredTrainer
