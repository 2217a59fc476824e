"""Answers written outside a hand-in's maths, in the forms an exercise sheet invites: a line in the
sheet's form (`out_o1 = 0.777`, in a list, in backticks or a code block), the same with a colon or an
approximate sign (`out_o1: 0.777`, `out_o1 ≈ 0.777`), a decimal comma (`0,777`), a Markdown table (the
sheet's own table with its answer column filled, or a student's `| out_o1 | 0.777 |`) and a notebook's
printed output (`out_o1 = 0.7765...` under a code cell).

Each answer read keeps where it was and how it was read (`read "0,777" as 0.777`), for the annotated
sheet and the report; a line that names a question and holds a number but could not be read is listed
as not read, with the reason, never silently dropped. Nothing is evaluated: a line becomes a claim
text that the checker's own grammar reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from derive.check.claims import parse

# a Markdown list's or quote's marker before a line (`- out_o1 = 0.777`, `1. ...`, `> ...`)
_MARKUP = re.compile(r"^[ \t]*(?:(?:[-*+>]|\d{1,3}[.)])[ \t]+)*")
# what stands between a quantity and its number, besides `=`
_RELATION = re.compile(r"≈|≃|~=|\\approx|＝|=|：|:|~")
_NUMBER = re.compile(r"(?P<sign>[-−+]?)(?P<whole>\d+)(?:(?P<point>[.,])(?P<part>\d+))?"
                     r"(?:(?:[eE](?P<exp>[-−+]?\d+))|\s*(?:[×x*·]|\\times|\\cdot)\s*10\s*\^\s*\{?(?P<power>[-−+]?\d+)\}?)?\Z")
_TABLE_RULE = re.compile(r"\|?[ \t]*:?-{3,}:?(?:[ \t]*\|[ \t]*:?-{3,}:?)*[ \t]*\|?")
# headers of the column an answer is written in: the sheets' own (en, zh) and the usual words
ANSWER_HEADERS = ("your answer", "你的答案", "answer", "答案", "value", "数值", "result", "结果")
OUTPUT_LIMIT = 200_000  # characters of a notebook's printed output read for answers
# a line of a claims text that needs no other reading: `name = number`, or empty
_PLAIN_LINE = re.compile(r"[ \t]*(?:[\w/@\[\]]+[ \t]*=[ \t]*[-+]?[\d.]+(?:e[-+]?\d+)?[ \t]*)?")


@dataclass(frozen=True)
class Written:
    """An answer written outside the maths, read as a claim."""

    line: str  # the line as the hand-in has it (its note goes after it on the sheet); "" for printed output
    claim: str  # the claim it was read as (`out_o1 = 0.777`)
    how: str  # how it was read (`read "0,777" as 0.777`), "" when read as written
    where: str  # `line 7`, `cell 3, line 2`, `the output of cell 5`


@dataclass(frozen=True)
class Unread:
    """Something that looks like an answer and was not read: where, what, why."""

    where: str
    text: str
    reason: str


@dataclass(frozen=True)
class Questions:
    """What the reader needs of the key: the questions by claim and by the checker's name, the names table."""

    claims: tuple[str, ...]  # `out_o1`, `dE_total/dw5`
    names: frozenset[str]  # the checker's names of the questions
    glyphs: object  # the checker's names table for the network (latex.glyph_names)


def number(text: str) -> tuple[str, str] | None:
    """A number as written (`0,777`, `−0.5`, `1.5 × 10^-3`), as the claims grammar writes it, and how it
    was read ("" when as written); None when it is not one number."""
    bare = text.strip().strip("$").strip("*").strip("`").strip()
    match = _NUMBER.match(bare)
    if match is None:
        return None
    sign = "-" if match["sign"] in ("-", "−") else ""
    value = sign + match["whole"] + (f".{match['part']}" if match["point"] else "")
    exponent = match["exp"] or match["power"]
    if exponent:
        value += "e" + exponent.replace("−", "-")
    return value, ("" if value == bare else f'read "{bare}" as {value}')


