"""A parameter's name the document stated with another parameter's value (`b_2 = 1`, where b2 is -1 and b3 is
1): the document may number its parameters otherwise, so a formula using the name is unsure where that value
makes it hold."""

from __future__ import annotations

from dataclasses import replace

from derive.check.claims import Claim, Num, names_in, put
from derive.check.truth import Unknown
from derive.check.values import Evaluator, OutOfRange
from derive.check.verdicts import Verdict
from derive.model.precision import CTX

NUMBERED = "numbered otherwise: "  # a convention's key: a parameter's name stated with another's value


def numbered_unsure(claim: Claim, verdict: Verdict, evaluator: Evaluator) -> Verdict:
    """A wrong formula using a parameter's name the document stated with another parameter's value (`b_2 = 1`,
    b3's; updates.py): which parameter it means is not told, so neither is whether the formula is wrong."""
    index = verdict.link - (2 if claim.left is not None else 1)
    if verdict.status != "wrong" or not 0 <= index < len(claim.links):
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
