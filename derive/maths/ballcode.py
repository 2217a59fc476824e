"""Straight-line Python for one network's layered pass on balls (midpoint and radius, see
`derive.maths.enclosure`): the forward pass, one sample's gradient and the update, each one function
without loops, lists or calls per operation, because 10,000 updates of a small network spend their
time in the interpreter's overhead, not in arithmetic.

The code is made from the network's structure only (indices become variable names: p3 and its radius
q3, the sample's x0 and rx0); no name or number a user wrote enters it. Each rule below writes the
value of an operation and, beside it, its radius: the operands' radii carried to first order, the
second-order remainder, and the rounding of the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from derive.model.network import Network

U = 2.0 ** -53  # unit roundoff of float64, round to nearest

Ball = tuple[str, str]  # the names (or literals) of a value and of its radius


class Unproven(ArithmeticError):
    """The radius cannot decide something the algorithm branches on (relu at 0, a log near 0)."""


def gamma(n: int) -> float:
    """Higham's gamma_n (with 1% to spare): the relative error bound of n successive roundings."""
    return n * U / (1 - n * U) * 1.01


class Code:
    """Lines of straight-line code, with fresh names for the balls they compute and, computed once
    where first needed, the magnitudes of their values (most of the radii's work)."""

    def __init__(self, invariant: frozenset[str] = frozenset()) -> None:
        self.lines: list[str] = []
        self.count = 0
        self.magnitudes: dict[str, str] = {}
        # names that keep their value across a loop's runs (the sample, eta, frozen parameters): their
        # magnitudes go to `prologue`, computed once before the loop
        self.invariant = invariant
        self.prologue: list[str] = []

    def fresh(self) -> Ball:
        self.count += 1
        return f"v{self.count}", f"r{self.count}"

    def ball(self, value: str, radius: str) -> Ball:
        """A new ball: `radius` may name the value as `{v}`, and u as `U` (written as a constant, which
        the interpreter loads faster than a global)."""
        v, r = self.fresh()
        self.lines.append(f"{v} = {value}")
        self.lines.append(f"{r} = {radius.format(v=v).replace('U *', f'{U!r} *')}")
        return v, r

    def mag(self, x: str) -> str:
        """|x|: a literal's, a negated name's (`(-p4)`) as the name's, else computed once, where first needed."""
        if x.startswith("(-"):
            return self.mag(x[2:-1])
        if x[0].isdigit() or x[0] == "-":
            return repr(abs(float(x)))
        if x not in self.magnitudes:
            self.magnitudes[x] = f"m{x}"
            (self.prologue if x in self.invariant else self.lines).append(f"m{x} = abs({x})")
        return self.magnitudes[x]

    def positive(self, x: str) -> None:
        """Say that the value `x` is never negative (a sigmoid's output): its magnitude is itself."""
        self.magnitudes[x] = x

    def mul(self, a: Ball, b: Ball) -> Ball:
        (x, rx), (y, ry) = a, b
        mx, my = self.mag(x), self.mag(y)
        return self.ball(f"{x} * {y}", f"{mx} * {ry} + {my} * {rx} + {rx} * {ry} + U * ({mx} * {my})")

    def sub(self, a: Ball, b: Ball, positive: bool = False) -> Ball:
        """a - b; `positive`: the difference is known never to be negative (1 - sigma)."""
        (x, rx), (y, ry) = a, b
        v, r = self.fresh()
        self.lines.append(f"{v} = {x} - {y}")
        if positive:
            self.positive(v)
        radii = " + ".join(r for r in (rx, ry) if r != "0.0") or "0.0"  # adding 0.0 changes no radius
        self.lines.append(f"{r} = {radii} + {U!r} * {self.mag(v)}")
        return v, r

    def dot(self, terms: list[tuple[Ball, Ball]], extra: list[Ball]) -> Ball:
        """sum of a*b over `terms`, plus the `extra` balls (a bias, with its sign in the name), summed
        in order: each product's and sum's rounding within gamma_(n+1) of the sum of magnitudes."""
        mags = [(self.mag(a), self.mag(b)) for (a, _), (b, _) in terms]
        value = " + ".join([f"{a} * {b}" for (a, _), (b, _) in terms] + [x for x, _ in extra])
        size = " + ".join([f"{ma} * {mb}" for ma, mb in mags] + [self.mag(x) for x, _ in extra])
        radius = " + ".join([f"{ma} * {rb} + {ra} * ({mb} + {rb})" for ((_, ra), (_, rb)), (ma, mb) in zip(terms, mags)]
                            + [r for _, r in extra])
        rounding = gamma(len(terms) + len(extra) + 1)
        return self.ball(value or "0.0", f"{radius or '0.0'} + {rounding!r} * ({size or '0.0'})")


