"""derive.steps: every narrated step is a true equality, and the chain of them gives SymPy's derivative."""

from __future__ import annotations

import tomllib
from decimal import Decimal

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sympy import Add, Expr, Heaviside, Integer, Max, Rational, Symbol, exp, log, tanh

from derive.maths import derivation
from derive.maths.steps import RULES, Explanation, Step, Unsupported, explain
from derive.model import network, spec
from derive.model.network import Network, Neuron
from derive.model.rules import relu, sigmoid, softmax_jacobian

X, Y = Symbol("x", real=True), Symbol("y", real=True)

TRAINING = """
[[samples]]
inputs = [0.5, -0.25]
targets = [%s]

[training]
learning_rate = 0.5
"""


def _spec_text(hidden: str, output: str, loss: str, outputs: int) -> str:
    weights = ", ".join(["[0.1, -0.2]"] * outputs)
    targets = ", ".join(["0.25", "0.75", "0"][:outputs])
    return f"""
title = "A small {output} network"
inputs = 2
loss = "{loss}"

[[layers]]
neurons = 2
activation = "{hidden}"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = {{ mode = "per_neuron", values = [0.1, -0.1] }}

[[layers]]
neurons = {outputs}
activation = "{output}"
weights = [{weights}]
bias = {{ mode = "shared", form = "threshold", values = [0.5] }}
""" + TRAINING % targets


SMALL = {
    "softmax_ce": _spec_text("tanh", "softmax", "cross_entropy", 3),
    "binary_ce": _spec_text("relu", "sigmoid", "cross_entropy", 2),
    "tanh": _spec_text("sigmoid", "tanh", "mse", 2),
    "relu": _spec_text("identity", "relu", "half_sse", 2),
    "identity": _spec_text("relu", "identity", "mse", 1),
}
PRESETS = ("mazur", "gender", "textbook")


def _network(name: str) -> Network:
    if name in PRESETS:
        return network.build(spec.load_preset(name))
    data = tomllib.loads(SMALL[name], parse_float=Decimal)
    return network.build(spec.from_mapping(data, f"<{name}>", name))


def _same(a: Expr, b: Expr) -> bool:
    return a == b or sympy.expand(a - b) == 0 or sympy.simplify(a - b) == 0


def _check(ex: Explanation, back: dict[Expr, Symbol] | None = None) -> None:
    """The properties every explanation has, whatever it explains."""
    unnamed = {name: pattern for pattern, name in (back or {}).items()}
    truth = sympy.diff(ex.expr, ex.var)
    assert _same(ex.result.xreplace(unnamed), truth)
    assert ex.lines()[-1] == ex.result
    assert explain(ex.expr, ex.var, back) == ex  # deterministic
    for step in ex.steps:
        _check_step(step, ex.var, unnamed)


def _check_step(step: Step, var: Symbol, unnamed: dict[Symbol, Expr]) -> None:
    assert step.rule in RULES and (step.outer is None or step.outer in RULES)
    assert (step.rule == "chain") == (step.inner is not None) == (step.outer is not None)
    # the narrated line d/dx(of) = result is true: open Derivative objects evaluate to the same thing
    assert _same(step.result.xreplace(unnamed).doit(), sympy.diff(step.of, var))


def _rules(ex: Explanation) -> tuple[str, ...]:
    return tuple(s.rule for s in ex.steps)


def _nets(neuron: Neuron, net: Network) -> tuple[Symbol, ...]:
    return tuple(n.net for n in net.layers[neuron.layer])


# 1. dE_total / dout_o


@pytest.mark.parametrize("name", PRESETS + tuple(SMALL))
def test_loss_gradient_equals_the_engine(name: str) -> None:
    net = _network(name)
    e_total = Add(*[o.loss_expr for o in net.outputs])
    closed = derivation.closed_forms(net)
    for o in net.outputs:
        ex = explain(e_total, o.neuron.out)
        _check(ex)
        assert _same(ex.result, closed.loss_grads[o.neuron.out])
        assert 1 <= len(ex.steps) <= 6


def test_half_sse_is_sum_constant_multiple_power_chain_difference() -> None:
    net = _network("mazur")
    e_total = Add(*[o.loss_expr for o in net.outputs])
    o1 = net.outputs[0]
    ex = explain(e_total, o1.neuron.out)
    assert _rules(ex) == ("sum", "constant_multiple", "chain", "sum")
    assert ex.steps[0].result == sympy.Derivative(o1.loss_expr, o1.neuron.out)  # o2's term vanished
    assert ex.steps[1].result == Rational(1, 2) * sympy.Derivative((o1.target - o1.neuron.out) ** 2, o1.neuron.out)
    assert (ex.steps[2].outer, ex.steps[2].inner) == ("power", o1.target - o1.neuron.out)
    assert ex.steps[3].result == -1
    assert ex.result == o1.neuron.out - o1.target == derivation.closed_forms(net).loss_grads[o1.neuron.out]


