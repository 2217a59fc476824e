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


def _passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The XeTeX runs compile_many makes, recorded as it makes them."""
    runs: list[str] = []
    real = pdf._run

    def counted(argv: list[str], cwd):  # type: ignore[no-untyped-def]
        if argv[0] == "xelatex":
            runs.append(argv[-1])
        return real(argv, cwd)

    monkeypatch.setattr(pdf, "_run", counted)
    return runs


def test_sheets_with_short_tables_take_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _sheets("mazur", "en", 2)
    assert r"\begin{tabular}" in documents[0][1] and "longtable}{" not in documents[0][1]
    runs = _passes(monkeypatch)
    made = pdf.compile_many(documents)
    assert runs == ["batch.tex"]  # one batch, one pass: its .aux holds nothing a page reads back
    monkeypatch.undo()
    assert made == [pdf.compile_tex(tex, name) for name, tex in documents]  # its own run's two passes give the same


def test_a_long_table_is_a_longtable_settled_in_a_second_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "PAGE_ROWS", 3)  # the numbers' table no longer fits a page's share
    documents = _sheets("mazur", "en", 2)
    assert r"\begin{longtable}{ll}" in documents[0][1] and r"\begin{tabular}{rllcl}" in documents[0][1]
    runs = _passes(monkeypatch)
    made = pdf.compile_many(documents)
    assert runs == ["batch.tex", "batch.tex"]  # the column widths written by the first pass are read back
    monkeypatch.undo()
    assert made == [pdf.compile_tex(tex, name) for name, tex in documents]
