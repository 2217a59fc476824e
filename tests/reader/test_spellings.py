"""Names as people spell them in worked examples: a loss written with what it depends on (`J(W, b)`), a
layer's activation written with the layer's index (`f_1(z_1)`, `f'_2`). The documents' numbers come from
tests/oracle.py (an mpmath forward pass and finite differences)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, oracle_net, param_values, write_spec
from tests.oracle import forward, mp

MAZUR = spec.load_preset("mazur")


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(MAZUR), history_steps=(1,))


def gradient(name: str) -> str:
    return mp.nstr(finite_difference(MAZUR, 0, name, param_values(MAZUR)), 9)


def hidden() -> tuple[str, str, str]:
    """net_h1, out_h1 and the sigmoid's slope there, from the oracle."""
    net_h1 = mp.fsum([mp.mpf("0.15") * mp.mpf("0.05"), mp.mpf("0.2") * mp.mpf("0.1"), mp.mpf("0.35")])
    out_h1 = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[1][0]
    return mp.nstr(net_h1, 9), mp.nstr(out_h1, 9), mp.nstr(out_h1 * (1 - out_h1), 9)


def statuses(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.verdict.status for f in report.found]


@pytest.mark.parametrize("loss", ["J(W, b)", "L(\\hat{y}, y)", "C(w)", "E(w, b)"])
def test_a_loss_applied_to_its_parameters_is_the_loss(mazur: derivation.Derivation, loss: str) -> None:
    document = "\n\n".join([
        f"$$\\frac{{\\partial {loss}}}{{\\partial w_5}} = {gradient('w5')}$$",
        f"$$\\frac{{\\partial {loss}}}{{\\partial w_1}} = {gradient('w1')}$$",
    ])
    report = check_document(mazur, "md", document)
    assert statuses(report) == ["correct", "correct"]
    assert {f.target for f in report.found} == {"d:E_total/w5", "d:E_total/w1"}


def test_a_wrong_gradient_of_a_loss_applied_to_its_parameters_is_wrong(mazur: derivation.Derivation) -> None:
    wrong = mp.nstr(finite_difference(MAZUR, 0, "w5", param_values(MAZUR)) * 2, 9)
    document = "\n\n".join([
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial w_1}} = {gradient('w1')}$$",
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial w_5}} = {wrong}$$",
    ])
    assert statuses(check_document(mazur, "md", document)) == ["correct", "wrong"]


def test_a_layer_s_activation_written_with_its_index(mazur: derivation.Derivation) -> None:
    net_h1, out_h1, slope = hidden()
    document = "\n\n".join([
        f"$$z_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = {net_h1}$$",
        f"$$a_1 = f_1(z_1) = f_1({net_h1}) = {out_h1}$$",
        f"$$f'_1(z_1) = a_1 (1 - a_1) = {slope}$$",
    ])
    report = check_document(mazur, "md", document)
    assert set(statuses(report)) == {"correct"} and len(report.found) >= 5


def test_a_wrong_value_of_a_layer_s_activation_is_wrong(mazur: derivation.Derivation) -> None:
    net_h1, _, _ = hidden()
    document = "\n\n".join([
        f"$$z_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = {net_h1}$$",
        f"$$a_1 = f_1({net_h1}) = 0.6032$$",
    ])
    assert "wrong" in statuses(check_document(mazur, "md", document))


EQUAL_BIASES = """
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = { mode = "per_neuron", values = [0.5, 0.5] }

[[layers]]
neurons = ["o1", "o2"]
activation = "sigmoid"
weights = [[0.7, 0.8], [0.9, 0.1]]
bias = { mode = "per_neuron", values = [0.5, 0.5] }

[[samples]]
inputs = [1, 4]
targets = [0.1, 0.05]

[training]
learning_rate = 0.01
"""


