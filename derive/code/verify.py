"""Verification of generated code: its gradients against the engine's closed forms at random points.

The closed forms are evaluated at 50 digits from a forward pass at the same point; the generated code
runs in float64, so they must agree to a relative 1e-9.
"""

from __future__ import annotations

import random
import types
from collections.abc import Mapping

import numpy as np

from derive.maths import derivation
from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer
from derive.model.network import Network
from derive.model.precision import Real

TOLERANCE = 1e-9


def load(source: str, name: str = "generated_update") -> types.ModuleType:
    """Execute generated code (made by derive from validated names only) as a fresh module."""
    module = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # our own generated code, never a user's text
    return module


def random_params(network: Network, rng: random.Random) -> list[float]:
    return [rng.uniform(-1.0, 1.0) for _ in network.params]


def to_arrays(network: Network, flat: list[float]) -> dict[str, np.ndarray]:
    """The flat parameter list (network.params order) in the vector style's W<l>, b<l> layout."""
    index = {p.name: i for i, p in enumerate(network.params)}
    arrays: dict[str, np.ndarray] = {}
    for number, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers), start=1):
        arrays[f"W{number}"] = np.array([[flat[index[k.weight.name]] for k in n.links] for n in layer], dtype=float)
        names = spec_layer.bias.names
        if spec_layer.bias.mode == "shared":
            arrays[f"b{number}"] = np.array(flat[index[names[0]]], dtype=float)
        elif spec_layer.bias.mode == "per_neuron":
            arrays[f"b{number}"] = np.array([flat[index[b]] for b in names], dtype=float)
    return arrays


def from_arrays(network: Network, arrays: Mapping[str, np.ndarray]) -> list[float]:
    """The inverse of `to_arrays`."""
    values: dict[str, float] = {}
    for number, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers), start=1):
        for j, n in enumerate(layer):
            for i, k in enumerate(n.links):
                values[k.weight.name] = float(arrays[f"W{number}"][j, i])
        if not spec_layer.bias.names:
            continue
        bias = arrays[f"b{number}"]  # to_arrays gives every layer with a bias its array
        for j, name in enumerate(spec_layer.bias.names):
            values[name] = float(bias) if spec_layer.bias.mode == "shared" else float(bias[j])
    return [values[p.name] for p in network.params]


def closed_gradients(d: Derivation, flat: list[float]) -> list[Real]:
    """dE/dp from the engine's closed forms at `flat`, reduced over the spec's samples."""
    return derivation.closed_gradients(d.network, d.closed, flat)


def generated_gradients(module: types.ModuleType, network: Network, flat: list[float],
                        names: Mapping[str, str] | None = None) -> list[float]:
    """dE/dp from the generated module at `flat`, over all of the spec's samples; a scalar module's
    parameters under their `names` (a notation's), else the spec's."""
    if module.STYLE == "scalar":
        keys = [(names or {}).get(p.name, p.name) for p in network.params]
        grads = module.gradients(dict(zip(keys, flat)), module.INPUTS, module.TARGETS)
        return [grads[k] for k in keys]
    grads = module.gradients(to_arrays(network, flat), module.INPUTS, module.TARGETS)
    return from_arrays(network, grads)


def disagreements(d: Derivation, source: str, points: int = 3, seed: int = 0,
                  names: Mapping[str, str] | None = None) -> list[str]:
    """Where the generated gradients differ from the closed forms (empty when they all agree); `names`
    as for `generated_gradients`."""
    module = load(source)
    rng = random.Random(seed)
    found = []
    for _ in range(points):
        flat = random_params(d.network, rng)
        for p, got, want in zip(d.network.params, generated_gradients(module, d.network, flat, names),
                                closed_gradients(d, flat)):
            scale = max(abs(float(want)), 1e-12)
            if abs(got - float(want)) > TOLERANCE * scale + 1e-15:
                found.append(f"dE/d{p.name}: generated {got!r}, closed form {float(want)!r}")
    return found + optimizer_disagreements(d.network, module, names)


# Updates after which the generated optimizer is compared with the engine's training.
OPTIMIZER_STEPS = 5


def optimizer_disagreements(network: Network, module: types.ModuleType,
                            names: Mapping[str, str] | None = None) -> list[str]:
    """Where the generated optimizer's parameters after a few updates differ from the engine's."""
    if network.spec.training.optimizer.plain:
        return []
    trained = module.train(module.initial_params(), OPTIMIZER_STEPS)
    got = ([float(trained[(names or {}).get(p.name, p.name)]) for p in network.params] if module.STYLE == "scalar"
           else from_arrays(network, trained))
    trainer = Trainer(network)
    (_, want), = trainer.train(trainer.initial(), [OPTIMIZER_STEPS])
    return [f"{p.name} after {OPTIMIZER_STEPS} updates: generated {g!r}, engine {float(w)!r}"
            for p, g, w in zip(network.params, got, want) if abs(g - float(w)) > TOLERANCE * max(abs(float(w)), 1e-12)]
