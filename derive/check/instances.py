"""A LaTeX line as the claims it states: once for each value of the free index letters of a rule stated
for every index (`\\frac{\\partial E}{\\partial w_{oh}} = \\delta_{o} \\mathrm{out}_{h}`), once for each entry of
a claim about whole vectors and matrices, else once. Built on the LaTeX reader and the matrix reader."""

from __future__ import annotations

import itertools
import math

from derive.check import matrices
from derive.check.glyphs import GlyphTable, LatexError, Names
from derive.check.latex import MAX_INSTANCES, RULE_UPDATES, _Reader, to_plain, tokens


def instances(text: str, names: Names | None = None) -> list[str]:
    """The plain claims text of a LaTeX line, once for each value of its free index letters (a rule
    stated for every index, `\\frac{\\partial E}{\\partial w_{oh}} = \\delta_{o} \\mathrm{out}_{h}`), once for
    each entry of a claim about a whole layer's vectors and matrices, else once."""
    return [plain for _, plain in labelled_instances(text, names)]


def labelled_instances(text: str, names: Names | None = None) -> list[tuple[str, str]]:
    """(label, plain claims text) of each instance of a LaTeX line: the label names the entry of a
    vector or a matrix a whole-layer claim's instance is about, "" for every other line."""
    if isinstance(names, GlyphTable) and matrices.is_whole_layer(text, names):
        return matrices.entries(text, names, names.network)
    return [("", plain) for plain in index_instances(text, names)]


def index_instances(text: str, names: Names | None) -> list[str]:
    toks = tokens(text)
    reader = _Reader(toks, names)
    reader.sequence(frozenset())
    if not reader.free or not isinstance(names, GlyphTable):
        return [to_plain(text, names)]
    ranges = [_letter_values(names, c) for c in reader.free]
    if math.prod(len(r) for r in ranges) > MAX_INSTANCES:
        raise LatexError(f"a rule for every index with more than {MAX_INSTANCES} instances")
    found = []
    for values in itertools.product(*ranges):
        found.append(to_plain(text, names, dict(zip(reader.free, values))))
    return found


def _letter_values(names: GlyphTable, letter: str) -> range:
    """The values a rule's free letter takes: each neuron of its layer, each update t = 1 ...
    RULE_UPDATES (k only inside a sum), each trainable parameter p."""
    if letter == "t":
        return range(1, RULE_UPDATES + 1)
    if letter == "p":
        return range(sum(p.trainable for p in names.network.params))
    if letter in names.letters:
        return range(names.size(letter))
    raise LatexError(f"the letter {letter!r} has no values here")
