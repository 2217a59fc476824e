"""How derive reads the reading corpus (tests/reader/corpus/): each document checked, its spans matched with
its truth's and counted. Shared by bench/corpus.py (which prints it) and tests/reader/test_corpus.py (which
holds derive to it)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import JUDGED, DocumentReport, SpanResult, check_document

CORPUS = Path(__file__).resolve().parent / "corpus"


def folders(part: str, corpus: Path = CORPUS) -> list[Path]:
    """The corpus's documents of one part (dev, heldout, unseen, fresh, sealed, final, latest, reserve, audit or all)."""
    found = sorted(p for p in corpus.iterdir() if (p / "truth.toml").is_file())
    if part == "all":
        return found
    return [f for f in found if tomllib.loads((f / "source.toml").read_text(encoding="utf-8"))["part"] == part]


KINDS = {".md": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb"}


@dataclass
class Tally:
    spans: int = 0
    judged: int = 0
    errors: int = 0
    found: int = 0
    first: int = 0
    first_found: int = 0
    named: int = 0
    false_alarms: int = 0
    marked_correct: int = 0  # wrong spans credited: called correct, or carried from an earlier slip
    credited: list[str] = field(default_factory=list)  # of those, the ones carried: `folder:line`
    notes: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("spans", "judged", "errors", "found", "first", "first_found", "named", "false_alarms",
                     "marked_correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.credited += other.credited


def document_of(folder: Path) -> Path:
    (path,) = [p for p in folder.iterdir() if p.stem == "document"]
    return path


def report_of(folder: Path) -> tuple[DocumentReport, str]:
    path = document_of(folder)
    net = network.build(spec.load(str(folder / "spec.toml")))
    d = derivation.build(net, history_steps=(1,))
    text = path.read_text(encoding="utf-8")
    return check_document(d, KINDS[path.suffix], text), text


def spans_for(report: DocumentReport, cell: int | None, line: int, until: int | None,
              taken: set[int]) -> list[SpanResult]:
    """derive's spans for the truth's span at `line` (of `cell`), which runs until the next truth span's line
    (`until`): the first one holding the line not matched yet (two inline spans on one line are two spans),
    with the spans holding `=` that start after it within its lines (a block derive reads line by line; the
    truth lists the spans with `=`, so a `\\approx` alone is not measured)."""
    holding = [i for i, s in enumerate(report.spans) if s.text.cell == cell and s.line <= line <= s.end_line]
    # the truth lists spans with `=` only: an inline span without one before it on the line is not it
    holding = [i for i in holding if "=" in report.spans[i].span.source] or holding
    free = [i for i in holding if i not in taken]
    chosen = free[:1] or holding[-1:]
    later = [i for i, s in enumerate(report.spans) if s.text.cell == cell and i not in taken and i not in chosen
             and line < s.line and (until is None or s.end_line < until) and "=" in s.span.source]
    taken.update(chosen + later)
    return [report.spans[i] for i in chosen + later]


# derive's explanations by the truth files' kinds of cause (tests/reader/test_corpus_files.py CAUSES), by how
# each begins; an explanation of none of these kinds is "other" (the truth's "other" and "notation": a value
# of another quantity, a notation confused), a remark that names no cause (no value of the network) none.
CAUSE_KINDS = (
    ("arithmetic", ("arithmetic slip", "one digit wrong", "two digits swapped", "decimal point slipped",
                    "the numbers are the network's, combined wrongly")),
    ("missing activation slope", ("missing activation",)),
    ("dropped path", ("dropped path", "missing path", "path through")),  # the catalogue's `path through o2 left out`
    ("sign", ("sign",)),
    ("stale weights", ("stale weights",)),
    ("transposed weight", ("weights transposed",)),
    ("wrong input", ("wrong input", "weight paired with the wrong input")),
    ("learning rate", ("learning rate",)),
    ("factor 2", ("factor 2", "a factor 2")),
    ("rounding", ("rounding",)),
)


def kind_of(explanation: str) -> str | None:
    """The kind of cause an explanation names, in the truth files' words."""
    if "is no value of this network" in explanation:
        return None
    return next((kind for kind, heads in CAUSE_KINDS if explanation.startswith(heads)), "other")


def _named(cause: str | None, said: list[str | None]) -> bool:
    """Whether derive named the truth's cause of a first error (any cause, where the truth records none)."""
    if cause is None:
        return any(k is not None for k in said)
    return (cause if cause not in ("notation", "other") else "other") in said


def verdicts_of(spans: list[SpanResult], line: int = 0, until: int | None = None) -> set[str]:
    """The verdicts of derive's spans for one truth span: where a span of derive's holds several of the truth's
    (a chain carried on over lines the truth lists apart), those written on the truth span's own lines."""
    found = [f for s in spans for f in s.found]
    own = [f for f in found if line <= f.verdict.line and (until is None or f.verdict.line < until)]
    return {f.verdict.status for f in (own or found)}


def tally(folder: Path, show: bool = False) -> Tally:
    truth = tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]
    report, _ = report_of(folder)
    taken: set[int] = set()
    t = Tally()
    for k, entry in enumerate(truth):
        following = [e["line"] for e in truth[k + 1:]
                     if e.get("cell") == entry.get("cell") and e["line"] > entry["line"]]
        until = following[0] if following else None
        found = spans_for(report, entry.get("cell"), entry["line"], until, taken)
        statuses = verdicts_of(found, entry["line"], until)
        judged = any(s.status == JUDGED for s in found) and bool(statuses & {"correct", "wrong", "carried"})
        t.spans += 1
        t.judged += judged
        status = entry["status"]
        if status == "wrong":
            t.errors += 1
            t.found += "wrong" in statuses
            if entry.get("first_error"):
                t.first += 1
                t.first_found += "wrong" in statuses
                said = [kind_of(x) for s in found for f in s.found if f.verdict.status == "wrong"
                        for x in f.verdict.explanations]
                t.named += "wrong" in statuses and _named(entry.get("cause"), said)
            if judged and "wrong" not in statuses:  # credited: called correct, or carried from an earlier slip
                t.marked_correct += 1
                t.credited += [f"{folder.name}:{entry['line']}"] if "carried" in statuses else []
                t.notes.append(f"line {entry['line']}: wrong step marked {'/'.join(sorted(statuses & {'correct', 'carried'}))}: "
                               f"{entry['text'][:70]}")
        elif "wrong" in statuses:
            t.false_alarms += 1
            t.notes.append(f"line {entry['line']}: false alarm ({status}): {entry['text'][:70]}")
        if show:
            mark = "judged" if judged else ("not understood" if found else "not read")
            print(f"  {entry['line']:>4} {status:<8} {'/'.join(sorted(statuses)) or '-':<24} {mark:<15} "
                  f"{entry['text'][:60]}")
            reasons = [s.reason for s in found if s.reason]
            if found and not judged and reasons:
                print(f"{'':>6}why: {reasons[0][:110]}")
    return t
