"""Formulas of another loss than the network's. Notes set the pairings side by side ("Sigmoid + Binary
Cross-Entropy: δ = o - y", "Softmax + Cross-Entropy: ...", "For binary classification (Binary
Cross-Entropy): E = -[y log(o) + ...]"), each formula right for its own loss. Where the words just before a
formula name a loss of the other family than the network's (cross-entropy beside squared error), and not
the network's own, a formula there that is wrong for this network is about that loss: "cannot check",
said why, never wrong. Numbers worked out are judged as ever."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from derive.check.verdicts import Verdict

CROSS = re.compile(r"cross[- ]?entropy|\bB?CE\b|log[- ]?loss|log[- ]?likelihood|交叉熵|对数损失", re.I)
SQUARED = re.compile(r"\b[MS]SE\b|squared error|quadratic (?:loss|cost)|均方误差|平方误差|二次代价", re.I)
_NUMBER = re.compile(r"\d\.\d|\d{2,}")
# a sentence that opens by supposing another loss (`若用交叉熵，`, `With cross-entropy, `, `If we used BCE,`)
_SUPPOSES = re.compile(r"(?i)^\s*(?:(?:if|with|using|under)\b|若|如果|假如|用|使用|采用|换成)")


def other_loss(before: str, loss: str) -> str | None:
    """The loss the words `before` a formula name, where it is of the other family than `loss` (the
    network's, as the spec names it) and the network's own is not named there too; else None."""
    own, other = (CROSS, SQUARED) if loss == "cross_entropy" else (SQUARED, CROSS)
    found = other.search(before)
    return found.group() if found and not own.search(before) else None


def about_other_loss(verdicts: Sequence[Verdict], source: str, before: str, loss: str) -> list[Verdict]:
    r"""The verdicts of a formula (a span with no worked numbers) after words naming another loss, or of any span
    in a sentence that supposes it (`若用交叉熵，$\delta = \hat{y} - y = -0.2672$`): the wrong ones 'cannot
    check'."""
    sentence = re.split(r"[.。!?！？\n]\s*", before)[-1]
    supposed = _SUPPOSES.search(sentence)
    named = other_loss(sentence[supposed.end():supposed.end() + 40], loss) if supposed else None
    named = named or (other_loss(before, loss) if not _NUMBER.search(source) else None)
    if named is None:
        return list(verdicts)
    why = (f"a formula after words about {named}, which is not this network's loss ({loss}): it may be that "
           "loss's, not judged against this network")
    turned = ("wrong", "carried") if supposed else ("wrong",)  # a whole span supposed: what follows in it too
    return [replace(v, status="cannot check", reason=why, explanations=()) if v.status in turned else v
            for v in verdicts]
