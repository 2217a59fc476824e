"""A network whose error is 0 (or constant) at every step renders in every format, on a linear error axis."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from derive.model.precision import real
from derive.notes import figures, svg, tikz
from tests.helpers import run, write_spec
from tests.networks import single_softmax, toml

FORMATS = ["md", "tex", "html", "ipynb"] + (["pdf"] if shutil.which("latexmk") and shutil.which("xelatex") else [])


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_single_softmax_output_renders_in_every_format(fmt: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(single_softmax()))
    code, _, err = run(["render", str(path), "--format", fmt, "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    if fmt == "md":
        text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
        assert "which a logarithmic axis cannot show, so its axis is linear" in text
        curve = (tmp_path / "out" / "figures" / "loss.svg").read_text(encoding="utf-8")
        ET.fromstring(curve)
        assert ">0.25<" in curve and ">1<" in curve  # the linear ticks 0, 0.25, ... 1


def test_zero_errors_give_a_linear_axis_from_zero() -> None:
    c = figures.loss_curve([(0, real(0)), (1, real(0)), (10, real(0))], "u", "e")
    assert not c.y.log and c.x.log
    assert [t.value for t in c.y.ticks] == ["0", "0.25", "0.5", "0.75", "1"]
    assert all(p.y == c.bottom for p in c.points)  # 0 sits on the bottom edge
    assert "ymode=log" not in tikz.curve(c) and "ymin=0, ymax=1" in tikz.curve(c)


def test_a_constant_error_is_drawn_at_its_height_on_a_linear_axis() -> None:
    c = figures.loss_curve([(0, real("0.3")), (1, real("0.3")), (10, real("0.3"))], "u", "e")
    assert not c.y.log
    low, high = real(c.y.ticks[0].value), real(c.y.ticks[-1].value)
    assert low == 0 and high >= real("0.3")
    # 0.3 of the way from 0 to the top tick, independently of the curve's own arithmetic
    want = c.bottom - (c.bottom - c.top) * float(real("0.3") / high)
    assert all(p.y == pytest.approx(want, abs=0.01) for p in c.points)
    ET.fromstring(svg.curve(c))


def test_a_falling_error_stays_log_log() -> None:
    c = figures.loss_curve([(0, real("0.3")), (1, real("0.2")), (10, real("0.01"))], "u", "e")
    assert c.y.log and "ymode=log" in tikz.curve(c)


def test_only_errors_that_are_not_finite_still_cannot_make_a_curve() -> None:
    with pytest.raises(ValueError):
        figures.loss_curve([(0, real("0.5")), (1, real("inf"))], "u", "e")
