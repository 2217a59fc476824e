"""A step in numbers alone tied to the quantity it computes.

People work a vector out entry by entry in bare sums (`-0.47355 - 0.52107 - 0.0015 = -0.99612` under
"calculating each element"), then state the result as a quantity's value (`W^T dZ = [..., -0.99612]`). Judged
as arithmetic alone, such a sum is right whenever its addition is, even when a term is a wrong product: a
wrong value of the network called right. So a sum whose result the document states further on for one
quantity is that quantity's computation, judged against it (and against the values written before it, so a
slip carried forward stays carried): the first line after it stating that number says which quantity (a
number carried on, dZ = dA where the slope is 1, is stated again for others further on). A result that line
states for two quantities, or with fewer than three significant digits (0.5 or 2.6 could be anything), ties
to none: the sum stays arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from derive.check.claims import FUNCTIONS, Claim, Name, Node, names_in
from derive.check.digits import significant
from derive.check.truth import Truth, Unknown
from derive.check.verdicts import literal

TIE_DIGITS = 3


@dataclass(frozen=True)
class Stated:
    """A value as a line states it: for a quantity, or for an expression in the network's quantities (an
    entry of `W^T dZ`)."""

    line: int
    target: str
    left: Node | None
    sample: str | None

    def said(self) -> str:
        return self.target if self.left is None else f"an entry of the expression on line {self.line}"


@dataclass(frozen=True)
class Tie:
    """How a sum was read: the quantity a later line states its result for."""

    result: str
    stated: Stated

    def note(self) -> str:
        return f"read {self.result} as {self.stated.said()}, as line {self.stated.line} states it"


class Ties:
    """The values a document states for the network's quantities, by the number as written."""

    def __init__(self, truth: Truth | None = None, claims: Sequence[Claim] = ()) -> None:
        self.stated: dict[str, list[Stated]] = {}
        if truth is not None:
            self._read(truth, claims)

    def _read(self, truth: Truth, claims: Sequence[Claim]) -> None:
        for claim in claims:
            text = literal(claim.links[-1]) if claim.links else None
            if text is None or significant(text) < TIE_DIGITS or not _quantity(truth, claim):
                continue
            self.stated.setdefault(text, []).append(Stated(claim.line, claim.target.name, claim.left, claim.sample))

    def tie(self, claim: Claim) -> tuple[Claim, Tie | None]:
        """A sum in numbers as the computation of the quantity its result is stated for, else as it is."""
        if claim.left is None or any(names_in(n) for n in (claim.left, *claim.links)):
            return claim, None
        text = literal(claim.links[-1])
        stated = self.stated.get(text or "", [])
        later = [s for s in stated if s.line > claim.line]
        nearest = [s for s in later if s.line == later[0].line] if later else []
        if not nearest or len({(s.target, s.left, s.sample) for s in nearest}) != 1:
            return claim, None
        first = later[0]
        tied = replace(claim, target=Name(first.target), links=(claim.left, *claim.links), left=first.left,
                       sample=first.sample)
        return tied, Tie(text or "", first)


def bare(text: str) -> bool:
    """A chain in numbers alone (functions of them allowed): what a tie is for."""
    return all(word in FUNCTIONS for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))


def _quantity(truth: Truth, claim: Claim) -> bool:
    """A claim about a quantity of the network, or about an expression in them."""
    if claim.left is not None:
        return bool(names_in(claim.left))
    try:
        truth.value(claim.target.name, claim.sample)
    except (Unknown, ArithmeticError, ValueError):
        return False
    return True


__all__ = ["Tie", "Ties", "bare"]
