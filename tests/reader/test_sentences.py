"""Equations as sentences and pages set them: after the words that lead into them (`So we get ...`), in bold
(`**Answer:** y = 22`), under a line of prose that ends with a colon inside a code block, `\\tfrac12`, a column
of notes in an aligned block, a power written with `^` in a block of plain text, and a `New output:` label.
Expected numbers are worked here with fractions, or by tests/oracle.py."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from derive.reader.symbols import code_like, equation_in, equations_in, label_line, plain_maths
from tests.helpers import finite_difference, oracle_net, param_values, write_spec
from tests.oracle import forward, loss, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def mazur_values() -> tuple[str, str]:
    """out_o1 and E_total of the classic example, by the oracle, to 9 significant digits."""
    s = spec.load_preset("mazur")
    outs = forward(oracle_net(s), list(s.samples[0].inputs))
    e_total = loss(oracle_net(s), list(s.samples[0].inputs), list(s.samples[0].targets))
    return mp.nstr(outs[-1][0], 9), mp.nstr(e_total, 9)


def statuses(d: derivation.Derivation, document: str) -> list[str]:
    return [f.verdict.status for f in check_document(d, "md", document).found]


def test_the_words_that_lead_into_an_equation_are_no_part_of_it(mazur: derivation.Derivation,
                                                                  mazur_values: tuple[str, str]) -> None:
    out_o1, _ = mazur_values
    for lead in ("Then", "So we get", "The output is", "Let the output be"):
        assert statuses(mazur, f"{lead} out_o1 = {out_o1}.\n") == ["correct"], lead
    wrong = Fraction(out_o1) + Fraction(1, 100)  # a slip in the second decimal
    assert statuses(mazur, f"So we get out_o1 = {float(wrong):.8f}.\n") == ["wrong"]


def test_a_supposition_or_a_bracket_is_no_claim() -> None:
    assert equations_in("So the perfect weight would be w = 2.0, and b = 0.0.") == []
    # the words that lead in inside an open bracket: the equation would run on past it
    assert equations_in("(So the best is w = 2.0, bias b = 0.0)") == []
    assert [e[2] for e in equations_in("So we get y = 2.5.")] == ["y = 2.5"]


def test_an_equation_in_bold(mazur: derivation.Derivation, mazur_values: tuple[str, str]) -> None:
    out_o1, e_total = mazur_values
    assert statuses(mazur, f"**Answer: out_o1 = {out_o1}**\n") == ["correct"]
    assert statuses(mazur, f"**Answer:** out_o1 = {out_o1}\n") == ["correct"]
    assert statuses(mazur, f"- **Loss: E_total = {e_total}**\n") == ["correct"]
    assert statuses(mazur, "**Answer: out_o1 = 0.9**\n") == ["wrong"]


def test_a_line_of_prose_ending_with_a_colon_is_no_program() -> None:
    assert label_line("For first row (neuron 1):")
    assert not label_line("for i in range(3):")
    assert not label_line("if x > 0:")
    assert not label_line("def f(x):")
    block = "∂L/∂W₁ = ∂L/∂z × xᵀ\n\nFor first row (neuron 1):\n∂L/∂w₁₁ = ∂L/∂z₁ × x₁ = 28 × 2 = 56\n"
    assert plain_maths(block)
    assert not plain_maths("for i in range(3):\n    y = 2 * x\n")


def test_an_equation_in_a_code_block_under_a_prose_label(mazur: derivation.Derivation,
                                                         mazur_values: tuple[str, str]) -> None:
    out_o1, _ = mazur_values
    document = f"```\nFor the output neuron (o1):\nout_o1 = {out_o1}\nout_o1 = 0.85 = 0.85\n```\n"
    assert statuses(mazur, document) == ["correct", "wrong", "carried"]


def test_a_one_line_block_with_a_power_is_maths() -> None:
    assert plain_maths("L = (y_real - y_pred)^2\n")
    assert not plain_maths("loss = (y - pred) ** 2\n")  # a program's power: no maths typed as text


def test_tfrac_with_digits_for_arguments(mazur: derivation.Derivation, mazur_values: tuple[str, str]) -> None:
    _, e_total = mazur_values
    document = f"$$E_{{total}} = \\tfrac12 (0.01 - out_{{o1}})^2 + \\dfrac12(0.99 - out_{{o2}})^2 = {e_total}$$\n"
    assert statuses(mazur, document) == ["correct", "correct"]


def test_a_column_of_notes_beside_aligned_equations(mazur: derivation.Derivation) -> None:
    document = ("$$\n\\begin{aligned}\nnet_{h1} &= w_1 i_1 + w_2 i_2 + b_1 \\quad &\\text{(2)→(4) 线性变换} \\\\\n"
                "out_{h1} &= \\sigma(net_{h1}) \\quad \\text{隐藏层激活}\n\\end{aligned}\n$$\n")
    assert statuses(mazur, document) == ["correct", "correct"]


LINEAR = """
inputs = ["x"]
loss = "half_sse"

