"""The claims files made from the seed articles: which of their numbers are wrong, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check import checker
from derive.maths import derivation
from derive.model import network, spec

CLAIMS = Path(__file__).resolve().parents[2] / "examples" / "claims"

# Wrong lines found by hand (each number recomputed in tests/maths/test_mazur.py and tests/check/test_check.py),
# and the explanation expected where one mistake reproduces the number.
EXPECTED = {
    "seed000_mazur": ({5: None, 18: "weight paired with the wrong input", 19: "weight paired with the wrong input",
                       28: None, 29: None, 36: None, 37: None}),
    "seed001_textbook": {},
    "seed002_mazur": {},
    "seed003_mazur": {22: "one digit wrong", 30: "one digit wrong", 31: "stale weights", 32: None},
    "seed004_gender": {},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_seed_claims(name: str) -> None:
    preset = name.split("_")[1]
    d = derivation.build(network.build(spec.load_preset(preset)), history_steps=(1,))
    report = checker.check_text(d, (CLAIMS / f"{name}.claims").read_text(encoding="utf-8"))
    assert not report.refused
    wrong = {v.line: v for v in report.verdicts if v.status == "wrong"}
    assert sorted(wrong) == sorted(EXPECTED[name])
    for line, mistake in EXPECTED[name].items():
        if mistake is not None:
            assert any(e.startswith(mistake) for e in wrong[line].explanations), (line, wrong[line].explanations)


# Lines right from an earlier wrong line of the same file: the slip carried forward, not a new error.
CARRIED = {"seed000_mazur": {32: 28, 33: 29}}  # w2_new and w3_new from the swapped dE/dw2 and dE/dw3


def test_a_step_right_from_an_earlier_slip_is_carried_forward() -> None:
    d = derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))
    report = checker.check_text(d, (CLAIMS / "seed000_mazur.claims").read_text(encoding="utf-8"))
    carried = {v.line: v.reason for v in report.verdicts if v.status == "carried"}
    assert sorted(carried) == sorted(CARRIED["seed000_mazur"])
    for line, source in CARRIED["seed000_mazur"].items():
        assert f"the slip on line {source}" in carried[line]


def test_seed_001_rules_are_checked_as_formulas() -> None:
    d = derivation.build(network.build(spec.load_preset("textbook")), history_steps=(1,))
    report = checker.check_text(d, (CLAIMS / "seed001_textbook.claims").read_text(encoding="utf-8"))
    formulas = [v for v in report.verdicts if "closed form" in v.reason]
    assert len(formulas) == 8 and all(v.status == "correct" for v in formulas)
