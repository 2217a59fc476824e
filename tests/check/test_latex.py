"""LaTeX claims: whatever a walkthrough prints, in any notation, the checker reads back and judges."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from derive.check import checker, claims, latex
from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec

PRESETS = ("mazur", "gender", "xor3", "textbook")
NOTATIONS = ("classic", "textbook", "matrix")
# What a display equation of the matrix notation states about a whole layer's vectors and matrices at
# once: the checker reads the entries, printed beside them, and refuses these with the reason. The rules
# stated for every index (delta_o, w_oh, sum_o, the textbook's Delta v_ih) are read as each instance.
# The narration's steps apply the derivative operator to an expression (d/d out of 1/2 (t - out)^2): a
# rule of differentiation, not a quantity; refused with the reason.
OPERATOR = re.compile(r"\\frac\{\\partial\}\{\\partial")
WHOLE = re.compile(r"\\odot|\\mathbf|pmatrix|\^\{T\}|\\delta\^\{\[\d\]\}(?!_)|W\^\{\[\d\]\}(?!_)")


@pytest.fixture(scope="module")
def derivations() -> dict[str, derivation.Derivation]:
    return {p: derivation.build(network.build(spec.load_preset(p)), history_steps=(1,)) for p in PRESETS}


def claims_of(markdown: str) -> list[str]:
    """Every display equation of a walkthrough as one claims line (aligned rows joined), and a `[sK]` line
    at each heading of a sample's section (`[]` at every other section)."""
    lines = []
    for match in re.finditer(r"^(## [^\n]*)$|^[ \t]*\$\$\n(.*?)\n[ \t]*\$\$", markdown, re.S | re.M):
        if match.group(1):
            sample = re.match(r"## (?:Sample|样本) (\w+)", match.group(1))
            lines.append(f"[{sample.group(1)}]" if sample else "[]")
        elif r"\frac{\partial}{\partial" not in match.group(2):  # a narrated step: d/dx as an operator
            lines.append(" ".join(match.group(2).split()))
    return lines


@pytest.mark.parametrize("profile", NOTATIONS)
@pytest.mark.parametrize("preset", PRESETS)
def test_every_display_equation_of_every_walkthrough_is_read_back(
        preset: str, profile: str, derivations: dict[str, derivation.Derivation], tmp_path: Path) -> None:
    lang = "zh" if preset == "xor3" else "en"
    assert main(["render", preset, "--format", "md", "--notation", profile, "--lang", lang, "--out", str(tmp_path)]) == 0
    lines = claims_of((tmp_path / "walkthrough.md").read_text(encoding="utf-8"))
    report = checker.check_text(derivations[preset], "\n".join(lines), notation=profile)
    judged: dict[int, list[str]] = {}
    for v in report.verdicts:
        judged.setdefault(v.line, []).append(v.status)
    refused = dict(report.refused)
    equations = [n for n, line in enumerate(lines, start=1) if not line.startswith("[")]
    whole = [n for n in equations if WHOLE.search(lines[n - 1]) or OPERATOR.search(lines[n - 1])]
    for n in equations:
        if n in whole:
            assert n in refused and re.search(r"whole layer|matrix or a vector|derivative operator", refused[n]), \
                lines[n - 1]
        else:
            assert n not in refused, (lines[n - 1], refused.get(n))
            assert set(judged[n]) <= {"correct", "defined"}, (lines[n - 1], judged[n])
    assert len(equations) - len(whole) > 25
    assert all(OPERATOR.search(lines[n - 1]) for n in whole) or profile == "matrix"


def test_greek_parameters_as_the_textbook_walkthrough_prints_them(derivations: dict[str, derivation.Derivation]) -> None:
    text = "\n".join([r"\frac{\partial E_{\mathrm{total}}}{\partial \gamma_{1}} = -0.00757027356",
                      r"\gamma_{1}^{+} = 0.100757027",
                      r"\frac{\partial E_{\mathrm{total}}}{\partial \gamma_{1}} = -0.0075702746"])
    report = checker.check_text(derivations["textbook"], text)
    assert [v.status for v in report.verdicts] == ["correct", "correct", "wrong"]


def test_the_notations_glyphs_name_the_networks_quantities(derivations: dict[str, derivation.Derivation]) -> None:
    mazur = derivations["mazur"].network
    matrix = latex.glyph_names(mazur, "matrix")
    textbook = latex.glyph_names(mazur, "textbook")
    assert claims.tokenize(r"{W^{[2]}_{12}}^{+} = a^{[1]}_{2} \cdot z^{[2]}_{1}", matrix) == [
        ("name", "w6@1"), ("op", "="), ("name", "out_h2"), ("op", "*"), ("name", "net_o1")]
    assert claims.tokenize(r"\frac{\partial E}{\partial \hat{y}_{2}} = g_{1} b_{2}", textbook) == [
        ("name", "d:E_total/out_o2"), ("op", "="), ("op", "("), ("op", "-"), ("name", "delta_o1"), ("op", ")"),
        ("op", "*"), ("name", "out_h2")]
    # a sign in the left side's glyph (g_j = -dE/d beta_j) moves to every link
    read, plain = claims.parse_line(r"g_{1} = 0.5 = x", 1, textbook), claims.parse_line("delta_o1 = -(0.5) = -(x)", 1)
    assert read is not None and plain is not None and (read.target, read.links) == (plain.target, plain.links)


