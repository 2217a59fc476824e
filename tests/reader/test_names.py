"""A document's own names read as the network's quantities: by their values, their formulas, a derivative's
value and their family, said in each verdict and in the JSON; a name that fits several is reported with all
of them and read as none. The documents' numbers come from tests/oracle.py."""

from __future__ import annotations

import json

import pytest

from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net, write_spec
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def values() -> dict[str, str]:
    s = spec.load_preset("mazur")
    inputs, hidden, outs = forward(oracle_net(s), list(s.samples[0].inputs))
    nets_h = [mp.mpf("0.15") * inputs[0] + mp.mpf("0.2") * inputs[1] + mp.mpf("0.35")]
    error = sum((t - o) ** 2 for t, o in zip((mp.mpf("0.01"), mp.mpf("0.99")), outs)) / 2
    return {"z1": mp.nstr(nets_h[0], 6), "a1": mp.nstr(hidden[0], 9), "a2": mp.nstr(hidden[1], 9),
            "a3": mp.nstr(outs[0], 9), "L": mp.nstr(error, 9)}


def readings(report) -> dict[str, str]:
    return {r.written: r.quantity for r in report.names.readings}


def test_a_course_in_z_a_x_y_and_l(mazur: derivation.Derivation, values: dict[str, str]) -> None:
    document = "\n\n".join([
        "Given $x_1 = 0.05$, $x_2 = 0.1$ and the target $y_1 = 0.01$.",
        rf"$z_1 = w_1 x_1 + w_2 x_2 + b_1 = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = {values['z1']}$",
        rf"$a_1 = \sigma(z_1) = {values['a1']}$, and likewise $a_2 = {values['a2']}$.",
        rf"$a_3 = {values['a3']}$",
        rf"$L = {values['L']}$",
    ])
    report = check_document(mazur, "md", document)
    assert readings(report) == {"x1": "i1", "x2": "i2", "y1": "target_o1", "z1": "net_h1", "a1": "out_h1",
                                "a2": "out_h2", "a3": "out_o1", "L": "E_total"}
    assert {f.verdict.status for f in report.found} == {"correct"}
    said = [f.reading for f in report.found if f.verdict.line == 3]
    assert "read z1 as net_h1 (0.3775)" in said[0]


def test_a_wrong_number_under_a_name_read_by_its_formula(mazur: derivation.Derivation, values: dict[str, str]) -> None:
    document = rf"$s = w_5 a + w_6 b + b_2 = 1.2$ with $a = {values['a1']}$ and $b = {values['a2']}$"
    report = check_document(mazur, "md", document)
    assert readings(report)["s"] == "net_o1"
    verdicts = [f.verdict for f in report.found if f.target == "net_o1"]
    assert [v.status for v in verdicts] == ["correct", "wrong"]


def test_zero_based_names_by_their_family(mazur: derivation.Derivation) -> None:
    document = r"$x_0 = 0.05$ and $h_0 = \sigma(0.15 x_0 + 0.2 x_1 + 0.35)$"
    report = check_document(mazur, "md", document)
    assert readings(report)["x0"] == "i1" and readings(report)["x1"] == "i2"
    assert readings(report)["h0"] == "out_h1"


def test_the_loss_read_from_a_derivative(mazur: derivation.Derivation) -> None:
    s = spec.load_preset("mazur")
    _, hidden, outs = forward(oracle_net(s), list(s.samples[0].inputs))
    d = (outs[0] - mp.mpf("0.01")) * outs[0] * (1 - outs[0]) * hidden[0]  # dE_total/dw5, by the chain rule
    document = rf"$\frac{{\partial C}}{{\partial w_5}} = {mp.nstr(d, 9)}$"
    assert readings(check_document(mazur, "md", document)) == {"C": "E_total"}


def test_a_name_with_two_readings_is_reported_with_both(mazur: derivation.Derivation, tmp_path, capsys) -> None:
    path = tmp_path / "q.md"
    path.write_text("$q = 0.5$ and $r = q + 1 = 1.5$\n", encoding="utf-8")
    assert main(["check", "mazur", str(path), "--format", "json"]) in (0, 2)
    data = json.loads(capsys.readouterr().out)
    assert data["names"]["ambiguous"] == [{"written": "q", "quantities": ["w7", "eta"]}]
    assert all(c["verdict"] != "wrong" for c in data["claims"])