def read_line(line: str, q: Questions) -> Written | str | None:
    """An answer on one line (its `where` left empty), or why a line about a question was not read, or
    None for a line that is no answer."""
    bare = _bare(line)
    if not bare or "$" in bare or "\\(" in bare or "\\[" in bare:  # maths: the document reader's
        return None
    if "..." in bare or "…" in bare:  # the sheet's example of the form (`out_o1 = ...`), copied
        return None
    if "=" in bare:
        claims, refused = parse(bare, q.glyphs)  # type: ignore[arg-type]
        if claims and not refused:
            return Written(line, bare, "", "")
    found = _normalised(bare, q)
    if found is not None:
        return Written(line, found[0], found[1], "")
    if _about_a_question(bare, q) and any(c.isdigit() for c in bare):
        return "not in a form that is read (a quantity, =, :, or ≈, then one number)"
    return None


def _bare(line: str) -> str:
    bare = _MARKUP.sub("", line).strip()
    for mark in ("**", "__", "`"):
        if bare.startswith(mark) and bare.endswith(mark) and len(bare) > 2 * len(mark):
            bare = bare[len(mark):-len(mark)].strip()
    return bare


def _normalised(bare: str, q: Questions) -> tuple[str, str] | None:
    """`quantity rel number` with rel one of = : ≈ ~ (a colon or approximate sign, a decimal comma):
    the claim, and how it was read."""
    relation = _RELATION.search(bare)
    if relation is None or relation.start() == 0:
        return None
    left, right = bare[:relation.start()].strip().strip("`*$").strip(), bare[relation.end():].strip()
    value = number(right)
    name = question_name(left, q)
    if value is None or name is None:
        return None
    claim = f"{left} = {value[0]}"
    return claim, ("" if claim == bare else f'read "{bare}" as {claim}')


def question_name(text: str, q: Questions) -> str | None:
    """The checker's name of the question `text` names (`out_o1`, `$out_{o1}$`), else None."""
    text = text.strip().strip("`*$").strip()
    if not text or len(text) > 120:
        return None
    claims, refused = parse(f"{text} = 0", q.glyphs)  # type: ignore[arg-type]
    if refused or len(claims) != 1 or claims[0].target.name not in q.names:
        return None
    return claims[0].target.name


def _about_a_question(text: str, q: Questions) -> bool:
    return any(re.search(rf"(?<![\w/@]){re.escape(claim)}(?![\w@/\[])", text) for claim in q.claims)


