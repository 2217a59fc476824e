"""Numbers: the working precision, exact conversion in, and the one rounding for display."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

import mpmath

# 50 significant digits of work for at most a few dozen shown: 10,000 updates lose a few digits at most.
WORKING_DIGITS = 50
CTX = mpmath.MPContext()
CTX.dps = WORKING_DIGITS

Real = Any  # an mpf of CTX; mpmath has no static type to name
# Binary exponents beyond which an exact decimal expansion would be needlessly long (e^-1e300).
EXACT_EXPONENT_LIMIT = 100_000


def real(value: Decimal | int | str) -> Real:
    """A spec's number (an exact decimal) as a working-precision real."""
    return CTX.mpf(str(value))


def exact_decimal(x: Real) -> Decimal:
    """The binary value of `x`, exactly, as a Decimal."""
    sign, man, exp, _ = x._mpf_
    if not man:
        return Decimal(0)
    digits = len(str(man)) + abs(exp) + 10
    with localcontext() as ctx:
        ctx.prec = digits
        value = Decimal(int(man)) * (Decimal(2) ** exp)
    return -value if sign else value


@dataclass(frozen=True)
class Shown:
    """A number rounded once for people: `text` for plain text, `latex` for maths."""

    text: str
    latex: str
    negative: bool


def show(x: Real, digits: int, scientific: bool = False) -> Shown:
    """Round `x` to `digits` significant digits (half to even), strip trailing zeros; with `scientific`,
    always as a mantissa times a power of ten (a column of a table whose other numbers need one)."""
    if not CTX.isfinite(x):
        text = "nan" if CTX.isnan(x) else ("-inf" if x < 0 else "inf")
        return Shown(text, {"nan": r"\mathrm{NaN}", "inf": r"\infty", "-inf": r"-\infty"}[text], x < 0)
    if x == 0:
        return Shown("0", "0", False)
    if abs(x._mpf_[2]) >= EXACT_EXPONENT_LIMIT:
        return _show_extreme(x, digits)
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = ROUND_HALF_EVEN
        ctx.Emax, ctx.Emin = MAX_EMAX, MIN_EMIN
        rounded = +exact_decimal(x)
    mantissa, exponent = _split(rounded)
    if -6 <= exponent < max(digits, 7) and not scientific:
        text = _plain(rounded)
        return Shown(text, text, rounded < 0)
    text = f"{mantissa}e{exponent}"
    return Shown(text, f"{mantissa} \\times 10^{{{exponent}}}", rounded < 0)


def _show_extreme(x: Real, digits: int) -> Shown:
    """Numbers like e^-1e299, beyond any decimal context: mpmath's own rounding to `digits`."""
    mantissa, _, exponent = CTX.nstr(x, digits, min_fixed=1, max_fixed=0).partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    exponent = exponent.lstrip("+")
    return Shown(f"{mantissa}e{exponent}", f"{mantissa} \\times 10^{{{exponent}}}", x < 0)


def _plain(d: Decimal) -> str:
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _split(d: Decimal) -> tuple[str, int]:
    exponent = d.adjusted()
    mantissa = _plain(d.scaleb(-exponent))
    return mantissa, exponent
