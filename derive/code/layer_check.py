"""Verification of vector code without the per-weight derivation of the whole network.

Two steps. The layer rules the code is printed from (`derive.maths.layers`) are proven equal to the
per-weight closed forms at the working precision on a small network of the same layer kinds, whose own
generated module is then checked at every parameter (and its optimizer against the engine's). The
full-size module is checked in float64 at random points: the gradients of a random sample of its
parameters against their per-weight closed forms (only those are evaluated, at 50 digits), against
central finite differences of its own loss, and its loss against the engine's.
"""

from __future__ import annotations

import math
import random
import textwrap
import types
from dataclasses import dataclass

import numpy as np
from sympy import sstr

from derive.code import codegen, verify
from derive.maths import layers
from derive.maths.derivation import Closed, DerivationError, closed_forms, closed_values
from derive.maths.numeric import Trainer
from derive.model.network import Network
from derive.model.precision import WORKING_DIGITS

SEED = 0
POINTS = 2  # random points at which the full-size module is checked
ALL_UP_TO = 500  # parameters up to which every gradient is checked, not a sample
PER_LAYER = 6  # sampled weights, and sampled biases, per layer
FD_STEP = 1e-6
FD_TOLERANCE = 1e-5  # relative, beside an absolute 1e-7 times the loss: float64 rounding over FD_STEP
WIDTH = 104  # of the header's lines


@dataclass(frozen=True)
class Plan:
    """What the verification checks, said in the generated file's header before it is carried out."""

    sampled: tuple[int, ...]  # indices into network.params
    small: Network
    header: tuple[str, ...]


def plan(network: Network) -> Plan:
    small = layers.small_network(network.spec, SEED)
    sampled = _sample(network, random.Random(SEED))
    return Plan(sampled, small, _header(network, small, sampled))


def _sample(network: Network, rng: random.Random) -> tuple[int, ...]:
    if len(network.params) <= ALL_UP_TO:
        return tuple(range(len(network.params)))
    chosen: list[int] = []
    for layer in range(len(network.layers)):
        for kind in ("weight", "bias"):
            found = [i for i, p in enumerate(network.params) if p.layer == layer and p.kind == kind]
            chosen += sorted(rng.sample(found, min(PER_LAYER, len(found))))
    return tuple(chosen)


def _header(network: Network, small: Network, sampled: tuple[int, ...]) -> tuple[str, ...]:
    rules = "; ".join(f"{name} = {sstr(rule)}" for name, rule in layers.rule_names(network))
    which = ("every parameter" if len(sampled) == len(network.params) else
             f"{len(sampled)} parameters drawn at random ({', '.join(network.params[i].name for i in sampled)})")
    text = [
        (f"Verified before it was written. The layer rules it is printed from ({rules}), derived by SymPy "
        f"from one generic neuron of each layer kind, equal the per-weight closed forms at {WORKING_DIGITS} "
        f"digits on a {'-'.join(map(str, small.sizes()))} network of the same layer kinds "
        f"({layers.SMALL_SAMPLES} samples, at {layers.PROOF_POINTS} random points, seed {SEED}), whose "
        "own module agrees with them at every parameter."),
        (f"This module, in float64, at {POINTS} random points (every parameter uniform in +-1/sqrt(fan-in "
        f"of its layer), seed {SEED}) on the spec's samples: the gradients of {which} equal their "
        f"per-weight closed forms evaluated at {WORKING_DIGITS} digits to a relative {_sci(verify.TOLERANCE)}, "
        f"and central finite differences of its loss (step {_sci(FD_STEP)}) to a relative {_sci(FD_TOLERANCE)}; "
        f"its loss equals the engine's at {WORKING_DIGITS} digits to a relative {_sci(verify.TOLERANCE)}."),
    ]
    wrap = textwrap.TextWrapper(WIDTH, break_long_words=False, break_on_hyphens=False)
    return tuple(line for paragraph in text for line in [*wrap.wrap(paragraph), ""])[:-1]


