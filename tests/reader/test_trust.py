"""A document's step is never called right where the checker cannot tell: small documents of our own, each
with a rule the reading corpus showed was needed. Values from tests/oracle.py or by hand arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


def verdicts(d: derivation.Derivation, document: str) -> list[tuple[int, str, str]]:
    return [(f.verdict.line, f.verdict.status, f.verdict.reason) for f in check_document(d, "md", document).found]


def dE_dw5() -> object:
    """dE_total/dw5 of the classic network: (out_o1 - target_o1) out_o1 (1 - out_o1) out_h1, by the oracle."""
    s = spec.load_preset("mazur")
    outs = forward(oracle_net(s), list(s.samples[0].inputs))
    o1, h1 = outs[2][0], outs[1][0]
    return (o1 - mp.mpf("0.01")) * o1 * (1 - o1) * h1


def test_a_sign_taken_out_of_delta_as_the_text_says_cannot_be_checked(mazur: derivation.Derivation) -> None:
    """`-δ_o1 out_h1` is the negative of dE/dw5 with the document's δ; under a paragraph saying the sign is
    taken the other way it is no sign mistake (cannot check), without that paragraph it is one (wrong)."""
    formula = r"$$\frac{\partial E_{total}}{\partial w_5} = -\delta_{o1} \cdot out_{h1}$$"
    said = verdicts(mazur, f"Some texts take the negative sign out of $\\delta$, so it is written as:\n\n{formula}\n")
    assert [(line, status) for line, status, _ in said] == [(3, "cannot check")]
    assert mp.nstr(dE_dw5(), 9) in said[0][2] and "negative sign" in said[0][2]
    plain = verdicts(mazur, f"Therefore:\n\n{formula}\n")
    assert [status for _, status, _ in plain] == ["wrong"]


def test_a_number_that_carries_a_slip_is_known_again_when_copied(mazur: derivation.Derivation) -> None:
    """net_h1 written 0.3785 (it is 0.3775): the person's own S = 0.3785 + 1 = 1.3785 carries the slip, and
    so does a later step that copies 1.3785 (1 / 1.3785 = 0.72543, by hand), right as arithmetic only."""
    document = "$$net_{h1} = 0.3785$$\n\n$$S = 0.3785 + 1 = 1.3785$$\n\n$$\\frac{1}{1.3785} = 0.72543$$\n"
    found = verdicts(mazur, document)
    assert [(line, status) for line, status, _ in found] == [(1, "wrong"), (3, "carried"), (3, "carried"),
                                                             (5, "carried")]
    assert "1.3785, the slip on line 3" in found[-1][2]


def test_a_sum_in_numbers_is_judged_as_the_quantity_its_result_is_stated_for(mazur: derivation.Derivation) -> None:
    """net_h1 = 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.0075 + 0.02 + 0.35 = 0.3775 (by hand); a bare sum with the
    second product written 0.03 adds up (0.3875), but the line after states 0.3875 as net_h1: the sum is a
    wrong net_h1 (not right arithmetic), and the statement copies it (carried)."""
    document = "Each term:\n\n1. $0.0075 + 0.03 + 0.35 = 0.3875$\n\nSo $net_{h1} = 0.3875$.\n"
    found = verdicts(mazur, document)
    assert [(line, status) for line, status, _ in found] == [(3, "wrong"), (3, "carried"), (5, "carried")]
    assert "read 0.3875 as net_h1" in " ".join(f.reading for f in check_document(mazur, "md", document).found)
    alone = verdicts(mazur, "Each term:\n\n1. $0.0075 + 0.03 + 0.35 = 0.3875$\n")
    assert [status for _, status, _ in alone] == ["correct"]  # about no quantity: arithmetic only


def test_a_sum_whose_result_names_no_one_quantity_stays_arithmetic(mazur: derivation.Derivation) -> None:
    """0.3875 stated on one line for two quantities, or a result of two digits (0.39): no tie."""
    two = verdicts(mazur, "$0.0075 + 0.03 + 0.35 = 0.3875$\n\n$net_{h1} = 0.3875$, $net_{h2} = 0.3875$\n")
    assert [s for line, s, _ in two if line == 1] == ["correct"]
    short = verdicts(mazur, "$0.01 + 0.03 + 0.35 = 0.39$\n\n$net_{h1} = 0.39$\n")
    assert [s for line, s, _ in short if line == 1] == ["correct"]


def test_a_rule_for_every_index_written_with_one_instances_index_is_never_right(
        mazur: derivation.Derivation) -> None:
    """a_1 is net_h1 (0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775); `y_j = F(a_j) = 1/(1 + e^{-a_1})` writes
    a_1 for the a_j of its own chain: wrong as a rule for every j (it holds for one only), a notation slip;
    `h_j = 1/(1 + e^{-a_1})` names no a_j, so which j is meant is not read. Neither is read as out_h1 and
    called right."""
    document = ("$$a_1 = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = 0.3775$$\n\n"
                "$$y_j = F(a_j) = \\frac{1}{1 + e^{-a_1}}$$\n\n$$h_j = \\frac{1}{1 + e^{-a_1}}$$\n\n"
                "$$h_1 = \\frac{1}{1 + e^{-a_1}}$$\n")
    report = check_document(mazur, "md", document)
    assert [s.status for s in report.spans] == ["judged", "judged", "not understood", "judged"]
    (slip,) = report.spans[1].found
    assert (slip.verdict.status, slip.verdict.link) == ("wrong", 2)
    assert slip.verdict.explanations[0].startswith("notation: a1 written for a_j in a rule for every j")
    assert "h_j and a1" in report.spans[2].reason
    assert [f.verdict.status for f in report.spans[3].found] == ["correct"]  # one instance: h_1 is out_h1


def test_an_instance_of_a_summed_index_is_no_slip_in_the_rule(mazur: derivation.Derivation) -> None:
    """z_j = sum_i w_i x_i = w_1 x_1 + w_2 x_2: the instances are of the sum's index i, not of the rule's j;
    a rule that keeps its own index throughout (y_j = F(a_j) = 1/(1 + e^{-a_j})) is no slip either."""
    for rule in (r"z_j = \sum_i w_i x_i = w_1 x_1 + w_2 x_2", r"y_j = F(a_j) = \frac{1}{1 + e^{-a_j}}"):
        report = check_document(mazur, "md", f"$${rule}$$\n")
        assert "wrong" not in {f.verdict.status for f in report.found}


ROW_NET = """title = "2-2-1"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.1, 0.4], [-0.2, 0.3]]
bias = { mode = "per_neuron", values = [0.1, -0.1] }

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.2, -0.3]]
bias = { mode = "per_neuron", values = [0.05] }

[[samples]]
inputs = [1, 0.5]
targets = [1]

