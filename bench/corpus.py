"""How well `derive check` reads documents nobody here wrote: the reading corpus against its truth.

Run: python bench/corpus.py [--part dev|heldout|unseen|fresh|sealed|final|latest|reserve|audit|all] [--corpus DIR] [--show ID]

Each folder of tests/reader/corpus/ holds a public worked example of backpropagation as it was
published, its source, a spec of its network, and truth.toml: every equation of the document judged by
an independent computation (truth.py), right, wrong (and where an error first enters) or carried
forward from an earlier slip. The parts: dev (read while the reader was built), heldout (set aside when it
was collected, then read), unseen (set aside later, read only to be measured), fresh (collected later and measured once, blind,
then read), sealed, final, latest, reserve and audit (each collected later and measured once, blind; all but audit read since). This prints, per document and in total for each part of the corpus:

- spans: the equations the truth lists; judged: those derive judged (a verdict correct, wrong or
  carried); not read: those it left not understood or did not find;
- errors: the truth's wrong spans; found: those derive marks wrong; first: the first errors found;
  named: first errors found with the cause the truth records (its "other" and "notation" matched by a
  cause outside the catalogued kinds);
- false alarms: spans the truth calls right or carried that derive marks wrong;
- marked correct: wrong spans that derive credits, correct or carried from an earlier slip, in every link
  it judges (the one thing it must never do).

`--show ID` prints one document's spans side by side with derive's verdicts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reader.corpus_measure import Tally, folders, tally  # noqa: E402

PARTS = ("dev", "heldout", "unseen", "fresh", "sealed", "final", "latest", "reserve", "audit")
ROW = "{:<34} {:>5} {:>6} {:>5} {:>6} {:>5} {:>5} {:>5} {:>6} {:>6} {:>7}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "reader" / "corpus")
    parser.add_argument("--show", default=None, help="print one document's spans beside derive's verdicts")
    args = parser.parse_args(argv)
    if args.show:
        (folder,) = [f for f in folders("all", args.corpus) if f.name.startswith(args.show)]
        tally(folder, show=True)
        return 0
    for part in (PARTS if args.part == "all" else (args.part,)):
        chosen = folders(part, args.corpus)
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
