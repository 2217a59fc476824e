"""Grading a class: every hand-in checked against its variant by the checker, question by question.

Per question: full credit when the answer agrees with the truth to the digits asked; a wrong answer a
catalogued mistake explains earns nothing and names the mistake; a wrong answer computed correctly from
the student's own earlier (wrong) answers earns full credit, marked as an error carried forward; else
the links of the answer's chain that are right earn their share. Hand-ins are graded in a process pool,
each worker building a variant's derivation once.
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from derive.check import latex
from derive.check.checker import Verdict, check_text, significant
from derive.check.claims import ClaimError, parse, parse_line
from derive.course import carried, handins, variants
from derive.maths import derivation
from derive.model import network, reading, spec
from derive.model.precision import CTX, Real, real, show
from derive.reader.document import DocumentError, DocumentReport, check_document, texts

MAX_KEY_BYTES = 50_000_000
SHEET_DIGITS = 6  # the digits the annotated sheets show the truth with
# the checker's names for a number copied wrong (derive.check.mistakes.typo): slips, not mistakes of method
COPYING_SLIPS = ("one digit wrong", "two digits swapped")
# a Markdown list's or quote's marker before a plain claim line (`- out_o1 = 0.777`, `1. ...`, `> ...`)
_PLAIN_MARKUP = re.compile(r"^[ \t]*(?:(?:[-*+>]|\d{1,3}[.)])[ \t]+)*")
WRITTEN_DIGITS = 20  # a written answer read back from its value has at most these (trailing zeros dropped)


class KeyFileError(ValueError):
    """key.json is unusable: one line naming the file and what was expected."""


@dataclass(frozen=True)
class Question:
    claim: str  # as the key writes it: dE_total/dw5
    name: str  # as the checker names it: d:E_total/w5
    answer: str
    digits: int
    mistakes: tuple[tuple[str, str], ...]  # (mistake, its value) for the mistakes this question tells apart


@dataclass(frozen=True)
class Variant:
    id: str
    values: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Key:
    network: str  # the preset name or the spec file the variants are drawn from
    base: spec.Spec
    variants: tuple[Variant, ...]

    def variant(self, id: str) -> Variant | None:
        """The variant a hand-in names (`variant: 07` is variant 7)."""
        return next((v for v in self.variants if _same_id(v.id, id)), None)

    @property
    def claims(self) -> tuple[str, ...]:
        """Every question of the key, in the order the variants ask them (one column each)."""
        return tuple(dict.fromkeys(q.claim for v in self.variants for q in v.questions))


@dataclass(frozen=True)
class Mark:
    claim: str
    credit: Fraction
    verdict: str
    mistakes: tuple[str, ...]
    carried_forward: bool
    answer: str | None  # the student's value, as the sheet shows it


@dataclass(frozen=True)
class Graded:
    file: str
    student: str
    variant: str
    marks: tuple[Mark, ...]
    kind: str  # the annotated sheet's format: md, tex, ipynb or claims
    sheet: str  # the hand-in written back with every judged claim marked

    @property
    def total(self) -> Fraction:
        return sum((m.credit for m in self.marks), Fraction(0))


@dataclass(frozen=True)
class Unreadable:
    file: str
    reason: str
    student: str = ""
    variant: str = ""


def _same_id(a: str, b: str) -> bool:
    if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
        return int(a) == int(b)
    return a == b


def read_key(key_dir: Path) -> Key:
    """The key of an exercise (`KEY_DIR/key.json`, as `derive exercise` writes it)."""
    path = key_dir / "key.json"
    try:
        data = json.loads(reading.read_bytes(path, MAX_KEY_BYTES).decode("utf-8"), parse_float=Decimal)
    except reading.ReadError as exc:
        raise KeyFileError(f"{path}: {exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else "unreadable"
        raise KeyFileError(f"{path}: not a JSON file ({why})") from None
    return _key(path, key_dir, data)


def _key(path: Path, key_dir: Path, data: Any) -> Key:
    if not (isinstance(data, dict) and isinstance(data.get("network"), str)
            and isinstance(data.get("variants"), list)):
        raise KeyFileError(f"{path}: expected an object with network and variants, as `derive exercise` writes it")
    found = tuple(_variant(path, i, v) for i, v in enumerate(data["variants"]))
    if not found:
        raise KeyFileError(f"{path}: variants: expected at least one variant")
    ids = [v.id for v in found]
    if len(set(ids)) != len(ids):
        raise KeyFileError(f"{path}: variants: two variants have the same id")
    return Key(data["network"], _base_spec(key_dir, data["network"]), found)


def _base_spec(key_dir: Path, name: str) -> spec.Spec:
    """The network the key was drawn from: a preset, or its spec file (found beside the key if relative)."""
    beside = key_dir / name
    if name not in spec.preset_names() and not Path(name).is_absolute() and beside.is_file():
        return spec.load_path(beside)
    return spec.load(name)


def _variant(path: Path, index: int, data: Any) -> Variant:
    where = f"{path}: variants[{index}]"
    if not (isinstance(data, dict) and isinstance(data.get("values"), dict)
            and isinstance(data.get("questions"), list)):
        raise KeyFileError(f"{where}: expected an object with id, values and questions")
    if not isinstance(data.get("id"), (int, str)) or isinstance(data.get("id"), bool):
        raise KeyFileError(f"{where}.id: expected a number or a name")
    values = tuple((str(k), str(v)) for k, v in data["values"].items())
    if not all(_is_number(v) for _, v in values):
        raise KeyFileError(f"{where}.values: expected decimal numbers")
    questions = tuple(_question(f"{where}.questions[{i}]", q) for i, q in enumerate(data["questions"]))
    return Variant(str(data["id"]), values, questions)


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


def _question(where: str, data: Any) -> Question:
    if not isinstance(data, dict) or not isinstance(data.get("claim"), str) or not isinstance(data.get("answer"), str):
        raise KeyFileError(f"{where}: expected an object with claim, answer, digits and mistakes")
    digits = data.get("digits", 3)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 30:
        raise KeyFileError(f"{where}.digits: expected a whole number from 1 to 30")
    try:
        claim = parse_line(f"{data['claim']} = 0", 1)
    except ClaimError as exc:
        raise KeyFileError(f"{where}.claim: {exc}") from None
    if claim is None:
        raise KeyFileError(f"{where}.claim: expected a quantity (dE_total/dw5, w1@1)")
    mistakes = data.get("mistakes", {})
    if not isinstance(mistakes, dict):
        raise KeyFileError(f"{where}.mistakes: expected an object of mistake: value")
    return Question(data["claim"], claim.target.name, data["answer"], digits,
                    tuple((str(k), str(v)) for k, v in mistakes.items()))


# The worker's state: the key, and each variant's derivation once built (a process grades many hand-ins).
_KEY: Key | None = None
_DERIVED: dict[str, derivation.Derivation] = {}


def _start(key: Key) -> None:
    global _KEY
    _KEY = key
    _DERIVED.clear()


def _derived(variant: Variant) -> derivation.Derivation:
    if variant.id not in _DERIVED:
        assert _KEY is not None
        net = network.build(variants.variant_spec(_KEY.base, dict(variant.values)))
        _DERIVED[variant.id] = derivation.build(net, history_steps=(1,))
    return _DERIVED[variant.id]


def grade_all(key: Key, sources: Sequence[handins.Source], jobs: int) -> list[Graded | Unreadable]:
    """Every hand-in graded, in the order of `sources`; `jobs` processes (1: in this one)."""
    if jobs <= 1 or len(sources) <= 1:
        return grade_many(sources, key)
    chunk = max(1, len(sources) // (jobs * 8))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(key,))
    try:
        results = list(pool.map(grade, sources, chunksize=chunk))
    except BaseException:  # Ctrl-C or SIGTERM: the hand-ins not yet begun are dropped, not waited for
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return results


def _worker_start(key: Key) -> None:
    """A pool's worker: the command's process alone answers Ctrl-C and SIGTERM (and stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _start(key)


def grade_many(sources: Iterable[handins.Source], key: Key) -> list[Graded | Unreadable]:
    """Hand-ins graded in this process, one after the other: what one task of a cluster runs (a Dask
    bag's partition: `bag.map_partitions(grade_many, key)`, or a Ray task over a slice of them)."""
    if key != _KEY:  # a cluster's task gets its own copy of the key: the derivations built stay
        _start(key)
    return [grade(s) for s in sources]


def grade(source: handins.Source) -> Graded | Unreadable:
    """One hand-in graded against its variant (in a worker that `_start` gave the key)."""
    assert _KEY is not None
    try:
        handin = handins.read(source)
    except handins.HandInError as exc:
        # its student as a readable hand-in's would be named: the file's name without the extension
        return Unreadable(source.file, str(exc), source.student or Path(source.file).stem)
    variant = _KEY.variant(handin.variant)
    if variant is None:
        return Unreadable(source.file, f"unknown variant {handin.variant} (the key's variants: "
                          f"{_ids(_KEY)})", handin.student, handin.variant)
    d = _derived(variant)
    try:
        judged = _judged(d, handin)
        found = marks(d, variant.questions, judged.entries)
        sheet = _sheet(handin, judged, variant.questions, found)
        return Graded(source.file, handin.student, variant.id, found, handin.kind, sheet)
    except (DocumentError, latex.LatexError, RecursionError) as exc:
        return Unreadable(source.file, str(exc) or type(exc).__name__, handin.student, handin.variant)
    except (ArithmeticError, ValueError, LookupError) as exc:  # one hand-in's numbers: a row, the class goes on
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        return Unreadable(source.file, f"could not be graded ({why})", handin.student, handin.variant)


def _ids(key: Key) -> str:
    ids = [v.id for v in key.variants]
    return ", ".join(ids) if len(ids) <= 6 else f"{ids[0]} to {ids[-1]}"


@dataclass(frozen=True)
class Entry:
    """One claim of a hand-in: the quantity it is about and the verdicts of its links, in order."""

    target: str
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True)
class Judged:
    """A hand-in's claims judged by the checker, and what its annotated sheet is written from."""

    entries: tuple[Entry, ...]
    report: DocumentReport | None = None  # a document's spans (None: a claims file)
    plain: tuple[tuple[str, Entry], ...] = ()  # a document's plain claim lines, each with its entry


