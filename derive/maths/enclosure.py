"""Training in float64 with a proven error radius: the fast route to the iterations table.

Every quantity is a ball: a float x and a radius r such that the value the layered algorithm gives in
exact arithmetic lies in [x - r, x + r] (midpoint-radius interval arithmetic). Each operation carries
its operands' radii (to first order, plus the second-order remainder) and adds the rounding of its own
result: half an ulp (u = 2^-53 relative) per basic operation, a dot product's gamma_n bound, and one ulp
for exp, log and tanh (the accuracy glibc documents). The radii are inflated once at the end to cover
their own rounding. Where a radius proves the digits a render shows, those digits are the exact route's
(`derive.maths.numeric.precise_errors`, 50 digits); where it does not, or for what this route does not
cover (softmax, optimizers other than plain descent, relu at a kink), the caller falls back to it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from derive.maths.numeric import GUARD_DIGITS, Report
from derive.model.network import Network
from derive.model.precision import CTX, WORKING_DIGITS, show

U = 2.0 ** -53  # unit roundoff of float64, round to nearest
# Relative slack on every radius at the end: the radii are themselves computed in float64, each step's
# few dozen roundings of at most u compound to far less than this over MAX_ITERATION_WORK updates.
RADIUS_SLACK = 1 + 1e-6
# A radius must be this small relative to its value: the loss curve is drawn from the float value, so
# a point moves by at most 1e-7 of a pixel (coordinates are written to 0.01).
FIGURE_GUARD = 1e-9
# The relative distance to a target below which the exact route calls an error unresolved (see
# derive.maths.numeric.resolution) at the working precision.
UNIT = 10.0 ** -(WORKING_DIGITS - GUARD_DIGITS)

Ball = tuple[float, float]
Balls = tuple[list[float], list[float]]


class Unproven(ArithmeticError):
    """The radius cannot decide something the algorithm branches on (relu at 0, a log near 0)."""


def gamma(n: int) -> float:
    """Higham's gamma_n: the relative error bound of n successive roundings."""
    return n * U / (1 - n * U) * 1.01


def mul(a: float, ra: float, b: float, rb: float) -> Ball:
    c = a * b
    return c, abs(a) * rb + abs(b) * ra + ra * rb + U * abs(c)


def sub(a: float, ra: float, b: float, rb: float) -> Ball:
    c = a - b
    return c, ra + rb + U * abs(c)


def _sigmoid(x: float, r: float) -> Ball:
    if x >= 0:
        y = 1 / (1 + math.exp(-x))
    else:
        e = math.exp(x)
        y = e / (1 + e)
    # |sigma''| <= 0.0963: the second-order remainder is at most 0.05 r^2; 6u covers exp's ulp and 3 roundings
    return y, (y * (1 - y) + 1e-15) * r + 0.05 * r * r + 6 * U * y


def _tanh(x: float, r: float) -> Ball:
    y = math.tanh(x)
    return y, (1 - y * y + 1e-15) * r + 0.4 * r * r + 4 * U * abs(y)  # |tanh''| <= 0.77


def _relu(x: float, r: float) -> Ball:
    if abs(x) <= r:
        raise Unproven("a relu's input is within its radius of 0")
    return (x, r) if x > 0 else (0.0, 0.0)


def _identity(x: float, r: float) -> Ball:
    return x, r


def _sigmoid_slope(x: float, y: float, ry: float) -> Ball:
    one_minus = sub(1.0, 0.0, y, ry)
    return mul(y, ry, *one_minus)


def _tanh_slope(x: float, y: float, ry: float) -> Ball:
    return sub(1.0, 0.0, *mul(y, ry, y, ry))


def _step_slope(x: float, y: float, ry: float) -> Ball:
    return (1.0 if x > 0 else 0.0), 0.0  # relu: its input was proven away from 0 on the way forward


def _unit_slope(x: float, y: float, ry: float) -> Ball:
    return 1.0, 0.0


@dataclass(frozen=True)
class Rule:
    """One elementwise activation on balls: out from net, and dout/dnet from (net, out)."""

    forward: Callable[[float, float], Ball]
    slope: Callable[[float, float, float], Ball]


RULES = {"sigmoid": Rule(_sigmoid, _sigmoid_slope), "tanh": Rule(_tanh, _tanh_slope),
         "relu": Rule(_relu, _step_slope), "identity": Rule(_identity, _unit_slope)}
LOSSES = ("half_sse", "mse", "binary_cross_entropy")


def covers(network: Network) -> bool:
    """Whether this route trains `network`: elementwise activations, a loss without softmax, plain descent."""
    return (network.spec.training.optimizer.plain and network.loss.name in LOSSES
            and all(layer[0].activation.name in RULES for layer in network.layers))


def _ball(value: object) -> Ball:
    """A spec's exact decimal as the nearest float, with the half ulp of that rounding as radius."""
    x = float(str(value))
    return x, U * abs(x)


