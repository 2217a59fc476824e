"""A worked example of a batch that moves on to its next sample by stating that sample's inputs
(`Inputs: $x_1 = 3,\\; x_2 = -1$`), with no heading or paragraph naming it: the spans after the statement, in
its section, are read at that sample. Values from the oracle's own forward pass."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net, write_spec
from tests.oracle import forward, mp

SPEC = """
title = "one sigmoid neuron, two samples"
inputs = ["x1", "x2"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.4, -0.2]]
bias = { mode = "per_neuron", values = [0.1] }

[[samples]]
inputs = [1, 2]
targets = [1]

[[samples]]
inputs = [3, -1]
targets = [0]

[training]
learning_rate = 0.5
update = "batch"
reduction = "sum"
"""


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> tuple[derivation.Derivation, list[str]]:
    s = spec.load(str(write_spec(tmp_path_factory.mktemp("net"), SPEC)))
    outs = [mp.nstr(forward(oracle_net(s), list(sample.inputs))[-1][0], 4) for sample in s.samples]
    return derivation.build(network.build(s), history_steps=(1,)), outs


def document(inputs: str, out: str, heading: str = "") -> str:
    return ("## First example\n\nInputs: $x_1 = 1,\\; x_2 = 2$\n\n"
            f"## Another training example\n\nInputs: {inputs}\n\n{heading}Then $out_{{o1}} = {out}$.\n")


def test_the_inputs_a_span_states_choose_the_sample_of_the_spans_after_it(two) -> None:
    d, outs = two
    found = check_document(d, "md", document(r"$x_1 = 3,\; x_2 = -1$", outs[1])).found
    assert [f.verdict.status for f in found] == ["correct"] * 5
    assert "at sample s2, as " in found[-1].reading
    # the first sample's output under the second's inputs is wrong there
    found = check_document(d, "md", document(r"$x_1 = 3,\; x_2 = -1$", outs[0])).found
    assert [f.verdict.status for f in found][-1] == "wrong"


def test_inputs_of_no_sample_or_another_section_choose_none(two) -> None:
    d, outs = two
    # x_2 = 1 is no sample's: nothing is chosen, the output is read at the first sample, as before
    found = check_document(d, "md", document(r"$x_1 = 3,\; x_2 = 1$", outs[1])).found
    assert [f.verdict.status for f in found][-1] == "wrong"
    # a heading after the statement ends its reach
    found = check_document(d, "md", document(r"$x_1 = 3,\; x_2 = -1$", outs[1], "### Output\n\n")).found
    assert [f.verdict.status for f in found][-1] == "wrong"
