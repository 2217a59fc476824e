"""Verification of the layer code of convolution, pooling and recurrent networks: its gradients against
the engine's closed forms at random points (50 digits, compared to a relative 1e-9, as every generated
module is), with its arrays (K<l>, Wx<l>, Wh<l>, W<l>, b<l>) read back to the network's parameters."""

from __future__ import annotations

import random
import types
from typing import Any

import numpy as np

from derive.code.verify import TOLERANCE, load, random_params
from derive.maths import derivation
from derive.maths.derivation import Derivation
from derive.model.network import Network, Param
from derive.model.wiring import ConvPlan, DensePlan, RecurrentPlan

HEADER = ("Verified before it was written: its gradients equal the engine's closed forms at 3 random points",
          "(to a relative 1e-9).")


def _arrays_of(network: Network) -> dict[str, Any]:
    """Each array's parameters, nested as the array is (a shared bias: one parameter)."""
    found: dict[str, Any] = {}
    for plan in network.graph.plans:
        at = plan.index + 1
        if isinstance(plan, ConvPlan):
            found[f"K{at}"] = plan.kernel
            if plan.spec.bias.names:
                found[f"b{at}"] = tuple(plan.biases)
        elif isinstance(plan, RecurrentPlan):
            found[f"Wx{at}"], found[f"Wh{at}"] = plan.input_weights, plan.recurrent_weights
            _bias(found, at, plan.spec.bias.mode, plan.biases)
        elif isinstance(plan, DensePlan):
            found[f"W{at}"] = plan.weights
            _bias(found, at, plan.spec.bias.mode, plan.biases)
    return found


def _bias(found: dict[str, Any], at: int, mode: str, biases: tuple[Param | None, ...]) -> None:
    if mode == "shared":
        found[f"b{at}"] = biases[0]
    elif mode == "per_neuron":
        found[f"b{at}"] = tuple(biases)


def _nested(params: Any, value: Any) -> Any:
    if isinstance(params, tuple):
        return [_nested(p, value) for p in params]
    return value(params)


def places(network: Network) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Where each parameter (network.params order) sits in the module's arrays: (array, index)."""
    found: dict[str, tuple[str, tuple[int, ...]]] = {}

    def walk(params: Any, key: str, index: tuple[int, ...]) -> None:
        if isinstance(params, tuple):
            for i, p in enumerate(params):
                walk(p, key, (*index, i))
        else:
            found.setdefault(params.name, (key, index))

    for key, params in _arrays_of(network).items():
        walk(params, key, ())
    return {p.name: found[p.name] for p in network.params}


def to_arrays(network: Network, flat: list[float]) -> dict[str, np.ndarray]:
    """The flat parameter list (network.params order) as the module's arrays."""
    index = {p.name: i for i, p in enumerate(network.params)}
    return {key: np.array(_nested(params, lambda p: flat[index[p.name]]), dtype=float)
            for key, params in _arrays_of(network).items()}


def from_arrays(network: Network, arrays: dict[str, np.ndarray]) -> list[float]:
    """The inverse of `to_arrays`: every parameter's number, in network.params order."""
    values: dict[str, float] = {}

    def walk(params: Any, array: Any) -> None:
        if isinstance(params, tuple):
            for p, a in zip(params, array):
                walk(p, a)
        else:
            values[params.name] = float(array)

    for key, params in _arrays_of(network).items():
        walk(params, np.asarray(arrays[key]))
    return [values[p.name] for p in network.params]


def generated_gradients(module: types.ModuleType, network: Network, flat: list[float]) -> list[float]:
    """dE/dp from the generated module at `flat`, over all of the spec's samples."""
    return from_arrays(network, module.gradients(to_arrays(network, flat), module.INPUTS, module.TARGETS))


def disagreements(d: Derivation, source: str, points: int = 3, seed: int = 0) -> list[str]:
    """Where the generated gradients differ from the closed forms (empty when they all agree)."""
    module = load(source)
    rng = random.Random(seed)
    found = []
    for _ in range(points):
        flat = random_params(d.network, rng)
        want = derivation.closed_gradients(d.network, d.closed, flat)
        # a gradient whose terms cancel (exactly 0 in the closed form: a softmax's shared bias sums
        # out - target to 0) keeps float64's rounding of terms the size of the outputs or of the other
        # gradients
        floor = max([TOLERANCE * abs(float(w)) for w in want] + [1e-13])
        for p, got, w in zip(d.network.params, generated_gradients(module, d.network, flat), want):
            if abs(got - float(w)) > TOLERANCE * abs(float(w)) + floor:
                found.append(f"dE/d{p.name}: generated {got!r}, closed form {float(w)!r}")
    return found