def _judged(d: derivation.Derivation, handin: handins.HandIn) -> Judged:
    """The hand-in's claims judged by the checker, once: its marks and its sheet are both read from this."""
    if handin.kind == "claims":
        return Judged(tuple(_claim_entries(d, handin.text)))
    report = check_document(d, handin.kind, handin.text, dict(d.network.spec.aliases))
    entries = _entries(report)
    plain = _plain_lines(d, handin, {e.target for e in entries})
    more = _claim_entries(d, "\n".join(bare for _, bare in plain)) if plain else []
    return Judged(tuple(entries + more), report, tuple((plain[e.verdicts[0].line - 1][0], e) for e in more))


def _sheet(handin: handins.HandIn, judged: Judged, questions: Sequence[Question], found: Sequence[Mark]) -> str:
    """The hand-in written back annotated: ✓, or ✗ with the truth; an answer credited as an error carried
    forward is marked ✓ (the checker alone would mark it ✗: it is not the truth)."""
    if judged.report is None:
        return _annotated_claims(handin.text, judged.entries, _carried_notes(questions, found, judged.entries))
    from derive.reader import annotate

    credit = tuple(q.name for q, m in zip(questions, found, strict=True) if m.carried_forward)
    sheet = annotate.annotated(handin.kind, handin.text, _credited(judged.report, credit), SHEET_DIGITS)
    if not judged.plain:
        return sheet
    return _marked_lines(handin.kind, sheet, {line: "✓" if e.target in credit else _note(e.verdicts)
                                              for line, e in judged.plain})