def _sigmoid(code: Code, net: Ball) -> Ball:
    (x, r), (y, ry) = net, code.fresh()
    code.lines += [f"if {x} >= 0:", f"    {y} = 1 / (1 + exp(-{x}))", "else:", f"    {y} = exp({x})",
                   f"    {y} = {y} / (1 + {y})",
                   # |sigma''| <= 0.0963: a remainder of at most 0.05 r^2; 6u: exp's ulp and three roundings
                   f"{ry} = ({y} * (1 - {y}) + 1e-15) * {r} + 0.05 * {r} * {r} + {6 * U!r} * {y}"]
    code.positive(y)
    return y, ry


def _tanh(code: Code, net: Ball) -> Ball:
    (x, r) = net
    # |tanh''| <= 0.77: a remainder of at most 0.4 r^2; 4u: two ulps of tanh
    return code.ball(f"tanh({x})", f"(1 - {{v}} * {{v}} + 1e-15) * {r} + 0.4 * {r} * {r} + 4 * U * abs({{v}})")


def _relu(code: Code, net: Ball) -> Ball:
    (x, r) = net
    code.lines.append(f"if abs({x}) <= {r}: raise Unproven('a relu input within its radius of 0')")
    return code.ball(f"{x} if {x} > 0 else 0.0", f"{r} if {x} > 0 else 0.0")


def _identity(code: Code, net: Ball) -> Ball:
    return net


def _sigmoid_slope(code: Code, net: Ball, out: Ball) -> Ball:
    rest = code.sub(("1.0", "0.0"), out, positive=True)  # 1 - sigma and sigma (1 - sigma) are never negative
    slope = code.mul(out, rest)
    code.positive(slope[0])
    return slope


def _tanh_slope(code: Code, net: Ball, out: Ball) -> Ball:
    return code.sub(("1.0", "0.0"), code.mul(out, out))


def _step_slope(code: Code, net: Ball, out: Ball) -> Ball:
    return code.ball(f"1.0 if {net[0]} > 0 else 0.0", "0.0")  # relu: its input was proven away from 0


def _unit_slope(code: Code, net: Ball, out: Ball) -> Ball:
    return "1.0", "0.0"


@dataclass(frozen=True)
class Rule:
    """One elementwise activation on balls: the code of out from net, and of dout/dnet from both."""

    forward: Callable[[Code, Ball], Ball]
    slope: Callable[[Code, Ball, Ball], Ball]


RULES = {"sigmoid": Rule(_sigmoid, _sigmoid_slope), "tanh": Rule(_tanh, _tanh_slope),
         "relu": Rule(_relu, _step_slope), "identity": Rule(_identity, _unit_slope)}
LOSSES = ("half_sse", "mse", "binary_cross_entropy")


def covers(network: Network) -> bool:
    """Whether these rules train `network`: elementwise activations, a loss without softmax, plain descent."""
    return (network.graph is None and network.spec.training.optimizer.plain and network.loss.name in LOSSES
            and all(layer[0].activation.name in RULES for layer in network.layers))


