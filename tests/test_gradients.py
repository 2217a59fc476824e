"""The engine's chains of factors equal sympy.diff of the fully expanded E_total, and its numbers equal
finite differences of an independent forward pass."""

from __future__ import annotations

import random

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Symbol, diff, exp, expand, log, tanh

from derive import derivation, expand as expansion, network, spec
from derive.rules import ACTIVATIONS, LOSSES, relu, sigmoid, softmax_jacobian
from tests.helpers import finite_difference, param_values, random_spec_data
from tests.oracle import mp

x = Symbol("x", real=True)
t, o = Symbol("t", real=True), Symbol("o", real=True)


def test_sigmoid_rule_is_the_derivative_of_its_formula() -> None:
    formula = 1 / (1 + exp(-x))
    stated = ACTIVATIONS["sigmoid"].local(formula, x)
    assert sympy.simplify(diff(formula, x) - stated) == 0
    assert sympy.simplify(diff(sigmoid(x), x).rewrite(exp) - stated) == 0


def test_tanh_relu_identity_rules() -> None:
    assert sympy.simplify(diff(tanh(x), x) - ACTIVATIONS["tanh"].local(tanh(x), x)) == 0
    piecewise = sympy.Piecewise((x, x > 0), (0, True))
    for point in (-2, -0.5, 0.5, 3):
        assert diff(piecewise, x).subs(x, point) == ACTIVATIONS["relu"].local(relu(point), x).subs(x, point)
    assert ACTIVATIONS["identity"].local(x, x) == 1


def test_softmax_jacobian_is_the_derivative_of_softmax() -> None:
    nets = sympy.symbols("n1:4", real=True)
    outs = [ACTIVATIONS["softmax"].forward(nets, k) for k in range(3)]
    for k in range(3):
        for j in range(3):
            stated = softmax_jacobian(outs[k], outs[j], k == j)
            assert sympy.simplify(diff(outs[k], nets[j]) - stated) == 0


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_numeric_loss_gradients_are_the_derivatives(name: str) -> None:
    rule = LOSSES[name]
    symbolic = diff(rule.per_output(t, o, 3), o)
    for tv, ov in ((0.2, 0.7), (0.9, 0.3)):
        expected = symbolic.subs({t: tv, o: ov})
        assert abs(float(expected) - float(rule.numeric_grad(mp.mpf(tv), mp.mpf(ov), 3))) < 1e-12


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


@pytest.mark.parametrize("preset", spec.preset_names())
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


@pytest.mark.parametrize("preset", spec.preset_names())
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