[training]
learning_rate = 0.1
"""


def test_a_vector_written_the_other_way_round_from_before_is_wrong(tmp_path: Path) -> None:
    """W^{[2]} of one output neuron written as a 1x2 row, then as a 2x1 column: the values are the weights (0.2,
    -0.3, given), the equation between the column and the row is not. Written the same way twice: right."""
    path = tmp_path / "net.toml"
    path.write_text(ROW_NET, encoding="utf-8")
    d = derivation.build(network.build(spec.load(str(path))), history_steps=(1,))
    row, column = r"\begin{bmatrix} 0.2 & -0.3 \end{bmatrix}", r"\begin{bmatrix} 0.2 \\ -0.3 \end{bmatrix}"
    found = verdicts(d, f"$$W^{{[2]}} = {row}$$\n\nLater:\n\n$$W^{{[2]}} = {column}$$\n")
    assert [(line, status) for line, status, _ in found] == [(1, "correct"), (1, "correct"), (5, "correct"),
                                                             (5, "correct"), (5, "wrong")]
    assert "a 2x1 column, where line 1 writes that vector as a 1x2 row" in found[-1][2]
    same = verdicts(d, f"$$W^{{[2]}} = {column}$$\n\nLater:\n\n$$W^{{[2]}} = {column}$$\n")
    assert {status for _, status, _ in same} == {"correct"}


def mazur_after_update() -> tuple[dict[str, object], object]:
    """The classic network's weights after one update (w - 0.5 dE/dw, the gradients by central differences of
    the oracle's loss) and out_h1 at them."""
    from tests.helpers import param_values
    from tests.oracle import loss

    s = spec.load_preset("mazur")
    values = param_values(s)
    weights = [f"w{k}" for k in range(1, 9)]

    def error(name: str, x: object) -> object:
        return loss(oracle_net(s, {**values, name: x}), list(s.samples[0].inputs), list(s.samples[0].targets))

    updated = {w: values[w] - mp.mpf("0.5") * mp.diff(lambda x, w=w: error(w, x), values[w]) for w in weights}
    return updated, forward(oracle_net(s, {**values, **updated}), list(s.samples[0].inputs))[1][0]


def test_the_forward_pass_after_the_update_is_judged_on_the_persons_updated_weights(
        mazur: derivation.Derivation) -> None:
    """"After updating the weights": out_h1 there is its value at the updated weights. Right, it is right; wrong
    where the person wrote updated weights that were not read, it may follow from them (cannot check); wrong
    where none is written, or all are written and right, it is a new error."""
    updated, out_h1 = mazur_after_update()
    lead = "After updating the weights, the forward pass is repeated:\n\n"
    right = check_document(mazur, "md", lead + f"$$out_{{h1}} = {mp.nstr(out_h1, 9)}$$\n").found
    assert [f.verdict.status for f in right] == ["correct"] and "after one update" in right[0].reading
    unread = verdicts(mazur, "Updating: $w_{1}(new) = 0.1497$\n\n" + lead + "$$out_{h1} = 0.61$$\n")
    assert [status for line, status, _ in unread if line == 5] == ["cannot check"]  # w1(new) is not read
    none = verdicts(mazur, lead + "$$out_{h1} = 0.61$$\n")  # no updated weight written: the network's
    assert [status for _, status, _ in none] == ["wrong"]
    weights = "".join(f"$$w_{w[1:]}^+ = {mp.nstr(v, 9)}$$\n\n" for w, v in updated.items())
    known = verdicts(mazur, "Updating the weights:\n\n" + weights + lead + "$$out_{h1} = 0.61$$\n")
    assert [status for _, status, _ in known] == ["correct"] * 8 + ["wrong"]


GIVENS = "The inputs are $x_1 = 0.05$, $x_2 = 0.1$ and the targets $y_1 = 0.01$, $y_2 = 0.99$.\n\n"


def outputs() -> tuple[object, object]:
    """out_o1 and out_h1 of the classic network, by the oracle."""
    s = spec.load_preset("mazur")
    outs = forward(oracle_net(s), list(s.samples[0].inputs))
    return outs[2][0], outs[1][0]


def test_a_paragraph_that_only_speaks_of_a_sign_does_not_hide_a_sign_mistake(mazur: derivation.Derivation) -> None:
    """δ_o1 = (target - out) out (1 - out) is the negative of (out - target) out (1 - out): "target minus the
    output" describes the mistake, it states no convention (wrong); nor do "minus", "negative", 注意符号."""
    o1, _ = outputs()
    assert mp.nstr((o1 - mp.mpf("0.01")) * o1 * (1 - o1), 9) == "0.138498562"
    delta = "$$\\delta_{o1} = (target_{o1} - out_{o1}) \\cdot out_{o1} (1 - out_{o1})$$\n"
    said = verdicts(mazur, GIVENS + "The error of o1 is the target minus the output, times the slope of the "
                    "sigmoid:\n\n" + delta)
    assert [status for line, status, _ in said if line == 5] == ["wrong"]
    for words in ("The error term is negative when the output is too large: ",
                  "注意符号，$w_5$ 的梯度为 ", "The error at o1 is target minus output, "):
        found = verdicts(mazur, GIVENS + words + "$\\frac{\\partial E_{total}}{\\partial w_5} = -0.0821670$。\n")
        assert [status for line, status, _ in found if line == 3] == ["wrong"], words


def test_a_sign_convention_must_name_a_symbol_the_formula_uses(mazur: derivation.Derivation) -> None:
    """"extract the negative sign" naming no symbol, or naming δ above a formula without δ: wrong. The
    corpus's own wording (有些资料将 $\\delta$ 的负号展开写成) above -δ_o1 out_h1: cannot check."""
    formula = "$$\\frac{\\partial E_{total}}{\\partial w_5} = -(out_{o1} - target_{o1}) out_{o1} (1 - out_{o1}) out_{h1}$$\n"
    bare = verdicts(mazur, GIVENS + "Some sources extract the negative sign, so it would be written as:\n\n" + formula)
    assert [status for line, status, _ in bare if line == 5] == ["wrong"]
    other = verdicts(mazur, GIVENS + "Some sources extract the negative sign from $\\delta$:\n\n" + formula)
    assert [status for line, status, _ in other if line == 5] == ["wrong"]
    zh = verdicts(mazur, "有些资料将 $\\delta$ 的负号展开写成：\n$$\n\\frac{\\partial E_{total}}{\\partial w_5} = "
                  "-\\delta_{o1} \\cdot out_{h1}\n$$\n")
    assert [status for _, status, _ in zh] == ["cannot check"]


def test_update_wording_away_from_the_span_does_not_hide_a_forward_pass_slip(mazur: derivation.Derivation) -> None:
    """out_h1 = sigmoid(0.3775) = 0.593269992 (oracle), written 0.6033: wrong, whether or not the opening
    paragraph promises "the error after the update" at the end (no updated weight is written before it)."""
    _, h1 = outputs()
    assert mp.nstr(h1, 9) == "0.593269992"
    body = ("\n\nThe first hidden neuron: $net_{h1} = 0.3775$ and $out_{h1} = 0.6033$.\n\n"
            "The output: $net_{o1} = 1.2059$ and $out_{o1} = 0.7713$.\n")
    for opening in ("We compute the forward pass, then the gradients, and at the end the error after the update.",
                    "We compute the forward pass, then the gradients.", "算完前向传播，最后看更新后的误差。"):
        found = verdicts(mazur, GIVENS.strip() + " " + opening + body)
        assert [status for line, status, _ in found if line == 3] == ["correct", "wrong"], opening


