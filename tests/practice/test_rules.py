"""The page's judge reads numbers as the checker reads them: the same digits written, the same rounding
and truncation, the same copying slips (its JavaScript against derive's Python, in Node), and nothing a
student types is ever run."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest

from derive.check.digits import agrees_to_written_digits, significant
from derive.check.mistakes import typo
from derive.model.precision import CTX, show
from tests.practice.pages import NODE, make, node

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Debian package nodejs)")


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make("mazur", tmp_path_factory.mktemp("page"))


def _cases() -> list[tuple[object, str]]:
    """(truth, written) pairs: roundings, truncations, one off in the last digit, trailing zeros, exponents,
    exact decimals at a tie, signs, zero."""
    rng = random.Random(5)
    found: list[tuple[object, str]] = []
    for _ in range(300):
        x = CTX.mpf(rng.uniform(-1, 1)) * CTX.mpf(10) ** rng.randint(-9, 4) * CTX.pi / 3
        k = rng.randint(1, 12)
        rounded = Decimal(show(x, k).text)
        truncated = Decimal(CTX.nstr(x, 45)).quantize(Decimal(1).scaleb(rounded.adjusted() - k + 1),
                                                      rounding="ROUND_DOWN")
        step = Decimal(1).scaleb(rounded.adjusted() - k + 1)
        for written in (rounded, truncated, rounded + step, rounded - step, -rounded):
            found.append((x, format(written, "f")))
            found.append((x, format(written, "e")))
    for text, truth in (("0.12", "0.125"), ("0.13", "0.135"), ("0.5", "0.5"), ("0.50", "0.5"), ("0", "0"),
                        ("0.0", "0"), ("1200", "1234"), ("1.2e3", "1234"), ("-0.125", "-0.125"), ("+0.5", "0.5"),
                        ("0.1234", "0.12345"), ("1e-3", "0.001"), (".5", "0.5"), ("5.", "5")):
        found.append((CTX.mpf(truth), text))
    return found


def test_the_page_agrees_to_the_digits_written_as_the_checker_does(page: Path) -> None:
    cases = _cases()
    found = node(page, {"kind": "rules", "cases": [[show(x, 40).text, text] for x, text in cases]})[0]
    for (x, text), js in zip(cases, found):
        assert js == agrees_to_written_digits(x, text), (show(x, 40).text, text, js)
    assert sum(found) > len(found) / 3  # rounded, truncated and exact cases agree


def test_the_page_shows_a_rounded_number_and_names_a_slip_as_the_checker_does(page: Path) -> None:
    rng = random.Random(7)
    truths = [CTX.mpf(rng.uniform(0, 1)) * CTX.mpf(10) ** rng.randint(-9, 9) for _ in range(200)]
    cases = [(show(x, 40).text, rng.randint(1, 12)) for x in truths]
    shown = node(page, {"kind": "shown", "cases": cases})[0]
    assert shown == [show(CTX.mpf(t), k).text for t, k in cases]
    pairs = [("0.5932", "0.5933"), ("0.5392", "0.5932"), ("0.5933", "0.5933"), ("0.59x3", "0.5933"),
             ("0.5923", "0.5932"), ("1.5932", "0.5933"), ("0.59", "0.593")]
    found = node(page, {"kind": "typo", "cases": pairs})[0]
    names = {"one_digit": "one digit wrong", "two_swapped": "two digits swapped", None: None}
    assert [names[f] for f in found] == [typo(a, b) for a, b in pairs]


@pytest.mark.parametrize("text", ["abc", "1+1", "alert(1)", "0x10", "1e999", "Infinity", "NaN", "1/2", "--1",
                                  "1,5", "", "   ", "1e5000", "0.5.5", "e5", ".", "-", "0.5 0.6", "1_000"])
def test_anything_but_a_decimal_number_is_refused_without_being_run(page: Path, text: str) -> None:
    parsed = node(page, {"kind": "parse", "cases": [text]})[0][0]
    assert "value" not in parsed


@pytest.mark.parametrize("text", ["0.593", "-0.0137", "+1.5e-3", "1E3", "  0.5930 ", "\u22120.25", "5.", ".5"])
def test_a_decimal_number_is_read_with_the_digits_written(page: Path, text: str) -> None:
    parsed = node(page, {"kind": "parse", "cases": [text]})[0][0]
    plain = text.strip().replace("\u2212", "-")
    assert parsed["significant"] == significant(plain)
    assert parsed["value"] == pytest.approx(float(plain), rel=1e-15)
