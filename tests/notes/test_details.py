"""Small things a teacher would otherwise edit by hand: brackets a number does not need, a minus that
reads as -0, an untitled spec's intro and title, a title's equation broken across lines, one name for
a hidden layer in Chinese, the layer table's bias column, and the sigmoid identity derived in --full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sympy import Symbol, exp, log, tanh

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import real
from derive.model.rules import sigmoid
from derive.notes import messages, walkthrough
from derive.notes.printers import ValuePrinter
from derive.notes.request import NotesRequest

SOFTMAX = Path(__file__).with_name("softmax_342.toml")
X, Y, T = Symbol("x"), Symbol("y"), Symbol("t")


def printed(expr: object) -> str:
    return ValuePrinter({X: real("-0.36912"), Y: real("0.5"), T: real("0")}, 4).doprint(expr)


def test_a_lone_number_in_a_function_or_an_exponent_has_no_brackets_of_its_own() -> None:
    assert printed(tanh(X)) == r"\tanh{\left(-0.3691 \right)}"
    assert printed(log(X)) == r"\log{\left(-0.3691 \right)}"
    assert printed(sigmoid(X)) == r"\sigma\left(-0.3691\right)"
    assert printed(exp(X)) == "e^{-0.3691}"
    # where the number is part of more, its brackets stay: a minus before it, a factor in a product
    assert printed(exp(-X)) == r"e^{- \left(-0.3691\right)}"
    assert printed(X * Y) == r"\left(-0.3691\right) \times 0.5"
    # a number raised to a power is bracketed, negative or not: (-0.3691)^2 is not -0.3691^2
    assert printed(X**2) == r"\left(-0.3691\right)^{2}" and printed(Y**2) == r"\left(0.5\right)^{2}"


def test_a_negated_product_of_zero_keeps_its_minus_outside() -> None:
    assert printed(-T * log(Y)) == r"- \left(0 \times \log{\left(0.5 \right)}\right)"
    assert printed(-Y * log(Y)) == r"- 0.5 \times \log{\left(0.5 \right)}"


@pytest.fixture(scope="module")
def softmax_text() -> str:
    d = derivation.build(network.build(spec.load_path(SOFTMAX)), history_steps=(1,))
    return walkthrough.render(d, "md")


def test_the_softmax_notes_have_neither_double_brackets_nor_minus_zero(softmax_text: str) -> None:
    assert re.search(r"\\left\( ?\\left\(-?\d", softmax_text) is None and r"e^{\left(" not in softmax_text
    assert r"\tanh{\left(-0." in softmax_text  # h4's net is negative
    assert r"- 0 \times" not in softmax_text
    assert r"- \left(0 \times \log" in softmax_text  # the target that is 0, o2's
    assert "| hidden 1 | $h_{1}$, $h_{2}$, $h_{3}$, $h_{4}$ | tanh | one bias per neuron |" in softmax_text


def test_a_spec_without_title_or_usable_name_is_called_by_its_shape(tmp_path: Path) -> None:
    text = SOFTMAX.read_text(encoding="utf-8").replace('title = "A 3-4-2 softmax network"\n', "")
    path = tmp_path / "my-net.toml"  # a hyphen: no valid name
    path.write_text(text, encoding="utf-8")
    s = spec.load_path(path)
    assert s.name == spec.UNNAMED
    d = derivation.build(network.build(s), history_steps=(1,))
    en = walkthrough.render(d, "md")
    assert en.startswith("# Backpropagation, step by step: a 3-4-2 network\n\nA 3-4-2 network. Every number")
    assert "`network`" not in en
    zh = walkthrough.render(d, "md", NotesRequest(lang="zh"))
    assert zh.startswith("# 反向传播逐步推导：一个 3-4-2 网络\n\n结构为 3-4-2 的网络。")
    # a named spec keeps its name
    named = walkthrough.render(derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,)), "md")
    assert "\n\nNetwork `mazur`, a 2-2-2 network." in named


def test_an_equation_in_a_title_is_never_broken() -> None:
    assert walkthrough.tex_verbatim("网络（d = 2，q = 3，l = 2）") == "网络（d~=~2，q~=~3，l~=~2）"
    assert walkthrough.tex_verbatim("a -- b") == r"a -\kern0pt{}- b"


def test_chinese_names_a_hidden_layer_one_way() -> None:
    t = messages.catalogue("zh")
    for key in ("of_hidden", "layer_hidden", "layer_heading_hidden"):
        assert t(key, index=1) == "第 1 个隐含层"
    d = derivation.build(network.build(spec.load_preset("textbook")), history_steps=(1,))
    zh = walkthrough.render(d, "md", NotesRequest(lang="zh"))
    assert "第 1 个隐含层" in zh and re.search(r"隐含层 ?\$?\d", zh) is None


def test_full_notes_derive_the_sigmoid_identity_once() -> None:
    d = derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))
    full = walkthrough.render(d, "md", NotesRequest(full=True))
    compact = walkthrough.render(d, "md")
    assert full.count("where the sigmoid identity comes from") == 1
    assert "where the sigmoid identity comes from" not in compact
    block = full[full.index("where the sigmoid identity comes from"):]
    block = block[:block.index(r"\end{aligned}")]
    e, one = r"e^{- \mathrm{net}_{o1}}", r"1 + e^{- \mathrm{net}_{o1}}"
    # the quotient's derivative, its two factors, the second written as 1 - sigma (by hand)
    for line in (rf"\frac{{\partial}}{{\partial \mathrm{{net}}_{{o1}}}} \left(\frac{{1}}{{{one}}}\right)",
                 rf"\frac{{{e}}}{{\left({one}\right)^{{2}}}}",
                 rf"\frac{{1}}{{{one}}} \cdot \frac{{{e}}}{{{one}}}",
                 rf"\frac{{1}}{{{one}}} \cdot \left(1 - \frac{{1}}{{{one}}}\right)",
                 r"\sigma\left(\mathrm{net}_{o1}\right)"):
        assert line in block, line
    # and the sum rule assembled: 1/2 * 2 * (target - out) * (-1) = out - target
    assert r"= \mathrm{out}_{o1} - \mathrm{target}_{o1}" in full


def test_the_sigmoid_derivative_the_notes_print_is_sympys_and_is_sigma_times_one_minus_sigma() -> None:
    from sympy import cancel, diff, exp

    from derive.notes.narration import sigmoid_derivative

    d = derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))
    for x in [d.network.layers[0][0].net, d.network.layers[-1][0].net]:  # the symbols the notes differentiate in
        s = 1 / (1 + exp(-x))
        assert sigmoid_derivative(x) == diff(s, x)
        assert cancel(sigmoid_derivative(x) - s * (1 - s)) == 0