def test_a_copy_of_a_slip_is_carried_only_for_the_same_quantity(mazur: derivation.Derivation) -> None:
    """E_o1 = 0.74136507 is wrong (it is 0.274811083; 0.74136507 is dE/dout_o1, oracle); dE/dnet_o1 written
    0.74136507 is that number again for another quantity, its own mistake (wrong, not carried); so is
    -0.74136507 for dE/dout_o1 after 0.74136507 for dE/dnet_o1 (the sign is part of the number), and 0.5969
    for dE/dw5 after out_h1 = 0.5969. The same slip restated for its own quantity is carried."""
    o1, h1 = outputs()
    assert mp.nstr(0.5 * (o1 - mp.mpf("0.01")) ** 2, 9) == "0.274811083" and mp.nstr(o1 - mp.mpf("0.01"), 8) == "0.74136507"
    dnet, dout, dw5 = (r"\frac{\partial E_{total}}{\partial net_{o1}}", r"\frac{\partial E_{total}}{\partial out_{o1}}",
                       r"\frac{\partial E_{total}}{\partial w_{5}}")
    for first, second in ((r"E_{o1} = 0.74136507", dnet + " = 0.74136507"),
                          (dnet + " = 0.74136507", dout + " = -0.74136507"),
                          (r"out_{h1} = 0.5969", dw5 + " = 0.5969")):
        found = verdicts(mazur, GIVENS + f"$${first}$$\n\n$${second}$$\n")
        assert [status for line, status, _ in found if line > 1] == ["wrong", "wrong"], second
    again = verdicts(mazur, GIVENS + "$$out_{h1} = 0.5969$$\n\nSo $out_{h1} = 0.5969$.\n")
    assert [status for line, status, _ in again if line > 1] == ["wrong", "carried"]


def test_a_value_beyond_checking_is_no_slip_to_carry(mazur: derivation.Derivation) -> None:
    """δ_o1 written as the exact negative of its truth (oracle) under a stated convention: cannot check, and
    dE/dw5 = δ_o1 out_h1 = -0.0821670406 after it is not credited as carrying a slip never called wrong."""
    o1, h1 = outputs()
    delta = (o1 - mp.mpf("0.01")) * o1 * (1 - o1)
    document = ("Some texts take the negative sign out of $\\delta$, so it is written as:\n"
                f"$$\\delta_{{o1}} = -{mp.nstr(delta, 20)}$$\n\n"
                f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = \\delta_{{o1}} \\cdot out_{{h1}} = "
                f"-{mp.nstr(delta * h1, 9)}$$\n")
    found = verdicts(mazur, document)
    assert [(line, status) for line, status, _ in found][0] == (2, "cannot check")
    assert "carried" not in [status for _, status, _ in found]


def test_a_givens_formula_must_be_made_of_inputs_and_constants(mazur: derivation.Derivation) -> None:
    """y_2 = 1.28084298149 out_o2 and x_1 = 0.0842786600792 out_h1 agree at the spec's values (0.99 /
    out_o2 and 0.05 / out_h1 by the oracle) but name the network's outputs: no given made by a formula,
    wrong in general. y_1 = x_1 (1 - x_2) 0.2222222222 names only inputs: a given made by a formula."""
    o1, h1 = outputs()
    s = spec.load_preset("mazur")
    o2 = forward(oracle_net(s), list(s.samples[0].inputs))[2][1]
    assert mp.nstr(mp.mpf("0.99") / o2, 12) == "1.28084298149" and mp.nstr(mp.mpf("0.05") / h1, 12) == "0.0842786600792"
    found = verdicts(mazur, GIVENS + "The target is $y_2 = 1.28084298149 \\cdot out_{o2}$, and "
                     "$x_1 = 0.0842786600792 \\cdot out_{h1}$, and $y_1 = x_1 (1 - x_2) \\cdot 0.2222222222$.\n")
    assert [status for line, status, _ in found if line == 3] == ["wrong", "wrong", "correct"]
    assert "not in general" in found[-3][2] and "a given, made by this formula" in found[-1][2]


def test_a_sign_convention_said_in_chinese_before_a_quoted_formula(mazur: derivation.Derivation) -> None:
    """将负号从 δ 中提出 (take the minus sign out of δ), in a quote whose formula follows on lazy lines: the
    negative of dE/dw5 (by the oracle) under it cannot be checked; without it, it is wrong."""
    formula = "$$\n\\frac{\\partial E_{total}}{\\partial w_5}=-\\delta_{O1}out_{h1}\n$$\n"
    said = verdicts(mazur, f"> 有一些论文中通过将负号从$\\delta$中提出来将其写为下面这种形式：\n>\n> {formula}")
    assert [status for _, status, _ in said] == ["cannot check"] and mp.nstr(dE_dw5(), 9) in said[0][2]
    assert [status for _, status, _ in verdicts(mazur, f"> 因此有：\n>\n> {formula}")] == ["wrong"]


def test_a_value_at_a_point_is_no_rule_for_every_value(mazur: derivation.Derivation) -> None:
    """σ'(z) = 0.59 (1 - 0.59) names no z: it states a value, not σ'(z) = σ(z)(1 - σ(z)) for every z, and is
    never found wrong at z = -2.31 for it; σ'(x) = x(1 - x) is a rule, and a wrong one (σ'(x) is σ(x)(1 - σ(x)))."""
    assert [s for _, s, _ in verdicts(mazur, "$$\\sigma'(z_1) = 0.59 \\cdot (1 - 0.59) = 0.2419$$\n")] \
        == ["cannot check"] * 2
    assert "wrong" in [s for _, s, _ in verdicts(mazur, "$$\\sigma'(x) = x(1 - x)$$\n")]


def test_a_name_stated_with_two_values_is_not_guessed(mazur: derivation.Derivation) -> None:
    """k = 1, then k = 4 for another case: dE/dw5 = (1/k) δ_o1 out_h1 holds with k = 1 (by the oracle's
    dE/dw5), so it cannot be checked; m stated once, as 4, it is wrong. (m stated twice, one of its values the
    network's count of samples, is that count: tests/reader/test_counts.py.)"""
    formula = "$$\\frac{\\partial E_{total}}{\\partial w_5} = \\frac{1}{k} \\delta_{o1} out_{h1}$$\n"
    found = verdicts(mazur, "With $k = 1$ the mean is the sum.\n\nFor a batch of four, $k = 4$.\n\n" + formula)
    assert found[-1][1] == "cannot check" and "k was 1 on line 1" in found[-1][2]
    assert verdicts(mazur, "For a batch of four, $m = 4$.\n\n" + formula.replace("{k}", "{m}"))[-1][1] == "wrong"


