"""Each activation's and loss's local rule is the derivative of its forward formula."""

from __future__ import annotations

import pytest
import sympy
from sympy import Symbol, diff, exp, tanh

from derive.model.rules import ACTIVATIONS, LOSSES, relu, sigmoid, softmax_jacobian
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