@pytest.mark.parametrize("text, expected", [
    (r"\mathrm{out}_{h1} = 5.93269992 \times 10^{-1}", "out_h1 = 5.93269992e-1"),
    (r"x = \frac{1}{1 + e^{-0.3775}}", "x = ((1) / (1 + exp( - 0.3775)))"),
    (r"\Delta w_{5} = -0.0410835", "w5@1 = w5 + (- 0.0410835)"),
    (r"w_{5}^{+} = w_{5} - \eta \sum_{s} \delta_{o1} \mathrm{out}_{h1}", "w5@1 = w5 - eta * sum_s(delta_o1 * out_h1)"),
    (r"y = \operatorname{relu}\left(\mathrm{net}_{h1}\right)^{2}", "y = relu(net_h1)^(2)"),
])
def test_latex_read_as_plain_claims(text: str, expected: str) -> None:
    assert latex.to_plain(text) == expected


@pytest.mark.parametrize("text", [r"x = \input{/etc/passwd}", r"x = \begin{verbatim} 1", r"x = f'(1)",
                                  r"\frac{\partial}{\partial w_{5}} x = 1", "x = {" * 50 + "1" + "}" * 50])
def test_latex_that_is_not_a_claim_is_refused(text: str) -> None:
    with pytest.raises(claims.ClaimError):
        claims.parse_line(text, 1)


def test_the_notation_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.claims"
    path.write_text(r"\frac{\partial E}{\partial v_{11}} = 0.00454216413" + "\n", encoding="utf-8")
    assert main(["check", "textbook", str(path), "--notation", "textbook"]) == 0
    assert "1 correct, 0 wrong, 0 cannot check" in capsys.readouterr().out


def test_a_rule_for_every_index_is_read_as_each_of_its_instances(derivations: dict[str, derivation.Derivation]) -> None:
    d = derivations["mazur"]
    names = latex.glyph_names(d.network, "classic")
    rule = r"\delta_{h} = \mathrm{out}_{h} \left(1 - \mathrm{out}_{h}\right) \sum_{o} \delta_{o} w_{oh}"
    assert latex.instances(rule, names) == [
        "delta_h1 = out_h1 * (1 - out_h1) * (delta_o1 * w5 + delta_o2 * w7)",
        "delta_h2 = out_h2 * (1 - out_h2) * (delta_o1 * w6 + delta_o2 * w8)"]
    # a wrong rule (the weight's indices swapped) is wrong for an instance
    swapped = rule.replace("w_{oh}", "w_{ho}")
    report = checker.check_text(d, "\n".join([rule, r"\frac{\partial E_{\mathrm{total}}}{\partial w_{oh}} = \delta_{o} "
                                              r"\mathrm{out}_{h}"]))
    assert [v.status for v in report.verdicts] == ["correct"] * 6
    with pytest.raises(claims.ClaimError):
        claims.parse_instances(swapped, 1, names)
    textbook = derivations["textbook"]
    step = r"\Delta v_{ih} = \eta e_{h} x_{i}"
    report = checker.check_text(textbook, step, notation="textbook")
    assert [v.status for v in report.verdicts] == ["correct"] * 6
    report = checker.check_text(textbook, step.replace("x_{i}", "x_{1}"), notation="textbook")
    assert "wrong" in [v.status for v in report.verdicts]


@pytest.mark.parametrize("text", [
    "x = " + r"\sum_{o} " * 12 + r"\delta_{o}",
    r"x = \sum_{o} \sum_{o} \delta_{o}",
    "x = " + r"\Delta " * 200 + "w_5",
    "x = " + r"\sum_{s} " * 150 + "w_5",
    r"\frac{\partial E}{\partial w_{oh}} = " + " + ".join([r"\sum_{h} \sum_{o} \delta_{o} w_{oh}"] * 30),
])
def test_hostile_latex_is_read_or_refused_quickly(text: str, derivations: dict[str, derivation.Derivation]) -> None:
    names = latex.glyph_names(derivations["mazur"].network, "classic")
    start = time.perf_counter()
    try:
        claims.parse_instances(text, 1, names)
    except claims.ClaimError:
        pass
    assert time.perf_counter() - start < 2


def test_a_bracket_broken_over_two_lines_is_read_as_one() -> None:
    text = r"\begin{aligned} x &= \left(a + b \right. \\ &\quad \left. + c\right) d \end{aligned}"
    assert latex.to_plain(text) == "x = (a + b + c) * d"