def test_a_number_from_an_equation_not_read_is_not_called_a_new_slip(mazur: derivation.Derivation) -> None:
    """0.1234 was written in an equation derive cannot read (an unknown macro); w5 - 0.5 x 0.1234 is not
    the update (0.35891648, by the oracle's gradient), but whether it carries a slip from there is not known;
    with 0.1234 written nowhere before, it is wrong."""
    update = "$$w_5^+ = 0.4 - 0.5 \\times 0.1234$$\n"
    unread = "$$\\frac{\\partial E_{total}}{\\partial w_5} = \\weird{x} = 0.1234$$\n\n"
    assert verdicts(mazur, unread + update)[-1][1] == "cannot check"
    assert verdicts(mazur, update)[-1][1] == "wrong"


def test_a_small_value_written_as_zero_is_not_called_wrong(mazur: derivation.Derivation) -> None:
    """dE/dw1 (0.000438568 by the oracle's finite differences) then `≈ 0`: rounded to a whole number or a
    slip, it cannot be told; a value of 0.74 then `= 0` is wrong."""
    from tests.helpers import finite_difference, param_values

    classic = spec.load_preset("mazur")
    gradient = mp.nstr(finite_difference(classic, 0, "w1", param_values(classic)), 6)
    small = verdicts(mazur, f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_1}} = {gradient} \\approx 0$$\n")
    assert [s for _, s, _ in small] == ["correct", "cannot check"]
    large = verdicts(mazur, "$$\\frac{\\partial E_{total}}{\\partial out_{o1}} = 0.74136507 = 0$$\n")
    assert [s for _, s, _ in large][-1] == "wrong"


def test_a_value_that_cannot_be_checked_credits_nothing_after_it(mazur: derivation.Derivation) -> None:
    """net_h1 = 0.3775 = 0: 0 is far from any rounding of 0.3775 (wrong); a 0 after 0.0004 cannot be checked,
    and out_h1 = σ(0) = 0.5 after it cannot be checked either (it is never credited as carrying a slip)."""
    far = verdicts(mazur, "$$net_{h1} = 0.3775 = 0$$\n")
    assert [s for _, s, _ in far] == ["correct", "wrong"]
    from tests.helpers import finite_difference, param_values

    classic = spec.load_preset("mazur")
    gradient = mp.nstr(finite_difference(classic, 0, "w1", param_values(classic)), 6)
    after = verdicts(mazur, f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_1}} = {gradient} = 0$$\n\n"
                            "$$w_1^+ = 0.15 - 0.5 \\times 0 = 0.15$$\n")
    assert [s for line, s, _ in after if line == 3][0] == "cannot check"


def test_results_worked_out_in_a_chain_are_known_again_when_used(mazur: derivation.Derivation) -> None:
    """e^{-0.3775} is 0.685573 (oracle below), written 0.6956; `1 + 0.6956` then `1.6956` follows from it. A later
    line using both numbers is carried where putting both back gives the truth, and wrong where it does not."""
    net = mp.mpf("0.15") * mp.mpf("0.05") + mp.mpf("0.2") * mp.mpf("0.1") + mp.mpf("0.35")
    assert mp.nstr(mp.exp(-net), 6) == "0.685573"  # the slip: 0.6956, a digit off
    slope = mp.exp(-net) / (1 + mp.exp(-net)) ** 2  # the sigmoid's slope at net_h1, as the document writes it
    assert mp.nstr(slope, 4) == "0.2413" and mp.nstr(mp.mpf("0.6956") / mp.mpf("1.6956") ** 2, 4) == "0.2419"
    document = "\n\n".join([
        r"$$\frac{1}{1 + e^{-0.3775}} = \frac{1}{1 + 0.6956} = \frac{1}{1.6956}$$",
        r"$$\frac{\partial out_{h1}}{\partial net_{h1}} = \frac{e^{-0.3775}}{(1 + e^{-0.3775})^2}"
        r" = \frac{0.6956}{1.6956^2} = 0.2419$$",
        r"$$\frac{\partial out_{h1}}{\partial net_{h1}} = \frac{e^{-0.3775}}{(1 + e^{-0.3775})^2}"
        r" = \frac{0.6956}{1.6956}$$",  # the square left out: wrong whatever the slip
    ])
    found = verdicts(mazur, document)
    assert [s for line, s, _ in found if line == 1] == ["wrong", "carried"]
    assert [s for line, s, _ in found if line == 3] == ["correct", "carried", "carried"]
    assert "0.685573202 for 0.6956" in [r for line, _, r in found if line == 3][1]
    assert [s for line, s, _ in found if line == 5] == ["correct", "wrong"]


def test_a_rounded_result_of_rounded_numbers_under_an_expression_is_right(mazur: derivation.Derivation) -> None:
    """out_o1 is 0.751365 (oracle): its slope 0.186815 rounds to 0.1868, but worked from 0.751, as written,
    0.751 x 0.249 = 0.186999 rounds to 0.1870: right from the rounded numbers, under a left side that is an
    expression (sigma'(net_o1)) as under a name. 0.1880 follows from nothing written: wrong."""
    o1 = outputs()[0]
    assert mp.nstr(o1, 6) == "0.751365" and mp.nstr(o1 * (1 - o1), 4) == "0.1868"
    chain = r"$$\sigma'(net_{o1}) = 0.751 \cdot (1 - 0.751) = 0.751 \cdot 0.249 \approx "
    assert [s for _, s, _ in verdicts(mazur, chain + "0.1870$$")] == ["correct"] * 3
    assert [s for _, s, _ in verdicts(mazur, chain + "0.1880$$")] == ["correct", "correct", "wrong"]


@pytest.mark.parametrize("terms, result, status", [
    ("0.0125 + 0.03 + 0.35", "0.3925", "correct"), ("0.0125 + 0.03 + 0.35", "0.3926", "wrong"),
    ("0.0125 + 0.0300 + 0.350", "0.39251", "wrong"), ("0.0125 + 0.03 + 0.35", "0.393", "correct")])
def test_a_result_past_both_its_working_and_the_truth_is_a_slip(mazur: derivation.Derivation, terms: str,
                                                                result: str, status: str) -> None:
    """net_h2 = 0.25 x 0.05 + 0.3 x 0.1 + 0.35 = 0.0125 + 0.03 + 0.35 = 0.3925 exactly (by hand): 0.3926 is
    neither that sum rounded nor the truth, however 0.0125 may have been rounded, so it is never right."""
    document = f"$$net_{{h2}} = 0.25 \\times 0.05 + 0.3 \\times 0.1 + 0.35 = {terms} = {result}$$\n"
    assert [status for _, status, _ in verdicts(mazur, document)] == ["correct", "correct", status]


@pytest.mark.parametrize("result, status", [("0.3925", "correct"), ("0.3926", "wrong")])
def test_a_result_past_both_under_a_left_side_that_is_an_expression(mazur: derivation.Derivation, result: str,
                                                                     status: str) -> None:
    """The same sum under `w_3 i_1 + w_4 i_2 + b_1`, net_h2 written out: 0.3926 is a slip there too."""
    document = f"$$w_3 i_1 + w_4 i_2 + b_1 = 0.0125 + 0.03 + 0.35 = {result}$$\n"
    assert [status for _, status, _ in verdicts(mazur, document)][-1] == status


