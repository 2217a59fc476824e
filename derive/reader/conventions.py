"""What the prose before a span says of how to read it, where the checker does not follow it.

A formula stated with a sign taken the other way (`Some sources extract the negative sign from δ, so it
would be written as: ∂E/∂w5 = -δ_o1 out_h1`, `有些资料将 δ 的负号展开写成`) is the negative of the truth in
the document's own signs, but no sign mistake: the paragraph says so. Such a verdict becomes "cannot
check" with the paragraph quoted, never "wrong" (a false alarm) nor "correct" (its other convention is
not read).
"""

from __future__ import annotations

import re
from dataclasses import replace

from derive.check.verdicts import Verdict
from derive.model.precision import CTX, show

# Words that speak of a sign: English, and Chinese (负号 the minus sign, 符号 a sign, 正负 plus or minus).
SIGN_WORDS = re.compile(r"\b(signs?|negative|minus)\b|负号|符号|正负|反号", re.I)
SAME = CTX.mpf(10) ** -9  # how close -claimed must be to the truth (relative) to be the truth's negative


def other_sign(verdict: Verdict, lead: tuple[str, ...]) -> Verdict:
    """A wrong verdict whose value is the truth's negative, under a paragraph (the span's own, the last of
    `lead`) speaking of a sign: cannot check."""
    paragraph = lead[-1] if lead else ""
    if verdict.status != "wrong" or verdict.truth is None or verdict.claimed is None or \
            not SIGN_WORDS.search(paragraph):
        return verdict
    if not verdict.truth or abs(verdict.claimed + verdict.truth) > SAME * abs(verdict.truth):
        return verdict
    words = " ".join(paragraph.split("$$")[0].split())
    quoted = words if len(words) <= 80 else words[:77] + "..."
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"the negative of the truth ({show(verdict.truth, 9).text}), with a sign taken the other way as the text "
        f"before it says ({quoted!r}): that convention is not followed here"))


__all__ = ["other_sign"]
