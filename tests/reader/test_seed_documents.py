"""The seed articles, unedited, read as the documents they are: every math span with `=` is judged or
listed as not understood with its reason, and the wrong numbers of their equations that the hand-made
claims files find are found from the documents themselves, with the same diagnosis."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.check import checker
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import JUDGED, NOT_CLAIM, NOT_UNDERSTOOD, check_document

ROOT = Path(__file__).resolve().parents[2]
SEEDS = Path(__file__).resolve().parent / "seeds"  # the five source articles, unedited
CLAIMS = ROOT / "examples" / "claims"
PRESETS = {"000": "mazur", "001": "textbook", "002": "mazur", "003": "mazur", "004": "gender"}
NUMBER = re.compile(r"\d+\.\d+|\d")


def seed(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def derived(preset: str) -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset(preset)), history_steps=(1,))


@pytest.fixture(scope="module", params=sorted(PRESETS))
def read(request: pytest.FixtureRequest):
    number = request.param
    text = seed(number)
    return number, text, check_document(derived(PRESETS[number]), "md", text)


def test_every_span_with_equals_is_judged_or_not_understood_with_a_reason(read) -> None:
    _, _, report = read
    for s in report.spans:
        if "=" in s.span.source:
            assert s.status in (JUDGED, NOT_UNDERSTOOD), (s.line, s.span.source)
            assert s.status == JUDGED or s.reason, (s.line, s.span.source)
        else:
            assert s.status == NOT_CLAIM


def test_nine_in_ten_spans_with_a_number_are_judged(read) -> None:
    _, _, report = read
    numeric = [s for s in report.spans if "=" in s.span.source and NUMBER.search(_right_sides(s.span.source))]
    judged = [s for s in numeric if s.status == JUDGED]
    assert len(judged) >= 0.9 * len(numeric)


def _right_sides(source: str) -> str:
    """The text after the first `=`: a subscript digit on the left (w_5) is not a number claimed."""
    return source.split("=", 1)[1]


def test_wrong_numbers_of_the_equations_are_found_with_the_same_diagnosis(read) -> None:
    number, text, report = read
    name = f"seed{number}_{PRESETS[number]}"
    expected = checker.check_text(derived(PRESETS[number]), (CLAIMS / f"{name}.claims").read_text(encoding="utf-8"))
    equations = " ".join(s.span.source for s in report.spans if "=" in s.span.source)
    wrong_in_equations = [v for v in expected.verdicts if v.status == "wrong" and _last_number(v.text) in equations]
    found = {_last_number(f.verdict.text): f.verdict for f in report.found
             if f.verdict.status == "wrong" and re.search(r"\d\.\d", f.verdict.text)}
    for v in wrong_in_equations:
        assert _last_number(v.text) in found, v.text
        got = found[_last_number(v.text)]
        assert _kinds(got.explanations) == _kinds(v.explanations), (v.text, got.explanations)
    if number == "003":  # the two wrong numbers of its equations (the others are in its prose)
        assert sorted(_last_number(v.text) for v in wrong_in_equations) == ["-0.019049119", "0.29950299"]


def _last_number(text: str) -> str:
    return re.findall(r"-?\d+\.\d+", text)[-1]


def _kinds(explanations: tuple[str, ...]) -> list[str]:
    return sorted(e.split(":", 1)[0] for e in explanations)


def test_seed_003_reads_the_updated_weights_as_updated() -> None:
    report = check_document(derived("mazur"), "md", seed("003"))
    updates = {f.verdict.line: f for f in report.found if f.reading}
    assert {line: f.verdict.status for line, f in updates.items() if "w_6" in f.verdict.text} == {134: "correct"}
    w4 = next(f for f in report.found if "0.29950299" in f.verdict.text)
    assert w4.reading.startswith("w4: read as the value after one update") and w4.verdict.line == 215

