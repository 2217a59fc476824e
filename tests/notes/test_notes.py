"""Lecture notes: both languages, the three notations, the textbook's rules and the narrated derivatives."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from importlib import resources

import mpmath
import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from derive.notes import LANGUAGES, messages, notation, walkthrough
from derive.notes.notation import latex
from derive.notes.request import NotesRequest
from tests.helpers import random_spec_data

TEMPLATES = ("walkthrough.md.j2", "walkthrough.tex.j2")
# Outside $...$ these mean something to Markdown, LaTeX or HTML.
SPECIAL = set("\\{}_%&#~^*<>`|[]")


def _derive(name: str, steps: tuple[int, ...] = (1,)) -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset(name)), history_steps=steps)


def _placeholders(message: str) -> set[str]:
    return {m.group("named") or m.group("braced") for m in messages._Message.pattern.finditer(message)
            if m.group("named") or m.group("braced")}


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    en, zh = messages.catalogue("en").messages, messages.catalogue("zh").messages
    assert sorted(en) == sorted(zh)
    for key in en:
        assert _placeholders(en[key]) == _placeholders(zh[key]), key


def test_every_message_a_template_asks_for_exists() -> None:
    keys = set(messages.catalogue("en").messages)
    root = resources.files("derive.templates")
    for name in TEMPLATES:
        text = root.joinpath(name).read_text(encoding="utf-8")
        used = set(re.findall(r'\bt\("([a-z_]*[a-z])"', text))
        assert used and used <= keys, (name, used - keys)
        prefixes = set(re.findall(r'\bt\("([a-z_]+_)" ~', text))
        assert all(any(k.startswith(p) for k in keys) for p in prefixes)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_prose_holds_no_markup_outside_maths(lang: str) -> None:
    for key, message in messages.catalogue(lang).messages.items():
        prose = re.sub(r"\$[^$]*\$", "", message)
        assert not SPECIAL & set(prose), (lang, key, SPECIAL & set(prose))
        assert message.count("$") % 2 == 0, (lang, key)


def test_chinese_reads_like_a_course_text() -> None:
    text = walkthrough.render(_derive("mazur"), "md", NotesRequest(lang="zh"))
    for term in ("前向传播", "反向传播", "链式法则", "隐含层", "输出层", "学习率", "总误差", "偏置", "误差项"):
        assert term in text, term
    # no English sentence left: every line of prose outside maths and tables is Chinese or a symbol
    prose = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", text, flags=re.S)
    words = re.findall(r"[A-Za-z]{4,}", prose)
    assert set(words) <= {"mazur", "Sigmoid", "classic", "example", "The"} | set(
        spec.load_preset("mazur").title.split()), set(words)


def test_english_has_no_chinese() -> None:
    text = walkthrough.render(_derive("textbook"), "tex")
    assert not re.search(r"[\u4e00-\u9fff]", text)


def test_titles_in_each_language() -> None:
    d = _derive("mazur")
    assert walkthrough.render(d, "md", NotesRequest(lang="zh")).splitlines()[0] == "# 反向传播逐步推导：经典的 2-2-2 网络示例"
    assert walkthrough.render(d, "md").splitlines()[0] == "# Backpropagation, step by step: The classic 2-2-2 example"


# --- notations ------------------------------------------------------------------------------------


def test_textbook_notation_names_the_textbook_preset_as_its_spec_does() -> None:
    """The preset's weight names are the textbook's own (v12 from input 1 to hidden 2): the profile agrees."""
    net = network.build(spec.load_preset("textbook"))
    tb = notation.notation_for(net, "textbook")
    for p in net.params:
        head = re.match(r"[a-z]+", p.name).group(0)
        expected = {"v": "v", "w": "w", "gamma": "\\gamma", "theta": "\\theta"}[head] + "_{" + p.name[len(head):] + "}"
        assert latex(tb.glyph(p.name)) == expected


def test_textbook_notation_needs_one_hidden_layer() -> None:
    data = random_spec_data(random.Random(5))
    while len(data["layers"]) < 3:
        data = random_spec_data(random.Random(len(data["layers"]) + 11))
    net = network.build(spec.from_mapping(data, "<deep>", "deep"))
    with pytest.raises(notation.NotationError, match="one hidden layer"):
        notation.notation_for(net, "textbook")


# The textbook's update rules, as printed in the textbook (seed 001), typed here by hand.
TEXTBOOK_RULES = [r"\Delta v_{ih} = \eta e_{h} x_{i}", r"\Delta \gamma_{h} = - \eta e_{h}",
                  r"\Delta w_{hj} = \eta g_{j} b_{h}", r"\Delta \theta_{j} = - \eta g_{j}"]


def test_textbook_rules_are_the_textbooks() -> None:
    d = _derive("textbook")
    text = walkthrough.render(d, "md", NotesRequest(notation="textbook"))
    for rule in TEXTBOOK_RULES:
        assert rule in text


def test_textbook_rules_follow_the_sign_of_an_added_bias() -> None:
    """With a bias added instead of a threshold subtracted the engine derives Delta theta = + eta g."""
    path = resources.files("derive.presets").joinpath("textbook.toml").read_text(encoding="utf-8")
    data = spec.tomllib.loads(path.replace('form = "threshold", ', ""), parse_float=Decimal)
    d = derivation.build(network.build(spec.from_mapping(data, "<added>", "added")), history_steps=(1,))
    text = walkthrough.render(d, "md", NotesRequest(notation="textbook"))
    assert r"\Delta \theta_{j} = \eta g_{j}" in text and r"\Delta \gamma_{h} = \eta e_{h}" in text


def test_textbook_error_terms_have_the_textbooks_sign_and_values() -> None:
    """g_j = y-hat_j (1 - y-hat_j)(y_j - y-hat_j), from the forward values, in mpmath here."""
    d = _derive("textbook")
    text = walkthrough.render(d, "md", NotesRequest(notation="textbook", full=True))
    p = d.first
    for o in d.network.outputs:
        y_hat, y = p.values[o.neuron.out], p.values[o.target]
        g = y_hat * (1 - y_hat) * (y - y_hat)
        j = o.neuron.position + 1
        assert f"g_{{{j}}} = -\\frac{{\\partial E}}{{\\partial \\beta_{{{j}}}}}" in text
        assert show(g, 9).latex in text
        for h, link in enumerate(o.neuron.links, start=1):
            delta_w = mpmath.mpf(str(d.network.spec.training.learning_rate)) * g * p.values[link.source]
            assert rf"$\Delta w_{{{h}{j}}} = \eta g_{{{j}}} b_{{{h}}}$ |" in text  # its row of the table
            assert f"| ${show(delta_w, 9).latex}$ |" in text


def test_matrix_section_multiplies_out_to_the_per_weight_gradients() -> None:
    d = _derive("mazur")
    text = walkthrough.render(d, "md", NotesRequest(notation="matrix"))
    grads = {g.param.name: show(g.value, 9).latex for g in d.first.gradients}
    row = " \\\\ ".join(" & ".join(grads[w] for w in pair) for pair in (("w5", "w6"), ("w7", "w8")))
    assert f"= \\begin{{pmatrix}} {row} \\end{{pmatrix}}" in text
    assert r"\delta^{[1]} = \left(\left(W^{[2]}\right)^{T} \delta^{[2]}\right) \odot f'\left(z^{[1]}\right)" in text
    assert "W^{[1]}_{11}" in text and "\\mathrm{net}" not in text


# --- narration --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("activation", "rule"), [("sigmoid", "sigmoid identity"), ("tanh", "tanh identity"),
                                                   ("relu", "step function H")])
def test_each_activation_is_narrated_by_its_rule(activation: str, rule: str) -> None:
    data = random_spec_data(random.Random(7))
    for layer in data["layers"]:
        layer["activation"] = activation
    data["loss"] = "half_sse"
    d = derivation.build(network.build(spec.from_mapping(data, "<n>", "n")), history_steps=(1,))
    text = walkthrough.render(d, "md")
    assert rule in text and "sum rule" in text
    assert rule not in walkthrough.render(d, "md", NotesRequest(brief=True))


def test_brief_leaves_out_every_narration_and_nothing_else() -> None:
    d = _derive("mazur")
    full, brief = walkthrough.render(d, "md"), walkthrough.render(d, "md", NotesRequest(brief=True))
    assert "is obtained:" in full and "is obtained:" not in brief
    kept = [line for line in full.splitlines() if not line.startswith(("- ", "  ")) and "is obtained" not in line]
    assert [line for line in kept if line] == [line for line in brief.splitlines() if line]


def test_softmax_jacobian_is_narrated_with_the_quotient_rule() -> None:
    data = random_spec_data(random.Random(3))
    data["loss"] = "cross_entropy"
    data["layers"][-1]["activation"] = "softmax"
    data["layers"][-1]["neurons"] = 2
    data["layers"][-1]["weights"] = data["layers"][-1]["weights"][:1] * 2
    data["layers"][-1]["bias"] = {"mode": "none"}
    data["samples"] = data["samples"][:1]
    data["samples"][0]["targets"] = [Decimal("0.25"), Decimal("0.75")]
    d = derivation.build(network.build(spec.from_mapping(data, "<softmax>", "softmax")), history_steps=(1,))
    text = walkthrough.render(d, "md", NotesRequest(lang="zh"))
    assert "商的求导法则" in text and "代回网络中的记号" in text


def test_message_placeholders_are_not_braces() -> None:
    """LaTeX braces in a message survive: only @name is a placeholder."""
    t = messages.catalogue("en")
    assert t("figure_paths", param="$w_{5}$") == "The backward paths the gradient of $w_{5}$ sums over."
    assert t("layer_hidden", index=2) == "hidden 2"
    with pytest.raises(KeyError):
        t("layer_hidden")


def test_textbook_hidden_error_is_minus_the_sum_of_g_times_w() -> None:
    """dE/db_h = -(sum_j g_j w_hj): printed with the textbook's g_j and numbers that give its value."""
    d = _derive("textbook")
    text = walkthrough.render(d, "md", NotesRequest(notation="textbook", full=True))
    p = d.first
    outputs = d.network.layers[1]
    g = [p.values[n.out] * (1 - p.values[n.out]) * (p.values[o.target] - p.values[n.out])
         for n, o in zip(outputs, d.network.outputs)]
    for h in d.network.layers[0]:
        weights = [p.values[n.links[h.position].weight.symbol] for n in outputs]
        value = -sum(gj * w for gj, w in zip(g, weights))
        k = h.position + 1
        symbolic = " + ".join(f"g_{{{j + 1}}} w_{{{k}{j + 1}}}" for j in range(len(outputs)))
        assert rf"&= -\left({symbolic}\right) \\" in text
        backward = next(b for b in p.backward if b.neuron is h)
        assert abs(backward.error.value - value) < 1e-40
        assert show(value, 9).latex in text


