"""Numeric work at the working precision: evaluating the engine's expressions, and training.

`evaluate` substitutes values into a SymPy expression by walking its tree with mpmath (no code is
generated or executed). `Trainer` runs the same layered algorithm on plain lists for the thousands of
updates of the iterations table, with the numeric local rules of `derive.model.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import singledispatch

import sympy
from sympy import Expr, Symbol

from derive.maths.optimizers import Move, State, Stepper
from derive.model.network import Network
from derive.model.precision import CTX, WORKING_DIGITS, Real, real
from derive.model.rules import numeric_sigmoid, numeric_softmax_jacobian, relu, sigmoid
from derive.model.spec import SampleSpec


class EvaluationError(ArithmeticError):
    """An expression holds something the evaluator has no rule for."""


def evaluate(expr: Expr, values: Mapping[Symbol, Real], memo: dict[Expr, Real] | None = None) -> Real:
    """The value of `expr` with every symbol replaced by its value in `values`.

    Each distinct subexpression is evaluated once: the closed forms of a deep network share their
    deltas, so walking them as trees would cost exponentially in depth. Pass the same `memo` to
    several calls with the same `values` to share the work between them.
    """
    return _Scope(values, {} if memo is None else memo).sub(expr)


class _Scope:
    """The values of the symbols and the subexpressions already evaluated with them."""

    def __init__(self, values: Mapping[Symbol, Real], memo: dict[Expr, Real]) -> None:
        self.values = values
        self.memo = memo

    def __getitem__(self, symbol: Symbol) -> Real:
        return self.values[symbol]

    def sub(self, expr: Expr) -> Real:
        """The value of a subexpression, from the memo when it was met before."""
        if expr.is_Atom:
            return _eval(expr, self)
        found = self.memo.get(expr)
        if found is None:
            found = self.memo[expr] = _eval(expr, self)
        return found


@singledispatch
def _eval(expr: Expr, values: _Scope) -> Real:
    raise EvaluationError(f"no numeric rule for {type(expr).__name__}")


@_eval.register
def _(expr: Symbol, values: _Scope) -> Real:
    return values[expr]


@_eval.register
def _(expr: sympy.Rational, values: _Scope) -> Real:
    return CTX.mpf(expr.p) / expr.q


@_eval.register
def _(expr: sympy.Float, values: _Scope) -> Real:
    return CTX.make_mpf(expr._mpf_)


@_eval.register
def _(expr: sympy.Add, values: _Scope) -> Real:
    return CTX.fsum(values.sub(a) for a in expr.args)


@_eval.register
def _(expr: sympy.Mul, values: _Scope) -> Real:
    result = CTX.one
    for a in expr.args:
        result *= values.sub(a)
    return result


@_eval.register
def _(expr: sympy.Pow, values: _Scope) -> Real:
    base = values.sub(expr.base)
    if expr.exp.is_Integer:
        return base ** int(expr.exp)
    return CTX.power(base, values.sub(expr.exp))


_FUNCTIONS = {
    sympy.exp: CTX.exp,
    sympy.log: CTX.log,
    sympy.tanh: CTX.tanh,
    sigmoid: numeric_sigmoid,
    relu: lambda x: x if x > 0 else CTX.zero,
}


@_eval.register
def _(expr: sympy.Function, values: _Scope) -> Real:
    rule = _FUNCTIONS.get(type(expr))
    if rule is None:
        raise EvaluationError(f"no numeric rule for {type(expr).__name__}")
    return rule(values.sub(expr.args[0]))


# A difference that cancels below this fraction of its larger term is a tie at the working precision
# (the decimals of a spec are not exact in binary: two equal entries of a max pool's window, reached by
# different products, differ in their last bits).
SETTLED = CTX.mpf(10) ** -(WORKING_DIGITS - 8)


def settled_difference(a: Real, b: Real) -> Real:
    """a - b, or exactly 0 where a and b are equal to the working precision."""
    d = a - b
    return CTX.zero if abs(d) <= SETTLED * max(abs(a), abs(b)) else d


@_eval.register
def _(expr: sympy.Heaviside, values: _Scope) -> Real:
    arg = expr.args[0]
    if isinstance(arg, sympy.Add) and len(arg.args) == 2:  # a max pool's comparison of two entries
        x = settled_difference(values.sub(arg.args[0]), -values.sub(arg.args[1]))
    else:
        x = values.sub(arg)
    at_zero = values.sub(expr.args[1]) if len(expr.args) > 1 else CTX.mpf(0.5)
    return CTX.one if x > 0 else (CTX.zero if x < 0 else at_zero)


class Trainer:
    """The layered forward and backward pass over a flat parameter vector (in `network.params` order)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], n.bias_sign) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.activations = [layer[0].activation for layer in network.layers]
        self.trainable = [p.trainable for p in network.params]
        self.eta = real(network.spec.training.learning_rate)
        self.samples = [sample_values(s) for s in network.spec.samples]
        self.plain = network.spec.training.optimizer.plain
        self.stepper = Stepper(network)
        self.states: dict[int, State] = {0: self.stepper.start()}  # the optimizer's state at each snapshot

    def initial(self) -> list[Real]:
        return [real(p.initial) for p in self.network.params]

    def forward(self, params: Sequence[Real], inputs: Sequence[Real]) -> tuple[list[list[Real]], list[list[Real]]]:
        """nets and outs per layer; outs[0] are the inputs."""
        outs: list[list[Real]] = [list(inputs)]
        nets: list[list[Real]] = [[]]
        for links, biases, act in zip(self.links, self.biases, self.activations):
            prev = outs[-1]
            layer_nets = []
            for idx, bias in zip(links, biases):
                total = CTX.fdot([params[i] for i in idx], prev)
                if bias is not None:
                    total += bias[1] * params[bias[0]]
                layer_nets.append(total)
            nets.append(layer_nets)
            outs.append(act.numeric(layer_nets))
        return nets, outs

    def output_values(self, params: Sequence[Real], inputs: Sequence[Real]) -> list[Real]:
        """The outputs, in network.outputs order."""
        return self.forward(params, inputs)[1][-1]

    def symbol_values(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]],
                      params_from: int = 0) -> dict[Symbol, Real]:
        """Inputs, targets, parameters (of the layers from index `params_from` on) and every neuron's net
        and out, by symbol, at `params`."""
        inputs, targets = sample
        nets, outs = self.forward(params, inputs)
        network = self.network
        values: dict[Symbol, Real] = dict(zip(network.inputs, inputs))
        values.update((o.target, t) for o, t in zip(network.outputs, targets))
        values.update((p.symbol, v) for p, v in zip(network.params, params) if p.layer >= params_from)
        for layer, layer_nets, layer_outs in zip(network.layers, nets[1:], outs[1:]):
            for n, net, out in zip(layer, layer_nets, layer_outs):
                values[n.net], values[n.out] = net, out
        return values

    def error(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]]) -> Real:
        """E_total of one sample."""
        _, outs = self.forward(params, sample[0])
        return CTX.fsum(evaluate(o.loss_expr, {o.target: t, o.neuron.out: y})
                        for o, t, y in zip(self.network.outputs, sample[1], outs[-1]))

    def dataset_error(self, params: Sequence[Real]) -> Real:
        """E_total summed (or averaged, as the spec's reduction says) over every sample."""
        total = CTX.fsum(self.error(params, s) for s in self.samples)
        return total / len(self.samples) if self.network.spec.training.reduction == "mean" else total

    def resolved(self, params: Sequence[Real]) -> bool:
        """Whether the error at `params` is more than rounding noise: no output is closer to its target
        (under a log-loss: to 1 or 0, where the logarithm cancels) than GUARD_DIGITS above the last
        digit the working precision holds."""
        unit = resolution()
        single_softmax = self.network.loss.name == "cross_entropy" and len(self.network.outputs) == 1
        for inputs, targets in self.samples:
            outs = self.forward(params, inputs)[1][-1]
            if not single_softmax and not all(_resolved(self.network.loss.name, t, y, unit)
                                              for t, y in zip(targets, outs)):
                return False
        return True

    def error_bound(self, params: Sequence[Real]) -> Real:
        """An upper bound of the dataset error when it is not resolved: every output's distance to its
        target (or to 1 or 0 under a log-loss) taken as at least the resolution, rounded up to a power of 10."""
        unit = resolution()
        total = CTX.zero
        for inputs, targets in self.samples:
            outs = self.forward(params, inputs)[1][-1]
            # a squared loss squares the distance; a log-loss is about the distance itself near 1
            power = 2 if self.network.loss.name in ("half_sse", "mse") else 1
            total += CTX.fsum(max(abs(t - y), unit * max(abs(t), abs(y), 1)) ** power for t, y in zip(targets, outs))
        total = total / len(self.samples) if self.network.spec.training.reduction == "mean" else total
        return CTX.mpf(10) ** int(CTX.ceil(CTX.log10(total)))

    def gradients(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]]) -> list[Real]:
        """dE_total/dp for every parameter, by the delta rule."""
        nets, outs = self.forward(params, sample[0])
        grads = [CTX.zero] * len(params)
        delta = self._output_deltas(nets[-1], outs[-1], sample[1])
        weights = params
        last = len(self.links) - 1
        for layer in range(last, -1, -1):
            self._accumulate(grads, layer, delta, self._sources(layer, nets, outs))
            if layer == last:
                weights = self._weights_behind_output(params, grads)
            if layer:
                delta = self._hidden_deltas(weights, layer, delta, nets[layer], outs[layer])
        return grads

    # The steps below are the ones a hand derivation can get wrong: derive.check.mistakes overrides them.

    def _sources(self, layer: int, nets: list[list[Real]], outs: list[list[Real]]) -> list[Real]:
        """d net / d w of `layer`'s weights: the outputs of the layer before."""
        return outs[layer]

    def _weights_behind_output(self, params: Sequence[Real], grads: list[Real]) -> Sequence[Real]:
        """The weights the hidden deltas are taken with: those before the update."""
        return params

    def _loss_grads(self, targets: list[Real], outs: list[Real]) -> list[Real]:
        n = len(outs)
        return [self.network.loss.numeric_grad(t, y, n) for t, y in zip(targets, outs)]

    def _slope(self, layer: int, net: Real, out: Real) -> Real:
        """dout/dnet of an elementwise activation of `layer` (0-based among the non-input layers)."""
        return self.activations[layer].numeric_slope(net, out)

    def _output_deltas(self, nets: list[Real], outs: list[Real], targets: list[Real]) -> list[Real]:
        n = len(outs)
        if self.network.loss.name == "binary_cross_entropy":
            # (-t/o + (1-t)/(1-o)) o (1-o) = o - t, which stays defined when o rounds to exactly 1
            return [y - t for t, y in zip(targets, outs)]
        grad_out = self._loss_grads(targets, outs)
        if self.activations[-1].numeric_local is None:
            return [CTX.fsum(grad_out[k] * numeric_softmax_jacobian(outs[k], outs[j], k == j) for k in range(n))
                    for j in range(n)]
        last = len(self.activations) - 1
        return [g * self._slope(last, net, y) for g, net, y in zip(grad_out, nets, outs)]

    def _accumulate(self, grads: list[Real], layer: int, delta: list[Real], sources: list[Real]) -> None:
        for d, idx, bias in zip(delta, self.links[layer], self.biases[layer]):
            for i, src in zip(idx, sources):
                grads[i] += d * src
            if bias is not None:
                grads[bias[0]] += d * bias[1]

    def _hidden_deltas(self, params: Sequence[Real], layer: int, delta: list[Real],
                       nets: list[Real], outs: list[Real]) -> list[Real]:
        """delta of layer-1's neurons from the deltas of `layer` and the weights between them."""
        back = [CTX.zero] * len(outs)
        for d, idx in zip(delta, self.links[layer]):
            for h, i in enumerate(idx):
                back[h] += d * params[i]
        return [b * self._slope(layer - 1, net, y) for b, net, y in zip(back, nets, outs)]

    def batch_gradient(self, params: Sequence[Real], samples: Sequence[tuple[list[Real], list[Real]]]) -> list[Real]:
        """The summed (or averaged) gradient over `samples`."""
        total = [CTX.zero] * len(params)
        for sample in samples:
            total = [a + b for a, b in zip(total, self.gradients(params, sample))]
        if self.network.spec.training.reduction == "mean":
            total = [g / len(samples) for g in total]
        return total

    def step_samples(self, step: int) -> list[tuple[list[Real], list[Real]]]:
        """The samples update number `step` (1-based) learns from."""
        if self.network.spec.training.update == "batch":
            return self.samples
        return [self.samples[(step - 1) % len(self.samples)]]

    def update(self, params: Sequence[Real], gradient: Sequence[Real]) -> list[Real]:
        """p <- p - eta dE/dp for trainable parameters; frozen ones stay as they are."""
        return [p - self.eta * g if trainable else p for p, g, trainable in zip(params, gradient, self.trainable)]

    def train(self, params: list[Real], steps: Sequence[int], start: int = 0) -> list[tuple[int, list[Real]]]:
        """The parameters after each count of updates in `steps` (increasing), from `params` taken as
        the parameters after `start` updates."""
        snapshots = []
        done = start
        state = self.states[start] if not self.plain else None
        for target in steps:
            while done < target:
                done += 1
                gradient = self.batch_gradient(params, self.step_samples(done))
                if state is None:
                    params = self.update(params, gradient)
                else:
                    params, state = self.stepper.step(params, gradient, state)
            if state is not None:
                self.states[done] = state
            snapshots.append((done, params))
        return snapshots

    def trace(self, count: int) -> list[list[Move]]:
        """Updates 1 to `count` of every parameter by the spec's optimizer, move by move."""
        params, state = self.initial(), self.stepper.start()
        found = []
        for number in range(1, count + 1):
            moves, state = self.stepper.moves(params, self.batch_gradient(params, self.step_samples(number)), state)
            params = [m.new for m in moves]
            found.append(moves)
        return found


