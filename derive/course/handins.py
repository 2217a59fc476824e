"""Hand-ins: the files of a class (claims, Markdown, LaTeX, notebooks, HTML) or CSVs of answers, each read
into its student, its variant and the text the checker judges.

A folder is walked as a learning platform's "download all submissions" leaves it: files at its top, in
one folder per student (Moodle: `Ada Lovelace_1234567_assignsubmission_file_/`), or named with the
student's id (Canvas: `lovelaceada_1234_56789_homework.md`); a CSV inside holds one hand-in per row.
Symbolic links are never followed, hidden entries are left out, and an entry that is not graded (a
link, a PDF, a FIFO) is listed with its reason. A hand-in names its variant in a line `variant: <id>`
(or the sheet's own `**Variant 7**`) and may name its student in a line `student: <name>` (or on the
sheet's name line); else the platform's name, else its file name without the extension, is the
student. Windows (CRLF) and old Mac (CR) line endings are read as line ends.
"""

from __future__ import annotations

import csv
import html.parser
import io
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from derive.check.claims import parse
from derive.model import identifiers, reading

MAX_BYTES = 2_000_000
MAX_HANDINS = 100_000
MAX_DEPTH = 4  # folders inside the class's folder (a student's folder, and the folders of what they uploaded)
KINDS = {".md": "md", ".markdown": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb", ".html": "html",
         ".htm": "html"}
# files a student may upload beside a hand-in that derive does not read: listed, not graded
NOT_READ = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".gif", ".heic", ".webp", ".bmp", ".tif", ".tiff", ".doc",
                      ".docx", ".odt", ".rtf", ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".zip", ".7z", ".rar",
                      ".tar", ".gz", ".py", ".m", ".mp4", ".mov"})
# `variant: 7` alone on its line, after any Markdown or LaTeX markup (#, >, %, *, -), bold (`**variant: 7**`,
# `\textbf{variant: 7}`) or not; the rest of the line is its value, its closing markup taken off in
# Python (a pattern that took it off could backtrack for long on a line of spaces)
_FIELD = (r"^[ \t]*(?:[#>%*\-][ \t]*)*(?:\\(?:textbf|emph|textit|texttt)\{{)?(?:\*\*|__)?{name}(?:\*\*|__)?[ \t]*:"
          r"(?P<value>[^\n]*)$")
_VARIANT = re.compile(_FIELD.format(name="variant"), re.IGNORECASE | re.MULTILINE)
_STUDENT = re.compile(_FIELD.format(name="student"), re.IGNORECASE | re.MULTILINE)
_CLOSING = " \t*_}\\"  # what may close a field's line: spaces, bold, a brace, LaTeX's line break
# the sheet's own head line, copied: `**Variant 7** · Name: ....` (`**第 7 套** · 姓名：....`)
_SHEET_VARIANT = re.compile(r"^[ \t]*(?:#+[ \t]*)?(?:\*\*|__)?(?:Variant[ \t]+(?P<en>[A-Za-z0-9_.\-]{1,40})|"
                            r"第[ \t]*(?P<zh>[A-Za-z0-9_.\-]{1,40})[ \t]*套)(?:\*\*|__)?(?P<rest>[^\n]*)$",
                            re.MULTILINE)
_SHEET_NAME = re.compile(r"(?:^|·)[ \t]*(?:\*\*)?(?:Name|姓名)(?:\*\*)?[ \t]*[:：](?P<value>[^\n]*)$", re.MULTILINE)
_ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}\Z")
# the names "download all submissions" gives: Moodle's folder (or file) per student, Canvas's file
_MOODLE = re.compile(r"(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<rest>.*)\Z", re.DOTALL)
_CANVAS = re.compile(r"(?P<name>[a-z][a-z0-9\-]*)_(?:late_|LATE_)?(?P<id>\d{2,})_(?P<attachment>\d{3,})_(?P<rest>.+)\Z",
                     re.DOTALL)


class HandInError(ValueError):
    """A hand-in that cannot be graded: the reason, for its `unreadable: <reason>` row."""


class SubmissionsError(ValueError):
    """The submissions as a whole are unusable (an empty folder, a CSV without its columns): one line."""


@dataclass(frozen=True)
class Source:
    """Where a hand-in comes from: a file of the folder, or a row of a CSV (already read)."""

    file: str  # as shown in the report: the path in the folder, or `answers.csv:3` for a row
    path: str | None  # the file to read, in the worker
    student: str = ""  # a CSV row's student, or the name a platform gave the file
    variant: str = ""
    text: str = ""  # a CSV row's answers as claims
    platform: str = ""  # moodle | canvas: whose "download all submissions" named the file
    platform_id: str = ""  # the participant (Moodle) or user (Canvas) id in that name


@dataclass(frozen=True)
class Skipped:
    """An entry of the folder that is not graded, and why."""

    file: str
    reason: str


