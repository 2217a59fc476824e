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


@pytest.mark.parametrize("vector", [r"x = [3, -1]", r"x = (3, -1)", r"x = \begin{bmatrix} 3 \\ -1 \end{bmatrix}"])
def test_the_inputs_as_one_vector_choose_the_sample(two, vector: str) -> None:
    d, outs = two
    found = check_document(d, "md", document(f"${vector}$", outs[1])).found
    assert [f.verdict.status for f in found][-1] == "correct"
    assert "at sample s2, as " in found[-1].reading
    found = check_document(d, "md", document(f"${vector.replace('3', '4')}$", outs[1])).found  # no sample's
    assert [f.verdict.status for f in found][-1] == "wrong"


def test_a_heading_that_states_the_inputs_opens_the_samples_section(two) -> None:
    """`### The sample $x = [3, -1]$`: the spans of the section the heading opens are read at that sample."""
    d, outs = two
    text = ("## First example\n\nInputs: $x_1 = 1,\\; x_2 = 2$\n\n"
            f"### The sample $x = [3, -1]$ in brief\n\nThen $out_{{o1}} = {outs[1]}$.\n")
    found = check_document(d, "md", text).found
    assert [f.verdict.status for f in found][-1] == "correct"
    found = check_document(d, "md", text.replace(outs[1], outs[0])).found
    assert [f.verdict.status for f in found][-1] == "wrong"


@pytest.mark.parametrize("again, status", [("0.5263", "correct"), ("0.5273", "wrong")])
def test_a_value_restated_at_the_first_sample_by_its_inputs(two, again: str, status: str) -> None:
    """out_o1 worked from e^{-0.1} rounded to 0.9 (1 / 1.9 = 0.5263, by hand; the truth σ(0.1) is 0.52498),
    then restated in a summary that names the first sample by its inputs: the value written before, not a new
    slip; another number is one."""
    d, _ = two
    text = ("## Forward\n\n$$out_{o1} = \\frac{1}{1 + e^{-0.1}} = \\frac{1}{1 + 0.9} = 0.5263$$\n\n"
            f"## Summary\n\n$x = [1, 2]$, $out_{{o1}} = {again}$\n")
    found = check_document(d, "md", text).found
    assert [f.verdict.status for f in found][:3] == ["correct", "correct", "correct"]
    assert found[-1].verdict.status == status