def test_mse_with_one_output_has_no_sum_over_outputs() -> None:
    net = _network("gender")
    o = net.outputs[0]
    ex = explain(o.loss_expr, o.neuron.out)
    assert _rules(ex) == ("chain", "sum")
    assert ex.result == sympy.diff(o.loss_expr, o.neuron.out)


def test_cross_entropy_uses_the_log_rule() -> None:
    net = _network("softmax_ce")
    o = net.outputs[1]
    ex = explain(Add(*[k.loss_expr for k in net.outputs]), o.neuron.out)
    assert _rules(ex) == ("sum", "constant_multiple", "log")
    assert ex.result == -o.target / o.neuron.out


def test_binary_cross_entropy_chains_the_log_of_one_minus_out() -> None:
    net = _network("binary_ce")
    o = net.outputs[0]
    ex = explain(Add(*[k.loss_expr for k in net.outputs]), o.neuron.out)
    assert _rules(ex) == ("sum", "constant_multiple", "log", "constant_multiple", "chain", "sum")
    assert ex.steps[4].outer == "log" and ex.steps[4].inner == 1 - o.neuron.out


# 2. dout / dnet


def _activation(neuron: Neuron, net: Network) -> Explanation:
    nets = _nets(neuron, net)
    forward = neuron.activation.forward(nets, neuron.position)
    return explain(forward, neuron.net, {forward: neuron.out})


LOCAL = {  # activation -> (rules, what dout/dnet becomes in the network's names)
    "sigmoid": (("sigmoid", "substitute"), lambda n: n.out * (1 - n.out)),
    "tanh": (("tanh", "substitute"), lambda n: 1 - n.out**2),
    "relu": (("relu",), lambda n: Heaviside(n.net, 0)),
    "identity": (("variable",), lambda n: Integer(1)),
}


@pytest.mark.parametrize("name", PRESETS + tuple(SMALL))
def test_elementwise_activation_derivative_in_outs(name: str) -> None:
    net = _network(name)
    for neuron in net.neurons:
        if not neuron.activation.elementwise:
            continue
        ex = _activation(neuron, net)
        _check(ex, {neuron.activation.forward(_nets(neuron, net), neuron.position): neuron.out})
        rules, local = LOCAL[neuron.activation.name]
        assert _rules(ex) == rules
        assert ex.result == local(neuron) == neuron.activation.local(neuron.out, neuron.net)


def test_sigmoid_step_is_the_identity_before_naming() -> None:
    ex = explain(sigmoid(X), X)
    assert _rules(ex) == ("sigmoid",) and ex.result == sigmoid(X) * (1 - sigmoid(X))


def test_softmax_is_the_quotient_rule_and_gives_the_jacobian() -> None:
    net = _network("softmax_ce")
    last = net.layers[-1]
    nets = _nets(last[0], net)
    back = {last[0].activation.forward(nets, k.position): k.out for k in last}
    for j in last:
        for k in last:
            ex = explain(last[0].activation.forward(nets, k.position), j.net, back)
            _check(ex, back)
            assert _same(ex.result, softmax_jacobian(k.out, j.out, k is j))
            assert ex.result.free_symbols <= {k.out, j.out}
            if k is j:
                assert _rules(ex) == ("quotient", "exp", "sum", "substitute")
                assert ex.result == j.out * (1 - j.out)
            else:
                assert _rules(ex) == ("constant_multiple", "chain", "sum", "exp", "substitute")
                assert ex.result == -k.out * j.out


# 3. dnet / dw, dnet / db, dnet_k / dout_h


@pytest.mark.parametrize("name", PRESETS + tuple(SMALL))
def test_net_derivatives_are_the_engine_local_rules(name: str) -> None:
    net = _network(name)
    for neuron in net.neurons:
        for param, dnet in neuron.local_derivatives():
            ex = explain(neuron.net_expr(), param.symbol)
            _check(ex)
            assert ex.result == dnet
            assert len(ex.steps) <= 3
        for link in neuron.links:
            assert explain(neuron.net_expr(), link.source).result == link.weight.symbol


def test_mazur_weight_and_textbook_threshold() -> None:
    mazur = _network("mazur")
    o1 = mazur.layers[-1][0]
    w5 = o1.links[0].weight.symbol
    ex = explain(o1.net_expr(), w5)
    assert _rules(ex) == ("sum", "constant_multiple", "variable")
    assert ex.result == o1.links[0].source
    textbook = _network("textbook")
    y1 = textbook.layers[-1][0]
    ex = explain(y1.net_expr(), y1.bias.symbol)
    assert _rules(ex) == ("sum",) and ex.result == -1  # the threshold's sign, seen at once


