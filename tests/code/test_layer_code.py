"""The layer code of convolution, pooling and recurrent networks: against the engine's closed forms, the
engine's training, and PyTorch (conv2d, max_pool2d, avg_pool2d, nn.RNN) in float64."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.code import layer_code, layer_verify, verify
from derive.maths import derivation
from derive.model import network, spec
from tests import layer_oracle as oracle
from tests.helpers import run
from tests.maths.test_wired import _torch_gradients

torch.set_default_dtype(torch.float64)


def derived(s: spec.Spec, steps: tuple[int, ...] = (1,)) -> derivation.Derivation:
    return derivation.build(network.build(s), history_steps=steps)


def _module(d: derivation.Derivation) -> object:
    return verify.load(layer_code.generate(d))


def _check_torch(s: spec.Spec) -> None:
    """The module's gradients of each sample equal PyTorch autograd's."""
    d = derived(s)
    module = _module(d)
    flat = [float(p.initial) for p in d.network.params]
    for index in range(len(s.samples)):
        X, Y = module.INPUTS[index:index + 1], module.TARGETS[index:index + 1]
        got = layer_verify.from_arrays(d.network, module.gradients(layer_verify.to_arrays(d.network, flat), X, Y))
        want = _torch_gradients(s, index)
        for p, g in zip(d.network.params, got):
            assert g == pytest.approx(want[p.name], rel=1e-10, abs=1e-13), p.name


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_the_fixtures_code_agrees_with_the_closed_forms_and_pytorch(name: str) -> None:
    s = oracle.fixture(name)
    d = derived(s)
    assert layer_verify.disagreements(d, layer_code.generate(d), points=5) == []
    _check_torch(s)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_image_networks_code_agrees(seed: int) -> None:
    s = spec.from_mapping(oracle.random_image_data(random.Random(seed)), "<random>", "random")
    d = derived(s)
    assert layer_verify.disagreements(d, layer_code.generate(d)) == []
    _check_torch(s)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_rnns_code_agrees(seed: int) -> None:
    data = oracle.random_sequence_data(random.Random(seed))
    data["layers"][0]["activation"] = random.Random(seed).choice(["tanh", "relu"])  # what torch.nn.RNN has
    s = spec.from_mapping(data, "<random>", "random")
    d = derived(s)
    assert layer_verify.disagreements(d, layer_code.generate(d)) == []
    _check_torch(s)


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_the_input_gradient_is_pytorchs(seed: int) -> None:
    """conv2d_input_gradient, the full convolution with the flipped kernel, is torch's dE/dx for any
    stride and padding (the rows and columns no window reaches get 0)."""
    rng = np.random.default_rng(seed)
    kernel = int(rng.integers(1, 4))
    stride, padding = (int(rng.integers(1, 3)), int(rng.integers(1, 3))), (int(rng.integers(0, kernel)),) * 2
    x = torch.tensor(rng.uniform(-1, 1, (2, 2, int(rng.integers(kernel, 7)), int(rng.integers(kernel, 7)))),
                     requires_grad=True)
    K = torch.tensor(rng.uniform(-1, 1, (3, 2, kernel, kernel)))
    out = torch.nn.functional.conv2d(x, K, stride=stride, padding=padding)
    delta = torch.tensor(rng.uniform(-1, 1, tuple(out.shape)))
    (out * delta).sum().backward()
    module = _module(derived(oracle.fixture("cnn")))
    got = module.conv2d_input_gradient(delta.numpy(), K.numpy(), tuple(x.shape), stride, padding)
    np.testing.assert_allclose(got, x.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(module.conv2d(x.detach().numpy(), K.numpy(), stride, padding), out.detach().numpy(),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_the_code_trains_as_the_engine_does(name: str) -> None:
    d = derived(oracle.fixture(name), (1, 2, 5, 10))
    module = _module(d)
    trained = {0: module.initial_params()}
    module.train(trained[0], 10, lambda number, params: trained.__setitem__(number, params))
    for h in d.history:
        assert module.loss(trained[h.step], module.INPUTS, module.TARGETS) == pytest.approx(float(h.error), rel=1e-9)


def test_the_code_is_the_same_every_time_and_passes_ruff(tmp_path: Path) -> None:
    d = derived(oracle.fixture("cnn"))
    text = layer_code.generate(d)
    assert text == layer_code.generate(derived(oracle.fixture("cnn")))
    if shutil.which("ruff") is None and not Path(__import__("sys").executable).with_name("ruff").exists():
        import importlib.util

        if importlib.util.find_spec("ruff") is None:
            pytest.skip("ruff is not installed (a test extra)")
    for name in ("cnn", "rnn"):
        path = tmp_path / f"{name}.py"
        path.write_text(layer_code.generate(derived(oracle.fixture(name))), encoding="utf-8")
        result = subprocess.run([__import__("sys").executable, "-m", "ruff", "check", "--no-cache", "--isolated",
                                 str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_code_and_train_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "u.py"
    code, printed, _ = run(["code", str(oracle.FIXTURES / "rnn.toml"), "--out", str(out)], capsys)
    assert code == 0 and printed.strip() == str(out)
    assert "Verified before it was written" in out.read_text(encoding="utf-8")
    code, printed, _ = run(["train", str(oracle.FIXTURES / "cnn.toml"), "--steps", "10"], capsys)
    d = derived(oracle.fixture("cnn"), (10,))
    assert code == 0 and printed.splitlines()[-1] == f"updates 10: error {float(d.history[-1].error):.9g}"
    code, _, err = run(["code", str(oracle.FIXTURES / "cnn.toml"), "--style", "scalar"], capsys)
    assert code == 2 and "has vector code only" in err and err.count("\n") == 1
