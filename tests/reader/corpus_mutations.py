"""Wrong steps made from right ones: every result the reading corpus's truth calls right and derive credits is
changed into a plainly wrong number (its second significant digit moved by three), one at a time, and the
document is checked again. derive must never credit the changed step (correct, or carried from a slip):
it says wrong, or that it cannot tell. Shared by bench/mutations.py (which prints it) and
tests/reader/test_mutations.py (which holds derive to it).

The truth of a changed step needs no computation of its own: a number that was the true value to the digits
written, moved by at least a tenth of its size, is no longer a rounding of it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import DocumentReport, SpanResult, check_document
from tests.reader.corpus_measure import KINDS, document_of, spans_for, verdicts_of

# a written decimal number, not a subscript, superscript or part of a name (w_{11}, x_1, 10^{-3}, W1)
NUMBER = re.compile(r"(?<![\w^_{.])\d+\.\d+(?![\d}])")


@dataclass(frozen=True)
class Mutation:
    folder: str
    line: int
    before: str
    after: str


@dataclass
class Outcome:
    tried: int = 0
    wrong: int = 0
    untold: int = 0  # cannot check, not understood
    credited: list[Mutation] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.tried += other.tried
        self.wrong += other.wrong
        self.untold += other.untold
        self.credited += other.credited


def mutated(number: str) -> str:
    """`number` with its second significant digit (its first, if it has one; its last, if it is zero) moved by
    three: 0.0821 -> 0.0851, 0.5 -> 0.8, 0.00 -> 0.03."""
    places = [i for i, c in enumerate(number) if c.isdigit()]
    significant = [i for i in places if number[i] != "0" or any(number[j] != "0" for j in places if j < i)]
    at = significant[1] if len(significant) > 1 else (significant or places[-1:])[0]
    return number[:at] + str((int(number[at]) + 3) % 10) + number[at + 1:]


def matched(report: DocumentReport, truth: list[dict]) -> list[tuple[set[str], list[SpanResult]]]:
    """derive's verdicts and spans for each of the truth's spans, matched as bench/corpus.py matches them."""
    taken: set[int] = set()
    out = []
    for k, entry in enumerate(truth):
        following = [e["line"] for e in truth[k + 1:]
                     if e.get("cell") == entry.get("cell") and e["line"] > entry["line"]]
        until = following[0] if following else None
        spans = spans_for(report, entry.get("cell"), entry["line"], until, taken)
        out.append((verdicts_of(spans, entry["line"], until), spans))
    return out


def _result_at(text: str, spans: list[SpanResult], entry: dict, until: int | None = None) -> re.Match[str] | None:
    """The last number of the truth span's text as it stands in the first of derive's spans for it, on the truth
    span's lines (before the next span's, `until`): a match in the document `text`."""
    if not spans:
        return None
    wanted = {m.group() for m in NUMBER.finditer(entry["text"])}
    span = spans[0].span
    at = text.find(span.source, span.start)
    hits = [m for m in NUMBER.finditer(text, at, at + len(span.source)) if m.group() in wanted] if at >= 0 else []
    # on the truth span's own lines (up to the next span's): in a display of several rows, a number on another
    # row is another span's, and changing it says nothing of this one
    hits = [m for m in hits if entry["line"] <= text.count("\n", 0, m.start()) + 1 < (until or 10**9)]
    return hits[-1] if hits else None


def mutate_folder(folder: Path, limit: int | None = None) -> Outcome:
    """Each credited right result of one corpus document (Markdown, LaTeX or text) changed, one at a time."""
    path = document_of(folder)
    outcome = Outcome()
    if path.suffix == ".ipynb":
        return outcome
    truth = tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]
    d = derivation.build(network.build(spec.load(str(folder / "spec.toml"))), history_steps=(1,))
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    kind = KINDS[path.suffix]
    before = matched(check_document(d, kind, text), truth)
    for k, entry in enumerate(truth):
        if entry["status"] != "right" or before[k][0] != {"correct"} or (limit is not None and outcome.tried >= limit):
            continue
        following = [e["line"] for e in truth[k + 1:] if e["line"] > entry["line"]]
        hit = _result_at(text, before[k][1], entry, following[0] if following else None)
        if hit is None or not hit.group().strip("0."):
            continue  # a zero (0.0) has no significant digit to move
        changed = text[:hit.start()] + mutated(hit.group()) + text[hit.end():]
        after = matched(check_document(d, kind, changed), truth)[k][0]
        outcome.tried += 1
        if "wrong" in after:
            outcome.wrong += 1
        elif after & {"correct", "carried"}:
            outcome.credited.append(Mutation(folder.name, entry["line"], hit.group(), mutated(hit.group())))
        else:
            outcome.untold += 1
    return outcome