def test_a_name_stated_as_another_quantity_further_on(mazur: derivation.Derivation) -> None:
    document = "## Output 1\n\n$y = 0.01$\n\n## Output 2\n\n$y = 0.99$\n"
    report = check_document(mazur, "md", document)
    found = [(r.quantity, r.line) for r in report.names.readings]
    assert found == [("target_o1", 0), ("target_o2", 7)]
    assert [f.verdict.status for f in report.found] == ["correct", "correct"]


def test_a_name_its_exact_numbers_read_is_not_moved_by_a_later_value_near_another(
        mazur: derivation.Derivation, values: dict[str, str]) -> None:
    # y is worked exactly as out_h1 (the sigmoid of 0.3775, whatever the rounding written at the end); a later
    # `y = <out_h2's value>` is a wrong value of out_h1, not a reading of y as out_h2
    document = "\n\n".join([
        r"$y = \frac{1}{1 + e^{-0.3775}} = 0.59$",
        rf"Later, with the same weights: $y = {values['a2']}$",
    ])
    report = check_document(mazur, "md", document)
    assert readings(report) == {"y": "out_h1"}
    later = [f.verdict for f in report.found if f.verdict.line == 3]
    assert [v.status for v in later] == ["wrong"]
    assert abs(later[0].truth - 1 / (1 + mp.e ** mp.mpf("-0.3775"))) < mp.mpf(10) ** -30


def test_a_counter_is_no_quantity() -> None:
    # xor3 (learning at 0.5) has the inputs 0, 0, 1 first: `l = 1` alone could be read as x3, but a name set to 1
    # and 2 at one sample counts something (the layers of a loop), and is judged as nothing
    text = spec.load_with_text("xor3")[1].replace("learning_rate = 1\n", "learning_rate = 0.5\n")
    xor3 = derivation.build(network.build(spec.load_text(text)))
    document = "\n\n".join(["For the layer $l = 1$:", "then $l = 2$,", "and again $l = 1$."])
    report = check_document(xor3, "md", document)
    assert "l" not in readings(report)
    assert {f.verdict.status for f in report.found} == {"defined"}


ONE_OUTPUT = """title = "2-2-1"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.2, 0.2], [0.3, 0.3]]

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.3, 0.9]]

[[samples]]
inputs = [0.35, 0.7]
targets = [0.5]

[training]
learning_rate = 1
update = "sgd"
steps = [1]
"""


@pytest.mark.parametrize("target, output, written", [
    ("y_{target}", r"\text{Predicted Output}", ("y_target", "PredictedOutput")),
    (r"\text{Target}", "y_{pred}", ("Target", "y_pred")),
])
def test_the_target_and_the_output_in_words(target: str, output: str, written: tuple[str, str]) -> None:
    """With one output, a name spelling the target or the prediction in words is that quantity."""
    s = spec.load_text(ONE_OUTPUT)
    out = forward(oracle_net(s), [mp.mpf("0.35"), mp.mpf("0.7")])[2][0]
    error = mp.nstr((mp.mpf("0.5") - out) ** 2 / 2, 9)
    document = "\n\n".join([f"$E = \\frac{{1}}{{2}}({target} - {output})^2 = {error}$",
                            f"$E = \\frac{{1}}{{2}}({target} - {output})^2 = 0.0163$"])
    report = check_document(derivation.build(network.build(s)), "md", document)
    assert {written[0]: "target_o1", written[1]: "out_o1"}.items() <= readings(report).items()
    assert [f.verdict.status for f in report.found] == ["correct", "correct", "correct", "wrong"]


def test_the_target_in_words_is_not_read_among_several_outputs(mazur: derivation.Derivation) -> None:
    report = check_document(mazur, "md", "$E = (y_{target} - out_{o1})^2 / 2 = 0.2748$")
    assert "y_target" not in readings(report)


