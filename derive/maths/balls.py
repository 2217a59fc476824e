"""Training on arb balls: the iterations of the 50-digit route with a proven radius, several times faster.

Arb (python-flint's bindings to FLINT's ball arithmetic, a C library made for rigorous numerics) keeps
every number as a ball, a midpoint and a radius, and rounds every operation outward, exp, log, tanh and
sqrt included: the value exact arithmetic gives from the spec's decimals lies inside the ball. No rule
here states a radius. The balls widen only as the updates amplify them: interval arithmetic does not
see the cancellations that keep p - eta dE/dp stable, so a radius can grow by 10^36 over the thousand
updates of `xor3` (the reason the float64 route of `derive.maths.enclosure` gives up there). A precision
of a few hundred bits absorbs that; where it does not, the training is repeated once at the precision
the loss seen so far asks for. Where the balls prove the digits shown (the conditions of
`derive.maths.enclosure.proves`), those digits are the 50-digit route's; else the caller takes it.

The pass is the layered algorithm of `derive.maths.numeric.Trainer` (the same formulas, every activation,
loss and optimizer), over lists of balls; an optimizer's rule is `derive.maths.optimizers`' own, given
the balls' arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

from flint import arb, ctx

from derive.maths import ballsource
from derive.maths.enclosure import FIGURE_GUARD, UNIT
from derive.maths.numeric import Report
from derive.maths.optimizers import Arithmetic, State, Stepper
from derive.model.network import Network
from derive.model.precision import CTX, WORKING_DIGITS, Real, show

# Bits of the first try: xor3 loses about 180 of them over its 1,000 updates, gender about 45.
PRECISION = 320
# Beyond this the arithmetic costs more than the 50-digit route's own.
MAX_PRECISION = 3000
# Bits of relative accuracy a repeat keeps beyond those the digits shown ask for.
SPARE_BITS = 64

Ball = arb
Balls = list[arb]
Sample = tuple[Balls, Balls]


class Unproven(ArithmeticError):
    """The balls cannot decide something the algorithm branches on (a relu at 0), or what the 50-digit
    route would decide about the noise of its own precision (an output within it of its target)."""


def number(value: object) -> Ball:
    """A spec's exact decimal as a ball that holds it."""
    return arb(str(value))


def _literal(x: Ball) -> str | None:
    """The literal the update's code may write for `x` (see derive.maths.ballsource): 0 or 1 where the
    ball is exactly that number, else None (the code takes the ball)."""
    if x.is_zero():
        return ballsource.ZERO
    return ballsource.ONE if x.is_exact() and x == 1 else None


class _Shortfalls:
    """1 - beta^t, once per update and beta rather than once per parameter."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, int], Ball] = {}

    def __call__(self, beta: Ball, t: int) -> Ball:
        key = (id(beta), t)  # the Settings hold each beta for the whole training
        if key not in self.found:
            self.found[key] = 1 - beta ** t
        return self.found[key]


def arithmetic() -> Arithmetic:
    return Arithmetic(number, arb.sqrt, _Shortfalls(), arb(0))


def _sigmoid(x: Ball) -> Ball:
    return 1 / (1 + (-x).exp())


def _relu(x: Ball) -> Ball:
    if x > 0:
        return x
    if x < 0 or x.is_zero():
        return ZERO
    raise Unproven("a relu input within its radius of 0")


def _relu_slope(net: Ball) -> Ball:
    return ONE if net > 0 else ZERO  # the forward pass proved net away from 0, or exactly 0


def _softmax(nets: Balls) -> Balls:
    # any shift gives the same exact value; the largest midpoint keeps the exponentials in range
    top = max(nets, key=lambda n: n.mid()).mid()
    exps = [(n - top).exp() for n in nets]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


def _softmax_deltas(grads: Balls, outs: Balls) -> Balls:
    """delta_j = sum_k dE/dout_k dout_k/dnet_j = sum_k g_k out_k ([k = j] - out_j)."""
    return [sum((g * y * ((1 if k == j else 0) - outs[j]) for k, (g, y) in enumerate(zip(grads, outs))), ZERO)
            for j in range(len(outs))]


ZERO, ONE = arb(0), arb(1)
# what the update's straight-line code calls (see derive.maths.ballsource)
HELPERS = {"relu": _relu, "relu_slope": _relu_slope, "softmax": _softmax, "softmax_deltas": _softmax_deltas,
           "ZERO": ZERO}
# each activation's outs from its layer's nets, for the dataset error
ACTIVATIONS: dict[str, Callable[[Balls], Balls]] = {
    "sigmoid": lambda nets: [_sigmoid(n) for n in nets],
    "tanh": lambda nets: [n.tanh() for n in nets],
    "relu": lambda nets: [_relu(n) for n in nets],
    "identity": list,
    "softmax": _softmax,
}


def _log(x: Ball) -> Ball:
    if not x > 0:
        raise Unproven("a logarithm's argument within its radius of 0")
    return x.log()


def _loss_term(loss: str, t: Ball, y: Ball, n: int) -> Ball:
    """One output's term of E_total, as `derive.model.rules` states each loss."""
    if loss == "half_sse":
        return (t - y) ** 2 / 2
    if loss == "mse":
        return (t - y) ** 2 / n
    if loss == "cross_entropy":
        return ZERO if t.is_zero() else -t * _log(y)
    first = ZERO if t.is_zero() else t * _log(y)
    second = ZERO if (1 - t).is_zero() else (1 - t) * _log(1 - y)
    return -(first + second)