def _sci(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")


def random_point(network: Network, rng: random.Random) -> list[float]:
    """Every parameter uniform in +-1/sqrt(fan-in of its layer): nets of order 1 at any width."""
    fan_in = network.sizes()
    return [rng.uniform(-1.0, 1.0) / math.sqrt(fan_in[p.layer]) for p in network.params]


def disagreements(network: Network, source: str, checks: Plan) -> list[str]:
    """Where the generated vector module `source` or its layer rules disagree with the closed forms."""
    small_found = _small_disagreements(checks.small)
    if small_found:
        return small_found
    module = verify.load(source)
    _check_finite(network, module)
    closed = closed_forms(network)
    trainer = Trainer(network)
    rng = random.Random(SEED)
    found: list[str] = []
    for _ in range(POINTS):
        found += _at_point(network, module, closed, trainer, random_point(network, rng), checks.sampled)
    return found


def _small_disagreements(small: Network) -> list[str]:
    """The layer rules against the closed forms on the small network, and its own generated module."""
    found = layers.prove(small, layers.PROOF_POINTS, SEED)
    if found:
        return found
    module = verify.load(codegen.generate_vector(small))
    rng = random.Random(SEED)
    closed = closed_forms(small)
    trainer = Trainer(small)
    for _ in range(POINTS):
        found += _at_point(small, module, closed, trainer, random_point(small, rng), tuple(range(len(small.params))))
    return found + verify.optimizer_disagreements(small, module)


def _check_finite(network: Network, module: types.ModuleType) -> None:
    """A one-line error where the spec's own numbers overflow float64, in which the code computes."""
    params = module.initial_params()
    with np.errstate(all="ignore"):
        nets, outs = module.forward(params, module.INPUTS)
        arrays = nets + outs + list(module.gradients(params, module.INPUTS, module.TARGETS).values())
        finite = math.isfinite(module.loss(params, module.INPUTS, module.TARGETS))
    if not (finite and all(np.all(np.isfinite(a)) for a in arrays)):
        raise DerivationError(f"{network.spec.source}: at the spec's initial values a net, an output, the loss "
                              "or a gradient is beyond the range of float64 (about 1.8e308), in which the "
                              "generated code computes: scale the spec's numbers down")


def _at_point(network: Network, module: types.ModuleType, closed: Closed, trainer: Trainer, flat: list[float],
              sampled: tuple[int, ...]) -> list[str]:
    """The module's loss and its gradients of the `sampled` parameters at `flat`, against the engine."""
    arrays = verify.to_arrays(network, flat)
    where = _locations(network, sampled)
    grads = module.gradients(arrays, module.INPUTS, module.TARGETS)
    got = [float(grads[key][index]) for key, index in where]
    error, want = closed_values(network, closed, flat, sampled, trainer)
    loss = module.loss(arrays, module.INPUTS, module.TARGETS)
    found = [] if abs(loss - float(error)) <= verify.TOLERANCE * abs(float(error)) + 1e-15 else [
        f"the loss: generated {loss!r}, engine {float(error)!r}"]
    for i, g, w, (key, index) in zip(sampled, got, want, where):
        name = network.params[i].name
        if abs(g - float(w)) > verify.TOLERANCE * max(abs(float(w)), 1e-12) + 1e-15:
            found.append(f"dE/d{name}: generated {g!r}, closed form {float(w)!r}")
        fd = _difference(module, arrays, key, index)
        if abs(fd - g) > FD_TOLERANCE * abs(g) + 1e-7 * max(1.0, abs(loss)):
            found.append(f"dE/d{name}: generated {g!r}, central finite difference {fd!r}")
    return found


def _locations(network: Network, sampled: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    """Where each sampled parameter sits in the vector style's arrays: (array name, index)."""
    place: dict[str, tuple[str, tuple[int, ...]]] = {}
    wanted = {network.params[i].name for i in sampled}
    for number, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers), start=1):
        for j, n in enumerate(layer):
            place.update((k.weight.name, (f"W{number}", (j, i)))
                         for i, k in enumerate(n.links) if k.weight.name in wanted)
        shared = spec_layer.bias.mode == "shared"
        place.update((name, (f"b{number}", () if shared else (j,))) for j, name in enumerate(spec_layer.bias.names))
    return [place[network.params[i].name] for i in sampled]


def _difference(module: types.ModuleType, arrays: dict[str, np.ndarray], key: str, index: tuple[int, ...]) -> float:
    """Central difference of the module's loss in one entry of one array."""
    values = []
    for sign in (1.0, -1.0):
        moved = dict(arrays)
        moved[key] = arrays[key].copy()
        moved[key][index] += sign * FD_STEP
        values.append(module.loss(moved, module.INPUTS, module.TARGETS))
    return (values[0] - values[1]) / (2 * FD_STEP)