def test_a_delta_with_its_sign_turned_is_read_by_its_formula(mazur: derivation.Derivation) -> None:
    """δ_5 = a(1 - a)(y - a) with a, y read as out_o1, target_o1 is minus dE/dnet_o1 (the oracle's delta is
    (out - target) out (1 - out)): read so, it is right; a hidden delta in it is read the same way; a formula
    that is neither the delta nor its negative reads as nothing."""
    s = spec.load_preset("mazur")
    _, hidden, outs = forward(oracle_net(s), list(s.samples[0].inputs))
    turned = (mp.mpf("0.01") - outs[0]) * outs[0] * (1 - outs[0])
    document = "\n\n".join([
        f"$a = {mp.nstr(outs[0], 9)}$, $h = {mp.nstr(hidden[0], 9)}$ and $y = 0.01$.",
        "$\\delta_5 = a(1 - a)(y - a)$",
        f"$\\delta_5 = {mp.nstr(turned, 9)}$",
        "$\\delta_3 = h(1 - h)(w_5 \\delta_5 + w_7 \\delta_6)$",
    ])
    report = check_document(mazur, "md", document)
    assert readings(report)["delta5"] == "-d:E_total/net_o1"
    assert [f.verdict.status for f in report.found if f.verdict.line in (3, 5)] == ["correct", "correct"]
    assert "delta3" not in readings(report)  # δ_6 is not read: δ_3's formula equals no quantity's
    wrong = check_document(mazur, "md", document.replace("(y - a)$", "(y - 2a)$"))
    assert "delta5" not in readings(wrong)


def test_a_neuron_index_in_capitals_is_the_neuron(mazur: derivation.Derivation, values: dict[str, str]) -> None:
    """target_{O1} and out_{O1} are o1's target and output (0.01, and the oracle's out_o1), in either case;
    a capital that names no neuron is not read."""
    document = f"$target_{{O1}} = 0.01$ and $out_{{O1}} = {values['a3']}$, $out_{{Q1}} = 0.5$\n"
    report = check_document(mazur, "md", document)
    assert readings(report) == {"target_O1": "target_o1", "out_O1": "out_o1"}
    assert [f.verdict.status for f in report.found] == ["correct", "correct", "cannot check"]


def test_a_whole_number_reads_a_name_only_as_what_its_letters_say() -> None:
    """On a network whose inputs are 2 and 1: n_1 = 2 and n_2 = 1 (layer sizes) name no input; x_2 = 1, a
    whole number under an input's letter, is read as the second input (and right)."""
    text = """
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.5, 0.5]]

[[samples]]
inputs = [2, 1]
targets = [1]

[training]
learning_rate = 1
"""
    d = derivation.build(network.build(spec.load_text(text)))
    report = check_document(d, "md", "$n_1 = 2$ and $n_2 = 1$\n\n$x_2 = 1$\n")
    assert [r.written for r in report.names.readings] == []  # x_2 is the network's own name
    # n_1 = 2 is no size of layer 1 (one neuron) counting the inputs as layer 0, but is the inputs' counting
    # from 1: which count is meant is not told; there is no layer 2
    assert [f.verdict.status for f in report.found] == ["cannot check", "defined", "correct"]


def test_a_name_with_a_bar_over_it_is_a_name_of_its_own(mazur: derivation.Derivation, values: dict[str, str]) -> None:
    """`\\bar{x}` (a mean, as an input made of several is written) and `\\overline{h}` are names like `\\hat{y}`."""
    document = "\n\n".join([
        r"$\bar{x}_1 = 0.05$, $\bar{x}_2 = 0.1$",
        rf"$z_1 = w_1 \bar{{x}}_1 + w_2 \bar{{x}}_2 + b_1 = {values['z1']}$",
        rf"$\overline{{h}}_1 = \sigma(z_1) = {values['a1']}$",
    ])
    report = check_document(mazur, "md", document)
    assert readings(report) == {"xbar1": "i1", "xbar2": "i2", "z1": "net_h1", "hbar1": "out_h1"}
    assert {f.verdict.status for f in report.found} == {"correct"}


