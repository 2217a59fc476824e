"""A graded hand-in written back annotated, in its own format, from the one judgement its marks came from.

Every judged claim gets ✓, or ✗ with the truth and the mistake (`derive check --annotate`); an answer
that earns its credit though the checker alone would mark it ✗ (carried forward from the student's own
earlier answers, or within the tolerance of the digits asked) is marked ✓ with its mark's verdict; an
answer read from a form other than the maths says how it was read (`read "0,777" as 0.777`). The
hand-in's `variant:` and `student:` lines are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from derive.check.judging import Verdict
from derive.course.answers import Written
from derive.course.keyfile import Question
from derive.course.marking import Entry, Mark
from derive.model.precision import show
from derive.reader.document import DocumentReport

SHEET_DIGITS = 6  # the digits the annotated sheets show the truth with


def claims(text: str, entries: Sequence[Entry], questions: Sequence[Question], found: Sequence[Mark],
           how: Mapping[int, str]) -> str:
    """A claims file (its `variant:` and `student:` lines kept) with a comment after each judged line."""
    notes = {e.verdicts[0].line: note(e.verdicts) for e in entries} | answer_lines(questions, found, entries)
    lines = text.split("\n")
    return "\n".join(line + _comment(notes.get(n, ""), how.get(n, "")) for n, line in enumerate(lines, start=1))


def _comment(mark: str, how: str) -> str:
    text = "; ".join(part for part in (mark, how) if part)
    return f"  # {text}" if text else ""


def answer_lines(questions: Sequence[Question], found: Sequence[Mark], entries: Sequence[Entry]) -> dict[int, str]:
    """The line of each question's answer with its mark's note: ✓ (with the verdict when the checker
    alone would mark it ✗), or ✗ with the truth and the mistakes the mark names."""
    notes = {}
    for q, mark in zip(questions, found, strict=True):
        answer = next((e for e in reversed(entries) if e.target == q.name), None)
        if answer is not None:
            notes[answer.verdicts[0].line] = mark_note(mark, answer)
    return notes


def mark_note(mark: Mark, answer: Entry) -> str:
    if mark.credit == 1:
        return "✓" + (f" {mark.verdict}" if answer.verdicts[-1].status != "correct" and mark.verdict != "right" else "")
    return note(answer.verdicts, mark.mistakes)


def document(kind: str, text: str, report: DocumentReport, written: Sequence[tuple[Written, Entry]],
             questions: Sequence[Question], found: Sequence[Mark]) -> str:
    """A document annotated: its maths by `derive check --annotate`, its answers in the sheet's forms
    by a note at the end of their line (in the table cell of a table row)."""
    from derive.reader import annotate

    marks = {q.name: m for q, m in zip(questions, found, strict=True)}
    sheet = annotate.annotated(kind, text, _as_marked(report, marks), SHEET_DIGITS)
    notes: dict[str, str] = {}
    for w, e in written:
        if w.line:
            mark = mark_note(marks[e.target], e) if e.target in marks else note(e.verdicts)
            notes[w.line] = "; ".join(part for part in (mark, w.how) if part)
    return _marked_lines(kind, sheet, notes) if notes else sheet


def _as_marked(report: DocumentReport, marks: Mapping[str, Mark]) -> DocumentReport:
    """`report` as the marks judge it: the last span answering a question with full credit right, and a
    wrong verdict naming only the mistakes its question's mark names (none elsewhere)."""
    last = {f.target: k for k, s in enumerate(report.spans) for f in s.found if f.target in marks}

    def verdict(k: int, target: str, v: Verdict) -> Verdict:
        mark = marks.get(target) if last.get(target) == k else None
        if mark is not None and mark.credit == 1:
            return replace(v, status="correct")
        return replace(v, explanations=tuple(f"{name}:" for name in mark.mistakes) if mark is not None else ())

    spans = tuple(replace(s, found=tuple(replace(f, verdict=verdict(k, f.target, f.verdict)) for f in s.found))
                  for k, s in enumerate(report.spans))
    return replace(report, spans=spans)


def _marked_lines(kind: str, sheet: str, notes: Mapping[str, str]) -> str:
    """The annotated sheet with a note after each line read in the sheet's forms (a Markdown text, or a
    notebook's Markdown cells), in the style of the notes after inline maths: **✓**, or *✗ truth ...*."""
    def marked(text: str) -> str:
        # the sheet's own line ends kept (a Windows or old Mac hand-in is annotated as it was saved)
        parts = re.split(r"(\r\n|\r|\n)", text)
        return "".join(_marked(p, notes[p]) if k % 2 == 0 and notes.get(p) else p for k, p in enumerate(parts))

    if kind != "ipynb":
        return marked(sheet)
    notebook = json.loads(sheet)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cell["source"] = marked("".join(source) if isinstance(source, list) else source).splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _marked(line: str, text: str) -> str:
    shown = f"**{text}**" if text.startswith("✓") and ";" not in text and len(text) < 3 else f"*{text}*"
    stripped = line.rstrip()
    if stripped.endswith("|") and stripped.lstrip().startswith("|"):  # a table row: inside its last cell
        return f"{stripped[:-1].rstrip()} {shown} |"
    return f"{line} {shown}"


def note(verdicts: Iterable[Verdict], named: Sequence[str] = ()) -> str:
    """✓, or ✗ with the truth (and the mistakes `named`, the ones the question's mark names)."""
    judged = [v for v in verdicts if v.status in ("correct", "wrong")]
    wrong = [v for v in judged if v.status == "wrong"]
    if not judged:
        return ""
    if not wrong:
        return "✓"
    parts = [(f"truth {show(v.truth, SHEET_DIGITS).text}" if v.truth is not None else v.reason) for v in wrong]
    return "✗ " + "; ".join(dict.fromkeys(parts)) + (f" ({'; '.join(named)})" if named else "")