def test_textbook_rules_of_a_batch_sum_over_the_samples() -> None:
    """xor3 learns from 4 samples at once: Delta v_ih = eta sum_s e_h x_i, summed here by hand."""
    d = _derive("xor3")
    text = walkthrough.render(d, "md", NotesRequest(notation="textbook"))
    assert r"\Delta v_{ih} = \eta \sum_{s} e_{h} x_{i}" in text
    hidden, (y,) = d.network.layers
    eta = mpmath.mpf(str(d.network.spec.training.learning_rate))
    for h in hidden:
        for i, x in enumerate(d.network.inputs):
            change = mpmath.mpf(0)
            for p in d.passes:
                out = p.values[y.out]
                g = out * (1 - out) * (p.values[d.network.outputs[0].target] - out)
                b = p.values[h.out]
                e = b * (1 - b) * p.values[y.links[h.position].weight.symbol] * g
                change += eta * e * p.values[x]
            rule = rf"$\Delta v_{{{i + 1}{h.position + 1}}} = \eta \sum_{{s}} e_{{{h.position + 1}}} x_{{{i + 1}}}$"
            assert f"| {rule} |  | ${show(change, 9).latex}$ |" in text  # a batch's row: no one sample's numbers


def test_a_gradient_that_cancels_to_zero_is_shown_as_zero() -> None:
    """A softmax's shared bias: sum_j (out_j - target_j) = 0 when the targets add up to 1."""
    data = random_spec_data(random.Random(3))
    data["loss"] = "cross_entropy"
    last = data["layers"][-1]
    last.update(activation="softmax", neurons=3, weights=last["weights"][:1] * 3,
                bias={"mode": "shared", "trainable": True, "values": [Decimal("0.1")]})
    data["samples"] = data["samples"][:1]
    data["samples"][0]["targets"] = [Decimal("0.2"), Decimal("0.3"), Decimal("0.5")]
    d = derivation.build(network.build(spec.from_mapping(data, "<softmax>", "softmax")), history_steps=(1,))
    bias = next(g for g in d.first.gradients if g.param.kind == "bias" and g.param.layer == len(d.network.layers) - 1)
    assert bias.value == 0
    assert "10^{-5" not in walkthrough.render(d, "md")


def test_matrix_notation_of_a_big_network_gives_every_gradient_as_matrices() -> None:
    text_spec = """
title = "Big"
inputs = 4
loss = "half_sse"
[init]
kind = "uniform"
low = -0.5
high = 0.5
seed = 3
[[layers]]
neurons = 8
activation = "tanh"
bias = { mode = "per_neuron", values = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1] }
[[layers]]
neurons = 5
activation = "sigmoid"
[[samples]]
inputs = [0.1, 0.2, 0.3, 0.4]
targets = [0, 1, 0, 1, 0]
[training]
learning_rate = 0.5
steps = [1]
"""
    data = spec.tomllib.loads(text_spec, parse_float=Decimal)
    d = derivation.build(network.build(spec.from_mapping(data, "<big>", "big")), history_steps=(1,))
    assert len(d.network.params) > walkthrough.PER_WEIGHT_LIMIT
    text = walkthrough.render(d, "md", NotesRequest(notation="matrix"))
    assert "chains of the single weights are left out" in text and "#### The gradient of $W" not in text
    for g in d.first.gradients:
        if g.param.kind == "weight":
            assert show(g.value, 9).latex in text, g.param.name
    classic = walkthrough.render(d, "md")
    assert "#### The gradient of $w_{1}$" in classic
