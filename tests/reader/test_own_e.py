"""A person's own names as later lines use them. A document that names the error e (`e = \\hat{y} - y`) and
then writes `E = \\frac{1}{2} e^2`: the power of its own e, or of Euler's number? Not told, so it cannot be
checked; before e is named, e^2 is Euler's number's square, wrong for the loss. A name whose chain ends in a
slip stands for the number concluded. Values from the oracle's forward pass or exact arithmetic."""

from __future__ import annotations

from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp
from tests.reader.test_lost_signs import neuron  # noqa: F401  (the fixture: one sigmoid neuron)


def test_a_power_of_e_after_the_document_names_e_cannot_be_checked(neuron) -> None:  # noqa: F811
    s = neuron.network.spec
    o = forward(oracle_net(s), list(s.samples[0].inputs))[-1][0]
    error = f"$e = {mp.nstr(o, 9)} - 1 = {mp.nstr(o - 1, 9)}$"
    loss = r"$E_{total} = \frac{1}{2} e^2$"
    found = check_document(neuron, "md", error + "\n\n" + loss).found
    assert [f.verdict.status for f in found if f.verdict.line == 3] == ["cannot check"]
    assert "e is your own name (line 1)" in next(f.verdict.reason for f in found if f.verdict.line == 3)
    before = check_document(neuron, "md", loss + "\n\n" + error).found
    assert [f.verdict.status for f in before if f.verdict.line == 1] == ["wrong"]


def test_a_name_whose_chain_ends_in_a_slip_stands_for_the_number_concluded(neuron) -> None:  # noqa: F811
    """`q = 0.25 \\times 1.5 = 0.385` (it is 0.375), then `r = \\sigma(q) = \\sigma(0.385) = ...`: the person
    goes on with the 0.385 they concluded, so the second line follows from it (carried, never wrong); had q
    stayed 0.375, \\sigma(0.385) would not follow from \\sigma(q)."""
    r = mp.nstr(1 / (1 + mp.exp(-mp.mpf("0.385"))), 6)
    document = r"$q = 0.25 \times 1.5 = 0.385$" + "\n\n" + rf"$r = \sigma(q) = \sigma(0.385) = {r}$"
    found = check_document(neuron, "md", document).found
    assert [f.verdict.status for f in found if f.verdict.line == 1] == ["defined", "wrong"]
    assert "wrong" not in [f.verdict.status for f in found if f.verdict.line == 3]


def test_a_name_whose_chain_goes_on_from_a_slip_stands_for_the_number_concluded(neuron) -> None:  # noqa: F811
    """`q = 0.25 \\times 1.5 + 0.5 = 0.375 + 0.6 = 0.975`: the slip is in the middle link (0.5 copied as
    0.6), the last follows from it; the person goes on with 0.975, so `r = \\sigma(q) = ...` computed from
    0.975 is carried, never wrong, and the slip is named once, where it was made."""
    r = mp.nstr(1 / (1 + mp.exp(-mp.mpf("0.975"))), 6)
    document = r"$q = 0.25 \times 1.5 + 0.5 = 0.375 + 0.6 = 0.975$" + "\n\n" + rf"$r = \sigma(q) = {r}$"
    found = check_document(neuron, "md", document).found
    assert [f.verdict.status for f in found if f.verdict.line == 1] == ["defined", "wrong", "carried"]
    assert [f.verdict.status for f in found if f.verdict.line == 3] == ["carried", "carried"]


def test_a_reading_tried_apart_leaves_no_name_behind(neuron) -> None:  # noqa: F811
    """A second reading of a span (tried, then dropped) defines nothing in the first: the names, the values
    written and the values worked out are as they were after it."""
    from derive.check.claims import Num
    from derive.check.truth import Truth
    from derive.check.values import Evaluator, OwnNames
    from derive.model.precision import real

    evaluator = Evaluator(Truth(neuron), OwnNames())
    evaluator.own.define("q", Num("1"), real("1"), 1)
    document, memo = evaluator.document, evaluator.memo
    with evaluator.apart():
        evaluator.own.define("g", Num("2"), real("2"), 2)
        evaluator.memo["g"] = real("2")
        assert "g" in evaluator.own.nodes
    assert list(evaluator.own.nodes) == ["q"] and "g" not in evaluator.memo
    assert evaluator.document is document and evaluator.memo is memo
