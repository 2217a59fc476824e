"""Benchmark: `derive train` for a real-size network against writing its code and training it by hand.

Run: python bench/train.py [--runs N] [--quick]

1. A 784-128-10 sigmoid network with 4 samples (bench/codegen.py's spec): `derive train NET --steps 1000`
   against `derive code NET --style vector` plus 1,000 hand-written NumPy steps (the textbook's script, in a
   fresh interpreter that has NumPy loaded, timed from its first step), each run in the same round; the
   median over the rounds of train / (code + steps), wall-clock and processor time. Goal: at most 1.5.
2. The same network on a data set of MNIST's size: 70,000 rows of a label and 784 pixel bytes in a CSV
   file (random, 20% of pixels lit), `derive train` with `--steps 1000 --batch-size 64`: its time and peak
   memory beside the file's size and the network's own (`derive code`'s peak). `--quick` leaves it out.
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from codegen import spec_text  # noqa: E402  (the benchmark next to this one)

SIZES = (784, 128, 10)
STEPS = 1000
# The textbook's script for the same network and samples: the spec's weights and rows, float64.
HAND = """
import sys, time
import numpy as np
sys.path.insert(0, {bench!r})
from derive.code import codegen, verify
from derive.model import network, spec
from pathlib import Path
module = verify.load(codegen.generate_vector(network.build(spec.load_path(Path({path!r})))))
w0, w1 = module.initial_params()["W1"].T.copy(), module.initial_params()["W2"].T.copy()
x, y, lr = module.INPUTS, module.TARGETS, module.LEARNING_RATE
wall, cpu = time.perf_counter(), time.process_time()
for _ in range({steps}):
    l1 = 1 / (1 + np.exp(-x.dot(w0)))
    l2 = 1 / (1 + np.exp(-l1.dot(w1)))
    l2_delta = (l2 - y) * l2 * (1 - l2)
    l1_delta = l2_delta.dot(w1.T) * l1 * (1 - l1)
    w1 -= lr * l1.T.dot(l2_delta)
    w0 -= lr * x.T.dot(l1_delta)
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
# Runs the command line and reports the peak memory of its own image (see bench/codegen.py).
PEAK = """import sys
from derive.cli import main
status = main(sys.argv[1:])
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")]
print(peak[0].split()[1] if peak else "0", file=sys.stderr)
sys.exit(status)"""


def timed(argv: list[str]) -> tuple[float, float, float]:
    """Wall-clock and processor seconds of one process, and its peak memory in MB where it reports one."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr
    tail = done.stderr.split()
    peak = int(tail[-1]) / 1024 if tail and tail[-1].isdigit() else 0.0
    return (time.perf_counter() - start, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, peak)


def derive(*argv: str) -> list[str]:
    return [sys.executable, "-c", PEAK, *argv]


def one_round(tmp: Path, spec: Path) -> tuple[float, float]:
    code = timed(derive("code", str(spec), "--style", "vector", "--out", str(tmp / "u.py")))
    hand = subprocess.run([sys.executable, "-c", HAND.format(bench=str(Path(__file__).parent), path=str(spec),
                                                            steps=STEPS)],
                          capture_output=True, text=True, check=True).stdout.split()
    train = timed(derive("train", str(spec), "--steps", str(STEPS)))
    return train[0] / (code[0] + float(hand[0])), train[1] / (code[1] + float(hand[1]))


def mnist_csv(path: Path, rows: int = 70_000) -> None:
    """`rows` lines of a class label 0-9 and 784 pixel bytes, 20% of them lit, after a header line."""
    rng = np.random.default_rng(0)
    with path.open("w", encoding="ascii") as f:
        f.write("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
        for start in range(0, rows, 5000):
            n = min(5000, rows - start)
            pixels = rng.integers(0, 256, (n, 784)) * (rng.random((n, 784)) < 0.2)
            np.savetxt(f, np.column_stack([rng.integers(0, 10, n), pixels]), fmt="%d", delimiter=",")


def mnist(tmp: Path) -> None:
    spec = tmp / "mnist.toml"
    spec.write_text(spec_text(SIZES) + '\n[data]\nfile = "mnist.csv"\nlabel = "first"\nscale = 0.00392156862745098\n',
                    encoding="utf-8")
    mnist_csv(tmp / "mnist.csv")
    code = timed(derive("code", str(spec), "--style", "vector", "--out", str(tmp / "u.py")))
    train = timed(derive("train", str(spec), "--steps", str(STEPS), "--batch-size", "64"))
    size = (tmp / "mnist.csv").stat().st_size / 2**20
    print(f"MNIST-sized data (70,000 rows of 785 columns, CSV {size:.0f} MB; as bytes 55 MB): derive train "
          f"--steps {STEPS} --batch-size 64: {train[0]:.1f} s wall, {train[1]:.1f} s processor, peak memory "
          f"{train[2]:.0f} MB (derive code for the network alone: {code[2]:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds, the median is printed (default 3)")
    parser.add_argument("--quick", action="store_true", help="leave out the MNIST-sized data set")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        spec = tmp / "mlp_784_128_10.toml"
        spec.write_text(spec_text(SIZES), encoding="utf-8")
        rounds = [one_round(tmp, spec) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in rounds)
        cpu = statistics.median(r[1] for r in rounds)
        print(f"derive train 784-128-10 (4 samples) --steps {STEPS} / (derive code + {STEPS:,} hand-written NumPy "
              f"steps): wall {wall:.2f}, processor {cpu:.2f} (goal: at most 1.5; medians of {args.runs})")
        if not args.quick:
            mnist(tmp)


if __name__ == "__main__":
    main()
