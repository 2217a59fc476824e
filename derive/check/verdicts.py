"""A verdict on one link of a claim, and the comparison of a link's value with the value it should have:
to the digits written for a number, within the precision of the numbers written for a computation; and
whether a link follows from the one before it (given that one's rounding)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from derive.check.claims import Claim, Node, Num, Unary
from derive.check.digits import agrees_to_written_digits, half_unit, significant, tolerance
from derive.model.precision import CTX, Real, show


@dataclass(frozen=True)
class Verdict:
    line: int
    text: str
    link: int  # 1-based position of the link in the chain
    status: str  # correct | wrong | cannot check
    truth: Real | None
    claimed: Real | None
    reason: str
    explanations: tuple[str, ...] = ()  # for a wrong number: the mistakes that reproduce it
    reading: str = ""  # on a network of several samples: which sample (or the batch) was judged
    entry: str = ""  # of a claim about whole vectors or matrices: the entry judged (`entry (2, 1), dE_total/dw7`)

    @property
    def relative_error(self) -> Real | None:
        if self.truth is None or self.claimed is None or self.truth == 0:
            return None
        return abs(self.claimed - self.truth) / abs(self.truth)


def literal(link: Node) -> str | None:
    """The text of a link that is one written number, else None; a plus sign written before it (`+0.0966`,
    a positive change) is no part of its text."""
    if isinstance(link, Num):
        return link.text
    if isinstance(link, Unary) and link.op in "-+" and isinstance(link.arg, Num):
        return "-" + link.arg.text if link.op == "-" else link.arg.text
    if isinstance(link, Unary) and link.op == "-" and (inner := literal(link.arg)) is not None:
        return inner[1:] if inner.startswith("-") else "-" + inner  # -(-0.0847): a name read with its sign turned
    return None


def compare(claim: Claim, i: int, link: Node, truth: Real, claimed: Real,
             spread: Callable[[Node], Real] | None = None,
             given: Callable[[Num], str | None] = lambda n: None) -> Verdict:
    text = literal(link)
    if text is not None:
        ok = agrees_to_written_digits(truth, text)
        reason = "agrees to the digits written" if ok else f"does not agree to the {significant(text)} digits written"
        if ok and truth != 0 and Decimal(text) == 0:  # 0.0 for 0.00044: rounded, or a value that vanished?
            return Verdict(claim.line, claim.text, i, "cannot check", truth, claimed, f"{text} is the truth rounded "
                           "at its last place, but a zero cannot tell rounding from a value that is not there")
    else:
        ok = within(claimed, truth, link, spread, given)
        reason = ("agrees within the precision of its numbers" if ok
                  else f"evaluates to {show(claimed, 9).text}, the truth is {show(truth, 9).text}")
    return Verdict(claim.line, claim.text, i, "correct" if ok else "wrong", truth, claimed, reason)


def within(claimed: Real, truth: Real, link: Node, spread: Callable[[Node], Real] | None,
           given: Callable[[Num], str | None]) -> bool:
    """A computation in written numbers agrees with the truth within their rounding: half a unit of each
    number's last digit carried through every operation (each number's effect weighed by the slope it
    enters with: 1/(1 + 0.5037) is no rounding of 1/(1 + 0.50359)); without that, the sum of the numbers'
    relative half units."""
    if abs(claimed - truth) <= CTX.mpf(10) ** -30 * max(abs(truth), CTX.mpf(10) ** -10):
        return True  # equal at the working precision
    if spread is not None:
        try:
            bound = spread(link)
        except (ArithmeticError, ValueError, LookupError):  # a name whose value is not known: no spread
            bound = CTX.nan
        if not CTX.isnan(bound):
            return abs(claimed - truth) <= bound * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30 * abs(truth)
    return abs(claimed - truth) <= tolerance(link, given) * max(abs(truth), CTX.mpf(10) ** -40)


def follows(before: Real, link: Node, value: Real, spread: Real, before_spread: Real = CTX.zero) -> bool:
    """`link` (its value `value`, its numbers' rounding `spread`) is what the link before it gives (from its
    numbers, give or take their rounding `before_spread`): a number to the digits written, a computation
    within the rounding of the numbers it writes anew."""
    text = literal(link)
    slack = CTX.mpf(10) ** -30 * max(abs(before), abs(value))  # relative: 2e-162 is no rounding of 0
    if text is not None:
        if agrees_to_written_digits(before, text):
            return True
        return abs(value - before) <= (half_unit(text) + before_spread) * CTX.mpf("1.000001") + slack
    return abs(value - before) <= (spread + before_spread) * (1 + CTX.mpf(10) ** -9) + slack


def found_by_rounding(verdict: Verdict, link: Node, before: Real, spread: Real) -> bool:
    """Whether a link that follows from a right link before it, within the rounding of that link's numbers, is
    a result the person may have found by rounding: the before link's value rounded (or cut) to the digits
    written, or either that value or the truth (the unrounded numbers give it), give or take its own rounding.
    A value between the two but near neither (`½(1.244 − 1)² = ½ · 0.0596`, where 0.244² is 0.059536 and the
    truth 0.05998) is a slip, however the numbers before may have been rounded; so is one past both
    (`0.0125 + 0.03 + 0.35 = 0.3926`, where both are 0.3925)."""
    text = literal(link)
    if text is not None and agrees_to_written_digits(before, text):
        return True
    if verdict.truth is None or verdict.claimed is None:
        return False
    own = (half_unit(text) if text is not None else spread) * CTX.mpf("1.000001")
    slack = CTX.mpf(10) ** -30 * max(abs(before), abs(verdict.truth))
    return any(abs(verdict.claimed - end) <= own + slack for end in (before, verdict.truth))
