"""A document's deltas with their sign turned: read so from the numbers they are worked from, and only where
the document keeps to that sign.

`δ₁ = 0.83·[1 - 0.83]·(-0.25)` is worked exactly to the network's delta with its sign turned (the document
defines δ as (t - o) f', the other sign from dE/dnet): read so, its link is right, and a δ₂ written with the
network's sign after it is the sign slip. A document that writes one delta with the network's sign (by its
value or its formula) and another turned has slipped in the turned one: that reading is not kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from derive.check.claims import Claim
from derive.model.precision import CTX, Real


class Statement(Protocol):  # names.Statement: what one claim says a name is
    @property
    def claim(self) -> Claim: ...
    @property
    def numbers(self) -> tuple[tuple[Real, str | None, Real], ...]: ...


class Reading(Protocol):  # names.Reading: a name read as a quantity, and why
    @property
    def quantity(self) -> str: ...
    @property
    def why(self) -> str: ...


Closeness = Callable[[Real, Real, "str | None", Real, bool], bool]  # names._close: a value near a number written

WORKED_TURNED = "by the numbers it is worked from, with its sign turned"
SAME = CTX.mpf(10) ** -20  # two quantities this close (relative) are one value: dE/db of a threshold, -dE/dnet


def turned_worked(statements: Sequence[Statement], slopes: list[str], candidates: list[str],
                  value: Callable[[str, str | None], Real | None], close: Closeness) -> list[str]:
    """The loss's derivatives (of `slopes`) whose value with the sign turned the statements' numbers worked
    exactly give, within their precision and far closer than any quantity's (of `candidates`) as it stands."""
    worked = [(s, v, spread) for s in statements for v, text, spread in s.numbers if text is None and v != 0]

    def off(q: str, sign: int) -> Real | None:  # how far the worked numbers are from sign * q, or None
        values = [x for s, _, _ in worked if (x := value(q, s.claim.sample)) is not None]
        if len(values) < len(worked) or not all(close(sign * x, v, None, spread, False)
                                                for x, (s, v, spread) in zip(values, worked, strict=True)):
            return None
        return sum((abs(sign * x - v) for x, (_, v, _) in zip(values, worked, strict=True)), CTX.zero)
    turned = [(d, q) for q in slopes if q.startswith("d:E") and (d := off(q, -1)) is not None]
    if not worked or not turned:
        return []
    best = min(d for d, _ in turned)
    # as near a quantity as it stands: not told, unless just as near, the delta turned (dE/db of a threshold)
    plain = [d for q in candidates if (d := off(q, 1)) is not None and
             (not q.startswith("d:") or abs(d - best) > best * SAME)]
    if plain and min(plain) <= 10 * best:
        return []
    return [q for d, q in turned if d <= best * 2 + SAME]


def slipped(readings: Mapping[str, Sequence[Reading]]) -> list[str]:
    """The names read turned by their numbers where another delta is read with the network's sign: not kept."""
    plain = any(r.quantity.startswith("d:E") and "/net_" in r.quantity and r.why in ("by its value", "by its formula")
                for rs in readings.values() for r in rs)
    return [n for n, rs in readings.items() if plain and any(r.why == WORKED_TURNED for r in rs)]
