"""Superscripts that label layers, written as bare numbers (`w^1`, `b^2`, `\\delta^2`, `a_j^2`), as notes that
follow Nielsen's book write them: told apart from powers by how the document uses its letters. Nobody writes
a first power, so a letter the document writes with the superscript 1 (`w^1`, `z^{1}`) is a letter its
superscripts label: its `^2` is layer 2 (read as `^{[2]}`), not a square. A bracket's exponent
(`(y - a)^2`), `e^2` and a letter the document never writes with `^1` keep their powers."""

from __future__ import annotations

import re

LABEL = "\x05"  # written in place of the `^` of a layer's label (the text keeps its length: offsets stay)
_BASE = r"(?<![A-Za-z\\])(?:\\(?:delta|theta)|[A-Za-df-z])(?![A-Za-z])"
_SUB = r"(?:\s*_\s*(?:\{[^{}]{0,12}\}|[A-Za-z0-9]))?"  # a_j^2: the entry's index before the label
_FIRST = re.compile(rf"({_BASE}){_SUB}\s*\^\s*(?:1(?![\d.])|\{{\s*1\s*\}})")
_ANY = re.compile(rf"({_BASE})({_SUB}\s*)\^(?=\s*(?:\d(?![\d.])|\{{\s*\d\s*\}}))")


def labelled_letters(document: str) -> frozenset[str]:
    """The letters a document writes with the superscript 1 (`w^1`, `a^{1}`, `\\delta^1`)."""
    return frozenset(m.group(1) for m in _FIRST.finditer(document))


def marked(latex: str, letters: frozenset[str]) -> str:
    """`latex` with the `^` of every one-digit superscript of those letters made a layer's label."""
    if not letters:
        return latex
    return _ANY.sub(lambda m: m.group(1) + m.group(2) + (LABEL if m.group(1) in letters else "^"), latex)
