"""The marks of `derive grade` for answers typed as numbers, in the standard library alone.

This module is written into every PrairieLearn question's `server.py` as it is (PrairieLearn's Python
has no derive), so it imports nothing but the standard library and nothing of derive. It states, for a
number, the rules of `derive.course.grading.marks`, in the same order and with the same words:
- not answered: 0;
- right: the truth rounded to the digits asked, or more digits than asked that agree with the truth to
  every digit written (rounded or truncated), as the checker takes a number: 1;
- an error carried forward: when an earlier answer was a slip (wrong, and no mistake of method explains
  it), the quantity worked out again from the student's own earlier answers (`carried`, printed from
  the engine's formulas) within one unit of its last digit asked: 1, and the verdict says from which;
- a wrong answer named by the checker's explanations (the catalogued mistakes, and a copying slip) or
  else by the key's mistakes whose value rounds to it: 0, with their names;
- right to the digits written but not to the digits asked, or plainly wrong: 0.
The tests grade the same answers with `derive grade` and with this module and compare every mark.
(No `from __future__` import: the module is placed in the middle of `server.py`, where one cannot stand.)
"""

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext
from typing import Any

# the copying slips the checker names: no mistake of method, so what follows them may earn its credit
COPYING_SLIPS = ("one digit wrong", "two digits swapped")
WRITTEN_DIGITS = 20  # a written answer read back from its value has at most these (trailing zeros dropped)
NUMBER_CHARACTERS = frozenset("0123456789+-.eE")


def number(raw: object) -> str | None:
    """The decimal number a student typed, as written (trimmed, a typographic minus read as -), or None."""
    text = str(raw if raw is not None else "").strip().replace("\u2212", "-")
    if not text or not set(text) <= NUMBER_CHARACTERS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return text if value.is_finite() else None


def significant(text: str) -> int:
    """The significant digits written (as derive's checker counts them)."""
    digits = text.lower().lstrip("+-").split("e")[0].replace(".", "").lstrip("0")
    return max(len(digits), 1)


def at_digits(value: Decimal, digits: int, rounding: str = ROUND_HALF_EVEN) -> Decimal:
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, rounding
        return +value


def agrees(truth: str, text: str) -> bool:
    """The truth, rounded or truncated to the significant digits of `text`, equals `text`."""
    digits, claimed, exact = significant(text), Decimal(text), Decimal(truth)
    return any(at_digits(exact, digits, r) == at_digits(claimed, digits, r) for r in (ROUND_HALF_EVEN, ROUND_DOWN))


def shown(value: Decimal, digits: int) -> str:
    """`value` rounded once to `digits` significant digits, trailing zeros dropped (derive's `show`)."""
    if value == 0:
        return "0"
    rounded = at_digits(value, digits)
    exponent = rounded.adjusted()
    if -6 <= exponent < max(digits, 7):
        return _plain(rounded)
    return f"{_plain(rounded.scaleb(-exponent))}e{exponent}"


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def right(truth: str, text: str, digits: int) -> bool:
    """The truth to the digits asked, or more digits than asked that agree with it."""
    if agrees(truth, text) and significant(shown(Decimal(text), WRITTEN_DIGITS)) > digits:
        return True
    return shown(Decimal(text), digits) == shown(Decimal(truth), digits)


def unit(x: float, digits: int) -> float:
    """One unit of the `digits`-th significant digit of `x` (of 1 when `x` is 0)."""
    exponent = math.floor(math.log10(abs(x))) if x else 0
    return 10.0 ** (exponent - digits + 1)


def close(value: float, to: float, digits: int) -> bool:
    """`value` within one unit of the `digits`-th significant digit of `to`."""
    if to == 0:
        return abs(value) <= 10.0 ** -digits
    return abs(value - to) <= unit(to, digits)


