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
from derive.notes import LANGUAGES, files, messages
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
def _pdf(name: str, lang: str) -> bytes:
    d = _derived(name)
    return files.files(d, NotesRequest(("pdf",), lang))["walkthrough.pdf"]


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
        assert show(value, cli.DEFAULT_DIGITS).text in flat, value
    for u in d.updates:
        if u.new > 0:
            assert show(u.new, cli.DEFAULT_DIGITS).text in flat, u.param.name
    heading = messages.catalogue(lang)("backward_pass")
    assert heading in text


@needs_tex
@pytest.mark.parametrize("lang", LANGUAGES)
def test_committed_pdfs_are_current(lang: str, tmp_path: Path) -> None:
    committed = ROOT / "output" / cli.render_dir("mazur", lang, "classic") / "walkthrough.pdf"
    assert _text(committed.read_bytes(), tmp_path) == _text(_pdf("mazur", lang), tmp_path), (
        "regenerate with `derive examples`")
