"""The derivation: forward pass, loss, every gradient as chain-rule factors and as a closed form, the
update and the iterations, built once and consumed by every output.

Gradients follow the layered (delta) structure: each neuron's delta = dE_total/dnet is built once from
the deltas of the layer after it, so the cost grows with the number of connections, not with its
square. `sympy.diff` of the fully expanded E_total (see `derive.maths.expansion`) is only the tests' oracle.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sympy import Add, Expr, Integer, Mul, Symbol, diff

from derive.maths.balls import ball_errors
from derive.maths.enclosure import fast_errors
from derive.maths.numeric import (MAX_ITERATION_WORK, Report, Trainer, evaluate, iteration_work, precise_errors,
                                  sample_values, trainer_for)
from derive.maths.optimizers import Move
from derive.model.network import Network, Neuron, Param
from derive.model.precision import CTX, WORKING_DIGITS, Real, real, show
from derive.model.rules import softmax_jacobian
from derive.model.spec import SampleSpec

# Agreement demanded between two high-precision routes to the same number: relative, and absolute
# near zero, where terms of size ~1 cancel and leave noise at the working precision.
AGREEMENT = CTX.mpf(10) ** -30
NOISE = CTX.mpf(10) ** -(WORKING_DIGITS - 8)
# A sum this much smaller than its largest term has cancelled below the working precision: it is 0.
CANCELLED = CTX.mpf(10) ** -(WORKING_DIGITS - 8)


class DerivationError(ValueError):
    """The spec's numbers leave a quantity undefined (a saturated log-loss): a one-line error."""


# The largest finite float64: the generated code computes in float64, so a number beyond it is inf there.
FLOAT64_MAX = CTX.mpf(sys.float_info.max)


def check_representable(network: Network, where: str, name: str, value: Real) -> None:
    """A one-line error for a number the generated code's float64 cannot hold (it would be inf there)."""
    if CTX.isfinite(value) and abs(value) > FLOAT64_MAX:
        raise DerivationError(f"{network.spec.source}: {where}{name} = {show(value, 3).text} is beyond the "
                              "range of float64 (about 1.8e308), in which the generated code computes: "
                              "scale the spec's numbers down")


class InconsistentDerivation(AssertionError):
    """Two routes to one number disagree: a bug in the engine, never a user error."""


@dataclass(frozen=True)
class Factor:
    """One local derivative d num / d den: its expression (in the network's symbols) and value."""

    num: Symbol
    den: Symbol
    expr: Expr
    value: Real


@dataclass(frozen=True)
class PathTerm:
    """One path back from a hidden neuron: dE_total/dnet_k * dnet_k/dout_h = delta_k * w_kh."""

    via: Neuron
    delta: Factor
    weight: Factor
    value: Real


@dataclass(frozen=True)
class JacobianTerm:
    """One softmax path: dE_total/dout_k * dout_k/dnet_j."""

    via: Neuron
    error: Factor
    slope: Factor
    value: Real


@dataclass(frozen=True)
class NeuronBackward:
    """dE_total/dout, dout/dnet and delta = dE_total/dnet of one neuron."""

    neuron: Neuron
    error: Factor  # dE_total/dout_n
    paths: tuple[PathTerm, ...]  # hidden neurons: one per neuron of the next layer
    slope: Factor | None  # dout_n/dnet_n; None for a softmax output
    jacobian: tuple[JacobianTerm, ...]  # softmax outputs: one per output
    delta: Factor  # dE_total/dnet_n, expression = its closed form


@dataclass(frozen=True)
class Chain:
    """The product of factors along one neuron's path to a parameter."""

    neuron: Neuron
    factors: tuple[Factor, ...]
    value: Real
    closed: tuple[Expr, ...]  # the factors in closed form, in the chain's order; their product is exact


@dataclass(frozen=True)
class Gradient:
    """dE_total/dp: the sum of its chains (one, or one per neuron for a shared bias), and its closed form."""

    param: Param
    chains: tuple[Chain, ...]
    closed: Expr
    value: Real


@dataclass(frozen=True)
class ForwardStep:
    neuron: Neuron
    net: Real
    out: Real


@dataclass(frozen=True)
class LossTerm:
    output: Neuron
    expr: Expr
    value: Real


@dataclass(frozen=True)
class Pass:
    """Forward and backward pass of one sample at the initial parameters."""

    sample: SampleSpec
    forward: tuple[ForwardStep, ...]
    losses: tuple[LossTerm, ...]
    total: Real
    backward: tuple[NeuronBackward, ...]  # output layer first
    gradients: tuple[Gradient, ...]  # in network.params order
    values: Mapping[Symbol, Real]  # every symbol's value in this pass (read-only)


