"""An independent forward pass and loss, written from the textbook formulas with mpmath.

It shares no code with the engine: the tests compare the engine's numbers with these and with central
finite differences of `loss`.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath

mp = mpmath.MPContext()
mp.dps = 60


@dataclass
class Net:
    sizes: list[int]                    # inputs, hidden..., outputs
    activations: list[str]              # one per non-input layer
    weights: list[list[list[object]]]   # [layer][neuron][source]
    biases: list[list[object]]          # [layer][neuron]: added bias (threshold already negated)
    loss: str                           # half_sse | mse | cross_entropy


def act(name: str, nets: list) -> list:
    if name == "sigmoid":
        return [1 / (1 + mp.exp(-x)) for x in nets]
    if name == "tanh":
        return [mp.tanh(x) for x in nets]
    if name == "relu":
        return [x if x > 0 else mp.mpf(0) for x in nets]
    if name == "identity":
        return list(nets)
    if name == "softmax":
        exps = [mp.exp(x) for x in nets]
        return [e / mp.fsum(exps) for e in exps]
    raise ValueError(name)


def num(x: object) -> object:
    """An mpf from a Decimal, a string or a number, exactly as written."""
    return x if isinstance(x, mp.mpf) else mp.mpf(str(x))


def forward(net: Net, inputs: list) -> list[list]:
    outs = [[num(x) for x in inputs]]
    for layer, name in enumerate(net.activations):
        prev = outs[-1]
        nets = [mp.fsum(num(w) * o for w, o in zip(row, prev)) + num(b)
                for row, b in zip(net.weights[layer], net.biases[layer])]
        outs.append(act(name, nets))
    return outs


def loss(net: Net, inputs: list, targets: list) -> object:
    out = forward(net, inputs)[-1]
    t = [num(x) for x in targets]
    if net.loss == "half_sse":
        return mp.fsum((a - b) ** 2 for a, b in zip(t, out)) / 2
    if net.loss == "mse":
        return mp.fsum((a - b) ** 2 for a, b in zip(t, out)) / len(out)
    if net.activations[-1] == "softmax":
        return -mp.fsum(a * mp.log(b) for a, b in zip(t, out))
    return -mp.fsum(a * mp.log(b) + (1 - a) * mp.log(1 - b) for a, b in zip(t, out))
