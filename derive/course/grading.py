"""Grading a class: every hand-in checked against its variant by the checker, question by question.

Each hand-in is read (`derive.course.handins`), its maths judged by the checker and its answers in the
sheet's other forms read (`derive.course.answers`), and each question marked (`derive.course.marking`:
right, right from the student's own earlier answers, or wrong, with a mistake named only when it
explains the answer). A hand-in that cannot be read is one row saying why; nothing one hand-in holds
stops the class's grading. Hand-ins are graded in a process pool, each worker building a variant's
derivation once; then the class is looked at as a whole (a student graded twice, a hand-in holding
another variant's answers).
"""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache

from derive.check import latex
from derive.check.checker import check_text
from derive.check.claims import parse
from derive.course import annotated, answers, handins, marking, variants
from derive.course.keyfile import Key, KeyFileError, Question, Variant, read_key, same_id  # noqa: F401 (the API)
from derive.course.marking import COPYING_SLIPS, WRITTEN_DIGITS, Entry, Mark, close, is_slip  # noqa: F401 (the API)
from derive.maths import derivation
from derive.model import network
from derive.reader.document import NOT_UNDERSTOOD, DocumentReport, check_document, texts


@dataclass(frozen=True)
class Graded:
    file: str
    student: str
    variant: str
    marks: tuple[Mark, ...]
    kind: str  # the annotated sheet's format: md, tex, ipynb or claims
    sheet: str  # the hand-in written back with every judged claim marked
    unread: tuple[answers.Unread, ...] = ()  # what looks like an answer and was not read, with why
    flags: tuple[str, ...] = ()  # for the teacher to look at: graded twice, another variant's answers
    platform: str = ""  # moodle | canvas, when the file's name is that platform's
    platform_id: str = ""

    @property
    def total(self) -> Fraction:
        return sum((m.credit for m in self.marks), Fraction(0))


@dataclass(frozen=True)
class Unreadable:
    file: str
    reason: str
    student: str = ""
    variant: str = ""
    platform: str = ""
    platform_id: str = ""


# The worker's state: the key, and each variant's derivation once built (a process grades many hand-ins).
_KEY: Key | None = None
_DERIVED: dict[str, derivation.Derivation] = {}


def _start(key: Key) -> None:
    global _KEY
    _KEY = key
    _DERIVED.clear()
    _QUESTIONS.clear()
    marking._INTERVALS.clear()


def _derived(variant: Variant) -> derivation.Derivation:
    if variant.id not in _DERIVED:
        assert _KEY is not None
        net = network.build(variants.variant_spec(_KEY.base, dict(variant.values)))
        _DERIVED[variant.id] = derivation.build(net, history_steps=(1,))
    return _DERIVED[variant.id]