@dataclass(frozen=True)
class Update:
    param: Param
    old: Real
    gradient: Real  # the (reduced) gradient the update uses
    new: Real


@dataclass(frozen=True)
class HistoryPoint:
    step: int
    error: Real  # when not `resolved`: an upper bound, the true error is below it
    params: tuple[Real, ...]
    resolved: bool = True  # False: below what DIGIT_LADDER's last working precision resolves
    digits: int = WORKING_DIGITS  # the working precision the error was computed at


@dataclass(frozen=True)
class Closed:
    """Sample-independent closed forms, built once per network."""

    loss_grads: Mapping[Symbol, Expr]  # out_o -> dE_o/dout_o
    errors: Mapping[Symbol, Expr]  # out_n -> closed dE_total/dout_n (elementwise neurons)
    deltas: Mapping[Symbol, Expr]  # delta_n -> closed dE_total/dnet_n
    delta_factors: Mapping[Symbol, tuple[Expr, ...]]  # delta_n -> (dE_total/dout_n, dout_n/dnet_n) or (delta,)


@dataclass(frozen=True)
class Derivation:
    network: Network
    closed: Closed
    passes: tuple[Pass, ...]
    updates: tuple[Update, ...]
    error_before: Real
    error_after: Real
    history: tuple[HistoryPoint, ...]
    # the optimizer's first updates of every parameter (two where there are two), move by move
    moves: tuple[tuple[Move, ...], ...] = ()
    # error_before and error_after as HistoryPoints say it: resolved (else an upper bound), and at how many digits
    before: HistoryPoint | None = None
    after: HistoryPoint | None = None

    @property
    def first(self) -> Pass:
        return self.passes[0]


# Networks wired entry by entry (convolution, pooling, recurrent layers) are derived by derive.maths.wired,
# which is built on this module: derive.maths puts hooks here that import it with the first such network.
wired_build: Callable[..., Derivation] | None = None
wired_pass: Callable[[Network, Closed, SampleSpec], Pass] | None = None


def closed_forms(network: Network, output_rule: Callable[[Expr], Expr] | None = None) -> Closed:
    """dE_total/dout and dE_total/dnet of every neuron, from the output layer back.

    `output_rule` rewrites each output delta before it propagates (code generation cancels
    -t/o + (1-t)/(1-o) against o (1-o), which would divide by zero in floating point).
    """
    loss_grads = {o.neuron.out: diff(o.loss_expr, o.neuron.out) for o in network.outputs}
    errors: dict[Symbol, Expr] = {}
    deltas: dict[Symbol, Expr] = {}
    last = network.layers[-1]
    factors: dict[Symbol, tuple[Expr, ...]] = {}
    for n in last:
        if n.activation.elementwise:
            errors[n.out] = loss_grads[n.out]
            factors[n.delta] = (errors[n.out], n.activation.slope(n.out, n.net))
        else:
            factors[n.delta] = (Add(*[loss_grads[k.out] * softmax_jacobian(k.out, n.out, k is n) for k in last]),)
        deltas[n.delta] = Mul(*factors[n.delta])
        if output_rule is not None:
            deltas[n.delta] = output_rule(deltas[n.delta])
    for layer, after in zip(reversed(network.layers[:-1]), reversed(network.layers[1:])):
        for n in layer:
            errors[n.out] = Add(*[deltas[k.delta] * k.links[n.position].weight.symbol for k in after])
            factors[n.delta] = (errors[n.out], n.activation.slope(n.out, n.net))
            deltas[n.delta] = Mul(*factors[n.delta])
    return Closed(loss_grads, errors, deltas, factors)


def _factor(num: Symbol, den: Symbol, expr: Expr, values: Mapping[Symbol, Real]) -> Factor:
    return Factor(num, den, expr, evaluate(expr, values))


def _forward(network: Network, values: dict[Symbol, Real]) -> tuple[ForwardStep, ...]:
    steps = []
    for layer in network.layers:
        for n in layer:
            values[n.net] = evaluate(n.net_expr(), values)
        for n in layer:
            # Softmax needs every net of its layer, so outs come after the layer's nets.
            nets = tuple(k.net for k in layer)
            values[n.out] = evaluate(n.activation.forward(nets, n.position), values)
            steps.append(ForwardStep(n, values[n.net], values[n.out]))
    return tuple(steps)


