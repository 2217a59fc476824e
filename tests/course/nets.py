"""Specs of the grading tests, written as a teacher new to derive would write them, and a test's own
re-signing of a key folder (sha256sum's format, computed here with hashlib)."""

from __future__ import annotations

import hashlib
from pathlib import Path

# 2-3-1: a tanh hidden layer, a sigmoid output, a trainable bias per neuron.
NET231 = """title = "A 2-3-1 network"
inputs = ["i1", "i2"]
loss = "half_sse"

[[layers]]
neurons = 3
activation = "tanh"
weights = [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]
bias = { mode = "per_neuron", trainable = true, values = [0.1, 0.2, 0.3] }

[[layers]]
neurons = 1
activation = "sigmoid"
weights = [[0.7, -0.8, 0.9]]
bias = { mode = "per_neuron", trainable = true, values = [0.05] }

[[samples]]
inputs = [0.5, 0.9]
targets = [0.8]

[training]
learning_rate = 0.5

[exercise]
inputs = { low = 0.1, high = 1, decimals = 2 }
targets = { low = 0.1, high = 0.9, decimals = 2 }
weights = { low = -1, high = 1, decimals = 2 }
biases = { low = -0.5, high = 0.5, decimals = 2 }
learning_rate = { low = 0.1, high = 0.9, decimals = 1 }
ask = ["out_h1", "out_o1", "E_total", "dE_total/dw7", "dE_total/dw1", "dE_total/db1", "w1@1", "b4@1"]
digits = 3
"""


def resign(key_dir: Path) -> None:
    """checksums.sha256 written again over the folder's files, as someone editing a key on purpose would."""
    lines = []
    for path in sorted(p for p in key_dir.rglob("*") if p.is_file() and p.name != "checksums.sha256"):
        name = path.relative_to(key_dir).as_posix()
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n")
    (key_dir / "checksums.sha256").write_text("".join(lines), encoding="utf-8")
