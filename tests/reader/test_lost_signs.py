"""A page that lost its `*` signs (Markdown takes two of them for italics): `4*1 + (-2)*1 + 1*2` printed
as `41 + (-2)1 + 12`. A number right after a bracketed number is no product people write: the chain is not
understood, by any reading, rather than read with a sign guessed and called wrong. The net is worked out
by hand: 4 + (-2) + 2 = 4."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import write_spec

SPEC = """
title = "one sigmoid neuron"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[-2, 1]]
bias = { mode = "per_neuron", values = [4] }

[[samples]]
inputs = [1, 2]
targets = [1]

[training]
learning_rate = 0.5
"""


@pytest.fixture(scope="module")
def neuron(tmp_path_factory: pytest.TempPathFactory) -> derivation.Derivation:
    s = spec.load(str(write_spec(tmp_path_factory.mktemp("net"), SPEC)))
    return derivation.build(network.build(s), history_steps=(1,))


def test_a_number_after_a_bracketed_number_is_not_read(neuron) -> None:
    report = check_document(neuron, "md", "The net:\n\nnet_o1 = 41 + (-2)1 + 12 = 4\n")
    assert [s.status for s in report.spans] == ["not understood"]
    assert "a sign between them may be lost" in report.spans[0].reason
    assert not any(f.verdict.status == "wrong" for f in report.found)


def test_products_written_in_brackets_are_read(neuron) -> None:
    report = check_document(neuron, "md", "The net:\n\nnet_o1 = 4(1) + (-2)(1) + (1)(2) = 4\n")
    assert [f.verdict.status for f in report.found] == ["correct", "correct"]


def test_a_whole_number_with_a_leading_zero_is_not_read(neuron) -> None:
    """`4*1 + 2*1 + 0*3` printed `41 + 21 + 03`: 03 is no number people write, so the chain is not read (it
    would be wrong as 65); a longer one (`074136507`) is a decimal point lost, a slip judged as ever."""
    report = check_document(neuron, "md", "The net:\n\nnet_o1 = 41 + 21 + 03 = 4\n")
    assert [s.status for s in report.spans] == ["not understood"]
    assert "leading zero" in report.spans[0].reason
    slipped = check_document(neuron, "md", "The net:\n\nnet_o1 = 4 + (-2) + 2 = 04000\n")
    assert [f.verdict.status for f in slipped.found] == ["correct", "wrong"]
