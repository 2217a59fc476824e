"""Benchmark: building the full derivation with values, for growing networks.

Run: python bench/run.py [--quick]

Prints, per size, the time per parameter of the engine (layered deltas) and of the naive route
(sympy.diff of the fully expanded E_total once per parameter, then evaluation), measured in the same
run, and their ratios. Absolute times vary between machines; read the ratios.
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal
from typing import Any

from derive.maths import derivation, expansion
from derive.maths.numeric import evaluate
from derive.model import network, spec

SIZES = [(2, 2, 2), (4, 8, 2), (8, 16, 4), (16, 32, 8), (32, 64, 10)]
# The naive route runs on a size only while its quadratic growth predicts it finishes within this.
NAIVE_BUDGET_S = 60.0


def spec_data(sizes: tuple[int, int, int], seed: int = 0) -> dict[str, Any]:
    rng = random.Random(seed)

    def rows(n: int, m: int) -> list[list[Decimal]]:
        return [[Decimal(rng.randint(-50, 50)) / 100 for _ in range(m)] for _ in range(n)]

    d, q, l = sizes
    layers = [{"neurons": q, "activation": "sigmoid", "weights": rows(q, d),
               "bias": {"mode": "per_neuron", "values": [Decimal("0.1")] * q}},
              {"neurons": l, "activation": "sigmoid", "weights": rows(l, q),
               "bias": {"mode": "per_neuron", "values": [Decimal("0.1")] * l}}]
    return {"inputs": d, "loss": "half_sse", "layers": layers,
            "samples": [{"inputs": [Decimal(rng.randint(0, 100)) / 100 for _ in range(d)],
                         "targets": [Decimal(rng.randint(1, 99)) / 100 for _ in range(l)]}],
            "training": {"learning_rate": Decimal("0.5"), "steps": [1]}}


def engine(net: network.Network) -> float:
    start = time.perf_counter()
    derivation.build(net)
    return time.perf_counter() - start


def naive(net: network.Network) -> float:
    # The symbols' values are taken from the engine outside the timed region: only the route is compared.
    values = derivation.derive_pass(net, derivation.closed_forms(net), net.spec.samples[0]).values
    start = time.perf_counter()
    for g in expansion.naive_gradients(net):
        evaluate(g, values)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="stop at 16-32-8")
    args = parser.parse_args()
    sizes = SIZES[:-1] if args.quick else SIZES
    print(f"{'network':>10} {'params':>7} {'engine s':>9} {'us/param':>9} {'vs 2-2-2':>9} {'naive s':>9} {'naive/engine':>13}")
    base = None
    last: tuple[int, float] | None = None
    for sizes_ in sizes:
        net = network.build(spec.from_mapping(spec_data(sizes_), "<bench>", "bench"))
        p = len(net.params)
        t_engine = engine(net)
        per = t_engine / p
        base = base or per
        t_naive = None
        if last is None or last[1] * (p / last[0]) ** 2 < NAIVE_BUDGET_S:
            t_naive = naive(net)
            last = (p, t_naive)
        name = "-".join(map(str, sizes_))
        naive_text = f"{t_naive:9.2f} {t_naive / t_engine:13.1f}" if t_naive is not None else f"{'-':>9} {'-':>13}"
        print(f"{name:>10} {p:>7} {t_engine:9.2f} {per * 1e6:9.0f} {per / base:9.2f} {naive_text}", flush=True)


if __name__ == "__main__":
    main()