def test_a_layers_size_by_the_names_courses_give_it(mazur: derivation.Derivation) -> None:
    """The classic network is 2-2-2 (its spec, by hand): n_x, n_h, n_y and n_0, n^{[1]} (inputs as layer 0)."""
    document = "\n\n".join(["$n_x = 2$, $n_h = 2$ and $n_y = 3$",  # two outputs, not three
                            "$n_0 = 2$, $n^{[1]} = 2$, $n_2 = 5$",  # 5: no layer under any count
                            "$n_{in} = 2$ and $m = 2$"])  # m: no layer's size
    found = [(f.verdict.line, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert found == [(1, "correct"), (1, "correct"), (1, "wrong"), (3, "correct"), (3, "correct"),
                     (3, "cannot check"), (5, "correct"), (5, "defined")]


NET_OF_ONE = """
title = "a net that is exactly 1, as an input and a weight are"
inputs = ["x1", "x2"]
loss = "cross_entropy"
[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.5, 0.5], [1, -1]]
bias = { mode = "per_neuron", values = [0, 2] }
[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.3, 1]]
bias = { mode = "per_neuron", values = [0] }
[[samples]]
inputs = [1, 2]
targets = [0]
[training]
learning_rate = 0.1
"""


def test_a_value_a_given_shares_is_read_as_the_quantity_the_letters_say() -> None:
    """net_h2 = 1 x 1 + (-1) x 2 + 2 = 1 (by hand), as x1 and two weights are: `z_{h_2} = 1.0` is the net its
    letters say; `w = 1` still fits two weights and is read as neither."""
    d = derivation.build(network.build(spec.load_text(NET_OF_ONE)))
    report = check_document(d, "md", "Then $z_{h_2} = 1.0$, and $w = 1$.")
    assert readings(report) == {"z_h2": "net_h2"}
    assert [f.verdict.status for f in report.found] == ["correct", "defined"]
    assert dict(report.names.ambiguous)["w"] == ("w3", "w6")


def test_the_batch_size_a_gradient_averages_over_on_one_sample(mazur: derivation.Derivation) -> None:
    """`\\frac{1}{m}` with m stated nowhere, on the classic network's one sample: m is 1 (dE/dw5 is delta_o1
    out_h1, dE/dw6 delta_o1 out_h2); stated, m is the person's; on two samples it is not read."""
    right = r"$$\frac{\partial E}{\partial w_5} = \frac{1}{m} \delta_{o1} out_{h1}$$"
    wrong = r"$$\frac{\partial E}{\partial w_6} = \frac{1}{m} \delta_{o1} out_{h1}$$"  # out_h2 belongs
    statuses = [f.verdict.status for f in check_document(mazur, "md", right + "\n\n" + wrong).found]
    assert statuses == ["correct", "wrong"]
    stated = [f.verdict.status for f in check_document(mazur, "md", "$m = 2$\n\n" + right).found]
    assert stated == ["defined", "wrong"]
    two = NET_OF_ONE.replace("[training]", "[[samples]]\ninputs = [2, 1]\ntargets = [1]\n[training]")
    d = derivation.build(network.build(spec.load_text(two)))
    found = check_document(d, "md", r"$$\frac{\partial E}{\partial w_5} = \frac{1}{m} \delta_{o1} out_{h1}$$").found
    assert {f.verdict.status for f in found} == {"cannot check"}


@pytest.mark.parametrize("net, status", [("0.3925", "defined"), ("1.2249", "correct")])
def test_a_labelled_name_is_not_read_against_the_documents_count_of_layers(mazur: derivation.Derivation,
                                                                           net: str, status: str) -> None:
    """z_1^{[1]} and a_1^{[1]} are net_h1 and out_h1 (the first hidden layer labelled [1]); z_2^{[2]} is then a
    net of the output layer, 1.2249 (0.5 out_h1 + 0.55 out_h2 + 0.6, by the oracle): written 0.3925, net_h2's
    value, it is not read as net_h2 and called right."""
    s = spec.load_preset("mazur")
    _, hidden, _ = forward(oracle_net(s), list(s.samples[0].inputs))
    assert mp.nstr(mp.mpf("0.5") * hidden[0] + mp.mpf("0.55") * hidden[1] + mp.mpf("0.6"), 5) == "1.2249"
    document = (f"$$z_1^{{[1]}} = 0.3775$$\n\n$$a_1^{{[1]}} = {mp.nstr(hidden[0], 4)}$$\n\n"
                f"$$z_2^{{[2]}} = {net}$$\n")
    found = [f.verdict.status for f in check_document(mazur, "md", document).found]
    assert found == ["correct", "correct", status]


def test_weights_named_by_their_two_ends(mazur: derivation.Derivation) -> None:
    # w_{(x_1, 1)}: the weight from x_1 into neuron 1, named by its ends in brackets; read by its value like
    # any name (0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775, 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925 by hand)
    document = "\n\n".join([
        r"$$x_1 = 0.05, \quad x_2 = 0.1$$",
        r"$$w_{\left(x_{1}, 1\right)} = 0.15, \quad w_{(x_2, 1)} = 0.2, \quad w_{(x_1,2)} = 0.25, \quad "
        r"w_{(x_2,2)} = 0.3$$",
        r"$$z_1 = w_{\left(x_{1}, 1\right)} x_1 + w_{(x_2, 1)} x_2 + 0.35 = 0.3775$$",
        r"$$z_2 = w_{(x_2,2)} x_1 + w_{(x_1,2)} x_2 + 0.35 = 0.3925$$",  # the weights swapped: a wrong formula
    ])
    report = check_document(mazur, "md", document)
    assert {k: v for k, v in readings(report).items() if k.startswith("w")} == {
        "w_x1_1": "w1", "w_x2_1": "w2", "w_x1_2": "w3", "w_x2_2": "w4"}
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("net")] == [
        ("net_h1", "correct"), ("net_h1", "correct"), ("net_h2", "wrong"), ("net_h2", "correct")]



def test_weights_named_by_their_two_ends_with_an_arrow(mazur: derivation.Derivation) -> None:
    # w_{x_1 \to h_1}: the weight from x_1 into h_1, its ends joined by an arrow; read by its value like any
    # name (0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775, 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925 by hand)
    document = "\n\n".join([
        r"$$x_1 = 0.05, \quad x_2 = 0.1$$",
        r"$$w_{x_1 \to h_1} = 0.15, \quad w_{x_2 \to h_1} = 0.2, \quad w_{x_1 \rightarrow h_2} = 0.25, \quad "
        r"w_{x_2 \rightarrow h_2} = 0.3$$",
        r"$$z_1 = w_{x_1 \to h_1} x_1 + w_{x_2 \to h_1} x_2 + 0.35 = 0.3775$$",
        r"$$z_2 = w_{x_2 \rightarrow h_2} x_1 + w_{x_1 \rightarrow h_2} x_2 + 0.35 = 0.3925$$",  # swapped: wrong
    ])
    report = check_document(mazur, "md", document)
    assert {k: v for k, v in readings(report).items() if k.startswith("w")} == {
        "w_x1_h1": "w1", "w_x2_h1": "w2", "w_x1_h2": "w3", "w_x2_h2": "w4"}
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("net")] == [
        ("net_h1", "correct"), ("net_h1", "correct"), ("net_h2", "wrong"), ("net_h2", "correct")]