def read_text(text: str, q: Questions, cell: int | None = None) -> tuple[list[Written], list[Unread]]:
    """Every answer of a Markdown text (a document or a notebook's Markdown cell) outside its maths:
    lines in the sheet's forms and the rows of its tables."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    written: list[Written] = []
    unread: list[Unread] = []
    header: list[str] | None = None
    for index, line in enumerate(lines):
        where = f"line {index + 1}" if cell is None else f"cell {cell}, line {index + 1}"
        if _is_row(line):
            rows = _cells(line)
            if index + 1 < len(lines) and _TABLE_RULE.fullmatch(lines[index + 1].strip()):
                header = [c.lower() for c in rows]
                continue
            found: Written | str | None = _table_row(line, rows, header, q)
        else:
            header = None if not _TABLE_RULE.fullmatch(line.strip()) else header
            found = read_line(line, q)
        if isinstance(found, Written):
            written.append(Written(found.line, found.claim, found.how, where))
        elif found:
            unread.append(Unread(where, line.strip()[:120], found))
    return written, unread


def _is_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2 and not _TABLE_RULE.fullmatch(line.strip())


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:]
    inner = inner.removesuffix("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def _table_row(line: str, cells: list[str], header: list[str] | None, q: Questions) -> Written | str | None:
    """A table row naming a question: its answer is in the header's answer column, else in the cell
    after the one naming the question (the last of the row)."""
    named = next(((k, name) for k, c in enumerate(cells) if (name := question_name(c, q)) is not None), None)
    if named is None:
        return None
    column = next((k for k, h in enumerate(header or []) if h.strip("* ") in ANSWER_HEADERS), None)
    if column is None and named[0] == len(cells) - 2:
        column = named[0] + 1
    if column is None or column >= len(cells) or not cells[column]:
        return None  # a row of the question with no answer in it: not answered
    value = number(cells[column])
    if value is None:
        return f"the answer cell {cells[column][:40]!r} is not one number"
    left = cells[named[0]].strip("`*$ ")
    how = "read from its table row" + (f"; {value[1]}" if value[1] else "")
    return Written(line, f"{left} = {value[0]}", how, "")


def read_outputs(notebook: str, q: Questions) -> tuple[list[Written], list[Unread]]:
    """Answers printed by a notebook's code cells (`out_o1 = 0.7765`, `out_o1: 0.7765`, `out_o1 0.7765`):
    the cells are never run, their saved output is read as text."""
    written: list[Written] = []
    unread: list[Unread] = []
    for number_, text in _outputs(notebook):
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            found = read_line(line, q) or _spaced(line, q)
            where = f"the output of cell {number_}"
            if isinstance(found, Written):
                how = f"read from the printed output of cell {number_}" + (f"; {found.how}" if found.how else "")
                written.append(Written("", found.claim, how, where))
            elif found:
                unread.append(Unread(where, line.strip()[:120], found))
    return written, unread


def _spaced(line: str, q: Questions) -> Written | None:
    """`out_o1 0.7765` (a name and a number printed side by side)."""
    parts = line.split()
    if len(parts) != 2 or question_name(parts[0], q) is None or number(parts[1]) is None:
        return None
    value = number(parts[1])
    assert value is not None
    return Written(line, f"{parts[0]} = {value[0]}", "", "")


def _outputs(notebook: str) -> Iterable[tuple[int, str]]:
    """(cell number, printed text) of every code cell's stream and text/plain outputs."""
    cells = json.loads(notebook).get("cells", [])
    budget = OUTPUT_LIMIT
    for number_, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or not isinstance(cell.get("outputs"), list):
            continue
        for output in cell["outputs"]:
            text = _output_text(output)[:budget]
            budget -= len(text)
            if text:
                yield number_, text


def _output_text(output: object) -> str:
    if not isinstance(output, dict):
        return ""
    value = output.get("text") if output.get("output_type") == "stream" else \
        (output.get("data") or {}).get("text/plain") if isinstance(output.get("data"), dict) else None
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return value if isinstance(value, str) else ""


def claims_text(text: str, q: Questions) -> tuple[str, dict[int, str], list[Unread]]:
    """A claims file with the lines its grammar refuses read in the sheet's other forms (`out_o1: 0.777`,
    `0,777`): the text with those lines replaced by their claims (line numbers kept), how each was read by
    line, and the lines about a question that could not be read."""
    if all(_PLAIN_LINE.fullmatch(line) for line in text.split("\n")):  # the sheet's own form: nothing to do
        return text, {}, []
    _, refused = parse(text, q.glyphs)  # type: ignore[arg-type]
    lines = text.split("\n")
    how: dict[int, str] = {}
    unread: list[Unread] = []
    for number_, _reason in refused:
        found = _normalised(_bare(lines[number_ - 1]), q)
        if found is not None:
            lines[number_ - 1], how[number_] = found
        elif _about_a_question(lines[number_ - 1], q):
            unread.append(Unread(f"line {number_}", lines[number_ - 1].strip()[:120], _reason))
    return "\n".join(lines), how, unread


def not_understood(spans: Sequence[tuple[str, str, str]]) -> list[Unread]:
    """The maths a document reader could not map, as (where, source, reason), that holds `=` and a digit."""
    return [Unread(where, source.strip()[:120], reason) for where, source, reason in spans
            if "=" in source and any(c.isdigit() for c in source)]
