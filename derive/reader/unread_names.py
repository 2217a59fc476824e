"""Deltas a document defines in an equation the reader could not read, and the updates that use them.

`delta_h1 = h1 * (1 - h1) * (delta_out * u11) ≈ ...` not read, `W11 = W11 + α * delta_h1 * x1 = ...` after it:
the reader would take delta_h1 for the network's dE/dnet_h1, but the document's delta may have its own sign
(`delta = (d - y) y (1 - y)`, added in the update), which the unread definition would have told. An update
that is wrong with the network's delta cannot be called wrong: it is "cannot check", and no slip to carry.
"""

from __future__ import annotations

import re
from dataclasses import replace

from derive.check.carried import Document
from derive.check.verdicts import Verdict

# the delta an equation defines: what stands before its first `=`, one name (`delta_h1`, `\delta_{h1}`, `δ₁`)
_HEAD = re.compile(r"^\s*((?:\\delta|delta|δ|err|error)(?![A-Za-z])[\w{}^\\₀-₉]*?)\s*(?:=|:=)(?!=)", re.I)
_LINKS = re.compile(r"=|≈|\\approx")
_RATE = re.compile(r"α|η|\\alpha|\\eta|\blr\b|learning")


def remember(source: str, line: int, verdicts: list[Verdict], unread: bool, document: Document) -> None:
    """The delta an equation defines where it was not read, or where its formula names what is no quantity
    of the network (`delta_h1 = ... (delta_out * u11)`) and no value of it was read, to know an update that
    uses it."""
    head = _HEAD.match(source)
    formula = next((v for v in verdicts if v.link == 1), None)
    unknown = formula is not None and formula.status == "cannot check" and formula.reason.startswith("no quantity")
    valued = any(v.status in ("correct", "defined") for v in verdicts)  # the document's own value: known
    if head is not None and (unread or (unknown and not valued)):
        document.defined_unread.setdefault(head.group(1), line)


def undefined(verdicts: list[Verdict], source: str, document: Document) -> list[Verdict]:
    """Each wrong verdict of an update (its link names a learning rate) and such a delta: cannot check."""
    if not document.defined_unread:
        return verdicts
    links = _LINKS.split(source)
    found = []
    for v in verdicts:
        written = links[v.link] if v.status == "wrong" and 0 < v.link < len(links) else ""
        written = written if _RATE.search(written) else ""  # a step: the rate times the delta
        used = next((n for n in document.defined_unread if _names(written, n)), None)
        if used is None or document.defined_unread[used] == v.line:
            found.append(v)
            continue
        found.append(replace(v, status="cannot check", explanations=(), reason=(
            f"uses {used}, which line {document.defined_unread[used]} defines in an equation that could not be "
            "read: whether it is the network's delta or of the other sign is not known")))
    return found


def _names(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w\\]){re.escape(name)}(?![\w{{]|_\{{)", text) is not None