def grade_all(key: Key, sources: Sequence[handins.Source], jobs: int) -> list[Graded | Unreadable]:
    """Every hand-in graded, in the order of `sources`, then flagged as a class; `jobs` processes (1: in this one)."""
    if jobs <= 1 or len(sources) <= 1:
        return flagged(key, grade_many(sources, key))
    chunk = max(1, len(sources) // (jobs * 8))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_worker_start, initargs=(key,))
    try:
        results = list(pool.map(grade, sources, chunksize=chunk))
    except BaseException:  # Ctrl-C or SIGTERM: the hand-ins not yet begun are dropped, the workers stopped
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return flagged(key, results)


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
    """One hand-in graded against its variant (in a worker that `_start` gave the key). Whatever one
    hand-in holds, it is a row: a reason it could not be graded is its `unreadable` row."""
    assert _KEY is not None
    who = {"platform": source.platform, "platform_id": source.platform_id}
    try:
        handin = handins.read(source)
    except handins.HandInError as exc:
        # its student as a readable hand-in's would be named: the platform's name, else the file's stem
        return Unreadable(source.file, str(exc), source.student or _stem(source.file), **who)
    except Exception as exc:
        return Unreadable(source.file, f"could not be read ({_why(exc)})", source.student or _stem(source.file), **who)
    variant = _KEY.variant(handin.variant)
    if variant is None:
        return Unreadable(source.file, f"unknown variant {handin.variant} (the key's variants: "
                          f"{_ids(_KEY)})", handin.student, handin.variant, **who)
    try:
        return _graded(source, handin, variant)
    except RecursionError:
        return Unreadable(source.file, "could not be graded (nested too deeply)", handin.student, handin.variant, **who)
    except Exception as exc:
        return Unreadable(source.file, f"could not be graded ({_why(exc)})", handin.student, handin.variant, **who)


def _graded(source: handins.Source, handin: handins.HandIn, variant: Variant) -> Graded:
    d = _derived(variant)
    judged = _judged(d, handin, variant.questions)
    found = marking.marks(d, variant.questions, judged.entries)
    if judged.report is None:
        sheet = annotated.claims(handin.original, judged.entries, variant.questions, found, judged.how or {})
    else:
        sheet = annotated.document(handin.kind, handin.text, judged.report, judged.written, variant.questions, found)
    return Graded(source.file, handin.student, variant.id, found, handin.kind, sheet, judged.unread,
                  platform=source.platform, platform_id=source.platform_id)


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _stem(file: str) -> str:
    name = file.rpartition("/")[2]
    return name.rpartition(".")[0] or name


def _ids(key: Key) -> str:
    ids = [v.id for v in key.variants]
    return ", ".join(ids) if len(ids) <= 6 else f"{ids[0]} to {ids[-1]}"


@dataclass(frozen=True)
class Judged:
    """A hand-in's claims judged by the checker, and what its annotated sheet is written from."""

    entries: tuple[Entry, ...]
    report: DocumentReport | None = None  # a document's spans (None: a claims file)
    written: tuple[tuple[answers.Written, Entry], ...] = ()  # a document's answers in the sheet's forms
    unread: tuple[answers.Unread, ...] = ()
    how: dict[int, str] | None = None  # a claims file's lines read in the sheet's other forms, by line


def _questions(d: derivation.Derivation, questions: Sequence[Question]) -> answers.Questions:
    key = (id(d), tuple(q.claim for q in questions))
    if key not in _QUESTIONS:  # the names table of a variant's network, built once per worker
        _QUESTIONS[key] = answers.Questions(key[1], frozenset(q.name for q in questions), latex.glyph_names(d.network))
    return _QUESTIONS[key]


_QUESTIONS: dict[tuple[int, tuple[str, ...]], answers.Questions] = {}


def _judged(d: derivation.Derivation, handin: handins.HandIn, questions: Sequence[Question]) -> Judged:
    """The hand-in's claims judged by the checker, once: its marks and its sheet are both read from this."""
    q = _questions(d, questions)
    if handin.kind == "claims":
        text, how, unread = answers.claims_text(handin.text, q)
        lines = tuple(replace(e, how=how.get(e.verdicts[0].line, ""), where=f"line {e.verdicts[0].line}")
                      for e in _claim_entries(d, text))
        return Judged(lines, None, (), tuple(unread), how)
    report = check_document(d, handin.kind, handin.text, dict(d.network.spec.aliases))
    entries = _entries(report)
    written, unread = _written(handin, q)
    answered = {e.target for e in entries}
    written = [w for w in written if _target(w.claim, q) not in answered]
    more = _claim_entries(d, "\n".join(w.claim for w in written)) if written else []
    pairs = tuple((written[e.verdicts[0].line - 1], e) for e in more)
    more = [replace(e, how=w.how, where=w.where) for w, e in pairs]
    not_read = answers.not_understood([(_where(s.line, s.text.cell), s.span.source, s.reason)
                                       for s in report.spans if s.status == NOT_UNDERSTOOD])
    return Judged(tuple(entries + more), report, pairs, tuple(not_read + unread))


def _where(line: int, cell: int | None) -> str:
    return f"line {line}" if cell is None else f"cell {cell}, line {line}"


def _written(handin: handins.HandIn, q: answers.Questions) -> tuple[list[answers.Written], list[answers.Unread]]:
    """A document's answers outside its maths: lines, table rows and (a notebook's) printed outputs."""
    written: list[answers.Written] = []
    unread: list[answers.Unread] = []
    if handin.kind == "tex":
        return written, unread
    for text in texts(handin.kind, handin.text):
        found, missed = answers.read_text(text.text, q, text.cell)
        written += found
        unread += missed
    if handin.kind == "ipynb":
        found, missed = answers.read_outputs(handin.text, q)
        written += found
        unread += missed
    return written, unread


def _target(claim: str, q: answers.Questions) -> str:
    claims, _ = parse(claim, q.glyphs)  # type: ignore[arg-type]
    return claims[0].target.name if claims else ""


def _entries(found: DocumentReport) -> list[Entry]:
    entries: list[Entry] = []
    for s in found.spans:
        where = _where(s.line, s.text.cell)
        for f in s.found:
            if entries and entries[-1].target == f.target and f.verdict.link > entries[-1].verdicts[-1].link:
                entries[-1] = replace(entries[-1], verdicts=(*entries[-1].verdicts, f.verdict))
            else:
                entries.append(Entry(f.target, (f.verdict,), "", where))
    return entries


def _claim_entries(d: derivation.Derivation, text: str) -> list[Entry]:
    """The entries of a claims text, one per line the checker judged."""
    report = check_text(d, text)
    claims, _ = parse(text, latex.glyph_names(d.network))
    target = {c.line: c.target.name for c in claims}
    entries: list[Entry] = []
    for v in report.verdicts:
        if entries and entries[-1].verdicts[-1].line == v.line:
            entries[-1] = replace(entries[-1], verdicts=(*entries[-1].verdicts, v))
        else:
            entries.append(Entry(target.get(v.line, ""), (v,)))
    return entries


def flagged(key: Key, results: Sequence[Graded | Unreadable]) -> list[Graded | Unreadable]:
    """The class looked at as a whole: a student graded twice (the same name however written, or the
    same platform id), a hand-in whose answers are another variant's (copied from a neighbour's sheet),
    each flagged on its row."""
    seen: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        for who in _who(r):
            seen.setdefault(who, []).append(i)
    found = list(results)
    for i, r in enumerate(results):
        if not isinstance(r, Graded):
            continue
        others = dict.fromkeys(j for who in _who(r) for j in seen[who] if j != i)
        flags = [f"graded twice: also {results[j].file}" for j in others]
        other = _other_variant(key, r)
        if other is not None:
            flags.append(f"these are variant {other}'s answers")
        if flags:
            found[i] = replace(r, flags=tuple(flags))
    return found


def _who(r: Graded | Unreadable) -> tuple[str, ...]:
    """One student however their name is written: the name without case or spaces, and a platform's id."""
    name = " ".join(r.student.casefold().split())
    return (f"name:{name}",) + ((f"{r.platform}:{r.platform_id}",) if r.platform_id else ())


def _other_variant(key: Key, r: Graded) -> str | None:
    """The variant whose answers the hand-in's are, when that is not its own: at least two of its
    answers are that variant's truth to the digits asked, more than are its own variant's."""
    given = {m.claim: float(m.answer) for m in r.marks if m.answer is not None}
    own = sum(m.credit == 1 and not m.carried_forward for m in r.marks)
    best, count = None, max(own, 1)
    for v in key.variants:
        if same_id(v.id, r.variant):
            continue
        matches = sum(q.claim in given and abs(given[q.claim] - value) <= half for q, (value, half)
                      in zip(v.questions, _answers(v)))
        if matches > count:
            best, count = v.id, matches
    return best


@cache
def _answers(v: Variant) -> tuple[tuple[float, float], ...]:
    """Each question's truth of a variant and half a unit of its last digit asked, as floats (a hand-in
    is compared with every variant: this is only to find a copied one, never to mark)."""
    found = []
    for q in v.questions:
        value = float(q.answer)
        exponent = math.floor(math.log10(abs(value))) if value else 0
        found.append((value, 0.5 * 10.0 ** (exponent - q.digits + 1)))
    return tuple(found)


def default_jobs() -> int:
    return os.cpu_count() or 1