# the walk in general


def test_product_quotient_and_rules_of_functions() -> None:
    assert _rules(explain(X * exp(X), X)) == ("product", "variable", "exp")
    assert _rules(explain(exp(X) / (1 + X), X)) == ("quotient", "exp", "sum")
    assert _rules(explain(tanh(X**2), X)) == ("chain", "power")
    assert _rules(explain(relu(2 * X + Y), X)) == ("chain", "sum")
    assert _rules(explain(Y, X)) == ("constant",) and explain(Y, X).result == 0
    assert explain(Max(0, X), X).result == Heaviside(X, 0)  # relu's H(0) = 0, not SymPy's 1/2
    assert _rules(explain(2**X, X)) == ("exp",)
    with pytest.raises(Unsupported):
        explain(X**X, X)


def test_a_repeated_sub_expression_is_explained_once() -> None:
    u = 1 + exp(X)
    ex = explain(log(u) + u**2, X)
    assert [s.of for s in ex.steps].count(u) == 1
    _check(ex)


def test_substitute_only_when_it_changes_something() -> None:
    assert _rules(explain(X**2, X, {sigmoid(X): Y})) == ("power",)


LEAVES = st.sampled_from([X, X, X, Y, Integer(2), Integer(-1), Rational(1, 3)])
def _max0(u: Expr) -> Expr:
    try:
        return Max(0, u)
    except ValueError:  # Max(0, I*pi) cannot be built; log(-1) = I*pi is a valid leaf otherwise
        return relu(u)


UNARY = [exp, log, sigmoid, tanh, relu, _max0]

# Odd fractions, so that no sum of the leaves' small numbers puts relu's kink exactly on a point.
POINTS = ((Rational(3, 7), Rational(-5, 11)), (Rational(13, 11), Rational(17, 19)),
          (Rational(-17, 13), Rational(2, 23)), (Rational(-5, 7), Rational(-29, 17)))


def _expressions() -> st.SearchStrategy[Expr]:
    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        pairs = st.tuples(children, children)
        return st.one_of(
            pairs.map(lambda p: p[0] + p[1]),
            pairs.map(lambda p: p[0] * p[1]),
            pairs.map(lambda p: p[0] / p[1]),
            st.tuples(children, st.integers(-2, 3)).map(lambda p: p[0] ** p[1]),
            st.tuples(st.sampled_from(UNARY), children).map(lambda p: p[0](p[1])),
        )
    return st.recursive(LEAVES, extend, max_leaves=8)


def _numerically_same(a: Expr, b: Expr) -> bool | None:
    """Equal to 25 digits at the points (off relu's kink) where both are defined; None: no such point."""
    compared = 0
    for x, y in POINTS:
        va, vb = _value(a, x, y), _value(b, x, y)
        if va is None or vb is None:
            continue
        if abs(va - vb) > Rational(1, 10**25) * (1 + abs(vb)):
            return False
        compared += 1
    return compared > 0 or None


def _value(e: Expr, x: Expr, y: Expr) -> Expr | None:
    # in elementary functions, so that Heaviside can see the sign of its argument
    plain = e.replace(sigmoid, lambda u: 1 / (1 + exp(-u))).replace(relu, lambda u: Max(0, u))
    try:  # a Heaviside of a complex number (log of a negative) raises: not a point to compare at
        v = sympy.N(plain.subs({X: x, Y: y}), 30)
    except (ValueError, TypeError):
        return None
    return v if v.is_finite and all(part.is_Number for part in v.as_real_imag()) else None


def _h0(e: Expr) -> Expr:
    """relu's convention H(0) = 0 everywhere (SymPy differentiates Max(0, u) to H(u) with H(0) = 1/2)."""
    return e.replace(lambda h: isinstance(h, Heaviside), lambda h: Heaviside(h.args[0], 0))


def _same_somewhere(a: Expr, b: Expr) -> None:
    """a == b exactly or at test points; an expression defined at none of them says nothing."""
    if a == b:
        return
    same = _numerically_same(a, b)
    assume(same is not None)
    assert same


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_expressions())
def test_random_expressions_match_sympy(expr: Expr) -> None:
    assume(X in expr.free_symbols and not expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))
    try:
        ex = explain(expr, X)
    except Unsupported:  # only when SymPy's own evaluation made an unsupported node, e.g. Abs
        assume(False)
        raise
    assert ex.lines()[-1] == ex.result
    assert explain(expr, X) == ex
    assert all(step.rule in RULES for step in ex.steps)
    _same_somewhere(ex.result, _h0(sympy.diff(expr, X)))
    for step in ex.steps:
        _same_somewhere(_h0(step.result.doit()), _h0(sympy.diff(step.of, X)))