[[layers]]
neurons = ["o"]
activation = "identity"
weights = [[0.5]]
bias = { mode = "per_neuron", values = [0] }

[[samples]]
inputs = [3]
targets = [6]

[training]
learning_rate = 0.01
"""


def test_a_new_output_label_reads_the_value_after_the_update(tmp_path: Path) -> None:
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, LINEAR)))), history_steps=(1,))
    x, t, w, b, lr = Fraction(3), Fraction(6), Fraction(1, 2), Fraction(0), Fraction(1, 100)
    y = w * x + b
    w1, b1 = w - lr * (y - t) * x, b - lr * (y - t)  # E = 1/2 (t - y)^2: dE/dy = y - t
    y1 = w1 * x + b1
    document = (f"out_o = {float(y)}\n\nw_new = {float(w1)}\n\nb_new = {float(b1)}\n\n"
                f"- **New output: out_o = {float(y1)}**\n")
    found = check_document(d, "md", document).found
    assert [f.verdict.status for f in found] == ["correct"] * 4
    assert found[-1].target == "out_o@1"


def test_a_delta_an_unread_equation_defines_is_not_guessed_wrong_in_an_update(mazur: derivation.Derivation) -> None:
    s = spec.load_preset("mazur")
    values = param_values(s)
    grad_w1 = finite_difference(s, 0, "w1", values)
    # the document's delta is -dE/dnet (it adds the step): w1 + 0.5 delta_h1 i1 is its right update, which the
    # network's delta_h1 (dE/dnet_h1) makes wrong; the unread definition would have told which it means
    updated = mp.nstr(values["w1"] - mp.mpf("0.5") * grad_w1, 9)
    update = f"w1_new = w1 + η * delta_h1 * 0.05 = {updated}\n"
    unread = "delta_h1 = out_h1 * (1 - out_h1) * (delta_zz * w5)\n\n"
    assert statuses(mazur, update)[0] == "wrong"  # no definition written: the network's delta is meant
    found = check_document(mazur, "md", unread + update).found
    first = next(f.verdict for f in found if f.verdict.line == 3 and f.verdict.link == 1)
    assert first.status == "cannot check" and "line 1" in first.reason
    # its value written, the network's delta (dE/dnet_h1 = dE/dw1 / i1): the delta is the network's, the sign wrong
    valued = f"delta_h1 = out_h1 * (1 - out_h1) * (delta_zz * w5) ≈ {mp.nstr(grad_w1 / mp.mpf('0.05'), 3)}\n\n"
    found = check_document(mazur, "md", valued + update).found
    assert next(f.verdict for f in found if f.verdict.line == 3 and f.verdict.link == 1).status == "wrong"


@pytest.fixture(scope="module")
def mazur_outputs() -> tuple[object, object, object]:
    """out_h1, out_o1 and out_o2 of the classic example, by the oracle."""
    s = spec.load_preset("mazur")
    outs = forward(oracle_net(s), list(s.samples[0].inputs))  # the inputs, the hidden outputs, the outputs
    return outs[1][0], outs[-1][0], outs[-1][1]


def test_a_delta_worked_as_target_minus_output_is_read_with_its_sign_turned(
        mazur: derivation.Derivation, mazur_outputs: tuple[object, object, object]) -> None:
    _, o1, o2 = (mp.nstr(v, 9) for v in mazur_outputs)
    delta1 = (mp.mpf("0.01") - mp.mpf(o1)) * mp.mpf(o1) * (1 - mp.mpf(o1))  # (t - o) o (1 - o): -dE/dnet_o1
    delta2 = (mp.mpf("0.99") - mp.mpf(o2)) * mp.mpf(o2) * (1 - mp.mpf(o2))
    document = (f"→ δ₁ = (0.01 - {o1})·{o1}·(1 - {o1}) ≈ {mp.nstr(delta1, 4)}\n\n"
                f"→ δ₂ = (0.99 - {o2})·{o2}·(1 - {o2}) ≈ {mp.nstr(-delta2, 4)}\n")  # the second with a sign slip
    found = check_document(mazur, "md", document).found
    assert [(f.verdict.line, f.verdict.status) for f in found] == [(1, "correct"), (1, "correct"), (3, "correct"),
                                                                   (3, "wrong")]
    assert found[-1].verdict.explanations[0].startswith("sign:")
    readings = check_document(mazur, "md", document).names.readings
    assert [r.quantity for r in readings] == ["-d:E_total/net_o1", "-d:E_total/net_o2"]


def test_a_wrong_value_stated_again_carries_its_slip(mazur: derivation.Derivation,
                                                      mazur_values: tuple[str, str]) -> None:
    out_o1, _ = mazur_values
    slipped = f"{float(out_o1) + 0.01:.8f}"
    document = f"out_o1 = {slipped}\n\nThe results:\n\nout_o1 = {slipped}\n"
    assert statuses(mazur, document) == ["wrong", "carried"]


def test_a_number_written_for_a_negative_value_in_a_formula(
        mazur: derivation.Derivation, mazur_outputs: tuple[object, object, object]) -> None:
    _, _, o2 = mazur_outputs
    slope = mp.nstr(o2 - mp.mpf("0.99"), 9)  # dE/dout_o2, negative: the formula's value at this point
    document = (f"$$\\frac{{\\partial E}}{{\\partial w_7}} = {slope} \\times out_{{o2}}(1 - out_{{o2}})"
                " \\times out_{h1}$$\n")
    found = check_document(mazur, "md", document).found
    assert [f.verdict.status for f in found] == ["correct"]
    assert f"{slope} written as the value" in found[0].verdict.reason


def test_a_call_is_no_remark_and_a_heading_with_a_colon_no_program() -> None:
    assert equation_in("0.1412 = f'(Ik)") is None  # f'(Ik) is f' at Ik, not f' and a remark
    assert equation_in("y (true label) = 1.0") is not None
    assert label_line("For the solution you can use the fact that f(Iₖ) = zₖ:")
    assert not label_line("if x > 0:") and code_like("for i in range(3):")


def test_a_delta_turned_where_the_document_keeps_the_networks_sign_is_a_slip(
        mazur: derivation.Derivation, mazur_outputs: tuple[object, object, object]) -> None:
    _, o1, o2 = (mp.nstr(v, 9) for v in mazur_outputs)
    plain = (mp.mpf(o1) - mp.mpf("0.01")) * mp.mpf(o1) * (1 - mp.mpf(o1))  # dE/dnet_o1: the network's sign
    turned = (mp.mpf("0.99") - mp.mpf(o2)) * mp.mpf(o2) * (1 - mp.mpf(o2))  # -dE/dnet_o2: the sign slipped
    document = (f"delta_1 = ({o1} - 0.01) * {o1} * (1 - {o1}) = {mp.nstr(plain, 9)}\n\n"
                f"delta_2 = (0.99 - {o2}) * {o2} * (1 - {o2}) = {mp.nstr(turned, 8)}\n")
    verdicts = [(f.verdict.line, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert verdicts[:2] == [(1, "correct"), (1, "correct")]
    assert (3, "wrong") in verdicts and (3, "correct") not in verdicts[2:3]


def test_a_value_said_to_be_where_learning_started_is_the_given(tmp_path: Path) -> None:
    named = LINEAR.replace("weights = [[0.5]]", 'weights = [[0.5]]\nweight_names = [["w"]]')  # w: the network's
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, named)))), history_steps=(1,))
    x, t, w, b, lr = Fraction(3), Fraction(6), Fraction(1, 2), Fraction(0), Fraction(1, 100)
    w1 = w - lr * (w * x + b - t) * x  # the weight after one update
    worked = f"w_new = {float(w1)}\n\n"
    assert statuses(d, worked + f"The model started with w = {float(w)} and learnt.\n") == ["correct", "correct"]
    # the updated value said to be the start: wrong, not read as the value after the update
    assert statuses(d, worked + f"The model started with w = {float(w1)} and learnt.\n") == ["correct", "wrong"]
