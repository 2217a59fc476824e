"""Benchmark: how the time of `derive code` and `derive render` grows with the depth of a network.

Run: python bench/depth.py

A chain of sigmoid layers two neurons wide (2 inputs, 2 outputs, a bias per neuron, one sample), at 12
and at 24 layers, measured in the same run, best of a few repeats. Each delta is built once from the
layer after it and each closed form is evaluated with its shared parts evaluated once, so the time
should about double when the depth doubles (a tree walk without sharing doubles with every layer).
It prints the times and the ratio 24 / 12 for `derive code` (derivation, vector code, verification
against the closed forms) and for `derive render --format md` (walkthrough and figures).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from derive.cli import main

DEPTHS = (12, 24)
REPEATS = {"code": 3, "render": 1}


def spec_text(layers: int) -> str:
    """The TOML spec of a chain of `layers` sigmoid layers, two neurons each, given as counts."""
    lines = ['title = "A deep chain"', "inputs = 2", 'loss = "half_sse"']
    for i in range(layers):
        rows = [[Decimal(10 + 5 * ((j + k + i) % 7)) / 100 for k in range(2)] for j in range(2)]
        lines += ["[[layers]]", "neurons = 2", 'activation = "sigmoid"',
                  "weights = [" + ", ".join("[" + ", ".join(map(str, r)) + "]" for r in rows) + "]",
                  'bias = { mode = "per_neuron", trainable = true, values = [0.1, 0.1] }']
    lines += ["[[samples]]", "inputs = [0.05, 0.10]", "targets = [0.01, 0.99]",
              "[training]", "learning_rate = 0.5", "steps = [1, 10]"]
    return "\n".join(lines) + "\n"


def best(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(folder: Path, layers: int) -> dict[str, float]:
    path = folder / f"deep{layers}.toml"
    path.write_text(spec_text(layers), encoding="utf-8")
    commands = {"code": ["code", str(path), "--out", str(folder / f"deep{layers}.py")],
                "render": ["render", str(path), "--format", "md", "--out", str(folder / f"deep{layers}")]}

    def run(argv: list[str]) -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # the paths written
            status = main(argv)
        if status != 0:
            raise SystemExit(f"derive {' '.join(argv)} failed")

    return {name: best(lambda: run(argv), REPEATS[name]) for name, argv in commands.items()}


def main_bench() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with contextlib.redirect_stdout(io.StringIO()):  # imports and caches out of the timing
            main(["code", "mazur", "--out", str(Path(tmp) / "warm.py")])
        times = {layers: measure(Path(tmp), layers) for layers in DEPTHS}
    low, high = DEPTHS
    print(f"{'command':>8} {f'{low} layers s':>14} {f'{high} layers s':>14} {f'{high} / {low}':>8}")
    for name in REPEATS:
        a, b = times[low][name], times[high][name]
        print(f"{name:>8} {a:14.2f} {b:14.2f} {b / a:8.2f}", flush=True)


if __name__ == "__main__":
    main_bench()
