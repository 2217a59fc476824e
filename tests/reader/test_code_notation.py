"""The notation of notebooks written beside code (a relu layer and softmax outputs, row vectors): names
like `W1`, `scores`, `loss`, givens set side by side in one align block, bracket lists of rows. The
network is a small one of our own; its numbers come from tests/oracle.py or from hand arithmetic."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, oracle_net, param_values, write_spec
from tests.oracle import forward, mp
from tests.oracle import loss as oracle_loss

# 2 inputs, a relu layer of two, three softmax outputs with cross-entropy; x = (2, 1), class 2.
# Row convention: h1 = max(0, x W1 + b1), W1[i][j] joins input i to hidden neuron j.
SPEC = """
title = "relu and softmax, row vectors"
inputs = ["i1", "i2"]
loss = "cross_entropy"

[[layers]]
neurons = ["h1", "h2"]
activation = "relu"
weights = [[0.5, 0.25], [-0.5, 0.75]]
bias = { mode = "per_neuron", values = [0, 0] }

[[layers]]
neurons = ["o1", "o2", "o3"]
activation = "softmax"
weights = [[0.5, -0.25], [-0.5, 0.25], [0.25, 0.5]]
bias = { mode = "per_neuron", values = [0, 0, 0] }

[[samples]]
inputs = [2, 1]
targets = [0, 0, 1]

[training]
learning_rate = 0.1
"""

# W1 and W2 as the row convention writes them (inputs x outputs): the spec's rows are their columns.
GIVENS = r"""$$\begin{align*}
\mathit{x} &= \begin{bmatrix}2 & 1\end{bmatrix} &
\mathit{y} &= 2 \\
\mathit{W1} &= \begin{bmatrix}0.5 & -0.5 \\ 0.25 & 0.75\end{bmatrix} &
\mathit{b1} &= \begin{bmatrix}0 & 0\end{bmatrix} \\
\mathit{W2} &= \begin{bmatrix}0.5 & -0.5 & 0.25 \\ -0.25 & 0.25 & 0.5\end{bmatrix} &
\mathit{b2} &= \begin{bmatrix}0 & 0 & 0\end{bmatrix}
\end{align*}$$"""


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> tuple[derivation.Derivation, list[list[str]]]:
    path = write_spec(tmp_path_factory.mktemp("net"), SPEC)
    s = spec.load(str(path))
    layers = forward(oracle_net(s), list(s.samples[0].inputs))
    return derivation.build(network.build(s), history_steps=(1,)), [[mp.nstr(v, 12) for v in layer] for layer in layers]


def verdicts(report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in report.found:
        found.setdefault(f.target, set()).add(f.verdict.status)
    return found


def test_givens_set_side_by_side_in_an_align_are_read_one_by_one(setting) -> None:
    d, layers = setting
    hidden = r"\begin{bmatrix}" + " & ".join(layers[1]) + r"\end{bmatrix}"
    document = GIVENS + "\n\n" + r"$\mathit{h1} = \max(0, \mathit{x} \mathit{W1} + \mathit{b1}) = " + hidden + "$\n"
    report = check_document(d, "md", document)
    assert [s.status for s in report.spans] == ["judged", "judged"]
    found = verdicts(report)
    assert {q: found[q] for q in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w10", "b5")} == \
        {q: {"correct"} for q in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w10", "b5")}
    assert found["out_h1"] == found["out_h2"] == {"correct"}


def test_a_wrong_value_after_givens_set_side_by_side_is_found(setting) -> None:
    d, _ = setting
    # x W1 = (2 * 0.5 + 1 * 0.25, 2 * -0.5 + 1 * 0.75) = (1.25, -0.25): h1 = (1.25, 0), not (1.5, 0)
    document = GIVENS + "\n\n" + r"$\mathit{h1} = \max(0, \mathit{x} \mathit{W1} + \mathit{b1}) = [1.5, 0]$" + "\n"
    report = check_document(d, "md", document)
    assert [(f.target, f.verdict.link) for f in report.found if f.verdict.status == "wrong"] == [("out_h1", 2)]
    assert verdicts(report)["out_h2"] == {"correct"}


@pytest.fixture(scope="module")
def grads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The loss's gradient by each parameter, by finite differences of the oracle (a net's, by its bias)."""
    s = spec.load(str(write_spec(tmp_path_factory.mktemp("grads"), SPEC)))
    values = param_values(s)
    return {name: mp.nstr(finite_difference(s, 0, name, values), 12) for name in values}


