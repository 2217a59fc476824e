"""PDF notes: every preset in both languages compiles with latexmk and XeLaTeX, and its text carries the
key numbers; the committed PDFs of mazur hold the text the tool typesets now."""

from __future__ import annotations

import functools
import re
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

from . import pdf_layout

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("latexmk", "xelatex", "pdftotext")
needs_tex = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                               reason="TeX Live with XeLaTeX and poppler-utils are not installed (CI installs them)")
CASES = [(name, lang) for name in spec.preset_names() for lang in LANGUAGES]


# the two networks of the review beside the presets: a deep 2-3-3-3-1 and a 3-4-2 softmax with a batch
REVIEW = {"deep": ROOT / "tests" / "notes" / "deep_23331.toml", "softmax": ROOT / "tests" / "notes" / "review_342.toml"}
LAYOUT_CASES = CASES + [(name, lang) for name in REVIEW for lang in LANGUAGES]


@functools.cache
def _derived(name: str) -> derivation.Derivation:
    net = network.build(spec.load(str(REVIEW[name])) if name in REVIEW else spec.load_preset(name))
    return derivation.build(net, history_steps=files.history_steps(net.spec))


@functools.cache
def _tex(name: str, lang: str, full: bool = False) -> str:
    return str(files.files(_derived(name), NotesRequest(("tex",), lang, full=full))["walkthrough.tex"])


@functools.cache
def _typeset(name: str, lang: str, full: bool = False) -> tuple[bytes, str]:
    """The PDF of a preset's (or a review network's) notes and TeX's log."""
    return pdf.typeset(_tex(name, lang, full))


def _layout(name: str, lang: str, tmp_path: Path) -> list[list[pdf_layout.Word]]:
    path = tmp_path / f"{name}-{lang}.pdf"
    path.write_bytes(_pdf(name, lang))
    return pdf_layout.words(path)


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
@pytest.mark.parametrize(("name", "lang"), LAYOUT_CASES, ids=[f"{n}-{lang}" for n, lang in LAYOUT_CASES])
def test_no_line_runs_into_the_margin(name: str, lang: str, tmp_path: Path) -> None:
    """Displays are broken, never shrunk or let run past the margin: no word of the PDF lies outside the
    text block (read back with pdftotext -bbox), and TeX reports no overfull box."""
    outside = pdf_layout.outside(_layout(name, lang, tmp_path))
    assert outside == [], outside[:5]
    log = _typeset(name, lang)[1]
    overfull = [line for line in log.splitlines() if line.startswith("Overfull")]
    assert not overfull, overfull[:5]


@needs_tex
@pytest.mark.parametrize(("name", "lang"), LAYOUT_CASES, ids=[f"{n}-{lang}" for n, lang in LAYOUT_CASES])
def test_no_heading_is_left_at_a_page_foot(name: str, lang: str, tmp_path: Path) -> None:
    assert pdf_layout.orphans(_layout(name, lang, tmp_path), _tex(name, lang)) == []


def test_the_layout_reader_finds_a_word_past_the_margin_and_an_orphan_heading() -> None:
    def word(page: int, x0: float, y0: float, text: str) -> pdf_layout.Word:
        return pdf_layout.Word(page, x0, y0, x0 + 6 * len(text), y0 + 10, text)

    tex = "\\section{The update}\n\\subsection{Output layer}\n"
    first = [word(1, 60, 100, "Some"), word(1, 60, 700, "5"), word(1, 75, 700, "The"), word(1, 100, 700, "update"),
             word(1, 60, 715, "Every"), word(1, 300, 800, "7")]
    second = [word(2, 60, 100, "parameter"), word(2, 500, 120, "past-the-margin")]
    assert pdf_layout.orphans([first, second], tex) == [(1, "5 The update")]
    assert pdf_layout.outside([first, second]) == [second[1]]
    assert pdf_layout.orphans([first, [word(2, 60, 100, "5.1"), word(2, 80, 100, "Output"),
                                        word(2, 120, 100, "layer")]], tex) == []


@needs_tex
def test_mazur_fits_fourteen_pages_and_full_keeps_every_step(tmp_path: Path) -> None:
    """Eight pages of derivation, then the finite differences, the update in numbers, the computational
    graph, the reading, the summary, three exercises and their answers."""
    compact, full = _typeset("mazur", "en"), _typeset("mazur", "en", True)
    assert _pages(compact[0], tmp_path) <= 14
    assert not [line for line in full[1].splitlines() if line.startswith("Overfull")]
    text = _text(full[0], tmp_path)
    assert text.count("The gradient of") >= len(_derived("mazur").network.params)


@needs_tex
@pytest.mark.parametrize("name", ["mazur", "rnn"])  # the notes of dense networks and of layers
def test_chinese_is_set_in_noto_cjk_and_a_caption_has_a_full_width_colon(name: str, tmp_path: Path) -> None:
    """Noto CJK (Debian's fonts-noto-cjk, which CI installs) rather than ctex's default FandolSong, and
    图 1： as Chinese text writes it, not 图 1: with an ASCII colon."""
    path = tmp_path / "zh.pdf"
    path.write_bytes(_pdf(name, "zh"))
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, timeout=60, check=True).stdout.decode()
    fonts = [line.split()[0].partition("+")[2] for line in listing.splitlines()[2:]]
    assert any(f.startswith("NotoSerifCJK") for f in fonts), fonts
    assert not [f for f in fonts if "Fandol" in f]
    text = _text(_pdf(name, "zh"), tmp_path)
    captions = re.findall(r"^图 ?(\d+)(.)", text, re.MULTILINE)
    assert captions and [n for n, _ in captions] == [str(k) for k in range(1, len(captions) + 1)], captions
    assert {colon for _, colon in captions} == {"："}, captions


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