class Pass:
    """The code of one network's pass, built layer by layer as `derive.maths.numeric.Trainer` computes."""

    def __init__(self, network: Network) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.params = [(f"p{i}", f"q{i}") for i in range(len(network.params))]
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], n.bias_sign) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.rules = [RULES[layer[0].activation.name] for layer in network.layers]
        self.inputs = [(f"x{i}", f"rx{i}") for i in range(len(network.inputs))]
        self.targets = [(f"t{i}", f"rt{i}") for i in range(len(network.outputs))]

    def forward(self, code: Code) -> tuple[list[list[Ball]], list[list[Ball]]]:
        nets: list[list[Ball]] = [[]]
        outs = [self.inputs]
        for links, biases, rule in zip(self.links, self.biases, self.rules):
            layer_nets = [code.dot([(self.params[i], x) for i, x in zip(idx, outs[-1])], self._bias(bias))
                          for idx, bias in zip(links, biases)]
            nets.append(layer_nets)
            outs.append([rule.forward(code, n) for n in layer_nets])
        return nets, outs

    def _bias(self, bias: tuple[int, int] | None) -> list[Ball]:
        if bias is None:
            return []
        value, radius = self.params[bias[0]]
        return [(value if bias[1] > 0 else f"(-{value})", radius)]

    def gradient(self, code: Code) -> list[Ball]:
        """The code of one sample's dE_total/dp, by the delta rule; the gradient's balls in params order."""
        nets, outs = self.forward(code)
        grads: dict[int, Ball] = {}
        delta = self._output_deltas(code, nets[-1], outs[-1])
        for layer in range(len(self.links) - 1, -1, -1):
            self._accumulate(code, grads, layer, delta, outs[layer])
            if layer:
                delta = self._hidden_deltas(code, layer, delta, nets[layer], outs[layer])
        return [grads.get(i, ("0.0", "0.0")) for i in range(len(self.params))]

    def _output_deltas(self, code: Code, nets: list[Ball], outs: list[Ball]) -> list[Ball]:
        errors = [code.sub(y, t) for y, t in zip(outs, self.targets)]
        loss = self.network.loss.name
        if loss == "binary_cross_entropy":
            return errors  # (-t/o + (1-t)/(1-o)) o (1-o) = o - t, as the exact route takes it
        if loss == "mse":
            n = len(outs)
            errors = [code.ball(f"2 * {e} / {n}", f"2 * {r} / {n} + U * (2 * {code.mag(e)} / {n})") for e, r in errors]
        slope = self.rules[-1].slope
        return [code.mul(e, slope(code, net, out)) for e, net, out in zip(errors, nets, outs)]

    def _accumulate(self, code: Code, grads: dict[int, Ball], layer: int, delta: list[Ball],
                    sources: list[Ball]) -> None:
        trainable = [p.trainable for p in self.network.params]  # a frozen parameter's gradient is never used
        for d, idx, bias in zip(delta, self.links[layer], self.biases[layer]):
            terms = [(i, code.mul(d, x)) for i, x in zip(idx, sources) if trainable[i]]
            if bias is not None and trainable[bias[0]]:
                terms.append((bias[0], (d[0] if bias[1] > 0 else f"(-{d[0]})", d[1])))
            for i, (term, rterm) in terms:
                if i in grads:
                    g, rg = grads[i]
                    grads[i] = code.ball(f"{g} + {term}", f"{rg} + {rterm} + U * abs({{v}})")
                else:
                    grads[i] = (term, rterm)

    def _hidden_deltas(self, code: Code, layer: int, delta: list[Ball], nets: list[Ball],
                       outs: list[Ball]) -> list[Ball]:
        """delta of layer-1's neurons from the deltas of `layer` and the weights between them."""
        slope = self.rules[layer - 1].slope
        found = []
        for h, (net, out) in enumerate(zip(nets, outs)):
            back = code.dot([(d, self.params[idx[h]]) for d, idx in zip(delta, self.links[layer])], [])
            found.append(code.mul(back, slope(code, net, out)))
        return found

    def update(self, code: Code, eta: Ball, gradient: list[Ball]) -> list[Ball]:
        """The code of p <- p - eta dE/dp for trainable parameters."""
        return [code.sub(p, code.mul(eta, g)) if param.trainable else p
                for p, g, param in zip(self.params, gradient, self.network.params)]


