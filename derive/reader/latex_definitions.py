"""LaTeX definitions (`\\newcommand`, `\\newenvironment`, `\\def`, ...) blanked out of a document before it is
walked: a definition's body is no claim."""

from __future__ import annotations

import re


# A definition's body is no claim, and may open an environment it does not close
# (`\newenvironment{e}{\begin{equation}}{\end{equation}}`), which the walk would run to the document's end.
_DEFINITION = re.compile(r"\\(?P<name>(?:re)?newenvironment|(?:re)?newcommand|providecommand|DeclareMathOperator"
                         r"|[gex]?def)(?![A-Za-z@])\*?")
_GROUPS = {"newenvironment": 3, "renewenvironment": 3, "DeclareMathOperator": 2}  # else 2, or 1 for \def
_DEF_NAME = re.compile(r"\s*\\(?:[A-Za-z@]+|.)[^{}]{0,40}?(?=\{)")  # \def\name#1#2 up to its body
_OPTIONAL = re.compile(r"\s*(?:\[[^\[\]{}]{0,200}\]\s*)*")
_CONTROL = re.compile(r"\\(?:[A-Za-z@]+|.)")
MAX_DEFINITION = 20_000  # characters of one definition's body: beyond it, it is left to the walk


def without_definitions(text: str) -> str:
    """`text` with every definition (`\\newcommand`, `\\newenvironment`, `\\def`, ...) blanked to spaces,
    its line breaks kept, so offsets and lines stay the document's."""
    pieces, last = [], 0
    for m in _DEFINITION.finditer(text):
        end = _definition_end(text, m.end(), m["name"]) if m.start() >= last else None
        if end is not None:
            pieces += [text[last:m.start()], re.sub(r"[^\n]", " ", text[m.start():end])]
            last = end
    return "".join(pieces) + text[last:] if pieces else text


def _definition_end(text: str, at: int, name: str) -> int | None:
    """Where the definition whose arguments start at `at` ends; None when its braces do not close."""
    if name.endswith("def"):
        head = _DEF_NAME.match(text, at)
        return _group_end(text, head.end()) if head else None
    for k in range(_GROUPS.get(name, 2)):
        optional = _OPTIONAL.match(text, at)  # it matches, if only nothing
        at = optional.end() if optional else at
        control = _CONTROL.match(text, at) if k == 0 else None  # `\newcommand\x{...}`: a name without braces
        found = control.end() if control else _group_end(text, at)
        if found is None:
            return None
        at = found
    return at


def _group_end(text: str, at: int) -> int | None:
    """The offset after the brace group opening at `at` (escaped braces skipped); None if there is none."""
    if not text.startswith("{", at):
        return None
    depth, k, stop = 0, at, min(len(text), at + MAX_DEFINITION)
    while k < stop:
        c = text[k]
        if c == "\\":
            k += 2
            continue
        depth += (c == "{") - (c == "}")
        k += 1
        if depth == 0:
            return k
    return None
