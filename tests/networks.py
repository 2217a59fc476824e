"""Generators of networks of every kind the tests need, as spec documents (not copies of any file).

Each returns the mapping `derive.model.spec.from_mapping` reads; `toml` prints one as a spec file for
the command line. Numbers are Decimals, exactly as a spec file would give them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

D = Decimal


def layer(neurons: int, activation: str, weights: list[list[Any]], bias: str = "per_neuron",
          values: list[Any] | None = None, trainable: bool = True) -> dict[str, Any]:
    """One layer; `values` default to 0.1 per bias."""
    count = {"none": 0, "shared": 1, "per_neuron": neurons}[bias]
    biases = [D(str(v)) for v in values] if values is not None else [D("0.1")] * count
    return {"neurons": neurons, "activation": activation,
            "weights": [[D(str(w)) for w in row] for row in weights],
            "bias": {"mode": bias, "trainable": trainable, "values": biases}}


def network(inputs: list[Any], targets: list[Any], layers: list[dict[str, Any]], loss: str = "half_sse",
            learning_rate: Any = "0.5", steps: list[int] | None = None, update: str = "sgd",
            reduction: str = "sum", samples: list[tuple[list[Any], list[Any]]] | None = None) -> dict[str, Any]:
    """A whole spec document: one sample (`inputs`, `targets`) unless `samples` are given."""
    pairs = samples if samples is not None else [(inputs, targets)]
    return {"inputs": len(pairs[0][0]), "loss": loss, "layers": layers,
            "samples": [{"inputs": [D(str(x)) for x in i], "targets": [D(str(t)) for t in t_]} for i, t_ in pairs],
            "training": {"learning_rate": D(str(learning_rate)), "steps": steps or [1, 10],
                         "update": update, "reduction": reduction}}


def deep_chain(depth: int, width: int = 2, activation: str = "sigmoid") -> dict[str, Any]:
    """`depth` layers `width` neurons wide (the last one 2 wide), weights varying between 0.1 and 0.4."""
    layers = []
    fan_in = 2
    for i in range(depth):
        n = width if i < depth - 1 else 2
        rows = [[D(10 + 5 * ((j + k + i) % 7)) / 100 for k in range(fan_in)] for j in range(n)]
        layers.append(layer(n, activation, rows))
        fan_in = n
    return network(["0.05", "0.10"], ["0.01", "0.99"], layers)


def toml(doc: dict[str, Any]) -> str:
    """A spec document as a TOML spec file."""
    lines = [f'title = "{doc.get("title", "A generated network")}"', f"inputs = {doc['inputs']}",
             f'loss = "{doc["loss"]}"']
    for l in doc["layers"]:
        bias = l["bias"]
        lines += ["[[layers]]", f"neurons = {l['neurons']}", f'activation = "{l["activation"]}"',
                  f"weights = {_list(l['weights'])}",
                  f'bias = {{ mode = "{bias["mode"]}", trainable = {str(bias["trainable"]).lower()}, '
                  f"values = {_list(bias['values'])} }}"]
    for s in doc["samples"]:
        lines += ["[[samples]]", f"inputs = {_list(s['inputs'])}", f"targets = {_list(s['targets'])}"]
    t = doc["training"]
    lines += ["[training]", f"learning_rate = {t['learning_rate']}", f"steps = {_list(t['steps'])}",
              f'update = "{t["update"]}"', f'reduction = "{t["reduction"]}"']
    return "\n".join(lines) + "\n"


def _list(values: Any) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_list(v) for v in values) + "]"
    return str(values)


def single_softmax() -> dict[str, Any]:
    """A softmax with one output: its out is 1 and its cross-entropy 0 at every step."""
    return network(["0.05", "0.10"], ["1"], [layer(2, "sigmoid", [["0.1", "0.2"], ["0.3", "0.4"]]),
                                            layer(1, "softmax", [["0.5", "0.6"]])], loss="cross_entropy")


def identity_net(weights: str = "0.5", inputs: tuple[str, str] = ("1", "2"), learning_rate: str = "0.1") -> dict[str, Any]:
    """A 2-2-2 identity network without biases, half sum of squares, every weight `weights`."""
    rows = [[weights, weights], [weights, weights]]
    return network(list(inputs), ["0.5", "0.5"], [layer(2, "identity", rows, bias="none"),
                                                  layer(2, "identity", rows, bias="none")],
                   learning_rate=learning_rate)


def one_weight(steps: list[int], rate: str = "0.9") -> dict[str, Any]:
    """out = w x with x = 1, w = 0.3, target 0.5: each update multiplies t - out by 1 - rate, so the
    error after n updates is 0.02 (1 - rate)^(2n) exactly, far below 1e-50 after a few dozen."""
    return network(["1"], ["0.5"], [layer(1, "identity", [["0.3"]], bias="none")], learning_rate=rate, steps=steps)


def relu_chain(steps: list[int]) -> dict[str, Any]:
    """i -> relu h -> identity o, one sample, learning until the error is far below 1e-50."""
    return network(["1"], ["0.6"], [layer(1, "relu", [["0.5"]], bias="none"),
                                    layer(1, "identity", [["0.8"]], bias="none")], learning_rate="0.7", steps=steps)


def saturated(weight: str = "800") -> dict[str, Any]:
    """A 2-2-1 sigmoid network whose output net is about 1.4 `weight`: with weight 800 the output is
    1 - e^-1400 and the error about e^-2800, far below the smallest double and below 400 digits."""
    return network(["1", "1"], ["1"], [layer(2, "sigmoid", [["1", "1"], ["1", "1"]]),
                                      layer(1, "sigmoid", [[weight, weight]])])


# The kinds of network the tests cover: (hidden activation, output activation, loss).
HIDDEN = ("sigmoid", "tanh", "relu", "identity")
OUTPUTS = (("sigmoid", "half_sse"), ("identity", "mse"), ("tanh", "half_sse"), ("softmax", "cross_entropy"),
           ("sigmoid", "cross_entropy"), ("relu", "mse"), ("softmax", "half_sse"))


def kind(hidden: str, output: str, loss: str, update: str = "sgd", reduction: str = "sum",
         steps: list[int] | None = None, seed: int = 0) -> dict[str, Any]:
    """A 2-3-2 network of the given kind with three samples; weights drawn from `seed`, away from 0 so
    that a relu's kink is never met exactly; targets in (0, 1), summing to 1 under a softmax."""
    import random

    rng = random.Random(f"{hidden}-{output}-{loss}-{seed}")

    def value() -> str:
        return str(D(rng.choice([-1, 1]) * rng.randint(10, 90)) / 100)

    def rows(n: int, m: int) -> list[list[str]]:
        return [[value() for _ in range(m)] for _ in range(n)]

    def targets() -> list[str]:
        first = D(rng.randint(10, 90)) / 100
        return [str(first), str(1 - first)] if output == "softmax" else [str(D(rng.randint(5, 95)) / 100) for _ in range(2)]

    samples = [([value(), value()], targets()) for _ in range(3)]
    layers = [layer(3, hidden, rows(3, 2), values=[value() for _ in range(3)]),
              layer(2, output, rows(2, 3), bias="shared", values=[value()])]
    return network([], [], layers, loss=loss, learning_rate="0.3", steps=steps or [1, 2, 3], update=update,
                   reduction=reduction, samples=samples)
