"""Bounded work for the iterations, and networks at the edges of the number range: one line or a bound,
never a traceback, never a confident wrong number."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from derive.maths import derivation
from derive.maths.numeric import MAX_ITERATION_WORK, iteration_work
from derive.model import network, spec
from tests.helpers import run, write_spec
from tests.networks import one_weight, saturated, toml
from tests.oracle import mp


def test_a_million_steps_are_refused_before_any_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(one_weight([1_000_000])))
    start = time.monotonic()
    code, _, err = run(["render", str(path), "--out", str(tmp_path / "out")], capsys)
    assert time.monotonic() - start < 30  # refused on reading: no training (which takes minutes)
    assert code == 2 and err.count("\n") == 1
    assert "training.steps" in err and f"{MAX_ITERATION_WORK:,}" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("preset", spec.preset_names())
def test_every_preset_is_within_the_iteration_work(preset: str) -> None:
    net = network.build(spec.load_preset(preset))
    assert iteration_work(net, net.spec.training.steps) <= MAX_ITERATION_WORK


def test_train_and_check_do_not_need_the_iterations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(one_weight([1_000_000])))
    code, out, _ = run(["train", str(path), "--steps", "3"], capsys)
    assert code == 0 and out.splitlines()[-1].startswith("updates 3: error ")


def test_an_error_far_below_the_smallest_double_is_a_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = derivation.build(network.build(spec.from_mapping(saturated(), "<net>", "net")))
    assert d.before is not None and not d.before.resolved
    # the truth, 1/2 (1 - sigmoid(net))^2 = 1/2 (1 + e^net)^-2 with net = 1600 sigmoid(2) ~ 1409, written
    # without cancellation: about e^-2818, below the bound
    net = 1600 / (1 + mp.exp(-2))
    truth = mp.mpf(1) / 2 / (1 + mp.exp(net)) ** 2
    assert 0 < truth < d.before.error < mp.mpf(10) ** -300
    path = write_spec(tmp_path, toml(saturated()))
    code, _, err = run(["render", str(path), "--format", "md", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    assert "| 0 | $< " in text and "only the bound $b$ is known" in text
    code, _, err = run(["train", str(path)], capsys)
    assert code == 0 and "below the smallest float64" in err and err.count("\n") == 1


def test_the_first_pass_writes_a_saturated_error_as_its_bound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(saturated()))
    code, _, err = run(["render", str(path), "--format", "md", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    error = text[text.index("## The error"):text.index("## The backward pass")]
    assert r"E_{\mathrm{total}} = E_{o1} &=" in error and r"< 1 \times 10^{-" in error
    assert "= 0\n" not in error and "= 0 " not in error