# The trainer of networks wired entry by entry (derive.maths.wired, built on this module: derive.maths
# puts a hook here that imports it with the first such network).
wired_trainer: Callable[[Network], Trainer] | None = None


def trainer_for(network: Network) -> Trainer:
    """The trainer of `network`: a wired network's (convolution, pooling, recurrent layers) or this one."""
    if network.graph is not None and wired_trainer is not None:
        return wired_trainer(network)
    return Trainer(network)


# The most work the iterations may take at the working precision: updates times parameters times the
# samples each update learns from (mazur's 10,000 updates are 100,000). Checked before any training; a
# training repeated at k times the digits counts k times, and is not repeated beyond LADDER_WORK.
MAX_ITERATION_WORK = 200_000
LADDER_WORK = 4 * MAX_ITERATION_WORK


def iteration_work(network: Network, steps: Iterable[int]) -> int:
    """The work of training to the last of `steps` at the working precision (see MAX_ITERATION_WORK)."""
    per_update = len(network.spec.samples) if network.spec.training.update == "batch" else 1
    # a wired network's work is its connections (a kernel's few entries are used at every position)
    size = len(network.params) if network.graph is None else network.graph.work
    return max(steps, default=0) * size * per_update


# Digits above the last one held that a result must keep to be more than rounding noise, and the
# working precisions tried, in turn, until every reported error is resolved.
GUARD_DIGITS = 20
DIGIT_LADDER = (WORKING_DIGITS, 2 * WORKING_DIGITS, 4 * WORKING_DIGITS, 8 * WORKING_DIGITS)


