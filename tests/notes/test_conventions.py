"""What a lecturer reviewing the notes page by page would otherwise correct by hand, checked on every
committed walkthrough (output/) or on the network that shows it: a shared bias's rule sums over the index
on its right only, a table cell gives a lone number without brackets, the textbook's per-parameter rules
are one table, the update rule is a display, the backward paths are drawn before the sum they illustrate,
the summary box holds the notes' own rules and the algorithm's steps, Adam's error after the update is the
first update's, and xor3 is named for what it learns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.notes import files, messages
from derive.notes.request import NotesRequest
from tests.helpers import oracle_net, param_values
from tests.maths.test_optimizers import hand_adam, oracle_gradient
from tests.notes.test_teaching import displays, nine, notes
from tests.oracle import loss, mp

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted((ROOT / "output").glob("*/*/walkthrough.md"))
IDS = [f"{p.parent.parent.name}-{p.parent.name}" for p in COMMITTED]


def _lang(path: Path) -> str:
    return path.parent.name.split("-")[0]


@pytest.mark.parametrize("path", COMMITTED, ids=IDS)
def test_a_shared_bias_sums_over_an_index_it_does_not_carry(path: Path) -> None:
    """dE/db2 = sum_o delta_o, never dE/db_o = sum_o delta_o (o free on the left and summed on the right)."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\\partial [a-z\\]+_\{([a-z])\}\}(?: &)? = \\sum_\{\1\}", text)


def test_mazur_s_shared_biases_sum_their_layer_s_error_terms() -> None:
    text = (ROOT / "output" / "mazur" / "en" / "walkthrough.md").read_text(encoding="utf-8")
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial b_{2}} = \sum_{o} \delta_{o}" in text
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial b_{1}} = \sum_{h} \delta_{h}" in text