def typo(claimed: str, truth_shown: str) -> str | None:
    """'two digits swapped' or 'one digit wrong' when the claim is the truth with that slip."""
    if len(claimed) != len(truth_shown) or claimed == truth_shown:
        return None
    diffs = [i for i, (a, b) in enumerate(zip(claimed, truth_shown)) if a != b]
    if len(diffs) == 1 and claimed[diffs[0]].isdigit():
        return "one digit wrong"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and claimed[diffs[0]] == truth_shown[diffs[1]] \
            and claimed[diffs[1]] == truth_shown[diffs[0]]:
        return "two digits swapped"
    return None


def explained(question: Mapping[str, Any], text: str) -> list[str]:
    """The checker's explanations of a wrong number: the mistakes whose value agrees with it to the digits
    written (a replayed one only when nothing simpler does), else a copying slip."""
    found: list[str] = []
    for name, value, replayed in question["explain"]:
        if replayed and found:
            continue
        if name not in found and agrees(value, text):
            found.append(name)
    if not found:
        truth = question["truth"]
        same_sign = truth.startswith("-") == text.startswith("-")
        if same_sign and significant(text) >= 3:
            slip = typo(text.lstrip("-"), shown(abs(Decimal(truth)), significant(text)))
            if slip:
                found.append(slip)
    return found


def key_mistakes(question: Mapping[str, Any], claimed: Decimal) -> list[str]:
    """The key's mistakes whose value, rounded to the digits asked, is the answer: within half a unit of
    that digit, and of the last digit the key prints."""
    found = []
    for name, text in question["key"]:
        value = float(text)
        half = unit(value, question["digits"]) / 2 + unit(value, significant(text)) / 2
        if abs(float(claimed) - value) <= half:
            found.append(name)
    return found


Mark = dict  # {"credit": float, "verdict": str, "mistakes": [str], "carried_forward": bool}


def mark(question: Mapping[str, Any], text: str | None, own: Mapping[str, float], slips: Sequence[str],
         carried: Callable[[str, Mapping[str, float]], float | None]) -> Mark:
    """One question's mark, from the answer `text` (None: not answered)."""
    if text is None:
        return _mark(0, "not answered")
    truth, digits, claimed = question["truth"], question["digits"], Decimal(text)
    truth_shown = question["shown"]
    if right(truth, text, digits):
        return _mark(1, "right")
    forward = carried(question["name"], own) if slips else None
    if forward is not None and close(float(claimed), forward, digits):
        return _mark(1, f"right from your own earlier {', '.join(slips)} (error carried forward; truth {truth_shown})",
                     carried_forward=True)
    correct = agrees(truth, text)  # the checker explains only a number it finds wrong to the digits written
    named = (explained(question, text) if not correct else []) or key_mistakes(question, claimed)
    if correct and not named:
        why = f"right to the digits written, but not the truth rounded to the {digits} significant digits asked"
        return _mark(0, f"{why} ({truth_shown})")
    because = f": {'; '.join(named)}" if named else ""
    return _mark(0, f"wrong (truth {truth_shown}){because}", named)


def _mark(credit: float, verdict: str, mistakes: Sequence[str] = (), carried_forward: bool = False) -> Mark:
    return {"credit": credit, "verdict": verdict, "mistakes": list(mistakes), "carried_forward": carried_forward}


def marks(questions: Sequence[Mapping[str, Any]], answers: Sequence[str | None],
          carried: Callable[[str, Mapping[str, float]], float | None]) -> list[Mark]:
    """Every question's mark, in order: each earlier answer is the student's own for the later ones."""
    own: dict[str, float] = {}
    slips: list[str] = []
    found = []
    for question, text in zip(questions, answers):
        m = mark(question, text, dict(own), list(slips), carried)
        found.append(m)
        if text is not None:
            own[question["name"]] = float(Decimal(text))
            if m["credit"] < 1 and not m["carried_forward"] and all(x in COPYING_SLIPS for x in m["mistakes"]):
                slips.append(question["claim"])
    return found