class BallTrainer:
    """The layered forward and backward pass of `derive.maths.numeric.Trainer`, on balls."""

    def __init__(self, network: Network) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], float(n.bias_sign)) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.rules = [RULES[layer[0].activation.name] for layer in network.layers]
        self.trainable = [p.trainable for p in network.params]
        self.eta = _ball(network.spec.training.learning_rate)
        self.samples = [self._sample(s.inputs, s.targets) for s in network.spec.samples]
        self.loss = network.loss.name
        self.mean = network.spec.training.reduction == "mean"
        self.batch = network.spec.training.update == "batch"

    @staticmethod
    def _sample(inputs: Sequence[object], targets: Sequence[object]) -> tuple[Balls, Balls]:
        xs, ts = [_ball(v) for v in inputs], [_ball(v) for v in targets]
        return ([x for x, _ in xs], [r for _, r in xs]), ([t for t, _ in ts], [r for _, r in ts])

    def initial(self) -> Balls:
        balls = [_ball(p.initial) for p in self.network.params]
        return [x for x, _ in balls], [r for _, r in balls]

    def forward(self, params: Balls, inputs: Balls) -> tuple[list[Balls], list[Balls]]:
        """nets and outs per layer, as balls; outs[0] are the inputs."""
        outs, nets = [inputs], [inputs]
        for links, biases, rule in zip(self.links, self.biases, self.rules):
            layer_nets = self._nets(params, outs[-1], links, biases)
            pairs = [rule.forward(x, r) for x, r in zip(*layer_nets)]
            nets.append(layer_nets)
            outs.append(([y for y, _ in pairs], [r for _, r in pairs]))
        return nets, outs

    @staticmethod
    def _nets(params: Balls, prev: Balls, links: list[list[int]], biases: list[tuple[int, float] | None]) -> Balls:
        p, rp = params
        xs, rx = prev
        values, radii = [], []
        for idx, bias in zip(links, biases):
            s = r = size = 0.0
            for i, x, ri in zip(idx, xs, rx):
                w = p[i]
                s += w * x
                size += abs(w * x)
                r += abs(w) * ri + rp[i] * (abs(x) + ri)
            if bias is not None:
                s += bias[1] * p[bias[0]]
                size += abs(p[bias[0]])
                r += rp[bias[0]]
            values.append(s)
            radii.append(r + gamma(len(idx) + 2) * size)
        return values, radii

    def gradients(self, params: Balls, sample: tuple[Balls, Balls]) -> Balls:
        """dE_total/dp of one sample, by the delta rule, as balls."""
        nets, outs = self.forward(params, sample[0])
        grads: Balls = ([0.0] * len(params[0]), [0.0] * len(params[0]))
        delta = self._output_deltas(nets[-1], outs[-1], sample[1])
        for layer in range(len(self.links) - 1, -1, -1):
            self._accumulate(grads, layer, delta, outs[layer])
            if layer:
                delta = self._hidden_deltas(params, layer, delta, nets[layer], outs[layer])
        return grads

    def _output_deltas(self, nets: Balls, outs: Balls, targets: Balls) -> list[Ball]:
        n = len(outs[0])
        errors = [sub(y, ry, t, rt) for y, ry, t, rt in zip(*outs, *targets)]
        if self.loss == "binary_cross_entropy":
            return errors  # (-t/o + (1-t)/(1-o)) o (1-o) = o - t, as the exact route takes it
        if self.loss == "mse":
            errors = [(2 * e / n, 2 * r / n + U * abs(2 * e / n)) for e, r in errors]
        slope = self.rules[-1].slope
        return [mul(e, re, *slope(x, y, ry)) for (e, re), x, y, ry in zip(errors, nets[0], *outs)]

    def _accumulate(self, grads: Balls, layer: int, delta: list[Ball], sources: Balls) -> None:
        g, rg = grads
        for (d, rd), idx, bias in zip(delta, self.links[layer], self.biases[layer]):
            for i, x, rx in zip(idx, *sources):
                term, rterm = mul(d, rd, x, rx)
                g[i] += term
                rg[i] += rterm + U * abs(g[i])
            if bias is not None:
                g[bias[0]] += d * bias[1]
                rg[bias[0]] += rd + U * abs(g[bias[0]])

    def _hidden_deltas(self, params: Balls, layer: int, delta: list[Ball], nets: Balls, outs: Balls) -> list[Ball]:
        """delta of layer-1's neurons from the deltas of `layer` and the weights between them."""
        p, rp = params
        width = len(outs[0])
        back, rback, size = [0.0] * width, [0.0] * width, [0.0] * width
        for (d, rd), idx in zip(delta, self.links[layer]):
            for h, i in enumerate(idx):
                back[h] += d * p[i]
                size[h] += abs(d * p[i])
                rback[h] += abs(d) * rp[i] + rd * (abs(p[i]) + rp[i])
        slope = self.rules[layer - 1].slope
        found = []
        for b, rb, s, x, y, ry in zip(back, rback, size, nets[0], *outs):
            found.append(mul(b, rb + gamma(len(delta) + 1) * s, *slope(x, y, ry)))
        return found

    def batch_gradient(self, params: Balls, samples: Sequence[tuple[Balls, Balls]]) -> Balls:
        """The summed (or averaged) gradient over `samples`, as balls."""
        total, rtotal = [0.0] * len(params[0]), [0.0] * len(params[0])
        for sample in samples:
            g, rg = self.gradients(params, sample)
            total = [a + b for a, b in zip(total, g)]
            rtotal = [ra + rb + U * abs(a) for ra, rb, a in zip(rtotal, rg, total)]
        if self.mean:
            n = len(samples)
            return [a / n for a in total], [r / n + U * abs(a / n) for r, a in zip(rtotal, total)]
        return total, rtotal

    def update(self, params: Balls, gradient: Balls) -> Balls:
        """p <- p - eta dE/dp for trainable parameters, as balls."""
        eta, reta = self.eta
        values, radii = [], []
        for p, rp, g, rg, trainable in zip(*params, *gradient, self.trainable):
            if trainable:
                step, rstep = mul(eta, reta, g, rg)
                p, rp = sub(p, rp, step, rstep)
            values.append(p)
            radii.append(rp)
        return values, radii

    def step_samples(self, step: int) -> list[tuple[Balls, Balls]]:
        return self.samples if self.batch else [self.samples[(step - 1) % len(self.samples)]]

    def train(self, steps: Sequence[int]) -> Iterator[tuple[int, Balls]]:
        """The parameters after each count of updates in `steps` (increasing), from the initial ones,
        one count at a time (a caller may stop as soon as a radius is too wide)."""
        params, done = self.initial(), 0
        for target in steps:
            while done < target:
                done += 1
                params = self.update(params, self.batch_gradient(params, self.step_samples(done)))
            yield done, params

    def dataset_error(self, params: Balls) -> Ball:
        """E_total over every sample (summed or averaged), as a ball; Unproven where it is within the
        noise the exact route would see (see derive.maths.numeric.Trainer.resolved)."""
        total = rtotal = 0.0
        for inputs, targets in self.samples:
            outs = self.forward(params, inputs)[1][-1]
            for y, ry, t, rt in zip(*outs, *targets):
                e, re = self._loss_term(t, rt, y, ry, len(outs[0]))
                total += e
                rtotal += re + U * abs(total)
        if self.mean:
            n = len(self.samples)
            return total / n, rtotal / n + U * abs(total / n)
        return total, rtotal

    def _loss_term(self, t: float, rt: float, y: float, ry: float, n: int) -> Ball:
        if self.loss == "binary_cross_entropy":
            return _log_loss(t, rt, y, ry)
        d, rd = sub(t, rt, y, ry)
        if not (t == 0 and y == 0 and rd == 0) and abs(d) - rd <= UNIT * (max(abs(t), abs(y)) + rd) * 2:
            raise Unproven("an output is within the working precision's noise of its target")
        e, re = mul(d, rd, d, rd)
        return (e / 2, re / 2) if self.loss == "half_sse" else (e / n, re / n + U * abs(e / n))


