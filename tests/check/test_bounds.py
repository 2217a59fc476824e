"""Bounded work: no claim line and no claims file runs for long, whatever it holds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from derive.check import checker
from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


def timed(d: derivation.Derivation, text: str) -> tuple[checker.Report, float]:
    start = time.perf_counter()
    report = checker.check_text(d, text)
    return report, time.perf_counter() - start


@pytest.mark.parametrize("text", [
    "out_h1 = exp(exp(50000))",
    "out_h1 = sigmoid(-exp(1e9))",
    "x = 4^16\nout_h1 = sigmoid(1/e^{-x})",
    "x = 1e999\ny = x^16\nout_h1 = y",
    "x = exp(5001)\nout_h1 = x",
    "out_h1 = 1e999*1e999*1e999*1e999",
    "x = 1e-999\nout_h1 = x*x*x*x",
    "x = 1e999\nout_h1 = tanh(x)",
])
def test_huge_intermediate_values_are_refused_before_they_are_computed(mazur: derivation.Derivation, text: str) -> None:
    report, seconds = timed(mazur, text)
    last = [v for v in report.verdicts if v.line == text.count("\n") + 1]
    assert seconds < 2
    assert any(v.status == "cannot check" and "beyond" in v.reason for v in report.verdicts), report.verdicts
    assert all(v.status != "correct" for v in last)


def test_values_within_the_range_are_still_computed(mazur: derivation.Derivation) -> None:
    report = checker.check_text(mazur, "x = exp(-700)\ny = x*1e300\nout_h1 = 0.593269992 + y*0")
    assert [v.status for v in report.verdicts] == ["defined", "defined", "correct"]


@pytest.fixture(scope="module")
def xor3() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("xor3")), history_steps=(1,))


def test_a_replay_checks_its_name_before_replaying(mazur: derivation.Derivation) -> None:
    report, seconds = timed(mazur, "zzz@100000 = 1\nout_zzz@100000 = 1")
    assert seconds < 1
    assert [v.status for v in report.verdicts] == ["cannot check"] * 2
    assert "no quantity 'zzz'" in report.verdicts[0].reason


def test_one_replay_serves_every_update_count_of_a_file(mazur: derivation.Derivation,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    replayed = []
    train = checker.Trainer.train

    def counting(self: object, params: list, steps: list, start: int = 0) -> list:
        replayed.append(steps[-1] - start)
        return train(self, params, steps, start)  # type: ignore[arg-type]

    monkeypatch.setattr(checker.Trainer, "train", counting)
    steps = [2999 - k for k in range(20)] + [3000, 1]
    report = checker.check_text(mazur, "\n".join(f"w5@{s} = 0.3" for s in steps))
    assert len(report.verdicts) == len(steps)
    assert sum(replayed) == 3000


def test_mazur_after_ten_thousand_updates_within_the_budget(mazur: derivation.Derivation) -> None:
    # the README's number (the article's): E_total after 10,000 updates
    report = checker.check_text(mazur, "E_total@10000 = 3.51018778e-5")
    assert [v.status for v in report.verdicts] == ["correct"]


def test_replays_beyond_the_work_budget_are_refused_when_the_file_is_read(xor3: derivation.Derivation) -> None:
    # xor3: 20 parameters learning from 4 samples = 80 units an update, 12,500 updates in 1,000,000
    report, seconds = timed(xor3, "w1@12501 = 1\nE_total@100000 = 1\nw1@0 = 1")
    assert seconds < 1
    assert [line for line, _ in report.refused] == [1, 2]
    assert "at most 12500 updates" in report.refused[0][1]
    assert [v.line for v in report.verdicts] == [3]


def test_a_spent_time_budget_ends_the_file(xor3: derivation.Derivation) -> None:
    text = "out_h1 = 0.1\nE_total@12000 = 1\nout_h2 = 0.5\nw1@1 = 2"
    start = time.perf_counter()
    report = checker.check_text(xor3, text, checker.Budget(seconds=0.5))
    assert time.perf_counter() - start < 3
    assert [(v.line, v.status) for v in report.verdicts] == [(1, "wrong"), (2, "cannot check"), (3, "cannot check"),
                                                             (4, "cannot check")]
    assert all(v.reason.startswith("budget spent") for v in report.verdicts[1:])


@pytest.mark.parametrize("options", [{"work": -1}, {"work": 1.5}, {"seconds": 0}, {"seconds": float("nan")},
                                     {"seconds": True}])
def test_a_budget_outside_its_range_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        checker.Budget(**options)  # type: ignore[arg-type]


def test_the_time_limit_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    claims = tmp_path / "c.claims"
    claims.write_text("out_h1 = 0.1\nE_total@12000 = 1\n", encoding="utf-8")
    assert main(["check", "xor3", str(claims), "--time-limit", "0.3"]) == 1
    out = capsys.readouterr().out
    assert "line 2: cannot check: budget spent: the file's time limit of 0.3 s has passed" in out
    for bad in ("0", "-1", "nan", "inf", "1e9", "²", ""):
        assert main(["check", "xor3", str(claims), "--time-limit", bad]) == 2
        assert "--time-limit: expected a number of seconds" in capsys.readouterr().err
