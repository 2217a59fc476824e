"""A batch written as matrices with a column per sample (`Z = W X + b`, the samples the columns of X): each
entry read as its neuron's quantity at its sample, and a batch's gradient worked from rounded values of the
samples (`\\hat{Y}` to one decimal) judged from those values. The numbers come from tests/oracle.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.check.digits import agrees_to_written_digits
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, oracle_net, param_values
from tests.oracle import forward, mp

SPEC = """
title = "a 2-2 softmax layer on a batch of two"
inputs = ["x1", "x2"]
loss = "cross_entropy"

[[layers]]
neurons = 2
activation = "softmax"
weights = [[0.5, -0.3], [0.2, 0.4]]
bias = { mode = "per_neuron", values = [0.1, -0.1] }

[[samples]]
inputs = [1, 3]
targets = [1, 0]

[[samples]]
inputs = [4, -2]
targets = [0, 1]

[[samples]]
inputs = [-1, 2]
targets = [1, 0]

[training]
learning_rate = 0.1
update = "batch"
reduction = "sum"
steps = [1]
"""


@pytest.fixture(scope="module")
def net() -> spec.Spec:
    return spec.load_text(SPEC)


@pytest.fixture(scope="module")
def d(net: spec.Spec) -> derivation.Derivation:
    return derivation.build(network.build(net), history_steps=(1,))


def matrix(rows: list[list[str]]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"


def by_sample(net: spec.Spec, layer: int, digits: int) -> list[list[str]]:
    """A layer's outputs (or, for layer 0, the inputs) from the oracle, a row per neuron, a column per sample."""
    columns = [forward(oracle_net(net), list(s.inputs))[layer] for s in net.samples]
    return [[mp.nstr(c[i], digits) for c in columns] for i in range(len(columns[0]))]


def test_a_matrix_with_a_column_per_sample_is_read_entry_by_entry_at_its_sample(
        net: spec.Spec, d: derivation.Derivation) -> None:
    w = [["0.5", "-0.3"], ["0.2", "0.4"]]
    nets = [["-0.3", "2.7", "-1"], ["1.3", "-0.1", "0.5"]]  # W X + b by hand: 0.5 - 0.9 + 0.1, 2 + 0.6 + 0.1 ...
    outputs = by_sample(net, 1, 4)
    document = "\n\n".join([f"$$W = {matrix(w)}, \\quad b = {matrix([['0.1'], ['-0.1']])}, \\quad "
                            f"X = {matrix(by_sample(net, 0, 3))}$$",
                            f"$$Z = W X + b = {matrix(nets)}$$", f"$$\\hat{{Y}} = {matrix(outputs)}$$"])
    report = check_document(d, "md", document)
    found = {f.target: f.verdict.status for f in report.found if f.verdict.line > 1}
    assert found["out_o1[s2]"] == "correct" and found["out_o2[s1]"] == "correct"
    assert [t for t, status in found.items() if status != "correct"] == []
    assert "a column per sample" in next(f.reading for f in report.found if f.target == "out_o1[s2]")
    wrong = check_document(d, "md", document.replace("2.7", "2.9"))  # net_o1 at s2 is 2.7
    assert [(f.target, f.verdict.status) for f in wrong.found if f.verdict.status == "wrong"] == [
        ("net_o1[s2]", "wrong")]


def test_a_number_rounded_at_its_last_place_may_gain_or_lose_a_digit() -> None:
    assert agrees_to_written_digits(mp.mpf("0.0900306"), "0.1")  # 0.09 to one decimal
    assert agrees_to_written_digits(mp.mpf("0.96"), "1.0")
    assert agrees_to_written_digits(mp.mpf("0.0034"), "0.0")
    assert not agrees_to_written_digits(mp.mpf("0.06"), "0.0")
    assert not agrees_to_written_digits(mp.mpf("0.38"), "0")  # a whole number is exact
    assert not agrees_to_written_digits(mp.mpf("0.14"), "0.2")


ZEROS = """
title = "a 1-2 softmax layer on a batch of two"
inputs = ["x1"]
loss = "cross_entropy"

[[layers]]
neurons = 2
activation = "softmax"
weights = [[2], [-2]]
bias = { mode = "none" }

[[samples]]
inputs = [1.5]
targets = [1, 0]

[[samples]]
inputs = [0.5]
targets = [0, 1]

[training]
learning_rate = 0.1
update = "batch"
steps = [1]
"""


