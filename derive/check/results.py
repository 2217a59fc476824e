"""Results worked out inside a chain in numbers: a number that takes the place of a computation of the link before
it (`e^{2.739}` then `15.480`, `3.307 + 15.480` then `18.787`) is that computation's result as the person found
it. One that is not its value is a slip made there, kept with the value it should have had, so a later line that
uses it again (`15.480 / 18.787`) is known to carry it (see `diagnosis._mended`)."""

from __future__ import annotations

from itertools import pairwise

from derive.check import rewrites
from derive.check.claims import Binary, Call, Claim, Node, Num, Unary, numbers_in
from derive.check.digits import agrees_to_written_digits, half_unit
from derive.check.truth import Truth, Unknown
from derive.check.values import Evaluator, Spread, symbolic
from derive.model.precision import CTX, Real


def results(claim: Claim, truth: Truth, evaluator: Evaluator) -> None:
    """Each result a link in numbers writes for a computation of the link before it, recorded as a slip where it
    is not that computation's value (with the earlier slips it uses put right) beyond its rounding."""
    links = claim.links if claim.left is None else (claim.left, *claim.links)
    for before, after in pairwise(links):
        if symbolic(before, evaluator.own) or symbolic(after, evaluator.own):
            continue
        for computed, written in _results(before, after) or []:
            value = _mended_value(computed, evaluator)
            if value is None or agrees_to_written_digits(value, written):
                continue
            slack = half_unit(written) + _spread(computed, evaluator, truth)
            if abs(CTX.mpf(written) - value) > slack * CTX.mpf("1.000001"):
                evaluator.document.slip(written, claim.line, "", value)


def _results(before: Node, after: Node) -> list[tuple[Node, str]] | None:
    """The computations of `before` for which `after`, of the same shape around them, writes a number (with its
    sign); None where the two links differ in shape elsewhere (then `after` is no working of `before`)."""
    if isinstance(after, Num) or (isinstance(after, Unary) and after.op == "-" and isinstance(after.arg, Num)):
        if isinstance(before, Num) or (isinstance(before, Unary) and isinstance(before.arg, Num)):
            return [] if _number(before) == _number(after) else None
        return [(before, after.text if isinstance(after, Num) else "-" + after.arg.text)]  # type: ignore[union-attr]
    if type(before) is not type(after):
        return None
    if isinstance(before, Unary) and isinstance(after, Unary):
        return _results(before.arg, after.arg) if before.op == after.op else None
    if isinstance(before, Call) and isinstance(after, Call):
        return _results(before.arg, after.arg) if before.function == after.function else None
    if isinstance(before, Binary) and isinstance(after, Binary) and before.op == after.op:
        left, right = _results(before.left, after.left), _results(before.right, after.right)
        return left + right if left is not None and right is not None else None
    return None


def _number(node: Node) -> Real:
    """A number as written, with its sign."""
    if isinstance(node, Unary):
        return -_number(node.arg) if node.op == "-" else _number(node.arg)
    assert isinstance(node, Num)
    return CTX.mpf(node.text)


def _mended_value(node: Node, evaluator: Evaluator) -> Real | None:
    """A computation's value with each number in it that is a slip written before put back to what it should
    have been (the sum `3.307 + 15.480` with 15.4715 for 15.480)."""
    slips = evaluator.document.slips
    for k, number in reversed(list(enumerate(numbers_in(node)))):
        slip = slips.get(number.text)
        if slip is not None and slip.truth is not None:
            node = rewrites.swapped(node, k, slip.truth)
    try:
        return evaluator.evaluate(node)
    except (Unknown, ArithmeticError, ValueError):
        return None


def _spread(node: Node, evaluator: Evaluator, truth: Truth) -> Real:
    try:
        return Spread(evaluator, truth.given).of(node)
    except (ArithmeticError, ValueError):
        return CTX.inf
