"""Generated update code: equal to the closed forms, to finite differences, to autograd, and stable."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.cli import main
from derive.code import STYLES, codegen, verify
from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import CTX, show
from tests.helpers import random_spec_data

ROOT = Path(__file__).resolve().parents[2]


def derived(s: spec.Spec) -> derivation.Derivation:
    return derivation.build(network.build(s), history_steps=(1,))


def modules(d: derivation.Derivation) -> dict[str, object]:
    return {style: verify.load(codegen.generate(d, style)) for style in STYLES}


def finite_differences(module: object, net: network.Network, flat: list[float]) -> list[float]:
    """Central differences of the generated loss, in float64 (step 1e-6)."""
    result = []
    for i in range(len(flat)):
        up, down = list(flat), list(flat)
        up[i] += 1e-6
        down[i] -= 1e-6
        result.append((_loss(module, net, up) - _loss(module, net, down)) / 2e-6)
    return result


def _loss(module: object, net: network.Network, flat: list[float]) -> float:
    params = ({p.name: v for p, v in zip(net.params, flat)} if module.STYLE == "scalar"
              else verify.to_arrays(net, flat))
    return module.loss(params, module.INPUTS, module.TARGETS)


def check(d: derivation.Derivation, seed: int) -> None:
    """Both styles: closed forms (1e-9), finite differences (1e-5), and each other."""
    rng = random.Random(seed)
    flat = verify.random_params(d.network, rng)
    want = [float(g) for g in verify.closed_gradients(d, flat)]
    got = {style: verify.generated_gradients(m, d.network, flat) for style, m in modules(d).items()}
    for style, values in got.items():
        np.testing.assert_allclose(values, want, rtol=1e-9, atol=1e-13, err_msg=f"{style} vs closed forms")
        fd = finite_differences(modules(d)[style], d.network, flat)
        np.testing.assert_allclose(values, fd, rtol=1e-5, atol=1e-7, err_msg=f"{style} vs finite differences")
    np.testing.assert_allclose(got["scalar"], got["vector"], rtol=1e-12, atol=1e-14)


# the scalar and vector styles are the dense layers' (the layer kinds' code: tests/code/test_layer_code.py)
DENSE_PRESETS = [p for p in spec.preset_names() if spec.load_preset(p).structure is None]


@pytest.mark.parametrize("preset", DENSE_PRESETS)
def test_presets_generated_gradients_are_right(preset: str) -> None:
    d = derived(spec.load_preset(preset))
    check(d, 0)
    for style in STYLES:
        assert verify.disagreements(d, codegen.generate(d, style)) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_networks_generated_gradients_are_right(seed: int) -> None:
    data = random_spec_data(random.Random(seed), widest=5)
    check(derived(spec.from_mapping(data, "<random>", "random")), seed)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_agrees_with_pytorch_autograd(seed: int) -> None:
    torch = pytest.importorskip("torch")
    d = derived(spec.from_mapping(random_spec_data(random.Random(seed), widest=5), "<random>", "random"))
    module = verify.load(codegen.generate(d, "vector"))
    flat = verify.random_params(d.network, random.Random(seed))
    arrays = verify.to_arrays(d.network, flat)
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in arrays.items()}
    loss = torch_loss(torch, d.network, tensors, module.INPUTS, module.TARGETS)
    loss.backward()
    auto = verify.from_arrays(d.network, {k: t.grad.numpy() for k, t in tensors.items()})
    np.testing.assert_allclose(verify.generated_gradients(module, d.network, flat), auto, rtol=1e-9, atol=1e-12)


def torch_loss(torch: object, net: network.Network, p: dict, X: np.ndarray, Y: np.ndarray) -> object:
    """The spec's loss written directly in PyTorch, differentiated by autograd."""
    out = torch.tensor(X, dtype=torch.float64)
    acts = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda x: x,
            "softmax": lambda x: torch.softmax(x, dim=1)}
    for l, (layer, spec_layer) in enumerate(zip(net.layers, net.spec.layers), start=1):
        z = out @ p[f"W{l}"].T
        if spec_layer.bias.mode != "none":
            z = z - p[f"b{l}"] if spec_layer.bias.form == "threshold" else z + p[f"b{l}"]
        out = acts[layer[0].activation.name](z)
    y = torch.tensor(Y, dtype=torch.float64)
    per_sample = {
        "half_sse": lambda: 0.5 * ((y - out) ** 2).sum(dim=1),
        "mse": lambda: ((y - out) ** 2).mean(dim=1),
        "cross_entropy": lambda: -(y * torch.log(out)).sum(dim=1),
        "binary_cross_entropy": lambda: -(y * torch.log(out) + (1 - y) * torch.log(1 - out)).sum(dim=1),
    }[net.loss.name]()
    return per_sample.mean() if net.spec.training.reduction == "mean" else per_sample.sum()


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("act,loss", [("sigmoid", "half_sse"), ("sigmoid", "cross_entropy"),
                                      ("softmax", "cross_entropy"), ("tanh", "mse"), ("relu", "half_sse"),
                                      ("softmax", "half_sse")])