@pytest.mark.parametrize("square, status", [("0.5491", "correct"), ("0.5496", "correct"), ("0.5493", "wrong")])
def test_a_result_between_its_working_and_the_truth_but_near_neither_is_a_slip(
        mazur: derivation.Derivation, square: str, status: str) -> None:
    """(0.01 - 0.751)^2 is 0.549081 from the rounded out_o1 written (by hand), 0.549622 from the oracle's: 0.5491
    and 0.5496 are those rounded, right; 0.5493 lies between them but is neither rounded, so 1/2 of it is a slip
    (as `½(1.244 − 1)² = ½ · 0.0596` is, where 0.244² is 0.059536)."""
    out = outputs()[0]
    assert mp.nstr((mp.mpf("0.751") - mp.mpf("0.01")) ** 2, 4) == "0.5491"
    assert mp.nstr((out - mp.mpf("0.01")) ** 2, 4) == "0.5496"
    document = f"$$E_{{o1}} = \\frac{{1}}{{2}}(0.01 - 0.751)^2 = \\frac{{1}}{{2}} \\cdot {square}$$\n"
    assert [s for _, s, _ in verdicts(mazur, document)] == ["correct", status]


@pytest.mark.parametrize("out, delta, status", [("0.75", "0.1388", "correct"), ("0.76", "0.1368", "carried")])
def test_a_wrong_number_used_again_is_not_a_rounding_of_the_truth(mazur: derivation.Derivation, out: str,
                                                                  delta: str, status: str) -> None:
    """out_o1 is 0.7514 (the oracle): 0.76 is a slip, and (0.76 - 0.01) x 0.76 x (1 - 0.76) = 0.1368 (by hand)
    carries it, though 0.76 read as any number within its rounding could reach the truth, 0.1385; 0.75, out_o1
    rounded, gives 0.13875, right within the rounding of its numbers."""
    s = spec.load_preset("mazur")
    assert mp.nstr(forward(oracle_net(s), list(s.samples[0].inputs))[2][0], 2) == "0.75"
    document = (f"$$out_{{o1}} = {out}$$\n\n"
                f"$$\\delta_{{o1}} = ({out} - 0.01) \\times {out} \\times (1 - {out}) = {delta}$$\n")
    assert [status for line, status, _ in verdicts(mazur, document) if line == 3] == [status, status]


def test_a_weight_after_the_update_written_as_its_value_before_is_never_correct(
        mazur: derivation.Derivation) -> None:
    """w5 after one step is 0.4 - 0.5 dE/dw5 = 0.3589 (oracle), which rounds to 0.4 at one digit: `w_5^+ = 0.4`
    may be the update left out (w5 is 0.4), so it cannot be checked; the update written out is right, and 0.36,
    the new value to the digits written, is right."""
    new = mp.mpf("0.4") - mp.mpf("0.5") * dE_dw5()
    assert mp.nstr(new, 1) == "0.4" and mp.nstr(new, 2) == "0.36"
    for written in (r"w_5^+", r"w_5^{new}", r"w_5(new)"):
        said = verdicts(mazur, f"${written} = 0.4$")
        assert [status for _, status, _ in said] == ["cannot check"], written
        assert "value before the update" in said[0][2]
    worked = verdicts(mazur, f"$w_5^+ = 0.4 - 0.5 \\times {mp.nstr(dE_dw5(), 6)} = 0.36$")
    assert [status for _, status, _ in worked] == ["correct", "correct"]


def test_a_zero_that_rounds_the_truth_is_never_correct(mazur: derivation.Derivation) -> None:
    """dE_total/dw1 of the classic network is 0.000438 (oracle, by finite differences): 0.0 is that rounded at
    one decimal, but also what a path left out gives, so it cannot be checked; 0.0004 is right, 0.0 never."""
    s = spec.load_preset("mazur")
    h = mp.mpf("1e-20")

    def loss(w1: object) -> object:
        outs = forward(oracle_net(s, {"w1": w1}), list(s.samples[0].inputs))
        return sum((o - t) ** 2 / 2 for o, t in zip(outs[2], s.samples[0].targets, strict=True))

    grad = (loss(mp.mpf("0.15") + h) - loss(mp.mpf("0.15") - h)) / (2 * h)
    assert mp.nstr(grad, 1) == "0.0004"
    said = verdicts(mazur, r"$\frac{\partial E_{total}}{\partial w_1} = 0.0$")
    assert [status for _, status, _ in said] == ["cannot check"]
    said = verdicts(mazur, r"$\frac{\partial E_{total}}{\partial w_1} = 0.0004$")
    assert [status for _, status, _ in said] == ["correct"]


def test_a_functions_definition_ending_in_a_number_is_a_value_at_one_point(mazur: derivation.Derivation) -> None:
    """`f(u) = 1/(1 + e^{-u}) = 0.9933`, u a letter the network has no quantity for: the definition holds for
    every u (correct), the number is its value at one u the document never gives (cannot check, not wrong)."""
    assert mp.nstr(1 / (1 + mp.e ** -5), 4) == "0.9933"
    said = verdicts(mazur, r"$f(u) = \frac{1}{1+e^{-u}} = 0.9933$")
    assert [status for _, status, _ in said] == ["correct", "cannot check"]
    assert "value at one u" in said[1][2]
    wrong = verdicts(mazur, r"$f(u) = \frac{1}{1-e^{-u}} = 0.9933$")
    assert [status for _, status, _ in wrong][0] == "wrong"  # a wrong definition stays wrong


BATCH_NEURON = """
title = "One sigmoid neuron, two samples, corrections summed"
inputs = ["x1"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.8]]
weight_names = [["w1"]]
bias = { mode = "none" }

[[samples]]
inputs = [1]
targets = [0]

[[samples]]
inputs = [2]
targets = [1]

[training]
learning_rate = 0.5
update = "batch"
reduction = "sum"
"""


def test_a_link_using_a_slip_and_wrong_in_another_way_too_is_not_carried() -> None:
    """The step Δw1 = η Σ (t - o) o (1 - o) x over two samples (by hand with mpmath) is -0.0503. Written first
    as the first sample's term alone (-0.1476: a slip), then as that term plus the second's, with or without η:
    neither is right once the slip is put back (-0.0503 plus a term is not -0.0503), so the later line is a
    mistake of its own, wrong, not the slip carried."""
    d = derivation.build(network.build(spec.load_text(BATCH_NEURON)), history_steps=(1,))
    terms = []
    for x, t in ((1, 0), (2, 1)):
        o = 1 / (1 + mp.e ** (-mp.mpf("0.8") * x))
        terms.append((t - o) * o * (1 - o) * x)
    assert mp.nstr(mp.mpf("0.5") * (terms[0] + terms[1]), 3) == "-0.0503"
    first, second = (mp.nstr(v, 4) for v in terms)
    slip = f"$$\\Delta w_1 = {first}$$\n\n"
    for term, total in ((f"0.5 \\times {second}", terms[0] + terms[1] / 2), (second, terms[0] + terms[1])):
        said = verdicts(d, slip + f"$$\\Delta w_1 = {first} + {term} = {mp.nstr(total, 4)}$$")
        assert said[0][1] == "wrong"
        assert [status for line, status, _ in said if line == 3][0] == "wrong", said  # the sum: its own mistake


