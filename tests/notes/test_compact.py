"""The compact default (one neuron and one parameter per layer in full), `--full`, the index-form rules
and the remark on the classic article's number."""

from __future__ import annotations

import mpmath
import pytest

from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec
from derive.notes import remarks, walkthrough
from derive.notes.request import NotesRequest
from tests.helpers import finite_difference, param_values


def _derive(name: str) -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset(name)), history_steps=(1,))


def _shown(x: object, digits: int = 9) -> str:
    """x rounded to `digits` significant digits as the notes print small numbers (mpmath, not the engine)."""
    text = mpmath.nstr(mpmath.mpf(x), digits, strip_zeros=True, min_fixed=-5, max_fixed=10)
    return text


def test_compact_notes_derive_one_parameter_per_layer_and_list_every_gradient() -> None:
    d = _derive("mazur")
    text = walkthrough.render(d, "md")
    assert text.count("#### The gradient of") == len(d.network.layers)
    assert text.count("The other parameters of this layer follow in the same way") == len(d.network.layers)
    values = param_values(d.network.spec)
    for p in d.network.params:  # every gradient, from finite differences of an independent loss
        fd = finite_difference(d.network.spec, 0, p.name, values)
        assert f"${_shown(fd)}$" in text, p.name


def test_full_notes_derive_every_parameter(tmp_path, capsys) -> None:
    assert main(["render", "mazur", "--full", "--out", str(tmp_path / "full")]) == 0
    assert main(["render", "mazur", "--out", str(tmp_path / "compact")]) == 0
    full = (tmp_path / "full" / "walkthrough.md").read_text(encoding="utf-8")
    compact = (tmp_path / "compact" / "walkthrough.md").read_text(encoding="utf-8")
    for k in range(1, 9):
        assert f"#### The gradient of $w_{{{k}}}$" in full
    assert "#### The gradient of $w_{6}$" not in compact
    assert "The other parameters of this layer" not in full
    assert len(compact) < 0.7 * len(full)


def test_the_general_rule_is_written_in_index_form_before_the_numbers() -> None:
    text = walkthrough.render(_derive("mazur"), "tex")
    hidden = (r"\delta_{h} = \frac{\partial E_{\mathrm{total}}}{\partial \mathrm{net}_{h}} = "
              r"\mathrm{out}_{h} \left(1 - \mathrm{out}_{h}\right) \sum_{o} \delta_{o} w_{oh}")
    assert hidden in text
    assert text.index(hidden) < text.index("Neuron $h_{1}$.")
    assert r"\frac{\partial E_{\mathrm{total}}}{\partial w_{hk}} = \delta_{h} i_{k}" in text
    assert r"= \left(\mathrm{out}_{o} - \mathrm{target}_{o}\right) \mathrm{out}_{o} \left(1 - \mathrm{out}_{o}\right)" in text
    textbook = walkthrough.render(_derive("textbook"), "tex", NotesRequest(notation="textbook"))
    assert r"e_{h} = -\frac{\partial E}{\partial \alpha_{h}} = b_{h} \left(1 - b_{h}\right) \sum_{j} w_{hj} g_{j}" in textbook
    assert r"= \left(y_{j} - \hat{y}_{j}\right) \hat{y}_{j} \left(1 - \hat{y}_{j}\right)" in textbook


def test_the_sum_rule_is_assembled_into_out_minus_target() -> None:
    text = walkthrough.render(_derive("mazur"), "tex")
    assert (r"= \frac{1}{2} \cdot 2 \cdot \left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right) \cdot \left(-1\right) \\"
            "\n" r"&\quad = \mathrm{out}_{o1} - \mathrm{target}_{o1}") in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_update_relates_the_result_to_the_classic_articles_number(lang: str) -> None:
    d = _derive("mazur")
    text = walkthrough.render(d, "md", NotesRequest(lang=lang))
    assert "0.291027924" in text  # the number the article prints after its update
    assert "0.291027774" in text  # the honest one
    other = walkthrough.render(_derive("gender"), "md", NotesRequest(lang=lang))
    assert "classic article" not in other and "经典原文" not in other


def test_the_stale_variant_is_computed_not_typed() -> None:
    d = _derive("mazur")
    assert abs(remarks.stale_error(d) - mpmath.mpf("0.291027924")) < 5e-10
    assert abs(remarks.stale_error(d) - d.error_after) > 1e-7
