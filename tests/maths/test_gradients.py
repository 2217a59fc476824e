"""The engine's chains of factors equal sympy.diff of the fully expanded E_total, and its numbers equal
finite differences of an independent forward pass."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Symbol, expand, log

from derive.maths import derivation
from derive.maths import expansion as expansion
from derive.model import network, spec
from derive.model.rules import LOSSES
from tests.helpers import finite_difference, param_values, random_spec_data
from tests.oracle import mp

x = Symbol("x", real=True)
t, o = Symbol("t", real=True), Symbol("o", real=True)


def _differences(net: network.Network, d: derivation.Derivation) -> list[tuple[str, sympy.Expr]]:
    """For every parameter: product of factors minus sympy.diff(E_total), both in the parameters."""
    closed = derivation.closed_forms(net)
    full = expansion.substitutions(net)
    naive = expansion.naive_gradients(net)
    result = []
    for g, oracle in zip(d.first.gradients, naive):
        chained = derivation.gradient_expr(g, closed).xreplace(full)
        result.append((g.param.name, chained - oracle))
    return result


def _random_point(net: network.Network, rng: random.Random) -> dict[Symbol, object]:
    symbols = list(net.inputs) + [o.target for o in net.outputs] + [p.symbol for p in net.params]
    return {s: sympy.Float(rng.uniform(0.1, 0.9) * rng.choice([-1, 1]), 60) for s in symbols}


def _assert_zero_at_points(net: network.Network, name: str, difference: sympy.Expr, rng: random.Random) -> None:
    for _ in range(3):
        point = _random_point(net, rng)
        # targets of a log-loss must stay in (0, 1) and inputs positive enough to keep logs defined
        point.update({o.target: sympy.Float(rng.uniform(0.1, 0.9), 60) for o in net.outputs})
        value = difference.xreplace(point).evalf(60)
        assert abs(value) < sympy.Float(10) ** -40, f"d/d{name} differs at a random point: {value}"


# the dense oracle's presets (the layer kinds' have tests/maths/test_wired.py)
DENSE_PRESETS = [p for p in spec.preset_names() if spec.load_preset(p).structure is None]


@pytest.mark.parametrize("preset", DENSE_PRESETS)
def test_factors_prove_equal_to_diff_for_every_preset(preset: str) -> None:
    net = network.build(spec.load_preset(preset))
    d = derivation.build(net, history_steps=(1,))
    for name, difference in _differences(net, d):
        # Sigmoid networks with squared losses: both sides are polynomials in the same atoms.
        assert expand(difference) == 0, f"{preset}: dE_total/d{name}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_factors_equal_diff_for_random_networks(seed: int) -> None:
    rng = random.Random(seed)
    net = network.build(spec.from_mapping(random_spec_data(rng), "<random>", "random"))
    d = derivation.build(net, history_steps=(1,))
    polynomial = net.spec.loss != "cross_entropy" and all(n.activation.elementwise for n in net.neurons)
    for name, difference in _differences(net, d):
        # Where both sides are polynomials in the same atoms, expand() proves them equal; softmax and
        # logarithms give rational functions, checked at random points at 60 digits instead.
        if not (polynomial and expand(difference) == 0):
            _assert_zero_at_points(net, name, difference, rng)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_gradient_values_equal_finite_differences(seed: int) -> None:
    rng = random.Random(seed)
    s = spec.from_mapping(random_spec_data(rng), "<random>", "random")
    d = derivation.build(network.build(s), history_steps=(1,))
    values = param_values(s)
    for g in d.first.gradients:
        expected = finite_difference(s, 0, g.param.name, values)
        assert abs(g.value - expected) <= mp.mpf(10) ** -30 * max(1, abs(expected)), g.param.name


@pytest.mark.parametrize("preset", DENSE_PRESETS)
def test_preset_gradients_equal_finite_differences(preset: str) -> None:
    s = spec.load_preset(preset)
    d = derivation.build(network.build(s), history_steps=(1,))
    values = param_values(s)
    for p in d.passes:
        index = s.samples.index(p.sample)
        for g in p.gradients:
            expected = finite_difference(s, index, g.param.name, values)
            assert abs(g.value - expected) <= mp.mpf(10) ** -30 * max(1, abs(expected)), g.param.name


def test_log_is_used_by_cross_entropy() -> None:
    assert LOSSES["cross_entropy"].per_output(t, o, 1) == -t * log(o)