def test_a_zero_among_numbers_written_to_two_decimals_is_zero_to_two_decimals() -> None:
    net = spec.load_text(ZEROS)
    d = derivation.build(network.build(net), history_steps=(1,))
    outputs = by_sample(net, 1, 9)  # softmax(3, -3) and softmax(1, -1): 0.0025 at o2, s1
    assert mp.mpf(outputs[1][0]) < mp.mpf("0.005")
    written = [["1.00", "0.88"], ["0", "0.12"]]
    report = check_document(d, "md", f"$$\\hat{{Y}} = {matrix(written)}$$")
    # the zero agrees to two decimals, but a zero cannot tell rounding from a value that is not there
    assert [(f.target, f.verdict.status) for f in report.found][2] == ("out_o2[s1]", "cannot check")
    assert [f.verdict.status for f in report.found].count("correct") == 3 and len(report.found) == 4
    mixed = check_document(d, "md", f"$$\\hat{{Y}} = {matrix([['1.0', '0.88'], ['0', '0.12']])}$$")
    # places differ: 0 is 0, not 0.0025, never credited (the three right entries say the array is the outputs)
    assert [(f.target, f.verdict.status) for f in mixed.found if f.target == "out_o2[s1]"] == [("out_o2[s1]", "wrong")]


def test_a_batch_gradient_worked_from_outputs_rounded_to_one_decimal_is_right(
        net: spec.Spec, d: derivation.Derivation) -> None:
    outputs = by_sample(net, 1, 9)
    rounded = [[Decimal(v).quantize(Decimal("0.1")) for v in row] for row in outputs]
    targets = [[Decimal(str(s.targets[i])) for s in net.samples] for i in range(2)]
    inputs = [[Decimal(str(s.inputs[j])) for s in net.samples] for j in range(2)]
    grad = [[sum((rounded[i][k] - targets[i][k]) * inputs[j][k] for k in range(3)) for j in range(2)]
            for i in range(2)]  # (Y_hat - Y) X^T from the rounded outputs, exactly
    values = param_values(net)
    truth = [[sum(finite_difference(net, k, f"w{2 * i + j + 1}", values) for k in range(3)) for j in range(2)]
             for i in range(2)]
    assert not agrees_to_written_digits(truth[0][0], str(grad[0][0]))  # the rounding shows in the first decimal
    document = "\n\n".join([
        f"$$W = {matrix([['0.5', '-0.3'], ['0.2', '0.4']])}$$",
        f"$$\\hat{{Y}} = {matrix([[str(v) for v in row] for row in rounded])}$$",
        f"$$\\frac{{\\partial L}}{{\\partial W}} = {matrix([[str(v) for v in row] for row in grad])}$$"])
    report = check_document(d, "md", document)
    gradients = [f.verdict for f in report.found if f.target.startswith("d:E_total/w")]
    assert len(gradients) == 4 and {v.status for v in gradients} == {"correct"}
    assert "agrees with the rounded values written on line 3" in gradients[0].reason
    slipped = check_document(d, "md", document.replace(str(grad[0][0]), str(grad[0][0] - Decimal("0.1"))))
    assert [f.verdict.status for f in slipped.found if f.target == "d:E_total/w1"] == ["wrong"]


RELU = """
title = "a 2-2-1 relu network"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = 2
activation = "relu"
weights = [[0.5, 0.1], [-0.4, 0.2]]
bias = { mode = "none" }

[[layers]]
neurons = 1
activation = "identity"
weights = [[1, 1]]
bias = { mode = "none" }

[[samples]]
inputs = [1, 0.5]
targets = [1]

[training]
learning_rate = 0.1
steps = [1]
"""


@pytest.mark.parametrize("mask, status", [(["1", "0"], "correct"), (["1", "1"], "wrong")])
def test_an_indicator_of_the_positive_nets_is_the_relus_slope(mask: list[str], status: str) -> None:
    net = spec.load_text(RELU)
    d = derivation.build(network.build(net), history_steps=(1,))
    nets = [mp.nstr(mp.fsum([mp.mpf(w) * mp.mpf(x) for w, x in zip(row, ("1", "0.5"))]), 9)
            for row in (("0.5", "0.1"), ("-0.4", "0.2"))]  # 0.55 and -0.3: only the first is positive
    document = (f"$$Z_1 = {matrix([[v] for v in nets])} \\in \\mathbb{{R}}^{{2 \\times 1}}$$\n\n"
                f"$$\\mathbf{{1}}[Z_1 > 0] = {matrix([[m] for m in mask])}$$")
    report = check_document(d, "md", document)
    assert [s.status for s in report.spans] == ["judged", "judged"]  # the shape stated after \in is no claim
    slopes = [(f.target, f.verdict.status) for f in report.found if f.verdict.line == 3]
    assert slopes[1] == ("", status) and slopes[0][1] == "correct"