def _output_backward(network: Network, closed: Closed, values: dict[Symbol, Real]) -> list[NeuronBackward]:
    last = network.layers[-1]
    errors = {n.out: _factor(network.e_total, n.out, closed.loss_grads[n.out], values) for n in last}
    result = []
    for n in last:
        if n.activation.elementwise:
            slope = _factor(n.out, n.net, n.activation.slope(n.out, n.net), values)
            jacobian: tuple[JacobianTerm, ...] = ()
            value = errors[n.out].value * slope.value
        else:
            slope = None
            jacobian = tuple(_jacobian_term(k, n, errors[k.out], values) for k in last)
            value = sum_to_precision(t.value for t in jacobian)
        values[n.delta] = value
        delta = Factor(network.e_total, n.net, closed.deltas[n.delta], value)
        result.append(NeuronBackward(n, errors[n.out], (), slope, jacobian, delta))
    return result


def _jacobian_term(k: Neuron, j: Neuron, error: Factor, values: Mapping[Symbol, Real]) -> JacobianTerm:
    slope = _factor(k.out, j.net, softmax_jacobian(k.out, j.out, k is j), values)
    return JacobianTerm(k, error, slope, error.value * slope.value)


def _hidden_backward(network: Network, layer: tuple[Neuron, ...], after: tuple[Neuron, ...],
                     closed: Closed, values: dict[Symbol, Real]) -> list[NeuronBackward]:
    result = []
    for n in layer:
        paths = tuple(_path(network, k, n, closed, values) for k in after)
        teacher = Add(*[k.delta * k.links[n.position].weight.symbol for k in after])
        error = Factor(network.e_total, n.out, teacher, sum_to_precision(p.value for p in paths))
        slope = _factor(n.out, n.net, n.activation.slope(n.out, n.net), values)
        values[n.delta] = error.value * slope.value
        delta = Factor(network.e_total, n.net, closed.deltas[n.delta], values[n.delta])
        result.append(NeuronBackward(n, error, paths, slope, (), delta))
    return result


def _path(network: Network, k: Neuron, n: Neuron, closed: Closed, values: Mapping[Symbol, Real]) -> PathTerm:
    w = k.links[n.position].weight.symbol
    delta = Factor(network.e_total, k.net, k.delta, values[k.delta])
    weight = Factor(k.net, n.out, w, values[w])
    return PathTerm(k, delta, weight, delta.value * weight.value)


def closed_gradient(network: Network, closed: Closed, index: int) -> Expr:
    """dE_total/dp in closed form: the sum over the neurons using p of delta times d net / d p."""
    return Add(*[closed.deltas[u.neuron.delta] * u.dnet for u in network.usages[index]])


def _gradient(network: Network, index: int, backward: Mapping[Symbol, NeuronBackward],
              closed: Closed, values: Mapping[Symbol, Real], memo: dict[Expr, Real]) -> Gradient:
    param = network.params[index]
    chains = []
    for usage in network.usages[index]:
        b = backward[usage.neuron.net]
        local = _factor(usage.neuron.net, param.symbol, usage.dnet, values)
        head = (b.error, b.slope) if b.slope is not None else (b.delta,)
        factors = (*head, local)
        closed_factors = closed.delta_factors[usage.neuron.delta] + (usage.dnet,)
        chains.append(Chain(usage.neuron, factors, _product(f.value for f in factors), closed_factors))
    value = sum_to_precision(c.value for c in chains)
    check_representable(network, "", f"dE_total/d{param.name}", value)
    gradient = Gradient(param, tuple(chains), closed_gradient(network, closed, index), value)
    check_agree(evaluate(gradient.closed, values, memo), value, f"closed form of dE_total/d{param.name}")
    return gradient


def sum_to_precision(values: Iterable[Real]) -> Real:
    """The exact sum, or 0 when it cancels below the working precision of its largest term.

    A softmax's shared bias has gradient sum_j (out_j - target_j) = 0; summed at 50 digits it
    leaves ~1e-51 of rounding, which is no number a reader should see.
    """
    terms = list(values)
    result = CTX.fsum(terms)
    largest = max((abs(t) for t in terms), default=CTX.zero)
    return CTX.zero if abs(result) <= CANCELLED * largest else result


def _product(values: object) -> Real:
    result = CTX.one
    for v in values:  # type: ignore[attr-defined]
        result *= v
    return result


def agree(a: Real, b: Real) -> bool:
    """Two high-precision routes to one number give it to within the working precision."""
    return abs(a - b) <= AGREEMENT * max(abs(a), abs(b)) + NOISE


def check_agree(a: Real, b: Real, what: str) -> None:
    if not agree(a, b):
        raise InconsistentDerivation(f"{what}: {a} != {b}")


