"""Maths copied from a page KaTeX rendered: each formula held three times on its line (the glyphs, spaced or
run together, the LaTeX source, the glyphs again); the LaTeX copy is read. The documents' numbers come from
tests/oracle.py."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from derive.reader.rendered import latex_copy
from tests.helpers import oracle_net
from tests.oracle import forward, mp

MAZUR = spec.load_preset("mazur")


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(MAZUR), history_steps=(1,))


def copy(line: str) -> str | None:
    found = latex_copy(line)
    return None if found is None else line[found[0]:found[1]]


@pytest.mark.parametrize(("line", "latex"), [
    ("z 1 = W x 1 + b z_1 = W x_1 + b z1=Wx1+b", "z_1 = W x_1 + b"),
    ("输入 x 1 = ( 0.2 , 0.4 ) x_1 = (0.2, 0.4) x1=(0.2,0.4)", "x_1 = (0.2, 0.4)"),
    ("z(2)=XW1+b1z^{(2)} = XW_1 + b_1z(2)=XW1+b1", "z^{(2)} = XW_1 + b_1"),
    ("y^=σ(1.6)=0.83\\hat{y} = \\sigma(1.6) = 0.83y^=σ(1.6)=0.83", "\\hat{y} = \\sigma(1.6) = 0.83"),
    ("W = [ 0.1 0.2 ] , b = 0.05 W = \\begin{bmatrix} 0.1 & 0.2 \\end{bmatrix}, \\quad b = 0.05 W=[0.10.2],b=0.05",
     "W = \\begin{bmatrix} 0.1 & 0.2 \\end{bmatrix}, \\quad b = 0.05"),
    ("σ ( z ) = 1 1 + e − z 是 S i g m o i d 激活 \\sigma(z) = \\frac{1}{1 + e^{-z}} 是 Sigmoid 激活 "
     "σ(z)=1+ez1Sigmoid激活",
     "\\sigma(z) = \\frac{1}{1 + e^{-z}}"),
])
def test_the_latex_copy_of_a_formula_rendered_three_times(line: str, latex: str) -> None:
    assert copy(line) == latex


@pytest.mark.parametrize("line", [
    "z_1 = w_1 x_1 + b_1",  # LaTeX alone
    "a = b a = b",  # a repeat without LaTeX
    "x_1 = 2, x_1 = 2",  # the same LaTeX twice: no glyphs before it
    "the net z = 0.3 then z_2 = 0.4",
])
def test_a_line_without_rendered_copies_has_none(line: str) -> None:
    assert copy(line) is None


def test_a_page_s_text_with_formulas_rendered_three_times_is_read(mazur: derivation.Derivation) -> None:
    _, hidden, outs = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))
    h1, o1 = mp.nstr(hidden[0], 4), mp.nstr(outs[0], 4)
    document = "\n".join([
        "前向传播:",
        "net h 1 = 0.15 × 0.05 + 0.2 × 0.1 + 0.35 = 0.3775 net_{h1} = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35"
        " = 0.3775 neth1=0.15×0.05+0.2×0.1+0.35=0.3775",
        "输出:",
        f"outh1=σ(neth1)={h1}out_{{h1}} = \\sigma(net_{{h1}}) = {h1}outh1=σ(neth1)={h1}",
        f"o u t o 1 = {o1} out_{{o1}} = {o1} outo1={o1}",
        "out h 2 = 0.6097 out_{h2} = 0.6097 outh2=0.6097",
    ])
    report = check_document(mazur, "md", document)
    assert [s.span.source for s in report.spans] == [
        "net_{h1} = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = 0.3775", f"out_{{h1}} = \\sigma(net_{{h1}}) = {h1}",
        f"out_{{o1}} = {o1}", "out_{h2} = 0.6097"]
    assert [f.verdict.status for f in report.found][:-1] == ["correct"] * (len(report.found) - 1)
    assert report.found[-1].verdict.status == "wrong"  # out_h2 is 0.5968843782


def test_a_person_s_own_name_after_a_slip_carries_it(mazur: derivation.Derivation) -> None:
    slipped = 1 / (1 + mp.exp(-mp.mpf("1.2")))  # sigma(1.2), where net_o1 is 1.1059...
    twice = 2 * mp.mpf(mp.nstr(slipped, 4))  # a name of the person's own, no quantity of the network
    document = "\n\n".join([
        f"$$out_{{o1}} = \\sigma(1.2) = {mp.nstr(slipped, 4)}$$",
        f"$$s = 2 \\times out_{{o1}} = {mp.nstr(twice, 4)}$$",
    ])
    report = check_document(mazur, "md", document)
    last = report.found[-1].verdict
    assert last.status == "carried" and "line 1" in last.reason
