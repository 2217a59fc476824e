"""Benchmark: one training step of the generated vector code against hand-written NumPy and PyTorch,
and `derive code --style vector` against the start-up floor.

Run: python bench/codegen.py [--quick]

A 784-128-10 sigmoid network without biases, half sum of squares, one full-batch step on 64 samples,
float64 everywhere: the generated `step`, a hand-written NumPy step in the style of the textbook's
script (with the hidden delta taken before the update), and PyTorch CPU eager with autograd. Each is
timed in the same run, interleaved, best of several repeats; the ratios are what to read. The
generated / hand-written ratio is measured again in a child process with BLAS on one thread, where
two BLAS threads per call on a machine shared with other jobs do not scatter the times. Then the
time of `derive code` itself (derivation, generation and verification) for a 64-64-10 network, by the
per-weight route (the whole derivation at 50 digits, every parameter verified) as before.

Then `derive code --style vector` as a user runs it, each in its own process, for 64-64-10 and
784-128-10 sigmoid networks with 4 samples (the layer route: layer rules proven on a small network,
the full-size module checked at sampled parameters), paired with the start-up floor
`python -c "import sympy, jinja2, numpy"` in the same run: the median of the paired ratios, and the
peak memory of the 784-128-10 run. Goals: at most 4x and 12x the floor, under 500 MB. `--quick`
pairs one run of each instead of three.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import numpy as np

from derive.code import codegen, verify
from derive.model import network, spec

SIZES = (784, 128, 10)
BATCH = 64
REPEATS = 15
CALLS = 20


def spec_data(sizes: tuple[int, ...], batch: int, rng: np.random.Generator) -> dict[str, Any]:
    inputs = [[Decimal(f"{v:.3f}") for v in row] for row in rng.uniform(0, 1, (batch, sizes[0]))]
    targets = [[Decimal(f"{v:.3f}") for v in row] for row in rng.uniform(0, 1, (batch, sizes[-1]))]
    layers = [{"neurons": n, "activation": "sigmoid"} for n in sizes[1:]]
    return {"inputs": sizes[0], "loss": "half_sse", "layers": layers,
            "init": {"kind": "normal", "mean": Decimal(0), "std": Decimal("0.1"), "seed": 1},
            "samples": [{"inputs": x, "targets": y} for x, y in zip(inputs, targets)],
            "training": {"learning_rate": Decimal("0.1"), "update": "batch", "steps": [1]}}


def hand_written(w0: np.ndarray, w1: np.ndarray, x: np.ndarray, y: np.ndarray, lr: float) -> tuple[np.ndarray, np.ndarray]:
    """One step as the textbook's script writes it (weights stored input-major)."""
    l1 = 1 / (1 + np.exp(-x.dot(w0)))
    l2 = 1 / (1 + np.exp(-l1.dot(w1)))
    l2_delta = (l2 - y) * l2 * (1 - l2)
    l1_delta = l2_delta.dot(w1.T) * l1 * (1 - l1)
    return w0 - lr * x.T.dot(l1_delta), w1 - lr * l1.T.dot(l2_delta)


