"""Bounded work: no claim line and no claims file runs for long, whatever it holds."""

from __future__ import annotations

import time

import pytest

from derive.check import checker
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