def resolution() -> Real:
    """The smallest relative difference the current working precision resolves with GUARD_DIGITS to spare."""
    return CTX.mpf(10) ** -(CTX.dps - GUARD_DIGITS)


def _resolved(loss: str, t: Real, y: Real, unit: Real) -> bool:
    """Whether one output's term of the error is more than noise (see Trainer.resolved)."""
    if loss in ("half_sse", "mse"):
        # an output of exactly 0 (a clamped relu) on a target of 0 is an exact 0
        return (t == 0 and y == 0) or abs(t - y) > unit * max(abs(t), abs(y))
    near_one = t > 0 and 1 - y <= unit  # log(y) of y within the noise of 1
    near_zero = loss == "binary_cross_entropy" and t < 1 and y <= unit  # log(1 - y) likewise
    return not (near_one or near_zero)


def term_bound(network: Network, t: Real, y: Real, digits: int) -> Real | None:
    """None when one output's term of the error, computed at `digits` working digits, is more than
    noise (see Trainer.resolved); else an upper bound of it, a power of ten."""
    loss = network.loss.name
    unit = CTX.mpf(10) ** -(digits - GUARD_DIGITS)
    if (loss == "cross_entropy" and len(network.outputs) == 1) or _resolved(loss, t, y, unit):
        return None
    power = 2 if loss in ("half_sse", "mse") else 1
    bound = max(abs(t - y), unit * max(abs(t), abs(y), 1)) ** power
    return CTX.mpf(10) ** int(CTX.ceil(CTX.log10(bound)))