def matrix(rows: list[list[str]]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"


@pytest.fixture(scope="module")
def equal_biases(tmp_path_factory: pytest.TempPathFactory) -> tuple[derivation.Derivation, spec.Spec]:
    path = tmp_path_factory.mktemp("spec") / "net.toml"
    path.write_text(EQUAL_BIASES, encoding="utf-8")
    s = spec.load(str(path))
    return derivation.build(network.build(s), history_steps=(1,)), s


def test_equal_biases_are_read_by_the_layer_their_name_counts(equal_biases) -> None:  # type: ignore[no-untyped-def]
    d, s = equal_biases
    grads = [mp.nstr(finite_difference(s, 0, b, param_values(s)), 9) for b in ("b3", "b4")]
    document = "\n\n".join([
        f"$$W_1 = {matrix([['0.1', '0.2'], ['0.3', '0.4']])}, \\quad b_1 = {matrix([['0.5'], ['0.5']])}$$",
        f"$$W_2 = {matrix([['0.7', '0.8'], ['0.9', '0.1']])}, \\quad b_2 = {matrix([['0.5'], ['0.5']])}$$",
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial b_2}} = \\sum \\delta_2 = {matrix([[grads[0]], [grads[1]]])}$$",
    ])
    report = check_document(d, "md", document)
    targets = [(f.target, f.verdict.status) for f in report.found]
    assert ("b1", "correct") in targets and ("b3", "correct") in targets and ("b4", "correct") in targets
    assert ("d:E_total/b3", "correct") in targets and ("d:E_total/b4", "correct") in targets
    assert {status for _, status in targets} == {"correct"}


def test_a_wrong_bias_gradient_summed_over_the_samples_is_wrong(equal_biases) -> None:  # type: ignore[no-untyped-def]
    d, s = equal_biases
    right = mp.nstr(finite_difference(s, 0, "b3", param_values(s)), 9)
    wrong = mp.nstr(finite_difference(s, 0, "b4", param_values(s)) * 3, 9)
    document = "\n\n".join([
        f"$$W_2 = {matrix([['0.7', '0.8'], ['0.9', '0.1']])}, \\quad b_2 = {matrix([['0.5'], ['0.5']])}$$",
        f"$$W_1 = {matrix([['0.1', '0.2'], ['0.3', '0.4']])}$$",
        f"$$\\frac{{\\partial J(W, b)}}{{\\partial b_2}} = \\sum \\delta_2 = {matrix([[right], [wrong]])}$$",
    ])
    statuses_ = {f.target: f.verdict.status for f in check_document(d, "md", document).found}
    assert statuses_["d:E_total/b3"] == "correct" and statuses_["d:E_total/b4"] == "wrong"


def test_a_sum_without_bounds_over_more_than_one_name_is_not_understood() -> None:
    from derive.reader.chains import chains
    from derive.reader.plain import NotUnderstood

    with pytest.raises(NotUnderstood):
        chains(r"\sum \delta_1 \cdot x = 3")


@pytest.mark.parametrize("latex", [r"a_j = \sum_i w_{ij} x_i", r"E = \sum_j x_j"])
def test_a_sum_without_bounds_over_the_inputs_is_not_understood(mazur: derivation.Derivation, latex: str) -> None:
    """An index running over no output neuron's quantities: not read as a sum over the outputs."""
    report = check_document(mazur, "md", f"${latex}$")
    assert [s.status for s in report.spans] == ["not understood"] and not report.found


def test_the_input_layer_counted_as_layer_0(equal_biases) -> None:  # type: ignore[no-untyped-def]
    d, _ = equal_biases
    nets = [mp.fsum([mp.mpf(1) * w1, mp.mpf(4) * w2, mp.mpf("0.5")])
            for w1, w2 in ((mp.mpf("0.1"), mp.mpf("0.2")), (mp.mpf("0.3"), mp.mpf("0.4")))]
    document = "\n\n".join([
        "$$x = [1, 4]$$",
        f"$$W_1 = {matrix([['0.1', '0.3'], ['0.2', '0.4']])}, \\quad b_1 = {matrix([['0.5'], ['0.5']])}$$",
        f"$$W_2 = {matrix([['0.7', '0.9'], ['0.8', '0.1']])}$$",
        "$$z_0 = a_0 = x$$",
        f"$$z_1 = a_0 W_1 + b_1^T = {matrix([[mp.nstr(n, 9) for n in nets]])}$$",
    ])
    report = check_document(d, "md", document)
    found = [(f.target, f.verdict.status) for f in report.found]
    assert ("net_h1", "correct") in found and ("net_h2", "correct") in found
    assert {status for _, status in found} <= {"correct", "defined"} and "wrong" not in str(found)


