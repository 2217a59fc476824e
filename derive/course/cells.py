"""Numbers and text as the grade files write them: a credit rounded once, a cell a spreadsheet opens as text."""

from __future__ import annotations

from fractions import Fraction

# a cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def credit_text(credit: Fraction) -> str:
    """A credit or a total as people read it: whole, or rounded once to two decimals (2/3 -> 0.67)."""
    if credit.denominator == 1:
        return str(credit.numerator)
    hundredths = round(credit * 100)  # Fraction rounds half to even, exactly
    return f"{hundredths // 100}.{hundredths % 100:02d}".rstrip("0").rstrip(".")


def spreadsheet_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading ', as
    OWASP recommends; a number (-0.5) stays a number, and a lone - (Moodle's "no date") stays."""
    if text.startswith(FORMULA_STARTS) and not _is_number(text) and text != "-":
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text