def test_a_link_following_one_that_cannot_be_checked_is_not_credited(mazur: derivation.Derivation) -> None:
    """u = 0.83 (no value of the network), then u = 2 u = 1.66 = 1.66: the first link defines u by itself and
    cannot be checked, so the numbers that follow from it (2 x 0.83 = 1.66 by hand) cannot be either; never
    "correct" on its word."""
    said = verdicts(mazur, "$$u = 0.83$$\n\n$$u = 2 u = 1.66 = 1.66$$\n")
    assert [(line, status) for line, status, _ in said] == [
        (1, "defined"), (3, "cannot check"), (3, "cannot check"), (3, "cannot check")]
    assert said[2][2] == "follows from link 1, which cannot be checked"


def test_a_given_stated_wrong_is_not_carried_from_its_own_number(mazur: derivation.Derivation) -> None:
    """w_1 is 0.15; `w_1 = 0.18` is wrong. Read as the weight after the update, it must not take its own 0.18
    as the weight before it (0.18 - 0.5 x 0.000438568 = 0.17978, which 0.18 rounds) and be carried from
    itself: each reading of a claim is judged on what was written before the claim only. (After some working,
    net_h1 = 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775, both readings are tried.)"""
    found = verdicts(mazur, "$net_{h1} = 0.3775$\n\nThe weights: $w_1 = 0.18$\n")
    assert [(line, status) for line, status, _ in found] == [(1, "correct"), (3, "wrong")]
    after = check_document(mazur, "md", "After the update, $w_1 = 0.14978$\n").found  # 0.15 - 0.5 x 0.000438568
    assert [(f.verdict.status, f.reading) for f in after] == [("correct", "w1: read as the value after one update")]


def test_a_name_is_not_read_by_its_value_as_a_kind_its_letters_rule_out(mazur: derivation.Derivation) -> None:
    """The target is 0.01 and w5 is 0.40, w6 0.45: `y = 0.4` is no weight (nor d net_o1 / d out_h1, which is
    w5) and `b^{(2)} = 0.45` no weight; neither is called right by that value. `y = 0.01` is the target and
    `o_1 = 0.01` (output data) too; `\\theta_1 = 0.15` is w1."""
    for document in ("The target: $y = 0.4$\n", "The bias: $b^{(2)} = 0.45$\n"):
        assert [status for _, status, _ in verdicts(mazur, document)] in (["defined"], ["wrong"], ["cannot check"])
    for document, read in (("The target: $y = 0.01$\n", "read y as target_o1"),
                           ("Output data: $o_1 = 0.01$\n", "read o1 as target_o1"),
                           ("Weights: $\\theta_1 = 0.15$\n", "read theta1 as w1")):
        found = check_document(mazur, "md", document).found
        assert [f.verdict.status for f in found] == ["correct"] and read in found[0].reading


def test_a_parameter_stated_with_another_parameters_value_cannot_be_checked(mazur: derivation.Derivation) -> None:
    """w1 is 0.15 and w3 0.25: `w_1 = 0.25` may be the document's own numbering of w3 (cannot check, both named),
    and is no slip a later step carries; `w_1 = 0.18`, no parameter's value, is wrong."""
    found = verdicts(mazur, "The weights: $w_1 = 0.25$\n")
    assert [status for _, status, _ in found] == ["cannot check"]
    assert "w1 (0.15)" in found[0][2] and "w3" in found[0][2]
    assert [status for _, status, _ in verdicts(mazur, "The weights: $w_1 = 0.18$\n")] == ["wrong"]


def test_a_parameter_stated_before_any_working_is_the_given_it_starts_from(mazur: derivation.Derivation) -> None:
    """w1 = 0.15, and after one update 0.15 - 0.5 x 0.000438568 = 0.149780716 (by hand), which 0.14 truncates:
    stated before anything is worked out, `w_1 = 0.14` is the weight it starts from, wrong, not the weight
    after the update. Under words saying the weights are new, or after working, 0.14978 is that weight."""
    assert [s for _, s, _ in verdicts(mazur, "The weights: $w_1 = 0.14$\n")] == ["wrong"]
    for document in ("The new weights: $w_1 = 0.14978$\n", "$net_{h1} = 0.3775$\n\nThen $w_1 = 0.14978$\n"):
        found = check_document(mazur, "md", document).found
        assert (found[-1].verdict.status, found[-1].reading) == ("correct", "w1: read as the value after one update")


def test_biases_labelled_by_layer_are_read_as_a_family(mazur: derivation.Derivation) -> None:
    """The classic network has one bias per layer, b1 = 0.35 and b2 = 0.6: `b^{(2)} = 0.6` is b2 by its value,
    so `b^{(1)}` is b1 by its label, and 0.45 for it is wrong (not a name of the person's own, defined)."""
    found = check_document(mazur, "md", "Biases: $b^{(1)} = 0.45$, $b^{(2)} = 0.6$\n").found
    assert [(f.verdict.status, f.reading) for f in found] == [("wrong", "read b_L1 as b1 (0.35)"),
                                                              ("correct", "read b_L2 as b2 (0.6)")]


RELU_NET = """
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1"]
activation = "relu"
weights = [[0.5, 2]]

[[layers]]
neurons = ["o1"]
activation = "relu"
weights = [[1.2]]

[[samples]]
inputs = [1, 0.5]
targets = [4]

[training]
learning_rate = 0.1
"""


def test_a_number_put_for_a_quantity_wrongly_is_wrong_where_the_result_hides_it(tmp_path: Path) -> None:
    """net_h1 = 0.5 x 1 + 2 x 0.5 = 1.5 (by hand), so ReLU'(net_h1) = 1; `ReLU'(1.8) = 1` puts 1.8 for net_h1:
    its result is right only because the slope is 1 at both, the step is wrong. `ReLU'(1.5) = 1` is right."""
    path = tmp_path / "net.toml"
    path.write_text(RELU_NET, encoding="utf-8")
    d = derivation.build(network.build(spec.load(str(path))), history_steps=(1,))
    slope = r"$$\frac{\partial out_{h1}}{\partial net_{h1}} = \text{ReLU}'(net_{h1}) = \text{ReLU}'(NUMBER) = 1$$"
    wrong = verdicts(d, slope.replace("NUMBER", "1.8") + "\n")
    assert [status for _, status, _ in wrong] == ["correct", "wrong", "correct"]
    assert "1.8 is put for net_h1, which is 1.5" in wrong[1][2]
    assert {status for _, status, _ in verdicts(d, slope.replace("NUMBER", "1.5") + "\n")} == {"correct"}


