"""derive train: the generated vector code's errors equal the engine's iterations; the plot is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from derive.code import codegen, dataset, training, verify
from derive.maths import derivation
from derive.model import network, spec


def test_log_steps() -> None:
    assert training.log_steps(1) == [1]
    assert training.log_steps(120) == [1, 2, 5, 10, 20, 50, 100, 120]
    assert training.log_steps(1000) == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]


@pytest.mark.parametrize("preset", ["mazur", "gender", "xor3"])
def test_errors_match_the_high_precision_iterations(preset: str, capsys: pytest.CaptureFixture[str]) -> None:
    s = spec.load_preset(preset)
    steps = training.log_steps(s.training.steps[-1])
    d = derivation.build(network.build(s), history_steps=tuple(steps))
    assert main(["train", preset]) == 0
    lines = capsys.readouterr().out.splitlines()
    printed = {int(line.split()[1].rstrip(":")): float(line.split()[-1]) for line in lines}
    assert sorted(printed) == [0] + steps
    assert printed[0] == pytest.approx(float(d.error_before), rel=1e-8)
    for h in d.history:
        assert printed[h.step] == pytest.approx(float(h.error), rel=1e-7), h.step


def test_progress_bar_runs_for_long_trainings(capsys: pytest.CaptureFixture[str]) -> None:
    net = network.build(spec.load_preset("mazur"))
    module = verify.load(codegen.generate_vector(net))
    schedule = training.Schedule(training.PROGRESS_FROM, 1, False)
    result = training.train(module, dataset.spec_rows(module), schedule, progress=True)
    assert result.curve[-1][0] == training.PROGRESS_FROM and result.diverged is None
    assert "update" in capsys.readouterr().err  # tqdm's bar, on stderr


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_is_written_and_deterministic(suffix: str, magic: bytes, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    assert main(["train", "mazur", "--steps", "50", "--plot", str(first)]) == 0
    assert main(["train", "mazur", "--steps", "50", "--plot", str(second)]) == 0
    assert first.read_bytes().startswith(magic)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("argv", [["train", "mazur", "--steps", "0"], ["train", "mazur", "--steps", "x"],
                                  ["train", "mazur", "--plot", "curve.pdf"], ["train", "nosuch"]])
def test_bad_input(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err.count("\n") == 1
