"""Names as people spell them in worked examples: a loss written with what it depends on (`J(W, b)`), a
layer's activation written with the layer's index (`f_1(z_1)`, `f'_2`). The documents' numbers come from
tests/oracle.py (an mpmath forward pass and finite differences)."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, oracle_net, param_values
from tests.oracle import forward, mp

MAZUR = spec.load_preset("mazur")


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(MAZUR), history_steps=(1,))


def gradient(name: str) -> str:
    return mp.nstr(finite_difference(MAZUR, 0, name, param_values(MAZUR)), 9)


def hidden() -> tuple[str, str, str]:
    """net_h1, out_h1 and the sigmoid's slope there, from the oracle."""
    net_h1 = mp.fsum([mp.mpf("0.15") * mp.mpf("0.05"), mp.mpf("0.2") * mp.mpf("0.1"), mp.mpf("0.35")])
    out_h1 = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[1][0]
    return mp.nstr(net_h1, 9), mp.nstr(out_h1, 9), mp.nstr(out_h1 * (1 - out_h1), 9)


def statuses(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.verdict.status for f in report.found]


@pytest.mark.parametrize("loss", ["J(W, b)", "L(\\hat{y}, y)", "C(w)", "E(w, b)"])
def test_a_loss_applied_to_its_parameters_is_the_loss(mazur: derivation.Derivation, loss: str) -> None:
    document = "\n\n".join([
        f"$$\\frac{{\\partial {loss}}}{{\\partial w_5}} = {gradient('w5')}$$",
        f"$$\\frac{{\\partial {loss}}}{{\\partial w_1}} = {gradient('w1')}$$",
    ])
    report = check_document(mazur, "md", document)
    assert statuses(report) == ["correct", "correct"]
    assert {f.target for f in report.found} == {"d:E_total/w5", "d:E_total/w1"}


def test_a_wrong_gradient_of_a_loss_applied_to_its_parameters_is_wrong(mazur: derivation.Derivation) -> None:
    wrong = mp.nstr(finite_difference(MAZUR, 0, "w5", param_values(MAZUR)) * 2, 9)
    document = "\n\n".join([
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial w_1}} = {gradient('w1')}$$",
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial w_5}} = {wrong}$$",
    ])
    assert statuses(check_document(mazur, "md", document)) == ["correct", "wrong"]


def test_a_layer_s_activation_written_with_its_index(mazur: derivation.Derivation) -> None:
    net_h1, out_h1, slope = hidden()
    document = "\n\n".join([
        f"$$z_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = {net_h1}$$",
        f"$$a_1 = f_1(z_1) = f_1({net_h1}) = {out_h1}$$",
        f"$$f'_1(z_1) = a_1 (1 - a_1) = {slope}$$",
    ])
    report = check_document(mazur, "md", document)
    assert set(statuses(report)) == {"correct"} and len(report.found) >= 5


def test_a_wrong_value_of_a_layer_s_activation_is_wrong(mazur: derivation.Derivation) -> None:
    net_h1, out_h1, _ = hidden()
    document = "\n\n".join([
        f"$$z_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = {net_h1}$$",
        f"$$a_1 = f_1({net_h1}) = 0.6032$$",
    ])
    assert "wrong" in statuses(check_document(mazur, "md", document))
