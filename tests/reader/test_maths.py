"""LaTeX maths turned into the claims grammar: one assert per notation the issue lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.claims import parse_line
from derive.reader.chains import chains, row_chains
from derive.reader.layer_labels import labelled_letters
from derive.reader.maths import NotUnderstood
from tests.helpers import run


def claim_of(latex: str) -> tuple[str, tuple]:
    """The target and the parsed links of the only chain of `latex`."""
    (chain,) = chains(latex)
    claim = parse_line(chain.text, 1)
    return claim.target.name, claim.links


def target_of(latex: str) -> str:
    return claim_of(latex)[0]


@pytest.mark.parametrize("latex, name", [
    (r"net_{h1} = 1", "net_h1"),
    (r"net_{h_1} = 1", "net_h1"),
    (r"\text{net}_{h1} = 1", "net_h1"),
    (r"\mathrm{out}_{o_1} = 1", "out_o1"),
    (r"E_{total} = 1", "E_total"),
    (r"E_{\text{total}} = 1", "E_total"),
    (r"E_{o1} = 1", "E_o1"),
    (r"\frac{\partial E_{total}}{\partial w_5} = 1", "d:E_total/w5"),
    (r"\partial E_{total}/\partial w_5 = 1", "d:E_total/w5"),
    (r"\dfrac{\partial E_{total}}{\partial w_5} = 1", "d:E_total/w5"),
    (r"\frac{\Delta E_{total}}{\Delta w5} = 1", "d:E_total/w5"),
    (r"\frac{\mathrm{d} E_{total}}{\mathrm{d} w_5} = 1", "d:E_total/w5"),
    (r"\delta_{o1} = 1", "delta_o1"),
    (r"w_5^{+} = 1", "w5@1"),
    (r"w_5' = 1", "w5@1"),
    (r"w5_{new} = 1", "w5@1"),
    (r"w_5^{(1)} = 1", "w5@1"),
    (r"E_{total}^{(1)} = 1", "E_total@1"),
    (r"E_{total}^{(10000)} = 1", "E_total@10000"),
    (r"target_{o1} = 1", "target_o1"),
    (r"\gamma_1 = 1", "gamma1"),
    (r"\theta_{2} = 1", "theta2"),
    (r"\eta = 0.5", "eta"),
    (r"w_{1,3} = 0.3", "w13"),  # one index of one character each, written apart
    (r"w_{i,j} = 0.3", "w_ij"),
    (r"w_{11-grad} = 3", "w_11_grad"),  # a name of the person's, labelled by a word
    (r"w_{5-new} = 0.4", "w5@1"),
])
def test_names(latex: str, name: str) -> None:
    assert target_of(latex) == name


@pytest.mark.parametrize("latex, plain", [
    (r"x = 0.15 \times 0.05 + 0.2 \cdot 0.1 + 0.35 * 1", "0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1"),
    (r"x = \sigma(net_{h1})", "sigma ( net_h1 )"),
    (r"x = sigmoid(net_{h1})", "sigmoid ( net_h1 )"),
    (r"x = \text{sigmoid}(net_{h1})", "sigmoid ( net_h1 )"),
    (r"x = out_{o1}(1 - out_{o1})", "out_o1 * ( 1 - out_o1 )"),
    (r"x = \frac{1}{1 + e^{-net_{h1}}}", "( ( 1 ) / ( 1 + exp ( - net_h1 ) ) )"),
    (r"x = \frac{1}{1 + e^(-net_{h1})}", "( ( 1 ) / ( 1 + exp ( - net_h1 ) ) )"),  # e^( as typed, closed later
    (r"x = \frac{dL}{d\hat{y}}", "d(L)/d(yhat)"),  # d, then a name written as a macro
    (r"x = \mathcal{L}_{CE}", "L_CE"),  # a loss in calligraphic letters
    (r"x = w^Tx + b", "w ^T x + b"),  # the transpose, then the next name: no exponent is spelled Tx
    (r"x = W_1X + \mathbf{-0.4256}", "W1 * X + - 0.4256"),  # a capital after a digit index starts a name; bold
    (r"x = \partial L / \partial a_{h_1}", "d(L)/d(a_h1)"),  # a derivative written with a spaced slash
    (r"x = \nabla_{W^{[2]}} \mathcal{L}", "d(L)/d(W_L2)"),  # the gradient of L by W (a subscript with a letter)
    (r"x = \bigtriangledown_{1} v_{11}", "nabla_v_11"),  # a step's count under \nabla is not read
    (r"x = \delta h + \eta x", "delta * h + eta * x"),  # a letter after a Greek macro starts a name
    (r"x = \nabla w_5 + \bigtriangledown v", "nabla_w_5 + nabla_v"),  # the gradient for w5, a name of its own
    (r"x = \delta_{o1}out_{h1}", "delta_o1 * out_h1"),  # a name ends at its subscript's brace
    (r"x = \exp(2)", "exp ( 2 )"),
    (r"x = \left( a \right) [b]", "( a ) * ( b )"),
    (r"x = 1{,}000", "1000"),
    (r"x = 1\,000\,000", "1000000"),
    (r"x = (a - b)^{2-1}", "( a - b ) ^ ( 1 )"),
    (r"x = out_{h1} w_5^{(1-1)}", "out_h1 * w5 ^ ( 0 )"),  # bracketed, still arithmetic: not an update count
    (r"x = 2 y", "2 * y"),
    (r"x = a \times \times b", "a * b"),  # a sign typed twice: one product
    (r"x = \biggl( a + b \biggr) \cdot c", "( a + b ) * c"),  # brackets sized by hand
    (r"x = \frac{1}{2}\|t - o\|^2", "( ( 1 ) / ( 2 ) ) * ( t - o ) ^ ( 2 )"),  # a squared norm of a number
    (r"x = \frac{1}{2}\Vert t - o\Vert^2", "( ( 1 ) / ( 2 ) ) * ( t - o ) ^ ( 2 )"),  # the same norm, \Vert
    (r"x = \vec{W^{[1]}} \cdot \vec{x} + \vec{b^{[1]}}", "W_L1 * x + b_L1"),  # a layer's vector under its arrow
    (r"x = 1 - \tanh^2(z_1) \cdot 2", "1 - ( tanh ( z1 ) ) ^ ( 2 ) * 2"),  # a function's power before its argument
    (r"x = 0.0720083333\ldots", "0.0720083333"),  # a number cut where it is written
    (r"x = 16 {+} 1", "16 + 1"),  # an operator set in braces for its spacing
    (r"x = |0.5 - 1|", "abs ( 0.5 - 1 )"),  # an absolute value's bars
    (r"x = \lvert t - o \rvert", "abs ( t - o )"),
    (r"x = a \equiv 2", "a = 2"),  # the same by definition
    (r"x = w_{\text{old}} - 1", "w - 1"),  # old: the value before the update
    (r"x = \mathbf{h}^{(1)^\top}", "h@1 ^ T"),  # a layer's label, then the transpose, in one superscript
    (r"x = W^{[2]T}", "W_L2 ^ T"),
])
def test_expressions(latex: str, plain: str) -> None:
    (chain,) = chains(latex)
    assert chain.text.split(" = ", 1)[1] == plain


def test_align_rows_continue_the_left_side() -> None:
    source = "\\begin{aligned}\nout_{h1} &= \\sigma(net_{h1}) \\\\\n&= 0.593269992\n\\end{aligned}"
    (chain,) = chains(source)
    assert chain.text == "out_h1 = sigma ( net_h1 ) = 0.593269992"
    assert source[chain.offsets[2]:].startswith("&= 0.59")


def test_rows_without_continuation_are_separate_chains() -> None:
    found = chains("\\begin{align} a &= 1 \\\\ b &= 2 \\end{align}")
    assert [c.text for c in found] == ["a = 1", "b = 2"]


def test_update_arrow_marks_the_new_value() -> None:
    (chain,) = chains(r"w_1 \leftarrow w_1 - \eta \frac{\partial E}{\partial w_1}")
    assert chain.update


@pytest.mark.parametrize("latex, reason", [
    (r"E = \sum x \cdot y", r"\sum"),  # \sum_j x_j: read with the network (test_spellings.py)
    (r"\input{/etc/passwd} = 1", r"\input"),
    (r"\write18{rm -rf /} = 1", r"\write"),
    (r"x = " + "{" * 300 + "1" + "}" * 300, "tokens"),
    (r"x = " + "{" * 1500 + "1" + "}" * 1500, "nested too deeply"),
    (r"x_{(0.01和0.99)} = 1", "subscript"),
    (r"w_{12,3} = 1", "subscript"),
    (r"x = \|t - o\| + \|o", "not closed"),  # |t - o| alone is |t - o| (test_steps.py); a bar left open is not
    (r"\sum \delta_1 \cdot 2 = 1", r"\sum without its bounds"),
    (r"x = a_1 + \dots + a_n", r"\dots"),  # dots in a sum, not after a number
    (r"x = \delta_{o1} w_5 \cdots i_1", r"\cdots"),  # after a name ending in a digit: factors left out
    (r"x = 0.1385 \cdot 0.40 \cdots 0.05 = 0.0028", r"\cdots"),  # after a number, more follows: no cut
])
def test_not_understood(latex: str, reason: str) -> None:
    with pytest.raises(NotUnderstood, match=reason.replace("\\", "\\\\")):
        chains(latex)


@pytest.mark.parametrize(("written", "read"), [
    (r"w^{[2]}_{11} = 0.2", "w_11_L2 = 0.2"),   # layer 2's entry (1, 1), not w11 after two updates
    (r"\mathbf{W}^{[2]} = 1", "W_L2 = 1"),
    (r"a^{[1]}_2 = 0.5", "a_2_L1 = 0.5"),
    (r"w_{1}^{(1)} = 2", "w1@1 = 2"),             # round brackets count updates, as the notes print them
])
def test_square_brackets_count_layers_and_round_brackets_updates(written: str, read: str) -> None:
    assert [c.text for c in chains(written)] == [read]


LAYERED_331 = """title = "3-3-1"
inputs = 3
loss = "half_sse"

