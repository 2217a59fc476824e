"""Training in float64 with a proven error radius: the fast route to the iterations table.

Every quantity is a ball: a float x and a radius r such that the value the layered algorithm gives in
exact arithmetic lies in [x - r, x + r] (midpoint-radius interval arithmetic). Each operation carries
its operands' radii (to first order, plus the second-order remainder) and adds the rounding of its own
result: half an ulp (u = 2^-53 relative) per basic operation, a dot product's gamma_n bound, one ulp
for exp and log and two for tanh (within what glibc documents). The radii are inflated once at the end
to cover their own rounding, and by an absolute 1e-290 for underflow (a result below 1e-308 loses
relative accuracy, by at most 5e-324 each). Where a radius proves the digits a render shows, those digits
are the exact route's (`derive.maths.numeric.precise_errors`, 50 digits); where it does not, or for what this
route does not cover (softmax, optimizers other than plain descent, relu at a kink), the caller falls back to it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import derive.maths.ballcode as ballcode
from derive.maths.ballcode import U, Unproven, covers
from derive.maths.numeric import GUARD_DIGITS, Report
from derive.model.network import Network
from derive.model.precision import CTX, WORKING_DIGITS, show

# Relative slack on every radius at the end: the radii are themselves computed in float64, each step's
# few dozen roundings of at most u compound to far less than this over MAX_ITERATION_WORK updates.
RADIUS_SLACK = 1 + 1e-6
UNDERFLOW = 1e-290
# A radius must be this small relative to its value: the loss curve is drawn from the float value, so
# a point moves by at most 1e-7 of a pixel (coordinates are written to 0.01).
FIGURE_GUARD = 1e-9
# The relative distance to a target below which the exact route calls an error unresolved (see
# derive.maths.numeric.resolution) at the working precision.
UNIT = 10.0 ** -(WORKING_DIGITS - GUARD_DIGITS)
# The straight-line code grows with the parameters, and compiling it faster still (about 0.2 s at 200
# parameters, 3 s at 800): past this many, the 50-digit route is the faster one.
MAX_PARAMS = 250

Balls = tuple[list[float], list[float]]


def _ball(value: object) -> tuple[float, float]:
    """A spec's exact decimal as the nearest float, with the half ulp of that rounding as radius."""
    x = float(str(value))
    return x, U * abs(x)


def _balls(values: Sequence[object]) -> Balls:
    pairs = [_ball(v) for v in values]
    return [x for x, _ in pairs], [r for _, r in pairs]


class BallTrainer:
    """The iterations of `derive.maths.numeric.Trainer` on balls, by the straight-line code of
    `derive.maths.ballcode`: the samples each update learns from, their summed (or averaged) gradient,
    the update, and the dataset error after it."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.eta = _balls([network.spec.training.learning_rate])
        self.samples = [(_balls(s.inputs), _balls(s.targets)) for s in network.spec.samples]
        self.loss = network.loss.name
        self.mean = network.spec.training.reduction == "mean"
        self.batch = network.spec.training.update == "batch"
        # one sample (and no mean to take): every update is the same straight-line code, run in a loop
        self.single = len(self.samples) == 1 and not (self.batch and self.mean)
        self.code = ballcode.compiled(network, self.single)

    def initial(self) -> Balls:
        return _balls([p.initial for p in self.network.params])

    def batch_gradient(self, params: Balls, samples: Sequence[tuple[Balls, Balls]]) -> Balls:
        """The summed (or averaged) gradient over `samples`, as balls."""
        gradient = self.code.gradient
        assert gradient is not None  # compiled for several samples
        total, rtotal = gradient(*params, *samples[0][0], *samples[0][1])
        for inputs, targets in samples[1:]:
            g, rg = gradient(*params, *inputs, *targets)
            total = [a + b for a, b in zip(total, g)]
            rtotal = [ra + rb + U * abs(a) for ra, rb, a in zip(rtotal, rg, total)]
        if self.mean:
            n = len(samples)
            return [a / n for a in total], [r / n + U * abs(a / n) for r, a in zip(rtotal, total)]
        return total, rtotal

    def train(self, steps: Sequence[int]) -> Iterator[tuple[int, Balls]]:
        """The parameters after each count of updates in `steps` (increasing), from the initial ones,
        one count at a time (a caller may stop as soon as a radius is too wide)."""
        params, done = self.initial(), 0
        for target in steps:
            if self.code.run is not None:
                inputs, targets = self.samples[0]
                params = self.code.run(*params, *inputs, *targets, *self.eta, target - done)
                done = target
            while done < target:
                done += 1
                gradient = self.batch_gradient(params, self.step_samples(done))
                params = self.code.update(*params, *gradient, *self.eta)  # type: ignore[misc]
            yield done, params

    def step_samples(self, step: int) -> list[tuple[Balls, Balls]]:
        return self.samples if self.batch else [self.samples[(step - 1) % len(self.samples)]]

    def dataset_error(self, params: Balls) -> tuple[float, float]:
        """E_total over every sample (summed or averaged), as a ball; Unproven where it is within the
        noise the exact route would see (see derive.maths.numeric.Trainer.resolved)."""
        total = rtotal = 0.0
        for inputs, targets in self.samples:
            outs = self.code.outputs(*params, *inputs)
            for y, ry, t, rt in zip(*outs, *targets):
                e, re = self._loss_term(t, rt, y, ry, len(outs[0]))
                total += e
                rtotal += re + U * abs(total)
        if self.mean:
            n = len(self.samples)
            return total / n, rtotal / n + U * abs(total / n)
        return total, rtotal

    def _loss_term(self, t: float, rt: float, y: float, ry: float, n: int) -> tuple[float, float]:
        if self.loss == "binary_cross_entropy":
            return _log_loss(t, rt, y, ry)
        d, rd = _sub(t, rt, y, ry)
        if not (t == 0 and y == 0 and rd == 0) and abs(d) - rd <= UNIT * (max(abs(t), abs(y)) + rd) * 2:
            raise Unproven("an output is within the working precision's noise of its target")
        e, re = _mul(d, rd, d, rd)
        return (e / 2, re / 2) if self.loss == "half_sse" else (e / n, re / n + U * abs(e / n))


def _mul(a: float, ra: float, b: float, rb: float) -> tuple[float, float]:
    c = a * b
    return c, abs(a) * rb + abs(b) * ra + ra * rb + U * abs(c)


def _sub(a: float, ra: float, b: float, rb: float) -> tuple[float, float]:
    c = a - b
    return c, ra + rb + U * abs(c)


def _log(x: float, r: float) -> tuple[float, float]:
    """log of a ball that stays away from 0: the derivative 1/x at the ball's lower end, one ulp of log."""
    if x - r <= x / 2:
        raise Unproven("a logarithm's argument is within its radius of 0")
    y = math.log(x)
    return y, r / (x - r) + 2 * U * abs(y) + 1e-300


