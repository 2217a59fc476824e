"""A teacher's own marks, merged into the class's grades: a CSV of `student, question, marks, comment`.

Each row sets one question's credit (`marks`, from 0 to 1: the share of the question's point) for one
hand-in, named by its student (as the report names them, case and spaces aside) or by its file; the
verdict becomes `marked by hand` with the comment. A hand-in that could not be read gets a row of marks
too (the teacher graded the scan): its questions without a mark are 0. A row naming no hand-in, two
hand-ins, no question of the key, or a mark outside 0 to 1 is unusable input: one line naming the row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from derive.course.grading import Graded, Key, Unreadable
from derive.course.handins import shown
from derive.course.marking import Mark
from derive.model import reading

MAX_BYTES = 10_000_000


class MarksError(ValueError):
    """The marks file is unusable: one line naming the file, its row and what was expected."""


def read(path: Path) -> list[tuple[int, str, str, Fraction, str]]:
    """(line, student, question, credit, comment) of each row of a marks CSV."""
    name = shown(str(path))
    try:
        text = reading.read_bytes(path, MAX_BYTES).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except reading.ReadError as exc:
        raise MarksError(f"{name}: {exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise MarksError(f"{name}: not a UTF-8 CSV file ({exc})") from None
    if not rows or not {"student", "question", "marks"} <= set(rows[0]):
        raise MarksError(f"{name}: expected a CSV whose header has student, question, marks (and comment)")
    return [(number, _cell(row, "student"), _cell(row, "question"), _credit(name, number, _cell(row, "marks")),
             _cell(row, "comment")) for number, row in enumerate(rows, start=2)]


def _cell(row: dict[str, str | None], column: str) -> str:
    return " ".join((row.get(column) or "").split())


def _credit(name: str, number: int, text: str) -> Fraction:
    try:
        value = Decimal(text.replace(",", ".")) if len(text) <= 20 else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 1:
        raise MarksError(f"{name}: line {number}: marks: expected a number from 0 to 1 (the share of the "
                         f"question's point), got {text[:20]!r}")
    return Fraction(value)


def merged(key: Key, results: Sequence[Graded | Unreadable], path: Path) -> list[Graded | Unreadable]:
    """`results` with the marks of `path` in place of the grader's."""
    found = list(results)
    name = shown(str(path))
    for number, student, question, credit, comment in read(path):
        if question not in key.claims:
            raise MarksError(f"{name}: line {number}: question: expected one of the key's questions "
                             f"({', '.join(key.claims[:6])}), got {question[:40]!r}")
        index = _hand_in(found, name, number, student)
        found[index] = _marked(key, found[index], question, credit, comment)
    return found


def _hand_in(results: Sequence[Graded | Unreadable], name: str, number: int, student: str) -> int:
    """The one hand-in a row names, by its student or its file."""
    wanted = " ".join(student.casefold().split())
    matches = [i for i, r in enumerate(results)
               if wanted in (" ".join(r.student.casefold().split()), r.file.casefold())]
    if len(matches) != 1:
        files = ", ".join(results[i].file for i in matches[:3])
        what = f"{len(matches)} hand-ins ({files}: name the file instead)" if matches else "no hand-in"
        raise MarksError(f"{name}: line {number}: student: {student[:60]!r} names {what}")
    return matches[0]


def _marked(key: Key, r: Graded | Unreadable, question: str, credit: Fraction, comment: str) -> Graded:
    verdict = "marked by hand" + (f": {comment}" if comment else "")
    if isinstance(r, Unreadable):
        why = f"not graded: unreadable ({r.reason})"
        marks = tuple(Mark(c, Fraction(0), why, (), False, None) for c in key.claims)
        r = Graded(r.file, r.student or r.file, r.variant, marks, "claims", "", platform=r.platform,
                   platform_id=r.platform_id)
    marks = tuple(replace(m, credit=credit, verdict=verdict, mistakes=(), carried_forward=False)
                  if m.claim == question else m for m in r.marks)
    return replace(r, marks=marks)