[[layers]]
neurons = 3
activation = "relu"
weights = [[0.5, -0.2, 0.3], [-0.4, 0.6, -0.1], [0.1, -0.3, 0.7]]
bias = { mode = "per_neuron", trainable = true, values = [0.1, -0.1, 0.05] }

[[layers]]
neurons = 1
activation = "sigmoid"
weights = [[0.2, -0.3, 0.5]]
bias = { mode = "per_neuron", trainable = true, values = [0.1] }

[[samples]]
inputs = [1.0, 0.5, -1.0]
targets = [1]

[training]
learning_rate = 0.1
"""


def test_a_layer_s_matrix_entries_are_not_the_networks_numbered_weights(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The network's weights are w1 ... w12: a course's w^{[2]}_{11} is layer 2's first entry, never w11."""
    (tmp_path / "net.toml").write_text(LAYERED_331, encoding="utf-8")
    matrix = (r"\mathbf{W}^{[2]} = \begin{bmatrix} w^{[2]}_{11} & w^{[2]}_{12} & w^{[2]}_{13} \end{bmatrix}"
              r" = \begin{bmatrix} 0.2 & -0.3 & 0.5 \end{bmatrix}")
    (tmp_path / "hw.md").write_text(f"$$\n{matrix}\n$$\n", encoding="utf-8")
    code, out, _ = run(["check", str(tmp_path / "net.toml"), str(tmp_path / "hw.md")], capsys)
    assert code == 0 and "0 wrong" in out and out.count("link 2: correct") == 3


