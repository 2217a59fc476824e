"""The notation of notebooks written beside code (a relu layer and softmax outputs, row vectors): names
like `W1`, `scores`, `loss`, givens set side by side in one align block, bracket lists of rows. The
network is a small one of our own; its numbers come from tests/oracle.py or from hand arithmetic."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net, write_spec
from tests.oracle import forward, mp

# 2 inputs, a relu layer of two, three softmax outputs with cross-entropy; x = (2, 1), class 2.
# Row convention: h1 = max(0, x W1 + b1), W1[i][j] joins input i to hidden neuron j.
SPEC = """
title = "relu and softmax, row vectors"
inputs = ["i1", "i2"]
loss = "cross_entropy"

[[layers]]
neurons = ["h1", "h2"]
activation = "relu"
weights = [[0.5, 0.25], [-0.5, 0.75]]
bias = { mode = "per_neuron", values = [0, 0] }

[[layers]]
neurons = ["o1", "o2", "o3"]
activation = "softmax"
weights = [[0.5, -0.25], [-0.5, 0.25], [0.25, 0.5]]
bias = { mode = "per_neuron", values = [0, 0, 0] }

[[samples]]
inputs = [2, 1]
targets = [0, 0, 1]

[training]
learning_rate = 0.1
"""

# W1 and W2 as the row convention writes them (inputs x outputs): the spec's rows are their columns.
GIVENS = r"""$$\begin{align*}
\mathit{x} &= \begin{bmatrix}2 & 1\end{bmatrix} &
\mathit{y} &= 2 \\
\mathit{W1} &= \begin{bmatrix}0.5 & -0.5 \\ 0.25 & 0.75\end{bmatrix} &
\mathit{b1} &= \begin{bmatrix}0 & 0\end{bmatrix} \\
\mathit{W2} &= \begin{bmatrix}0.5 & -0.5 & 0.25 \\ -0.25 & 0.25 & 0.5\end{bmatrix} &
\mathit{b2} &= \begin{bmatrix}0 & 0 & 0\end{bmatrix}
\end{align*}$$"""


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory) -> tuple[derivation.Derivation, list[list[str]]]:
    path = write_spec(tmp_path_factory.mktemp("net"), SPEC)
    s = spec.load(str(path))
    layers = forward(oracle_net(s), list(s.samples[0].inputs))
    return derivation.build(network.build(s), history_steps=(1,)), [[mp.nstr(v, 12) for v in layer] for layer in layers]


def verdicts(report) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in report.found:
        found.setdefault(f.target, set()).add(f.verdict.status)
    return found


def test_givens_set_side_by_side_in_an_align_are_read_one_by_one(setting) -> None:
    d, layers = setting
    hidden = r"\begin{bmatrix}" + " & ".join(layers[1]) + r"\end{bmatrix}"
    document = GIVENS + "\n\n" + r"$\mathit{h1} = \max(0, \mathit{x} \mathit{W1} + \mathit{b1}) = " + hidden + "$\n"
    report = check_document(d, "md", document)
    assert [s.status for s in report.spans] == ["judged", "judged"]
    found = verdicts(report)
    assert {q: found[q] for q in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w10", "b5")} == \
        {q: {"correct"} for q in ("i1", "i2", "w1", "w2", "w3", "w4", "w5", "w10", "b5")}
    assert found["out_h1"] == found["out_h2"] == {"correct"}


def test_a_wrong_value_after_givens_set_side_by_side_is_found(setting) -> None:
    d, _ = setting
    # x W1 = (2 * 0.5 + 1 * 0.25, 2 * -0.5 + 1 * 0.75) = (1.25, -0.25): h1 = (1.25, 0), not (1.5, 0)
    document = GIVENS + "\n\n" + r"$\mathit{h1} = \max(0, \mathit{x} \mathit{W1} + \mathit{b1}) = [1.5, 0]$" + "\n"
    report = check_document(d, "md", document)
    assert [(f.target, f.verdict.link) for f in report.found if f.verdict.status == "wrong"] == [("out_h1", 2)]
    assert verdicts(report)["out_h2"] == {"correct"}
