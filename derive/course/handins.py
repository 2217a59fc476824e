"""Hand-ins: the files of a class (claims, Markdown, LaTeX, notebooks) or one CSV of answers, each read
into its student, its variant and the text the checker judges.

A hand-in names its variant in a line `variant: <id>` and may name its student in a line
`student: <name>` (else its file name without the extension is the student). Those lines are blanked
before checking, so line numbers stay the document's own.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from derive.check.claims import parse
from derive.model import reading
from derive.reader.spans import DocumentError, notebook_cells

MAX_BYTES = 2_000_000
MAX_HANDINS = 100_000
KINDS = {".md": "md", ".markdown": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb"}
# `variant: 7` alone on its line, after any Markdown or LaTeX markup (#, >, %, *, -), bold (`**variant: 7**`,
# `\textbf{variant: 7}`) or not
_FIELD = (r"^[ \t]*(?:[#>%*\-][ \t]*)*(?:\\(?:textbf|emph|textit|texttt)\{{)?(?:\*\*|__)?{name}(?:\*\*|__)?[ \t]*:"
          r"(?:\*\*|__)?[ \t]*(?P<value>[^\n]*?)[ \t]*(?:\*\*|__|\}})?[ \t]*(?:\\\\)?[ \t]*$")
_VARIANT = re.compile(_FIELD.format(name="variant"), re.IGNORECASE | re.MULTILINE)
_STUDENT = re.compile(_FIELD.format(name="student"), re.IGNORECASE | re.MULTILINE)
_ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}\Z")


class HandInError(ValueError):
    """A hand-in that cannot be graded: the reason, for its `unreadable: <reason>` row."""


class SubmissionsError(ValueError):
    """The submissions as a whole are unusable (an empty folder, a CSV without its columns): one line."""


@dataclass(frozen=True)
class Source:
    """Where a hand-in comes from: a file of the folder, or a row of the CSV (already read)."""

    file: str  # as shown in the report: the file's name, or `answers.csv:3` for a row
    path: str | None  # the file to read, in the worker
    student: str = ""
    variant: str = ""
    text: str = ""  # a CSV row's answers as claims


@dataclass(frozen=True)
class HandIn:
    file: str
    student: str
    variant: str
    kind: str  # md | tex | ipynb | claims
    text: str  # the document, or the claims, as the checker reads it


def sources(path: Path, questions: Sequence[str] | None = None) -> list[Source]:
    """The hand-ins of a folder (sorted by name, hidden files left out) or of one CSV file (whose
    answers must name at least one of `questions`, the key's claims, when given)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if not p.name.startswith(".") and not p.is_dir())
        if not files:
            raise SubmissionsError(f"{path}: no hand-ins in this folder")
        if len(files) > MAX_HANDINS:
            raise SubmissionsError(f"{path}: more than {MAX_HANDINS} hand-ins")
        return [Source(p.name, str(p)) for p in files]
    if path.is_file():
        return csv_sources(path, questions)
    raise SubmissionsError(f"{path}: no such folder or CSV file")


def csv_sources(path: Path, questions: Sequence[str] | None = None) -> list[Source]:
    """One hand-in per row: `student`, `variant` and one column per question (headed by its claim, as
    `dE_total/dw5`), or per student: `student`, `variant`, `question`, `answer` rows."""
    try:
        text = reading.read_bytes(path, 50 * MAX_BYTES).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except reading.ReadError as exc:
        raise SubmissionsError(f"{path}: {exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SubmissionsError(f"{path}: not a UTF-8 CSV file ({exc})") from None
    columns = list(rows[0]) if rows else []
    if "student" not in columns or "variant" not in columns:
        raise SubmissionsError(f"{path}: expected a CSV whose header has student, variant and answer columns")
    long = "question" in columns and "answer" in columns
    found = _long_rows(path, rows) if long else _wide_rows(path, rows, columns)
    if not found:
        raise SubmissionsError(f"{path}: no answers in this CSV file")
    named = {_cell(r.get("question")) for r in rows} if long else {_cell(c) for c in columns}
    if questions is not None and not named & set(questions):
        where = "question cell" if long else "column"
        raise SubmissionsError(f"{path}: no {where} names a question of the key (expected its claims: "
                               f"{', '.join(questions[:6])})")
    return found


def _wide_rows(path: Path, rows: list[dict[str, str | None]], columns: list[str]) -> list[Source]:
    questions = [c for c in columns if c not in ("student", "variant") and c]
    found = []
    for number, row in enumerate(rows, start=2):
        claims = "".join(f"{q} = {_cell(row.get(q))}\n" for q in questions if _cell(row.get(q)))
        found.append(Source(f"{path.name}:{number}", None, _cell(row.get("student")) or f"row {number}",
                            _cell(row.get("variant")), claims))
    return found


def _long_rows(path: Path, rows: list[dict[str, str | None]]) -> list[Source]:
    grouped: dict[tuple[str, str], list[str]] = {}
    first: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=2):
        who = (_cell(row.get("student")), _cell(row.get("variant")))
        first.setdefault(who, number)
        if _cell(row.get("question")) and _cell(row.get("answer")):
            grouped.setdefault(who, []).append(f"{_cell(row.get('question'))} = {_cell(row.get('answer'))}\n")
    return [Source(f"{path.name}:{first[who]}", None, who[0] or f"row {first[who]}", who[1],
                   "".join(grouped.get(who, []))) for who in first]


def _cell(value: str | None) -> str:
    return " ".join((value or "").split())  # a newline in a cell would start another claim


def read(source: Source) -> HandIn:
    """The hand-in of `source`: its text read, its kind, student and variant found; HandInError if not."""
    if source.path is None:
        return HandIn(source.file, source.student, _variant_id(source.variant, "no variant in its row"), "claims",
                      source.text)
    path = Path(source.path)
    if path.is_symlink():  # an archive's link may name any file of the teacher's (its sheet would show it)
        raise HandInError("a symbolic link, not read (it may point anywhere, outside the folder too)")
    try:
        text = reading.read_bytes(path, MAX_BYTES).decode("utf-8-sig")
    except reading.ReadError as exc:
        raise HandInError(str(exc)) from None
    except UnicodeDecodeError:
        raise HandInError("expected UTF-8 text") from None
    kind = _kind(path, text)
    fields = _fields_text(kind, text)
    variant = _one(_VARIANT, fields, "variant")
    student = _one(_STUDENT, fields, "student") or path.stem
    return HandIn(source.file, student, _variant_id(variant), kind, _blanked(kind, text))


def _kind(path: Path, text: str) -> str:
    """As `derive check` reads a file: by its extension; a .txt file of claims only is a claims file."""
    kind = KINDS.get(path.suffix.lower(), "claims")
    if path.suffix.lower() == ".txt":
        claims, refused = parse(_blanked("claims", text))
        return "claims" if claims and not refused else "md"
    return kind


def _fields_text(kind: str, text: str) -> str:
    """Where `variant:` and `student:` lines are looked for: a notebook's Markdown cells, else the text."""
    if kind != "ipynb":
        return text
    try:
        return "\n".join(source for _, source in notebook_cells(text))
    except DocumentError as exc:
        raise HandInError(str(exc)) from None


def _one(pattern: re.Pattern[str], text: str, name: str) -> str:
    values = list(dict.fromkeys(m["value"] for m in pattern.finditer(text)))
    if len(values) > 1:
        raise HandInError(f"{len(values)} different `{name}:` lines ({', '.join(map(repr, values[:3]))})")
    return values[0] if values else ""


def _variant_id(value: str, missing: str = "no line `variant: <id>` names the variant") -> str:
    if not value:
        raise HandInError(missing)
    if not _ID.match(value):
        raise HandInError(f"variant {value[:40]!r}: expected letters, digits, ., _ or -")
    return value


def _blanked(kind: str, text: str) -> str:
    """The claims of a claims file without the `variant:` and `student:` lines (left empty, so the lines
    keep their numbers); a document keeps them, as text they are no claims."""
    if kind != "claims":
        return text
    return _STUDENT.sub("", _VARIANT.sub("", text))