def _initial_values(network: Network, sample: SampleSpec, params: Sequence[Real] = ()) -> dict[Symbol, Real]:
    inputs, targets = sample_values(sample)
    values: dict[Symbol, Real] = dict(zip(network.inputs, inputs))
    values.update((o.target, t) for o, t in zip(network.outputs, targets))
    values.update((p.symbol, v) for p, v in zip(network.params, params or [real(p.initial) for p in network.params]))
    values[network.eta] = real(network.spec.training.learning_rate)
    return values


def derive_pass(network: Network, closed: Closed, sample: SampleSpec, params: Sequence[Real] = ()) -> Pass:
    """Forward pass, losses, every neuron's backward quantities and every gradient for one sample: at the
    spec's parameters, or at `params` (the values after some updates; a layered network only)."""
    if network.graph is not None and wired_pass is not None:
        if params:
            raise ValueError("a wired network's pass is taken at the spec's parameters only")
        return wired_pass(network, closed, sample)
    values = _initial_values(network, sample, params)
    forward = _forward(network, values)
    losses = tuple(LossTerm(o.neuron, o.loss_expr, evaluate(o.loss_expr, values)) for o in network.outputs)
    total = CTX.fsum(t.value for t in losses)
    backward = _output_backward(network, closed, values)
    for layer, after in zip(reversed(network.layers[:-1]), reversed(network.layers[1:])):
        backward += _hidden_backward(network, layer, after, closed, values)
    for symbol, value in values.items():  # before any check that two routes agree
        check_representable(network, f"sample {sample.name}: ", symbol.name, value)
    check_representable(network, f"sample {sample.name}: ", network.e_total.name, total)
    by_net = {b.neuron.net: b for b in backward}
    memo: dict[Expr, Real] = {}  # the closed forms share their deltas: each is evaluated once per pass
    gradients = tuple(_gradient(network, i, by_net, closed, values, memo) for i in range(len(network.params)))
    return Pass(sample, forward, losses, total, tuple(backward), gradients, MappingProxyType(values))


def _check_finite(network: Network, passes: tuple[Pass, ...]) -> None:
    for p in passes:
        if not all(CTX.isfinite(v) for v in p.values.values()) or not CTX.isfinite(p.total):
            raise DerivationError(f"{network.spec.source}: sample {p.sample.name}: a value is infinite "
                                  "(an output saturates where the loss takes its logarithm)")


def _updates(network: Network, passes: tuple[Pass, ...], first: tuple[Move, ...] = ()) -> tuple[Update, ...]:
    """The first update; by the optimizer's first moves where the spec asks for one."""
    eta = real(network.spec.training.learning_rate)
    mean = network.spec.training.reduction == "mean"
    updates = []
    for i, param in enumerate(network.params):
        grad = sum_to_precision(p.gradients[i].value for p in passes)
        grad = grad / len(passes) if mean else grad
        old = real(param.initial)
        new = first[i].new if first else (old - eta * grad if param.trainable else old)
        updates.append(Update(param, old, grad, new))
    return tuple(updates)


# Updates of every parameter the notes work by hand under an optimizer other than plain descent.
WORKED_UPDATES = 2


def check_iteration_work(network: Network, steps: Iterable[int]) -> None:
    """A one-line error before training, when the iterations would take more than MAX_ITERATION_WORK."""
    work = iteration_work(network, steps)
    if work > MAX_ITERATION_WORK:
        raise DerivationError(f"{network.spec.source}: training.steps: {max(steps):,} updates are {work:,} "
                              f"units of work at {WORKING_DIGITS} digits (updates x parameters x samples per "
                              f"update), more than the {MAX_ITERATION_WORK:,} the iterations allow "
                              "(fewer steps, or derive train for long runs)")


def history_errors(network: Network, steps: list[int], digits: int | None = None) -> list[Report]:
    """The dataset error after each count of updates in `steps` (increasing, from 0). Given the `digits`
    that will be shown, the updates past the first are trained in float64 where the error radius proves
    those digits (`derive.maths.enclosure`), else on arb balls where their radius does
    (`derive.maths.balls`); else, and always for the first, at the working precision."""
    later = [s for s in steps if s > 1]
    fast = None
    if digits is not None and later:
        fast = fast_errors(network, later, digits) or ball_errors(network, later, digits)
    if fast is None:
        return precise_errors(network, steps)
    return precise_errors(network, [s for s in steps if s <= 1]) + fast