def _log(x: float, r: float) -> Ball:
    """log of a ball that stays away from 0: the derivative 1/x at the ball's lower end, one ulp of log."""
    if x - r <= x / 2:
        raise Unproven("a logarithm's argument is within its radius of 0")
    y = math.log(x)
    return y, r / (x - r) + 2 * U * abs(y) + 1e-300


def _log_loss(t: float, rt: float, y: float, ry: float) -> Ball:
    """-(t log y + (1-t) log(1-y)) of one output, away from the noise near y = 0 or 1."""
    one_minus_y, one_minus_t = sub(1.0, 0.0, y, ry), sub(1.0, 0.0, t, rt)
    if (t > 0 and one_minus_y[0] - one_minus_y[1] <= 2 * UNIT) or (t < 1 and y - ry <= 2 * UNIT):
        raise Unproven("an output is within the working precision's noise of 0 or 1")
    a = mul(t, rt, *_log(y, ry))
    b = mul(*one_minus_t, *_log(*one_minus_y))
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
    this route does not cover the network (the caller then takes the exact route)."""
    if not covers(network):
        return None
    trainer = BallTrainer(network)
    reports = []
    try:
        for step, params in trainer.train(steps):
            error, radius = trainer.dataset_error(params)
            if not proves(error, radius * RADIUS_SLACK, digits):
                return None
            reports.append(Report(step, CTX.mpf(error), [CTX.mpf(p) for p in params[0]], True, WORKING_DIGITS))
    except (Unproven, OverflowError, ZeroDivisionError):
        return None
    return reports