def test_weights_named_by_their_two_ends_with_a_hyphen(mazur: derivation.Derivation) -> None:
    # W_{X1-H1}: the weight from X1 into H1, its two labels joined by a hyphen (an index k-1 stays arithmetic);
    # read by its value (0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775 by hand), a formula with two weights swapped wrong
    document = "\n\n".join([
        r"$$x_1 = 0.05, \quad x_2 = 0.1$$",
        r"$$W_{X1-H1} = 0.15, \quad W_{X2-H1} = 0.2, \quad W_{X1-H2} = 0.25, \quad W_{X2-H2} = 0.3$$",
        r"$$z_1 = W_{X1-H1} x_1 + W_{X2-H1} x_2 + 0.35 = 0.3775$$",
        r"$$z_2 = W_{X2-H2} x_1 + W_{X1-H2} x_2 + 0.35 = 0.3925$$",  # swapped: wrong
    ])
    report = check_document(mazur, "md", document)
    assert {k: v for k, v in readings(report).items() if k.startswith("W")} == {
        "W_X1_H1": "w1", "W_X2_H1": "w2", "W_X1_H2": "w3", "W_X2_H2": "w4"}
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("net")] == [
        ("net_h1", "correct"), ("net_h1", "correct"), ("net_h2", "wrong"), ("net_h2", "correct")]


