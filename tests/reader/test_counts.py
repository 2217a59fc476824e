"""The count of examples an update divides the learning rate by (`\\frac{\\eta}{m}`), where the document
gives m no value: 1 on a network learning from one sample. The numbers come from tests/oracle.py (an mpmath
forward pass, the gradient by finite differences)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, param_values
from tests.oracle import mp

MAZUR = spec.load_preset("mazur")


def updated_w5(scale: int = 1) -> str:
    values = param_values(MAZUR)
    rate = mp.mpf(str(MAZUR.training.learning_rate))
    return mp.nstr(values["w5"] - scale * rate * finite_difference(MAZUR, 0, "w5", values), 9)


def statuses(document: str, s: spec.Spec = MAZUR) -> list[str]:
    d = derivation.build(network.build(s), history_steps=(1,))
    return [f.verdict.status for f in check_document(d, "md", document).found]


RULE = r"w_5^{{+}} = w_5 - \frac{{\eta}}{{m}} \frac{{\partial E_{{total}}}}{{\partial w_5}} = {value}"


@pytest.mark.parametrize("scale, status", [(1, "correct"), (2, "wrong")])
def test_the_rate_over_m_on_one_sample(scale: int, status: str) -> None:
    """m, given no value, counts the one example: the rule is the plain update, and its number is judged."""
    assert statuses(f"$${RULE.format(value=updated_w5(scale))}$$") == ["correct", status]


def test_a_rate_times_two_over_m_is_still_wrong() -> None:
    assert statuses(r"$$w_5^{+} = w_5 - \frac{2\eta}{m} \frac{\partial E_{total}}{\partial w_5}$$") == ["wrong"]


def test_the_documents_own_m_is_its_own() -> None:
    """m = 4 stated: the rule divides by 4, which the network's one-sample update does not."""
    document = f"$m = 4$\n\n$${RULE.format(value=updated_w5())}$$"
    assert "wrong" in statuses(document)


def test_m_over_several_samples_is_not_read() -> None:
    """With two samples, whether the gradient written already averages is not read: never judged."""
    two = replace(MAZUR, samples=(MAZUR.samples[0], replace(MAZUR.samples[0], name="s2")))
    found = statuses(r"$$w_5^{+} = w_5 - \frac{\eta}{m} \frac{\partial E_{total}}{\partial w_5}$$", two)
    assert not {"correct", "wrong"} & set(found)


def gradient_w5(scale: int = 1) -> str:
    return mp.nstr(scale * finite_difference(MAZUR, 0, "w5", param_values(MAZUR)), 9)


@pytest.mark.parametrize("scale, status", [(1, "correct"), (2, "wrong")])
def test_one_over_m_in_a_gradient_by_a_parameter(scale: int, status: str) -> None:
    """dW = 1/m dZ A^T as course notes average over the examples: on one sample, the gradient itself."""
    rule = r"\frac{\partial E_{total}}{\partial w_5} = \frac{1}{m} \delta_{o1} out_{h1}"
    assert statuses(f"$${rule} = {gradient_w5(scale)}$$") == ["correct", status]


def test_one_over_m_in_the_loss_is_not_read() -> None:
    """In the loss, m may count the outputs (a mean over them): not read as the one example."""
    assert not {"correct", "wrong"} & set(statuses(
        r"$$E_{total} = \frac{1}{m} \sum \frac{1}{2}(target - output)^2$$"))


@pytest.mark.parametrize("first, status", [(1, "correct"), (2, "cannot check")])
def test_m_stated_twice_is_the_count_of_the_networks_samples(first: int, status: str) -> None:
    """m = 1 for the example worked, then m = 4 for a batch spoken of later: a rule over m that holds with
    the network's one sample is correct; one that holds with an earlier m that is not that count (2/m with
    m = 2) may mean either m: which is not read."""
    rule = rf"\frac{{\partial E_{{total}}}}{{\partial w_5}} = \frac{{{first}}}{{m}} \delta_{{o1}} out_{{h1}}"
    found = statuses(f"$m = {first}$ here, and $m = 4$ later.\n\n$${rule}$$")
    assert found[-1] == status


def test_m_stated_twice_does_not_credit_a_wrong_rule() -> None:
    rule = r"\frac{\partial E_{total}}{\partial w_5} = \frac{2}{m} \delta_{o1} out_{h1}"
    assert statuses(f"$m = 1$ here, and $m = 4$ later.\n\n$${rule}$$")[-1] == "wrong"
