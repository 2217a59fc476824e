"""Documents of our own, in the notations people write (English and Chinese; Markdown, LaTeX and a
notebook), with a mistake of every catalogued kind injected: each is found and named.

The injected numbers come from the article's own values (README: dE_total/dw5 = 0.0821670406,
E_total = 0.298371109 ...) by hand arithmetic, or from the small float implementation below; the
formulas are written out by hand."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import mpmath
import nbformat
import pytest

from tests.helpers import run


def mazur_float(steps: int, stale: bool) -> float:
    """E_total of the classic network after `steps` updates, in plain floats, written independently of
    the engine; `stale`: the hidden deltas use the output weights already updated."""
    i, t = (0.05, 0.10), (0.01, 0.99)
    w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    b1, b2, eta = 0.35, 0.60, 0.5
    s = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731

    def forward(w):
        h = (s(w[0] * i[0] + w[1] * i[1] + b1), s(w[2] * i[0] + w[3] * i[1] + b1))
        o = (s(w[4] * h[0] + w[5] * h[1] + b2), s(w[6] * h[0] + w[7] * h[1] + b2))
        return h, o

    for _ in range(steps):
        h, o = forward(w)
        d = [(o[k] - t[k]) * o[k] * (1 - o[k]) for k in range(2)]
        new_out = [w[4] - eta * d[0] * h[0], w[5] - eta * d[0] * h[1], w[6] - eta * d[1] * h[0], w[7] - eta * d[1] * h[1]]
        v = new_out if stale else w[4:]
        e = [(d[0] * v[0] + d[1] * v[2]) * h[0] * (1 - h[0]), (d[0] * v[1] + d[1] * v[3]) * h[1] * (1 - h[1])]
        w = [w[0] - eta * e[0] * i[0], w[1] - eta * e[0] * i[1], w[2] - eta * e[1] * i[0], w[3] - eta * e[1] * i[1]] + new_out
    h, o = forward(w)
    return sum(0.5 * (t[k] - o[k]) ** 2 for k in range(2))


GRAD = r"(out_{o1} - target_{o1})\, out_{o1}(1 - out_{o1})"
HIDDEN = (r"\left[(out_{o1} - target_{o1}) out_{o1}(1 - out_{o1}) w_{%s} + (out_{o2} - target_{o2}) "
          r"out_{o2}(1 - out_{o2}) w_{%s}\right] out_{h1}(1 - out_{h1})\, i_{%s}")

# (the catalogued name the output must give, the claim as written)
MISTAKES = [
    ("missing activation derivative", r"\frac{\partial E_{total}}{\partial w_5} = (out_{o1} - target_{o1}) \cdot out_{h1}"),
    ("derivative at net", r"\dfrac{\partial E_{\text{total}}}{\partial w_{5}} = (\mathrm{out}_{o_1} - \text{target}_{o_1})"
                          r"\,\mathrm{net}_{o_1}(1 - \mathrm{net}_{o_1})\,\mathrm{out}_{h_1}"),
    ("net instead of out", r"\partial E_{total}/\partial w_5 = " + GRAD + r"\, net_{h1}"),
    ("path through o2 left out", r"\frac{\partial E_{total}}{\partial w_1} = " + GRAD + r" w_5\, out_{h1}(1 - out_{h1})\, i_1"),
    ("weight paired with the wrong input", r"\frac{\partial E_{total}}{\partial w_1} = " + HIDDEN % ("5", "7", "2")),
    ("weights transposed", r"\frac{\partial E_{total}}{\partial w_1} = " + HIDDEN % ("5", "6", "1")),
    ("sign of the gradient", r"\frac{\partial E_{total}}{\partial w_5} = (target_{o1} - out_{o1}) out_{o1}(1 - out_{o1}) out_{h1}"),
    ("factor 2 added", r"\frac{\partial E_{total}}{\partial w_5} = 2" + GRAD + r" out_{h1}"),
    ("learning rate left out", r"w_5^{+} = w_5 - \frac{\partial E_{total}}{\partial w_5}"),
    ("learning rate twice", r"w_5' = 0.4 - 0.25 \times 0.0821670406 = 0.37945824"),
    ("sign of the update", r"w5_{new} = 0.44108352"),
    ("frozen biases updated", r"b_1^{(1)} = b_1 - \eta \frac{\partial E_{total}}{\partial b_1}"),
    ("stale weights", r"E_{total}^{(1)} = 0.291027924"),
    ("stale weights", r"E_{total}^{(5)} = " + f"{mazur_float(5, stale=True):.9g}"),
    ("one update off", r"E_{total}^{(10000)} = 0.0000351085"),
    ("one digit wrong", r"w_4 = 0.29950299"),
    ("two digits swapped", r"out_{h1} = 0.593269929"),
]
RIGHT = [r"\text{net}_{h1} = 0.15 \times 0.05 + 0.2 \times 0.1 + 0.35 = 0.3775",
         r"out_{h1} = \sigma(net_{h1}) = \frac{1}{1 + e^{-0.3775}} = 0.593269992",
         r"E_{total} = E_{o1} + E_{o2} = 0.274811083 + 0.023560026 = 0.298371109",
         r"\frac{\partial E_{total}}{\partial w_5} = 0.74136507 \times 0.186815602 \times 0.593269992 = 0.082167041",
         r"w_5^{+} = w_5 - \eta \frac{\partial E_{total}}{\partial w_5} = 0.4 - 0.5 \times 0.082167041 = 0.35891648"]
PROSE = {"en": ("Homework: one update of the 2-2-2 network", "Forward pass and gradients",
                "Updating the weights", "We compute"),
         "zh": ("作业：2-2-2 网络的一次更新", "前向传播与梯度", "更新权重", "计算得到")}


def markdown(lang: str) -> str:
    title, first, update, say = PROSE[lang]
    lines = [f"# {title}", "", f"## {first}", ""]
    lines += [f"$$\n{claim}\n$$\n" for claim in RIGHT]
    lines += [f"## {update}", "", "```python", "w5 = w5 - eta * grad  # $w_5 = 1$ is code, not a claim", "```", ""]
    lines += [f"{say} ${claim}$.\n" if k % 2 else f"\\[ {claim} \\]\n" for k, (_, claim) in enumerate(MISTAKES)]
    return "\n".join(lines)


def latex(lang: str) -> str:
    title, first, update, say = PROSE[lang]
    body = [f"\\section{{{first}}}", "\\begin{align}"]
    body += [" \\\\\n".join(c.replace(" = ", " &= ", 1) for c in RIGHT[:2]), "\\end{align}"]
    body += [f"\\[ {c} \\]" for c in RIGHT[2:]]
    body += [f"\\section{{{update}}}", "% $w_5 = 7$ in a comment is not a claim"]
    body += [f"{say} \\({claim}\\)." if k % 2 else f"\\begin{{equation}}\n{claim}\n\\end{{equation}}"
             for k, (_, claim) in enumerate(MISTAKES)]
    return ("\\documentclass{article}\n\\usepackage{amsmath}\n\\title{" + title + "}\n\\begin{document}\n"
            + "\n\n".join(body) + "\n\\end{document}\n")


def notebook(lang: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown(lang).split(f"## {PROSE[lang][2]}")[0]),
                nbformat.v4.new_code_cell("print('never run')")]
    nb.cells += [nbformat.v4.new_markdown_cell(f"## {PROSE[lang][2]}\n\n$${claim}$$") for _, claim in MISTAKES]
    return nbformat.writes(nb)


WRITERS = {"md": markdown, "tex": latex, "ipynb": notebook}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_injected_mistake_is_found_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   kind: str, lang: str) -> None:
    path = tmp_path / f"homework.{kind}"
    path.write_text(WRITERS[kind](lang), encoding="utf-8")
    code, out, err = run(["check", "mazur", str(path), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1 and err == ""
    def verdicts(claim: str) -> list[dict]:
        """The verdicts of the span that holds `claim` (an align row's `&` aside)."""
        return [c for c in report["claims"] if _plain(claim) in _plain(c["span"]["source"].replace("&", ""))]

    for claim in RIGHT:
        assert verdicts(claim) and all(c["verdict"] == "correct" for c in verdicts(claim)), claim
    for name, claim in MISTAKES:
        wrong = [c for c in verdicts(claim) if c["verdict"] == "wrong"]
        assert wrong, claim
        named = [e.split(":", 1)[0] for c in wrong for e in c["explanations"]]
        assert name in named, (claim, named)
    assert report["summary"]["spans_not_understood"] == 0
    assert report["summary"]["spans_judged"] == len(RIGHT) + len(MISTAKES) - (kind == "tex")  # one align: 2 rows


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_given_values_are_exact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 0.5 x 0.0821670406 = 0.0410835203; the 0.4 written for w5 is w5 itself, not 0.4 +- 0.05
    path = tmp_path / "update.md"
    path.write_text("$w_5^{+} = 0.4 - 0.0410825203$ and $w_5^{+} = 0.4 - 0.0410835203$\n", encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
    assert code == 1 and [c["verdict"] for c in json.loads(out)["claims"]] == ["wrong", "correct"]


def test_a_formula_with_a_target_written_as_its_number_holds_in_general(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "targets.md"
    path.write_text("$$E_{total} = \\frac{1}{2} [(0.01 - out_{o1})^2 + (0.99 - out_{o2})^2]$$\n", encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
    (claim,) = json.loads(out)["claims"]
    assert code == 0 and claim["verdict"] == "correct" and "random points" in claim["reason"]


def test_the_textbooks_letters_on_the_textbook_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # g_1 = yhat_1 (1 - yhat_1)(y_1 - yhat_1) = -dE/dtheta_1 ... as the textbook defines it; dE/dw_11 = -g_1 b_1
    path = tmp_path / "textbook.md"
    path.write_text("Let $g_1 = \\hat{y}_1 (1 - \\hat{y}_1)(y_1 - \\hat{y}_1)$, then\n\n"
                    "$$\\frac{\\partial E_{total}}{\\partial w_{11}} = -g_1 b_1$$\n\n"
                    "$$\\frac{\\partial E_{total}}{\\partial \\theta_1} = -g_1$$\n", encoding="utf-8")
    code, out, _ = run(["check", "textbook", str(path), "--format", "json"], capsys)
    report = json.loads(out)
    # g_1 is read by its formula as the quantity it equals (the textbook's g_j is -dE/dbeta_j = dE/dtheta_j)
    assert code == 1 and [c["verdict"] for c in report["claims"]] == ["correct", "correct", "wrong"]
    assert {n["written"]: n["quantity"] for n in report["names"]["names"]}["g1"] == "d:E_total/theta1"
    assert report["summary"]["spans_judged"] == 3
    assert any(e.startswith("sign of the gradient") for e in report["claims"][2]["explanations"])


def test_the_update_step_and_the_derivative_operator_as_the_notes_print_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Maths the document reader's own walker does not map is read as the notes print it: the textbook's
    step Delta w_hj (= -eta dE/dw_hj, the gradient by the oracle's finite differences) and the narrated
    derivative operator; a wrong version of each is wrong."""
    from derive.model import spec as specs
    from tests.helpers import finite_difference, param_values

    textbook = specs.load_preset("textbook")
    eta = mpmath.mpf(str(textbook.training.learning_rate))
    step = -eta * finite_difference(textbook, 0, "w11", param_values(textbook))
    shown = mpmath.nstr(step, 9, strip_zeros=False)
    wrong = mpmath.nstr(-step, 9, strip_zeros=False)
    path = tmp_path / "steps.md"
    said = "Each weight is updated as w + Δw.\n\n"  # as the notes add it: without this, the sign is not judged
    path.write_text(f"{said}$$\\Delta w_{{11}} = {shown}$$\n\n$$\\Delta w_{{11}} = {wrong}$$\n", encoding="utf-8")
    code, out, _ = run(["check", "textbook", str(path), "--format", "json"], capsys)
    assert code == 1 and [c["verdict"] for c in json.loads(out)["claims"]] == ["correct", "wrong"]
    path.write_text(f"$$\\Delta w_{{11}} = {shown}$$\n\n$$\\Delta w_{{11}} = {wrong}$$\n", encoding="utf-8")
    code, out, _ = run(["check", "textbook", str(path), "--format", "json"], capsys)
    assert [c["verdict"] for c in json.loads(out)["claims"]] == ["correct", "cannot check"]

    operator = ("$$\\frac{\\partial}{\\partial \\mathrm{out}_{o1}} \\left(\\frac{1}{2} "
                "\\left(\\mathrm{target}_{o1} - \\mathrm{out}_{o1}\\right)^{2}\\right) = "
                "\\mathrm{out}_{o1} - \\mathrm{target}_{o1}$$\n\n"
                "$$\\frac{\\partial}{\\partial \\mathrm{out}_{o1}} \\left(\\frac{1}{2} "
                "\\left(\\mathrm{target}_{o1} - \\mathrm{out}_{o1}\\right)^{2}\\right) = "
                "\\mathrm{target}_{o1} - \\mathrm{out}_{o1}$$\n")
    path = tmp_path / "operator.md"
    path.write_text(operator, encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
    verdicts = [c["verdict"] for c in json.loads(out)["claims"]]
    assert code == 1 and verdicts == ["correct", "wrong"], verdicts


def test_a_course_writing_layers_as_w_a_z_with_superscript_brackets(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """W^{[l]}_{jk}, a^{[l]}_j, z^{[l]}_j (the matrix notation's entries) read without aliases on mazur;
    z_h1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 and a = sigmoid(z), computed here."""
    z = 0.15 * 0.05 + 0.2 * 0.1 + 0.35
    a = 1 / (1 + math.exp(-z))
    path = tmp_path / "layers.md"
    path.write_text(f"$$W^{{[2]}}_{{11}} = 0.4$$\n\n$$a^{{[1]}}_{{1}} = {a:.9f}$$\n\n$$z^{{[1]}}_{{1}} = {z:.4f}$$\n\n"
                    f"$$a^{{[1]}}_{{1}} = {a + 0.01:.9f}$$\n", encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
    assert code == 1 and [c["verdict"] for c in json.loads(out)["claims"]] == ["correct"] * 3 + ["wrong"]


def test_a_display_inside_a_quote_is_read_at_its_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A summary box or a quoted step (`> $$ ... > $$`): the quote markers are no part of the maths."""
    from tests.oracle import Net, forward, mp

    mazur = Net([2, 2, 2], ["sigmoid", "sigmoid"], [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
                [[0.35, 0.35], [0.6, 0.6]], "half_sse")
    out_o1 = forward(mazur, [0.05, 0.1])[-1][0]
    right = mp.nstr(out_o1, 8)
    text = ("# Homework\n\n> The output, in a box:\n> $$\n> \\begin{aligned}\n"
            f"> out_{{o1}} &= {right} \\\\\n> out_{{o2}} &= 0.6 \n> \\end{{aligned}}\n> $$\n")
    path = tmp_path / "hw.md"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path), "--annotate", str(tmp_path / "marked.md")], capsys)
    assert code == 1 and "0 not understood" in out
    assert re.search(rf"line \d+: correct: .*truth {right}", out) and re.search(r"line 7: wrong", out)
    assert (tmp_path / "marked.md").read_text(encoding="utf-8").startswith(text.rstrip("\n"))


def test_a_quote_that_opens_with_its_display_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`> $$` on the quote's first line (no prose before it in the quote): the display is read at its line."""
    from tests.oracle import Net, forward, mp

    mazur = Net([2, 2, 2], ["sigmoid", "sigmoid"], [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
                [[0.35, 0.35], [0.6, 0.6]], "half_sse")
    out_o1 = forward(mazur, [0.05, 0.1])[-1][0]
    right = mp.nstr(out_o1, 4)
    path = tmp_path / "quoted.md"
    path.write_text(f"# Homework\n\n> $$\n> out_{{o1}} = {right}\n> $$\n\nThe end.\n", encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(path)], capsys)
    found = re.search(r"line 4: correct: .*\(truth ([0-9.]+)\)", out)
    assert code == 0 and found and abs(mp.mpf(found.group(1)) - out_o1) < 1e-8, out
