"""An entry of a vector or matrix named by its index (`scores_2`, `h1_0`, `W2_{01}`, written flat as scores2,
h10, W201), the vector or matrix being one the document's arrays were read as. Indices count from 1, or from 0
in a document that counts from 0: one that writes index 0 for an array's entry and never an index past an
array's end counted so (x_0, x_1 of two inputs; not x_0 = 1 beside x_1, x_2, where x_0 is a bias's input)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from derive.reader.arrays import Quantity

_LABEL = re.compile(r"(.*?)(_L\d+)?")  # z_1^{[1]}: entry 1 of z^{[1]}, z_L1


def _splits(name: str, readings: Mapping[str, Quantity]) -> list[tuple[str, str]]:
    """Each way `name` is a read array's name followed by one or two digits (`h10`: h1 and 0, or h and 10)."""
    match = _LABEL.fullmatch(name)
    base, label = (match.group(1), match.group(2) or "") if match else (name, "")
    found = []
    for k in range(1, len(base)):
        digits, prefix = base[k:], base[:k]
        if digits.isdigit() and len(digits) <= 2 and prefix.removesuffix("_") + label in readings:
            found.append((prefix.removesuffix("_") + label, digits))
    return found


def _entry(q: Quantity, digits: str, start: int) -> str | None:
    """The entry's quantity: one index into a vector, two digits (row, column) into a matrix."""
    rows, columns = len(q.names), len(q.names[0])
    if min(rows, columns) == 1:
        entries = [n for row in q.names for n in row]
        k = int(digits) - start
        return entries[k] if 0 <= k < len(entries) else None
    if len(digits) != 2:
        return None
    i, j = int(digits[0]) - start, int(digits[1]) - start
    return q.names[i][j] if 0 <= i < rows and 0 <= j < columns else None


def entry(name: str, readings: Mapping[str, Quantity], from_zero: frozenset[str]) -> str | None:
    """The one quantity `name` stands for as an entry of an array read, else None (none, or several)."""
    found = {_entry(readings[array], digits, 0 if array in from_zero else 1)
             for array, digits in _splits(name, readings)}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def counted_from_zero(words: Iterable[str], readings: Mapping[str, Quantity]) -> frozenset[str]:
    """The arrays whose entries the document numbers from 0: every one, where one of them is written with
    index 0 and none with an index past its end counted so (a document keeps one way of counting)."""
    zero = past = False
    for word in words:
        for array, digits in _splits(word, readings):
            rows, columns = len(readings[array].names), len(readings[array].names[0])
            if min(rows, columns) == 1:
                zero, past = zero or int(digits) == 0, past or int(digits) >= rows * columns
            elif len(digits) == 2:
                zero = zero or "0" in digits
                past = past or int(digits[0]) >= rows or int(digits[1]) >= columns
    return frozenset(readings) if zero and not past else frozenset()


__all__ = ["counted_from_zero", "entry"]