def _certain_above(x: Ball, bound: Ball) -> bool:
    """x > 2 bound for every point of both balls."""
    return bool(x > 2 * bound)


def _resolved(loss: str, t: Ball, y: Ball) -> bool:
    """Whether the 50-digit route finds this output's term more than its own noise (see
    `derive.maths.numeric.Trainer.resolved`), proven with a factor 2 to spare; an output the balls
    leave near that line is Unproven."""
    if loss in ("half_sse", "mse"):
        if t.is_zero() and y.is_zero():
            return True
        return _certain_above(abs(t - y), UNIT_BALL * (abs(t) + abs(y)))  # the sum bounds the max
    near_one = not t.is_zero() and not _certain_above(1 - y, UNIT_BALL)
    near_zero = loss == "binary_cross_entropy" and not (1 - t).is_zero() and not _certain_above(y, UNIT_BALL)
    return not (near_one or near_zero)


UNIT_BALL = arb(str(UNIT))


class BallTrainer:
    """`derive.maths.numeric.Trainer`'s iterations on arb balls (at the precision of `ctx` when called)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], n.bias_sign) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.rules = [ACTIVATIONS[layer[0].activation.name] for layer in network.layers]
        self.loss = network.loss.name
        training = network.spec.training
        self.eta = number(training.learning_rate)
        self.mean = training.reduction == "mean"
        self.batch = training.update == "batch"
        self.samples = [([number(v) for v in s.inputs], [number(v) for v in s.targets]) for s in network.spec.samples]
        self.stepper = None if training.optimizer.plain else Stepper(network, arithmetic=arithmetic())
        # one function per update: of every sample for a batch, else one per sample (its literals its own)
        groups = [self.samples] if self.batch else [[s] for s in self.samples]
        self.updates = [self._compiled(group) for group in groups]

    def _compiled(self, samples: list[Sample]) -> tuple[Callable[..., Balls], list[Balls]]:
        """The update by `samples` (see derive.maths.ballsource), and the balls it is given beside P and eta."""
        operands = [([_literal(x) for x in inputs], [_literal(t) for t in targets]) for inputs, targets in samples]
        eta = None if self.stepper else _literal(self.eta) or "eta"
        text = ballsource.update_text(self.network, operands, self.mean, eta)
        return ballsource.compiled(text, HELPERS), [balls for sample in samples for balls in sample]

    def initial(self) -> Balls:
        return [number(p.initial) for p in self.network.params]

    def forward(self, params: Balls, inputs: Balls) -> tuple[list[Balls], list[Balls]]:
        """nets and outs per layer; outs[0] are the inputs."""
        outs: list[Balls] = [inputs]
        nets: list[Balls] = [[]]
        for links, biases, activation in zip(self.links, self.biases, self.rules):
            before, layer = outs[-1], []
            for idx, bias in zip(links, biases):
                total = params[idx[0]] * before[0]
                for i, x in zip(idx[1:], before[1:]):
                    total += params[i] * x
                if bias is not None:
                    total = total + params[bias[0]] if bias[1] > 0 else total - params[bias[0]]
                layer.append(total)
            nets.append(layer)
            outs.append(activation(layer))
        return nets, outs

    def train(self, steps: Sequence[int]) -> Iterator[tuple[int, Balls]]:
        """The parameters after each count of updates in `steps` (increasing), one count at a time."""
        params, done = self.initial(), 0
        state = self.stepper.start() if self.stepper else None
        eta, updates = self.eta, self.updates
        for target in steps:
            while done < target:
                update, given = updates[done % len(updates)]  # a batch, or the samples in turn
                done += 1
                if state is None:
                    params = update(params, eta, *given)
                else:
                    params, state = self._step(params, update(params, eta, *given), state)
            yield done, params

    def _step(self, params: Balls, gradient: Balls, state: State) -> tuple[Balls, State]:
        assert self.stepper is not None
        return self.stepper.step(params, gradient, state)

    def dataset_error(self, params: Balls) -> Ball:
        """E_total over every sample (summed or averaged); Unproven where the 50-digit route would find
        an output within its own noise (and so train again at more digits)."""
        total = ZERO
        single_softmax = self.loss == "cross_entropy" and len(self.network.outputs) == 1
        for inputs, targets in self.samples:
            outs = self.forward(params, inputs)[1][-1]
            for t, y in zip(targets, outs):
                if not single_softmax and not _resolved(self.loss, t, y):
                    raise Unproven("an output is within the working precision's noise of its target")
                total += _loss_term(self.loss, t, y, len(outs))
        return total / len(self.samples) if self.mean else total


def _wanted(digits: int) -> int:
    """Bits of relative accuracy that prove `digits` digits and the figures' guard, but for a rounding
    boundary closer than 2^-SPARE_BITS of the last digit."""
    return math.ceil(max(digits * math.log2(10), -math.log2(FIGURE_GUARD))) + SPARE_BITS


def _mpf(x: Ball) -> Real:
    """An exact ball end or midpoint as an mpf, every bit kept."""
    return CTX.make_mpf(x._mpf_)


def proves(error: Ball, digits: int) -> bool:
    """Whether every number in the ball shows as the same `digits` digits (rounding is monotonic, so
    the two ends decide), and the radius is small enough for the figures."""
    if not error.is_finite() or not error.rad() <= FIGURE_GUARD * abs(error.mid()):
        return False
    return show(_mpf(error.lower()), digits) == show(_mpf(error.upper()), digits)


class _Short(Exception):
    """The precision ran out at update `step`, having lost `lost` bits to the updates before it."""

    def __init__(self, step: int, lost: int) -> None:
        self.step, self.lost = step, lost


def _attempt(network: Network, steps: Sequence[int], digits: int) -> list[tuple[int, Ball, Balls]]:
    """The error ball after each of `steps` at the current precision; _Short where one proves nothing."""
    trainer = BallTrainer(network)
    found = []
    for step, params in trainer.train(steps):
        error = trainer.dataset_error(params)
        if not proves(error, digits):
            accuracy = min(max(error.rel_accuracy_bits(), 0), ctx.prec)  # a ball holding 0 has none
            raise _Short(step, ctx.prec - accuracy)
        found.append((step, error, params))
    return found


def ball_errors(network: Network, steps: Sequence[int], digits: int) -> list[Report] | None:
    """The dataset error after each count of updates in `steps` (increasing), trained on arb balls,
    when the balls prove every one of them to `digits` significant digits and some two of them
    different (see `derive.maths.enclosure.fast_errors`); None when they do not (the caller then takes
    the 50-digit route). Tried at PRECISION bits, then once more at the precision the first try's
    loss extrapolated to the last step asks for, when that stays within MAX_PRECISION. The balls train
    dense layers: a network with convolution, pooling or recurrent layers takes the 50-digit route."""
    if not steps or network.graph is not None:
        return None
    precision = PRECISION
    for _ in range(2):
        try:
            with ctx.workprec(precision):
                found = _attempt(network, steps, digits)
            break
        except _Short as short:
            # the radius grows about geometrically with the updates: the bits lost, linearly
            precision = math.ceil(short.lost * max(steps) / short.step) + _wanted(digits)
            if precision > MAX_PRECISION:
                return None
        except (Unproven, ZeroDivisionError, ValueError):
            return None
    else:
        return None
    lows, highs = [e.lower() for _, e, _ in found], [e.upper() for _, e, _ in found]
    if not max(lows, key=_mpf) > min(highs, key=_mpf):
        return None  # an error training leaves the same: only the 50-digit route draws it
    return [Report(step, CTX.mpf(_mpf(error.mid())), [CTX.mpf(_mpf(p.mid())) for p in params], True, WORKING_DIGITS)
            for step, error, params in found]