@pytest.mark.parametrize("path", COMMITTED, ids=IDS)
def test_a_table_cell_gives_a_lone_number_without_brackets(path: Path) -> None:
    """| $e_{1} = -0.00757$ |, not | $e_{1} = \\left(-0.00757\\right)$ |: the bracket is a product's, not a value's."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    lone = [row for row in rows if re.search(r"(?:= |\| \$)\\left\(-?[0-9.]+(?: \\times 10\^\{-?\d+\})?\\right\)\$ \|", row)]
    assert lone == [], lone[:3]


@pytest.mark.parametrize("path", [ROOT / "output" / "textbook" / f"{lang}-textbook" / "walkthrough.md" for lang in ("en", "zh")],
                         ids=["en", "zh"])
def test_the_textbook_s_per_parameter_rules_are_one_table_with_their_numbers(path: Path) -> None:
    """The general rules (Delta v_ih = eta e_h x_i) are displays; each parameter's is a row of one table,
    never a display of its own repeating it."""
    text = path.read_text(encoding="utf-8")
    assert not [d for d in displays(text) if re.match(r"\\Delta [a-z\\]+_\{\d+\} =", d)]
    assert re.search(r"^\\Delta v_\{ih\} = \\eta e_\{h\} x_\{i\}$", text, re.MULTILINE)
    rows = re.findall(r"^\| \$[a-z\\]+_\{\d+\}\$ \| \$\\Delta ", text, re.MULTILINE)
    assert len(rows) >= 17


@pytest.mark.parametrize("path", COMMITTED, ids=IDS)
def test_the_update_rule_is_a_display(path: Path) -> None:
    """p^+ = p - eta dE/dp set apart, where TeX spaces its minus, never run into a line of text."""
    text = path.read_text(encoding="utf-8")
    assert "$p^{+} =" not in text and r"\eta \, \partial" not in text


@pytest.mark.parametrize("path", [p for p in COMMITTED if (p.parent / "figures" / "paths-w1.svg").exists()],
                         ids=[i for i, p in zip(IDS, COMMITTED) if (p.parent / "figures" / "paths-w1.svg").exists()])
def test_the_backward_paths_stand_before_the_sum_they_illustrate(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    figure = text.index("(figures/paths-w1.svg)")
    sum_of_paths = text.index(messages.catalogue(_lang(path))("error_hidden"))
    assert figure < sum_of_paths < figure + 400


def _unbroken(display: str) -> str:
    """A display on one line: without its alignment and the breaks between lines."""
    text = re.sub(r"\\begin\{aligned\}|\\end\{aligned\}|\\\\ &\\q*quad (?:\\cdot )?|\\\\|&", " ", display)
    return " ".join(text.split())


def _summary(text: str, lang: str) -> str:
    t = messages.catalogue(lang)
    start = text.index(f"## {t('summary_heading')}")
    return text[start:text.index("\n## ", start + 3)]


@pytest.mark.parametrize(("name", "lang", "profile", "rules"), [
    ("mazur", "en", "classic", (r"\delta_{o} = ", r"\delta_{h} = ", r"\partial w_{oh}}", r"\partial b_{2}}")),
    ("mazur", "zh", "classic", (r"\delta_{o} = ", r"\delta_{h} = ", r"\partial w_{oh}}", r"\partial b_{2}}")),
    ("textbook", "zh", "textbook", (r"g_{j} = ", r"e_{h} = ", r"\partial w_{hj}}", r"\partial \theta_{j}}")),
    (str(Path(__file__).with_name("deep_23331.toml")), "en", "classic",
     (r"\delta_{o} = ", r"\delta_{n} = ", r"\partial w_{on}}", r"\partial b_{o}}")),
], ids=["mazur-en", "mazur-zh", "textbook-zh-textbook", "deep-en"])
def test_the_summary_gives_the_notes_own_rules_and_the_algorithm_in_numbered_steps(
        name: str, lang: str, profile: str, rules: tuple[str, ...]) -> None:
    d = derivation.build(network.build(spec.load(name)), history_steps=(1,))
    text = str(files.files(d, NotesRequest(("md",), lang, profile))["walkthrough.md"])
    box = _summary(text, lang)
    quoted = "\n".join(line[2:] if line.startswith("> ") else line.lstrip(">") for line in box.splitlines())
    equations = [_unbroken(e) for e in displays(quoted)]
    backward = [_unbroken(e) for e in displays(text[:text.index(f"## {messages.catalogue(lang)('summary_heading')}")])]
    # the output's and a hidden neuron's error term, a weight's and a bias's gradient: each as the notes derive it
    # (the box is narrower than a line, so a display may break elsewhere)
    for rule in rules:
        shown = [e for e in equations if rule in e.split("=")[0] + "= "]
        assert len(shown) == 1 and shown[0] in backward, (rule, equations)
    steps = re.findall(r"^(\d+)\. \S", quoted, re.MULTILINE)
    assert steps == [str(k) for k in range(1, 7)]


def test_the_pdf_sets_the_summary_in_a_box() -> None:
    tex = (ROOT / "output" / "mazur" / "en" / "walkthrough.tex").read_text(encoding="utf-8")
    box = tex[tex.index(r"\section{Summary: backpropagation}"):]
    assert box.index(r"\begin{tcolorbox}") < box.index(r"\delta_{o} =") < box.index(r"\begin{enumerate}") \
        < box.index(r"\end{tcolorbox}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_adam_s_error_after_the_update_is_the_first_update_s(lang: str) -> None:
    """Two updates are worked; the error reported after the update is the one after the first, computed
    here from the oracle's gradients and Adam's rule written out by hand."""
    s = spec.load_preset("mazuradam")
    values = param_values(s)
    eta = mp.mpf(str(s.training.learning_rate))
    moved = {n: v - hand_adam(eta, [oracle_gradient(s, values, n)])[0][4] if n.startswith("w") else v
             for n, v in values.items()}
    sample = s.samples[0]
    before, after = (loss(oracle_net(s, p), sample.inputs, sample.targets) for p in (values, moved))
    said = {"en": f"before the first update and is ${nine(after)}$ after it",
            "zh": f"为 ${nine(before)}$，第一次更新后为 ${nine(after)}$"}[lang]
    text = notes("mazuradam", lang)
    assert said in text and f"${nine(before)}$" in text


def test_xor3_is_named_for_what_it_learns() -> None:
    """Its target is each sample's first input (the seed script's data set), not the XOR of its inputs."""
    s = spec.load_preset("xor3")
    assert all(sample.targets[0] == sample.inputs[0] for sample in s.samples)
    assert any(sample.targets[0] != int(sample.inputs[0]) ^ int(sample.inputs[1]) for sample in s.samples)
    assert "copy its first input (not XOR)" in s.title and "复制第一个输入（并非异或）" in dict(s.titles)["zh"]
