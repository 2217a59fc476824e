"""Straight-line Python for one update on arb balls (`derive.maths.balls`): for every sample the update
learns from, the forward pass and the delta rule, then their gradients added up and the descent, as
one function without loops or lists, because the thousands of updates of the iterations spend as much
time in the interpreter's overhead as in Arb's arithmetic.

The code is made from the network's structure only (indices become names: the parameter p3, the input
x0 and target t1 of sample 2 as x0_s2 and t1_s2, net n2_1 and out o2_1 of neuron 1 of layer 2, its
delta d2_1, each with its sample's suffix); no name or number a user wrote enters it. An input or target
that is exactly 0 or 1 (the balls say so: a radius of 0) is written as that literal, so that a product
by 0 or 1 and a difference with 0 are left out: they change no value and no radius. Each line is one step
of `derive.maths.numeric.Trainer`'s algorithm in exact arithmetic, so Arb's balls around them hold what
that algorithm gives, in whatever order the steps are taken.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from derive.model.network import Network

# Operands known exactly (an input or target of 0 or 1, a learning rate of 1), written as literals.
ZERO, ONE = "0", "1"
# An activation's out from its net, and its slope dout/dnet from both (None: the slope is 1).
FORWARD = {"sigmoid": "1 / (1 + (-{net}).exp())", "tanh": "{net}.tanh()", "relu": "relu({net})", "identity": "{net}"}
SLOPE = {"sigmoid": "{out} * (1 - {out})", "tanh": "1 - {out} * {out}", "relu": "relu_slope({net})", "identity": None}
# dE_o/dout_o of each loss from out - target (binary cross-entropy's output delta is that difference)
LOSS_GRAD = {"half_sse": "{diff}", "mse": "2 * ({diff}) / {n}", "cross_entropy": "-{target} / {out}"}


def _product(a: str, b: str) -> str:
    """a * b, without the multiplication where an operand is the literal 0 or 1 (ZERO: the product is 0)."""
    if ZERO in (a, b):
        return ZERO
    if a == ONE or b == ONE:
        return b if a == ONE else a
    return f"{a} * {b}"


def _difference(a: str, b: str) -> str:
    return a if b == ZERO else f"{a} - {b}"


def _signed_sum(terms: Sequence[tuple[int, str]]) -> str:
    """The terms (+1 or -1, operand) added in order, those that are the literal 0 left out (ZERO if all)."""
    kept = [(sign, term) for sign, term in terms if term != ZERO]
    if not kept:
        return ZERO
    first_sign, first = kept[0]
    text = first if first_sign > 0 else f"-{first}"
    return text + "".join(f" {'+' if sign > 0 else '-'} {term}" for sign, term in kept[1:])


def _ball(operand: str) -> str:
    """An operand as a ball: the literal 0 as the exact ball ZERO (a literal 1 never stands alone)."""
    return "ZERO" if operand == ZERO else operand


class SampleSource:
    """The lines of one sample's dE_total/dp: `grads` maps each trainable parameter's index to the name of
    its gradient (absent: no term of this sample reaches it, its gradient is 0)."""

    def __init__(self, network: Network, suffix: str, inputs: Sequence[str], targets: Sequence[str]) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], n.bias_sign) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.kinds = [layer[0].activation.name for layer in network.layers]
        self.trainable = [p.trainable for p in network.params]
        self.suffix, self.inputs, self.targets = suffix, list(inputs), list(targets)
        self.lines: list[str] = []
        self.grads: dict[int, str] = {}

    def name(self, stem: str) -> str:
        return f"{stem}_{self.suffix}"

    def build(self) -> SampleSource:
        outs = self._forward()
        delta = self._output_deltas(outs)
        for layer in range(len(self.links), 0, -1):
            self._accumulate(layer, delta, outs[layer - 1])
            if layer > 1:
                delta = self._hidden_deltas(layer, delta)
        return self

    def _forward(self) -> list[list[str]]:
        outs = [self.inputs]
        for layer, (links, biases, kind) in enumerate(zip(self.links, self.biases, self.kinds), 1):
            nets = [self.name(f"n{layer}_{j}") for j in range(len(links))]
            for net, idx, bias in zip(nets, links, biases):
                terms = [(1, _product(f"p{i}", x)) for i, x in zip(idx, outs[-1])]
                if bias is not None:
                    terms.append((bias[1], f"p{bias[0]}"))
                self.lines.append(f"{net} = {_ball(_signed_sum(terms))}")
            names = [self.name(f"o{layer}_{j}") for j in range(len(nets))]
            if kind == "softmax":
                self.lines.append(f"{', '.join(names)}, = softmax([{', '.join(nets)}])")
            else:
                self.lines += [f"{o} = {FORWARD[kind].format(net=n)}" for o, n in zip(names, nets)]
            outs.append(names)
        return outs

    def _output_deltas(self, outs: list[list[str]]) -> list[str]:
        layer, last = len(self.links), outs[-1]
        deltas = [self.name(f"d{layer}_{j}") for j in range(len(last))]
        diffs = [_difference(o, t) for o, t in zip(last, self.targets)]
        if self.network.loss.name == "binary_cross_entropy":
            self.lines += [f"{d} = {diff}" for d, diff in zip(deltas, diffs)]
            return deltas
        grads = [LOSS_GRAD[self.network.loss.name].format(diff=diff, out=o, target=t, n=len(last))
                 for diff, o, t in zip(diffs, last, self.targets)]
        if self.kinds[-1] == "softmax":
            self.lines.append(f"{', '.join(deltas)}, = softmax_deltas([{', '.join(grads)}], [{', '.join(last)}])")
            return deltas
        for j, (d, g) in enumerate(zip(deltas, grads)):
            self.lines.append(f"{d} = ({g}){self._slope(layer, j)}")
        return deltas

    def _slope(self, layer: int, j: int) -> str:
        """` * slope` of neuron j of `layer` (1-based), or nothing where the slope is 1."""
        slope = SLOPE[self.kinds[layer - 1]]
        net, out = self.name(f"n{layer}_{j}"), self.name(f"o{layer}_{j}")
        return "" if slope is None else f" * ({slope.format(net=net, out=out)})"

    def _accumulate(self, layer: int, delta: list[str], sources: list[str]) -> None:
        """Each trainable parameter's gradient of `layer` (1-based): delta times d net / d p, summed."""
        for d, idx, bias in zip(delta, self.links[layer - 1], self.biases[layer - 1]):
            terms = [(i, _product(d, x)) for i, x in zip(idx, sources)]
            if bias is not None:
                terms.append((bias[0], d if bias[1] > 0 else f"-{d}"))
            for i, term in terms:
                if not self.trainable[i] or term == ZERO:
                    continue  # a frozen parameter's gradient is never used; a term of 0 adds nothing
                g = self.name(f"g{i}")
                self.lines.append(f"{g} = {f'{g} + ' if i in self.grads else ''}{term}")
                self.grads[i] = g

    def _hidden_deltas(self, layer: int, delta: list[str]) -> list[str]:
        """The deltas of layer - 1 (1-based) from those of `layer` and the weights between them."""
        found = []
        for h in range(len(self.links[layer - 2])):
            back = " + ".join(f"{d} * p{idx[h]}" for d, idx in zip(delta, self.links[layer - 1]))
            found.append(self.name(f"d{layer - 1}_{h}"))
            self.lines.append(f"{found[-1]} = ({back}){self._slope(layer - 1, h)}")
        return found