# the output layer's nets by hand: h1 = (1.25, 0) (the first test's), so scores = 1.25 (0.5, -0.5, 0.25)
SCORES = r"$$\mathit{scores} = \begin{bmatrix}0.625 & -0.625 & 0.3125\end{bmatrix}$$" + "\n\n"


def test_entries_numbered_from_zero(setting, grads: dict[str, str]) -> None:
    d, _ = setting
    # dloss/dscores_k is dloss/db of output k's bias: b3, b4, b5 for scores_0, scores_1, scores_2
    document = SCORES + "\n\n".join([
        rf"$$\partial loss/\partial scores_0 = {grads['b3']}$$",
        rf"$$\partial loss/\partial scores_2 = {grads['b5']}$$"])
    report = check_document(d, "md", document)
    assert verdicts(report) == {"net_o1": {"correct"}, "net_o2": {"correct"}, "net_o3": {"correct"},
                                "d:E_total/net_o1": {"correct"}, "d:E_total/net_o3": {"correct"}}


def test_a_document_counts_every_array_from_zero_alike(setting, grads: dict[str, str]) -> None:
    d, _ = setting
    # W2_{00} counts from 0, so scores_2 (written with no scores_0) is the third score
    document = GIVENS + "\n\n" + SCORES + rf"$$\frac{{\partial loss}}{{\partial W2_{{00}}}} = {grads['w5']}$$" + \
        "\n\n" + rf"$$\partial loss/\partial scores_2 = {grads['b5']}$$" + "\n"
    report = check_document(d, "md", document)
    assert {f.target: f.verdict.status for f in report.found if f.target.startswith("d:")} == \
        {"d:E_total/w5": "correct", "d:E_total/net_o3": "correct"}


@pytest.mark.parametrize("index, status", [("1", "correct"), ("2", "wrong")])
def test_entries_numbered_from_one_stay_so(setting, grads: dict[str, str], index: str, status: str) -> None:
    d, _ = setting
    # scores_3 is written, so scores_1 is the first: dloss/db3 is right for it, wrong for scores_2
    document = SCORES + "\n\n".join([
        rf"$$\partial loss/\partial scores_3 = {grads['b5']}$$",
        rf"$$\partial loss/\partial scores_{index} = {grads['b3']}$$"])
    report = check_document(d, "md", document)
    assert [f.verdict.status for f in report.found if f.target.startswith("d:")] == ["correct", status]


def test_a_zero_beside_every_index_from_one_is_not_a_count_from_zero(setting) -> None:
    d, _ = setting
    # x_0 = 1, the input of a bias, beside x_1, x_2: the document counts the inputs from 1 (x_1 = 2, x_2 = 1)
    document = "$$x = [2, 1]$$\n\n$$x_0 = 1, x_1 = 2, x_2 = 1$$\n"
    report = check_document(d, "md", document)
    assert {f.target: f.verdict.status for f in report.found if f.target in ("i1", "i2")} == \
        {"i1": "correct", "i2": "correct"}


def test_a_matrix_entry_numbered_from_zero(setting, grads: dict[str, str]) -> None:
    d, _ = setting
    # W2_{01}: row 0, column 1 of W2 as written (hidden 1 to output 2), the spec's w7; W2_{12}: w10
    document = GIVENS + "\n\n" + rf"$$\frac{{\partial loss}}{{\partial W2_{{01}}}} = {grads['w7']}$$" + "\n\n" + \
        rf"$$\frac{{\partial loss}}{{\partial W2_{{12}}}} = {grads['w10']}$$" + "\n"
    report = check_document(d, "md", document)
    assert {f.target: f.verdict.status for f in report.found if f.target.startswith("d:")} == \
        {"d:E_total/w7": "correct", "d:E_total/w10": "correct"}


