"""The layer-level route to vector code: layer rules derived once per layer kind, proven on a small network,
and the full-size module checked at sampled parameters, against the per-weight closed forms and the oracle."""

from __future__ import annotations

import itertools
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy

from derive.code import codegen, layer_check, verify
from derive.maths import derivation, layers
from derive.model import network, spec
from derive.model.precision import CTX
from tests.helpers import finite_difference, run, write_spec
from tests.networks import layer, toml
from tests.networks import network as spec_doc
from tests.oracle import mp

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
OUTPUTS = [("sigmoid", "half_sse"), ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"),
           ("softmax", "half_sse"), ("softmax", "mse"), ("tanh", "mse"), ("relu", "half_sse"), ("identity", "mse")]
BIASES = [("none", "bias"), ("shared", "threshold"), ("per_neuron", "bias"), ("per_neuron", "threshold")]


def kind_doc(hidden: str, output: tuple[str, str], bias: tuple[str, str], reduction: str = "sum") -> dict[str, Any]:
    """A 3-4-3 network of the given layer kinds, weights away from 0 (relu's kink is never hit)."""
    rng = random.Random(f"{hidden}{output}{bias}")
    draw = lambda: Decimal(rng.choice([-1, 1]) * rng.randint(10, 90)) / 100
    mode, form = bias
    layers_ = [layer(4, hidden, [[draw() for _ in range(3)] for _ in range(4)], mode,
                     [draw() for _ in range({"none": 0, "shared": 1, "per_neuron": 4}[mode])]),
               layer(3, output[0], [[draw() for _ in range(4)] for _ in range(3)], mode,
                     [draw() for _ in range({"none": 0, "shared": 1, "per_neuron": 3}[mode])])]
    for item in layers_:
        item["bias"]["form"] = form
    samples = [([draw() for _ in range(3)], [Decimal(rng.randint(1, 99)) / 100 for _ in range(3)]) for _ in range(2)]
    return spec_doc([], [], layers_, loss=output[1], reduction=reduction, samples=samples, update="batch")


KINDS = ([(h, o, BIASES[0]) for h in HIDDEN for o in OUTPUTS]
         + [("sigmoid", ("sigmoid", "half_sse"), b) for b in BIASES[1:]]
         + [("tanh", ("softmax", "cross_entropy"), b) for b in BIASES[1:]])


def test_the_rules_are_the_textbook_derivatives() -> None:
    """Each derived rule against the formula the textbooks state (hand-written here)."""
    out, net, t = layers.OUT, layers.NET, layers.TARGET
    assert sympy.simplify(layers.slope("sigmoid") - out * (1 - out)) == 0
    assert sympy.simplify(layers.slope("tanh") - (1 - out**2)) == 0
    assert layers.slope("relu") == sympy.Heaviside(net, 0) and layers.slope("identity") == 1
    assert sympy.simplify(layers.output_rule("cross_entropy", "sigmoid").delta - (out - t)) == 0
    assert sympy.simplify(layers.output_rule("mse", "identity").delta - 2 * (out - t) / layers.COUNT) == 0
    rule = layers.output_rule("cross_entropy", "softmax")
    assert rule.coupled and rule.delta == -t  # delta = -t + out * sum(t)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("hidden,output,bias", KINDS)
def test_layer_route_equals_the_per_weight_closed_forms_and_the_oracle(hidden: str, output: tuple[str, str],
                                                                       bias: tuple[str, str], reduction: str) -> None:
    s = spec.from_mapping(kind_doc(hidden, output, bias, reduction), "<kind>", "kind")
    net = network.build(s)
    flat = [CTX.mpf(str(p.initial)) for p in net.params]
    by_layer = layers.layer_gradients(net, flat)
    by_weight = derivation.closed_gradients(net, derivation.closed_forms(net), flat)
    values = {p.name: mp.mpf(str(p.initial)) for p in net.params}
    scale = len(s.samples) if reduction == "mean" else 1
    for p, a, b in zip(net.params, by_layer, by_weight):
        assert derivation.agree(a, b), p.name
        oracle = mp.fsum(finite_difference(s, i, p.name, values) for i in range(len(s.samples))) / scale
        assert abs(mp.mpf(a) - oracle) <= mp.mpf(10) ** -30 * max(1, abs(oracle)), p.name