def _credited(report: DocumentReport, credit: tuple[str, ...]) -> DocumentReport:
    """`report` with the verdicts of the last span answering each question of `credit` made right."""
    last = {f.target: k for k, s in enumerate(report.spans) for f in s.found if f.target in credit}
    spans = tuple(replace(s, found=tuple(replace(f, verdict=replace(f.verdict, status="correct"))
                                         if f.target in credit else f for f in s.found))
                  if k in last.values() else s for k, s in enumerate(report.spans))
    return replace(report, spans=spans)


def _plain_lines(d: derivation.Derivation, handin: handins.HandIn, answered: set[str]) -> list[tuple[str, str]]:
    """(line, its claim) for each line of a Markdown hand-in (or notebook cell) that is, whole, a claim in
    the sheet's form (`out_o1 = 0.777`, in a list or in backticks), about a quantity no math span of it
    claims: the sheet asks for answers in that form, which a document's prose does not count as claims."""
    glyphs = latex.glyph_names(d.network)
    kept = []
    for text in texts(handin.kind, handin.text) if handin.kind != "tex" else []:
        for line in text.text.replace("\r\n", "\n").split("\n"):
            bare = _PLAIN_MARKUP.sub("", line).strip().strip("`").strip()
            claims, refused = parse(bare, glyphs) if "=" in bare else ([], [])
            if claims and not refused and claims[0].target.name not in answered:
                kept.append((line, bare))
    return kept


