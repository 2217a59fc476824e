"""Diagnosis along a document: a wrong step named by its cause only where the cause gives the number written
(another quantity's value, weights transposed, an activation left out or its slope multiplied in, a sign
flipped, a chain with a zero factor, an arithmetic slip from the values written before), else wrong with no
cause. Each document is small and written here; its numbers come from the oracle's own mpmath."""

from __future__ import annotations

import pytest

from derive.check.verdicts import Verdict
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net, write_spec
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def hand() -> dict[str, object]:
    """The classic network's values by the textbook formulas, in the oracle's mpmath."""
    s = spec.load_preset("mazur")
    _, h, o = forward(oracle_net(s), list(s.samples[0].inputs))
    t = [mp.mpf("0.01"), mp.mpf("0.99")]
    delta = [(o[k] - t[k]) * o[k] * (1 - o[k]) for k in range(2)]
    dout_h1 = delta[0] * mp.mpf("0.4") + delta[1] * mp.mpf("0.5")  # through w5 and w7
    return {"dout_h1": dout_h1, "delta_h1": dout_h1 * h[0] * (1 - h[0]), "out_o1": o[0],
            "out_h1": h[0], "out_h2": h[1], "net_o1": mp.mpf("0.4") * h[0] + mp.mpf("0.45") * h[1] + mp.mpf("0.6"),
            "delta_o1": delta[0], "dw5": delta[0] * h[0], "dw7": delta[1] * h[0],
            "w7+": mp.mpf("0.5") - mp.mpf("0.5") * delta[1] * h[0],
            "w5+": mp.mpf("0.4") - mp.mpf("0.5") * delta[0] * h[0]}


def judged(d: derivation.Derivation, text: str) -> list[Verdict]:
    return [f.verdict for f in check_document(d, "md", text).found]


def wrong(verdicts: list[Verdict]) -> Verdict:
    (found,) = [v for v in verdicts if v.status == "wrong"]
    return found


def n(x: object, digits: int = 9) -> str:
    return mp.nstr(x, digits, strip_zeros=False)


def test_a_weights_gradient_with_its_indices_swapped_is_named_transposed(mazur, hand) -> None:
    # w6 joins h2 to o1, w7 joins h1 to o2: delta_o2 out_h1 is w7's gradient, written for w6
    formula = r"$\frac{\partial E_{total}}{\partial w_6} = (out_{o2} - target_{o2}) out_{o2} (1 - out_{o2}) out_{h1}$"
    cause = wrong(judged(mazur, formula)).explanations
    assert cause and cause[0].startswith("weights transposed: this is dE_total/dw7")
    number = wrong(judged(mazur, rf"$\frac{{\partial E_{{total}}}}{{\partial w_6}} = {n(hand['dw7'], 7)}$"))
    assert number.explanations[0].startswith("weights transposed: this is dE_total/dw7")


def test_a_net_written_for_its_out_is_the_activation_left_out(mazur, hand) -> None:
    verdict = wrong(judged(mazur, f"$out_{{o1}} = {n(hand['net_o1'], 6)}$"))
    assert verdict.explanations[0].startswith("activation left out: this is net_o1")


def test_the_delta_written_for_de_dout_is_the_slope_multiplied_in(mazur) -> None:
    text = r"$\frac{\partial E_{total}}{\partial out_{o1}} = (out_{o1} - target_{o1}) out_{o1} (1 - out_{o1})$"
    assert wrong(judged(mazur, text)).explanations[0].startswith("the activation's slope multiplied in")


def test_a_number_copied_from_another_quantity_names_it(mazur, hand) -> None:
    # w6 after the update written with w7's new value, in a bracket list as people write a layer's update
    verdicts = judged(mazur, f"$[w_5^+, w_6^+] = [{n(hand['w5+'])}, {n(hand['w7+'])}]$")
    assert "w7 after the update" in wrong(verdicts).explanations[0]


