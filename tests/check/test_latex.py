"""LaTeX claims: whatever a walkthrough prints, in any notation, the checker reads back and judges."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from derive.check import checker, claims, instances, latex
from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec
from tests.helpers import finite_difference, param_values
from tests.oracle import mp

PRESETS = ("mazur", "gender", "xor3", "textbook", "mazuradam")
NOTATIONS = ("classic", "textbook", "matrix")
# Every display of the matrix notation's vectorised pass (`\delta^{[2]} = ...`, `\odot`, pmatrix, `^{T}`) is
# read entry by entry. The rules stated for every index (delta_o, w_oh, sum_o, the textbook's Delta v_ih)
# are read as each instance, the optimizer's rules for every update t and parameter p at t = 1, 2, 3 and
# each parameter. The narration's steps that apply the derivative operator to an expression (d/d out of
# 1/2 (t - out)^2) are read as the derivative of that expression, and judged like the others.
# The displays no claim can state, each with why; the test requires exactly these to be refused.
ALLOWED = {
    # Adam's bias correction: the weights of the average sum to 1 - beta1^t, an identity in beta1 and t
    # with no quantity of the network on its left (a claim's left side is one quantity).
    r"\sum_{k=1}^{t} \beta_{1}^{t - k} \left(1 - \beta_{1}\right) = 1 - \beta_{1}^{t}": "the left side must be one name",
}
# Displays the checker reads but cannot judge, each with why: the update of plain gradient descent and the
# batch's gradient for a generic parameter p, no quantity of the network (every parameter's own follows in
# numbers, and is judged there).
UNJUDGED = (r"p^{+} = p - \eta \frac{\partial E", r"\frac{\partial E_{\mathrm{batch}}}{\partial p} = ")


@pytest.fixture(scope="module")
def derivations() -> dict[str, derivation.Derivation]:
    return {p: derivation.build(network.build(spec.load_preset(p)), history_steps=(1,)) for p in PRESETS}


def claims_of(markdown: str) -> list[str]:
    """Every display equation of a walkthrough as one claims line (aligned rows joined), and a `[sK]` line
    at each heading of a sample's section and where the vectorised pass is shown in one sample's numbers
    (`[]` at every other section)."""
    lines = []
    for match in re.finditer(r"^(## [^\n]*|[^\n]*(?:numbers of sample|代入样本) \w+[^\n]*)$|^[ \t]*\$\$\n(.*?)\n[ \t]*\$\$",
                             markdown, re.S | re.M):
        if match.group(1):  # a sample's section, or the vectorised pass in the numbers of one sample
            sample = re.match(r"## (?:Sample|样本) (\w+)|.*(?:numbers of sample|代入样本) (\w+)", match.group(1))
            lines.append(f"[{sample.group(1) or sample.group(2)}]" if sample else "[]")
        else:
            lines.append(" ".join(match.group(2).split()))
    return lines


def read_back(d: derivation.Derivation, markdown: str, profile: str) -> tuple[int, list[tuple[str, object]]]:
    """(displays read, every display refused or not judged correct that ALLOWED does not list)."""
    lines = claims_of(markdown)
    report = checker.check_text(d, "\n".join(lines), notation=profile)
    judged: dict[int, list[str]] = {}
    for v in report.verdicts:
        judged.setdefault(v.line, []).append(v.status)
    refused = dict(report.refused)
    equations = [n for n, line in enumerate(lines, start=1) if not line.startswith("[")]
    found: list[tuple[str, object]] = []
    for n in equations:
        allowed = ALLOWED.get(lines[n - 1])
        if n in refused and not (allowed and allowed in refused[n]):
            found.append((lines[n - 1], refused[n]))
        elif lines[n - 1].startswith(UNJUDGED) and set(judged.get(n, [])) == {"cannot check"}:
            continue
        elif n not in refused and (allowed or not set(judged.get(n, ["nothing judged"])) <= {"correct", "defined"}):
            found.append((lines[n - 1], judged.get(n, "nothing judged")))  # an exception that no longer holds
    assert (profile == "matrix") == any(v.entry for v in report.verdicts)  # the vectorised pass, entry by entry
    return len(equations), found


@pytest.mark.parametrize("profile", NOTATIONS)
@pytest.mark.parametrize("preset", PRESETS)
def test_every_display_equation_of_every_walkthrough_is_read_back(
        preset: str, profile: str, derivations: dict[str, derivation.Derivation], tmp_path: Path) -> None:
    lang = "zh" if preset in ("xor3", "mazuradam") else "en"
    assert main(["render", preset, "--format", "md", "--notation", profile, "--lang", lang, "--out", str(tmp_path)]) == 0
    count, found = read_back(derivations[preset], (tmp_path / "walkthrough.md").read_text(encoding="utf-8"), profile)
    assert found == []
    assert count > 25


@pytest.mark.parametrize("preset, profile", [("mazuradam", "textbook"), ("textbook", "matrix"), ("gender", "classic")])
def test_every_display_of_the_full_walkthrough_is_read_back(
        preset: str, profile: str, derivations: dict[str, derivation.Derivation], tmp_path: Path) -> None:
    """--full works out every parameter (and every optimizer step) in full: each of those displays too."""
    assert main(["render", preset, "--format", "md", "--notation", profile, "--full", "--out", str(tmp_path)]) == 0
    count, found = read_back(derivations[preset], (tmp_path / "walkthrough.md").read_text(encoding="utf-8"), profile)
    assert found == []
    assert count > 100


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
    (r"y = \max\left(0, \mathrm{net}_{h1}\right)", "y = relu(net_h1)"),
    (r"y = H\left(\mathrm{net}_{h1}\right)", "y = step(net_h1)"),
    (r"y = 1 - \tanh^{2}{\left(\mathrm{net}_{h1} \right)}", "y = 1 - tanh((net_h1))^(2)"),
    (r"\boxed{\mathrm{out}_{h1} = \frac{1}{2}}", "out_h1 = ((1) / (2))"),  # a result framed, read as written
    (r"\mathrm{out}_{h1} = \fbox{0.5} + \boxed{\frac{1}{\boxed{2}}}", "out_h1 = 0.5 + ((1) / (2))"),
])
def test_latex_read_as_plain_claims(text: str, expected: str) -> None:
    assert latex.to_plain(text) == expected


@pytest.mark.parametrize("text", [r"x = \input{/etc/passwd}", r"x = \begin{verbatim} 1", r"x = f'(1)",
                                  r"\frac{\partial}{\partial} x = 1", "x = {" * 50 + "1" + "}" * 50])
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
    assert instances.instances(rule, names) == [
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
    r"\delta^{[2]} = " + r"W^{[2]} " * 230 + r"\delta^{[2]}",  # each product doubles the entries' length
    r"\delta^{[2]} = " + r"\left(" * 45 + r"\delta^{[2]}" + r"\right)" * 45,
    r"\delta^{[2]} = " + " + ".join([r"\left(W^{[2]}\right)^{T} W^{[2]} \delta^{[2]}"] * 30),
    r"\delta^{[2]} = \begin{pmatrix} " + r" \\ ".join(["1"] * 380) + r" \end{pmatrix}",
])
def test_hostile_latex_is_read_or_refused_quickly(text: str, derivations: dict[str, derivation.Derivation]) -> None:
    names = latex.glyph_names(derivations["mazur"].network, "matrix" if "[2]" in text else "classic")
    start = time.perf_counter()
    try:
        claims.parse_instances(text, 1, names)
    except claims.ClaimError:
        pass
    assert time.perf_counter() - start < 2


# The sum rule assembled, as the classic walkthrough prints it: the operator d/d out_o1 applied to E_total
# written out, its bracket split across the aligned rows with \right. and \left.
OPERATOR_CHAIN = (r"\begin{aligned} & \frac{\partial}{\partial \mathrm{out}_{o1}} \left(\frac{1}{2} "
                  r"\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)^{2} \right. \\ &\qquad \left. + \frac{1}{2} "
                  r"\left(\mathrm{target}_{o2} - \mathrm{out}_{o2}\right)^{2}\right) \\ &\quad = \frac{1}{2} \cdot 2 "
                  r"\cdot \left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right) \cdot (-1) \\ &\quad = "
                  r"\mathrm{out}_{o1} - \mathrm{target}_{o1} \end{aligned}")


def _statuses(d: derivation.Derivation, text: str, notation: str = "classic") -> list[tuple[int, str]]:
    report = checker.check_text(d, text, notation=notation)
    assert report.refused == (), report.refused
    return [(v.link, v.status) for v in report.verdicts]


def test_a_derivative_operator_applied_to_an_expression_is_the_derivative_of_it(
        derivations: dict[str, derivation.Derivation]) -> None:
    mazur = derivations["mazur"]
    assert _statuses(mazur, OPERATOR_CHAIN) == [(2, "correct"), (3, "correct")]
    # a wrong step is wrong, the steps after it are judged on their own against the operator's side
    assert _statuses(mazur, OPERATOR_CHAIN.replace("(-1)", "(+1)")) == [(2, "wrong"), (3, "correct")]
    swapped = OPERATOR_CHAIN.replace(r"= \mathrm{out}_{o1} - \mathrm{target}_{o1}", r"= \mathrm{target}_{o1} - \mathrm{out}_{o1}")
    assert _statuses(mazur, swapped) == [(2, "correct"), (3, "wrong")]
    # right at the spec's values only (target_o1 is 0.01 there): wrong at random points
    assert _statuses(mazur, r"\frac{\partial}{\partial \mathrm{out}_{o1}} \left(\mathrm{out}_{o1}^{2}\right) = "
                            r"2 \cdot \mathrm{out}_{o1} + 100 \cdot \mathrm{target}_{o1} - 1") == [(2, "wrong")]


def test_the_operator_in_each_way_it_is_written(derivations: dict[str, derivation.Derivation]) -> None:
    mazur = derivations["mazur"]
    names = latex.glyph_names(mazur.network, "classic")
    # d/dX of X^3 is 3 X^2, whatever X is: an independent rule, not the code's own output
    assert latex.to_plain(r"\frac{d}{dx} x^{3} = 3 x^{2}") == "d/d(x)(x^(3)) = 3 * x^(2)"
    assert claims.tokenize(r"\frac{d}{d \mathrm{out}_{h1}} \mathrm{out}_{h1}^{3} = 1", names)[:4] == [
        ("operator", "out_h1"), ("op", "("), ("name", "out_h1"), ("op", "^")]
    assert _statuses(mazur, r"\frac{d}{d \mathrm{out}_{h1}} \mathrm{out}_{h1}^{3} = 3 \mathrm{out}_{h1}^{2}") == [(2, "correct")]
    assert _statuses(mazur, r"\frac{d}{d \mathrm{out}_{h1}} \mathrm{out}_{h1}^{3} = 3 \mathrm{out}_{h1}") == [(2, "wrong")]
    # the plain grammar's own spelling, and an own name differentiated through its definition
    assert _statuses(mazur, "d/d(w5)(w5 * out_h1) = out_h1") == [(2, "correct")]
    assert _statuses(mazur, "R = w5 * w5\nd/d(w5)(R) = 2 * w5\nd/d(w5)(R) = w5") == [
        (1, "defined"), (2, "correct"), (2, "wrong")]
    # the hat notation of the textbook: \hat{y}_1 is out_o1
    tb = r"\frac{\partial}{\partial \hat{y}_{1}} \left(\frac{1}{2} \left(y_{1} - \hat{y}_{1}\right)^{2}\right) = \hat{y}_{1} - y_{1}"
    assert _statuses(mazur, tb, "textbook") == [(2, "correct")]


def test_an_operator_applied_to_nothing_or_to_no_quantity_is_refused(derivations: dict[str, derivation.Derivation]) -> None:
    mazur = derivations["mazur"]
    for text in (r"\frac{\partial}{\partial \mathrm{out}_{o1}} = 1", r"\frac{\partial}{\partial (a + b)} a = 1",
                 r"3 \cdot \mathrm{out}_{o1} = 1"):
        report = checker.check_text(mazur, text)
        assert report.verdicts == () and len(report.refused) == 1, text


# The textbook's general rule for the output layer, in index form: g_j is the sign-flipped delta (not an
# optimizer's g), each of its instances j = 1, 2 judged.
GENERAL_RULE = (r"\begin{aligned} g_{j} = -\frac{\partial E}{\partial \beta_{j}} &= -\frac{\partial E}{\partial "
                r"\hat{y}_{j}} \cdot \frac{\partial \hat{y}_{j}}{\partial \beta_{j}} \\ &= \left(y_{j} - \hat{y}_{j}\right) "
                r"\hat{y}_{j} \left(1 - \hat{y}_{j}\right) \end{aligned}")


def test_the_general_rule_in_index_form_is_judged_at_each_index(derivations: dict[str, derivation.Derivation]) -> None:
    textbook = derivations["textbook"]
    assert _statuses(textbook, GENERAL_RULE, "textbook") == [(1, "correct"), (2, "correct"), (3, "correct")] * 2
    swapped = GENERAL_RULE.replace(r"\left(y_{j} - \hat{y}_{j}\right)", r"\left(\hat{y}_{j} - y_{j}\right)")
    assert _statuses(textbook, swapped, "textbook") == [(1, "correct"), (2, "correct"), (3, "wrong")] * 2
    slope = GENERAL_RULE.replace(r"\left(1 - \hat{y}_{j}\right)", r"\left(1 + \hat{y}_{j}\right)")
    assert _statuses(textbook, slope, "textbook") == [(1, "correct"), (2, "correct"), (3, "wrong")] * 2
    # the hidden layer's rule names v_{ih}, the weights (not an optimizer's v of a parameter)
    assert _statuses(textbook, r"\frac{\partial E}{\partial v_{ih}} = - e_{h} x_{i}", "textbook") == [(1, "correct")] * 6
    assert _statuses(textbook, r"\frac{\partial E}{\partial v_{ih}} = e_{h} x_{i}", "textbook") == [(1, "wrong")] * 6


def test_a_bracket_broken_over_two_lines_is_read_as_one() -> None:
    text = r"\begin{aligned} x &= \left(a + b \right. \\ &\quad \left. + c\right) d \end{aligned}"
    assert latex.to_plain(text) == "x = (a + b + c) * d"


def _fd_matrix(preset: str, names: list[list[str]]) -> str:
    """A pmatrix of dE/dp by central finite differences of the independent oracle, 9 digits each."""
    s = spec.load_preset(preset)
    values = param_values(s)
    rows = [" & ".join(mp.nstr(finite_difference(s, 0, n, values), 9, strip_zeros=False) for n in row) for row in names]
    return r"\begin{pmatrix} " + r" \\ ".join(rows) + r" \end{pmatrix}"


def test_a_whole_layers_matrix_is_judged_entry_by_entry(derivations: dict[str, derivation.Derivation],
                                                         capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mazur = derivations["mazur"]
    right = _fd_matrix("mazur", [["w5", "w6"], ["w7", "w8"]])
    claim = r"\frac{\partial E}{\partial W^{[2]}} = " + right
    report = checker.check_text(mazur, claim, notation="matrix")
    assert [(v.entry, v.status) for v in report.verdicts] == [
        ("entry (1, 1), dE_total/dw5", "correct"), ("entry (1, 2), dE_total/dw6", "correct"),
        ("entry (2, 1), dE_total/dw7", "correct"), ("entry (2, 2), dE_total/dw8", "correct")]
    # one entry's last digit changed: that entry, and only it, is wrong, and the verdict names it
    second = re.findall(r"-?\d\.\d+", right)[1]
    changed = second[:-1] + ("1" if second[-1] != "1" else "2")
    wrong = r"\frac{\partial E}{\partial W^{[2]}} = " + right.replace(second, changed)
    report = checker.check_text(mazur, wrong, notation="matrix")
    assert [v.status for v in report.verdicts] == ["correct", "wrong", "correct", "correct"]
    path = tmp_path / "m.claims"
    path.write_text(wrong + "\n", encoding="utf-8")
    assert main(["check", "mazur", str(path), "--notation", "matrix"]) == 1
    out = capsys.readouterr().out
    assert "line 1, entry (1, 2), dE_total/dw6: wrong" in out and "3 correct, 1 wrong" in out


def test_a_whole_layers_rule_is_judged_at_each_entry(derivations: dict[str, derivation.Derivation]) -> None:
    mazur = derivations["mazur"]
    rule = r"\delta^{[1]} = \left(\left(W^{[2]}\right)^{T} \delta^{[2]}\right) \odot f'\left(z^{[1]}\right)"
    assert instances.instances(rule, latex.glyph_names(mazur.network, "matrix")) == [
        "delta_h1 = (w5 * delta_o1 + w7 * delta_o2) * d(out_h1)/d(net_h1)",
        "delta_h2 = (w6 * delta_o1 + w8 * delta_o2) * d(out_h2)/d(net_h2)"]
    assert [v.status for v in checker.check_text(mazur, rule, notation="matrix").verdicts] == ["correct"] * 2
    # without the transpose the weights of the other neuron are used: wrong at each entry
    untransposed = rule.replace(r"\left(W^{[2]}\right)^{T}", "W^{[2]}")
    assert [v.status for v in checker.check_text(mazur, untransposed, notation="matrix").verdicts] == ["wrong"] * 2
    # 1^T delta sums a layer's entries (mazur's biases are shared by a layer); a^T delta is one number
    bias = r"\frac{\partial E}{\partial b^{[2]}} = \mathbf{1}^{T} \delta^{[2]}"
    assert [v.status for v in checker.check_text(mazur, bias, notation="matrix").verdicts] == ["correct"]
    outer = r"\frac{\partial E}{\partial W^{[2]}} = \left(a^{[1]}\right)^{T} \delta^{[2]}"
    report = checker.check_text(mazur, outer, notation="matrix")
    assert report.verdicts == () and "(2 x 2 = 1 x 1)" in report.refused[0][1]


@pytest.mark.parametrize("text, why", [
    (r"\delta^{[2]} = \begin{pmatrix} 0.1 \\ 0.2 \\ 0.3 \end{pmatrix}", "differ in shape"),
    (r"\delta^{[2]} = \begin{pmatrix} 0.1 & \\ 0.2 \end{pmatrix}", "empty entry"),
    (r"\delta^{[2]} = \left(W^{[2]}\right)^{2}", "power of a matrix"),
    (r"\delta^{[2]} = f'\left(a^{[2]}\right)", "not a layer's z"),
    (r"\begin{pmatrix} 1 \\ 2 \end{pmatrix} = \delta^{[2]}", "left side"),
])
def test_a_whole_layer_claim_that_cannot_be_read_is_refused_with_why(
        text: str, why: str, derivations: dict[str, derivation.Derivation]) -> None:
    report = checker.check_text(derivations["mazur"], text, notation="matrix")
    assert report.verdicts == () and why in report.refused[0][1], report.refused


def _adam_first_update(name: str) -> dict[str, object]:
    """Adam's first update of one mazuradam parameter by hand (PyTorch's formulas, beta1 0.9, beta2 0.999,
    epsilon 1e-8, eta 0.01) from the oracle's finite-difference gradient."""
    s = spec.load_preset("mazuradam")
    values = param_values(s)
    g = finite_difference(s, 0, name, values)
    m, v = (1 - mp.mpf("0.9")) * g, (1 - mp.mpf("0.999")) * g ** 2
    mhat, vhat = m / (1 - mp.mpf("0.9")), v / (1 - mp.mpf("0.999"))
    return {"g": g, "m": m, "v": v, "mhat": mhat, "vhat": vhat,
            "new": values[name] - mp.mpf("0.01") * mhat / (mp.sqrt(vhat) + mp.mpf("1e-8"))}


