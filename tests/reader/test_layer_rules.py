"""Rules stated for every layer in the textbooks' letters (`z_i^{l} = \\sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}`), on
Mazur's 2-2-2 network (sigmoid, 1/2 SSE): read at each layer l and each neuron, and judged there. What each
rule says is the chain rule's, by hand: a rule right for every layer is correct, one wrong at a layer is
wrong, and one whose index letters or symbols cannot be placed is not read. A formula after words naming
another loss (cross-entropy) than the network's is not judged against it."""

from __future__ import annotations

import pytest

from derive.check.glyphs import LatexError
from derive.check.layer_rules import layer_rule
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import JUDGED, NOT_UNDERSTOOD, check_document


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")))


def judged(d: derivation.Derivation, document: str) -> tuple[str, list[str]]:
    (span,) = check_document(d, "md", document).spans
    return span.status, sorted({f.verdict.status for f in span.found})


def test_a_rule_for_every_layer_is_read_at_each_layer_and_neuron(mazur: derivation.Derivation) -> None:
    # two hidden and two output neurons: four instances, each weight into a neuron from the layer before
    assert layer_rule(r"z_i^{l} = \sum_{j} w_{ij}^{l} a_j^{l-1} + b_i^{l}", mazur.network).instances() == [
        "net_h1 = (w1 * i1 + w2 * i2) + b1", "net_h2 = (w3 * i1 + w4 * i2) + b1",
        "net_o1 = (w5 * out_h1 + w6 * out_h2) + b2", "net_o2 = (w7 * out_h1 + w8 * out_h2) + b2"]
    # w_{ji} from j to i: the letters' layers, read from z and a, tell the weight's ends whichever way round
    assert layer_rule(r"z_i^{(l)} = \sum_{j} w_{ji}^{(l)} a_j^{(l-1)} + b_i^{(l)}", mazur.network).instances()[2] == \
        "net_o1 = (w5 * out_h1 + w6 * out_h2) + b2"


@pytest.mark.parametrize("rule", [
    r"$$z_i^{l} = \sum_{j} w_{ij}^{l} \cdot a_j^{l-1} + b_i^{l}$$",
    r"$$a_i^{l} = f(z_i^{l})$$",
    r"$$\delta_i^{l} = \frac{\partial E}{\partial z_i^{l}}$$",
    r"$$\frac{\partial E}{\partial w_{ij}^{l}} = \delta_i^{l} \cdot a_j^{l-1}$$",
    r"$$\delta_i^{l} = f'(z_i^{l}) \sum_{k} w_{ki}^{l+1} \delta_k^{l+1}$$",
    r"$$\delta_i^{L} = (o_i - y_i) \cdot \sigma'(z_i^{L})$$",
])
def test_the_chain_rule_for_every_layer_is_correct(mazur: derivation.Derivation, rule: str) -> None:
    assert judged(mazur, rule) == (JUDGED, ["correct"])


def test_a_rule_wrong_at_a_layer_is_wrong(mazur: derivation.Derivation) -> None:
    # the gradient of w_{ij} by the sending neuron's delta and the receiving neuron's output: roles swapped
    status, verdicts = judged(mazur, r"$$\frac{\partial E}{\partial w_{ij}^{l}} = \delta_j^{l-1} a_i^{l}$$")
    assert status == JUDGED and "wrong" in verdicts and "correct" not in verdicts


def test_deltas_sign_is_not_told_where_the_other_sign_makes_the_rule_hold(mazur: derivation.Derivation) -> None:
    # (y - o) f'(z): dE/dnet with its sign flipped, as notes that define delta = -dE/dnet write it
    report = check_document(mazur, "md", r"$$\delta_i^{L} = (y_i - o_i) f'(z_i^{L})$$")
    assert report.spans[0].status == NOT_UNDERSTOOD and "sign for delta" in report.spans[0].reason
    assert judged(mazur, r"$$\delta_i^{L} = 2 (y_i - o_i) f'(z_i^{L})$$")[1] == ["wrong"]


@pytest.mark.parametrize("rule", [
    r"w_{ij}^{l} = 1",  # neither letter placed: which is the neuron fed is not told
    r"\delta_j^{l} = y_j",  # y with no output beside it: the target or the output?
    r"z_i^{l} = \sum_{j} w_{ij}^{l} a_j^{l} + b_i^{l}",  # both of the weight's letters in one layer
])
def test_a_rule_whose_letters_cannot_be_placed_is_not_read(mazur: derivation.Derivation, rule: str) -> None:
    with pytest.raises(LatexError):
        layer_rule(rule, mazur.network).instances()
    assert check_document(mazur, "md", f"$${rule}$$").spans[0].status == NOT_UNDERSTOOD


def test_a_formula_after_words_about_another_loss_is_not_judged(mazur: derivation.Derivation) -> None:
    """δ = o - y is the output delta of sigmoid outputs with binary cross-entropy, not with 1/2 SSE."""
    rule = r"$$\delta_i^{L} = o_i - y_i$$"
    assert judged(mazur, rule)[1] == ["wrong"]
    found = check_document(mazur, "md", "**Sigmoid + Binary Cross-Entropy:**\n\n" + rule).found
    assert {f.verdict.status for f in found} == {"cannot check"} and "cross-entropy" in found[0].verdict.reason.lower()
    squared = check_document(mazur, "md", "**Sigmoid + MSE, unlike cross-entropy:**\n\n" + rule).found
    assert {f.verdict.status for f in squared} == {"wrong"}  # the network's own loss named too: judged


def test_a_weights_indices_keep_the_way_round_the_document_first_gave_them(mazur: derivation.Derivation) -> None:
    """z_i = sum_j w_ij a_j gives w_ij into i from j; the gradient written with i and j the other way round
    then is not read (which way it means them is not told); written the same way it is correct."""
    forward = r"$$z_i^{l} = \sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}$$"
    swapped = r"$$\frac{\partial E}{\partial w_{ij}^{l}} = \delta_j^{l} a_i^{l-1}$$"
    kept = r"$$\frac{\partial E}{\partial w_{ij}^{l}} = \delta_i^{l} a_j^{l-1}$$"
    spans = check_document(mazur, "md", "\n\n".join([forward, swapped, kept])).spans
    assert [s.status for s in spans] == [JUDGED, NOT_UNDERSTOOD, JUDGED]
    assert "other way round from line 1" in spans[1].reason
    assert {f.verdict.status for f in spans[2].found} == {"correct"}


@pytest.mark.parametrize("rule", [r"\frac{\partial E}{\partial w_{ij}^{l}} = \delta_i^{l} a_{ij}^{l-1}",
                                  r"z_{ij}^{l} = w_{ij}^{l} a_j^{l-1}", r"\delta_i^L = o_{ii} - y_i"])
def test_two_indices_on_one_neurons_glyph_are_not_read(mazur: derivation.Derivation, rule: str) -> None:
    assert check_document(mazur, "md", f"$${rule}$$").spans[0].status == NOT_UNDERSTOOD
