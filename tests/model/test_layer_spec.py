"""Specs with convolution, pooling, flatten and rnn layers: what they read, the names made, and every
shape checked on reading with one line naming the key."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from derive.model import kinds, network, spec
from derive.model.spec import SpecError
from tests.helpers import run, write_spec
from tests.layer_oracle import FIXTURES, fixture


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads((FIXTURES / f"{name}.toml").read_text(encoding="utf-8"), parse_float=Decimal)


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as info:
        spec.from_mapping(data, "net.toml", "net")
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_cnn_reads_its_shapes_and_names_its_entries() -> None:
    s = fixture("cnn")
    conv, pool, flatten, dense = s.structure.kinds
    assert (conv.in_shape.text(), conv.out_shape.text(), pool.out_shape.text()) == ("1x4x4", "1x3x3", "1x2x2")
    assert kinds.flat(conv.weight_names) == ["k1_11", "k1_12", "k1_21", "k1_22"]
    assert s.inputs[:5] == ("x1_11", "x1_12", "x1_13", "x1_14", "x1_21")
    assert s.samples[0].inputs[4] == Decimal("0.7")  # row 2, column 1
    assert isinstance(flatten, kinds.FlattenSpec) and s.layers[dense.index].weight_names == (("w1", "w2", "w3", "w4"),)
    names = [n.name for stage in network.build(s).layers for n in stage]
    assert names[:3] == ["c1_11", "c1_12", "c1_13"] and names[9:13] == ["p1_11", "p1_12", "p1_21", "p1_22"]


def test_the_rnn_reads_its_steps_from_the_samples() -> None:
    s = fixture("rnn")
    assert s.structure.steps == 3 and s.structure.features == ("i1", "i2")
    assert s.inputs == ("i1_t1", "i2_t1", "i1_t2", "i2_t2", "i1_t3", "i2_t3")
    rnn = s.structure.recurrent
    assert kinds.flat(rnn.input_names) == ["wx11", "wx12", "wx21", "wx22"]
    assert kinds.flat(rnn.recurrent_names) == ["wh11", "wh12", "wh21", "wh22"]
    assert [p.name for p in network.build(s).params][-3:] == ["w1", "w2", "b3"]


def test_outputs_at_every_step_take_one_row_of_targets_per_step() -> None:
    data = _data("rnn")
    data["layers"][0]["outputs"] = "each"
    data["samples"][0]["targets"] = [[Decimal("0.1")], [Decimal("0.2")], [Decimal("0.3")]]
    net = network.build(spec.from_mapping(data, "net.toml", "net"))
    assert [o.neuron.name for o in net.outputs] == ["o1_t1", "o1_t2", "o1_t3"]
    assert [o.target.name for o in net.outputs] == ["target_o1_t1", "target_o1_t2", "target_o1_t3"]
    data["samples"][0]["targets"] = [Decimal("0.1")]
    assert _error(data) == "net.toml: samples[0].targets: expected an array of shape [3, 1] (steps x outputs)"


def test_leading_dimensions_of_one_may_be_left_out() -> None:
    data = _data("cnn")
    data["layers"][0]["weights"] = [[[[Decimal("0.5"), Decimal("-0.3")], [Decimal("0.2"), Decimal("0.4")]]]]
    data["samples"][0]["inputs"] = [data["samples"][0]["inputs"]]
    assert spec.from_mapping(data, "net.toml", "net").structure == fixture("cnn").structure


def test_strides_padding_and_channels_give_pytorchs_shapes() -> None:
    data = _data("cnn")
    data["layers"][0].update(channels=2, kernel=3, stride=2, padding=1,
                             weights=[[[[Decimal(1)] * 3] * 3]] * 2, bias={"values": [Decimal(0), Decimal(0)]})
    data["layers"][1] = {"kind": "avgpool2d", "size": 1}
    data["layers"][3]["weights"] = [[Decimal(1)] * 8]
    s = spec.from_mapping(data, "net.toml", "net")
    conv = s.structure.kinds[0]
    assert conv.out_shape.text() == "2x2x2"  # (4 + 2 - 3) // 2 + 1
    assert kinds.flat(conv.weight_names)[:2] == ["k1_11", "k1_12"] and kinds.flat(conv.weight_names)[9] == "k2_11"


def test_several_input_channels_name_the_kernel_by_channel() -> None:
    data = _data("cnn")
    data["inputs"]["shape"] = [2, 4, 4]
    data["layers"][0]["weights"] = [[[[Decimal(1)] * 2] * 2] * 2]
    data["samples"][0]["inputs"] = [data["samples"][0]["inputs"]] * 2
    s = spec.from_mapping(data, "net.toml", "net")
    assert kinds.flat(s.structure.kinds[0].weight_names)[4] == "k1_2_11"
    assert s.inputs[16] == "x2_11"


def test_init_draws_the_kernel_and_the_recurrent_matrices() -> None:
    data = _data("rnn")
    for key in ("input_weights", "recurrent_weights"):
        del data["layers"][0][key]
    del data["layers"][1]["weights"]
    data["init"] = {"kind": "uniform", "seed": 3}
    rnn = spec.from_mapping(data, "net.toml", "net").structure.recurrent
    assert len(rnn.input_weights) == 2 and all(-0.5 <= v <= 0.5 for v in kinds.flat(rnn.recurrent_weights))


CASES = [
    (lambda d: d["layers"][0].update(kernel=5), "net.toml: layers[0].kernel: a 5x5 kernel does not fit the 4x4 input "
     "(padding 0x0)"),
    (lambda d: d["layers"][0].update(weights=[[Decimal(1)] * 3] * 2),
     "net.toml: layers[0].weights[0]: expected 2 entries (columns), got 3"),
    (lambda d: d["layers"][0].update(padding=2), "net.toml: layers[0].padding: expected less padding than the "
     "kernel's side (2x2)"),
    (lambda d: d["layers"][1].update(size=4), "net.toml: layers[1].size: a 4x4 window does not fit the 3x3 maps"),
    (lambda d: d["layers"].pop(2), "net.toml: layers[2].kind: a dense layer reads a vector: put a flatten layer "
     "(kind = \"flatten\") before it"),
    (lambda d: d["layers"][3].update(weights=[[Decimal(1)] * 9]),
     "net.toml: layers[3].weights[0]: expected 4 entries, got 9 (one per neuron of the previous layer, 4)"),
    (lambda d: d["samples"][0].update(inputs=[[Decimal(1)] * 4] * 3),
     "net.toml: samples[0].inputs: expected 4 entries (rows), got 3"),
    (lambda d: d["layers"][1].update(kind="maxpool"), "net.toml: layers[1].kind: expected one of dense, conv2d, "
     "maxpool2d, avgpool2d, flatten, rnn, got 'maxpool'"),
    (lambda d: d["layers"][0].update(strides=1), "net.toml: layers[0].strides: unknown key (expected one of kind, "
     "channels, kernel, stride, padding, activation, weights, bias, map_name, kernel_name)"),
    (lambda d: d["layers"].append({"kind": "flatten"}),
     "net.toml: layers[4].kind: the output layer must be a dense layer"),
    (lambda d: d["layers"][0].update(activation="softmax"), "net.toml: layers[0].activation: softmax is for a dense "
     "output layer only"),
    (lambda d: d["layers"][1].update(map_name="k"), "net.toml: layers[1].map_name: name 'k1_11' is used twice "
     "(also in layers[0].kernel_name)"),
    (lambda d: d["inputs"].update(shape=[1, 100, 4]), "net.toml: inputs.shape: 1x100x4 is too large (at most 64 "
     "channels, sides of 64 and 4096 entries)"),
    (lambda d: d["training"].update(optimizer="adam"), "net.toml: training.optimizer: networks with conv2d, pooling or "
     "rnn layers learn by plain gradient descent (optimizer = \"sgd\", no weight_decay)"),
]


@pytest.mark.parametrize("change, message", CASES)
def test_a_bad_image_network_is_refused_in_one_line(change: Any, message: str) -> None:
    data = copy.deepcopy(_data("cnn"))
    change(data)
    assert _error(data) == message


SEQUENCE_CASES = [
    (lambda d: d["samples"].append({"inputs": [[Decimal(1)] * 2] * 2, "targets": [Decimal(1)]}),
     "net.toml: samples[1].inputs: expected 3 steps, as samples[0] has, got 2 (every sequence is as long)"),
    (lambda d: d["layers"][0].update(recurrent_weights=[[Decimal(1)] * 2]),
     "net.toml: layers[0].recurrent_weights: expected 2 entries (units), got 1"),
    (lambda d: d["layers"].insert(0, {"neurons": 2, "activation": "tanh", "weights": [[Decimal(1)] * 2] * 2}),
     "net.toml: layers[1].kind: an rnn layer must be the first layer, reading inputs given as a count or names "
     "(one row of them per step in each sample)"),
    (lambda d: d["layers"][0].update(outputs="all"),
     "net.toml: layers[0].outputs: expected one of last, each, got 'all'"),
    (lambda d: d["samples"][0].update(inputs=[Decimal(1)] * 3), "net.toml: samples[0].inputs: expected one row of "
     "inputs per step: [[...], [...]]"),
    (lambda d: d["layers"].insert(1, {"kind": "flatten"}), "net.toml: layers[1].kind: flatten reads an image: give "
     "inputs = { shape = [channels, height, width] }"),
]


@pytest.mark.parametrize("change, message", SEQUENCE_CASES)
def test_a_bad_sequence_network_is_refused_in_one_line(change: Any, message: str) -> None:
    data = copy.deepcopy(_data("rnn"))
    change(data)
    assert _error(data) == message


def test_the_command_line_refuses_a_bad_shape_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (FIXTURES / "cnn.toml").read_text(encoding="utf-8").replace("kernel = 2", "kernel = 7")
    code, out, err = run(["check", str(write_spec(tmp_path, text)), str(write_spec(tmp_path, "x = 1", "c.txt"))],
                         capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "layers[0].kernel: a 7x7 kernel does not fit the 4x4 input" in err


def test_a_dense_spec_that_names_its_kind_is_a_dense_spec() -> None:
    from tests.helpers import MAZUR

    data = tomllib.loads(MAZUR, parse_float=Decimal)
    for layer in data["layers"]:
        layer["kind"] = "dense"
    s = spec.from_mapping(data, "mazur.toml", "mazur")
    dense = spec.from_mapping(tomllib.loads(MAZUR, parse_float=Decimal), "mazur.toml", "mazur")
    assert s.structure is None and s == dense
