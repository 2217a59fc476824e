"""An entry of a vector or matrix named by its index (`scores_2`, `h1_0`, `W2_{01}`, written flat as scores2,
h10, W201), the vector or matrix being one the document's arrays were read as. Indices count from 1, or from 0
in a document that counts from 0: one that writes some array's entry with index 0 and never past its end counted
so, and no array only with indices that go past it (x_1, x_2 of two inputs, x_0 = 1 being a bias's input). An
array such a document indexes both ways (h1_0 and h1_2 of two outputs) is not read by its indices."""

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


def entry(name: str, readings: Mapping[str, Quantity], starts: Mapping[str, int | None]) -> str | None:
    """The one quantity `name` stands for as an entry of an array read, else None (none, or several)."""
    found = {_entry(readings[array], digits, start) for array, digits in _splits(name, readings)
             for start in [starts.get(array, 1)] if start is not None}
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _evidence(q: Quantity, digits: str) -> tuple[bool, bool]:
    """Whether an index is 0, and whether it is past the array's end counted from 0."""
    rows, columns = len(q.names), len(q.names[0])
    if min(rows, columns) == 1:
        return int(digits) == 0, int(digits) >= rows * columns
    if len(digits) != 2:
        return False, False
    return "0" in digits, int(digits[0]) >= rows or int(digits[1]) >= columns


def counting(words: Iterable[str], readings: Mapping[str, Quantity]) -> dict[str, int | None]:
    """Where each array's indices start, where it is not 1: 0 for every array of a document that counts from 0
    (see the module's note); None, not read, for an array such a document indexes both ways (h1_0 and h1_2 of
    two outputs: one of them is a slip, and which one cannot be told)."""
    seen: dict[str, tuple[bool, bool]] = {}
    for word in words:
        for array, digits in _splits(word, readings):
            zero, past = _evidence(readings[array], digits)
            was = seen.get(array, (False, False))
            seen[array] = (was[0] or zero, was[1] or past)
    if not any(zero and not past for zero, past in seen.values()) or \
            any(past and not zero for zero, past in seen.values()):
        return {}
    return {array: None if seen.get(array) == (True, True) else 0 for array in readings}


__all__ = ["counting", "entry"]