@pytest.mark.parametrize(("written", "read"), [
    (r"[o_1=0.01,o_2=0.99]", ["o1 = 0.01", "o2 = 0.99"]),   # givens listed in brackets
    (r"(x_1 = 0.05, x_2 = 0.1)", ["x1 = 0.05", "x2 = 0.1"]),
    (r"[w_1, w_2] = [0.15, 0.2]", ["ARRAY__0 = ARRAY__1"]),  # a bracket of names or numbers is still a vector
])
def test_a_bracket_of_equations_is_a_list_of_givens(written: str, read: list[str]) -> None:
    assert [c.text for c in chains(written)] == read


def test_bare_superscripts_label_only_the_letters_written_with_a_first_one() -> None:
    letters = labelled_letters(r"$w^1$, $a^{1}$, $e^1$, $(y)^1$, $\delta^1$, $x^{1.5}$, $net^1$")
    assert letters == {"w", "a", "\\delta"}  # e^1, a bracket's, a decimal and a word's exponents are powers
    (chain,) = chains(r"E = (t - a^2)^2 + x^2 + \delta^{2}_1", frozenset({"a", "\\delta"}))
    assert chain.text == "E = ( t - a_L2 ) ^ ( 2 ) + x ^ ( 2 ) + delta_1_L2"


@pytest.mark.parametrize("latex", [r"\boxed{w_5^{+} = 0.5}", r"w_5^{+} = \boxed{0.5}", r"\fbox{$w_5^{+} = 0.5$}"])
def test_a_framed_result_is_read_as_written(latex: str) -> None:
    assert claim_of(latex)[0] == "w5@1" and chains(latex)[0].text.endswith("= 0.5")


def test_a_note_in_brackets_beside_an_equation_is_no_part_of_it() -> None:
    assert [c.text for c in chains(r"\hat{y} = \sigma(z^{[2]}) \quad \text{(Prediction)}")] == ["yhat = sigma ( z_L2 )"]
    with pytest.raises(NotUnderstood):  # in the middle of the expression it is no note
        chains(r"x = \text{(a)} + 1")


def test_rows_of_an_align_read_alone_where_the_whole_cannot_be() -> None:
    """One row the walker cannot read (`h_{\\text{new},1}`) leaves the others, each with its own left side, read;
    a row carrying on from the one not read (`&\\approx ...`) is not: its first step is from that row."""
    source = (r"\begin{aligned} h_{\text{new},1} &= 0.45 \times (-3.933) \\ &\approx -1.771 + (-0.967) = -2.738 \\"
              r" z_2 &= 1 + 2 = 3 \end{aligned}")
    with pytest.raises(NotUnderstood):
        chains(source)
    found = row_chains(source)
    assert [c.text for c in found] == ["z2 = 1 + 2 = 3"]
    assert source[found[0].offsets[0]:].startswith("z_2")


def test_numbers_apart_by_spaces_in_brackets_are_a_row() -> None:
    """`[2  1] - 0.5 × [126  42]` typed as plain text: each bracket a row of numbers, never 2 x 1."""
    (chain,) = chains("W = [2  1] - 0.5 × [126  42] = [-61  -20]")
    assert chain.text == "W = ARRAY__0 - 0.5 * ARRAY__1 = ARRAY__2"
    assert [[[c.replace(" ", "") for c in row] for row in a] for a in chain.arrays] == [
        [["2", "1"]], [["126", "42"]], [["-61", "-20"]]]
