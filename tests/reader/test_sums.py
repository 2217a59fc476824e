"""The loss written as a sum over the output neurons without bounds (`E_{total} = \\sum \\frac{1}{2}(target -
output)^2`, `\\sum_o`, `\\sum_{i}`): written out over the network's outputs and judged as a formula. The
numbers come from tests/oracle.py (an mpmath forward pass)."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp

MAZUR = spec.load_preset("mazur")


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(MAZUR), history_steps=(1,))


def total_error(scale: int = 1) -> str:
    outs = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[2]
    targets = [mp.mpf(str(t)) for t in MAZUR.samples[0].targets]
    return mp.nstr(mp.fsum((t - o) ** 2 for t, o in zip(targets, outs)) / 2 * scale, 9)


def statuses(document: str, mazur: derivation.Derivation) -> list[str]:
    return [f.verdict.status for f in check_document(mazur, "md", document).found]


@pytest.mark.parametrize("half, status", [(r"\frac{1}{2}", "correct"), ("", "wrong")])
def test_a_sum_of_the_generic_target_and_output_is_the_loss(mazur: derivation.Derivation, half: str,
                                                             status: str) -> None:
    """No bounds, no index: the summand's `target` and `output` are each output neuron's."""
    assert statuses(f"$E_{{total}} = \\sum {half}(target - output)^2$", mazur) == [status]


@pytest.mark.parametrize("summed", [r"\sum_o \frac{1}{2}(target_o - out_o)^2",
                                    r"\sum_{i} \frac{1}{2}(target_{oi} - out_{oi})^2",
                                    r"\sum \frac{1}{2}\|target - output\|^2"])
@pytest.mark.parametrize("scale, status", [(1, "correct"), (2, "wrong")])
def test_a_sum_over_the_outputs_by_its_index(mazur: derivation.Derivation, summed: str, scale: int,
                                             status: str) -> None:
    """The index a letter without bounds (the neuron's own letter, or after its label), or a norm's bars
    around the summand: the formula is the loss, and the number after it is judged against it."""
    assert statuses(f"$E_{{total}} = {summed} = {total_error(scale)}$", mazur) == ["correct", status]


def test_a_summand_naming_one_output_is_not_understood(mazur: derivation.Derivation) -> None:
    """out_{o1} inside a sum over every output: which output is meant is not read, never judged."""
    report = check_document(mazur, "md", r"$E_{total} = \sum \frac{1}{2}(target - out_{o1})^2$")
    assert [s.status for s in report.spans] == ["not understood"] and not report.found
    assert "names one output" in report.spans[0].reason


def test_a_sum_naming_no_output_stays_unread(mazur: derivation.Derivation) -> None:
    assert "correct" not in statuses(r"$E_{total} = \sum \frac{1}{2}(a - b)^2$", mazur)


@pytest.mark.parametrize("scale, status", [(1, "correct"), (2, "wrong")])
def test_a_sum_over_more_than_one_name_leaves_its_link_unchecked(mazur: derivation.Derivation, scale: int,
                                                                  status: str) -> None:
    """`\\sum (y - \\hat{y})^2` without bounds: what it runs over is not told, so its link cannot be checked;
    the number after it is still judged against the loss."""
    found = statuses(f"$E_{{total}} = \\frac{{1}}{{2}} \\sum (y - \\hat{{y}})^2 = {total_error(scale)}$", mazur)
    assert found == ["cannot check", status]


def test_a_sum_over_more_than_one_name_at_the_head_is_not_understood(mazur: derivation.Derivation) -> None:
    """The sum is what the chain is about: nothing is judged."""
    report = check_document(mazur, "md", f"$\\frac{{1}}{{2}} \\sum (y - \\hat{{y}})^2 = {total_error()}$")
    assert [s.status for s in report.spans] == ["not understood"] and not report.found