@pytest.mark.parametrize("profile, glyph", [("classic", "w_{5}"), ("textbook", "w_{11}"), ("matrix", "W^{[2]}_{11}")])
def test_the_optimizers_quantities_name_their_parameter_and_are_read_back(profile: str, glyph: str) -> None:
    adam = derivation.build(network.build(spec.load_preset("mazuradam")), history_steps=(1,))
    want = {k: mp.nstr(x, 9, strip_zeros=False) for k, x in _adam_first_update("w5").items()}
    lines = [rf"g_{{{glyph}}}^{{(1)}} = \frac{{\partial E}}{{\partial {glyph}^{{(0)}}}} = {want['g']}",
             (rf"m_{{{glyph}}}^{{(1)}} = \beta_{{1}} m_{{{glyph}}}^{{(0)}} + g_{{{glyph}}}^{{(1)}} \left(1 - \beta_{{1}}\right)"
              rf" = {want['m']}"),
             rf"v_{{{glyph}}}^{{(1)}} = {want['v']}",
             rf"\hat{{m}}_{{{glyph}}}^{{(1)}} = \frac{{m_{{{glyph}}}^{{(1)}}}}{{1 - \beta_{{1}}^{{1}}}} = {want['mhat']}",
             (rf"{{{glyph}}}^{{(1)}} = {{{glyph}}}^{{(0)}} - \frac{{\eta \hat{{m}}_{{{glyph}}}^{{(1)}}}}{{\epsilon + "
              rf"\sqrt{{\hat{{v}}_{{{glyph}}}^{{(1)}}}}}} = {want['new']}"),
             # the bias correction forgotten: m itself is a tenth of the gradient, not the gradient
             rf"\hat{{m}}_{{{glyph}}}^{{(1)}} = {want['m']}"]
    report = checker.check_text(adam, "\n".join(lines), notation=profile)
    assert report.refused == ()
    assert [(v.line, v.status) for v in report.verdicts] == [
        (1, "correct"), (1, "correct"), (2, "correct"), (2, "correct"), (3, "correct"), (4, "correct"),
        (4, "correct"), (5, "correct"), (5, "correct"), (6, "wrong")]