@dataclass(frozen=True)
class Submissions:
    sources: tuple[Source, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class HandIn:
    file: str
    student: str
    variant: str
    kind: str  # md | tex | ipynb | claims
    text: str  # the document, or the claims, as the checker reads it (line ends made \n)
    original: str = ""  # the text as handed in, its `variant:` and `student:` lines kept (a claims file's)


def sources(path: Path, questions: Sequence[str] | None = None) -> list[Source]:
    """The hand-ins of a folder (sorted by name, hidden files left out) or of one CSV file (whose
    answers must name at least one of `questions`, the key's claims, when given)."""
    return list(collect(path, questions).sources)


def collect(path: Path, questions: Sequence[str] | None = None) -> Submissions:
    """The hand-ins of a folder (walked as `sources` says) or a CSV, and the entries left out with why."""
    if path.is_dir() and not path.is_symlink():
        found: list[Source] = []
        skipped: list[Skipped] = []
        _walk(path, path, 0, questions, found, skipped)
        if not found:
            raise SubmissionsError(f"{shown(str(path))}: no hand-ins in this folder"
                                   + (f" ({len(skipped)} entries not graded: {skipped[0].reason})" if skipped else ""))
        return Submissions(tuple(found), tuple(skipped))
    if path.is_file():
        return Submissions(tuple(csv_sources(path, questions)), ())
    raise SubmissionsError(f"{shown(str(path))}: no such folder or CSV file")


def shown(name: str) -> str:
    """A file name as a report shows it: bytes that are not UTF-8 as `\\xe9`, control characters escaped."""
    return identifiers.escaped(os.fsencode(name).decode("utf-8", "backslashreplace"))


def _walk(root: Path, folder: Path, depth: int, questions: Sequence[str] | None, found: list[Source],
          skipped: list[Skipped]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        skipped.append(Skipped(shown(str(folder.relative_to(root))), f"cannot be read ({exc.strerror})"))
        return
    for entry in entries:
        relative = Path(entry.path).relative_to(root)
        name = shown(relative.as_posix())
        if entry.name.startswith(".") or entry.name == "__MACOSX":
            continue
        if len(found) >= MAX_HANDINS:
            raise SubmissionsError(f"{shown(str(root))}: more than {MAX_HANDINS} hand-ins")
        why = _entry(root, entry, depth, questions, found, skipped)
        if why:
            skipped.append(Skipped(name, why))


def _entry(root: Path, entry: os.DirEntry[str], depth: int, questions: Sequence[str] | None,
           found: list[Source], skipped: list[Skipped]) -> str:
    """One entry of the folder walked into `found` (or its folder into `found` and `skipped`); the reason
    it is not graded, else ""."""
    if entry.is_symlink():
        return "a symbolic link (links are not followed: copy the file into the folder)"
    if entry.is_dir(follow_symlinks=False):
        if depth + 1 > MAX_DEPTH:
            return f"a folder more than {MAX_DEPTH} levels deep"
        _walk(root, Path(entry.path), depth + 1, questions, found, skipped)
        return ""
    if not entry.is_file(follow_symlinks=False):
        return "not a regular file"
    relative = Path(entry.path).relative_to(root)
    suffix = Path(entry.name).suffix.lower()
    if suffix in NOT_READ:
        return f"a {suffix} file: derive reads claims, Markdown, LaTeX, notebooks, HTML and CSV"
    if suffix == ".csv":
        try:
            found.extend(replace(s, file=f"{shown(relative.as_posix())}:{s.file.rpartition(':')[2]}")
                         for s in csv_sources(Path(entry.path), questions))
        except SubmissionsError as exc:
            return f"a CSV that is not one of answers ({str(exc).partition(': ')[2]})"
        return ""
    found.append(_platform(Source(shown(relative.as_posix()), entry.path), relative))
    return ""


def _platform(source: Source, relative: Path) -> Source:
    """The student's name and id in the name a learning platform gave the file or its folder."""
    moodle = _MOODLE.match(relative.parts[0])
    if moodle:
        return replace(source, student=moodle["name"].strip(), platform="moodle", platform_id=moodle["id"])
    canvas = _CANVAS.match(relative.name)
    if canvas:
        return replace(source, student=canvas["name"], platform="canvas", platform_id=canvas["id"])
    return source


def csv_sources(path: Path, questions: Sequence[str] | None = None) -> list[Source]:
    """One hand-in per row: `student`, `variant` and one column per question (headed by its claim, as
    `dE_total/dw5`), or per student: `student`, `variant`, `question`, `answer` rows."""
    try:
        text = reading.read_bytes(path, 50 * MAX_BYTES).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    except reading.ReadError as exc:
        raise SubmissionsError(f"{shown(str(path))}: {exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise SubmissionsError(f"{shown(str(path))}: not a UTF-8 CSV file ({exc})") from None
    columns = list(rows[0]) if rows else []
    if "student" not in columns or "variant" not in columns:
        raise SubmissionsError(f"{shown(str(path))}: expected a CSV whose header has student, variant and answer "
                               "columns")
    long = "question" in columns and "answer" in columns
    found = _long_rows(path, rows) if long else _wide_rows(path, rows, columns)
    if not found:
        raise SubmissionsError(f"{shown(str(path))}: no answers in this CSV file")
    named = {_cell(r.get("question")) for r in rows} if long else {_cell(c) for c in columns}
    if questions is not None and not named & set(questions):
        where = "question cell" if long else "column"
        raise SubmissionsError(f"{shown(str(path))}: no {where} names a question of the key (expected its claims: "
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
                      source.text, source.text)
    path = Path(source.path)
    try:
        text = lines_of(reading.read_bytes(path, MAX_BYTES).decode("utf-8-sig"))
    except reading.ReadError as exc:
        raise HandInError(str(exc)) from None
    except UnicodeDecodeError:
        raise HandInError("expected UTF-8 text") from None
    kind = _kind(path, text)
    if kind == "ipynb":
        text = notebook(text)
    elif kind == "html":
        kind, text = "md", html_text(text)
    fields = _fields_text(kind, text)
    variant = _one(_VARIANT, fields, "variant", _sheet_variant(fields))
    student = _one(_STUDENT, fields, "student") or _sheet_name(fields) or source.student or _stem(source.file)
    return HandIn(source.file, student, _variant_id(variant), kind, _blanked(kind, text), text)


def lines_of(text: str) -> str:
    """`text` with Windows (CRLF) and old Mac (CR) line ends made \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _stem(file: str) -> str:
    return Path(file.rpartition("/")[2]).stem


def _kind(path: Path, text: str) -> str:
    """As `derive check` reads a file: by its extension; a .txt file of claims only is a claims file."""
    kind = KINDS.get(path.suffix.lower(), "claims")
    if path.suffix.lower() == ".txt":
        claims, refused = parse(_blanked("claims", text))
        return "claims" if claims and not refused else "md"
    return kind


def notebook(text: str) -> str:
    """A notebook's JSON checked as a hand-in needs it (Jupyter's format 4: an object with a list of
    cells, each an object with a type and a text), its cells' line ends made \\n; HandInError if not."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise HandInError("not a notebook (not JSON, or nested too deeply)") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise HandInError("not a notebook (no list of cells)")
    version = data.get("nbformat")
    if type(version) is not int or version != 4:
        raise HandInError(f"not a notebook of Jupyter's format 4 (nbformat {str(version)[:20]})")
    for number, cell in enumerate(data["cells"], start=1):
        source = cell.get("source", "") if isinstance(cell, dict) else None
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str) or not isinstance(source, str):
            raise HandInError(f"not a notebook: cell {number} is not a cell (an object with cell_type and source)")
        cell["source"] = lines_of(source)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


class _Text(html.parser.HTMLParser):
    """The text of an HTML page, a line per paragraph (an online-text hand-in)."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skipping += tag in ("script", "style")
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.skipping -= tag in ("script", "style") and self.skipping > 0
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(text: str) -> str:
    """An HTML hand-in (an online text a platform saved) as the Markdown text of its paragraphs."""
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return "\n".join(line for line in lines if line) + "\n"


def _fields_text(kind: str, text: str) -> str:
    """Where `variant:` and `student:` lines are looked for: a notebook's Markdown cells, else the text."""
    if kind != "ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n".join(c["source"] for c in cells if c.get("cell_type") == "markdown")


def _one(pattern: re.Pattern[str], text: str, name: str, more: Sequence[str] = ()) -> str:
    values = list(dict.fromkeys([_value(m["value"]) for m in pattern.finditer(text)] + list(more)))
    if len(values) > 1 and name == "variant" and len({_number(v) for v in values}) == 1:
        values = values[:1]  # `variant: 07` and `**Variant 7**` name one variant
    if len(values) > 1:
        raise HandInError(f"{len(values)} different `{name}:` lines ({', '.join(map(repr, values[:3]))})")
    return values[0] if values else ""


def _value(text: str) -> str:
    """A field's value without the markup that closes its line (`7**`, `7} \\\\`)."""
    return text.strip().lstrip("*_").strip().rstrip(_CLOSING).strip()


def _number(value: str) -> str:
    return str(int(value)) if value.isascii() and value.isdigit() else value


def _sheet_variant(text: str) -> list[str]:
    """The variants named by the sheet's own head line, copied into the hand-in."""
    rest = ("", "·", "|")  # the line ends there, or goes on with the name after a separator
    return [m["en"] or m["zh"] for m in _SHEET_VARIANT.finditer(text) if m["rest"].strip()[:1] in rest]


def _sheet_name(text: str) -> str:
    """The name written on the sheet's name line (`Name: Ada Lovelace`), when it was filled in."""
    for match in _SHEET_NAME.finditer(text):
        value = match["value"].strip(" .…_*")
        if value:
            return value[:80]
    return ""


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