def test_a_display_the_markdown_cuts_at_a_plus_line_is_not_read_in_halves(mazur: derivation.Derivation) -> None:
    _, outs = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[1:]
    total = mp.fsum((t - o) ** 2 / 2 for t, o in zip((mp.mpf("0.01"), mp.mpf("0.99")), outs, strict=True))
    document = "\n".join([
        "The total error is",  # `$$` right after a paragraph's text, a line starting with `+`: a list item
        "$$",
        "E_{total} = \\frac{1}{2}\\|target_{o1}-out_{o1}\\|^2",
        "+ \\frac{1}{2}\\|target_{o2}-out_{o2}\\|^2",
        "$$",
        "",
        f"$$E_{{total}} = {mp.nstr(total, 9)}$$",
    ])
    report = check_document(mazur, "md", document)
    assert "wrong" not in [f.verdict.status for f in report.found]
    assert [f.verdict.status for f in report.found][-1] == "correct"


def test_inline_maths_carrying_the_span_before_it_on(mazur: derivation.Derivation) -> None:
    document = "\n".join([
        "$\\frac{\\partial E_{total}}{\\partial out_{h1}} = \\frac{\\partial E_{o1}}{\\partial out_{h1}}$",
        "",
        "$+ \\frac{\\partial E_{o2}}{\\partial out_{h1}}$",  # the second path: alone, the line above is wrong
        "",
        "$= \\frac{\\partial E_{total}}{\\partial net_{o1}} w_5 + \\frac{\\partial E_{total}}{\\partial net_{o2}} w_7$",
    ])
    report = check_document(mazur, "md", document)
    assert [(f.verdict.line, f.verdict.status) for f in report.found] == [(1, "correct"), (5, "correct")]


@pytest.mark.parametrize("result, status", [("0.35891648", "correct"), ("0.36891648", "wrong")])
def test_a_display_starting_with_equals_carries_the_display_before_it_on(mazur: derivation.Derivation, result: str,
                                                                         status: str) -> None:
    gradient_w5 = gradient("w5")
    document = "\n".join([
        "$$", f"w_5^+ = 0.4 - 0.5 \\times {gradient_w5}", "$$", "",  # alone, an update with no value
        "$$", f"= {result}", "$$"])
    report = check_document(mazur, "md", document)
    assert [(f.verdict.line, f.verdict.status) for f in report.found] == [(2, "correct"), (6, status)]
    assert mp.nstr(mp.mpf("0.4") - mp.mpf("0.5") * mp.mpf(gradient_w5), 8) == "0.35891648"