@pytest.fixture(scope="module")
def loss(tmp_path_factory: pytest.TempPathFactory) -> str:
    s = spec.load(str(write_spec(tmp_path_factory.mktemp("loss"), SPEC)))
    return mp.nstr(oracle_loss(oracle_net(s), list(s.samples[0].inputs), list(s.samples[0].targets)), 12)


@pytest.mark.parametrize("by, status", [("1", "correct"), ("2", "wrong")])
def test_a_derivative_of_a_name_in_braces(setting, grads: dict[str, str], by: str, status: str) -> None:
    d, _ = setting
    # dloss/dW2_{01} = dloss/dscores_1 h1_0, h1_0 = 1.25 (the first test's): the spec's w7
    document = GIVENS + "\n\n" + SCORES + r"$$\frac{\partial{loss}}{\partial{\mathit{W2_{01}}}} = " \
        rf"\frac{{\partial{{loss}}}}{{\partial{{scores_{by}}}}} \cdot 1.25 = {grads['w7']}$$"
    report = check_document(d, "md", document)
    assert [(f.verdict.link, f.verdict.status) for f in report.found if f.target == "d:E_total/w7"] == \
        [(1, status), (2, "correct")]


@pytest.mark.parametrize("slip, status", [(False, "correct"), (True, "wrong")])
def test_a_loss_spelt_as_a_word_applied_to_what_it_is_computed_from(setting, loss: str, slip: bool,
                                                                  status: str) -> None:
    d, _ = setting
    value = loss[:-1] + str((int(loss[-1]) + 3) % 10) if slip else loss
    document = SCORES + rf"$$loss(scores) = -\log(e^{{0.3125}}/(e^{{0.625}} + e^{{-0.625}} + e^{{0.3125}})) = {value}$$"
    report = check_document(d, "md", document)
    assert [(f.target, f.verdict.link, f.verdict.status) for f in report.found if f.target == "E_total"] == \
        [("E_total", 1, "correct"), ("E_total", 2, status)]


# y = 2 (one-hot targets 0, 0, 1): loss = -scores_2 + log(sum_j e^{scores_j}), differentiated by hand
TARGETS = r"$$y = 2, \quad trueprob = \begin{bmatrix}0 & 0 & 1\end{bmatrix}$$" + "\n\n"
SUM = r"\log(e^{scores_0} + e^{scores_1} + e^{scores_2})"


@pytest.mark.parametrize("by, status", [("0", "correct"), ("1", "wrong")])
def test_a_derivative_operator_by_an_entry_of_a_vector(setting, by: str, status: str) -> None:
    d, _ = setting
    document = SCORES + TARGETS + \
        rf"$$\frac{{\partial loss}}{{\partial scores_0}} = " \
        rf"\frac{{\partial}}{{\partial scores_{by}}}(-scores_2 + {SUM})$$"
    report = check_document(d, "md", document)
    assert [f.verdict.status for f in report.found if f.target == "d:E_total/net_o1"] == [status]


@pytest.mark.parametrize("formula, status", [(r"softmax(scores_0)", "correct"), (r"softmax(scores_1)", "wrong"),
                                             (r"-1 + softmax(scores_2)", "wrong")])
def test_the_softmax_of_one_score_is_that_output(setting, formula: str, status: str) -> None:
    d, _ = setting
    document = SCORES + TARGETS + rf"$$\frac{{\partial loss}}{{\partial scores_0}} = {formula}$$"
    report = check_document(d, "md", document)
    assert [f.verdict.status for f in report.found if f.target == "d:E_total/net_o1"] == [status]


