"""Numbers as the grade files write them: a credit rounded once (a cell as a spreadsheet opens it: spreadsheet)."""

from __future__ import annotations

from fractions import Fraction


def credit_text(credit: Fraction) -> str:
    """A credit or a total as people read it: whole, or rounded once to two decimals (2/3 -> 0.67)."""
    if credit.denominator == 1:
        return str(credit.numerator)
    hundredths = round(credit * 100)  # Fraction rounds half to even, exactly
    return f"{hundredths // 100}.{hundredths % 100:02d}".rstrip("0").rstrip(".")
