"""PDFs typeset many at a time: each document cut out of a batch's TeX run is byte for byte the PDF
its own run makes (English and Chinese sheets); a batch TeX cannot typeset falls back to one run per
document, whose error names what is wrong."""

from __future__ import annotations

import shutil

import pytest

from derive.course import exercise, sheets
from derive.model import spec
from derive.notes import pdf

pytestmark = pytest.mark.skipif(bool(pdf.missing_tools()), reason="latexmk, xelatex and xdvipdfmx are needed")


def _sheets(preset: str, lang: str, count: int) -> list[tuple[str, str]]:
    ex = exercise.build(spec.load_preset(preset), preset, count, 1)
    return [(f"variant-{v.id}", sheets.latex(ex, v, lang, "classic")) for v in ex.variants]


@pytest.mark.parametrize("preset, lang, count", [("mazur", "en", 4), ("gender", "zh", 2)])
def test_each_cut_document_is_the_pdf_of_its_own_run(preset: str, lang: str, count: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "BATCH_MIN", 2)  # two batches side by side where there are two cores
    documents = _sheets(preset, lang, count)
    assert pdf.compile_many(documents) == [pdf.compile_tex(tex, name) for name, tex in documents]


def test_a_batch_tex_cannot_typeset_is_compiled_one_by_one() -> None:
    good = _sheets("mazur", "en", 2)
    broken = ("broken", good[0][1].replace(r"\section*", r"\undefinedcommand\section*", 1))
    with pytest.raises(pdf.PdfFailed) as failed:
        pdf.compile_many([good[1], broken])
    assert "Undefined control sequence" in str(failed.value) and "undefinedcommand" in failed.value.log


def test_a_document_without_the_usual_frame_is_compiled_alone() -> None:
    plain = r"\documentclass{article}\begin{document}Hello\end{document} % after the end"
    assert pdf.compile_many([("plain", plain)]) == [pdf.compile_tex(plain, "plain")]


def test_the_tools_are_named_when_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda tool: None if tool == "xdvipdfmx" else "/usr/bin/" + tool)
    with pytest.raises(pdf.PdfToolsMissing, match="xdvipdfmx not found"):
        pdf.compile_many(_sheets("mazur", "en", 1))
