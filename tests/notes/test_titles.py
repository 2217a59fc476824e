"""Titles are typeset as written: no TeX ligature changes them, and a Chinese character the PDF's font
has no glyph for is refused with one line instead of vanishing (issue 16, item 13)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from derive.notes import glyphs
from derive.notes.walkthrough import tex_verbatim
from tests.helpers import MAZUR, run, write_spec

TRICKY = "A -- B --- C ''x'' d,,e 2-2"
needs_tex = pytest.mark.skipif(any(shutil.which(t) is None for t in ("latexmk", "xelatex", "pdftotext")),
                               reason="TeX Live with XeLaTeX and poppler-utils are not installed (CI installs them)")


def _spec(tmp_path: Path, title: str, zh: str) -> Path:
    text = MAZUR.replace('title = "The classic 2-2-2 example"', f'title = "{title}"')
    return write_spec(tmp_path, text.replace("经典的 2-2-2 网络示例", zh).replace("steps = [1, 10, 100, 1000, 10000]",
                                                                            "steps = [1]"))


def test_the_tex_title_breaks_every_ligature() -> None:
    assert tex_verbatim("a--b''c,,d, 2-2") == r"a-\kern0pt{}-b\textquotesingle{}\textquotesingle{}c,\kern0pt{},d, 2-2"


@needs_tex
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_pdf_title_reads_back_as_written(lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _spec(tmp_path, TRICKY, "第1-3章 " + TRICKY)
    code, _, err = run(["render", str(path), "--format", "pdf", "--lang", lang, "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "o" / "walkthrough.pdf"), "-"],
                          capture_output=True, check=True, timeout=120).stdout.decode("utf-8")
    assert TRICKY in text and "–" not in text and "—" not in text and "”" not in text


def test_a_chinese_character_without_a_glyph_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _spec(tmp_path, "chapters", "第1章\u9fef")  # a recent CJK character the font does not hold
    for fmt in ("pdf", "tex"):
        code, _, err = run(["render", str(path), "--format", fmt, "--lang", "zh", "--out", str(tmp_path / "o")], capsys)
        assert code == 2 and "titles.zh: no glyph for '\u9fef' (U+9FEF)" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
    code, _, _ = run(["render", str(path), "--format", "md", "--lang", "zh", "--out", str(tmp_path / "o")], capsys)
    assert code == 0  # Markdown shows it


def test_the_glyph_table_is_the_font_s() -> None:
    fonttools = pytest.importorskip("fontTools.ttLib")
    found = subprocess.run(["fc-match", "-f", "%{file}", glyphs.FONT], capture_output=True, text=True).stdout.strip() \
        if shutil.which("fc-match") else ""
    if "NotoSerifCJK" not in found:
        pytest.skip(f"{glyphs.FONT} is not installed (Debian package fonts-noto-cjk)")
    faces = fonttools.TTCollection(found).fonts if found.endswith(".ttc") else [fonttools.TTFont(found)]
    cmap = next(f for f in faces if f["name"].getDebugName(1) == glyphs.FONT).getBestCmap()
    assert [c for c in range(glyphs.FIRST, glyphs.LAST + 1) if glyphs.printable(chr(c)) != (c in cmap)] == []
    assert glyphs.unprintable("".join(map(chr, range(0x3000, 0x3040)))) == []  # every punctuation mark
    assert glyphs.unprintable("反向传播的计算图\u9feb\u9fef") == ["\u9feb", "\u9fef"]