def test_delimiters_written_twice_and_a_target_made_by_a_formula(mazur: derivation.Derivation) -> None:
    document = "\n\n".join([
        "Inputs: $\\( i_1 = 0.05 \\), \\( i_2 = 0.1 \\)$",
        "The target: $\\( t_1 = 0.2 \\times i_1 = 0.2 \\times 0.05 = 0.01 \\)$",  # how the task made it
    ])
    found = [(f.target, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert found == [("i1", "correct"), ("i2", "correct")] + [("target_o1", "correct")] * 3


def test_a_target_s_formula_wrong_at_the_spec_s_values_is_wrong(mazur: derivation.Derivation) -> None:
    document = "$$t_1 = 0.3 \\times i_1 = 0.3 \\times 0.05 = 0.01$$"
    statuses_ = [f.verdict.status for f in check_document(mazur, "md", document).found]
    assert statuses_[0] == "wrong" and "correct" not in statuses_[:2]


MIXED = EQUAL_BIASES.replace('activation = "sigmoid"', 'activation = "relu"', 1)


def test_an_activation_s_definition_in_a_network_of_several(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mixed.toml"
    path.write_text(MIXED, encoding="utf-8")
    d = derivation.build(network.build(spec.load(str(path))), history_steps=(1,))
    document = "\n\n".join(["$$f(z) = \\max(0, z)$$", "$$f(z) = \\frac{1}{1 + e^{-z}}$$", "$$f(z) = \\tanh(z)$$"])
    found = [(f.verdict.line, f.verdict.status) for f in check_document(d, "md", document).found]
    assert found == [(1, "correct"), (3, "correct"), (5, "cannot check")]


@pytest.mark.parametrize("power, status", [("(1-1)", "correct"), ("(2-1)", "wrong")])
def test_an_exponent_written_unsimplified_in_brackets_is_its_number(mazur: derivation.Derivation, power: str,
                                                                     status: str) -> None:
    """w_5^{(1-1)} is w_5 to the power 0 (the derivative of w_5 out_h1 written out), not w_5 after an update."""
    out_h1 = hidden()[1]
    document = f"$$\\frac{{\\partial net_{{o1}}}}{{\\partial w_5}} = 1 \\cdot {out_h1} \\cdot w_5^{{{power}}}$$"
    assert statuses(check_document(mazur, "md", document)) == [status]


def test_givens_listed_in_brackets(mazur: derivation.Derivation) -> None:
    report = check_document(mazur, "md", "The inputs are $[i_1 = 0.05, i_2 = 0.10]$ and $[i_1 = 0.05, i_2 = 0.01]$.")
    assert statuses(report) == ["correct", "correct", "correct", "wrong"]


@pytest.mark.parametrize("written, status", [("0.3775", "correct"), ("0.3875", "wrong")])
def test_a_times_sign_typed_twice_is_one_product(mazur: derivation.Derivation, written: str, status: str) -> None:
    document = f"$net_{{h1}} = 0.15 \\times \\times 0.05 + 0.2 \\times 0.1 + 0.35 = {written}$"
    assert statuses(check_document(mazur, "md", document)) == ["correct", status]


@pytest.mark.parametrize("scale, status", [("1", "correct"), ("2", "wrong")])
def test_a_sum_over_neurons_labelled_in_one_subscript(mazur: derivation.Derivation, scale: str, status: str) -> None:
    """out_{oi} in a sum over i is out_o1, out_o2: the neuron's label before the sum's index."""
    outs = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[2]
    error = mp.nstr(sum((t - o) ** 2 for t, o in zip((mp.mpf("0.01"), mp.mpf("0.99")), outs)) / 2 * int(scale), 9)
    document = (r"$E_{total} = \frac{1}{2} \sum_{i=1}^{2} (out_{oi} - target_{oi})^2 = " + error + "$")
    report = check_document(mazur, "md", document)
    assert statuses(report)[-1] == status and "correct" in statuses(report)[:1]


@pytest.mark.parametrize("apart", ["\n", "\n\n"])
def test_a_display_starting_with_equals_carries_the_display_above_on(mazur: derivation.Derivation,
                                                                     apart: str) -> None:
    net_h1 = hidden()[0]  # 0.3775
    terms = ["0.15 \\times 0.05", "0.2 \\times 0.1", "0.35"]
    document = apart.join([
        "$$net_{h1} = " + " + ".join(terms) + "$$",
        "$$= 0.0075 + 0.02 + 0.35 = " + net_h1 + "$$",  # alone: `= ...` heads nothing
        "$$net_{h1} = " + " + ".join(terms) + "$$",
        "$$= 0.0075 + 0.02 + 0.35 = 0.3875$$",  # one digit off 0.3775
    ])
    report = check_document(mazur, "md", document)
    by_line: dict[int, list[str]] = {}
    for f in report.found:
        by_line.setdefault(f.verdict.line, []).append(f.verdict.status)
    step = len(apart)
    assert by_line[1 + step] == ["correct", "correct"]
    assert by_line[1 + 3 * step] == ["correct", "wrong"]


def test_a_display_starting_with_a_sign_is_an_equation_of_its_own(mazur: derivation.Derivation) -> None:
    document = "\n".join(["$$net_{h1} = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35$$",
                          "$$-0.5 \\times 2 = -1$$"])
    report = check_document(mazur, "md", document)
    assert "wrong" not in statuses(report)  # read as one chain, the first display's sum would run on: wrong
    assert [f.verdict.status for f in report.found if f.verdict.line == 1] == ["correct"]


def test_a_latex_display_starting_with_equals_carries_the_one_above_on(mazur: derivation.Derivation) -> None:
    document = "\n".join([r"We add: \[net_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35\]",
                          r"\[= 0.0075 + 0.02 + 0.35 = 0.3875\]",  # 0.3775 (the oracle's), a digit off
                          r"\[-0.5 \times 2 = -1\]"])  # a sign first: an equation of its own
    report = check_document(mazur, "tex", document)
    assert hidden()[0] == "0.3775"
    assert [(f.verdict.line, f.verdict.status) for f in report.found] == [(1, "correct"), (2, "correct"),
                                                                         (2, "wrong"), (3, "correct")]


def test_an_entry_of_a_layer_labelled_vector_and_a_rounded_result_rounded_again(
        mazur: derivation.Derivation) -> None:
    net_h1, out_h1, slope = hidden()
    out = mp.nstr(mp.mpf(out_h1), 3)  # 0.593: its slope worked from it rounds otherwise than the true slope
    product = Decimal(out) * (1 - Decimal(out))
    written = str(product.quantize(Decimal("0.0001")))
    assert written != mp.nstr(mp.mpf(slope), 4)
    net_h2 = mp.fsum([mp.mpf("0.25") * mp.mpf("0.05"), mp.mpf("0.3") * mp.mpf("0.1"), mp.mpf("0.35")])
    document = "\n\n".join([
        rf"$$z^{{[1]}} = \begin{{bmatrix}} {net_h1} \\ {mp.nstr(net_h2, 9)} \end{{bmatrix}}$$",
        rf"$$\sigma'(z_1^{{[1]}}) = {out} \cdot (1 - {out}) = {out} \cdot {Decimal(1) - Decimal(out)} "
        rf"\approx {written}$$"])
    verdicts = [f.verdict for f in check_document(mazur, "md", document).found if f.verdict.line == 3]
    assert [v.status for v in verdicts] == ["correct", "correct", "correct"]
    assert verdicts[-1].reason.startswith("follows from link 3")
    slipped = [f.verdict.status for f in check_document(mazur, "md", document.replace(f"\\approx {written}",
                                                                                      "\\approx 0.2431")).found]
    assert slipped[-1] == "wrong"


@pytest.mark.parametrize("result, status", [("out_{h1}", "correct"), ("out_{h2}", "wrong")])
def test_a_partial_derivative_operator_applied_to_a_bracket(mazur: derivation.Derivation, result: str,
                                                            status: str) -> None:
    document = (r"$$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial net_{o1}} "
                r"\frac{\partial net_{o1}}{\partial w_5} \\" + "\n"  # rows of one display, as a derivation is set
                r"\frac{\partial net_{o1}}{\partial w_5} = \frac{\partial}{\partial w_5}(w_5 out_{h1} + w_6 out_{h2}"
                rf" + b_2) = {result}$$")
    report = check_document(mazur, "md", document)
    assert [s.status for s in report.spans] == ["judged"]
    assert statuses(report)[-2:] == ["correct", status]  # the operator applied is out_h1, as the truth's slope is


@pytest.mark.parametrize("by, bracket, status", [
    ("w_5", r"w_5 out_{h1} + w_6 out_{h2} + b_2", "correct"), ("w_6", r"w_5 out_{h1} + w_6 out_{h2} + b_2", "wrong"),
    ("w_5", r"w_5 \cdot OUT1 + 0.45 \cdot OUT2 + 0.6", "correct"),
    ("w_6", r"w_5 \cdot OUT1 + 0.45 \cdot OUT2 + 0.6", "wrong")])
def test_an_operator_by_another_weight_is_never_within_the_precision_of_its_numbers(
        mazur: derivation.Derivation, by: str, bracket: str, status: str) -> None:
    """d/dw6 of net_o1 is out_h2 (0.5969), not dnet_o1/dw5 = out_h1 (0.5933, by the oracle): the sum in the
    bracket, exact or with rounded numbers (out_h1 to 4 digits), forgives no more than their rounding."""
    outs = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[1]
    bracket = bracket.replace("OUT1", mp.nstr(outs[0], 4)).replace("OUT2", mp.nstr(outs[1], 4))
    document = (rf"$$\frac{{\partial net_{{o1}}}}{{\partial w_5}} = \frac{{\partial}}{{\partial {by}}}({bracket})$$")
    assert statuses(check_document(mazur, "md", document)) == [status]


def test_the_sizes_of_the_network_as_people_name_them(mazur: derivation.Derivation) -> None:
    # the classic network: 2 inputs, 2 hidden neurons, 2 outputs, one sample
    right = check_document(mazur, "md", "$n_0 = 2$, $n^{[1]} = 2$, $n_h = 2$, $n_y = 2$, $n_x = 2$ and $m = 1$.")
    assert statuses(right) == ["correct"] * 6
    assert right.found[0].verdict.reason == "layer 0 of the network has 2 neurons (the inputs counting as layer 0)"
    assert right.found[-1].verdict.reason == "the number of samples (1)"
    other = check_document(mazur, "md", "$n_1 = 3$ and $m = 4$, a later example's.")
    assert statuses(other) == ["cannot check", "defined"]  # n_1 may count the layers otherwise; m the person's


@pytest.mark.parametrize("scale, status", [(1, "correct"), (2, "wrong")])
def test_a_neurons_label_in_braces_without_its_underscore(mazur: derivation.Derivation, scale: int,
                                                          status: str) -> None:
    """out{h1}: the label of a neuron in braces straight after the word, its underscore left out, names the
    neuron's quantity as out_{h1} does; after a number (2{h1}) it names nothing."""
    slope = mp.nstr(mp.mpf(hidden()[2]) * scale, 9)
    rule = r"\frac{\partial out_{h1}}{\partial net_{h1}} = "
    report = check_document(mazur, "md", f"$${rule}out{{h1}}(1 - out{{h1}}) = {slope}$$\n\n$${rule}2{{h1}}$$\n")
    assert statuses(report) == ["correct", status, "cannot check"]


LINEAR_OUTPUT = """
inputs = ["i1", "i2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.15, 0.2], [0.25, 0.3]]
bias = { mode = "shared", values = [0.35] }

[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0.4, 0.45]]
bias = { mode = "shared", values = [0.6] }

[[samples]]
inputs = [0.05, 0.1]
targets = [0.5]

[training]
learning_rate = 0.5
"""


@pytest.mark.parametrize("net, status", [("net_{o1}", "correct"), ("net_{h1}", "wrong")])
def test_a_linear_layers_activation_and_its_slope(tmp_path, net: str, status: str) -> None:  # type: ignore[no-untyped-def]
    """f and f' of a linear (identity) layer: f'(net_o1) is 1; f'(net_h1), the sigmoid's slope there, is not."""
    s = spec.load(str(write_spec(tmp_path, LINEAR_OUTPUT)))
    d = derivation.build(network.build(s), history_steps=(1,))
    out_o1 = mp.nstr(forward(oracle_net(s), list(s.samples[0].inputs))[2][0], 9)
    document = f"$$out_{{o1}} = f(net_{{o1}}) = {out_o1}$$\n\n$$f'({net}) = 1$$\n"
    assert statuses(check_document(d, "md", document)) == ["correct", "correct", status]


def test_an_escaped_underscore_joins_a_name(mazur: derivation.Derivation) -> None:
    """`out\\_o1`, `d\\_w5`: Markdown escapes the underscore of a name in maths; it is the name's own, as
    out_o1 (the oracle's value is right; one moved in its third digit is wrong)."""
    out = mp.nstr(forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))[2][0], 9)
    wrong = out[:4] + str((int(out[4]) + 3) % 10) + out[5:]
    found = check_document(mazur, "md", f"$out\\_o1 = {out}$ and $out\\_o1 = {wrong}$\n").found
    assert [(f.target, f.verdict.status) for f in found] == [("out_o1", "correct"), ("out_o1", "wrong")]


@pytest.mark.parametrize("result, status", [("0.7414", "correct"), ("0.7424", "wrong")])
@pytest.mark.parametrize("bars", [("|", "|"), (r"\lvert ", r" \rvert"), (r"\left| ", r" \right|")])
def test_another_loss_in_a_name_of_its_own_with_bars(mazur: derivation.Derivation, bars: tuple[str, str],
                                                      result: str, status: str) -> None:
    """E_{MAE}, the absolute error of another loss, is a name of the person's own (E_o1 would be the network's):
    |0.7514 - 0.01| = 0.7414 by hand, so its chain is judged from the numbers written."""
    opening, closing = bars
    document = f"$$E_{{MAE}} = {opening}0.7514 - 0.01{closing} = {result}$$"
    said = [(f.target, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert said == [("E_MAE", "defined"), ("E_MAE", status)]


def test_an_error_in_the_networks_notation_is_never_a_name_of_ones_own(mazur: derivation.Derivation) -> None:
    """E_o3 names the error of an output the classic network does not have: not read, never defined."""
    assert {f.verdict.status for f in check_document(mazur, "md", "$$E_{o3} = 0.5$$").found} == {"cannot check"}