def test_under_an_optimizer_the_textbook_section_gives_gradients_not_plain_updates(tmp_path: Path) -> None:
    assert main(["render", "mazuradam", "--format", "md", "--notation", "textbook", "--out", str(tmp_path)]) == 0
    text = (tmp_path / "walkthrough.md").read_text(encoding="utf-8")
    assert r"\Delta v_{11}" not in text and r"\Delta w_{hj}" not in text  # the plain rule's step is not Adam's
    g = mp.nstr(_adam_first_update("w5")["g"], 9, strip_zeros=False)
    assert rf"| $\frac{{\partial E}}{{\partial w_{{11}}}} = - g_{{1}} b_{{1}}$ |" in text  # its row of the table
    assert f"| ${g}$ |" in text


def test_the_optimizers_rules_for_every_update_are_judged_at_each_update_and_parameter() -> None:
    adam = derivation.build(network.build(spec.load_preset("mazuradam")), history_steps=(1,))
    names = latex.glyph_names(adam.network, "matrix")
    rule = r"\hat{m}^{(t)} = \frac{m^{(t)}}{1 - \beta_{1}^{t}}"
    assert instances.instances(rule, names)[:2] == ["mhat_w1@1 = ((m_w1@1) / (1 - beta1^(1)))",
                                                "mhat_w2@1 = ((m_w2@1) / (1 - beta1^(1)))"]
    statuses = [(v.status) for v in checker.check_text(adam, rule, notation="matrix").verdicts]
    assert statuses == ["correct"] * 24  # t = 1, 2, 3 for each of the 8 trainable weights
    # the bias correction with the wrong power is right at the first update only
    report = checker.check_text(adam, rule.replace(r"\beta_{1}^{t}", r"\beta_{1}"), notation="matrix")
    assert [v.status for v in report.verdicts] == ["correct"] * 8 + ["wrong"] * 16
    # the sum the average unrolls to, k = 1 ... t, and the gradient at the parameters before the update
    unrolled = r"m^{(t)} = \sum_{k=1}^{t} \beta_{1}^{t - k} g^{(k)} \left(1 - \beta_{1}\right)"
    assert [v.status for v in checker.check_text(adam, unrolled).verdicts] == ["correct"] * 24
    swapped = unrolled.replace(r"\beta_{1}^{t - k}", r"\beta_{1}^{k - 1}")
    assert "wrong" in [v.status for v in checker.check_text(adam, swapped).verdicts]
    gradient = r"g^{(t)} = \frac{\partial E_{\mathrm{total}}}{\partial p^{(t-1)}}"
    assert [v.status for v in checker.check_text(adam, gradient).verdicts] == ["correct"] * 24
    stale = r"g^{(t)} = \frac{\partial E_{\mathrm{total}}}{\partial p^{(0)}}"  # the first gradient, reused
    assert [v.status for v in checker.check_text(adam, stale).verdicts] == ["correct"] * 8 + ["wrong"] * 16


