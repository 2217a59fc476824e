"""How well `derive check` reads documents nobody here wrote: the reading corpus against its truth.

Run: python bench/corpus.py [--part dev|heldout|all] [--corpus DIR] [--show ID]

Each folder of tests/reader/corpus/ holds a public worked example of backpropagation as it was
published, its source, a spec of its network, and truth.toml: every equation of the document judged by
an independent computation (truth.py), right, wrong (and where an error first enters) or carried
forward from an earlier slip. This prints, per document and in total for each part of the corpus:

- spans: the equations the truth lists; judged: those derive judged (a verdict correct, wrong or
  carried); not read: those it left not understood or did not find;
- errors: the truth's wrong spans; found: those derive marks wrong; first: the first errors found;
  named: first errors found with a cause;
- false alarms: spans the truth calls right or carried that derive marks wrong;
- marked correct: wrong spans that derive marks correct in every link (the one thing it must never do).

`--show ID` prints one document's spans side by side with derive's verdicts.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from derive.maths import derivation  # noqa: E402
from derive.model import network, spec  # noqa: E402
from derive.reader.document import JUDGED, DocumentReport, SpanResult, check_document  # noqa: E402

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
    marked_correct: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("spans", "judged", "errors", "found", "first", "first_found", "named", "false_alarms",
                     "marked_correct"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


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
    free = [i for i in holding if i not in taken]
    chosen = free[:1] or holding[-1:]
    later = [i for i, s in enumerate(report.spans) if s.text.cell == cell and i not in taken and i not in chosen
             and line < s.line and (until is None or s.end_line < until) and "=" in s.span.source]
    taken.update(chosen + later)
    return [report.spans[i] for i in chosen + later]


def verdicts_of(spans: list[SpanResult]) -> set[str]:
    return {f.verdict.status for s in spans for f in s.found}


def tally(folder: Path, show: bool = False) -> Tally:
    truth = tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]
    report, _ = report_of(folder)
    taken: set[int] = set()
    t = Tally()
    for k, entry in enumerate(truth):
        following = [e["line"] for e in truth[k + 1:] if e.get("cell") == entry.get("cell") and e["line"] > entry["line"]]
        found = spans_for(report, entry.get("cell"), entry["line"], following[0] if following else None, taken)
        statuses = verdicts_of(found)
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
                t.named += "wrong" in statuses and any(f.verdict.explanations for s in found for f in s.found
                                                       if f.verdict.status == "wrong")
            if judged and statuses & {"correct", "wrong", "carried"} == {"correct"}:
                t.marked_correct += 1
                t.notes.append(f"line {entry['line']}: wrong step marked correct: {entry['text'][:70]}")
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


ROW = "{:<34} {:>5} {:>6} {:>5} {:>6} {:>5} {:>5} {:>5} {:>6} {:>6} {:>7}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "reader" / "corpus")
    parser.add_argument("--show", default=None, help="print one document's spans beside derive's verdicts")
    args = parser.parse_args(argv)
    folders = sorted(p for p in args.corpus.iterdir() if (p / "truth.toml").is_file())
    parts = {f: tomllib.loads((f / "source.toml").read_text(encoding="utf-8"))["part"] for f in folders}
    if args.show:
        (folder,) = [f for f in folders if f.name.startswith(args.show)]
        tally(folder, show=True)
        return 0
    for part in (("dev", "heldout") if args.part == "all" else (args.part,)):
        chosen = [f for f in folders if parts[f] == part]
        print(f"\n{part} part: {len(chosen)} documents")
        print(ROW.format("document", "spans", "judged", "%", "errors", "found", "first", "found", "named",
                         "alarms", "marked"))
        total = Tally()
        for folder in chosen:
            t = tally(folder)
            total.add(t)
            print(ROW.format(folder.name[:34], t.spans, t.judged, f"{100 * t.judged / max(t.spans, 1):.0f}", t.errors,
                             t.found, t.first, t.first_found, t.named, t.false_alarms, t.marked_correct))
            for note in t.notes:
                print(f"    {note}")
        print(ROW.format("total", total.spans, total.judged, f"{100 * total.judged / max(total.spans, 1):.0f}",
                         total.errors, total.found, total.first, total.first_found, total.named, total.false_alarms,
                         total.marked_correct))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