def test_the_softmax_of_the_last_score_less_its_target(setting) -> None:
    d, _ = setting
    document = SCORES + TARGETS + r"$$\partial loss/\partial scores_0 = softmax(scores_0), \quad " \
        r"\partial loss/\partial scores_2 = -1 + softmax(scores_2)$$"
    report = check_document(d, "md", document)
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("d:")] == \
        [("d:E_total/net_o1", "correct"), ("d:E_total/net_o3", "correct")]


def test_a_derivative_by_a_name_absent_from_what_it_differentiates(setting) -> None:
    d, _ = setting
    # d/du of an expression without u is 0 whatever q is; the rounding of the numbers in it cannot be worked
    # out (q has no value), which once ended the check with a traceback
    document = SCORES + r"$$\frac{\partial loss}{\partial scores_0} = " \
        r"\frac{\partial}{\partial u}(\log(e^{q} + e^{scores_0}))$$"
    report = check_document(d, "md", document)
    assert [(f.verdict.status, f.verdict.claimed) for f in report.found if f.target == "d:E_total/net_o1"] == \
        [("wrong", 0)]


@pytest.mark.parametrize("hidden, status", [("0", "correct"), ("1", "wrong")])
def test_a_factor_written_as_a_derivative_operator(setting, grads: dict[str, str], hidden: str, status: str) -> None:
    d, _ = setting
    # dscores_0/dW2_{00} is h1_0 (1.25), dloss/dW2_{00} = dloss/dscores_0 h1_0: the spec's w5; with h1_1 (0) it is 0
    document = GIVENS + "\n\n" + r"$\mathit{h1} = \begin{bmatrix}1.25 & 0\end{bmatrix}$" + "\n\n" + SCORES + \
        r"$$\frac{\partial{loss}}{\partial{\mathit{W2_{00}}}} = \frac{\partial{loss}}{\partial{scores_0}} " \
        rf"\frac{{\partial{{}}}}{{\partial{{\mathit{{W2_{{00}}}}}}}}(\mathit{{h1_{hidden}}} \mathit{{W2_{{00}}}} + " \
        r"\mathit{b2_0})$$"
    report = check_document(d, "md", document)
    assert [f.verdict.status for f in report.found if f.target == "d:E_total/w5"] == [status]


@pytest.mark.parametrize("gradient", [r"\nabla loss(scores)", r"\nabla_{scores} loss(scores)"])
@pytest.mark.parametrize("slip, status", [(False, "correct"), (True, "wrong")])
def test_the_gradient_of_the_loss_written_of_what_it_is_computed_from(setting, grads: dict[str, str], gradient: str,
                                                                      slip: bool, status: str) -> None:
    d, _ = setting
    # \nabla loss(scores): dloss/dscores, entry k by output k's bias (b3, b4, b5)
    last = grads["b5"].replace("-0.6", "-0.5") if slip else grads["b5"]
    document = SCORES + "$$" + gradient + rf" = \begin{{bmatrix}}{grads['b3']} & {grads['b4']} & {last}" \
        r"\end{bmatrix}$$"
    report = check_document(d, "md", document)
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("d:")] == \
        [("d:E_total/net_o1", "correct"), ("d:E_total/net_o2", "correct"), ("d:E_total/net_o3", status)]


# h1 = (1.25, 0) and scores (SCORES) by hand; scores_0 makes the document count from 0: h1's entries are h1_0, h1_1
HIDDEN = r"$\mathit{h1} = \begin{bmatrix}1.25 & 0\end{bmatrix}$" + "\n\n"