def test_a_document_s_matrix_is_judged_entry_by_entry_too(derivations: dict[str, derivation.Derivation]) -> None:
    from derive.reader import report
    from derive.reader.document import check_document

    right = _fd_matrix("mazur", [["w5", "w6"], ["w7", "w8"]])
    last = re.findall(r"-?\d\.\d+", right)[3]
    wrong = right.replace(last, last[:-1] + ("1" if last[-1] != "1" else "2"))
    document = "Gradients:\n$$\n" + r"\frac{\partial E}{\partial W^{[2]}} = " + wrong + "\n$$\n"
    found = check_document(derivations["mazur"], "md", document)
    assert [(f.verdict.entry, f.verdict.status) for f in found.found] == [
        ("entry (1, 1), dE_total/dw5", "correct"), ("entry (1, 2), dE_total/dw6", "correct"),
        ("entry (2, 1), dE_total/dw7", "correct"), ("entry (2, 2), dE_total/dw8", "wrong")]
    assert "line 2, entry (2, 2), dE_total/dw8: wrong" in report.to_text(found, 9)  # the span starts at $$


# Networks of every kind, with SGD and a full batch: relu's max(0, x) and its slope H(x), tanh^2 as SymPy
# prints it, a softmax's Jacobian, its deltas that sum to 0 (judged within the working precision's rounding)
# and its cross-entropy delta out - target (right where the targets sum to 1, as at every point tried).
KINDS = [("tanh", "sigmoid", "half_sse", "sgd"), ("tanh", "identity", "mse", "batch"), ("relu", "tanh", "half_sse", "sgd"),
         ("relu", "relu", "mse", "batch"), ("identity", "sigmoid", "cross_entropy", "sgd"),
         ("tanh", "softmax", "cross_entropy", "sgd"), ("relu", "softmax", "half_sse", "batch")]