@dataclass(frozen=True)
class Report:
    """The dataset error after `step` updates, at the working precision that resolved it (`digits`); when
    even the last one did not, `error` is an upper bound and `resolved` is False."""

    step: int
    error: Real
    params: list[Real]
    resolved: bool
    digits: int


def precise_errors(network: Network, steps: Sequence[int]) -> list[Report]:
    """The dataset error after each count of updates in `steps` (increasing), trained at the working
    precision and again at the next precisions of DIGIT_LADDER while some error is within the noise."""
    needed: dict[int, int] = {}  # step -> the first precision that resolved its error
    work = iteration_work(network, steps)
    for digits in DIGIT_LADDER:
        if digits > WORKING_DIGITS and work * digits // WORKING_DIGITS > LADDER_WORK:
            break  # what is still unresolved stays a bound
        with CTX.workdps(digits):
            trainer = trainer_for(network)
            found = [_report(trainer, step, params, needed.setdefault(step, digits) if trainer.resolved(params)
                             else digits) for step, params in trainer.train(trainer.initial(), steps)]
        if all(r.resolved for r in found):
            break
    return found


def _report(trainer: Trainer, step: int, params: list[Real], digits: int) -> Report:
    """The error after `step` updates, or its bound; `digits`: the precision that resolved it."""
    if trainer.resolved(params):
        return Report(step, trainer.dataset_error(params), params, True, digits)
    return Report(step, trainer.error_bound(params), params, False, digits)


