"""What the README says the numbers mean, checked against independent computations: the generator and
the order [init] draws in, mse as a mean over the outputs, cross-entropy on sigmoid outputs as the
binary form, learning_rate required, reserved names refused (issue 15, item 8)."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from derive.maths import derivation
from derive.model import network, spec
from tests.helpers import MAZUR, run, write_spec


def test_init_draws_from_default_rng_in_reading_order() -> None:
    loaded = spec.load_preset("xor3")  # normal(0, 0.1), seed 1; a 3-5-1 network
    drawn = [Decimal(repr(float(v))) for v in np.random.default_rng(1).normal(0.0, 0.1, 5 * 3 + 1 * 5)]
    assert [w for layer in loaded.layers for row in layer.weights for w in row] == drawn
    assert loaded.layers[0].weights[1] == tuple(drawn[3:6])  # neuron by neuron, one weight per input


def _error(text: str, tmp_path: Path) -> float:
    d = derivation.build(network.build(spec.load_path(write_spec(tmp_path, text))), history_steps=(1,))
    return float(d.error_before)


def _forward_mazur() -> tuple[float, float]:
    sig = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    h1, h2 = sig(0.15 * 0.05 + 0.2 * 0.1 + 0.35), sig(0.25 * 0.05 + 0.3 * 0.1 + 0.35)
    return sig(0.4 * h1 + 0.45 * h2 + 0.6), sig(0.5 * h1 + 0.55 * h2 + 0.6)


def test_mse_is_the_mean_over_the_outputs(tmp_path: Path) -> None:
    o1, o2 = _forward_mazur()
    expected = ((0.01 - o1) ** 2 + (0.99 - o2) ** 2) / 2
    assert _error(MAZUR.replace('loss = "half_sse"', 'loss = "mse"'), tmp_path) == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_on_sigmoid_outputs_is_binary(tmp_path: Path) -> None:
    o1, o2 = _forward_mazur()
    expected = sum(-(t * math.log(o) + (1 - t) * math.log(1 - o)) for t, o in ((0.01, o1), (0.99, o2)))
    text = MAZUR.replace('loss = "half_sse"', 'loss = "cross_entropy"')
    assert _error(text, tmp_path) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("change", "key"), [
    (("learning_rate = 0.5\n", ""), "training.learning_rate: missing required key"),
    (('"h1", "h2"', '"h1", "eta"'), "layers[0].neurons[1]"),
    (('"h1", "h2"', '"h1", "grads"'), "layers[0].neurons[1]"),
    (('"h1", "h2"', '"h1", "lambda"'), "layers[0].neurons[1]"),
])
def test_required_and_reserved(change: tuple[str, str], key: str, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.replace(*change))
    code, _, err = run(["code", str(path), "--out", str(tmp_path / "u.py")], capsys)
    assert code == 2 and key in err