def _function(name: str, arguments: list[list[Ball]], code: Code, results: list[Ball]) -> str:
    """A function of lists of balls (values, then radii, per argument) returning two lists."""
    head = [f"def {name}({', '.join(f'a{k}, ra{k}' for k in range(len(arguments)))}):"]
    for k, balls in enumerate(arguments):
        if balls:
            head += [f"    {', '.join(v for v, _ in balls)}, = a{k}", f"    {', '.join(r for _, r in balls)}, = ra{k}"]
    body = [f"    {line}" for line in code.lines]
    tail = [f"    return [{', '.join(v for v, _ in results)}], [{', '.join(r for _, r in results)}]"]
    return "\n".join(head + body + tail) + "\n"


def _loop(name: str, arguments: list[list[Ball]], code: Code, results: list[Ball], state: list[Ball]) -> str:
    """A function like `_function`'s whose body runs `count` times, `results` becoming `state` each time;
    the magnitudes of `code`'s invariant names are computed before the loop."""
    text = _function(name, arguments, Code(), state).replace("):\n", ", count):\n", 1)
    head, _, tail = text.rpartition("    return")
    head = head.rstrip("\n") + "".join(f"\n    {line}" for line in code.prologue)
    body = [f"        {line}" for line in code.lines]
    names = [v for v, _ in state] + [r for _, r in state]
    new = [v for v, _ in results] + [r for _, r in results]
    return "\n".join([head.rstrip("\n"), "    for _ in range(count):", *body,
                      f"        {', '.join(names)} = {', '.join(new)}", f"    return{tail}"])


@dataclass(frozen=True)
class Compiled:
    """One network's pass on balls as Python functions of lists (values, radii): outputs(params,
    inputs); then either run(params, inputs, targets, eta, count), `count` updates on one sample
    without leaving the function, or, for several samples, gradient(params, inputs, targets) and
    update(params, gradient, eta). (Only what the training uses is compiled: compiling costs about
    as much as a few thousand updates.)"""

    outputs: Callable[..., tuple[list[float], list[float]]]
    run: Callable[..., tuple[list[float], list[float]]] | None
    gradient: Callable[..., tuple[list[float], list[float]]] | None
    update: Callable[..., tuple[list[float], list[float]]] | None


def source(network: Network, single: bool) -> str:
    """The module text of the functions of `Compiled`: `run` when `single`, else `gradient` and `update`."""
    shape = Pass(network)
    forward = Code()
    outs = shape.forward(forward)[1][-1]
    functions = [_function("outputs", [shape.params, shape.inputs], forward, outs)]
    eta = [("eta", "reta")]
    if single:
        frozen = [v for (v, _), p in zip(shape.params, network.params) if not p.trainable]
        both = Code(frozenset([v for v, _ in shape.inputs + shape.targets] + ["eta"] + frozen))
        moved = shape.update(both, eta[0], shape.gradient(both))
        run = _loop("run", [shape.params, shape.inputs, shape.targets, eta], both, moved, shape.params)
        return "\n".join([*functions, run])
    backward, step = Code(), Code()
    grads = shape.gradient(backward)
    gradient_balls = [(f"g{i}", f"rg{i}") for i in range(len(shape.params))]
    new = shape.update(step, eta[0], gradient_balls)
    return "\n".join([*functions,
                      _function("gradient", [shape.params, shape.inputs, shape.targets], backward, grads),
                      _function("update", [shape.params, gradient_balls, eta], step, new)])


def compiled(network: Network, single: bool) -> Compiled:
    """The functions of `source`, compiled (the text is made from indices only, never from user input)."""
    namespace: dict[str, object] = {"exp": math.exp, "tanh": math.tanh, "U": U, "Unproven": Unproven}
    # our own code, made from the network's indices only
    exec(compile(source(network, single), "<derive.maths.ballcode>", "exec"), namespace)
    return Compiled(namespace["outputs"], namespace.get("run"), namespace.get("gradient"),  # type: ignore[arg-type]
                    namespace.get("update"))  # type: ignore[arg-type]