def test_stable_for_pre_activations_of_1e3(style: str, act: str, loss: str) -> None:
    data = random_spec_data(random.Random(5))
    data["loss"] = loss
    data["layers"][-1]["activation"] = act
    for layer in data["layers"][:-1]:
        layer["activation"] = "sigmoid"
    d = derived(spec.from_mapping(data, "<big>", "big"))
    module = verify.load(codegen.generate(d, style))
    flat = [1e3 * (1 if i % 2 else -1) for i in range(len(d.network.params))]
    params = {p.name: v for p, v in zip(d.network.params, flat)} if style == "scalar" else verify.to_arrays(d.network, flat)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is harmless
        grads = module.gradients(params, module.INPUTS * 1e3, module.TARGETS)
        value = module.loss(params, module.INPUTS * 1e3, module.TARGETS)
    assert np.isfinite(value) and all(np.all(np.isfinite(v)) for v in grads.values())


def test_mazur_code_reproduces_the_walkthrough() -> None:
    d = derivation.build(network.build(spec.load_preset("mazur")))
    for style in STYLES:
        module = verify.load(codegen.generate(d, style))
        params = module.initial_params()
        after_one = module.step(params, *module.batch(1))
        flat = ([after_one[p.name] for p in d.network.params] if style == "scalar"
                else verify.from_arrays(d.network, after_one))
        np.testing.assert_allclose(flat, [float(u.new) for u in d.updates], rtol=1e-12)
        assert show(CTX.mpf(module.loss(after_one, module.INPUTS, module.TARGETS)), 9).text == "0.291027774"
        trained = module.train(params, 10000)
        final = next(h.error for h in d.history if h.step == 10000)
        assert module.loss(trained, module.INPUTS, module.TARGETS) == pytest.approx(float(final), rel=1e-9)


@pytest.mark.parametrize("preset", spec.preset_names())
def test_committed_update_code_runs_and_prints_the_iterations(preset: str) -> None:
    path = ROOT / "output" / preset / "update.py"
    result = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, check=True)
    d = derivation.build(network.build(spec.load_preset(preset)))
    lines = result.stdout.splitlines()
    assert lines[0] == f"updates 0: error {float(d.error_before):.9g}"
    for h, line in zip(d.history, lines[1:]):
        number = float(line.rsplit(" ", 1)[1])
        assert line.startswith(f"updates {h.step}: error") and number == pytest.approx(float(h.error), rel=1e-7)


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed (a test extra)")
@pytest.mark.parametrize("preset", DENSE_PRESETS)
def test_generated_code_passes_ruff(preset: str, tmp_path: Path) -> None:
    d = derived(spec.load_preset(preset))
    for style in STYLES:
        path = tmp_path / f"{preset}_{style}.py"
        path.write_text(codegen.generate(d, style), encoding="utf-8")
        result = subprocess.run(["ruff", "check", "--no-cache", "--isolated", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_generation_is_byte_identical() -> None:
    s = spec.load_preset("textbook")
    assert codegen.generate(derived(s), "scalar") == codegen.generate(derived(s), "scalar")


def test_code_cli_writes_verified_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "m.py"
    assert main(["code", "mazur", "--out", str(out)]) == 0
    assert "dE_dw5 = " in out.read_text(encoding="utf-8")
    assert main(["code", "mazur", "--out", str(tmp_path / "v.py"), "--style", "vector", "--no-verify"]) == 0
    assert 'params["W2"]' in (tmp_path / "v.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv", [["code", "mazur", "--style", "matrix"], ["code", "nosuch"]])
def test_code_cli_bad_input(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv + ["--out", str(tmp_path / "x.py")]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "x.py").exists()


def test_code_cli_unwritable_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["code", "mazur", "--out", str(blocker / "x.py")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("style,original,broken", [
    ("scalar", "dE_dw5 = cse_0*out_h1", "dE_dw5 = cse_0*out_h2"),  # a weight paired with the wrong source
    ("vector", "*= outs[1]*(1 - outs[1])", "*= outs[1]*(1 + outs[1])"),  # a wrong slope of the hidden layer
])
def test_verification_catches_wrong_code(style: str, original: str, broken: str, tmp_path: Path) -> None:
    d = derived(spec.load_preset("mazur"))
    text = codegen.generate(d, style)
    assert original in text and verify.disagreements(d, text) == []
    assert verify.disagreements(d, text.replace(original, broken, 1))