def _log_loss(t: float, rt: float, y: float, ry: float) -> tuple[float, float]:
    """-(t log y + (1-t) log(1-y)) of one output, away from the noise near y = 0 or 1."""
    one_minus_y, one_minus_t = _sub(1.0, 0.0, y, ry), _sub(1.0, 0.0, t, rt)
    if (t > 0 and one_minus_y[0] - one_minus_y[1] <= 2 * UNIT) or (t < 1 and y - ry <= 2 * UNIT):
        raise Unproven("an output is within the working precision's noise of 0 or 1")
    a = _mul(t, rt, *_log(y, ry))
    b = _mul(*one_minus_t, *_log(*one_minus_y))
    return -(a[0] + b[0]), a[1] + b[1] + U * abs(a[0] + b[0])


def proves(value: float, radius: float, digits: int) -> bool:
    """Whether every number within `radius` of `value` shows as the same `digits` digits (rounding is
    monotonic, so the two ends decide), and the radius is small enough for the figures."""
    if not (math.isfinite(value) and math.isfinite(radius)) or radius > FIGURE_GUARD * abs(value):
        return False
    low, high = CTX.mpf(value) - CTX.mpf(radius), CTX.mpf(value) + CTX.mpf(radius)
    return show(low, digits) == show(high, digits)


def fast_errors(network: Network, steps: Sequence[int], digits: int) -> list[Report] | None:
    """The dataset error after each count of updates in `steps` (increasing), trained in float64, when
    the radii prove every one of them to `digits` significant digits; None when they do not, or when
    this route does not cover the network (the caller then takes the exact route).

    Nor when no two of the errors are proven different: the loss curve of an error that training
    leaves the same (a network whose relus are all off) is drawn on a linear axis spanning the
    errors' differences, which only the exact route has (float64 would draw its rounding)."""
    if not covers(network) or len(network.params) > MAX_PARAMS:
        return None
    trainer = BallTrainer(network)
    reports, lows, highs = [], [], []
    try:
        for step, params in trainer.train(steps):
            error, radius = trainer.dataset_error(params)
            radius = radius * RADIUS_SLACK + UNDERFLOW
            if not proves(error, radius, digits):
                return None
            lows.append(error - 2 * radius)  # twice: the radius of the subtraction itself
            highs.append(error + 2 * radius)
            reports.append(Report(step, CTX.mpf(error), [CTX.mpf(p) for p in params[0]], True, WORKING_DIGITS))
    except (Unproven, OverflowError, ZeroDivisionError):
        return None
    return reports if lows and max(lows) > min(highs) else None