@pytest.mark.parametrize("hidden,output,bias", KINDS)
def test_vector_code_by_the_layer_route_agrees_with_the_per_weight_route(hidden: str, output: tuple[str, str],
                                                                         bias: tuple[str, str]) -> None:
    s = spec.from_mapping(kind_doc(hidden, output, bias, "mean"), "<kind>", "kind")
    net = network.build(s)
    plan = layer_check.plan(net)
    source = codegen.generate_vector(net, plan.header)
    assert layer_check.disagreements(net, source, plan) == []
    d = derivation.build(net, history_steps=(1,))
    assert verify.disagreements(d, source) == []  # the per-weight route, at every parameter
    scalar = verify.load(codegen.generate(d, "scalar"))
    flat = verify.random_params(net, random.Random(3))
    np.testing.assert_allclose(verify.generated_gradients(verify.load(source), net, flat),
                               verify.generated_gradients(scalar, net, flat), rtol=1e-12, atol=1e-14)


def test_the_proof_catches_a_wrong_rule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    s = spec.load_preset("xor3")
    assert layers.prove(layers.small_network(s)) == []
    right = layers.slope
    monkeypatch.setattr(layers, "slope", lambda a: right(a) * (1 + layers.OUT / 1000) if a == "sigmoid" else right(a))
    assert layers.prove(layers.small_network(s))
    code, _, err = run(["code", "xor3", "--style", "vector", "--out", str(tmp_path / "u.py")], capsys)
    assert code == 1 and "small network" in err and err.count("\n") == 1
    assert not (tmp_path / "u.py").exists()


def wide_doc(sizes: tuple[int, ...] = (40, 12, 3)) -> dict[str, Any]:
    """A network past layer_check.ALL_UP_TO parameters, so that its gradients are checked at a sample."""
    rng = random.Random(7)
    draw = lambda: Decimal(rng.randint(-40, 40)) / 100
    layers_ = [layer(n, "sigmoid" if i < len(sizes) - 2 else "softmax", [[draw() for _ in range(m)] for _ in range(n)])
               for i, (m, n) in enumerate(itertools.pairwise(sizes))]
    samples = [([draw() for _ in range(sizes[0])], [Decimal(1) if j == k else Decimal(0) for j in range(sizes[-1])])
               for k in range(3)]
    return spec_doc([], [], layers_, loss="cross_entropy", samples=samples, update="batch")