def test_a_given_of_a_kind_the_network_has_one_of_is_read_by_its_letter(tmp_path: Path) -> None:
    """One output, target 4; d out_o1 / d out_h1 is the output's weight 1.2 (relu, active: net_h1 = 1.5). `t =
    1.2` is no derivative (its letter says a target) and, the network having one target, is that target stated
    wrong; `t = 4.0` is right; a whole `t = 1` may count steps and is left a name of the person's own. So
    `\\alpha = 1.2` is the learning rate (0.1) stated wrong, no derivative."""
    path = tmp_path / "net.toml"
    path.write_text(RELU_NET, encoding="utf-8")
    d = derivation.build(network.build(spec.load(str(path))), history_steps=(1,))
    for number, status in (("1.2", "wrong"), ("4.0", "correct")):
        found = check_document(d, "md", f"The target: $t = {number}$\n").found
        assert [(f.verdict.status, f.reading) for f in found] == [(status, "read t as target_o1 (4)")]
    assert [s for _, s, _ in verdicts(d, "Step: $t = 1$\n")] == ["defined"]
    rate = check_document(d, "md", "The learning rate: $\\alpha = 1.2$\n").found  # it is 0.1
    assert [(f.verdict.status, f.reading) for f in rate] == [("wrong", "read alpha as eta (0.1)")]
    # `y` may be the target or an output: stated beside a given (x1 = 1), only the target; alone, neither
    beside = check_document(d, "md", "Given $x_1 = 1.0$, $y = 4.5$\n").found
    assert [(f.verdict.status, f.reading) for f in beside][-1] == ("wrong", "read y as target_o1 (4)")
    assert [s for _, s, _ in verdicts(d, "Given $y = 4.5$\n")] == ["defined"]


def test_a_letter_of_one_kind_indexed_by_a_neuron_is_that_neurons_quantity(mazur: derivation.Derivation) -> None:
    """net_h1 = 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775 (by hand): `z_{h1} = 0.3875` is net_h1 stated wrong (z says
    a net, h1 is a neuron), not a name of the person's own; `a_{o1}` is out_o1 (0.75136507, tests/oracle.py)."""
    found = check_document(mazur, "md", "The net: $z_{h1} = 0.3875$\n").found
    assert [(f.verdict.status, f.reading) for f in found] == [("wrong", "read z_h1 as net_h1 (0.3775)")]
    s = spec.load_preset("mazur")
    o1 = forward(oracle_net(s), list(s.samples[0].inputs))[2][0]
    found = check_document(mazur, "md", f"The output: $a_{{o1}} = {mp.nstr(o1, 8)}$\n").found
    assert [f.verdict.status for f in found] == ["correct"] and "read a_o1 as out_o1" in found[0].reading
    # out_o1's value stated for z_{h2} is no reading of it as out_o1: it is net_h2 (0.25 x 0.05 + 0.3 x 0.1 +
    # 0.35 = 0.3925, by hand) stated wrong
    found = check_document(mazur, "md", f"The net: $z_{{h2}} = {mp.nstr(o1, 8)}$\n").found
    assert [(f.verdict.status, f.reading) for f in found] == [("wrong", "read z_h2 as net_h2 (0.3925)")]


def test_an_array_with_one_entry_stated_wrong_is_read_by_the_others(mazur: derivation.Derivation) -> None:
    """The first layer's weights are [[0.15, 0.20], [0.25, 0.30]] (rows per hidden neuron, the spec): written with
    0.33 for 0.30, the three others say which array it is and the fourth is wrong, not the whole a name of the
    person's own. Two entries say too little by their values, but x is the inputs' letter: `x = [0.05; 0.13]`
    (inputs 0.05, 0.10) is the inputs with the second wrong; `v = [0.05; 0.13]` is left the person's own."""
    matrix = r"\begin{bmatrix} 0.15 & 0.20 \\ 0.25 & 0.33 \end{bmatrix}"
    found = check_document(mazur, "md", f"Weights: $W^{{(1)}} = {matrix}$\n").found
    assert [f.verdict.status for f in found] == ["correct", "correct", "correct", "wrong"]
    assert {f.reading for f in found} == {"read W_L1 as the weights of layer 1"}
    vector = r"\begin{bmatrix} 0.05 \\ 0.13 \end{bmatrix}"
    assert [s for _, s, _ in verdicts(mazur, f"Inputs: $x = {vector}$\n")] == ["correct", "wrong"]
    assert [s for _, s, _ in verdicts(mazur, f"Then $v = {vector}$\n")] == ["defined", "defined"]


def test_a_result_after_a_slip_in_an_exponent_must_follow_from_it(mazur: derivation.Derivation) -> None:
    # net_o1 written 4.50 (a slip): 1/(1 + e^{-4.50}) is 0.98901 (by hand: e^{-4.5} = 0.011109), so 0.75, the
    # true out_o1 rounded, does not follow from the working. A rounding of 4.50 moves e^{-4.50} by about
    # 0.005 e^{-4.495}, not by 0.005 e^{4.505}, which would let any number near the truth pass
    document = "\n\n".join([r"$$net_{o1} = 4.50$$",
                            r"$$out_{o1} = \sigma(net_{o1}) = \frac{1}{1 + e^{-4.50}} = 0.75$$"])
    report = check_document(mazur, "md", document)
    last = [f.verdict for f in report.found if f.verdict.line == 3][-1]
    assert last.link == 3 and last.status == "wrong" and "does not follow from link 2" in last.reason


@pytest.mark.parametrize("result, status", [("-0.1188", "correct"), ("-0.1189", "cannot check"),
                                            ("-0.1192", "wrong")])
def test_a_product_of_rounded_numbers_alone_off_by_its_last_digit_cannot_be_checked(
        mazur: derivation.Derivation, result: str, status: str) -> None:
    """-0.5782 x 0.7109 x 0.2891 = -0.11883235 (by hand); each factor rounded at its 4th decimal moves the
    product by up to 0.0000392 (0.00005 times the product of the other two, summed), so -0.1189 (0.000068 off)
    is right if the factors were rounded, a slip if not, which is not told; -0.1192 is wrong either way."""
    product = mp.mpf("-0.5782") * mp.mpf("0.7109") * mp.mpf("0.2891")
    spread = mp.mpf("0.00005") * (mp.mpf("0.7109") * mp.mpf("0.2891") + mp.mpf("0.5782") * mp.mpf("0.2891")
                                  + mp.mpf("0.5782") * mp.mpf("0.7109"))
    assert abs(mp.mpf("-0.1189") - product) <= spread + mp.mpf("0.00005") < abs(mp.mpf("-0.1192") - product)
    said = verdicts(mazur, f"$$-0.5782 \\times 0.7109 \\times 0.2891 \\approx {result}$$\n")
    assert [s for _, s, _ in said] == [status]


