"""The marks of `derive grade` for answers typed as numbers, in the standard library alone.

This module is written into every PrairieLearn question's `server.py` as it is (PrairieLearn's Python
has no derive), so it imports nothing but the standard library and nothing of derive. It states, for a
number, the rules of `derive.course.marking.marks`, in the same order and with the same words:
- not answered: 0;
- right: the truth rounded or truncated to the digits written, at least the digits asked, or more
  digits than asked that round to the truth rounded to the digits asked: 1;
- right from the student's own earlier answers (those that were right, and the wrong ones that are
  attempts at their quantity): the quantity worked out again from them (`carried`, printed from the
  engine's formulas), each moved by one unit of its last written digit, the changes added; an answer
  that is the rounding or truncation of a value in that interval, and not trivial: 1, and the verdict
  says from which slips (or that rounding was carried);
- a wrong answer named by the key's mistakes whose value it is to every digit written, and the
  checker's copying slips: 0, with their names;
- right to the digits written but not to the digits asked, or plainly wrong: 0.
The tests grade the same answers with `derive grade` and with this module and compare every mark.
(No `from __future__` import: the module is placed in the middle of `server.py`, where one cannot stand.)
"""

import math
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
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
    roundings = (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN)  # a value exactly half way either way
    return any(at_digits(exact, digits, r) == at_digits(claimed, digits, r) for r in roundings)


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
    """The truth rounded or truncated to the digits written (at least those asked), or more digits than
    asked that round to the truth rounded to the digits asked."""
    if significant(text) >= digits and agrees(truth, text):
        return True
    return significant(text) > digits and shown(Decimal(text), digits) == shown(Decimal(truth), digits)


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


def key_mistakes(question: Mapping[str, Any], text: str) -> list[str]:
    """The key's mistakes whose value is the answer: to the digits asked when it is written with no more,
    else to every digit written (rounded or truncated); a mistake that gives 0 only an answer of 0."""
    found = []
    written, x, digits = significant(text), Decimal(text), question["digits"]
    for name, printed in question["key"]:
        value = Decimal(printed)
        kept = len(value.as_tuple().digits)
        if value == 0:
            hit = x == 0
        elif written <= digits:
            hit = abs(x - value) <= _unit(value, digits) / 2 + _unit(value, kept) / 2
        elif written >= kept:
            hit = abs(x - value) <= _unit(value, kept) / 2
        else:
            hit = any(at_digits(value, written, r) == x for r in (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN))
        if hit:
            found.append(name)
    return found


def _unit(x: Decimal, digits: int) -> Decimal:
    return Decimal(1).scaleb(x.adjusted() - digits + 1)


def text_unit(text: str) -> float:
    """One unit of the last digit written."""
    return unit(float(Decimal(text)), significant(text))


def written_from(x: float, step: float, low: float, high: float) -> bool:
    """`x`, written with a last digit worth `step`, is the rounding or truncation of a value in [low, high]."""
    if low - step / 2 <= x <= high + step / 2:
        return True
    return (x <= high and x + step > low) if x >= 0 else (x - step < high and x >= low)


def attempt(question: Mapping[str, Any], value: float, mistakes: Sequence[str]) -> bool:
    """A wrong answer that is an attempt at its quantity: a copying slip, or a number of the truth's sign
    within half of it, inside its quantity's range (an out of a sigmoid between 0 and 1, of tanh -1 and 1)."""
    if any(m in COPYING_SLIPS for m in mistakes):
        return True
    truth = float(question["truth"])
    if abs(value - truth) > abs(truth) / 2:
        return False
    bounds = question.get("range")
    return bounds is None or bounds[0] < value < bounds[1]


def relevant(name: str, own: Mapping[str, Any]) -> list[str]:
    """The student's answers (by the checker's names) the value of `name` can depend on: the forward
    pass's for a value before the update (its loss only for the loss), a parameter's own gradient for its
    update (else the forward pass's), everything before the update for the error after it."""
    errors = [k for k in own if k == "E_total" or (k.startswith("E_") and "@" not in k)]
    forward = [k for k in own if "@" not in k and not k.startswith("d:") and k not in errors]
    base, at, _ = name.partition("@")
    if not at:
        return forward + errors if name == "E_total" or name.startswith("E_") else forward
    if f"d:E_total/{base}" in own:
        return [f"d:E_total/{base}"]
    if base != "E_total":
        return forward
    return forward + [k for k in own if k.startswith("d:E_total/") or "@" in k]


