"""Maths as people type it outside LaTeX and the symbols they type it with: equations in prose (Unicode,
continuation lines, inline code), MkDocs admonitions, a function's definition, a condition after an equation,
`:=`, `\\approx`, subscript digits and decimal commas. Numbers from tests/oracle.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import JUDGED, check_document
from derive.reader import symbols
from derive.reader.symbols import decimal_points, equation_in, equations_in, to_latex, uses_decimal_commas
from tests.helpers import finite_difference, oracle_net, param_values, write_spec
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def out_h1() -> str:
    s = spec.load_preset("mazur")
    return mp.nstr(forward(oracle_net(s), list(s.samples[0].inputs))[1][0], 5)


def verdicts(d: derivation.Derivation, document: str) -> list[tuple[int, str]]:
    return [(f.verdict.line, f.verdict.status) for f in check_document(d, "md", document).found]


def test_an_equation_in_prose_with_its_continuation_lines(mazur: derivation.Derivation, out_h1: str) -> None:
    document = "\n".join([
        "Step 1 — the hidden neuron h₁",
        "net_h1 = (w₁ · i₁) + (w₂ · i₂) + b₁",
        "= (0.15 × 0.05) + (0.20 × 0.10) + 0.35",
        "= 0.3775",
        "out_h1 = σ(0.3775) = 1 / (1 + e^(−0.3775))",
        f"= {out_h1}",
        "Then we use it below.",
    ])
    found = verdicts(mazur, document)
    assert [s for _, s in found] == ["correct"] * 6
    assert [line for line, _ in found] == [2, 3, 4, 5, 5, 6]  # each link where it is written


def test_a_wrong_number_in_prose_is_found(mazur: derivation.Derivation) -> None:
    found = verdicts(mazur, "net_h1 = 0.15 × 0.05 + 0.2 × 0.1 + 0.35 = 0.3795\n")
    assert [s for _, s in found] == ["correct", "wrong"]


def test_prose_is_not_an_equation() -> None:
    assert equation_in("The learning rate = how far each step goes.") is None
    assert equation_in("_ = subscript, W+ = new weight, δ = error") is None
    assert equation_in("学习率η=0.1")[2] == "η=0.1"  # type: ignore[index]
    assert equation_in("- y (true label) = 1.0")[2].split() == ["y", "=", "1.0"]  # type: ignore[index]


def test_unicode_as_latex() -> None:
    latex, back = to_latex("w₁₂ · x² ≈ δ2")
    assert latex == "w_{12} \\cdot  x^{2} \\approx  \\delta_{2} "
    assert len(back) == len(latex) + 1 and back[-1] == len("w₁₂ · x² ≈ δ2")
    assert to_latex("w ∗ x")[0] == "w \\ast  x"  # the asterisk operator, a product
    assert to_latex("∂L/∂w₂ = ∂z₁/∂w¹")[0] == "dL/dw_{2} = dz_{1}/dw^{1}"  # a derivative's names keep their scripts


def test_equations_as_inline_code_and_in_admonitions(mazur: derivation.Derivation) -> None:
    document = "\n".join([
        "!!! note \"Answer\"",
        "",
        "    The hidden net is $net_{h1} = 0.3775$ and `net_h2 = 0.3925`.",
    ])
    assert [s for _, s in verdicts(mazur, document)] == ["correct", "correct"]


def test_a_functions_definition_is_checked_at_several_values(mazur: derivation.Derivation) -> None:
    right = r"$\sigma(x) = \frac{1}{1 + e^{-x}}$ and $\sigma'(x) = \sigma(x)(1 - \sigma(x))$"
    wrong = r"$\sigma'(x) = \sigma(x)(1 + \sigma(x))$"
    assert [s for _, s in verdicts(mazur, right)] == ["correct", "correct"]
    assert [s for _, s in verdicts(mazur, wrong)] == ["wrong"]


def test_a_functions_definition_worked_at_one_value_is_not_read_there(mazur: derivation.Derivation) -> None:
    """`\\sigma'(z) = \\sigma(z)(1 - \\sigma(z)) = 0.622 \\cdot 0.378 = 0.235`: the rule, then its value at one z
    the line does not name; the numbers are not judged against the rule at every z (they would differ)."""
    chain = r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = 0.622 \cdot 0.378 \approx 0.235$"
    assert [s for _, s in verdicts(mazur, chain)] == ["correct", "cannot check", "cannot check"]


def test_a_condition_after_an_equation_and_an_assignment(mazur: derivation.Derivation) -> None:
    report = check_document(mazur, "md", "$net_{h1} = 0.3775 > 0$\n\n`w5 := 0.4 - 0.5 * 0.082167041 = 0.35891648`\n")
    assert {f.verdict.status for f in report.found} == {"correct"}
    assert {f.target for f in report.found} == {"net_h1", "w5@1"}
    assert all(s.status == JUDGED for s in report.spans)


def test_decimal_commas_where_a_document_uses_them_throughout() -> None:
    assert uses_decimal_commas("out = 0,593 and net = 0,3775")
    assert not uses_decimal_commas("x = (0.2, 0.4) and 0,5")
    assert decimal_points("out = 0,593") == "out = 0.593"


def test_a_list_of_givens_in_prose_and_a_vulgar_fraction(mazur: derivation.Derivation) -> None:
    assert equation_in("Inputs: i₁ = 0.05, i₂ = 0.1")[2] == "i₁ = 0.05, i₂ = 0.1"  # type: ignore[index]
    assert equation_in("x1, x2 = 0.5, 0.3") is None  # a program's unpacking, at the line's start
    s = spec.load_preset("mazur")
    _, outs = forward(oracle_net(s), list(s.samples[0].inputs))[1:]
    e_o1 = (mp.mpf("0.01") - outs[0]) ** 2 / 2
    document = "\n".join([
        "Inputs: i₁ = 0.05, i₂ = 0.1",
        f"E_o1 = ½(0.01 − {mp.nstr(outs[0], 9)})² = {mp.nstr(e_o1, 6)}",
        "E_o1 = ½ × 0.5 = 0.25",  # ½ read as a half: 0.25, not the 0.2748 it should be
    ])
    assert [s for _, s in verdicts(mazur, document)] == ["correct"] * 4 + ["wrong", "carried"]


def test_a_line_of_arithmetic_carrying_on_a_formula(mazur: derivation.Derivation) -> None:
    value = mp.mpf("0.7514") * (1 - mp.mpf("0.7514")) * mp.mpf("0.7414")
    document = "\n".join([
        "> $δ_{o1} = out_{o1}(1 − out_{o1})(out_{o1} − t_1)$",
        "",
        f"=0.7514(1−0.7514)(0.7414)={mp.nstr(value, 4)}",
        "",
        f"=> 0.7514(1−0.7514)(0.7414)={mp.nstr(value * 10, 4)}",  # a slipped point
    ])
    found = [(line, s) for line, s in verdicts(mazur, document) if line > 1]
    assert found == [(3, "correct"), (5, "wrong")]
    assert equation_in("= a + b = 2") is None and equation_in("= 0.3775") is None  # no chain of numbers alone


def test_maths_in_prose_the_markdown_takes_for_code_or_html(mazur: derivation.Derivation, out_h1: str) -> None:
    document = "\n".join([
        "初始权重\t$w_1=0.15$，$w_2=0.20$",
        "",
        "\t\t\t\t   $w_5=0.40$，$w_6=0.45$",  # indented with tabs: a code block to the Markdown
        "",
        '<p align="center">',
        '  <img src="./images/net.png">',
        "</p>",
        "$$",
        f"对h1的输出进行计算：out_{{h1}}=\\frac{{1}}{{1+e^{{-0.3775}}}}={out_h1}",
        "$$",
        "",
        "    x = np.dot(w, $a$)",  # a program stays a program
    ])
    assert [s for _, s in verdicts(mazur, document)] == ["correct"] * 6


def test_a_display_opened_on_the_line_after_a_paragraph(mazur: derivation.Derivation) -> None:
    """`$$` right under a line of text opens a display (as `\\begin{align}` does); the `$$` closing it is not
    taken for the opening of the next, which would swallow the text and maths after it."""
    document = "\n".join([
        "We compute the net input of h1:",
        "$$",
        r"\begin{align}",
        r"net_{h1} &= 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 \\",
        r"&= 0.3775",
        r"\end{align}",
        "$$",
        "",
        "and the bias is $b_1 = 0.35$, then:",
        "$$",
        r"net_{h1} = 0.3795",
        "$$",
    ])
    assert verdicts(mazur, document) == [(4, "correct"), (5, "correct"), (9, "correct"), (11, "wrong")]


def test_a_system_of_equations_gathered_by_a_brace(mazur: derivation.Derivation) -> None:
    document = "\n".join(["$$", r"\left\{", r"\begin{align*}", r"net_{h1} &= 0.3775 \\",
                          r"net_{h2} &= 0.3925 \\", r"E_{total} &= 2", r"\end{align*}", r"\right.", "$$"])
    assert [s for _, s in verdicts(mazur, document)] == ["correct", "correct", "wrong"]


def test_names_and_numbers_given_together(mazur: derivation.Derivation) -> None:
    """`i1, i2 = 0.05, 0.1` after a label gives each name its number in order (the classic inputs); a count
    that does not match is not split."""
    assert verdicts(mazur, "输入值: i1, i2 = 0.05, 0.1\n") == [(1, "correct"), (1, "correct")]
    assert verdicts(mazur, "Inputs: $i_1, i_2 = 0.05, 0.2$\n") == [(1, "correct"), (1, "wrong")]
    assert verdicts(mazur, "Inputs: $i_1, i_2 = 0.05, 0.1, 0.2$\n") == []


def test_formulas_shown_as_images_of_a_latex_service(mazur: derivation.Derivation, out_h1: str) -> None:
    """`![out_{h1}=0.59327](https://latex.codecogs.com/gif.latex?...)`: the alt text is the formula, indented
    or not, and an image that starts with `=` carries the one before it on; other images are no maths."""
    image = "![out_{{h1}}={value}](https://latex.codecogs.com/gif.latex?out_%7Bh1%7D)"
    document = "\n\n".join([image.format(value=out_h1), "    " + image.format(value="0.7"),
                            "![=0.59327](https://latex.codecogs.com/gif.latex?x)",
                            f"![out_{{h1}}={out_h1}](https://example.com/a.png)"])
    assert [status for _, status in verdicts(mazur, document)] == ["correct", "wrong", "correct"]


def test_plain_text_over_a_lone_dash_is_no_heading(mazur: derivation.Derivation, out_h1: str) -> None:
    """Lines of plain text with a lone `-` under them (a Markdown setext heading, to a parser) are a paragraph
    whose equations are read."""
    document = f"Forward pass:\nnet_h1 = 0.3775\nout_h1 = {out_h1}\n-\n\nThe end\n-\n"
    assert verdicts(mazur, document) == [(2, "correct"), (3, "correct")]


def test_one_line_over_a_lone_dash_is_no_heading(mazur: derivation.Derivation, out_h1: str) -> None:
    """A list pasted as plain text leaves each item over a lone `-`: one line so is read as prose too (a
    heading's underline is longer); the same line over `---` stays a heading."""
    document = f"The output\n-\nnet_h1 = 0.3775\n-\nout_h1 = 0.61\n-\n\nout_h1 = {out_h1}\n---\n"
    assert verdicts(mazur, document) == [(3, "correct"), (5, "wrong")]


TANH = """
inputs = ["i1"]
loss = "half_sse"

[[layers]]
neurons = ["h1"]
activation = "tanh"
weights = [[0.5]]

[[layers]]
neurons = ["o1"]
activation = "ACT"
weights = [[0.5]]

[[samples]]
inputs = [1.0]
targets = [1.0]

[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize(("output", "formula", "status"), [
    ("tanh", r"\frac{\partial E}{\partial out_{h1}} \sigma'(net_{h1})", "cannot check"),  # sigma, every activation's name
    ("tanh", r"\frac{\partial E}{\partial out_{h1}} \sigma'(net_{h1}) \cdot 2", "wrong"),  # wrong with tanh too
    ("sigmoid", r"\frac{\partial E}{\partial out_{h1}} \sigma'(net_{h1})", "wrong"),  # the network's sigmoid: it is one
])
def test_sigma_in_a_network_without_a_sigmoid_may_be_its_activation(
        tmp_path: Path, output: str, formula: str, status: str) -> None:
    """dE/dnet_h1 = dE/dout_h1 * tanh'(net_h1) on a tanh hidden neuron: written with sigma', it is right if sigma
    names the activation, wrong if the sigmoid; where no neuron is a sigmoid, which is meant is not told."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TANH.replace("ACT", output))))))
    found = check_document(d, "md", rf"$$\frac{{\partial E}}{{\partial net_{{h1}}}} = {formula}$$").found
    assert [f.verdict.status for f in found] == [status]


def test_a_derivative_written_with_unicode_subscripts(mazur: derivation.Derivation) -> None:
    """∂E/∂w₅ in plain text is dE_total/dw5: 0.082167041 by the Mazur example's own working (and the oracle)."""
    s = mazur.network.spec
    gradient = finite_difference(s, 0, "w5", param_values(s))
    found = check_document(mazur, "md", f"- ∂E/∂w₅ = {mp.nstr(gradient, 9)}.\n").found
    assert [(f.target, f.verdict.status) for f in found] == [("d:E_total/w5", "correct")]


@pytest.mark.parametrize(("output", "status"), [("tanh", "cannot check"), ("sigmoid", "wrong")])
def test_sigma_on_the_left_in_a_network_without_a_sigmoid(tmp_path: Path, output: str, status: str) -> None:
    """sigma'(net_h1) = 1 - tanh^2(net_h1): tanh's slope, right if sigma names the activation (tanh), wrong as
    the sigmoid's; where a neuron is a sigmoid, sigma is the sigmoid."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TANH.replace("ACT", output))))))
    found = check_document(d, "md", r"$$\sigma'(net_{h1}) = 1 - \tanh^2(net_{h1})$$").found
    assert [f.verdict.status for f in found] == [status]


@pytest.mark.parametrize(("output", "status"), [("tanh", "cannot check"), ("sigmoid", "wrong")])
def test_sigma_in_a_functions_rule_in_a_network_without_a_sigmoid(tmp_path: Path, output: str, status: str) -> None:
    """sigma'(z) = 1 - tanh^2(z) for every z: tanh's slope, so right if sigma names the activation and wrong as
    the sigmoid's (at z = 0.36, 0.2421 against 0.8808 by hand); with a sigmoid in the network, it is wrong."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TANH.replace("ACT", output))))))
    found = check_document(d, "md", r"$$\sigma'(z) = 1 - \tanh^2(z)$$").found
    assert [f.verdict.status for f in found] == [status]


def test_the_equations_between_the_words_of_a_line(mazur: derivation.Derivation) -> None:
    """A line of prose whose clauses are equations: each is one, the words between them prose; a legend's
    `δ = error` is none. w5 after one step: 0.4 - 0.5 x 0.0822 = 0.3589 (by hand)."""
    assert [w[2] for w in equations_in("y = w₂ · a₁, so ∂y/∂w₂ = a₁ = 0.622.")] == ["y = w₂ · a₁", "∂y/∂w₂ = a₁ = 0.622"]
    assert [w[2] for w in equations_in("∂L/∂w₁ = 0.115. **Notice:** the chain rule is what you used.")] == [
        "∂L/∂w₁ = 0.115"]
    assert [w[2] for w in equations_in("Givens: x = 1, where w₁ = 0.5 and w₂ = 2.")] == ["x = 1", "w₁ = 0.5", "w₂ = 2"]
    assert equations_in("_ = subscript, W+ = new weight, δ = error") == []
    line = "Here η = 0.5 is the learning rate, so w₅⁺ = 0.4 - 0.5 · 0.0822 = 0.3589; then we go on."
    assert [s for _, s in verdicts(mazur, line + "\n")] == ["correct", "correct"]
    assert [s for _, s in verdicts(mazur, line.replace("0.3589", "0.3598") + "\n")] == ["correct", "wrong"]


@pytest.mark.parametrize("second, status", [("0.0425", "correct"), ("0.0435", "wrong")])
def test_a_chinese_name_and_x_for_times(mazur: derivation.Derivation, second: str, status: str) -> None:
    """`隐藏层输入 = [0.05, 0.1] x [[0.15, 0.25], [0.2, 0.3]] = [...]`: the words are prose, `x` between numbers
    is times, and the arithmetic is judged: 0.05 x 0.15 + 0.1 x 0.2 = 0.0275, 0.05 x 0.25 + 0.1 x 0.3 = 0.0425
    (by hand)."""
    assert equation_in("2 x 3 matrix = a table") is None
    line = f"隐藏层输入 = [0.05, 0.1] x [[0.15, 0.25], [0.2, 0.3]] = [0.0275, {second}]\n"
    assert [s for _, s in verdicts(mazur, line)] == ["correct", status]


RELU_SOFTMAX = """
inputs = ["i1"]
loss = "cross_entropy"

[[layers]]
neurons = ["h1"]
activation = "relu"
weights = [[0.5]]

[[layers]]
neurons = ["o1", "o2"]
activation = "softmax"
weights = [[0.5], [-0.5]]

[[samples]]
inputs = [1.0]
targets = [1, 0]

[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize(("formula", "status"), [
    (r"\sigma'(z) = \operatorname{step}(z)", "cannot check"),  # sigma, the relu's name here, or the sigmoid
    (r"f'(z) = \operatorname{step}(z)", "correct"),  # f, the activation: relu, the one beside softmax
    (r"\sigma'(z) = z", "wrong"),  # the slope of no activation
])
def test_the_slope_of_the_one_activation_beside_softmax(tmp_path: Path, formula: str, status: str) -> None:
    """A relu hidden layer under softmax outputs: f' is relu's slope, step(z) (1 above 0, 0 below, at every z
    compared); sigma' may name it too, so which is meant is not told."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, RELU_SOFTMAX)))))
    assert [f.verdict.status for f in check_document(d, "md", f"$${formula}$$").found] == [status]


@pytest.mark.parametrize(("formula", "status"), [
    (r"f'(z) = \begin{cases} 1 & z > 0, \quad \\ 0 & z \le 0 \end{cases}", "correct"),
    (r"f(z) = \begin{cases} z & \text{if } z > 0 \\ 0 & \text{otherwise} \end{cases}", "correct"),
    (r"f'(z) = \begin{cases} 1, & z > 0 \\ 1, & z \leq 0 \end{cases}", "not read"),  # no relu's: not read
    (r"f(z) = \begin{cases} z & z > 0 \\ 0.01z & z \le 0 \end{cases}", "not read"),  # leaky: not read
])
def test_relu_and_its_slope_written_by_cases(tmp_path: Path, formula: str, status: str) -> None:
    """relu (z above 0, else 0) and its slope (1 above 0, else 0) written as cases are those functions, compared
    at every z as any definition is; cases of another function are not read, never judged."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, RELU_SOFTMAX)))))
    said = [f.verdict.status for f in check_document(d, "md", f"$${formula}$$").found]
    assert said == ([status] if status != "not read" else [])


def test_a_derivative_by_a_name_with_a_layers_superscript(tmp_path: Path) -> None:
    """`u^{(2)}`, the output's net in a document of its own letters, keeps its label under a derivative:
    ∂E/∂u^{(2)} is dE/dnet_o1, not the derivative after two updates. tanh hidden, sigmoid output, one input 1,
    both weights 0.5, target 1 (by mpmath): (out - 1) out (1 - out) at net 0.5 tanh(0.5)."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TANH.replace("ACT", "sigmoid"))))))
    net = mp.mpf("0.5") * mp.tanh(mp.mpf("0.5"))
    out = 1 / (1 + mp.exp(-net))
    slope = (out - 1) * out * (1 - out)
    document = (f"$$u^{{(2)}} = 0.5 \\cdot {mp.nstr(mp.tanh(mp.mpf('0.5')), 6)} = {mp.nstr(net, 5)}$$\n\n"
                f"$$\\frac{{\\partial E}}{{\\partial u^{{(2)}}}} = {mp.nstr(slope, 6)}$$\n")
    found = check_document(d, "md", document).found
    assert [(f.target, f.verdict.status) for f in found][-1] == ("d:E_total/net_o1", "correct")


PLAIN_BLOCK = """Step 1:

```
net_h1 = 0.15×0.05 + 0.2×0.1 + 0.35
       = 0.0075 + 0.02 + 0.35
       = NET
w₅ = 0.4     η = 0.5
```
"""


@pytest.mark.parametrize("net, status", [("0.3775", "correct"), ("0.3785", "wrong")])
def test_maths_typed_in_a_code_block(mazur: derivation.Derivation, net: str, status: str) -> None:
    """A code block with no language that holds maths typed as plain text (×, subscript digits) is read as
    prose lines: 0.0075 + 0.02 + 0.35 = 0.3775 (by hand); two equations a column's gap apart are two."""
    said = check_document(mazur, "md", PLAIN_BLOCK.replace("NET", net)).found
    assert [(f.target, f.verdict.status) for f in said] == [
        ("net_h1", "correct"), ("net_h1", "correct"), ("net_h1", status), ("w5", "correct"), ("eta", "correct")]


@pytest.mark.parametrize("fence", ["```js", "```c"])
def test_a_programs_block_is_never_read(mazur: derivation.Derivation, fence: str) -> None:
    assert check_document(mazur, "md", PLAIN_BLOCK.replace("```\n", fence + "\n", 1)).found == ()
    program = PLAIN_BLOCK.replace("w₅ = 0.4", "w5 -= lr * grad  # w₅")  # a line of a program: the block is one
    assert check_document(mazur, "md", program).found == ()


def test_a_matrix_typed_over_lines_is_not_read_by_its_first_row(mazur: derivation.Derivation) -> None:
    """`W₁ = [0.15  0.2]` over `     [0.25  0.3]`: one row of a matrix read alone would be wrong; not read."""
    block = "```\nW₁ = [0.15  0.2]    b₁ = 0.35\n     [0.25  0.3]\n```\n"
    assert [f.target for f in check_document(mazur, "md", block).found] == []


@pytest.mark.parametrize("stale", [False, True])
def test_an_update_from_the_value_after_one_is_the_second(mazur: derivation.Derivation, stale: bool) -> None:
    """`w_5^{new} = 0.35891648 - 0.5 x g` starts from w5 after one update (by the oracle's gradients): it is
    the second update's, judged as w5 after two, right with the gradient at the updated weights (the oracle's,
    by central differences), wrong with the first gradient again (stale), never a wrong first update."""
    classic = spec.load_preset("mazur")
    values = param_values(classic)
    first = {w: values[w] - mp.mpf("0.5") * finite_difference(classic, 0, w, values) for w in values if w[0] == "w"}
    after = {**values, **first}
    gradient = finite_difference(classic, 0, "w5", values if stale else after)
    second = first["w5"] - mp.mpf("0.5") * gradient
    line = (f"$$w_5^{{new}} = {mp.nstr(first['w5'], 8)} - 0.5 \\times {mp.nstr(gradient, 6)} = "
            f"{mp.nstr(second, 6)}$$\n")
    said = [(f.target, f.verdict.status) for f in check_document(mazur, "md", line).found]
    assert said == ([("w5@2", "wrong"), ("w5@2", "carried")] if stale else [("w5@2", "correct")] * 2)


def test_a_pages_rendered_copies_are_not_clauses() -> None:
    """A line holding a formula as a page renders it three times (text, LaTeX, glyphs) is read from its LaTeX
    copy (rendered.py) or not at all: its parts are no clauses of prose, one of which could be read alone."""
    line = r"W = [ 0.1 0.2 ] , b = 0.08 W = \begin{bmatrix} 0.1 & 0.2 \end{bmatrix}, \quad b = 0.05 W=[0.10.2],b=0.05"
    assert equations_in(line) == []


@pytest.mark.parametrize("remark", ["        ← 预测 3，实际值 5", "   (because net = w x + b, so ...)",
                                    "   # the net input", "   // 网络的净输入", "  -- so w goes up"])
def test_a_remark_a_columns_gap_after_the_equation(remark: str) -> None:
    """A remark after a gap of two spaces or more (an arrow, a comment sign, a bracket of words) ends the
    equation; the same marks close to it are maths (`w1 ← 0.5 - 0.01·(-12)`, `(0.15 × 0.05)`)."""
    line = "net_h1 = 0.15 × 0.05 + 0.2 × 0.1 + 0.35 = 0.3775"
    assert equation_in(line + remark)[2] == line  # type: ignore[index]
    assert equation_in("net_h1 = (0.15 × 0.05) + (0.2 × 0.1) + 0.35")[2].endswith("+ 0.35")  # type: ignore[index]


@pytest.mark.parametrize("new, status", [("0.358916", "correct"), ("0.359916", "wrong")])
def test_an_arrow_assigns_an_update_in_plain_text(mazur: derivation.Derivation, new: str, status: str) -> None:
    """`w₅ ← 0.4 − 0.5 · 0.082167 = 0.358916` in a code block of typed maths: the update of w5, judged
    (0.4 - 0.5 x 0.0821670407 = 0.35891648 by hand, the gradient of seed 003 to 10 digits)."""
    block = f"```\nw₅ ← 0.4 − 0.5 · 0.082167 = {new}      ← w₅ goes down\n```\n"
    said = [(f.target, f.verdict.status) for f in check_document(mazur, "md", block).found]
    assert said == [("w5@1", "correct"), ("w5@1", status)]


PSEUDO = """```python
# Hidden layer (the weights over two lines)
W1 = [[0.15, 0.20],   # to h1
      [0.25, 0.30]]
net_h = W1 @ X + b1
      = [[0.15, 0.20], [0.25, 0.30]] @ [[0.05], [0.10]] + [[0.35], [0.35]]
      = [[NET], [0.3925]]
```
"""


@pytest.mark.parametrize("net, status", [("0.3775", "correct"), ("0.3785", "wrong")])
def test_maths_written_in_a_programs_syntax(mazur: derivation.Derivation, net: str, status: str) -> None:
    """A ```python block no program parses, whose lines carry equations on: maths in Python's syntax, read
    (nested lists as matrices, `[[0.05], [0.10]]` a column, `@` a product, a list over two lines, comments
    aside). By hand: 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775, 0.25 x 0.05 + 0.3 x 0.1 + 0.35 = 0.3925."""
    said = [(f.target, f.verdict.status) for f in check_document(mazur, "md", PSEUDO.replace("NET", net)).found]
    assert [s for t, s in said if t == "w1"] == ["correct"]
    assert [s for t, s in said if t == "net_h1"][-1] == status
    assert [s for t, s in said if t == "net_h2"][-1] == "correct"


def test_a_program_that_parses_is_still_no_maths(mazur: derivation.Derivation) -> None:
    program = "```python\nnet_h1 = w1 * i1 + w2 * i2 + b1\nout_h1 = 1 / (1 + math.exp(-net_h1))\nprint(out_h1)\n```\n"
    assert check_document(mazur, "md", program).found == ()


@pytest.mark.parametrize("again, status", [("0.1382", "correct"), ("0.1392", "wrong")])
def test_an_own_name_for_a_quantity_goes_on_with_its_value_as_written(mazur: derivation.Derivation, again: str,
                                                                     status: str) -> None:
    """δ_o1 worked from out_o1 rounded to 0.75: (0.75 - 0.01) x 0.1868 = 0.1382 (by hand; the truth is
    0.138498); `g = δ_o1 = 0.1382` goes on with the value written, not a new slip; another number is one."""
    text = f"$$\\delta_{{o1}} = (0.75 - 0.01) \\times 0.1868 = 0.1382$$\n\n$$g = \\delta_{{o1}} = {again}$$\n"
    said = [f.verdict.status for f in check_document(mazur, "md", text).found]
    assert said[-1] == status


@pytest.mark.parametrize("named, status", [("0.0825", "cannot check"), ("0.0855", "wrong"), ("0.0830", "wrong")])
def test_a_number_worked_out_under_no_name_then_named(mazur: derivation.Derivation, named: str, status: str) -> None:
    """0.139 x [0.5933, 0.5969] = [0.0825, 0.0830] (by hand) names no quantity; `∂E/∂w5 = 0.0825` (truth
    0.0822) may be that working's result, which is not read as this quantity's: cannot check, never a slip. A
    number no working wrote is wrong, and so is one worked out there but far from this quantity (0.0830, 1%
    off: the other entry's)."""
    text = ("$$0.139 \\cdot \\begin{bmatrix} 0.5933 & 0.5969 \\end{bmatrix} = "
            "\\begin{bmatrix} 0.0825 & 0.0830 \\end{bmatrix}$$\n\n"
            f"$$\\frac{{\\partial E}}{{\\partial w_5}} = {named}$$\n")
    said = [f.verdict.status for f in check_document(mazur, "md", text).found]
    assert said == ["correct", "correct", status]


@pytest.mark.parametrize("words, status", [("若用交叉熵，", "cannot check"), ("With cross-entropy, ", "cannot check"),
                                           ("", "wrong")])
def test_a_value_worked_under_another_loss_the_sentence_supposes(mazur: derivation.Derivation, words: str,
                                                                  status: str) -> None:
    """δ_o1 = out_o1 - t_1 is cross-entropy's, not the network's squared error's: in a sentence that supposes
    that loss, neither the formula nor its value is judged, and no slip is carried from it."""
    text = f"{words}$\\delta_{{o1}} = out_{{o1}} - 0.01 = 0.7414$。\n"
    said = [f.verdict.status for f in check_document(mazur, "md", text).found]
    assert said[0] == status and said[-1] in ((status,) if words else ("carried", "wrong"))


LABELLED = """inputs = ["x1", "x2"]
loss = "half_sse"
[[layers]]
neurons = ["h1", "h2"]
activation = "identity"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = { mode = "per_neuron", values = [0.1, 0.2] }
[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0.5, 0.6]]
bias = { mode = "per_neuron", values = [0.3] }
[[samples]]
inputs = [1, 2]
targets = [1]
[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize("net, status", [("0.6", "correct"), ("0.7", "wrong")])
def test_layer_labels_in_brackets_typed_as_plain_text(tmp_path: Path, net: str, status: str) -> None:
    """`z_1^(1)` typed in a code block is layer 1's z_1, as `z_1^{(1)}` is; in a document that labels its
    layers so, `b_1^(1)` is layer 1's bias b1 (0.1), not b1 after an update. By hand: z_1 = 0.1 x 1 + 0.2 x
    2 + 0.1 = 0.6."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, LABELLED)))), history_steps=(1,))
    block = f"```\nz_1^(1) = 0.1×1 + 0.2×2 + 0.1 = {net}\nb_1^(1) = 0.1\n```\n"
    said = [(f.target, f.verdict.status) for f in check_document(d, "md", block).found]
    assert said == [("net_h1", "correct"), ("net_h1", status), ("b1", "correct")]
    assert symbols.to_latex("z_1^(1)")[0] == "z_1^{(1)}" and symbols.to_latex("(1 - h)^(2)")[0] == "(1 - h)^(2)"


@pytest.mark.parametrize("out, status", [("0.5933", "correct"), ("0.5943", "wrong")])
def test_a_code_block_of_equations_alone(mazur: derivation.Derivation, out: str, status: str) -> None:
    """A block with no language whose every line is an equation, one a chain, is maths even without a sign
    only typed maths has (σ(0.3775) = 0.593270, by the oracle); lines of pseudo-code with no chain are not."""
    said = check_document(mazur, "md", f"```\nout_h1 = sigmoid(0.3775) = {out}\nE = 0.2984\n```\n").found
    assert [f.verdict.status for f in said if f.target == "out_h1"] == ["correct", status]
    assert check_document(mazur, "md", "```\nw5 = w5 - lr * grad\nb2 = b2 - lr * g\n```\n").found == ()


@pytest.mark.parametrize("out, status", [("0.5933", "correct"), ("0.5943", "wrong")])
def test_an_array_of_equations_followed_by_a_control_space(mazur: derivation.Derivation, out: str,
                                                           status: str) -> None:
    """`\\end{array}\\` at a line's end (a backslash before the break: a space to TeX) leaves the array of
    equations the display's whole body: its rows are read (σ(0.3775) = 0.593270, by the oracle)."""
    text = f"$$\n\\begin{{array}}{{lll}}\n net_{{h1}} &= 0.3775 \\\\\n out_{{h1}} &= {out}\n\\end{{array}}\\\n$$\n"
    said = [(f.target, f.verdict.status) for f in check_document(mazur, "md", text).found]
    assert said == [("net_h1", "correct"), ("out_h1", status)]


@pytest.mark.parametrize("line, status", [
    # an update written as an assignment is the first update: 0.4 - 0.5 x 0.082167041 = 0.3589165 (seed 003)
    ("$$w_5 = w_5 - 0.5 \\times 0.082167041 = 0.35891648$$", "correct"),
    ("$$w_5 \\leftarrow w_5 - 0.5 \\times 0.082167041 = 0.35891648$$", "correct"),
    # a bracket of words followed by a result is no remark: σ(0.3775) = 0.5933, not 0.7
    ("```\nout_h1 = sigmoid(0.3775)  (applying the sigmoid to net) = 0.7\n```", "wrong"),
    # an arrow before the equation's `=` assigns: 0.4 - 0.0411 = 0.3589, not 0.45
    ("```\nw5  ←  0.4 − 0.5 × 0.082167041 = 0.45\n```", "wrong"),
    # `if`/`suppose` without a change of a value, and a loss named but not supposed: claims as ever
    ("If so, the output rounds to $out_{o1} = 0.72$.", "wrong"),
    ("Suppose we go back to $out_{o1} = 0.72$.", "wrong"),
    ("Unlike for cross-entropy, the output delta keeps the slope: $\\delta_{o1} = 0.74136507 \\times 0.18681560 = 0.15$.",
     "wrong"),
])
def test_what_the_new_readings_leave_alone(mazur: derivation.Derivation, line: str, status: str) -> None:
    said = [f.verdict.status for f in check_document(mazur, "md", line + "\n").found]
    assert said and said[-1] == status, said


def test_a_formula_using_a_bias_stated_zero_is_judged_in_general(tmp_path: Path) -> None:
    """`b = 0` stated, then a formula that uses b wrongly (`x + b`): b stays random there, so the formula is
    wrong in general (dE/dw = 2(y - t) x by hand), though right at b = 0."""
    from tests.check.test_check import NEURON
    d = derivation.build(network.build(spec.load_text(NEURON)), history_steps=(1,))
    text = "$b = 0$\n\n$$\\frac{\\partial E}{\\partial w} = 2(out_y - target_y)(x + b)$$\n"
    assert [f.verdict.status for f in check_document(d, "md", text).found][-1] == "wrong"


@pytest.mark.parametrize("bias, status", [("b_1^{(1)} = 0.1", "correct"), ("b_2^{(1)} = 0.2", "correct"),
                                          ("b_1^{(1)} = 0.5", "wrong"), ("b_1^{(2)} = 0.3", "correct")])
def test_a_layer_labelled_bias_is_that_layers(bias: str, status: str) -> None:
    """In a document that labels layers `z^{(1)}`, `b_k^{(l)}` is the bias of neuron k of layer l (b1 = 0.1,
    b2 = 0.2 in layer 1, b3 = 0.3 in layer 2), never a bias after an update."""
    d = derivation.build(network.build(spec.load_text(LABELLED)), history_steps=(1,))
    doc = "$z_1^{(1)} = 0.1 \\times 1 + 0.2 \\times 2 + 0.1 = 0.6$\n\n$" + bias + "$\n"
    assert [f.verdict.status for f in check_document(d, "md", doc).found][-1] == status


def test_a_number_to_a_power_in_brackets_is_no_label() -> None:
    assert symbols.to_latex("E = 0.5 × 0.741365^(2)")[0].endswith("0.741365^(2)")
    assert symbols.to_latex("e^(2)")[0] == "e^(2)"


def test_an_at_sign_is_a_product_only_between_spaced_operands() -> None:
    """`W1 @ X` is Python's matrix product; `w1@1` (a weight after one update, as a claims file writes it) is
    a name."""
    assert symbols.to_latex("w1@1 = 0.149780716")[0] == "w1@1 = 0.149780716"
    assert "\\cdot" in symbols.to_latex("Z1 = W1 @ X + b1")[0]