def update_text(network: Network, samples: Sequence[tuple[Sequence[str | None], Sequence[str | None]]], mean: bool,
                eta: str | None) -> str:
    """`update(P, eta, X0, T0, X1, T1, ...)`: the gradient over `samples` (each its inputs' and targets'
    operands: a literal 0 or 1, or None for a ball given in X or T), summed or, by `mean`, averaged; with
    `eta` (the literal 1, or "eta") the parameters after plain descent, else (another optimizer) the
    gradient itself."""
    count = len(network.params)
    lines = [f"{', '.join(f'p{i}' for i in range(count))}, = P"]
    parts = []
    for k, (inputs, targets) in enumerate(samples):
        xs = [x or f"x{i}_s{k}" for i, x in enumerate(inputs)]
        ts = [t or f"t{i}_s{k}" for i, t in enumerate(targets)]
        lines += [f"{', '.join(f'x{i}_s{k}' for i in range(len(xs)))}, = X{k}",
                  f"{', '.join(f't{i}_s{k}' for i in range(len(ts)))}, = T{k}"]
        parts.append(SampleSource(network, f"s{k}", xs, ts).build())
        lines += parts[-1].lines
    for i in range(count):
        terms = [part.grads[i] for part in parts if i in part.grads]
        lines.append(f"g{i} = {' + '.join(terms) or 'ZERO'}")
        if mean and len(samples) > 1:
            lines.append(f"g{i} = g{i} / {len(samples)}")
    if eta is None:
        found = [f"g{i}" for i in range(count)]
    else:
        found = [f"p{i} - {_product(eta, f'g{i}')}" if p.trainable else f"p{i}" for i, p in enumerate(network.params)]
    head = f"def update(P, eta, {', '.join(f'X{k}, T{k}' for k in range(len(samples)))}):\n"
    return head + "".join(f"    {line}\n" for line in lines) + f"    return [{', '.join(found)}]\n"


def compiled(text: str, helpers: dict[str, object]) -> Callable[..., list[Any]]:
    """The function `update` of `text` (made by `update_text` from indices only, never from user input),
    with `helpers` (relu, relu_slope, softmax, softmax_deltas, ZERO) in its namespace."""
    namespace = dict(helpers)
    exec(compile(text, "<derive.maths.ballsource>", "exec"), namespace)  # our own code
    return namespace["update"]  # type: ignore[return-value]
