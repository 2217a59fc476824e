"""Straight-line Python for one sample's gradient on arb balls (`derive.maths.balls`): the forward
pass and the delta rule as one function without loops or lists, because the thousands of updates of
the iterations spend as much time in the interpreter's overhead as in Arb's arithmetic.

The code is made from the network's structure only (indices become names: the parameter p3, the input
x0, the target t1, net n2_1 and out o2_1 of neuron 1 of layer 2, its delta d2_1); no name or number a
user wrote enters it. Each line is one step of `derive.maths.numeric.Trainer`'s algorithm in exact
arithmetic, so Arb's balls around them hold what that algorithm gives, in whatever order the steps
are taken.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from derive.model.network import Network

# An activation's out from its net, and its slope dout/dnet from both (None: the slope is 1).
FORWARD = {"sigmoid": "1 / (1 + (-{net}).exp())", "tanh": "{net}.tanh()", "relu": "relu({net})", "identity": "{net}"}
SLOPE = {"sigmoid": "{out} * (1 - {out})", "tanh": "1 - {out} * {out}", "relu": "relu_slope({net})", "identity": None}
# dE_o/dout_o of each loss (binary cross-entropy's output delta is taken whole, as out - target)
LOSS_GRAD = {"half_sse": "{out} - {target}", "mse": "2 * ({out} - {target}) / {n}",
             "cross_entropy": "-{target} / {out}"}


class Source:
    """The lines of `gradient(P, X, T)`: one sample's dE_total/dp for every parameter, in params order."""

    def __init__(self, network: Network) -> None:
        self.network = network
        index = {p.name: i for i, p in enumerate(network.params)}
        self.links = [[[index[link.weight.name] for link in n.links] for n in layer] for layer in network.layers]
        self.biases = [[(index[n.bias.name], n.bias_sign) if n.bias else None for n in layer]
                       for layer in network.layers]
        self.kinds = [layer[0].activation.name for layer in network.layers]
        self.trainable = [p.trainable for p in network.params]
        self.lines: list[str] = []
        self.grads: dict[int, str] = {}

    def text(self) -> str:
        params = [f"p{i}" for i in range(len(self.network.params))]
        inputs = [f"x{i}" for i in range(len(self.network.inputs))]
        targets = [f"t{i}" for i in range(len(self.network.outputs))]
        self.lines = [f"{', '.join(params)}, = P", f"{', '.join(inputs)}, = X", f"{', '.join(targets)}, = T"]
        outs = self._forward(inputs)
        delta = self._output_deltas(outs, targets)
        for layer in range(len(self.links), 0, -1):
            self._accumulate(layer, delta, outs[layer - 1])
            if layer > 1:
                delta = self._hidden_deltas(layer, delta)
        found = [self.grads.get(i, "ZERO") for i in range(len(params))]
        body = "".join(f"    {line}\n" for line in self.lines)
        return f"def gradient(P, X, T):\n{body}    return [{', '.join(found)}]\n"

    def _forward(self, inputs: list[str]) -> list[list[str]]:
        outs = [inputs]
        for layer, (links, biases, kind) in enumerate(zip(self.links, self.biases, self.kinds), 1):
            nets = []
            for j, (idx, bias) in enumerate(zip(links, biases)):
                terms = " + ".join(f"p{i} * {x}" for i, x in zip(idx, outs[-1]))
                if bias is not None:
                    terms += f" {'+' if bias[1] > 0 else '-'} p{bias[0]}"
                self.lines.append(f"n{layer}_{j} = {terms}")
                nets.append(f"n{layer}_{j}")
            names = [f"o{layer}_{j}" for j in range(len(nets))]
            if kind == "softmax":
                self.lines.append(f"{', '.join(names)}, = softmax([{', '.join(nets)}])")
            else:
                self.lines += [f"{o} = {FORWARD[kind].format(net=n)}" for o, n in zip(names, nets)]
            outs.append(names)
        return outs

    def _output_deltas(self, outs: list[list[str]], targets: list[str]) -> list[str]:
        layer, last = len(self.links), outs[-1]
        deltas = [f"d{layer}_{j}" for j in range(len(last))]
        loss = self.network.loss.name
        if loss == "binary_cross_entropy":
            self.lines += [f"{d} = {o} - {t}" for d, o, t in zip(deltas, last, targets)]
            return deltas
        grads = [LOSS_GRAD[loss].format(out=o, target=t, n=len(last)) for o, t in zip(last, targets)]
        if self.kinds[-1] == "softmax":
            self.lines.append(f"{', '.join(deltas)}, = softmax_deltas([{', '.join(grads)}], [{', '.join(last)}])")
            return deltas
        for j, (d, g) in enumerate(zip(deltas, grads)):
            self.lines.append(f"{d} = ({g}){self._slope(layer, j)}")
        return deltas

    def _slope(self, layer: int, j: int) -> str:
        """` * slope` of neuron j of `layer` (1-based), or nothing where the slope is 1."""
        slope = SLOPE[self.kinds[layer - 1]]
        return "" if slope is None else f" * ({slope.format(net=f'n{layer}_{j}', out=f'o{layer}_{j}')})"

    def _accumulate(self, layer: int, delta: list[str], sources: list[str]) -> None:
        """Each trainable parameter's gradient of `layer` (1-based): delta times d net / d p, summed."""
        for d, idx, bias in zip(delta, self.links[layer - 1], self.biases[layer - 1]):
            terms = [(i, f"{d} * {x}") for i, x in zip(idx, sources)]
            if bias is not None:
                terms.append((bias[0], d if bias[1] > 0 else f"-{d}"))
            for i, term in terms:
                if not self.trainable[i]:
                    continue  # a frozen parameter's gradient is never used
                self.lines.append(f"g{i} = {f'g{i} + ' if i in self.grads else ''}{term}")
                self.grads[i] = f"g{i}"

    def _hidden_deltas(self, layer: int, delta: list[str]) -> list[str]:
        """The deltas of layer - 1 (1-based) from those of `layer` and the weights between them."""
        found = []
        for h in range(len(self.links[layer - 2])):
            back = " + ".join(f"{d} * p{idx[h]}" for d, idx in zip(delta, self.links[layer - 1]))
            self.lines.append(f"d{layer - 1}_{h} = ({back}){self._slope(layer - 1, h)}")
            found.append(f"d{layer - 1}_{h}")
        return found


def compiled(network: Network, helpers: dict[str, object]) -> Callable[..., list[Any]]:
    """`gradient(P, X, T)` compiled, with `helpers` (relu, relu_slope, softmax, softmax_deltas, ZERO) in
    its namespace (the text is made from indices only, never from user input)."""
    namespace = dict(helpers)
    exec(compile(Source(network).text(), "<derive.maths.ballsource>", "exec"), namespace)  # our own code
    return namespace["gradient"]  # type: ignore[return-value]
