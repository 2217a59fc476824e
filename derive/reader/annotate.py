"""The document written back with every judged claim marked: a short ✓ or ✗ note right after an inline
equation, on its own line after a display one (the truth and the likely mistake for a wrong number).

Markdown and LaTeX are annotated in their own syntax (nothing else in the text changes); a notebook
keeps its cells and gets the notes in its Markdown cells; an `.html` target is the annotated Markdown
on the project's offline KaTeX page.
"""

from __future__ import annotations

import json

from derive.model.precision import show
from derive.reader.document import DocumentReport, SpanResult
from derive.reader.spans import Text

RIGHT, WRONG = "✓", "✗"
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}", "%": r"\%",
                  "#": r"\#", "&": r"\&", "$": r"\$", "~": r"\~{}"}


def note(result: SpanResult, digits: int) -> str | None:
    """✓ when every judged link is right; ✗ with the truth and the likely mistake otherwise."""
    judged = [f.verdict for f in result.found if f.verdict.status in ("correct", "wrong", "carried")]
    if not judged:
        return None
    wrong = [v for v in judged if v.status == "wrong"]
    if not wrong:
        carried = [v.reason for v in judged if v.status == "carried"]
        return RIGHT + (f" ({carried[0]})" if carried else "")
    parts = []
    for v in wrong:
        text = f"truth {show(v.truth, digits).text}" if v.truth is not None else v.reason
        mistakes = "; ".join(e.split(":", 1)[0] for e in v.explanations)
        parts.append(text + (f" ({mistakes})" if mistakes else ""))
    reading = next((f.reading for f in result.found if f.reading), "")
    return f"{WRONG} " + "; ".join(dict.fromkeys(parts)) + (f" [{reading}]" if reading else "")


def _indent(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    line = text[start:offset]
    return line[: len(line) - len(line.lstrip(" "))]


def markdown(written: str, results: list[SpanResult], digits: int) -> str:
    """The Markdown as written with a note after each judged span (offsets are in its read text)."""
    body = Text.read(written)
    text, notes = body.text, []
    for r in results:
        mark = note(r, digits)
        if mark is None:
            continue
        if r.span.display:
            indent = _indent(text, r.span.start)
            after = text[r.span.block_end:r.span.block_end + 2]
            # a blank line ends the quote
            closing = "" if after in ("", "\n", "\n\n") or after.startswith("\n\r") else "\n"
            notes.append((r.span.block_end, f"\n\n{indent}> {_md_escape(mark)}{closing}"))
        else:
            notes.append((r.span.end, f" **{_md_escape(mark)}**" if mark == RIGHT else f" *{_md_escape(mark)}*"))
    return body.insert(notes)


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>$|#" else c for c in text)


def latex(written: str, results: list[SpanResult], digits: int) -> str:
    notes: list[tuple[int, str]] = []
    for r in results:
        mark = note(r, digits)
        if mark is None:
            continue
        escaped = "".join(_LATEX_SPECIAL.get(c, c) for c in mark)
        if r.span.display:
            notes.append((r.span.block_end, f"\n\\par\\noindent{{\\small {escaped}}}\\par"))
        else:
            notes.append((r.span.end, f"\\,{{\\small [{escaped}]}}"))
    return Text.read(written).insert(notes)


def annotated(kind: str, document: str, report: DocumentReport, digits: int) -> str:
    """The annotated document in its own format (md, tex or ipynb)."""
    if kind == "tex":
        return latex(document, list(report.spans), digits)
    if kind != "ipynb":
        return markdown(document, list(report.spans), digits)
    notebook = json.loads(document)
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        results = [r for r in report.spans if r.text.cell == number]
        if results:
            marked = markdown(results[0].text.original, results, digits)
            cell["source"] = marked.splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def as_markdown(kind: str, document: str, report: DocumentReport, digits: int) -> str:
    """The annotated document as one Markdown text (a notebook's Markdown cells in order), for the page."""
    if kind == "ipynb":
        from derive.reader.spans import notebook_cells

        parts = []
        for number, source in notebook_cells(document):
            results = [r for r in report.spans if r.text.cell == number]
            parts.append(markdown(source, results, digits))
        return "\n\n".join(parts)
    return markdown(document, list(report.spans), digits)


def html(kind: str, document: str, report: DocumentReport, digits: int, title: str) -> str:
    """The annotated Markdown on the offline KaTeX page of the notes."""
    from derive.notes import html as page

    text = as_markdown(kind, document, report, digits)
    lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"
    return page.page(text, title, lang, untrusted=True)
