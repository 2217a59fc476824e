"""The optimizer's section of the notes: the first two updates checked against a hand computation,
in both languages, every notation and both formats."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from derive.notes import walkthrough
from derive.notes.request import NotesRequest
from tests.helpers import param_values
from tests.maths.test_optimizers import CONFIGS, hand_adam, oracle_gradient, with_optimizer
from tests.oracle import mp


@pytest.fixture(scope="module")
def adam() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazuradam")), (1, 2))


def block(text: str, update: int, param: str) -> str:
    """The worked lines of `param` under the heading of update `update`."""
    section = text.split(f"### Update {update}\n", 1)[1].split("\n### ", 1)[0]
    return section.split(f"#### ${param}$\n", 1)[1].split("####", 1)[0]


def test_first_two_updates_agree_with_a_hand_computation(adam: derivation.Derivation) -> None:
    s = adam.network.spec
    values = param_values(s)
    eta = mp.mpf("0.01")
    g1 = {n: oracle_gradient(s, values, n) for n in values if n.startswith("w")}
    after = {**values, **{n: values[n] - hand_adam(eta, [g1[n]])[0][4] for n in g1}}
    text = walkthrough.render(adam, "md", NotesRequest(full=True))
    compact = walkthrough.render(adam, "md")
    assert "#### $w_{8}$" in text and "#### $w_{8}$" not in compact and "#### $w_{5}$" in compact
    for name, glyph in (("w5", "w_{5}"), ("w1", "w_{1}"), ("w8", "w_{8}")):
        rows = hand_adam(eta, [g1[name], oracle_gradient(s, after, name)])
        new = [after[name], after[name] - rows[1][4]]
        for t, (row, p) in enumerate(zip(rows, new), start=1):
            lines = block(text, t, glyph)
            for x in (*row[:4], p):  # m, v, m-hat, v-hat and the parameter after the update
                assert f"= {show(x, 9).latex}\n" in lines, (name, t, show(x, 9).latex)
    assert "\\sum_{k=1}^{t}" in text and "1 - \\beta_{1}^{t}" in text


def test_chinese_and_latex_carry_the_same_numbers(adam: derivation.Derivation) -> None:
    en = walkthrough.render(adam, "md")
    zh = walkthrough.render(adam, "md", NotesRequest(lang="zh"))
    tex = walkthrough.render(adam, "tex")
    assert "## 参数更新：Adam" in zh and "为什么要做偏差修正" in zh and "第 2 次更新" in zh
    m2 = block(en, 2, "w_{5}").split("m_{w_{5}}^{(2)} &= ", 1)[1].split("\\end", 1)[0].strip().split("&= ")[-1]
    assert m2 in zh and m2 in tex and "\\section{The update: Adam}" in tex
    assert walkthrough.render(adam, "md") == en  # deterministic


@pytest.mark.parametrize("notation", ["classic", "textbook", "matrix"])
def test_every_notation_and_weight_decay(notation: str) -> None:
    base = spec.load_preset("textbook" if notation == "textbook" else "gender")
    d = derivation.build(network.build(with_optimizer(base, CONFIGS["nesterov"])), (1, 2))
    text = walkthrough.render(d, "md", NotesRequest(notation=notation))
    assert "## The update: gradient descent with Nesterov momentum" in text
    assert "constant multiple rule" in text and "power rule" in text  # L2's gradient narrated
    assert "Only the weights are decayed" in text and "### Update 2" in text
    brief = walkthrough.render(d, "md", NotesRequest(notation=notation, brief=True))
    assert "constant multiple rule" not in brief.split("## The update")[1].split("### Update 1")[0]


def test_decoupled_decay_explained() -> None:
    d = derivation.build(network.build(with_optimizer(spec.load_preset("mazur"), CONFIGS["adamw"])), (1,))
    text = walkthrough.render(d, "md")
    assert "Decoupled decay (as AdamW)" in text and "\\eta \\lambda p^{(t-1)}" in text