def test_a_name_stated_only_as_its_own_update_is_the_weight(mazur: derivation.Derivation) -> None:
    # `w_{h_1 \to o_1} = 0.4 - 0.5 * dE/dw5 = 0.358916480`: the weight w5 updated (0.4 - 0.5 * 0.0821670406 by
    # hand), so the name is w5, not a name for w5 after the update: a formula using it later with the weights
    # before the update (net_o1 = 0.4 * 0.593269992 + 0.45 * 0.596884378 + 0.6 = 1.105905967) is right
    document = "\n\n".join([
        r"$$out_{h1} = 0.593269992, \quad out_{h2} = 0.596884378$$",
        r"$$w_{h_1 \to o_1} = 0.4 - 0.5 \times 0.0821670406 = 0.358916480$$",
        r"$$w_{h_2 \to o_1} = 0.45 - 0.5 \times 0.0826676278 = 0.408666186$$",
        r"$$net_{o1} = w_{h_1 \to o_1} out_{h1} + w_{h_2 \to o_1} out_{h2} + 0.6 = 1.105905967$$",
    ])
    report = check_document(mazur, "md", document)
    assert {k: v for k, v in readings(report).items() if k.startswith("w")} == {"w_h1_o1": "w5", "w_h2_o1": "w6"}
    updates = [f.verdict.status for f in report.found if f.verdict.line in (3, 5)]
    assert updates and set(updates) == {"correct"}
    assert {f.verdict.status for f in report.found if f.target == "net_o1"} == {"correct"}


EQUAL_WEIGHTS = """
title = "weights of equal values"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[1, 2], [2, 1]]
bias = { mode = "per_neuron", values = [0.5, 0.5] }

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[1, 1]]
bias = { mode = "per_neuron", values = [0.5] }

[[samples]]
inputs = [0.3, 0.6]
targets = [1]

[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize("names, numbers", [
    (r"\begin{bmatrix} w_{11} & w_{12} \\ w_{21} & w_{22} \end{bmatrix}", r"\begin{bmatrix} 1 & 2 \\ 2 & 1 \end{bmatrix}"),
    (r"\left[\begin{array}{cc}{w_{11}} & {w_{12}} \\ {w_{21}} & {w_{22}}\end{array}\right]",
     r"\left[\begin{array}{cc}{1} & {2} \\ {2} & {1}\end{array}\right]"),
])
def test_the_names_of_a_matrix_s_entries_are_read_at_their_places(names: str, numbers: str) -> None:
    # w_{12} and w_{21} are both 2: their values cannot tell them apart, their places in W^{(1)} (read as the
    # layer's weights by its numbers) do. 1 * 0.3 + 2 * 0.6 + 0.5 = 2.0, 2 * 0.3 + 1 * 0.6 + 0.5 = 1.7 (by hand)
    d = derivation.build(network.build(spec.load_text(EQUAL_WEIGHTS)))
    document = "\n\n".join([
        r"$$x_1 = 0.3, \quad x_2 = 0.6$$",
        r"$$W^{(1)} = " + names + " = " + numbers + "$$",
        r"$$z_1 = w_{11} x_1 + w_{12} x_2 + 0.5 = 2.0$$",
        r"$$z_2 = w_{12} x_1 + w_{22} x_2 + 0.5 = 1.7$$",  # w_{12} for w_{21}: right in numbers, a wrong formula
    ])
    report = check_document(d, "md", document)
    assert {k: v for k, v in readings(report).items() if k.startswith("w")} == {
        "w11": "w1", "w12": "w2", "w21": "w3", "w22": "w4"}
    assert [(f.target, f.verdict.status) for f in report.found if f.target.startswith("net")] == [
        ("net_h1", "correct"), ("net_h1", "correct"), ("net_h2", "wrong"), ("net_h2", "correct")]
    assert "by its place in the weights of layer 1" in {r.why for r in report.names.readings}


def test_y_is_the_output_where_the_document_writes_no_hatted_y() -> None:
    # the textbook writes ŷ_j for the output and y_j for the target; a document that never writes a ŷ means the
    # output by y_j (its targets are t_j), on a network whose output neurons are named y1, y2
    s = spec.load_preset("textbook")
    d = derivation.build(network.build(s), history_steps=(1,))
    outs = forward(oracle_net(s), list(s.samples[0].inputs))[2]
    value = mp.nstr(outs[0], 9)
    plain = check_document(d, "md", f"$$t_1 = 1$$\n\n$$y_1 = {value}$$")
    assert [(f.target, f.verdict.status) for f in plain.found] == [("target_y1", "correct"), ("out_y1", "correct")]
    hatted = check_document(d, "md", f"$$\\hat{{y}}_1 = {value}, \\quad y_1 = 1$$")
    assert [(f.target, f.verdict.status) for f in hatted.found] == [("out_y1", "correct"), ("target_y1", "correct")]


TWO_THREE_ONE = """
inputs = ["x1", "x2"]
loss = "cross_entropy"