@pytest.mark.parametrize("hidden, output, loss, update", KINDS)
def test_every_display_of_other_kinds_of_network_is_read_back(hidden: str, output: str, loss: str, update: str,
                                                             tmp_path: Path) -> None:
    from tests.networks import kind, toml

    path = tmp_path / "net.toml"
    path.write_text(toml(kind(hidden, output, loss, update=update, reduction="mean")), encoding="utf-8")
    d = derivation.build(network.build(spec.load_path(path)), history_steps=(1,))
    for profile in ("classic", "matrix"):
        out = tmp_path / profile
        assert main(["render", str(path), "--format", "md", "--notation", profile, "--out", str(out)]) == 0
        count, found = read_back(d, (out / "walkthrough.md").read_text(encoding="utf-8"), profile)
        assert found == [] and count > 25, (profile, found)


def test_a_softmax_layers_jacobian_is_read_entry_by_entry(tmp_path: Path) -> None:
    from tests.helpers import oracle_net
    from tests.networks import kind, toml
    from tests.oracle import act, forward

    path = tmp_path / "net.toml"
    path.write_text(toml(kind("tanh", "softmax", "half_sse")), encoding="utf-8")
    s = spec.load_path(path)
    d = derivation.build(network.build(s), history_steps=(1,))
    # d out_2 / d net_1 by a central difference of the oracle's softmax at the first sample's nets
    net = oracle_net(s)
    hidden = forward(net, s.samples[0].inputs)[1]
    nets = [mp.fsum(mp.mpf(str(w)) * h for w, h in zip(row, hidden)) + b for row, b in zip(net.weights[1], net.biases[1])]
    h = mp.mpf(10) ** -20
    slope = (act("softmax", [nets[0] + h, nets[1]])[1] - act("softmax", [nets[0] - h, nets[1]])[1]) / (2 * h)
    entry = rf"\frac{{\partial a^{{[2]}}_{{2}}}}{{\partial z^{{[2]}}_{{1}}}} = - a^{{[2]}}_{{1}} a^{{[2]}}_{{2}} = {mp.nstr(slope, 9)}"
    assert [v.status for v in checker.check_text(d, entry, notation="matrix").verdicts] == ["correct", "correct"]
    assert [v.status for v in checker.check_text(d, entry.replace("= - a", "= a"), notation="matrix").verdicts] == [
        "wrong", "correct"]
    rule = (r"\delta^{[2]} = \left(\frac{\partial a^{[2]}}{\partial z^{[2]}}\right)^{T} "
            r"\frac{\partial E}{\partial a^{[2]}}")
    assert instances.instances(rule, latex.glyph_names(d.network, "matrix"))[0] == (
        "delta_o1 = d(out_o1)/d(net_o1) * d(E_total)/d(out_o1) + d(out_o2)/d(net_o1) * d(E_total)/d(out_o2)")
    assert [v.status for v in checker.check_text(d, rule, notation="matrix").verdicts] == ["correct"] * 2
    untransposed = rule.replace(r"\left(\frac{\partial a^{[2]}}{\partial z^{[2]}}\right)^{T}",
                                r"\frac{\partial a^{[2]}}{\partial z^{[2]}}")
    # a softmax's Jacobian is symmetric (-a_i a_j off the diagonal): without the transpose it is right too
    assert [v.status for v in checker.check_text(d, untransposed, notation="matrix").verdicts] == ["correct"] * 2


