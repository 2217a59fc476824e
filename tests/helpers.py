"""Shared test helpers: the command line in-process, the oracle's view of a spec, finite differences, random specs."""

from __future__ import annotations

import random
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from derive.cli import main
from derive.model.spec import Spec
from tests.oracle import Net, loss, mp, num

MAZUR = resources.files("derive.presets").joinpath("mazur.toml").read_text(encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The command line called in-process: exit status, stdout, stderr."""
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_spec(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def oracle_net(spec: Spec, params: dict[str, object] | None = None) -> Net:
    """The spec's network for the oracle, with `params` (by name) overriding initial values."""
    values = params or {}
    weights, biases = [], []
    for layer in spec.layers:
        weights.append([[values.get(n, v) for n, v in zip(nr, vr)] for nr, vr in zip(layer.weight_names, layer.weights)])
        sign = -1 if layer.bias.form == "threshold" else 1
        named = [values.get(n, v) for n, v in zip(layer.bias.names, layer.bias.values)]
        if layer.bias.mode == "none":
            row = [0] * len(layer.neurons)
        elif layer.bias.mode == "shared":
            row = [sign * num(named[0])] * len(layer.neurons)
        else:
            row = [sign * num(v) for v in named]
        biases.append(row)
    sizes = [len(spec.inputs)] + [len(layer.neurons) for layer in spec.layers]
    return Net(sizes, [layer.activation for layer in spec.layers], weights, biases, spec.loss)


def param_values(spec: Spec) -> dict[str, object]:
    values: dict[str, object] = {}
    for layer in spec.layers:
        for nr, vr in zip(layer.weight_names, layer.weights):
            values.update({n: mp.mpf(str(v)) for n, v in zip(nr, vr)})
        values.update({n: mp.mpf(str(v)) for n, v in zip(layer.bias.names, layer.bias.values)})
    return values


def finite_difference(spec: Spec, sample_index: int, name: str, values: dict[str, object]) -> object:
    """Central difference of the oracle's loss in parameter `name` (error about h^2 = 1e-40)."""
    h = mp.mpf(10) ** -20
    s = spec.samples[sample_index]
    up, down = dict(values), dict(values)
    up[name] = values[name] + h
    down[name] = values[name] - h
    return (loss(oracle_net(spec, up), s.inputs, s.targets) - loss(oracle_net(spec, down), s.inputs, s.targets)) / (2 * h)


ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"]


def random_spec_data(rng: random.Random, widest: int = 4) -> dict[str, Any]:
    """A small random network as a spec document: 1-3 hidden layers of 1-`widest` neurons, any rule."""
    depth = rng.randint(1, 3)
    widths = [rng.randint(1, 3)] + [rng.randint(1, widest) for _ in range(depth)] + [rng.randint(1, 3)]
    loss_name = rng.choice(["half_sse", "mse", "cross_entropy"])
    out_act = rng.choice(["softmax", "sigmoid"]) if loss_name == "cross_entropy" else rng.choice(ACTIVATIONS + ["softmax", "sigmoid"])
    layers = []
    for i, width in enumerate(widths[1:]):
        act = out_act if i == len(widths) - 2 else rng.choice(ACTIVATIONS)
        layer: dict[str, Any] = {"neurons": width, "activation": act,
                                 "weights": [[_num(rng) for _ in range(widths[i])] for _ in range(width)]}
        mode = rng.choice(["none", "shared", "per_neuron"])
        count = {"none": 0, "shared": 1, "per_neuron": width}[mode]
        layer["bias"] = {"mode": mode, "trainable": rng.random() < 0.7,
                         "form": rng.choice(["bias", "threshold"]), "values": [_num(rng) for _ in range(count)]}
        layers.append(layer)
    targets = [Decimal(rng.randint(1, 99)) / 100 for _ in range(widths[-1])]
    samples = [{"inputs": [_num(rng) for _ in range(widths[0])], "targets": targets}
               for _ in range(rng.randint(1, 3))]
    return {"inputs": widths[0], "loss": loss_name, "layers": layers, "samples": samples,
            "training": {"learning_rate": Decimal("0.5"), "steps": [1, 2],
                         "update": rng.choice(["sgd", "batch"]), "reduction": rng.choice(["sum", "mean"])}}


def _num(rng: random.Random) -> Decimal:
    # Away from 0 so that relu's kink is never hit exactly, where finite differences mean nothing.
    return Decimal(rng.choice([-1, 1]) * rng.randint(5, 95)) / 100
