"""Benchmark: one training step of the generated vector code against hand-written NumPy and PyTorch.

Run: python bench/codegen.py

A 784-128-10 sigmoid network without biases, half sum of squares, one full-batch step on 64 samples,
float64 everywhere: the generated `step`, a hand-written NumPy step in the style of the textbook's
script (with the hidden delta taken before the update), and PyTorch CPU eager with autograd. Each is
timed in the same run, interleaved, best of several repeats; the ratios are what to read. Then the
time of `derive code` itself (derivation, generation and verification) for a 64-64-10 network.
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import numpy as np

from derive.cli import main
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
    for name, seconds in timings.items():
        print(f"  {name:<20} {seconds * 1e3:8.2f} ms   generated / this = {timings['generated'] / seconds:5.2f}")
    print(f"derive code, 64-64-10: {time_derive_code():.2f} s")


def time_derive_code() -> float:
    rng = np.random.default_rng(1)
    data = spec_data((64, 64, 10), 4, rng)
    lines = ['loss = "half_sse"', "inputs = 64", "[init]", 'kind = "normal"', "std = 0.1", "seed = 1"]
    lines += ["[[layers]]", "neurons = 64", 'activation = "sigmoid"', "[[layers]]", "neurons = 10",
              'activation = "sigmoid"']
    for s in data["samples"]:
        lines += ["[[samples]]", f"inputs = [{', '.join(map(str, s['inputs']))}]",
                  f"targets = [{', '.join(map(str, s['targets']))}]"]
    lines += ["[training]", "learning_rate = 0.1", 'update = "batch"', "steps = [1]"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        start = time.perf_counter()
        assert main(["code", str(path), "--out", str(Path(tmp) / "wide.py")]) == 0
        return time.perf_counter() - start


if __name__ == "__main__":
    main_bench()
