"""The step of an update (`\\Delta w`), read the way the document itself adds it to the weight.

People write the change of a weight as `\\Delta w` and the new weight as `w + \\Delta w` (with
`\\Delta w = -\\eta \\partial E / \\partial w`) or as `w - \\Delta w` (with
`\\Delta w = \\eta \\partial E / \\partial w`).
Which one a document means is read from its own update lines: in symbols (`w_5^+ = w_5 + \\Delta w_5`,
`w := w - \\Delta w`) or in numbers, the step's value carried into the new weight (`\\Delta w = ... = -0.0222`,
then `w(new) = -0.0222 + 0.9`). A document that says neither, or both, is read as derive's notes write the
step (w + Δw, Δw = -η ∂E/∂w), and a step that is right but for its sign cannot be checked: the sign is never
guessed against the person.
"""

from __future__ import annotations

import re
from dataclasses import replace

from derive.check.verdicts import Verdict
from derive.model.precision import CTX, show
from derive.reader.plain import NotUnderstood
from derive.reader.symbols import to_latex

PLUS, MINUS = "+", "-"
STEP = "Delta_"  # the maths walker's mark for `\Delta`, joined to the name that follows it
FLIPPED = CTX.mpf("0.01")  # how near minus the truth a step is, to be the truth with its sign turned
_DELTA = r"(?:\\Delta(?![A-Za-z])|Δ)"
# a name (or its closing brace) then the sign, then the step: w + \Delta w, w_{5} - Δw_5
_SYMBOLIC = re.compile(r"[\w}]\s*([+-])\s*" + _DELTA)
# the step's last value: \Delta w_{2,3} = 1 \times (-0.0376) \times 0.59 = -0.022184
_VALUE = re.compile(_DELTA + r"[^=$\n]{1,40}=(?:[^$\n]*=)?\s*(-?\d+\.\d+)\s*(?=\$|\n|$)")
_MARKED = re.compile(r"(?<![A-Za-z0-9_@])" + STEP + r"([A-Za-z][A-Za-z0-9_]*)?")


def step_sign(document: str) -> str:
    """`+` (the new value is w + Δw), `-` (w - Δw), or "" where the document does not say, or says both."""
    text = to_latex(document)[0].replace("−", "-")
    signs = {m.group(1) for m in _SYMBOLIC.finditer(text)}
    for value in dict.fromkeys(m.group(1) for m in _VALUE.finditer(text)):
        number = re.escape(value) + r"(?!\d)"
        if re.search(r"=\s*\(?" + number + r"\)?\s*\+|\+\s*\(?" + number, text):
            signs.add(PLUS)
        if re.search(r"[\d)]\s*-\s*\(?" + number, text):
            signs.add(MINUS)
    return sorted(signs)[0] if len(signs) == 1 else ""


def stepped(chain_text: str, sign: str) -> str:
    """A chain with its steps read as the new value less the old (`\\Delta w = a` as `(w@1 - w) = a`), or the old
    less the new, as the document adds them; where it does not say, as derive's notes do (w + Δw), and then
    a step right but for its sign cannot be checked (see `unsigned`)."""
    if STEP not in chain_text:
        return chain_text
    return _MARKED.sub(lambda m: _difference(m.group(1), sign), chain_text)


def _difference(name: str | None, sign: str) -> str:
    if name is None:
        raise NotUnderstood("\\Delta of something that is not one quantity")
    return f"( {name}@1 - {name} )" if sign != MINUS else f"( {name} - {name}@1 )"


_READ_STEP = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9_]*)@1\s*-\s*\1\s*\)"  # (w@1 - w) = ..., w@1 = w + (...)
                        r"|^\s*([A-Za-z][A-Za-z0-9_]*)@1\s*=\s*\2\s*\+\s*\(")


def is_step(chain_text: str) -> bool:
    """A chain about a step read as the notes add it: `(w@1 - w) = ...`, or `w@1 = w + (...)` as the notes'
    glyphs read `\\Delta w = ...`."""
    return _READ_STEP.search(chain_text) is not None


def unsigned(verdict: Verdict) -> Verdict:
    """A verdict on a step whose sign the document does not give: wrong only by its sign, it cannot be checked."""
    if verdict.status != "wrong" or verdict.claimed is None or not verdict.truth:
        return verdict
    if abs(verdict.claimed + verdict.truth) > abs(verdict.truth) * FLIPPED:
        return verdict
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"the truth ({show(verdict.truth, 9).text}) with its sign turned, which is right where the new weight is "
        "w - Δw: the document does not say whether it adds Δw or takes it away"))


__all__ = ["MINUS", "PLUS", "STEP", "is_step", "step_sign", "stepped", "unsigned"]
