"""A wrong number carried on as people carry it: written again in scientific notation (`4.399 \\times
10^{-1}`), named (`g = ...`, `\\nabla w_5 = ...`) and used by that name; and the true value written after
working that gives another, far from it. Each document is small and written here; its numbers come from
the oracle's own mpmath."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.check.verdicts import Verdict
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def slip() -> tuple[str, ...]:
    """dE/dw5 with the output's slope left out, as a mantissa to four digits and in full; the true w5 after
    one update with eta 0.5; out_o1 and out_h1."""
    s = spec.load_preset("mazur")
    _, h, o = forward(oracle_net(s), list(s.samples[0].inputs))
    t = mp.mpf("0.01")
    left_out = (o[0] - t) * h[0]  # 0.4399, where the truth is (o - t) o (1 - o) h
    updated = mp.mpf("0.4") - mp.mpf("0.5") * (o[0] - t) * o[0] * (1 - o[0]) * h[0]
    return (mp.nstr(left_out * 10, 4), mp.nstr(left_out, 4), mp.nstr(updated, 8), mp.nstr(o[0], 16),
            mp.nstr(h[0], 16))


def judged(d: derivation.Derivation, text: str) -> list[Verdict]:
    return [f.verdict for f in check_document(d, "md", text).found]


def head(slip: tuple[str, ...]) -> str:
    o, h = slip[3], slip[4]
    return rf"$$\frac{{\partial E_{{total}}}}{{\partial w_5}} = ({o} - 0.01) \times {h} = {slip[0]} \times 10^{{-1}}$$"


def test_a_wrong_number_in_scientific_notation_written_again_carries_the_slip(mazur, slip) -> None:
    verdicts = judged(mazur, head(slip) + "\n\n" + rf"Again: $\frac{{\partial E_{{total}}}}{{\partial w_5}} = "
                                           rf"{slip[0]} \times 10^{{-1}}$.")
    assert [v.status for v in verdicts] == ["wrong", "carried", "carried"]
    assert verdicts[-1].reason == f"uses {slip[0]}e-1, the slip on line 1"


def test_a_name_given_to_a_wrong_number_carries_the_slip_where_it_is_used(mazur, slip) -> None:
    text = head(slip) + "\n\n" + rf"Call it $g = {slip[0]} \times 10^{{-1}}$, so $\frac{{\partial E_{{total}}}}{{\partial w_5}} = g$."
    verdicts = judged(mazur, text)
    assert [v.status for v in verdicts] == ["wrong", "carried", "defined", "carried"]
    assert verdicts[-1].explanations == ()  # the copy's cause is the slip's, named on line 1


def test_the_gradient_symbol_on_a_weights_name_is_its_gradient(mazur, slip) -> None:
    verdicts = [f for f in check_document(mazur, "md", head(slip) + "\n\n" + rf"$\nabla w_5 = {slip[0]} \times 10^{{-1}}$").found]
    assert verdicts[-1].target == "d:E_total/w5" and verdicts[-1].verdict.status == "carried"
    right = check_document(mazur, "md", r"$\nabla w_5 = 0.08216704$").found
    assert [(f.target, f.verdict.status) for f in right] == [("d:E_total/w5", "correct")]


def test_the_true_value_after_working_that_gives_another_far_from_it_is_right(mazur, slip) -> None:
    update = "\n\n" + rf"$$w_5^{{new}} = 0.4 - 0.5 \times {slip[1]} = {slip[2]}$$"
    verdicts = judged(mazur, head(slip) + update)
    assert [v.status for v in verdicts[-2:]] == ["carried", "correct"]
    assert "not worked from the numbers written before it" in verdicts[-1].reason
    worked_out = str(Decimal("0.4") - Decimal("0.5") * Decimal(slip[1]))  # what the working written gives
    worked = judged(mazur, head(slip) + update.replace(slip[2], worked_out))
    assert [v.status for v in worked[-2:]] == ["carried", "carried"]


def test_the_true_value_a_unit_or_two_from_what_the_working_gives_is_a_slip(mazur, slip) -> None:
    # 0.4 - 0.5 x 0.0825 = 0.35875; the true w5 after the update rounds to 0.3589, 1.5 units of its last digit away
    assert mp.nstr(mp.mpf(slip[2]), 4) == "0.3589"
    text = r"$\frac{\partial E_{total}}{\partial w_5} = 0.0825$" + "\n\n" + r"$$w_5^{new} = 0.4 - 0.5 \times 0.0825 = 0.3589$$"
    verdicts = judged(mazur, text)
    assert [v.status for v in verdicts] == ["wrong", "carried", "wrong"]
    assert verdicts[-1].reason.startswith("does not follow from link 1")