def test_a_softmax_cross_entropy_rule_is_stated_only_for_targets_that_sum_to_1(tmp_path: Path) -> None:
    from tests.helpers import oracle_net
    from tests.networks import kind, toml
    from tests.oracle import forward

    doc = kind("tanh", "softmax", "cross_entropy")
    for sample in doc["samples"]:
        sample["targets"] = ["0.3", "0.3"]
    path = tmp_path / "net.toml"
    path.write_text(toml(doc), encoding="utf-8")
    s = spec.load_path(path)
    assert main(["render", str(path), "--format", "md", "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    assert r"= \mathrm{out}_{o} - \mathrm{target}_{o}" not in text
    # why: with targets summing to 0.6, dE/dnet_o1 (the oracle's finite difference of dE/dw for o1's first
    # weight, divided by that weight's input) is 0.6 out_o1 - target_o1, not out_o1 - target_o1
    outs = forward(oracle_net(s), s.samples[0].inputs)
    delta = finite_difference(s, 0, s.layers[1].weight_names[0][0], param_values(s)) / outs[1][0]
    assert abs(delta - (outs[2][0] - mp.mpf("0.3"))) > mp.mpf("0.01")
    assert abs(delta - (outs[2][0] * mp.mpf("0.6") - mp.mpf("0.3"))) < mp.mpf(10) ** -30