def _marked_lines(kind: str, sheet: str, notes: dict[str, str]) -> str:
    """The annotated sheet with a note after each plain claim line (a Markdown text, or a notebook's
    Markdown cells), in the style of the notes after inline maths: **✓**, or *✗ truth ...*."""
    def marked(text: str) -> str:
        lines = text.split("\n")
        return "\n".join(f"{line} **{notes[line]}**" if notes.get(line) == "✓" else
                         f"{line} *{notes[line]}*" if notes.get(line) else line for line in lines)

    if kind != "ipynb":
        return marked(sheet)
    notebook = json.loads(sheet)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            cell["source"] = marked("".join(source) if isinstance(source, list) else source).splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _entries(found: DocumentReport) -> list[Entry]:
    entries: list[Entry] = []
    for s in found.spans:
        for f in s.found:
            if entries and entries[-1].target == f.target and f.verdict.link > entries[-1].verdicts[-1].link:
                entries[-1] = Entry(f.target, (*entries[-1].verdicts, f.verdict))
            else:
                entries.append(Entry(f.target, (f.verdict,)))
    return entries


def _claim_entries(d: derivation.Derivation, text: str) -> list[Entry]:
    """The entries of a claims text, one per line the checker judged."""
    report = check_text(d, text)
    claims, _ = parse(text, latex.glyph_names(d.network))
    target = {c.line: c.target.name for c in claims}
    entries: list[Entry] = []
    for v in report.verdicts:
        if entries and entries[-1].verdicts[-1].line == v.line:
            entries[-1] = Entry(entries[-1].target, (*entries[-1].verdicts, v))
        else:
            entries.append(Entry(target.get(v.line, ""), (v,)))
    return entries


def _annotated_claims(text: str, entries: Sequence[Entry], carried: dict[int, str] | None = None) -> str:
    """A claims file with a comment after each judged line: ✓, or ✗ with the truth and the mistake; an
    answer credited as an error carried forward gets its mark's verdict (`carried` by line)."""
    notes = {e.verdicts[0].line: _note(e.verdicts) for e in entries} | (carried or {})
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line + (f"  # {notes[n]}" if notes.get(n) else "") for n, line in enumerate(lines, start=1))


def _carried_notes(questions: Sequence[Question], found: Sequence[Mark], entries: Sequence[Entry]) -> dict[int, str]:
    """The line of each answer credited as carried forward, with ✓ and its verdict: the checker alone
    would mark it ✗ (it is not the truth), though it earns its credit."""
    notes = {}
    for q, mark in zip(questions, found, strict=True):
        answer = next((e for e in reversed(entries) if e.target == q.name), None)
        if mark.carried_forward and answer is not None:
            notes[answer.verdicts[0].line] = f"✓ {mark.verdict}"
    return notes


def _note(verdicts: Iterable[Verdict]) -> str:
    judged = [v for v in verdicts if v.status in ("correct", "wrong")]
    wrong = [v for v in judged if v.status == "wrong"]
    if not judged:
        return ""
    if not wrong:
        return "✓"
    parts = [(f"truth {show(v.truth, SHEET_DIGITS).text}" if v.truth is not None else v.reason)
             + (f" ({'; '.join(_names(v))})" if v.explanations else "") for v in wrong]
    return "✗ " + "; ".join(dict.fromkeys(parts))


def _names(v: Verdict) -> tuple[str, ...]:
    """The mistakes a wrong number is explained by, by name."""
    return tuple(dict.fromkeys(e.split(":", 1)[0] for e in v.explanations))


def marks(d: derivation.Derivation, questions: Sequence[Question], entries: Sequence[Entry]) -> tuple[Mark, ...]:
    """One mark per question, each judged from the last claim about it (the answer the student kept)."""
    own: dict[str, Real] = {}
    slips: list[str] = []  # the earlier answers wrong in themselves (not carried forward), as written
    found = []
    for q in questions:
        answer = next((e for e in reversed(entries) if e.target == q.name), None)
        mark = _mark(d, q, answer, dict(own), slips)
        found.append(mark)
        last = answer.verdicts[-1] if answer is not None else None
        if last is not None and last.claimed is not None:
            own[q.name] = last.claimed
            if is_slip(mark):
                slips.append(q.claim)
    return tuple(found)


