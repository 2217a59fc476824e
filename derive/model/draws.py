"""Draws: the numbers of one exercise, drawn from the spec's `[exercise]` ranges (the sheets of `derive exercise`
and the exercises at the end of the notes draw them alike).

Drawing order (one `random.Random(seed)` for the whole run, variant after variant, each draw of a
variant continuing the same stream): inputs (sample by sample, input by input), targets (sample by
sample, output by output), weights (layer by layer, neuron by neuron, source by source), biases (layer by
layer, in the order of their names), then the learning rate; a kind the table leaves out is not drawn
and keeps the spec's numbers. Each number is a whole count of 10^-decimals units, drawn uniformly from
the range, so it is an exact decimal: it reaches the spec as a `Decimal`, never through a float.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from derive.model import identifiers
from derive.model.spec import EXERCISE_KINDS, ExerciseSpec, LayerSpec, SampleSpec, Spec


@dataclass(frozen=True)
class Slot:
    """One number a variant draws: its kind (EXERCISE_KINDS) and the name a claim gives it."""

    kind: str
    name: str


def _sample_name(name: str, sample: SampleSpec, spec: Spec) -> str:
    """`i1` on a network of one sample, `i1[s2]` (as claims name a sample) on one of several."""
    return name if len(spec.samples) == 1 else f"{name}[{sample.name}]"


def slots(spec: Spec, exercise: ExerciseSpec) -> tuple[Slot, ...]:
    """Every number a variant draws, in drawing order."""
    names: dict[str, list[str]] = {
        "inputs": [_sample_name(i, s, spec) for s in spec.samples for i in spec.inputs],
        "targets": [_sample_name(identifiers.target(o), s, spec)
                    for s in spec.samples for o in _outputs(spec)],
        "weights": [w for layer in spec.layers for row in layer.weight_names for w in row],
        "biases": [b for layer in spec.layers for b in layer.bias.names],
        "learning_rate": [identifiers.ETA],
    }
    if spec.structure is not None:  # kernels and recurrent matrices too, in reading order
        from derive.model import structure  # (imported for networks with such layers only)

        names["weights"], names["biases"] = structure.parameter_names(spec)
    return tuple(Slot(kind, name) for kind in EXERCISE_KINDS if exercise.range_of(kind) is not None
                 for name in names[kind])


def _outputs(spec: Spec) -> tuple[str, ...]:
    """The outputs a sample's targets belong to (one per step where the dense layers run at every step)."""
    if spec.structure is None:
        return spec.layers[-1].neurons
    from derive.model import structure

    return structure.output_names(spec)


def draw(rng: random.Random, spec: Spec, exercise: ExerciseSpec) -> tuple[tuple[str, Decimal], ...]:
    """One draw of every slot: (name, exact decimal), in drawing order."""
    found = []
    for slot in slots(spec, exercise):
        r = exercise.range_of(slot.kind)
        assert r is not None
        first, last = r.units
        found.append((slot.name, Decimal(rng.randint(first, last)).scaleb(-r.decimals)))
    return tuple(found)


def variant_spec(base: Spec, values: Mapping[str, Decimal | str], steps: tuple[int, ...] = (1,)) -> Spec:
    """`base` with the drawn `values` (by name, as in key.json) in place of its own, trained for `steps`.

    A name `values` does not hold keeps the base's number, so a key's values rebuild its variant."""
    got = {name: Decimal(v) for name, v in values.items()}
    samples = tuple(_sample(base, s, got) for s in base.samples)
    layers = tuple(_layer(layer, got) for layer in base.layers)
    eta = got.get(identifiers.ETA, base.training.learning_rate)
    training = replace(base.training, learning_rate=eta, steps=steps)
    spec = replace(base, samples=samples, layers=layers, training=training, init=None)
    if spec.structure is None:
        return spec
    from derive.model import structure

    return structure.with_values(spec, got)


def _sample(base: Spec, s: SampleSpec, got: Mapping[str, Decimal]) -> SampleSpec:
    inputs = tuple(got.get(_sample_name(i, s, base), v) for i, v in zip(base.inputs, s.inputs))
    outputs = _outputs(base)
    targets = tuple(got.get(_sample_name(identifiers.target(o), s, base), v) for o, v in zip(outputs, s.targets))
    return replace(s, inputs=inputs, targets=targets)


def _layer(layer: LayerSpec, got: Mapping[str, Decimal]) -> LayerSpec:
    weights = tuple(tuple(got.get(n, v) for n, v in zip(names, row))
                    for names, row in zip(layer.weight_names, layer.weights))
    bias = replace(layer.bias, values=tuple(got.get(n, v) for n, v in zip(layer.bias.names, layer.bias.values)))
    return replace(layer, weights=weights, bias=bias)


def degenerate(spec: Spec, exercise: ExerciseSpec, values: tuple[tuple[str, Decimal], ...]) -> str | None:
    """Why a draw makes a poor exercise though every number is in range, else None: a weight, bias or
    input drawn as 0 (a gradient of 0, an update that changes nothing, a mistake that leaves no trace)
    or two inputs of one sample drawn equal (a weight paired with the wrong input goes unseen)."""
    kinds = {slot.name: slot.kind for slot in slots(spec, exercise)}
    if any(value == 0 and kinds[name] in ("weights", "biases", "inputs") for name, value in values):
        return "a weight, bias or input drawn as 0"
    drawn = dict(values)
    for sample in spec.samples:
        for group in _input_groups(spec):
            inputs = [drawn[name] for name in (_sample_name(i, sample, spec) for i in group) if name in drawn]
            if len(set(inputs)) < len(inputs):
                return "two inputs of a sample drawn equal"
    return None


def _input_groups(spec: Spec) -> list[tuple[str, ...]]:
    """The inputs a weight could be paired with in place of one another: a dense network's all, a sequence's
    those of one step; an image's entries, many more than its decimals can make distinct, are told apart by
    the questions (each mistake's value must differ from the truth's)."""
    if spec.structure is None:
        return [spec.inputs]
    if spec.structure.image is not None:
        return []
    width = len(spec.structure.features)
    return [spec.inputs[k:k + width] for k in range(0, len(spec.inputs), width)]
