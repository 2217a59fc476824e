"""A number copied wrong into a computation: a value the step is computed from, written with one slip of the
pen (a digit left out or one too many, a digit changed, two digits swapped, the decimal point moved), named
with the value it copies.

Only the values the step comes from are candidates (its inputs, theirs, and so on back to the givens), as
the truth has them and as the person wrote them; and a slip is named only where the number has digits
enough to tell it from chance: a moved decimal point (six variants) from four significant digits, where a
wrong number agrees with one of some forty values by chance a few times in a hundred; the other slips (some
two hundred variants) from seven, where it does so less than once in a thousand.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import suppress
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from derive.check.carried import Recomputer, canonical
from derive.check.confusions import shown
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.truth import Truth, Unknown, split_sample
from derive.check.values import Evaluator
from derive.model.precision import Real, show

POINT_DIGITS = 4
DIGIT_DIGITS = 7


def copied(text: str, target: str, truth: Truth, evaluator: Evaluator) -> tuple[str, ...]:
    """An arithmetic slip in copying, where the stray number `text` in a computation of `target` is a value
    it is computed from with one slip of the pen."""
    plain = text.lstrip("-")
    if significant(plain) < POINT_DIGITS:
        return ()
    values = _sources(target, truth, evaluator)
    if any(agrees_to_written_digits(abs(value), plain) for _, value in values):
        return ()  # a value the step comes from (-0.65584 x -0.1 = 0.06558, dE/dout_h2), as written: no slip
    for variant, how in _variants(plain):
        for name, value in values:
            if value and agrees_to_written_digits(abs(value), variant):
                return (f"arithmetic slip in copying: {text} is {shown(name)} ({show(value, 9).text}) {how}",)
    return ()


def _sources(target: str, truth: Truth, evaluator: Evaluator) -> list[tuple[str, Real]]:
    """The quantities `target` is computed from, back to the givens, each at its true value, at the value the
    person wrote for it and at the value the values they wrote give it; in the order of the steps back."""
    if evaluator.recomputer is None:
        evaluator.recomputer = Recomputer(truth)
    base, sample = split_sample(target)
    names: list[str] = []
    todo = list(evaluator.recomputer.inputs(base))
    while todo:
        name = todo.pop(0)
        if name not in names:
            names.append(name)
            todo += evaluator.recomputer.inputs(name)
    found = []
    for name in names:
        with suppress(Unknown):
            found.append((name, truth.value(name, sample)))
        written = evaluator.document.written.get((canonical(name), sample))
        if written is not None:
            found.append((name, written.value))
        with suppress(ArithmeticError, ValueError, KeyError):
            again = evaluator.recomputer.value(name, evaluator.document, sample)
            if again is not None and (again.slips or again.rounded):
                found.append((name, again.value))
    return found


def _variants(text: str) -> Iterator[tuple[str, str]]:
    """What `text` (unsigned) may have been before one slip of the pen, and how it slipped, by kind."""
    for places in (1, -1, 2, -2, 3, -3):
        moved = Decimal(text).scaleb(places)
        side = "right" if places < 0 else "left"  # the number written is the value with its point moved
        yield (format(moved, "f"), f"with its decimal point moved {abs(places)} place{'s' * (abs(places) > 1)} "
                                   f"to the {side}")
    if significant(text) < DIGIT_DIGITS:
        return
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    for i in [*digits, len(text)]:
        for d in "0123456789":
            yield from _valid(text[:i] + d + text[i:], "with a digit left out")
    for i in digits:
        for d in "0123456789":
            if d != text[i]:
                yield from _valid(text[:i] + d + text[i + 1:], "with one digit changed")
    for i, j in pairwise(digits):
        if j == i + 1 and text[i] != text[j]:
            yield from _valid(text[:i] + text[j] + text[i] + text[j + 1:], "with two digits swapped")
    for i in digits[:-1]:  # the last one dropped leaves a number the value agrees with when it is only wrong
        yield from _valid(text[:i] + text[i + 1:], "with a digit too many")


def _valid(text: str, how: str) -> Sequence[tuple[str, str]]:
    """`text` where it is a number as written (a digit before any point), else nothing."""
    if not text or text.startswith(".") or text.endswith("."):
        return ()
    try:
        Decimal(text)
    except InvalidOperation:
        return ()
    return ((text, how),)