def close(value: Real, to: Real, digits: int) -> bool:
    """`value` within one unit of the `digits`-th significant digit of `to` (rounded or truncated there)."""
    if to == 0:
        return abs(value) <= CTX.mpf(10) ** -digits
    return abs(value - to) <= _unit(to, digits)


def _mark(d: derivation.Derivation, q: Question, answer: Entry | None, own: dict[str, Real],
          slips: Sequence[str]) -> Mark:
    if answer is None:
        return Mark(q.claim, Fraction(0), "not answered", (), False, None)
    last = answer.verdicts[-1]
    shown = None if last.claimed is None else show(last.claimed, max(q.digits, 6)).text
    if last.status == "cannot check" or last.truth is None or last.claimed is None:
        return Mark(q.claim, Fraction(0), f"cannot check: {last.reason}", (), False, shown)
    truth = show(last.truth, q.digits).text
    if _right(last, q.digits):
        return Mark(q.claim, Fraction(1), "right", (), False, shown)
    # an earlier slip carried forward first: a catalogued mistake may give nearly the same number
    forward = carried.carried(d, q.name, own) if slips else None
    if forward is not None and close(last.claimed, forward, q.digits):
        return Mark(q.claim, Fraction(1), f"right from your own earlier {', '.join(slips)} "
                    f"(error carried forward; truth {truth})", (), True, shown)
    named = _names(last) or _key_mistakes(q, last.claimed)
    if last.status == "correct" and not named:
        why = f"right to the digits written, but not the truth rounded to the {q.digits} significant digits asked"
        return Mark(q.claim, _links(answer.verdicts), f"{why} ({truth})", (), False, shown)
    because = f": {'; '.join(named)}" if named else ""
    return Mark(q.claim, _links(answer.verdicts), f"wrong (truth {truth}){because}", named, False, shown)


def is_slip(mark: Mark) -> bool:
    """A wrong answer no catalogued mistake of the method explains (a slip of arithmetic or copying):
    what follows from it may earn its credit. A mistake of method is repeated, and loses each time."""
    return mark.answer is not None and mark.credit < 1 and not mark.carried_forward \
        and all(m in COPYING_SLIPS for m in mark.mistakes)


def _right(last: Verdict, digits: int) -> bool:
    """The truth rounded to the digits asked (as the sheet and the quiz's tolerance ask), or more digits
    than asked that the checker finds right. A formula that is the truth at the spec's values and wrong
    elsewhere (the checker's "not in general") stays wrong."""
    assert last.claimed is not None and last.truth is not None
    if last.status != "correct" and last.claimed == last.truth:
        return False
    if last.status == "correct" and significant(show(last.claimed, WRITTEN_DIGITS).text) > digits:
        return True
    return show(last.claimed, digits).text == show(last.truth, digits).text


def _key_mistakes(q: Question, claimed: Real) -> tuple[str, ...]:
    """The key's mistakes whose value, rounded to the digits asked, is the answer: within half a unit of
    that digit, and of the last digit the key prints (its values are rounded once already)."""
    found = []
    for name, text in q.mistakes:
        value = real(text)
        if abs(claimed - value) <= _half_unit(value, q.digits) + _half_unit(value, significant(text)):
            found.append(name)
    return tuple(found)


def _half_unit(x: Real, digits: int) -> Real:
    return _unit(x, digits) / 2


def _unit(x: Real, digits: int) -> Real:
    """One unit of the `digits`-th significant digit of `x` (of 1 when `x` is 0)."""
    exponent = int(CTX.floor(CTX.log10(abs(x)))) if x else 0
    return CTX.mpf(10) ** (exponent - digits + 1)


def _links(verdicts: Sequence[Verdict]) -> Fraction:
    """Partial credit for a chain whose answer (its last link) is not right: the share of its judged
    links that are right, the answer counted as wrong."""
    before = [v for v in verdicts[:-1] if v.status in ("correct", "wrong")]
    return Fraction(sum(v.status == "correct" for v in before), len(before) + 1)


def default_jobs() -> int:
    return os.cpu_count() or 1
