"""Numbers as people write them: the significant digits a number claims, whether a value agrees with a
written number to those digits (rounded or truncated), and the precision a link of written numbers has."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from derive.check.claims import Node, Num, numbers_in
from derive.model.precision import CTX, WORKING_DIGITS, Real, exact_decimal


def significant(text: str) -> int:
    digits = text.lower().lstrip("+-").split("e")[0].replace(".", "").lstrip("0")
    return max(len(digits), 1)


def agrees_to_written_digits(truth: Real, text: str) -> bool:
    """The truth, rounded or truncated to the significant digits of `text`, equals `text`. A value exactly
    half way (0.7717 x 0.5 = 0.38585) is rounded either way: to even, or up as schools teach (0.3859)."""
    claimed = Decimal(text)
    digits = significant(text)
    exact = _settled(exact_decimal(truth))
    for rounding in (ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_DOWN):
        with localcontext() as ctx:
            ctx.prec, ctx.rounding = digits, rounding
            if +exact == +claimed:
                return True
    # rounded at the place of its last digit, a value may gain or lose a digit: 0.09 is 0.1 and 0.96 is 1.0 to
    # one decimal, 0.003 is 0.0 (a whole number stays exact: 0.38 is not 0)
    return "." in text and _at_place(exact, claimed) == claimed


# The last digits of a working-precision value are the binary's, not the quantity's: 0.15 is held as
# 0.1499...987, which truncated to two digits would make 0.14 right. They are rounded off before truncating.
SETTLED_DIGITS = WORKING_DIGITS - 5


def _settled(exact: Decimal) -> Decimal:
    """The value to the digits the working precision holds (an exact decimal given is itself again)."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = SETTLED_DIGITS, ROUND_HALF_EVEN
        return +exact


def _at_place(exact: Decimal, claimed: Decimal) -> Decimal:
    """The value rounded (half to even) at the decimal place of the written number's last digit."""
    with localcontext() as ctx:
        place = _exponent(claimed)
        ctx.prec = len(exact.as_tuple().digits) + abs(exact.adjusted()) + abs(place) + 2  # enough for any place
        return exact.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_EVEN)


def tolerance(node: Node, given: Callable[[Num], str | None] = lambda n: None) -> Real:
    """Relative precision of a link computed from written numbers: each adds half a unit of its last
    written digit, relative to its size; whole numbers are exact, and so is a number that equals a value
    the spec gives (a weight, an input, a target, the learning rate): 0.4 written for w5 is w5."""
    total = CTX.mpf(10) ** -30
    for n in numbers_in(node):
        value = Decimal(n.text)
        if value and ("." in n.text or "e" in n.text.lower()) and given(n) is None:
            half_unit = Decimal(5).scaleb(_exponent(value) - 1)
            total += CTX.mpf(str(half_unit / abs(value)))
    return total


def _exponent(value: Decimal) -> int:
    """The exponent of a written number's last digit (a written number is finite: no NaN, no infinity)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), value
    return exponent


def half_unit(text: str) -> Real:
    """Half a unit of the last digit written: how far a rounded number may be from what it rounds."""
    value = Decimal(text)
    if not ("." in text or "e" in text.lower()):
        return CTX.zero  # whole numbers (1, 2 in 1/2 (t - o)^2) are exact
    return CTX.mpf(str(Decimal(5).scaleb(_exponent(value) - 1)))