def test_a_value_with_its_sign_flipped_is_named_so(mazur, hand) -> None:
    verdict = wrong(judged(mazur, rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = {n(-hand['dw5'], 6)}$"))
    assert verdict.explanations == (f"sign: the number is the right value with its sign flipped ({n(hand['dw5'])})",)


def test_a_chain_through_a_quantity_the_weight_does_not_feed_has_a_zero_factor(mazur) -> None:
    text = (r"$\frac{\partial E_{total}}{\partial w_5} = \frac{\partial E_{total}}{\partial out_{h1}}"
            r" \frac{\partial out_{h1}}{\partial net_{h1}} \frac{\partial net_{h1}}{\partial w_5}$")
    cause = wrong(judged(mazur, text)).explanations
    assert cause and cause[0].startswith("a factor of the chain is zero: w5 does not feed net_h1")


def test_a_result_near_what_the_values_written_give_is_an_arithmetic_slip(mazur, hand) -> None:
    slip = "0.1400"  # delta_o1 is 0.1385: a wrong number the person goes on with
    gives = mp.mpf(slip) * hand["out_h1"]
    assert abs(mp.mpf("0.0832") / gives - 1) < mp.mpf("0.01")  # near what they give, off in the third digit
    document = f"$\\delta_{{o1}} = {slip}$\n\n$\\frac{{\\partial E_{{total}}}}{{\\partial w_5}} = 0.0832$"
    verdict = judged(mazur, document)[-1]
    assert verdict.status == "wrong"
    assert verdict.explanations == (f"arithmetic slip: the values written on line 1 give {n(gives)} by this step's "
                                    "rule, not this number",)
    follows = judged(mazur, document.replace("0.0832", n(gives, 5)))[-1]
    assert follows.status == "carried"


def test_a_number_no_cause_explains_is_wrong_without_a_cause(mazur, hand) -> None:
    # far from what the values written give, and no catalogued mistake's value: no name is guessed
    document = "$\\delta_{o1} = 0.1400$\n\n$\\frac{\\partial E_{total}}{\\partial w_5} = 0.0950$"
    assert not (mp.mpf("0.0950") / (mp.mpf("0.14") * hand["out_h1"]) - 1) < mp.mpf("0.01")
    verdict = judged(mazur, document)[-1]
    assert verdict.status == "wrong" and verdict.explanations == ()


def test_a_value_of_the_network_in_another_inputs_place_is_a_wrong_input(mazur, hand) -> None:
    h1, h2 = n(hand["out_h1"]), n(hand["out_h2"])
    line = rf"$net_{{o1}} = 0.4 \times {h1} + 0.45 \times {h1} + 0.6$"  # out_h1 twice: the second is out_h2's place
    assert wrong(judged(mazur, line)).explanations == (f"wrong input: {h1} stands where out_h2 ({h2}) belongs",)


def test_a_number_in_the_learning_rates_place_is_a_wrong_learning_rate(mazur, hand) -> None:
    update = rf"$w_5^+ = 0.4 - 0.4 \times {n(hand['dw5'])}$"  # the weight's value where the learning rate belongs
    assert wrong(judged(mazur, update)).explanations == (
        "learning rate: 0.4 stands where the learning rate eta (0.5) belongs",)


def test_a_value_across_an_activation_in_an_inputs_place_names_the_activation(mazur, hand) -> None:
    # dE/dout_h1 (the sum over the output deltas) where delta_h1 belongs: the slope out_h1 (1 - out_h1) left out
    dout = n(hand["dout_h1"], 6)
    gradient = rf"$\frac{{\partial E_{{total}}}}{{\partial w_1}} = {dout} \times 0.05$"
    assert wrong(judged(mazur, gradient)).explanations == (
        f"missing activation slope: {dout} is dE_total/dout_h1, without the factor dout_h1/dnet_h1, where "
        f"dE_total/dnet_h1 ({n(hand['delta_h1'])}) belongs",)
    net = n(hand["net_o1"], 6)  # the net where the out belongs: the activation left out
    error = rf"$\frac{{\partial E_{{total}}}}{{\partial out_{{o1}}}} = {net} - 0.01$"
    assert wrong(judged(mazur, error)).explanations == (
        f"activation left out: {net} is net_o1, the value before o1's activation, where out_o1 "
        f"({mp.nstr(hand['out_o1'], 9)}) belongs",)


def test_a_number_copied_wrong_is_no_wrong_input(mazur, hand) -> None:
    copied = n(hand["out_h1"], 4).replace("0.5933", "0.5393")  # a digit pair swapped: no value of the network
    line = rf"$net_{{o1}} = 0.4 \times {copied} + 0.45 \times {n(hand['out_h2'])} + 0.6$"
    assert not any(e.startswith("wrong input") for e in wrong(judged(mazur, line)).explanations)


def test_the_activations_derivative_written_for_the_activation_is_named(mazur) -> None:
    # sigma'(net) (1 - sigma(net)) where sigma(net) (1 - sigma(net)) belongs: right once sigma' is sigma
    text = (r"$\frac{\partial E_{total}}{\partial w_5} = (out_{o1} - target_{o1}) \sigma'(net_{o1})"
            r" (1 - \sigma(net_{o1})) out_{h1}$")
    assert wrong(judged(mazur, text)).explanations == (
        "the activation's derivative confused with the activation: σ' is written where σ belongs (with σ the "
        "formula is right)",)


def test_the_right_value_after_a_link_that_carries_a_slip_is_an_arithmetic_slip(mazur, hand) -> None:
    o1 = forward_out_o1(hand)
    right = n((mp.mpf("0.01") - o1) ** 2 / 2, 6)  # the true E_o1, which the working written does not give
    document = f"$out_{{o1}} = 0.7600$\n\n$E_{{o1}} = \\frac{{1}}{{2}}(0.01 - 0.7600)^2 = 0.28125 = {right}$"
    verdicts = judged(mazur, document)
    assert [v.status for v in verdicts] == ["wrong", "carried", "carried", "wrong"]
    assert verdicts[-1].explanations == ("arithmetic slip: this number does not follow from the link before it "
                                         "(0.28125)",)


def forward_out_o1(hand: dict[str, object]) -> object:
    return 1 / (1 + mp.exp(-hand["net_o1"]))


def test_a_hidden_error_without_the_path_through_an_output_is_named(mazur, hand) -> None:
    # dE/dout_h1 sums the paths through o1 and o2: delta_o1 w5 alone leaves out o2's
    verdict = wrong(judged(mazur, rf"$\frac{{\partial E_{{total}}}}{{\partial out_{{h1}}}} = "
                                  rf"{n(hand['delta_o1'] * mp.mpf('0.4'), 6)}$"))
    assert verdict.explanations[0].startswith("path through o2 left out")
    formula = (r"$\frac{\partial E_{total}}{\partial out_{h1}} = (out_{o1} - target_{o1}) out_{o1} (1 - out_{o1})"
               r" w_5$")
    assert wrong(judged(mazur, formula)).explanations[0].startswith("path through o2 left out")


def test_a_loss_without_its_square_is_named(mazur) -> None:
    verdict = wrong(judged(mazur, r"$E_{o1} = \frac{1}{2}(target_{o1} - out_{o1})$"))
    assert verdict.explanations == ("the square left out: with one of its differences squared the formula is right",)
    assert wrong(judged(mazur, r"$E_{o1} = \frac{1}{2}(target_{o1} - out_{o1})^3$")).explanations == ()


def test_a_named_slip_written_again_is_carried_forward(mazur, hand) -> None:
    copied = n(hand["w7+"])  # w7's new value written for w6's, then stated again
    verdicts = judged(mazur, f"$[w_5^+, w_6^+] = [{n(hand['w5+'])}, {copied}]$\n\n$w_6^+ = {copied}$")
    assert [v.status for v in verdicts] == ["correct", "wrong", "carried"]
    assert verdicts[-1].reason == f"uses {copied}, the slip on line 1"


def test_a_computation_that_gives_another_quantitys_value_names_it(mazur, hand) -> None:
    # delta_o2 out_h1 is w7's gradient (h1 to o2), computed for w5's (h1 to o1): the same source, another output
    delta_o2 = hand["dw7"] / hand["out_h1"]
    line = rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = {n(delta_o2, 12)} \times {n(hand['out_h1'], 12)}$"
    verdict = wrong(judged(mazur, line))
    assert verdict.explanations == (f"another quantity's value: this is dE_total/dw7 ({n(hand['dw7'])}), not "
                                    "dE_total/dw5",)


def test_a_result_with_its_decimal_point_moved_is_named(mazur) -> None:
    # 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775 exactly, written 3.775
    verdicts = judged(mazur, r"$net_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 3.775$")
    assert wrong(verdicts).explanations == (
        "decimal point slipped: 3.775 is 0.3775 with its decimal point moved 1 place to the right",)
    assert wrong(judged(mazur, r"$net_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 0.3857$")).explanations[0] \
        .startswith("arithmetic slip")


def test_two_digits_are_too_few_to_name_a_moved_decimal_point(mazur) -> None:
    # 3.8 agrees with 0.3775 x 10 to its two digits, as about one wrong two-digit number in fifty would by chance
    verdict = wrong(judged(mazur, r"$net_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 3.8$"))
    assert not any(e.startswith("decimal point") for e in verdict.explanations), verdict.explanations


def test_a_formula_right_once_one_sign_is_turned_names_the_sign(mazur) -> None:
    lost = r"$out_{h1} = \frac{1}{1 + e^{net_{h1}}}$"  # the exponent's minus left out
    assert wrong(judged(mazur, lost)).explanations == (
        "sign: the sign of net_h1 is turned (with it turned back the formula is right)",)
    assert judged(mazur, lost.replace("e^{net", "e^{-net"))[0].status == "correct"


def test_a_value_the_step_comes_from_copied_with_a_slip_is_an_arithmetic_slip_in_copying(mazur, hand) -> None:
    h1 = n(hand["out_h1"])  # 0.593269992: one of its 9s left out
    dropped = h1[:-3] + h1[-2:]
    line = rf"$net_{{o1}} = 0.4 \times {dropped} + 0.45 \times {n(hand['out_h2'])} + 0.6$"
    assert wrong(judged(mazur, line)).explanations == (
        f"arithmetic slip in copying: {dropped} is out_h1 ({mp.nstr(hand['out_h1'], 9)}) with a digit left out",)
    delta = n(hand["delta_o1"], 4)  # written a tenth of itself: its decimal point moved
    moved = delta.replace("0.", "0.0", 1)
    gradient = rf"$\frac{{\partial E_{{total}}}}{{\partial w_5}} = {moved} \times {h1}$"
    assert wrong(judged(mazur, gradient)).explanations == (
        f"arithmetic slip in copying: {moved} is dE_total/dnet_o1 ({mp.nstr(hand['delta_o1'], 9)}) with its "
        "decimal point moved 1 place to the left",)


def test_a_short_number_no_value_gives_is_no_copy(mazur, hand) -> None:
    # 0.5393 is out_h1 (0.5933) with two digits swapped, but four digits are too few to tell a copy of one of
    # the step's values from chance: it is named only as no value of the network
    line = rf"$net_{{o1}} = 0.4 \times 0.5393 + 0.45 \times {n(hand['out_h2'])} + 0.6$"
    assert wrong(judged(mazur, line)).explanations == (
        "0.5393 is no value of this network at its numbers: a slip in computing or copying it",)


def test_a_result_written_without_its_decimal_point_is_named_so(mazur, hand) -> None:
    right = n(hand["out_o1"] - mp.mpf("0.01"), 8)  # 0.74136507, written 074136507
    pointless = right.replace(".", "")
    line = rf"$\frac{{\partial E_{{total}}}}{{\partial out_{{o1}}}} = {n(hand['out_o1'], 8)} - 0.01 = {pointless}$"
    assert wrong(judged(mazur, line)).explanations == (
        f"decimal point left out: {pointless} is {right} written without its decimal point",)


def test_a_formula_that_is_another_quantitys_name_is_named_that_quantity(mazur) -> None:
    line = r"$\frac{\partial E_{total}}{\partial out_{h1}} = w_5$"  # the weight where the derivative belongs
    assert wrong(judged(mazur, line)).explanations == (
        "another quantity's value: this is w5 (0.4), not dE_total/dout_h1",)


def test_a_definition_that_is_the_reciprocal_of_the_function_is_named_so(mazur) -> None:
    # \frac{1}{1 + e^{-x}} with its fraction bar lost: 1 + e^{-x}, one over the sigmoid at every x
    (verdict,) = judged(mazur, r"$\sigma(x) = 1 + e^{-x}$")
    assert verdict.status == "wrong" and verdict.explanations == (
        "the reciprocal: the side is one over the function at every value tried (a fraction written upside down, "
        "or its bar lost)",)
    (turned,) = judged(mazur, r"$\sigma(x) = \frac{-1}{1 + e^{-x}}$")
    assert turned.status == "wrong" and turned.explanations == (
        "sign: the side is the function with its sign turned, at every value tried",)
    (other,) = judged(mazur, r"$\sigma(x) = \frac{1}{1 + e^{x}}$")  # sigma(-x): neither, so no cause is given
    assert other.status == "wrong" and other.explanations == ()


SMALL_WEIGHT = """title = "2-2-1 with a weight of -0.1"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.15, 0.2], [0.25, 0.3]]

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.6, -0.1]]

[[samples]]
inputs = [0.5, 1.0]
targets = [1]

[training]
learning_rate = 0.5
"""


def test_a_value_the_written_values_give_is_no_copy_of_another(tmp_path) -> None:
    # delta_o written with a slip (D); D x (-0.1), dE/dout_h2 from it, is D with its decimal point moved: the
    # weight, not a slip of the pen. With the slope written wrong too, the step is wrong, named by no copy.
    s = spec.load(str(write_spec(tmp_path, SMALL_WEIGHT)))
    d = derivation.build(network.build(s), history_steps=(1,))
    _, h, o = forward(oracle_net(s), list(s.samples[0].inputs))
    delta = (o[0] - 1) * o[0] * (1 - o[0])
    slipped = n(delta * mp.mpf("1.01"), 5)  # off in its third digit
    product = n(mp.mpf(slipped) * mp.mpf("-0.1"), 5)
    slope = n(h[1] * (1 - h[1]) * mp.mpf("1.01"), 4)
    text = (f"$\\frac{{\\partial E_{{total}}}}{{\\partial net_{{o1}}}} = {slipped}$\n\n"
            f"$\\frac{{\\partial E_{{total}}}}{{\\partial net_{{h2}}}} = {product} \\times {slope}$")
    verdict = judged(d, text)[-1]
    assert verdict.status == "wrong"
    assert not any(e.startswith("arithmetic slip in copying") for e in verdict.explanations), verdict.explanations


def test_a_number_near_what_the_values_written_give_an_input_names_that_input_slipped(mazur, hand) -> None:
    # out_h1 written 0.6000 (a slip); net_o1 from it is 0.4 x 0.6 + 0.45 out_h2 + 0.6, written 0.003 off
    net = mp.mpf("0.4") * mp.mpf("0.6") + mp.mpf("0.45") * hand["out_h2"] + mp.mpf("0.6")
    slipped = n(net + mp.mpf("0.003"), 5)
    document = f"$out_{{h1}} = 0.6000$\n\n$out_{{o1}} = \\frac{{1}}{{1 + e^{{-{slipped}}}}}$"
    verdict = judged(mazur, document)[-1]
    assert verdict.status == "wrong"
    assert verdict.explanations == (f"arithmetic slip: {slipped} stands for net_o1, which the values written on "
                                    f"line 1 give as {mp.nstr(net, 9)}",)


def test_a_wrong_number_in_the_working_before_a_right_result(mazur: derivation.Derivation,
                                                              hand: dict[str, object]) -> None:
    """1/(1 + e^{-0.6123}) written where net_h1 is 0.3775, then out_h1 to its digits: the result was not
    computed from the working as written, which is the slip (not its arithmetic)."""
    found = wrong(judged(mazur, f"$out_{{h1}} = \\frac{{1}}{{1 + e^{{-0.6123}}}} = {n(hand['out_h1'], 6)}$"))
    assert found.explanations[0].startswith("the working written wrongly") and "0.6123" in found.explanations[0]


def test_a_wrong_number_in_the_working_before_a_wrong_result(mazur: derivation.Derivation) -> None:
    """The result follows the stray number: the working is the person's and its number the slip."""
    value = n(1 / (1 + mp.exp(mp.mpf("-0.6123"))), 6)
    found = judged(mazur, f"$out_{{h1}} = \\frac{{1}}{{1 + e^{{-0.6123}}}} = {value}$")
    assert all(not e.startswith("the working written wrongly") for v in found for e in v.explanations)
