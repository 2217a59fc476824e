"""Givens of another example: a run of `name = number` lines most of whose numbers are not the network's
(a neuron set out on its own, weights "after training") is not judged against the network; a copying slip
in a run whose other givens agree stays wrong. The network's givens are the Mazur preset's (w1 = 0.15,
w2 = 0.2, w3 = 0.25, w4 = 0.3, b1 = 0.35, inputs 0.05 and 0.1); the numbers put for them are no value of
that network (a number that is another weight's is read otherwise: the document may number them otherwise)."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")))


def statuses(d: derivation.Derivation, lines: list[str]) -> list[str]:
    return [f.verdict.status for f in check_document(d, "md", "\n".join(lines)).found]


def test_a_run_of_givens_mostly_not_the_networks_is_another_examples(mazur: derivation.Derivation) -> None:
    lines = ["A single neuron on its own:", "", "- $w_1 = 0.27$", "- $b_1 = 0.12$", "- $i_1 = 0.8$", "- $w_2 = 0.2$"]
    found = check_document(mazur, "md", "\n".join(lines)).found
    assert [f.verdict.status for f in found] == ["cannot check", "cannot check", "cannot check", "correct"]
    assert "another example's numbers" in found[0].verdict.reason


@pytest.mark.parametrize("givens", [
    ["- $w_1 = 0.15$", "- $w_2 = 0.2$", "- $w_3 = 0.37$", "- $w_4 = 0.3$"],  # one slip among right givens
    ["- $w_1 = 0.27$", "- $w_2 = 0.33$", "- $w_3 = 0.25$", "- $w_4 = 0.3$"],  # two slips: no run of another example
    ["- $w_1 = 0.27$", "", "Some prose.", "", "- $w_2 = 0.33$", "- $w_3 = 0.37$"],  # not in a row
])
def test_a_slip_among_the_networks_givens_stays_wrong(mazur: derivation.Derivation, givens: list[str]) -> None:
    found = statuses(mazur, givens)
    assert "wrong" in found and "cannot check" not in found


def test_a_run_of_wrong_results_is_no_run_of_givens(mazur: derivation.Derivation) -> None:
    """Outputs and a loss listed wrong (out_o1 is 0.7514, out_o2 0.7729, E_total 0.2984 by the Mazur example's
    own working): worked results, not another example's givens, so each stays wrong."""
    found = statuses(mazur, ["- $out_{o1} = 0.7913$", "- $out_{o2} = 0.7023$", "- $E_{total} = 0.3511$"])
    assert found == ["wrong", "wrong", "wrong"]


@pytest.mark.parametrize("sentence, status", [
    ("**Rule of thumb:** start with $\\eta = 0.001$, then tune it.", "cannot check"),
    ("A common choice is, for example, $\\eta = 0.01$.", "cannot check"),
    ("学习率一般取 $\\eta = 0.01$。", "cannot check"),
    ("The learning rate is $\\eta = 0.05$.", "wrong"),  # this network's, copied wrong: a slip
])
def test_a_given_offered_as_advice_is_not_this_networks(mazur: derivation.Derivation, sentence: str,
                                                        status: str) -> None:
    """The classic network's learning rate is 0.5: a rate a sentence offers as advice or an example is not
    judged against it; one stated as the network's, differing, is wrong."""
    assert [f.verdict.status for f in check_document(mazur, "md", sentence + "\n").found] == [status]


@pytest.mark.parametrize("rate, status", [("-0.5", "cannot check"), ("-0.6", "wrong"), ("0.5", "correct")])
def test_a_learning_rate_with_its_sign_turned(mazur: derivation.Derivation, rate: str, status: str) -> None:
    """The classic network's rate is 0.5: -0.5 is how a document that adds the step (w + η ∂E/∂w) writes it,
    which the given alone does not tell; -0.6 is neither."""
    assert [f.verdict.status for f in check_document(mazur, "md", f"With $\\eta = {rate}$:\n").found] == [status]


@pytest.mark.parametrize("sentence, status", [
    ("relu's slope is 1 above 0 (if $out_{h1} = 0$ it is taken as 0).", "cannot check"),
    ("When $out_{h1} = 0$, the neuron is off.", "cannot check"),
    ("（$out_{h1} = 0$ 处约定取 0）", "cannot check"),
    ("We repeat the same for $out_{h1} = 0$.", "wrong"),  # a value claimed for h1, wrong (0.593...)
    ("如果只把偏置改成 $b_1 = -2.5$，那么输出为 0。", "cannot check"),  # a bias supposed changed
    ("If we change the bias to $b_1 = -2.5$, the neuron is off.", "cannot check"),
    ("We change the bias to $b_1 = -2.5$.", "wrong"),  # no supposition: b1 is 0.35
])
def test_a_condition_is_no_value_claimed(mazur: derivation.Derivation, sentence: str, status: str) -> None:
    """out_h1 is 0.5933 in the classic network: `out_h1 = 0` after "if", "when" or before 处 is a condition
    the text states, not a value it claims; after "for", a value claimed."""
    assert [f.verdict.status for f in check_document(mazur, "md", sentence + "\n").found] == [status]


@pytest.mark.parametrize("sentence, status", [
    ("We want to predict the output for a new input $i_1 = 0.3$.", "cannot check"),
    ("我们希望预测新的输入 $i_1 = 0.3$ 对应的输出。", "cannot check"),
    ("The first input is $i_1 = 0.3$.", "wrong"),  # the sample's input, miscopied (it is 0.05)
    ("To predict, the network uses $w_1 = 0.33$.", "wrong"),  # a weight is the network's, prediction or not
])
def test_an_input_given_to_predict_for(mazur: derivation.Derivation, sentence: str, status: str) -> None:
    assert statuses(mazur, [sentence]) == [status]