@pytest.mark.parametrize("formula", [r"(\hat{Y} - Y) X^T", r"(\hat{Y} + Y) X^T"])
def test_a_batch_gradient_as_a_formula_of_the_samples_columns(net: spec.Spec, d: derivation.Derivation,
                                                               formula: str) -> None:
    """dL/dW = (Y_hat - Y) X^T names every sample's values, which a random point (one sample's values) cannot
    vary apart: right at the spec's values it cannot be checked, neither called wrong at random points nor
    correct (with Y_hat + Y, dL/dw1 agrees at the spec's values: the targets times x1 add to 0)."""
    targets = [[str(s.targets[i]) for s in net.samples] for i in range(2)]
    document = "\n\n".join([f"$$W = {matrix([['0.5', '-0.3'], ['0.2', '0.4']])}$$",
                            f"$$X = {matrix(by_sample(net, 0, 3))}$$", f"$$Y = {matrix(targets)}$$",
                            f"$$\\hat{{Y}} = {matrix(by_sample(net, 1, 12))}$$",
                            f"$$\\frac{{\\partial E_{{total}}}}{{\\partial W}} = {formula}$$"])
    found = [f.verdict.status for f in check_document(d, "md", document).found if f.target.startswith("d:")]
    assert found == ["cannot check"] * 4 if "-" in formula else found == ["cannot check"] + ["wrong"] * 3


@pytest.mark.parametrize("summand, status", [(r"\delta_{o1}^{(i)}", "correct"), (r"\delta_{o2}^{(i)}", "wrong"),
                                             (r"\delta_{o1, i}", "not read"), (r"\delta_{o1}", "not read")])
def test_a_sum_over_the_examples_up_to_m(d: derivation.Derivation, summand: str, status: str) -> None:
    """`\\sum_{i=1}^{m} \\delta^{(i)}`: m counts the examples, so the summand (its example's index dropped) is
    added over the batch's samples, as the bias's gradient of a summed loss is; a summand that names its index
    otherwise, or not at all, is not read so."""
    found = [f.verdict.status for f in check_document(
        d, "md", f"$$\\frac{{\\partial E_{{total}}}}{{\\partial b_1}} = \\sum_{{i=1}}^{{m}} {summand}$$").found]
    assert found == ([status] if status != "not read" else found) and not (status == "not read" and "correct" in found)


def test_a_sum_over_the_samples_written_is_not_summed_again(d: derivation.Derivation) -> None:
    """A batch's gradient written in one sample's quantities is taken at every sample and summed; written
    with its own sum over the samples (`\\sum \\delta_{o1}`) it is the batch's already."""
    found = check_document(d, "md", r"$$\frac{\partial E_{total}}{\partial b_1} = \sum \delta_{o1}$$").found
    assert [f.verdict.status for f in found] == ["correct"]


@pytest.mark.parametrize("summand, status", [(r"\delta_{o1}^{(i)}", "correct"), (r"\delta_{o2}^{(i)}", "wrong")])
def test_a_sum_over_the_examples_ends_at_the_lists_comma(d: derivation.Derivation, summand: str,
                                                         status: str) -> None:
    """Two equations in one display, apart by a comma (`..., \\qquad ...`): the sum's summand ends at the comma,
    and each equation is judged on its own (the second the first's right form); a spacing macro (`\\,`) before
    the comma is no separator."""
    document = (f"$$\\frac{{\\partial E_{{total}}}}{{\\partial b_1}} = \\sum_{{i=1}}^{{m}} {summand}\\,,\\qquad "
                r"\frac{\partial E_{total}}{\partial b_1} = \sum_{i=1}^{m} \delta_{o1}^{(i)}$$")
    found = [f.verdict.status for f in check_document(d, "md", document).found]
    assert found == [status, "correct"]


@pytest.mark.parametrize("summed, status", [(r"\sum_e \delta_{o1}^{(e)}", "correct"),
                                            (r"\sum_{n} \delta_{o2}^{(n)}", "wrong"),
                                            (r"\sum_e \delta_{o1, e}", "not read"),
                                            (r"\sum_l \delta_{o1}^{(l)}", "not read"),
                                            (r"\sum_t \delta_{o1}^{(t)}", "not read")])
def test_a_sum_over_the_examples_by_its_index_alone(d: derivation.Derivation, summed: str, status: str) -> None:
    """`\\sum_e \\delta^{(e)}`, no bounds: the index written on the summand only as the example's superscript in
    brackets makes it a sum over the batch's samples, as `\\sum_{i=1}^{m}` does; an index written otherwise, or
    l and t (layers, time steps), is not read so."""
    found = [f.verdict.status for f in check_document(
        d, "md", f"$$\\frac{{\\partial E_{{total}}}}{{\\partial b_1}} = {summed}$$").found]
    assert found == [status] if status != "not read" else not {"correct", "wrong"} & set(found)
