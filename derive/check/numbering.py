"""A parameter's name the document stated with another parameter's value (`b_2 = 1`, where b2 is -1 and b3 is
1): the document may number its parameters otherwise, so a formula using the name is unsure where that value
makes it hold."""

from __future__ import annotations

import re
from dataclasses import replace

from derive.check.claims import Claim, Num, names_in, put
from derive.check.truth import Unknown
from derive.check.values import Evaluator, OutOfRange
from derive.check.verdicts import Verdict
from derive.model.precision import CTX

NUMBERED = "numbered otherwise: "  # a convention's key: a parameter's name stated with another's value


def numbered_unsure(claim: Claim, verdict: Verdict, evaluator: Evaluator) -> Verdict:
    """A wrong formula using a parameter's name the document stated with another parameter's value (`b_2 = 1`,
    b3's; updates.py), or a value after the update under that name: which parameter it means is not told, so
    neither is whether the formula is wrong."""
    index = verdict.link - (2 if claim.left is not None else 1)
    if verdict.status not in ("wrong", "carried") or not 0 <= index < len(claim.links):
        return verdict
    base = claim.target.name.partition("@")[0]
    if claim.target.name != base and NUMBERED + base in evaluator.conventions and _written_as(claim, base):
        # `b2_new = ...` where `b2 = 0.3` stated b3's value under b2's name
        line = evaluator.conventions[NUMBERED + base][1]
        return replace(verdict, status="cannot check", explanations=(), reason=(
            f"{base} after the update, where line {line} states {base} with another parameter's value: which it "
            "means is not told"))
    if verdict.status != "wrong":
        return verdict
    unsure = [n for n in names_in(claim.links[index]) if NUMBERED + n in evaluator.conventions]
    if not unsure or verdict.truth is None:
        return verdict
    text, line = evaluator.conventions[NUMBERED + unsure[0]]
    try:  # the value it was stated with in its place: only where that makes the formula hold is it unsure
        again = evaluator.evaluate(put(claim.links[index], unsure[0], Num(text)))
    except (Unknown, OutOfRange, ArithmeticError, ValueError):
        return verdict
    if abs(again - verdict.truth) > CTX.mpf(10) ** -9 * max(abs(verdict.truth), CTX.one):
        return verdict
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"uses {unsure[0]}, which line {line} states with another parameter's value: which it means is not told"))


def _written_as(claim: Claim, base: str) -> bool:
    """Whether the claim's left side is written as the parameter's own name, marked as updated or not
    (`b2_new`, `b_{2}^{+}`), not as another name read as it (`w_{20}` read as w3 by its value)."""
    left = re.sub(r"[\s{}_\\]|\^\+$|'$|new$|@1$", "", claim.text.split("=")[0].split(":")[0])
    return left == base
