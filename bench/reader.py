"""Benchmark: `derive check` on a Markdown document of 1,000 math spans, against the start-up floor.

Run: python bench/reader.py

The document is a homework of the classic network written out many times over (numbers, chains with
their arithmetic, formulas checked at random points, updated weights, one wrong number in twenty),
1,000 math spans in all. The floor is the same command on a document of one span: starting Python,
loading SymPy and building the derivation. Each is run as its own process, best of three, measured
in the same run; it prints both times, the time beyond start-up (at most 1 s is the aim) and the
ratio of the two, in wall-clock seconds and in the processor seconds of the child process (which
other work on a shared machine does not inflate).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPANS = 1_000
REPEATS = 3
# One homework's spans, cycled: display and inline maths, chains, formulas, an update, a slip.
HOMEWORK = [
    "$$\n\\text{net}_{h1} = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = 0.3775\n$$",
    "The hidden output is $out_{h1} = \\sigma(net_{h1}) = \\frac{1}{1 + e^{-0.3775}} = 0.593269992$.",
    "$$E_{total} = E_{o1} + E_{o2} = 0.274811083 + 0.023560026 = 0.298371109$$",
    "$$\\frac{\\partial E_{total}}{\\partial w_5} = 0.74136507 \\times 0.186815602 \\times 0.593269992 = 0.082167041$$",
    "and $\\frac{\\partial out_{o1}}{\\partial net_{o1}} = out_{o1}(1 - out_{o1})$ as a formula,",
    "$$w_5^{+} = w_5 - \\eta \\frac{\\partial E_{total}}{\\partial w_5} = 0.4 - 0.5 \\times 0.082167041 = 0.35891648$$",
    "so $w_6^{+} = 0.408666186$ and $w_7' = 0.511301270$,",
    "$$\\delta_{o1} = 0.138498562$$",
    "$\\frac{\\partial E_{total}}{\\partial out_{h1}} = 0.036350306$ and $out_{o2} = 0.772928465$;",
    "a slip: $w_4^{+} = 0.29950299$.",
]


def document(spans: int) -> str:
    parts, count, k = [], 0, 0
    while count < spans:
        piece = HOMEWORK[k % len(HOMEWORK)]
        parts.append(piece)
        count += piece.count("$$") // 2 + (piece.replace("$$", "").count("$") // 2)
        k += 1
    return "\n\n".join(parts) + "\n"


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def best(argv: list[str]) -> tuple[float, float]:
    """The best wall-clock and processor seconds of `argv` over REPEATS runs."""
    walls, cpus = [], []
    for _ in range(REPEATS):
        start, start_cpu = time.perf_counter(), cpu()
        done = subprocess.run(argv, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        cpus.append(cpu() - start_cpu)
        if done.returncode not in (0, 1):
            raise SystemExit(f"derive check failed: {done.stderr.strip()}")
    return min(walls), min(cpus)


def main() -> None:
    derive = [sys.executable, "-m", "derive"]
    with tempfile.TemporaryDirectory() as folder:
        big, small = Path(folder) / "homework.md", Path(folder) / "one.md"
        big.write_text(document(SPANS), encoding="utf-8")
        small.write_text(document(1), encoding="utf-8")
        floor = best(derive + ["check", "mazur", str(small)])
        full = best(derive + ["check", "mazur", str(big)])
    for label, k in (("wall-clock", 0), ("processor", 1)):
        print(f"{label}: start-up floor (one span) {floor[k]:.2f} s, {SPANS:,} math spans {full[k]:.2f} s, "
              f"beyond start-up {full[k] - floor[k]:.2f} s (aim: at most 1 s), ratio to the floor {full[k] / floor[k]:.2f}")


if __name__ == "__main__":
    main()
