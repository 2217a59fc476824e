"""LaTeX as tokens for the checker's LaTeX readers: commands, numbers, letters and characters, with a
bracket broken over the rows of an aligned display (`\\right.` ... `\\left.`) joined into the one bracket
it is."""

from __future__ import annotations

import re

from derive.check.glyphs import LatexError

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<command>\\(?:[A-Za-z]+|.))
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,3}(?![0-9]))?)
  | (?P<letters>[A-Za-z]+\d*)
  | (?P<char>[{}^_&=+\-*/()\[\]',.@|])
""", re.VERBOSE | re.DOTALL)


# A colour changes nothing a claim says: `\\textcolor{c}{x}` is read as the group {x}, `\\color{c}` as nothing.
_COLOUR = re.compile(r"\\(?:textcolor|color)\{[^{}]*\}")
# A frame changes nothing either: `\\boxed{a = b}` (a result framed) is read as `a = b`.
_FRAME = re.compile(r"\\(?:boxed|fbox|framebox)\s*\{")
# A subscript typed without braces is the whole run of letters and digits, as people mean it: out_h1.
_BARE_SUB = re.compile(r"_([A-Za-z0-9]+)")


def _unframed(text: str) -> str:
    """`text` with each frame's macro and its braces gone, what they hold kept (an unclosed frame stays)."""
    while (m := _FRAME.search(text)) is not None:
        depth, end = 1, m.end()
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0) if text[end - 1] != "\\" else 0
            end += 1
        if depth:
            return text
        text = text[:m.start()] + text[m.end():end - 1] + text[end:]
    return text


def tokens(text: str) -> list[tuple[str, str]]:
    return _join_broken_brackets(_tokens(text))


# What may stand between the halves of a bracket broken over two lines of an aligned display.
_LINE_BREAK = frozenset({r"\\", "&", r"\quad", r"\qquad"})


def _join_broken_brackets(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A bracket broken over lines (`\\left( a \\right. \\\\ & \\left. + b \\right)`, as the notes set a
    long sum) read as the one bracket it is: each `\\right.` ... `\\left.` pair across a line break goes."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(toks):
        if toks[i][1] == r"\right" and i + 1 < len(toks) and toks[i + 1][1] == ".":
            j = i + 2
            while j < len(toks) and toks[j][1] in _LINE_BREAK:
                j += 1
            if j + 1 < len(toks) and toks[j][1] == r"\left" and toks[j + 1][1] == ".":
                i = j + 2
                continue
        out.append(toks[i])
        i += 1
    return out


def _tokens(text: str) -> list[tuple[str, str]]:
    text = _BARE_SUB.sub(r"_{\1}", _COLOUR.sub("", _unframed(text)))
    found = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise LatexError(f"unexpected character {text[position]!r}")
        position = match.end()
        if match.lastgroup != "space":
            found.append((match.lastgroup or "", match.group()))
    return _joined(found)


def _joined(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The tokens without the invisible delimiters `\\right.` and `\\left.`, which split one bracket
    across the rows of an aligned display: `\\left( a \\right. \\\\ \\left. + b \\right)` is (a + b)."""
    kept: list[tuple[str, str]] = []
    for token in found:
        if token[1] == "." and kept and kept[-1][1] in (r"\left", r"\right"):
            kept.pop()
            continue
        kept.append(token)
    return kept