def _trivial(question: Mapping[str, Any], centre: float) -> bool:
    """A carried value that makes the question trivial (0, or an update that changes nothing)."""
    truth, before = float(question["truth"]), question.get("before")
    if before is not None:
        return abs(centre - float(before)) < 0.001 * abs(truth - float(before))
    return abs(centre) < 0.001 * abs(truth)


def _carried(question: Mapping[str, Any], text: str, own: Mapping[str, tuple[float, float]],
             slips: Mapping[str, str], carried: Callable[[str, Mapping[str, float]], float | None]) -> str | None:
    """The verdict of an answer the student's own earlier answers give within their digits, else None."""
    if not own or significant(text) < question["digits"]:
        return None
    used = relevant(question["name"], own)
    values = {k: own[k][0] for k in used}
    centre = carried(question["name"], values)
    if centre is None:
        return None
    spread = 0.0
    for key in used:
        up = carried(question["name"], {**values, key: values[key] + own[key][1]})
        if up is None:
            return None
        spread += abs(up - centre)
    x = float(Decimal(text))
    if not written_from(x, text_unit(text), centre - spread, centre + spread) or _trivial(question, centre):
        return None
    claims = [slips[k] for k in slips if k in used]
    truth = question["shown"]
    if claims:
        return f"right from your own earlier {', '.join(claims)} (error carried forward; truth {truth})"
    return f"right from your own rounded earlier answers (rounding carried forward; truth {truth})"


Mark = dict  # {"credit": float, "verdict": str, "mistakes": [str], "carried_forward": bool}


def mark(question: Mapping[str, Any], text: str | None, own: Mapping[str, tuple[float, float]],
         slips: Mapping[str, str], carried: Callable[[str, Mapping[str, float]], float | None]) -> Mark:
    """One question's mark, from the answer `text` (None: not answered)."""
    if text is None:
        return _mark(0, "not answered")
    truth, digits = question["truth"], question["digits"]
    truth_shown = question["shown"]
    if right(truth, text, digits):
        return _mark(1, "right")
    forward = _carried(question, text, own, slips, carried)
    if forward is not None:
        return _mark(1, forward, carried_forward=True)
    correct = agrees(truth, text)  # the checker explains only a number it finds wrong to the digits written
    named = key_mistakes(question, text)
    named += [s for s in (explained(question, text) if not correct else []) if s in COPYING_SLIPS and s not in named]
    if correct and not named:
        why = f"right to the digits written, but not the truth rounded to the {digits} significant digits asked"
        return _mark(0, f"{why} ({truth_shown})")
    because = f": {'; '.join(named)}" if named else ""
    return _mark(0, f"wrong (truth {truth_shown}){because}", named)


def _mark(credit: float, verdict: str, mistakes: Sequence[str] = (), carried_forward: bool = False) -> Mark:
    return {"credit": credit, "verdict": verdict, "mistakes": list(mistakes), "carried_forward": carried_forward}


def marks(questions: Sequence[Mapping[str, Any]], answers: Sequence[str | None],
          carried: Callable[[str, Mapping[str, float]], float | None]) -> list[Mark]:
    """Every question's mark, in order: each earlier answer that was right, or an attempt at its quantity,
    is the student's own for the later ones."""
    own: dict[str, tuple[float, float]] = {}
    slips: dict[str, str] = {}
    found = []
    for question, text in zip(questions, answers):
        m = mark(question, text, own, slips, carried)
        found.append(m)
        if text is None:
            continue
        value = float(Decimal(text))
        slip = m["credit"] < 1 and not m["carried_forward"] and all(x in COPYING_SLIPS for x in m["mistakes"])
        if m["credit"] == 1 or (slip and attempt(question, value, m["mistakes"])):
            own[question["name"]] = (value, text_unit(text))
            if slip:
                slips[question["name"]] = question["claim"]
    return found