def build(network: Network, history_steps: tuple[int, ...] | None = None,
          shown_digits: int | None = None) -> Derivation:
    """The whole derivation of `network`: the first update in full, then the iterations.

    `shown_digits`: the significant digits the errors of the iterations will be shown with, when known;
    it lets the iterations run in float64 where that provably changes none of them (see history_errors).
    """
    if network.graph is not None and wired_build is not None:  # convolution, pooling, recurrent layers
        return wired_build(network, history_steps, shown_digits)
    steps = network.spec.training.steps if history_steps is None else history_steps
    check_iteration_work(network, steps)
    closed = closed_forms(network)
    trainer = Trainer(network)
    first = trainer.step_samples(1)
    samples = network.spec.samples if len(first) > 1 else network.spec.samples[:1]
    try:
        passes = tuple(derive_pass(network, closed, s) for s in samples)
    except ZeroDivisionError:
        raise DerivationError(f"{network.spec.source}: an output saturates to exactly 0 or 1 at "
                              f"{WORKING_DIGITS} digits, where the loss's derivative is undefined") from None
    _check_finite(network, passes)
    moves = () if trainer.plain else tuple(tuple(m) for m in trainer.trace(WORKED_UPDATES))
    updates = _updates(network, passes, moves[0] if moves else ())
    for u in updates:
        check_representable(network, "after the first update: ", u.param.name, u.new)
    initial = trainer.initial()
    stepped = trainer.update(initial, trainer.batch_gradient(initial, first))
    if moves:
        stepped = [m.new for m in moves[0]]
        for u, m in zip(updates, moves[0]):
            check_agree(u.gradient, m.gradient, f"gradient of {u.param.name} in the first update")
    for u, value in zip(updates, stepped):
        check_agree(u.new, value, f"updated {u.param.name}")
    points = [HistoryPoint(r.step, r.error, tuple(r.params), r.resolved, r.digits)
              for r in history_errors(network, sorted({0, 1, *steps}), shown_digits)]
    history = tuple(h for h in points if h.step in steps)
    if points[0].digits > WORKING_DIGITS:  # the initial error is within the noise of the working precision
        with CTX.workdps(points[0].digits):
            passes = tuple(derive_pass(network, closed_forms(network), s) for s in samples)
    return Derivation(network, closed, passes, updates, points[0].error, points[1].error, history, moves,
                      points[0], points[1])


def chain_expr(chain: Chain, closed: Closed) -> Expr:
    """The product of a chain's factors with every delta symbol replaced by its closed form."""
    return Mul(*[f.expr.xreplace(dict(closed.deltas)) for f in chain.factors])


def gradient_expr(gradient: Gradient, closed: Closed) -> Expr:
    return Add(*[chain_expr(c, closed) for c in gradient.chains]) if gradient.chains else Integer(0)


def closed_gradients(network: Network, closed: Closed, flat: Sequence[Real], indices: Sequence[int] | None = None,
                     trainer: Trainer | None = None) -> list[Real]:
    """dE/dp from the per-weight closed forms at the parameters `flat` (network.params order), over the
    spec's samples, for the parameters at `indices` (all by default): only their deltas are evaluated."""
    return closed_values(network, closed, flat, indices, trainer)[1]


def closed_values(network: Network, closed: Closed, flat: Sequence[Real], indices: Sequence[int] | None = None,
                  trainer: Trainer | None = None) -> tuple[Real, list[Real]]:
    """The error over the spec's samples (summed or averaged, as it says) and `closed_gradients`."""
    chosen = range(len(network.params)) if indices is None else indices
    needed = {u.neuron.delta: u.neuron for i in chosen for u in network.usages[i]}
    trainer = trainer or trainer_for(network)
    params = [CTX.mpf(v) for v in flat]
    error, totals = CTX.zero, [CTX.zero] * len(chosen)
    for sample in trainer.samples:
        # a delta's closed form names the weights after its neuron's layer, never the first layer's
        # (a wired network's names any: W_h and the kernels are used after their own layer too)
        values = trainer.symbol_values(params, sample, params_from=1 if network.graph is None else 0)
        error += CTX.fsum(evaluate(o.loss_expr, values) for o in network.outputs)
        memo: dict[Expr, Real] = {}  # the deltas' closed forms share their parts: each is evaluated once
        deltas = {delta: evaluate(closed.deltas[delta], values, memo) for delta in needed}
        totals = [t + CTX.fsum(deltas[u.neuron.delta] * evaluate(u.dnet, values) for u in network.usages[i])
                  for t, i in zip(totals, chosen)]
    if network.spec.training.reduction == "mean":
        return error / len(trainer.samples), [t / len(trainer.samples) for t in totals]
    return error, totals
