"""A number a chain that names no quantity worked out (`[0.0456, -0.1277] \\cdot [[0, 8], [8, 10.1]] =
[-1.0216, -0.9250]`), then stated for a quantity (`\\partial J / \\partial W = [-1.0216, -0.9250]`): that
working may be the quantity's, from rounded numbers, which is not read; near its truth, it cannot be checked."""

from __future__ import annotations

from dataclasses import replace

from derive.check.carried import Document
from derive.check.truth import Truth
from derive.check.verdicts import Verdict
from derive.model.precision import CTX

# How near this quantity's truth a number worked out under no name must be to be, perhaps, its rounded working
WORKED_NEAR = CTX.mpf("0.01")


def worked_unnamed(verdict: Verdict, text: str | None, truth: Truth, document: Document) -> Verdict | None:
    """A wrong bare number (`text`) that a working under no name on an earlier line concluded, within 1% of the
    truth and no value of another quantity: "cannot check", said why; else None (a slip as ever)."""
    line = document.worked.get(text or "", verdict.line)
    if text is None or line == verdict.line or verdict.truth is None or verdict.claimed is None:
        return None
    if abs(verdict.claimed - verdict.truth) > WORKED_NEAR * abs(verdict.truth) or truth.stands_for(text):
        return None  # far from this quantity, or another's value: a slip
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"the number worked out on line {line} in an equation that names no quantity: whether that working is "
        "this quantity's is not read"))