def test_a_slip_rounded_again_in_arithmetic_of_written_numbers(mazur: derivation.Derivation) -> None:
    """out_o1 = 0.76 is a slip (0.7514, the oracle); σ'(1.15) = 0.76 (1 - 0.76) = 0.1824 is arithmetic on written
    numbers alone: σ(1.150) = 0.7595 rounds to 0.76, and 0.76 x 0.24 = 0.1824 is within the rounding of 0.76 of
    σ'(1.150) = 0.18266 (mpmath), so it is right there, not wrong for the slip 0.76 also was."""
    s = mp.mpf("1") / (1 + mp.exp(mp.mpf("-1.15")))
    assert mp.nstr(s, 2) == "0.76" and abs(mp.mpf("0.1824") - s * (1 - s)) < mp.mpf("0.005") * abs(1 - 2 * s)
    document = "$$out_{o1} = 0.76$$\n\n$$\\sigma'(1.150) = 0.76 \\times (1 - 0.76) = 0.1824$$\n"
    assert [status for line, status, _ in verdicts(mazur, document) if line == 3] == ["correct", "correct"]


def test_rounding_of_the_numbers_before_moves_a_result_by_its_last_digit_at_most(
        mazur: derivation.Derivation) -> None:
    """-0.7717 x 1.2 = -0.92604 (by hand); 1.2, were it rounded, could move the product by 0.0386, but rounding
    as you go moves a result by a unit of its last digit, not thirty: -0.9560 is a slip, -0.9260 right."""
    said = verdicts(mazur, "$[-0.7717 \\times 0.5, -0.7717 \\times 1.2] = [-0.3859, -0.9560]$\n")
    assert [s for _, s, _ in said] == ["correct", "wrong"]
    assert [s for _, s, _ in verdicts(mazur, "$-0.7717 \\times 1.2 = -0.9260$\n")] == ["correct"]


@pytest.mark.parametrize("value, status", [("0.408666186", "cannot check"), ("0.418666186", "wrong")])
def test_a_value_after_the_update_that_is_anothers_may_be_numbered_otherwise(
        mazur: derivation.Derivation, value: str, status: str) -> None:
    """After working, `w_5 = 0.408666186` is w6 after the update (0.4 + ... by the oracle, mazur_after_update),
    not w5's: the document may number its weights otherwise, so it cannot be checked; a value no weight has after
    the update is wrong."""
    updated, _ = mazur_after_update()
    assert mp.nstr(updated["w6"], 9) == "0.408666186"
    said = verdicts(mazur, f"$$out_{{h1}} = 0.593269992$$\n\n$$w_5 = {value}$$\n")
    assert [s for line, s, _ in said if line == 3] == [status]


@pytest.mark.parametrize("stated, status", [(True, "cannot check"), (False, "wrong")])
def test_a_formula_with_a_parameter_numbered_otherwise(mazur: derivation.Derivation, stated: bool,
                                                       status: str) -> None:
    """`b_1 = 0.6` is b2's value (b1 is 0.35): the document may number its biases otherwise, so net_o1 = w5 out_h1
    + w6 out_h2 + b_1 (right with b2, wrong with b1: 0.855906 against 1.105906, the oracle's net) cannot be
    told wrong after it; without that line it is wrong."""
    lines = ["$$out_{h1} = 0.593269992$$"] + (["$$b_1 = 0.6$$"] if stated else []) + [
        "$$net_{o1} = w_5 out_{h1} + w_6 out_{h2} + b_1$$"]
    said = verdicts(mazur, "\n\n".join(lines) + "\n")
    assert said[-1][1] == status


def test_rows_read_alone_never_fail_the_check(mazur: derivation.Derivation) -> None:
    """A row with a step of no one quantity (`\\Delta &= 0.1`), read alone after a row that cannot be read: not
    read, and the document is still checked (no exception leaves the checker)."""
    report = check_document(mazur, "md", r"$$\begin{aligned} h_{\text{new},1} &= 0.45 \\ \Delta &= 0.1 \end{aligned}$$")
    assert report.found == ()


def test_a_row_carrying_on_after_one_not_read_is_not_judged_alone(mazur: derivation.Derivation) -> None:
    """net_h1 = 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775 (by hand), its last term on the next row: neither row is
    judged alone (the first is not whole, the second starts with +), so nothing right is called wrong."""
    source = (r"$$\begin{aligned} h_{\text{new},1} &= 0.45 \\ net_{h1} &= 0.15 \times 0.05 + 0.2 \times 0.1 \\"
              r" &\quad + 0.35 = 0.3775 \end{aligned}$$")
    assert "wrong" not in {f.verdict.status for f in check_document(mazur, "md", source).found}


@pytest.mark.parametrize("line", [
    "Intuitively, if out_o1 = 1 and target_o1 = 1, then E_o1 = 0.",
    "Suppose w5 = 1 and out_h1 = 2, so net_o1 = 2 + 0.6.",
])
def test_a_supposed_equation_is_no_claim(mazur: derivation.Derivation, line: str) -> None:
    assert check_document(mazur, "md", line + "\n").found == ()


def test_a_column_gap_inside_one_equation_keeps_it_whole(mazur: derivation.Derivation) -> None:
    """0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775 (by hand), its terms aligned with spaces in a plain block."""
    block = "```\nnet_h1 = 0.15×0.05 + 0.2×0.1    + 0.35 = 0.3775\n```\n"
    assert [f.verdict.status for f in check_document(mazur, "md", block).found] == ["correct", "correct"]


def test_a_wrong_value_after_arrive_at_is_wrong(mazur: derivation.Derivation) -> None:
    """E_total is 0.2983711 (the oracle): "we arrive at E_total = 0.35" claims a value, no condition."""
    said = check_document(mazur, "md", "Finally we arrive at $E_{total} = 0.35$.\n").found
    assert [f.verdict.status for f in said] == ["wrong"]


def test_a_formula_wrong_under_any_numbering_stays_wrong(mazur: derivation.Derivation) -> None:
    """After `b_1 = 0.6` (b2's value), `w5 out_h1 - w6 out_h2 + b_1` is wrong with b1 or b2 in it (a sign slip)."""
    document = ("$$out_{h1} = 0.593269992$$\n\n$$b_1 = 0.6$$\n\n"
                "$$net_{o1} = w_5 out_{h1} - w_6 out_{h2} + b_1$$\n")
    assert verdicts(mazur, document)[-1][1] == "wrong"


@pytest.mark.parametrize("line", ["$1.5 \\times 1.5 = 2.26$", "$3.5 \\times 2.5 = 8.76$", "$0.77 \\times 0.91 = 0.71$"])
def test_a_product_off_by_its_last_digit_is_never_correct(mazur: derivation.Derivation, line: str) -> None:
    """2.25, 8.75 and 0.7007 (by hand): off by a unit of the last digit, right only if the factors were rounded,
    which is not told; never correct."""
    assert "correct" not in {s for _, s, _ in verdicts(mazur, line + "\n")}


def test_a_rule_on_another_quantitys_gradient_is_not_gradient_descent(mazur: derivation.Derivation) -> None:
    """`w - eta d net_o1/dw` is no rule of gradient descent (the loss is not on top): never correct at any weight."""
    said = check_document(mazur, "md", r"$$w_{new} = w_{old} - \eta \frac{\partial net_{o1}}{\partial w}$$").found
    assert "correct" not in {f.verdict.status for f in said}
