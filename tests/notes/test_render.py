"""Rendering: every kind of network renders in every format, deterministically, with its numbers."""

from __future__ import annotations

import random
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from derive.notes import walkthrough
from derive.notes.request import NotesRequest
from tests.helpers import random_spec_data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_networks_render_deterministically(seed: int) -> None:
    data = random_spec_data(random.Random(seed))
    d1 = derivation.build(network.build(spec.from_mapping(data, "<random>", "random")))
    d2 = derivation.build(network.build(spec.from_mapping(data, "<random>", "random")))
    for fmt in walkthrough.FORMATS:
        first = walkthrough.render(d1, fmt, NotesRequest(digits=7))
        assert first == walkthrough.render(d2, fmt, NotesRequest(digits=7))
        for g in d1.first.gradients:  # every parameter has its own section with its value
            assert show(g.value, 7).latex in first


def test_softmax_cross_entropy_network_renders_its_jacobian() -> None:
    data = random_spec_data(random.Random(3))
    data["loss"] = "cross_entropy"
    data["layers"][-1]["activation"] = "softmax"
    data["layers"][-1]["neurons"] = 3
    data["layers"][-1]["weights"] = data["layers"][-1]["weights"][:1] * 3
    data["layers"][-1]["bias"] = {"mode": "none"}
    data["samples"][0]["targets"] = [Decimal("0.2"), Decimal("0.3"), Decimal("0.5")]
    d = derivation.build(network.build(spec.from_mapping(data, "<softmax>", "softmax")))
    text = walkthrough.render(d, "md")
    assert "The softmax ties every output to every net" in text
    assert r"\frac{\partial \mathrm{out}_{o2}}{\partial \mathrm{net}_{o1}}" in text
    # softmax with cross-entropy: delta_j = out_j - target_j when the targets add up to 1
    for b in d.first.backward:
        if b.neuron.layer == len(d.network.layers) - 1:
            out = next(s.out for s in d.first.forward if s.neuron is b.neuron)
            target = d.first.values[next(o.target for o in d.network.outputs if o.neuron is b.neuron)]
            assert abs(b.delta.value - (out - target)) < 1e-40


def test_every_parameter_of_every_preset_is_derived_in_full() -> None:
    for name in spec.preset_names():
        if spec.load_preset(name).structure is not None:
            continue  # the layer kinds' notes: tests/notes/test_layer_notes.py
        d = derivation.build(network.build(spec.load_preset(name)), history_steps=(1,))
        text = walkthrough.render(d, "md", NotesRequest(full=True))
        for p in d.network.params:
            heading = f"#### The gradient of ${walkthrough.Printers(None, 9).tex(p.symbol)}$"
            assert text.count(heading) == len(d.passes), (name, p.name)