def test_a_wide_network_is_checked_at_sampled_parameters() -> None:
    net = network.build(spec.from_mapping(wide_doc(), "<wide>", "wide"))
    assert len(net.params) > layer_check.ALL_UP_TO
    plan = layer_check.plan(net)
    assert len(plan.sampled) == 6 + 6 + 6 + 3 and len(set(plan.sampled)) == len(plan.sampled)  # 3 biases in layer 2
    source = codegen.generate_vector(net, plan.header)
    header = source[:source.index('"""', 3)]
    assert f"{len(plan.sampled)} parameters drawn at random" in header and "Verified before it was written" in header
    assert all(net.params[i].name in header.replace("\n", " ") for i in plan.sampled)
    assert layer_check.disagreements(net, source, plan) == []
    # every gradient, not only the sampled ones, against the per-weight closed forms at 50 digits
    flat = layer_check.random_point(net, random.Random(11))
    want = [float(g) for g in derivation.closed_gradients(net, derivation.closed_forms(net), flat)]
    np.testing.assert_allclose(verify.generated_gradients(verify.load(source), net, flat), want, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("original,broken", [
    ('grads["W1"] = delta1.T @ outs[0]', 'grads["W1"] = delta1.T @ outs[0] * 1.0000001'),  # every first-layer weight
    ('grads["b2"] = np.sum(delta2, axis=0)', 'grads["b2"] = np.sum(delta2[:2], axis=0)'),  # a sample left out
    ("return -np.sum(Y * (nets[1] - logsumexp(nets[1])), axis=1)",
     "return -np.sum(Y * (nets[1] - logsumexp(nets[1])), axis=1) * 1.000001"),  # the loss alone
])
def test_the_full_size_check_catches_wrong_code(original: str, broken: str) -> None:
    doc = wide_doc()
    doc["layers"][-1]["bias"] = {"mode": "per_neuron", "trainable": True, "values": [Decimal("0.1")] * 3}
    net = network.build(spec.from_mapping(doc, "<wide>", "wide"))
    plan = layer_check.plan(net)
    source = codegen.generate_vector(net, plan.header)
    assert original in source and layer_check.disagreements(net, source, plan) == []
    assert layer_check.disagreements(net, source.replace(original, broken, 1), plan)


def test_code_cli_vector_route(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(wide_doc()))
    code, out, err = run(["code", str(path), "--out", str(tmp_path / "u.py")], capsys)
    assert code == 0 and err == "" and out.strip() == str(tmp_path / "u.py")
    first = (tmp_path / "u.py").read_text(encoding="utf-8")
    assert 'STYLE = "vector"' in first and "Verified before it was written" in first
    assert run(["code", str(path), "--out", str(tmp_path / "v.py")], capsys)[0] == 0
    assert (tmp_path / "v.py").read_text(encoding="utf-8") == first  # byte-identical
    assert run(["code", str(path), "--out", str(tmp_path / "n.py"), "--no-verify"], capsys)[0] == 0
    assert "Not verified" in (tmp_path / "n.py").read_text(encoding="utf-8")


def test_code_cli_vector_route_refuses_numbers_beyond_float64(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    doc = wide_doc()
    doc["layers"][0]["weights"][0][0] = Decimal("1e300")
    doc["samples"][0]["inputs"][0] = Decimal("1e300")
    path = write_spec(tmp_path, toml(doc))
    code, _, err = run(["code", str(path), "--out", str(tmp_path / "u.py")], capsys)
    assert code == 2 and err.count("\n") == 1 and "beyond the range of float64" in err
    assert not (tmp_path / "u.py").exists()


@pytest.mark.parametrize("config", ["momentum", "adamw"])
def test_the_layer_route_checks_the_optimizer_on_the_small_network(config: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.maths.test_optimizers import CONFIGS, with_optimizer

    net = network.build(with_optimizer(spec.from_mapping(wide_doc(), "<wide>", "wide"), CONFIGS[config]))
    plan = layer_check.plan(net)
    source = codegen.generate_vector(net, plan.header)
    assert "initial_state" in source and layer_check.disagreements(net, source, plan) == []
    real = codegen.generate_vector
    line = "move = LEARNING_RATE*m[name]" if config == "momentum" else "mhat = m[name]/(1 - BETA1**t)"
    assert line in source
    monkeypatch.setattr(codegen, "generate_vector", lambda *a: real(*a).replace(line, line + "*1.001"))
    problems = layer_check.disagreements(net, codegen.generate_vector(net, plan.header), plan)
    assert problems and all("after 5 updates" in p for p in problems)


def test_the_small_network_has_the_same_layer_kinds() -> None:
    s = spec.from_mapping(kind_doc("tanh", ("softmax", "cross_entropy"), ("shared", "threshold"), "mean"), "<k>", "k")
    small = layers.small_spec(s)
    assert [(l.activation, l.bias.mode, l.bias.form, l.bias.trainable) for l in small.layers] == [
        (l.activation, l.bias.mode, l.bias.form, l.bias.trainable) for l in s.layers]
    assert (small.loss, small.training) == (s.loss, s.training)
    assert all(len(l.neurons) <= layers.SMALL_WIDTH for l in small.layers) and len(small.samples) == layers.SMALL_SAMPLES


def test_the_vector_route_builds_no_derivation_of_the_whole_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the per-weight derivation was built")

    monkeypatch.setattr(derivation, "build", refuse)
    path = write_spec(tmp_path, toml(wide_doc()))
    code, _, err = run(["code", str(path), "--out", str(tmp_path / "u.py")], capsys)
    assert code == 0, err