[[layers]]
neurons = ["h1", "h2", "h3"]
activation = "sigmoid"
weights = [[0.1, 0.2], [0.4, 0.5], [0.6, 0.7]]
bias = { mode = "per_neuron", values = [0.3, 0.7, 0.7] }

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.8, 0.8, 0.8]]
bias = { mode = "per_neuron", values = [0.7] }

[[samples]]
inputs = [1, 2]
targets = [0.5]

[training]
learning_rate = 0.1
"""


def test_a_weights_letters_are_never_read_as_an_input(tmp_path) -> None:
    """`∂z_1/∂w_{10} = x_1 = 1` in a chain for ∂J/∂w_{10}: a derivative's value could make w_{10} the input x1
    (a derivative by x1 that has the value); a name with a weight's letter is no input, so it is not read so."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TWO_THREE_ONE)))))
    line = (r"\frac{\partial J}{\partial w_{10}} = \frac{\partial J}{\partial z_1} \cdot \frac{\partial z_1}"
            r"{\partial w_{10}} = (a_1 - y) \cdot x_1 = (0.6 - 0.5) \cdot 1 = 0.1 \\")
    report = check_document(d, "md", line + "\n")
    assert "x1" not in [r.quantity for r in report.names.readings if r.written == "w10"]


ONE_THREE_ONE = """
inputs = ["x"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2", "h3"]
activation = "relu"
weights = [[1], [1], [-1]]
weight_names = [["w1"], ["w2"], ["w3"]]

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.5, 1, 2]]
weight_names = [["v1", "v2", "v3"]]

[[samples]]
inputs = [4]
targets = [0]

[training]
learning_rate = 0.1
"""


def test_a_relus_output_is_read_by_its_formula_where_its_net_has_the_value(tmp_path) -> None:
    """z2 = max(0, w2 x) = 4: at the spec's values the net and the output of h2 are both 4 (x = 4, w2 = 1), and
    at a random point where w2 x > 0 too; compared where w2 x < 0, only the output is relu(w2 x), so each z_k
    is out_hk, never net_hk (then wrong "not in general")."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, ONE_THREE_ONE)))))
    line = "therefore z1=max(0,w1*x)=4,z2=max(0,w2*x)=4,z3=max(0,w3*x)=0;\n"
    report = check_document(d, "md", line)
    assert readings(report) == {"z1": "out_h1", "z2": "out_h2", "z3": "out_h3"}
    statuses = {f.verdict.status for f in report.found}
    assert "correct" in statuses and statuses <= {"correct", "cannot check"}
