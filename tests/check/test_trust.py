"""A wrong step is never marked correct: every link of a chain is judged against the numbers before it,
whatever stands at its head; a number that follows from an earlier slip is that slip carried forward, and
a number computed from rounded values is right. Expected numbers come from tests/oracle.py or plain Decimal
arithmetic, never from the checker."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.check import checker
from derive.check.digits import agrees_to_written_digits
from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import real
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def outs() -> list[list[object]]:
    s = spec.load_preset("mazur")
    return forward(oracle_net(s), list(s.samples[0].inputs))


def statuses(report: checker.Report) -> list[str]:
    return [v.status for v in report.verdicts]


def test_a_persons_own_name_is_judged_link_by_link(mazur: derivation.Derivation) -> None:
    right = Decimal("0.4") * Decimal("0.25") + Decimal("0.7") * Decimal("0.5")
    wrong = right + Decimal("0.02")
    report = checker.check_text(mazur, f"s = 0.4 * 0.25 + 0.7 * 0.5 = {wrong}")
    assert statuses(report) == ["defined", "wrong"]
    assert "arithmetic slip" in report.verdicts[1].explanations[0]
    assert statuses(checker.check_text(mazur, f"s = 0.4 * 0.25 + 0.7 * 0.5 = {right}")) == ["defined", "correct"]


def test_a_link_that_cannot_be_judged_is_never_correct(mazur: derivation.Derivation) -> None:
    report = checker.check_text(mazur, "z = q9 + 1 = 5")
    assert statuses(report) == ["cannot check", "defined"]
    report = checker.check_text(mazur, "z = q9 + 1 = 5 = 6")
    assert statuses(report) == ["cannot check", "defined", "wrong"]


def test_a_value_stated_again_is_a_new_definition(mazur: derivation.Derivation) -> None:
    report = checker.check_text(mazur, "l = 0\nl = 1\nm = l + 1 = 2")
    assert statuses(report) == ["defined", "defined", "defined", "correct"]
    assert "stated again: it was 0 on line 1" in report.verdicts[1].reason


def test_a_number_from_an_earlier_slip_is_carried_forward(mazur: derivation.Derivation, outs) -> None:
    slip = Decimal("0.6012")  # out_h1 is 0.5933: a wrong number the person goes on with
    out_h2 = Decimal(mp.nstr(outs[1][1], 9))
    net_o1 = Decimal("0.4") * slip + Decimal("0.45") * out_h2 + Decimal("0.6")
    document = "\n\n".join([
        r"$out_{h1} = \frac{1}{1+e^{-0.3775}} = " + f"{slip}$",
        f"$out_{{h2}} = {out_h2}$",
        rf"$net_{{o1}} = 0.4 \times {slip} + 0.45 \times {out_h2} + 0.6 = {net_o1:.6f}$",
    ])
    report = check_document(mazur, "md", document)
    verdicts = [f.verdict for f in report.found]
    assert [v.status for v in verdicts] == ["correct", "wrong", "correct", "carried", "carried"]
    assert "follows from the slip on line 1" in verdicts[3].reason
    assert not any("one digit wrong" in e for v in verdicts for e in v.explanations)


def test_a_number_from_rounded_values_is_right(mazur: derivation.Derivation, outs) -> None:
    h1, h2 = (Decimal(mp.nstr(outs[1][i], 4)) for i in (0, 1))
    exact = Decimal("0.5") * h1 + Decimal("0.55") * h2 + Decimal("0.6")
    truth = mp.fsum([mp.mpf("0.5") * outs[1][0], mp.mpf("0.55") * outs[1][1], mp.mpf("0.6")])
    shown = f"{exact:.5f}"
    assert Decimal(mp.nstr(truth, 6)) != Decimal(shown)  # the rounding shows in the last digit written
    line = rf"$net_{{o2}} = 0.5 \times {h1} + 0.55 \times {h2} + 0.6 = {shown}$"
    verdicts = [f.verdict for f in check_document(mazur, "md", line).found]
    assert [v.status for v in verdicts] == ["correct", "correct"]
    assert "rounded" in verdicts[1].reason


def test_a_wrong_result_after_right_working_is_an_arithmetic_slip(mazur: derivation.Derivation, outs) -> None:
    line = r"$net_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 0.3795$"
    verdicts = [f.verdict for f in check_document(mazur, "md", line).found]
    assert [v.status for v in verdicts] == ["correct", "wrong"]
    assert verdicts[1].explanations[0].startswith("arithmetic slip")


def test_a_derivative_of_a_quantity_by_one_that_does_not_feed_it_is_zero(mazur: derivation.Derivation) -> None:
    # w5 lies past h1: dnet_h1/dw5 is 0, so a chain for dE/dw5 run through h1 is wrong, not unjudged
    report = checker.check_text(mazur, "\n".join([
        "dnet_h1/dw5 = 0",
        "dnet_h1/dw5 = 0.593269992",
        "dE_total/dw5 = dE_total/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw5",
    ]))
    assert [(v.line, v.status) for v in report.verdicts] == [(1, "correct"), (2, "wrong"), (3, "wrong")]


@pytest.mark.parametrize("source", ["mazur", "textbook", "cnn", "rnn", "tests/notes/softmax_342.toml"])
def test_a_derivative_is_zero_only_where_the_closed_form_does_not_hold_the_symbol(source: str) -> None:
    # every net and out written out down to the inputs and parameters by SymPy substitution: a derivative
    # the truth calls zero by structure must be of a quantity whose closed form lacks that symbol
    import sympy

    from derive.check.truth import Truth

    net = network.build(spec.load(source))
    closed: dict[sympy.Symbol, sympy.Expr] = {}
    for layer in net.layers:
        nets = [n.net_expr().xreplace(closed) for n in layer]
        for j, n in enumerate(layer):
            closed[n.net] = nets[j]
            closed[n.out] = n.activation.forward(tuple(nets), j)
    truth = Truth(derivation.build(net))
    names = [p.name for p in net.params] + [i.name for i in net.inputs]
    zero = {(str(top), name) for top in closed for name in names if truth.independent(f"{top}/{name}")}
    absent = {(str(top), name) for top, e in closed.items() for name in names
              if name not in {str(s) for s in e.free_symbols}}
    assert zero <= absent
    if source in ("mazur", "textbook"):  # no kinks or ties: what does not appear is exactly what does not feed
        assert zero == absent and ("out_h1", "w5" if source == "mazur" else net.params[-1].name) in zero


@pytest.mark.parametrize(("given", "written"), [("0.15", "0.14"), ("0.3", "0.2"), ("0.7", "0.6"), ("0.35", "0.34")])
def test_a_given_held_in_binary_is_not_truncated_to_the_number_below(given: str, written: str) -> None:
    """0.15 is held as 0.1499...987 in binary: truncated to two digits that would make 0.14 right. A number one
    unit below an exact decimal does not agree with it; the decimal itself and its rounding down do."""
    value = real(given)
    assert not agrees_to_written_digits(value, written)
    assert agrees_to_written_digits(value, given)
    assert agrees_to_written_digits(real("0.14978"), "0.149") and agrees_to_written_digits(real("0.14978"), "0.15")


def test_a_value_exactly_half_way_may_be_rounded_either_way() -> None:
    """0.7717 x 0.5 = 0.38585 exactly: 0.3859 (half up, as schools round) and 0.3858 (half to even) are both
    right to four digits, signs included; a value just below half way rounds down only."""
    half = real("0.7717") * real("0.5")
    for written in ("0.3859", "0.3858"):
        assert agrees_to_written_digits(half, written) and agrees_to_written_digits(-half, "-" + written)
    assert not agrees_to_written_digits(real("0.385849"), "0.3859")
    assert not agrees_to_written_digits(half, "0.3860")


def test_a_weight_written_one_unit_low_is_wrong(mazur: derivation.Derivation) -> None:
    """w1 = 0.15 (the spec): `w_1 = 0.14` is wrong, not 0.15 truncated."""
    found = check_document(mazur, "md", "The network's weights: $w_1 = 0.14$\n").found
    assert [f.verdict.status for f in found] == ["wrong"]