def sample_values(sample: SampleSpec) -> tuple[list[Real], list[Real]]:
    return [real(v) for v in sample.inputs], [real(v) for v in sample.targets]


# A neuron whose |net| reaches this saturates (sigmoid and tanh are flat there: the gradients vanish).
SATURATION = 4
# A relu's net must be at least this far from 0, where its derivative jumps.
RELU_MARGIN = 0.05
_SQUASHING = ("sigmoid", "tanh")


def unfit(trainer: Trainer, params: Sequence[Real], samples: Sequence[tuple[list[Real], list[Real]]]) -> str | None:
    """Why numbers are unfit for an exercise (a sigmoid or tanh saturating, a relu at its kink) in any
    sample's forward pass at `params`, else None."""
    for inputs, _ in samples:
        nets, _ = trainer.forward(params, inputs)
        for layer, layer_nets in zip(trainer.network.layers, nets[1:]):
            for neuron, net in zip(layer, layer_nets):
                if neuron.activation.name in _SQUASHING and abs(net) >= SATURATION:
                    return f"{neuron.name} saturates (|net| >= {SATURATION})"
                if neuron.activation.name == "relu" and abs(net) < RELU_MARGIN:
                    return f"the relu of {neuron.name} is at its kink (|net| < {RELU_MARGIN})"
    return None
