"""The class's grades in the layouts learning platforms import.

`moodle-grades.csv` is Moodle's assignment grading worksheet (Assignment > View all submissions >
Grading action > Upload grading worksheet): it matches rows by `Identifier` (`Participant 1234567`,
the number Moodle's "download all submissions" puts in each student's folder name) and reads `Grade`,
`Last modified (grade)` (`-`: no date, so no grade changed in Moodle since is overwritten unasked) and
`Feedback comments`. `canvas-grades.csv` is Canvas's gradebook import (Grades > Import): `Student, ID,
SIS User ID, SIS Login ID, Section` and one column per assignment, after a `Points Possible` row; `ID`
is the Canvas user id its "download submissions" puts in each file's name. A hand-in whose file name
carries no such id has its row with the id empty, for the teacher to fill in; an unreadable hand-in's
grade is left empty (imported as no change, never as 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from derive.course import spreadsheet
from derive.course.cells import credit_text
from derive.course.grading import Graded, Key, Unreadable

MOODLE = "moodle-grades.csv"
CANVAS = "canvas-grades.csv"
FILES = (MOODLE, CANVAS)
MOODLE_HEADER = ["Identifier", "Full name", "Grade", "Maximum Grade", "Last modified (grade)", "Feedback comments"]
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def files(key: Key, results: Sequence[Graded | Unreadable]) -> dict[str, str]:
    return {MOODLE: moodle(key, results), CANVAS: canvas(key, results)}


def _csv(rows: list[list[str]]) -> str:
    return spreadsheet.csv_text(rows)  # no cell a spreadsheet would run as a formula


def moodle(key: Key, results: Sequence[Graded | Unreadable]) -> str:
    """Moodle's grading worksheet: a row per hand-in, its grade the total (out of the questions asked)."""
    most = str(len(key.claims))
    rows = [MOODLE_HEADER]
    for r in results:
        ident = f"Participant {r.platform_id}" if r.platform == "moodle" else ""
        if isinstance(r, Unreadable):
            rows.append([ident, r.student or r.file, "", most, "-", f"not graded: unreadable ({r.reason})"])
        else:
            rows.append([ident, r.student, credit_text(r.total), most, "-", feedback(r)])
    return _csv(rows)


def canvas(key: Key, results: Sequence[Graded | Unreadable]) -> str:
    """Canvas's gradebook import: one assignment column, `derive <network>`, after the points possible."""
    column = f"derive {key.network}"
    rows = [[*CANVAS_HEADER, column], ["    Points Possible", "", "", "", "", str(len(key.claims))]]
    for r in results:
        ident = r.platform_id if r.platform == "canvas" else ""
        grade = credit_text(r.total) if isinstance(r, Graded) else ""
        rows.append([r.student or r.file, ident, "", "", "", grade])
    return _csv(rows)


def feedback(r: Graded) -> str:
    """A student's feedback: each question not fully right, with its verdict."""
    lost = [f"{m.claim}: {m.verdict}" for m in r.marks if m.credit < 1]
    return "; ".join(lost) if lost else "all right"
