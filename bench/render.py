"""Benchmark: the notes and the derivation against the start-up floor, measured in the same run.

Run: python bench/render.py [--runs N]

The floor is `python -c "import sympy, jinja2, numpy"`: what any command pays before it does anything.
Each run times, back to back, the floor and every command below in fresh interpreters, and the ratios
printed are medians over the runs of command / floor (each command against the floor of its own run),
in wall-clock time and in processor time (user + system of the child process: on a machine shared
with other jobs, the steadier of the two):

- `derive render mazur` (Markdown), target at most 1.5x; and the same for the presets whose iterations
  the float64 route cannot prove, `xor3`, `gender` and `mazuradam` (trained on arb balls);
- `derive render mazur --format all` without the PDF (Markdown, LaTeX, HTML, notebook), target 3x;
- building the derivation of a 32-64-10 network (bench/run.py's), target 2.5x; and the time per
  parameter from 8-16-4 to 32-64-10, target at most 1.2x (linear cost).
"""

from __future__ import annotations

import argparse
import compileall
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FLOOR = "import sympy, jinja2, numpy"
# `--format all` writes every format but the PDF: the benchmark measures the notes, not XeLaTeX.
# Run as the `derive` command runs (its entry point, `derive.cli.run`, ends the process as it does).
RENDER = """
import derive.notes as notes
import derive.notes.request as request
notes.FORMATS = request.FORMATS = tuple(f for f in request.FORMATS if f != "pdf")
from derive.cli import run
run()
"""
# The derivation of one network of bench/run.py, timed inside the interpreter (without its start-up).
BUILD = """
import sys, time
sys.path.insert(0, {bench!r})
from run import spec_data
from derive.maths import derivation
from derive.model import network, spec
net = network.build(spec.from_mapping(spec_data(({sizes})), "<bench>", "bench"))
wall, cpu = time.perf_counter(), time.process_time()
derivation.build(net)
print(time.perf_counter() - wall, time.process_time() - cpu, len(net.params))
"""


def timed(code: str, *argv: str) -> tuple[float, float]:
    """Wall-clock and processor seconds of `python -c code argv...` in a fresh interpreter."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *argv], check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def build(sizes: str) -> tuple[float, float, int]:
    """Wall-clock and processor seconds of building one derivation, and its parameters."""
    out = subprocess.run([sys.executable, "-c", BUILD.format(bench=str(BENCH), sizes=sizes)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def one_run(out: Path) -> dict[str, tuple[float, float]]:
    """One paired run: the floor, then each measured command; (wall, processor) ratios to that floor."""
    floor = timed(FLOOR)
    md = timed(RENDER, "render", "mazur", "--out", str(out / "md"))
    presets = {name: timed(RENDER, "render", name, "--out", str(out / name)) for name in PRESETS}
    every = timed(RENDER, "render", "mazur", "--format", "all", "--out", str(out / "all"))
    *small, small_params = build("8, 16, 4")
    *large, large_params = build("32, 64, 10")

    def ratio(a: tuple[float, ...], b: tuple[float, ...], scale: float = 1.0) -> tuple[float, float]:
        return a[0] / b[0] * scale, a[1] / b[1] * scale

    return {"floor s": floor, "render md / floor": ratio(md, floor),
            **{f"render {name} / floor": ratio(presets[name], floor) for name in PRESETS},
            "render all (no pdf) / floor": ratio(every, floor), "build 32-64-10 / floor": ratio(large, floor),
            "per-param 32-64-10 / 8-16-4": ratio(large, small, small_params / large_params)}


# the presets the float64 route leaves to the arb balls (the iterations table of each in its notes)
PRESETS = ("xor3", "gender", "mazuradam")
TARGETS = {"render md / floor": 1.5, **{f"render {name} / floor": 1.5 for name in PRESETS},
           "render all (no pdf) / floor": 3.0, "build 32-64-10 / floor": 2.5, "per-param 32-64-10 / 8-16-4": 1.2}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="paired runs, the median is printed (default 5)")
    args = parser.parse_args()
    # derive byte-compiled, as pip leaves an installed package (and as the floor's libraries are), even
    # where PYTHONDONTWRITEBYTECODE keeps the interpreter from writing it on first import
    compileall.compile_dir(str(BENCH.parent / "derive"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        runs = [one_run(Path(tmp)) for _ in range(args.runs)]
    print(f"{'measure':>30} {'wall':>6} {'cpu':>6} {'target':>7}   (medians of {args.runs} paired runs)")
    for key in runs[0]:
        wall = statistics.median(r[key][0] for r in runs)
        cpu = statistics.median(r[key][1] for r in runs)
        target = TARGETS.get(key)
        print(f"{key:>30} {wall:6.2f} {cpu:6.2f} {'<= ' + str(target) if target else '':>7}")


if __name__ == "__main__":
    main()
