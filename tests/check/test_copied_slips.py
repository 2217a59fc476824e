"""A wrong number carried on as people carry it: written again in scientific notation (`4.399 \\times
10^{-1}`), named (`g = ...`, `\\nabla w_5 = ...`) and used by that name. Each document is small and written
here; its numbers come from the oracle's own mpmath."""

from __future__ import annotations

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
    """dE/dw5 with the output's slope left out, as a mantissa of four digits (times 10^-1); out_o1 and out_h1."""
    s = spec.load_preset("mazur")
    _, h, o = forward(oracle_net(s), list(s.samples[0].inputs))
    left_out = (o[0] - mp.mpf("0.01")) * h[0]  # 0.4399, where the truth is (o - t) o (1 - o) h
    return mp.nstr(left_out * 10, 4), mp.nstr(o[0], 16), mp.nstr(h[0], 16)


def judged(d: derivation.Derivation, text: str) -> list[Verdict]:
    return [f.verdict for f in check_document(d, "md", text).found]


def head(slip: tuple[str, ...]) -> str:
    o, h = slip[1], slip[2]
    return rf"$$\frac{{\partial E_{{total}}}}{{\partial w_5}} = ({o} - 0.01) \times {h} = {slip[0]} \times 10^{{-1}}$$"


def test_a_wrong_number_in_scientific_notation_written_again_carries_the_slip(mazur, slip) -> None:
    verdicts = judged(mazur, head(slip) + "\n\n" + rf"Again: $\frac{{\partial E_{{total}}}}{{\partial w_5}} = "
                                           rf"{slip[0]} \times 10^{{-1}}$.")
    assert [v.status for v in verdicts] == ["wrong", "carried", "carried"]
    assert verdicts[-1].reason == f"uses {slip[0]}e-1, the slip on line 1"


def test_a_name_given_to_a_wrong_number_carries_the_slip_where_it_is_used(mazur, slip) -> None:
    text = head(slip) + "\n\n" + rf"Call it $g = {slip[0]} \times 10^{{-1}}$, " \
        r"so $\frac{\partial E_{total}}{\partial w_5} = g$."
    verdicts = judged(mazur, text)
    assert [v.status for v in verdicts] == ["wrong", "carried", "defined", "carried"]
    assert verdicts[-1].explanations == ()  # the copy's cause is the slip's, named on line 1


def test_the_gradient_symbol_on_a_weights_name_is_its_gradient(mazur, slip) -> None:
    document = head(slip) + "\n\n" + rf"$\nabla w_5 = {slip[0]} \times 10^{{-1}}$"
    verdicts = check_document(mazur, "md", document).found
    assert verdicts[-1].target == "d:E_total/w5" and verdicts[-1].verdict.status == "carried"
    right = check_document(mazur, "md", r"$\nabla w_5 = 0.08216704$").found
    assert [(f.target, f.verdict.status) for f in right] == [("d:E_total/w5", "correct")]


def test_a_number_written_with_a_plus_sign_is_that_number(mazur) -> None:
    """`+0.0822`, a positive change written with its sign: judged as the number (dE/dw5 is the oracle's
    0.08216704...), and, where it is a slip, known again when a later step uses it."""
    s = spec.load_preset("mazur")
    _, h, o = forward(oracle_net(s), list(s.samples[0].inputs))
    grad = (o[0] - mp.mpf("0.01")) * o[0] * (1 - o[0]) * h[0]
    plus = rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = +{mp.nstr(grad, 6)}$"
    assert [v.status for v in judged(mazur, plus)] == ["correct"]
    slip = mp.nstr(grad + mp.mpf("0.01"), 3)  # a digit wrong: 0.0922
    after = mp.mpf("0.4") - mp.mpf("0.5") * mp.mpf(slip)
    document = (rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = +{slip}$" + "\n\n" +
                rf"$w_5^+ = 0.4 - 0.5 \times {slip} = {mp.nstr(after, 6)}$")
    assert [v.status for v in judged(mazur, document)] == ["wrong", "carried", "carried"]


def test_a_number_of_an_unread_equation_used_to_more_digits_cannot_be_checked(mazur) -> None:
    """0.1412 written in an equation that is not read (no quantity delta_out), then used as 0.14118 (it rounds
    to 0.1412): whether a slip is carried from there is not known, as for 0.1412 itself; 0.1398, which is no
    rounding of it, is a slip of its own."""
    s = spec.load_preset("mazur")
    h = forward(oracle_net(s), list(s.samples[0].inputs))[1][0]
    unread = r"$\delta_{out} = 0.2 \times 0.706 = 0.1412$"
    for used, status in (("0.14118", "cannot check"), ("0.1412", "cannot check"), ("0.1398", "wrong")):
        product = mp.nstr(mp.mpf(used) * h, 6)
        line = rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = {used} \times {mp.nstr(h, 9)} = {product}$"
        verdicts = judged(mazur, unread + "\n\n" + line)
        assert next(v.status for v in verdicts if v.line == 3) == status, used
