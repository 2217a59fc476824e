"""Deep networks: the work of a derivation grows linearly with depth, and its numbers stay right."""

from __future__ import annotations

import pytest

from derive.maths import derivation, numeric
from derive.model import network, spec
from tests.helpers import finite_difference, param_values
from tests.networks import deep_chain
from tests.oracle import mp


def _net(depth: int) -> network.Network:
    return network.build(spec.from_mapping(deep_chain(depth), "<deep>", "deep"))


def test_twenty_eight_hidden_layers_given_as_counts_get_distinct_names() -> None:
    s = spec.from_mapping(deep_chain(30), "<deep>", "deep")
    prefixes = [layer.neurons[0][:-1] for layer in s.layers[:-1]]
    assert prefixes[:2] == ["ha", "hb"] and prefixes[25:29] == ["hz", "haa", "hab", "hac"]
    assert len(set(prefixes)) == 29


def _evaluations(depth: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many subexpressions the derivation of a `depth`-layer chain evaluates."""
    count = 0
    rule = numeric._eval

    def counted(expr, values):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return rule(expr, values)

    with monkeypatch.context() as m:
        m.setattr(numeric, "_eval", counted)
        derivation.build(_net(depth), history_steps=(1,))
    return count


def test_evaluation_work_grows_linearly_with_depth(monkeypatch: pytest.MonkeyPatch) -> None:
    # Walked as trees without sharing, the closed forms' work doubles with every layer (ratio ~256 here).
    ratio = _evaluations(16, monkeypatch) / _evaluations(8, monkeypatch)
    assert ratio < 2.6, ratio


def test_thirty_layers_gradients_equal_finite_differences() -> None:
    net = _net(30)
    d = derivation.build(net, history_steps=(1,))
    values = param_values(net.spec)
    by_name = {g.param.name: g.value for g in d.first.gradients}
    for name in ["w1", "w4", "b1", "w60", "w116", "b60"]:
        with mp.workdps(120):  # the first layer's gradient is ~1e-31: 60 digits leave 1e-9 of it
            want = finite_difference(net.spec, 0, name, values)
        assert abs(by_name[name] - want) <= abs(want) * 1e-12, (name, by_name[name], want)
