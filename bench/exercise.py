"""Benchmark: `derive exercise mazur` for 30 variants against one variant, in the same run.

Run: python bench/exercise.py

Each command runs in-process, twice, interleaved; the best processor time of each is kept (the machine is
shared, and wall-clock time there measures the neighbours). Printed: the time of 1 and 30 variants,
their ratio (linear growth from a floor of start-up work gives less than 30), and the 30 variants' time
split into drawing them (draws, derivations, mistakes) and writing their files (sheets, walkthrough
keys, exports).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from pathlib import Path

from derive.cli import main
from derive.course import exercise, files
from derive.model import spec

REPEATS = 2


def timed(work) -> float:
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        work()
    return time.process_time() - start


def command(count: int, out: Path) -> float:
    return timed(lambda: main(["exercise", "mazur", "--variants", str(count), "--seed", "1", "--out", str(out)]))


def main_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        command(1, Path(tmp) / "warm")  # imports and first compilations, outside the comparison
        one = min(command(1, Path(tmp) / f"one{k}") for k in range(REPEATS))
        thirty = min(command(30, Path(tmp) / f"thirty{k}") for k in range(REPEATS))
    base = spec.load_preset("mazur")
    built: list[exercise.Exercise] = []
    drawing = timed(lambda: built.append(exercise.build(base, "mazur", 30, 1)))
    writing = timed(lambda: files.files(built[0], "md", "en", "classic"))
    print(f"derive exercise mazur --variants 1:  {one:6.2f} s processor time")
    print(f"derive exercise mazur --variants 30: {thirty:6.2f} s processor time ({built[0].rejected_count} draws rejected)")
    print(f"ratio 30 / 1: {thirty / one:.1f}")
    print(f"of the 30: drawing and deriving {drawing:.2f} s, the files {writing:.2f} s")


if __name__ == "__main__":
    main_bench()