def best(runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Per call, the best of REPEATS rounds of CALLS calls; the rounds of all contenders interleave,
    so that a slow spell of the machine falls on every one of them alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(REPEATS):
        for name, run in runs.items():
            start = time.perf_counter()
            for _ in range(CALLS):
                run()
            times[name].append((time.perf_counter() - start) / CALLS)
    return {name: min(values) for name, values in times.items()}


def torch_step(torch: Any, params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, lr: float) -> Callable[[], None]:
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    tx, ty = torch.tensor(x), torch.tensor(y)

    def run() -> None:
        out = torch.sigmoid(torch.sigmoid(tx @ w["W1"].T) @ w["W2"].T)
        loss = 0.5 * ((ty - out) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            for t in w.values():
                t -= lr * t.grad
                t.grad = None

    return run


def main_bench() -> None:
    rng = np.random.default_rng(0)
    net = network.build(spec.from_mapping(spec_data(SIZES, BATCH, rng), "<bench>", "bench"))
    module = verify.load(codegen.generate_vector(net))
    params = module.initial_params()
    x, y = module.INPUTS, module.TARGETS
    w0, w1 = params["W1"].T.copy(), params["W2"].T.copy()
    lr = module.LEARNING_RATE
    generated = lambda: module.step(params, x, y)  # noqa: E731
    timings = best({"generated": generated, "hand-written NumPy": lambda: hand_written(w0, w1, x, y, lr)})
    try:
        import torch
    except ImportError:
        print("(PyTorch is not installed: no PyTorch figure)")
    else:
        # PyTorch's worker threads keep spinning after each call and would slow whatever runs next,
        # so it is paired with its own fresh measurement of the generated step.
        against = best({"PyTorch CPU eager": torch_step(torch, params, x, y, lr), "generated": generated})
        timings["PyTorch CPU eager"] = against["PyTorch CPU eager"] * timings["generated"] / against["generated"]
    print(f"one step, {'-'.join(map(str, SIZES))} sigmoid, batch {BATCH}, float64")
    goals = {"hand-written NumPy": "  (goal: at most 1.1)", "PyTorch CPU eager": "  (goal: at most 1.0)"}
    for name, seconds in timings.items():
        print(f"  {name:<20} {seconds * 1e3:8.2f} ms   generated / this = {timings['generated'] / seconds:5.2f}"
              + goals.get(name, ""))


def spec_text(sizes: tuple[int, ...], seed: int = 1) -> str:
    """A sigmoid network of `sizes` with 4 samples, its weights drawn by the spec's [init] table."""
    data = spec_data(sizes, 4, np.random.default_rng(seed))
    lines = ['loss = "half_sse"', f"inputs = {sizes[0]}", "[init]", 'kind = "normal"', "std = 0.1", "seed = 1"]
    for n in sizes[1:]:
        lines += ["[[layers]]", f"neurons = {n}", 'activation = "sigmoid"']
    for s in data["samples"]:
        lines += ["[[samples]]", f"inputs = [{', '.join(map(str, s['inputs']))}]",
                  f"targets = [{', '.join(map(str, s['targets']))}]"]
    lines += ["[training]", "learning_rate = 0.1", 'update = "batch"', "steps = [1]"]
    return "\n".join(lines) + "\n"


def time_derive_code() -> float:
    """`derive code` by the per-weight route, in this process: the whole derivation, then every parameter
    verified against its closed form (what `derive code` did for vector code before the layer route)."""
    from derive.maths import derivation

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.toml"
        path.write_text(spec_text((64, 64, 10)), encoding="utf-8")
        start = time.perf_counter()
        d = derivation.build(network.build(spec.load_path(path)), history_steps=(1,))
        assert verify.disagreements(d, codegen.generate(d, "vector")) == []
        return time.perf_counter() - start


FLOOR = [sys.executable, "-c", "import sympy, jinja2, numpy"]
CODE_SIZES = ((64, 64, 10), (784, 128, 10))
CODE_GOALS = {(64, 64, 10): 4.0, (784, 128, 10): 12.0}


# Runs the command line and reports the peak memory of its own image: VmHWM is reset when a process
# execs, while ru_maxrss would count the benchmark's pages the child inherited at fork.
PEAK = """import sys
from derive.cli import main
status = main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(peak[0].split()[1] if peak else "0", file=sys.stderr)
sys.exit(status)"""


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock seconds of one process, and (for a derive command) its peak resident memory in MB."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    lines = done.stderr.split()
    return seconds, int(lines[-1]) / 1024 if lines else 0.0


def code_against_floor(repeats: int) -> None:
    """`derive code --style vector` per size, each run paired with a run of the start-up floor."""
    derive = [sys.executable, "-c", PEAK]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for sizes in CODE_SIZES:
            paths[sizes] = Path(tmp) / f"net{'_'.join(map(str, sizes))}.toml"
            paths[sizes].write_text(spec_text(sizes), encoding="utf-8")
        for sizes in CODE_SIZES:
            argv = derive + ["code", str(paths[sizes]), "--style", "vector", "--out", str(Path(tmp) / "u.py")]
            pairs = [(timed(FLOOR)[0], timed(argv)) for _ in range(repeats)]
            ratio = statistics.median(run[0] / floor for floor, run in pairs)
            floor = statistics.median(f for f, _ in pairs)
            seconds = statistics.median(run[0] for _, run in pairs)
            memory = max(run[1] for _, run in pairs)
            print(f"derive code --style vector, {'-'.join(map(str, sizes))}, 4 samples: {seconds:.2f} s, "
                  f"start-up floor {floor:.2f} s, ratio {ratio:.2f} (goal: at most {CODE_GOALS[sizes]:g}), "
                  f"peak memory {memory:.0f} MB" + (" (goal: under 500)" if sizes == CODE_SIZES[-1] else ""))


# One thread for BLAS (in a child process, where the variables take effect): on a machine shared with
# other jobs, two BLAS threads per call wait for each other, and both contenders' times scatter.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def single_threaded_step() -> None:
    """The generated step against the hand-written one, BLAS on one thread, printed on one line."""
    rng = np.random.default_rng(0)
    net = network.build(spec.from_mapping(spec_data(SIZES, BATCH, rng), "<bench>", "bench"))
    module = verify.load(codegen.generate_vector(net))
    params = module.initial_params()
    x, y = module.INPUTS, module.TARGETS
    w0, w1 = params["W1"].T.copy(), params["W2"].T.copy()
    timings = best({"generated": lambda: module.step(params, x, y),
                    "hand": lambda: hand_written(w0, w1, x, y, module.LEARNING_RATE)})
    print(f"  with BLAS on one thread: generated {timings['generated'] * 1e3:.2f} ms, hand-written NumPy "
          f"{timings['hand'] * 1e3:.2f} ms, generated / hand-written = {timings['generated'] / timings['hand']:.2f}")


def print_single_threaded() -> None:
    done = subprocess.run([sys.executable, __file__, "--single-threaded-step"], capture_output=True, text=True,
                          env={**os.environ, **ONE_THREAD}, check=True)
    print(done.stdout.rstrip())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one paired run per size instead of three")
    parser.add_argument("--single-threaded-step", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.single_threaded_step:
        single_threaded_step()
    else:
        main_bench()
        print_single_threaded()
        print(f"derive code, 64-64-10, per-weight route (before): {time_derive_code():.2f} s")
        code_against_floor(1 if options.quick else 3)
