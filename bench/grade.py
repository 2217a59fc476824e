"""Benchmark: `derive grade` of 1,000 hand-ins of the mazur sheet, `--jobs 2` beside `--jobs 1`.

Run: python bench/grade.py [--handins N]

The key is `derive exercise mazur --variants 30 --seed 1`. The hand-ins cycle through the kinds a class
hands in: the truth, each catalogued mistake of its variant, an error carried forward, random noise,
as claims files, and one in four as a Markdown document with its maths in $...$. Each command runs as
its own process (the pool's workers are its children), one after the other in the same run; printed:
the wall-clock and processor time of each, the time per hand-in, and the ratio of the wall-clock times
(the aim: at most 60 s for --jobs 2 on two cores; on a machine other work shares, the processor
times show what the grading itself costs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def answers(question: dict, kind: str, rng: random.Random) -> str:
    if kind == "noise":
        return f"{rng.uniform(-1, 1):.4f}"
    if kind in question["mistakes"]:
        return question["mistakes"][kind]
    return question["shown"]


def handin(variant: dict, number: int, rng: random.Random) -> tuple[str, str]:
    """(file name, text) of hand-in `number` against `variant`."""
    mistakes = sorted({m for q in variant["questions"] for m in q["mistakes"]})
    kinds = ["truth", "noise", *mistakes]
    kind = kinds[number % len(kinds)]
    claims = {q["claim"]: answers(q, kind, rng) for q in variant["questions"]}
    if number % 4 == 3:
        body = "\n\n".join(f"We find ${c} = {a}$." for c, a in claims.items())
        return f"s{number:04d}.md", f"# Homework\n\nvariant: {variant['id']}\n\n{body}\n"
    lines = "".join(f"{c} = {a}\n" for c, a in claims.items())
    return f"s{number:04d}.claims", f"variant: {variant['id']}\nstudent: Student {number}\n{lines}"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its pool's workers, once ended
    return usage.ru_utime + usage.ru_stime


def grade(key: Path, handins: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall-clock and processor seconds of one `derive grade`."""
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "-m", "derive", "grade", str(key), str(handins), "--out", str(out),
                    "--jobs", str(jobs)], check=True, capture_output=True)
    return time.perf_counter() - start, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handins", type=int, default=1_000)
    count = parser.parse_args().handins
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        subprocess.run([sys.executable, "-m", "derive", "exercise", "mazur", "--variants", "30", "--seed", "1",
                        "--out", str(root / "ex")], check=True, capture_output=True)
        key = json.loads((root / "ex" / "key.json").read_text(encoding="utf-8"))
        rng = random.Random(1)
        (root / "in").mkdir()
        for number in range(count):
            name, text = handin(key["variants"][number % len(key["variants"])], number, rng)
            (root / "in" / name).write_text(text, encoding="utf-8")
        (one, one_cpu), (two, two_cpu) = (grade(root / "ex", root / "in", root / f"r{j}", j) for j in (1, 2))
        same = (root / "r1" / "grades.json").read_bytes() == (root / "r2" / "grades.json").read_bytes()
    print(f"{count} hand-ins of mazur (30 variants); load average before: {os.getloadavg()[0]:.1f}")
    print(f"--jobs 1: {one:7.2f} s wall, {one_cpu:7.2f} s processor ({1000 * one / count:6.1f} ms per hand-in)")
    print(f"--jobs 2: {two:7.2f} s wall, {two_cpu:7.2f} s processor ({1000 * two / count:6.1f} ms per hand-in); "
          f"target <= {TARGET_S:.0f} s: {'met' if two <= TARGET_S else 'NOT met'}")
    print(f"ratio jobs 1 / jobs 2 (wall): {one / two:.2f}; same grades: {same}")


if __name__ == "__main__":
    main()