@pytest.mark.parametrize("index, status", [("1", "correct"), ("2", "wrong")])
def test_an_index_past_the_end_in_a_document_counting_from_zero_is_a_slip(
        setting, grads: dict[str, str], index: str, status: str) -> None:
    """h1_2 beside h1_0, where the document counts from 0 and h1 has two entries, names no entry: the link
    that writes it is wrong (an entry that does not exist), and h1_0 is still h1's first entry."""
    d, _ = setting
    document = SCORES + HIDDEN + rf"$$\partial loss/\partial scores_0 = {grads['b3']}$$" + "\n\n" + \
        rf"$$\begin{{bmatrix}} h1_0 \\ h1_{index} \end{{bmatrix}} = " + \
        r"\begin{bmatrix} 1.25 \\ 0 \end{bmatrix}$$" + "\n"
    report = check_document(d, "md", document)
    assert [f.verdict.status for f in report.found if f.target == "d:E_total/net_o1"] == ["correct"]
    found = [f.verdict for f in report.found if f.verdict.line == 7]
    assert [v.status for v in found] == ["correct", status]
    if status == "wrong":
        assert found[1].explanations == ("an entry that does not exist",)
        assert found[1].reason == "h1_2 is no entry of h1: counted from 0, its 2 entries are h1_0 to h1_1"


@pytest.mark.parametrize("index, status", [("1", "correct"), ("2", "wrong")])
def test_a_link_past_the_end_is_wrong_and_lends_no_credit(setting, grads: dict[str, str], index: str,
                                                          status: str) -> None:
    """dloss/dW2_{10} = h1_1 dloss/dscores_0 = 0 (h1_1 = 0): written h1_2, the middle link is wrong, never
    "cannot check" beside a last link judged right, which would let the chain pass for right."""
    d, _ = setting
    document = GIVENS + "\n\n" + SCORES + HIDDEN + \
        rf"$$\partial loss/\partial W2_{{00}} = h1_0 \, \partial loss/\partial scores_0 = {grads['w5']}$$" + "\n\n" + \
        rf"$$\partial loss/\partial W2_{{10}} = h1_{index} \, \partial loss/\partial scores_0 = {grads['w6']}$$" + "\n"
    report = check_document(d, "md", document)
    assert [(f.verdict.link, f.verdict.status) for f in report.found if f.target == "d:E_total/w5"] == \
        [(1, "correct"), (2, "correct")]
    assert [(f.verdict.link, f.verdict.status) for f in report.found if f.target == "d:E_total/w6"] == \
        [(1, status), (2, "correct")]


def test_inline_maths_over_several_lines_holding_a_matrix_on_a_line_of_its_own(setting) -> None:
    d, _ = setting
    # `$` alone on a line opens the maths, as notebooks write it; the matrix on its own line is inside it
    document = "The scores are\n$\n\\mathit{scores} = \n\\begin{bmatrix}0.625 & -0.625 & 0.3125\\end{bmatrix}.\n" \
        "$\nfrom the forward pass, and\n$\n\\mathit{h1} = \n\\begin{bmatrix}1.25 & 0\\end{bmatrix}\n$\n" \
        "the hidden outputs.\n"
    report = check_document(d, "md", document)
    assert [s.status for s in report.spans] == ["judged", "judged"]
    assert {f.target: f.verdict.status for f in report.found} == {
        "net_o1": "correct", "net_o2": "correct", "net_o3": "correct", "out_h1": "correct", "out_h2": "correct"}


@pytest.mark.parametrize(("loss", "status"), [(r"-\log(out_{o3})", "correct"), (r"-\log(out_{o1})", "wrong"),
                                              (r"-\log(out_{o3}) - \log(1 - out_{o1})", "wrong")])
def test_the_loss_of_a_one_hot_class_is_its_probability_s_log(setting, loss: str, status: str) -> None:
    """Class 2 of three (targets 0, 0, 1): cross-entropy is -log of that class's probability, a formula for
    the class label, not to be tried at random targets; another class's probability is wrong (the oracle's
    loss, -log p_3, is the truth)."""
    net = setting[0]
    s = net.network.spec
    outs = forward(oracle_net(s), list(s.samples[0].inputs))[-1]
    (found,) = check_document(net, "md", f"$E_{{total}} = {loss}$").found
    assert found.verdict.status == status
    assert mp.almosteq(mp.mpf(found.verdict.truth), -mp.log(outs[2]), 1e-9)
