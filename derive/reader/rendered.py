"""Maths copied from a page that KaTeX or MathJax rendered: the page's text holds each formula more than once
(its glyphs, spaced or run together, then the LaTeX source kept as an annotation, then the glyphs again:
`z 1 = W x 1 + b z_1 = W x_1 + b z1=Wx1+b`). The LaTeX copy is the one to read.

A copy is told by its skeleton, the letters, digits, points and `=` a reader sees (LaTeX commands and
environment names left out): the LaTeX copy's skeleton repeats the glyphs' just before it.
"""

from __future__ import annotations

import re

MIN_SKELETON = 4  # characters a formula's skeleton has at least, to be told apart from a chance repeat
MAX_LINE = 600  # characters of a line searched for copies
_HIDDEN = re.compile(r"\\(?:begin|end)\{[^{}]*\}|\\[A-Za-z]+")  # what a reader does not see of the source
_SEEN = re.compile(r"[A-Za-z0-9.=]")
_PROSE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")  # Chinese, Japanese and their punctuation
_LATEX = re.compile(r"\\[A-Za-z]|[_^]\{?|\{")


def _hidden(line: str) -> list[bool]:
    """Per character of a line: part of a LaTeX command or of an environment's name."""
    hidden = [False] * len(line)
    for m in _HIDDEN.finditer(line):
        hidden[m.start():m.end()] = [True] * (m.end() - m.start())
    return hidden


def latex_copy(line: str) -> tuple[int, int] | None:
    """Where the LaTeX copy of a formula rendered more than once is in a line of a page's text (start, end),
    or None: the first and longest stretch whose skeleton repeats the one just before it, written with LaTeX
    (a command, a script or a brace) after glyphs that are not."""
    if len(line) > MAX_LINE or "=" not in line or not any(mark in line for mark in ("\\", "_", "^")):
        return None
    hidden = _hidden(line)
    at = [i for i, c in enumerate(line) if not hidden[i] and _SEEN.fullmatch(c)]
    skeleton = "".join(line[i] for i in at)
    for begin in range(len(skeleton) - 2 * MIN_SKELETON + 1):
        if _within(line, at[begin]):
            continue
        for size in range((len(skeleton) - begin) // 2, MIN_SKELETON - 1, -1):
            first, second = skeleton[begin:begin + size], skeleton[begin + size:begin + 2 * size]
            if first != second or "=" not in first:
                continue
            found = _bounds(line, hidden, at[begin + size - 1] + 1, at[begin + size], at[begin + 2 * size - 1] + 1)
            glyphs = line[at[begin]:found[0]]
            if _LATEX.search(line[found[0]:found[1]]) and "\\" not in glyphs and "_" not in glyphs:
                return found
    return None


def _within(line: str, start: int) -> bool:
    """Whether the character before `start` is maths going on (a copy starts at the line's start, after a
    space, a colon or prose): a repeat found inside a formula is a chance one."""
    return start > 0 and line[start - 1].isascii() and not line[start - 1].isspace() and line[start - 1] != ":"


def _bounds(line: str, hidden: list[bool], gap: int, first: int, last: int) -> tuple[int, int]:
    """The LaTeX copy's start (in the gap between the glyphs' last character and its own first: at a
    backslash, else after the last space) and end (its last character, with the brackets and commands
    closing there: `\\end{bmatrix}`, `\\right)`)."""
    between = line[gap:first]
    slash = between.find("\\")
    space = max(between.rfind(" "), between.rfind("\t"))
    start = gap + (slash if slash >= 0 else space + 1 if space >= 0 else len(between))
    end = last
    while end < len(line) and (line[end] in ")]}| " or hidden[end]):
        end += 1
    prose = _PROSE.search(line, start, end)  # `\\sigma(z) = ... 是 Sigmoid 激活`: the words after it are no maths
    return start, len(line[:prose.start() if prose else end].rstrip())
