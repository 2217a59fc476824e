"""PDF notes: every preset in both languages compiles with latexmk and XeLaTeX, and its text carries the
key numbers; the committed PDFs of mazur hold the text the tool typesets now."""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from derive import cli
from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from derive.notes import LANGUAGES, files, messages, pdf
from derive.notes.request import NotesRequest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("latexmk", "xelatex", "pdftotext")
needs_tex = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                               reason="TeX Live with XeLaTeX and poppler-utils are not installed (CI installs them)")
CASES = [(name, lang) for name in spec.preset_names() for lang in LANGUAGES]


@functools.cache
def _derived(name: str) -> derivation.Derivation:
    net = network.build(spec.load_preset(name))
    return derivation.build(net, history_steps=files.curve_steps(net.spec.training.steps))


@functools.cache
def _typeset(name: str, lang: str, full: bool = False) -> tuple[bytes, str]:
    """The PDF of a preset's notes and TeX's log."""
    tex = files.files(_derived(name), NotesRequest(("tex",), lang, full=full))["walkthrough.tex"]
    return pdf.typeset(tex)


def _pdf(name: str, lang: str) -> bytes:
    return _typeset(name, lang)[0]


def _pages(data: bytes, tmp_path: Path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, timeout=60, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "notes.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120,
                            check=True)
    return result.stdout.decode("utf-8")


@needs_tex
@pytest.mark.parametrize(("name", "lang"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_every_preset_compiles_in_both_languages(name: str, lang: str, tmp_path: Path) -> None:
    d = _derived(name)
    text = _text(_pdf(name, lang), tmp_path)
    flat = "".join(text.split())
    for value in (d.error_before, d.error_after, d.history[-1].error):
        assert _as_read(show(value, cli.DEFAULT_DIGITS).text) in flat, value
    for u in d.updates:
        if u.new > 0:
            assert _as_read(show(u.new, cli.DEFAULT_DIGITS).text) in flat, u.param.name
    heading = messages.catalogue(lang)("backward_pass")
    assert heading in text


def _as_read(text: str) -> str:
    """A number as pdftotext reads it from the PDF: 2.83e-7 is typeset 2.83 x 10^(-7), read 2.83×10−7."""
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}\u00d710{exponent.replace('-', chr(0x2212))}" if e else text


@needs_tex
@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_pdfs_are_current(lang: str, tmp_path: Path) -> None:
    committed = ROOT / "output" / cli.render_dir("mazur", lang, "classic") / "walkthrough.pdf"
    assert _text(committed.read_bytes(), tmp_path) == _text(_pdf("mazur", lang), tmp_path), (
        "regenerate with `derive examples`")


@needs_tex
@pytest.mark.parametrize(("name", "lang"), CASES, ids=[f"{n}-{lang}" for n, lang in CASES])
def test_no_line_runs_into_the_margin(name: str, lang: str) -> None:
    """Displays are broken, never shrunk or let run past the margin: TeX reports no overfull box."""
    log = _typeset(name, lang)[1]
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
    assert not overfull, overfull[:5]


@needs_tex
def test_mazur_fits_eight_pages_and_full_keeps_every_step(tmp_path: Path) -> None:
    compact, full = _typeset("mazur", "en"), _typeset("mazur", "en", True)
    assert _pages(compact[0], tmp_path) <= 8
    assert not [line for line in full[1].splitlines() if line.startswith("Overfull")]
    text = _text(full[0], tmp_path)
    assert text.count("The gradient of") >= len(_derived("mazur").network.params)


@needs_tex
def test_contents_and_bookmarks(tmp_path: Path) -> None:
    data = _pdf("mazur", "en")
    assert "Contents" in _text(data, tmp_path)
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)], capture_output=True,
                         timeout=120, check=True).stdout.decode("utf-8")
    outline = xml[xml.index("<outline>"):]
    for title in ("The backward pass", "Output layer", "The gradient of w5", "The update", "Iterations"):
        assert title in outline, title
