"""Benchmark: exercise sheets as PDF against the same sheets in Markdown, in the same run.

Run: python bench/sheets.py [--runs N] [--variants N]

`derive exercise mazur --variants 40 --seed 1` with `--format md`, then `--format pdf` in English and in
Chinese, each as its own process (as a teacher runs it); each run times the three back to back, and the
medians over the runs of pdf / md (each against the Markdown of its own run) are printed, in wall-clock
time and in processor time (of the command and the TeX processes it waits for), with zh / en. Goals:
pdf / md at most 2 in both languages, zh / en at most 2.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"pdf en / md": 2.0, "pdf zh / md": 2.0, "pdf zh / pdf en": 2.0}


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and processor seconds of one command, its children (TeX) included."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def one_run(out: Path, variants: int) -> dict[str, tuple[float, float]]:
    def exercise(name: str, *options: str) -> tuple[float, float]:
        return timed([sys.executable, "-m", "derive", "exercise", "mazur", "--variants", str(variants), "--seed", "1",
                      "--out", str(out / name), *options])

    md = exercise("md")
    en = exercise("en", "--format", "pdf")
    zh = exercise("zh", "--format", "pdf", "--lang", "zh")
    return {"md s": md, "pdf en s": en, "pdf zh s": zh,
            "pdf en / md": (en[0] / md[0], en[1] / md[1]), "pdf zh / md": (zh[0] / md[0], zh[1] / md[1]),
            "pdf zh / pdf en": (zh[0] / en[0], zh[1] / en[1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="paired runs, the median is printed (default 3)")
    parser.add_argument("--variants", type=int, default=40, help="sheets per command (default 40)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp) / str(k), args.variants) for k in range(args.runs)]
    print(f"{'measure':>16} {'wall':>7} {'cpu':>7} {'goal':>6}   (medians of {args.runs} runs, {args.variants} variants)")
    for key in runs[0]:
        wall = statistics.median(r[key][0] for r in runs)
        cpu = statistics.median(r[key][1] for r in runs)
        goal = f"<= {GOALS[key]:g}" if key in GOALS else ""
        print(f"{key:>16} {wall:7.2f} {cpu:7.2f} {goal:>6}")


if __name__ == "__main__":
    main()
