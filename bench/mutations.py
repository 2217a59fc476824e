"""Wrong steps made from right ones: does `derive check` ever credit them?

Run: python bench/mutations.py [--part dev|heldout|unseen|fresh|sealed|final|latest|reserve|audit|all]

Every result of the reading corpus (tests/reader/corpus/) that the truth calls right and derive judges
correct is changed into a plainly wrong number (its second significant digit moved by three), one at a
time, and the document is checked again (tests/reader/corpus_mutations.py). Per document it prints the
changes tried, those derive calls wrong, those it cannot tell, and those it still credits (correct, or
carried from a slip): the last must be none. Notebooks are left out (their cells are JSON strings).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reader.corpus_measure import folders  # noqa: E402
from tests.reader.corpus_mutations import Outcome, mutate_folder  # noqa: E402

PARTS = ("dev", "heldout", "unseen", "fresh", "sealed")
ROW = "{:<34} {:>6} {:>6} {:>7} {:>9}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "final", "latest", "reserve", "audit", "all"), default="all",
                        help="all: every part but final, latest, reserve and audit, each measured on its own")
    args = parser.parse_args(argv)
    total = Outcome()
    print(ROW.format("document", "tried", "wrong", "untold", "credited"))
    for part in (PARTS if args.part == "all" else (args.part,)):
        for folder in folders(part):
            o = mutate_folder(folder)
            total.add(o)
            print(ROW.format(folder.name[:34], o.tried, o.wrong, o.untold, len(o.credited)))
            for m in o.credited:
                print(f"    line {m.line}: {m.before} -> {m.after} credited")
    print(ROW.format("total", total.tried, total.wrong, total.untold, len(total.credited)))
    return 1 if total.credited else 0


if __name__ == "__main__":
    raise SystemExit(main())
