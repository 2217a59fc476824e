"""Rules stated for every layer in the textbooks' letters (`z_i^{l} = \\sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}`,
`\\delta_i^{L} = (o_i - y_i) \\sigma'(z_i^{L})`): the claims of their instances, one for each layer l the rule's
glyphs exist at and each value of its index letters. Each letter's layer is read from the glyphs it indexes
(`a_j^{l-1}`: j counts the neurons of layer l - 1); a weight's letters are told apart by those: the one in its
own layer is the neuron it feeds, whichever way round it is written (`w_{ij}` or `w_{ji}`). A letter only a
weight carries, a letter that stands for two layers, or `y` with no output beside it (the target, or the
output?) is not read: LatexError."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.check import instances
from derive.check.glyphs import Key, LatexError, Meaning
from derive.check.latex import MAX_INSTANCES, _Reader, tokens
from derive.check.layer_glyphs import LayerTable, glyph
from derive.model.network import Network

# a superscript naming a layer by its letter: ^{l}, ^{(l-1)}, ^{[l+1]}, ^L, ^{\ell}
SCRIPT = re.compile(r"\^\s*(?:\{\s*[(\[]?\s*(?:l|\\ell|L)\s*(?:[-+]\s*[12])?\s*[)\]]?\s*\}|[lL](?![A-Za-z]))")


def mentions_layers(text: str) -> bool:
    """Whether a line writes a glyph whose superscript names a layer by its letter."""
    return SCRIPT.search(text) is not None


@dataclass(frozen=True)
class LayerRule:
    """A line read as a rule for every layer: each value of l its glyphs exist at, with its index letters'
    layers there, and how it writes a weight's indices."""

    text: str
    network: Network
    levels: tuple[tuple[int, dict[str, int]], ...]  # (l, each letter's layer)
    order: str | None  # "into" (`w_{ij}` into i from j, as `z_i = \\sum_j w_{ij} a_j`), "from", or no weight

    def instances(self, delta_sign: int = 1) -> list[str]:
        """The plain claims of every instance (delta read as `delta_sign` times dE/dnet): at each l, each
        value of the index letters."""
        found: list[str] = []
        for level, letters in self.levels:
            found += instances.index_instances(self.text, LayerTable(self.network, level, letters, delta_sign))
            if len(found) > MAX_INSTANCES:
                raise LatexError(f"a rule for every layer with more than {MAX_INSTANCES} instances")
        return found


def layer_rule(text: str, network: Network) -> LayerRule:
    """`text` read as a rule for every layer; LatexError where it is none or its letters cannot be placed."""
    keys = _glyphs(text, network)
    if not keys:
        raise LatexError("no glyph of a rule for every layer")
    outputs = len(network.layers)
    glyphs = [(k, g) for k in keys if (g := glyph(k, outputs)) is not None]
    candidates = range(outputs + 1) if any(g.relative for _, g in glyphs) else (0,)
    levels = tuple((level, letters) for level in candidates
                   if (letters := _letters(keys, level, outputs)) is not None)
    if not levels:
        raise LatexError("a rule for every layer that holds at no layer of this network")
    level, letters = levels[0]
    weights = [(k, g.at(level)) for k, g in glyphs if g.kind == "weight"]
    order = None if not weights else ("into" if letters.get(weights[0][0].sub[0]) == weights[0][1] else "from")
    return LayerRule(text, network, levels, order)


def _glyphs(text: str, network: Network) -> list[Key]:
    """The glyphs of a rule for every layer the line writes, in order (its letters not yet placed)."""
    table = _Collecting(network)
    _Reader(tokens(text), table).sequence(frozenset())
    outputs = len(network.layers)
    kinds = [g for g in (glyph(k, outputs) for k in table.seen) if g is not None]
    output = any(g.kind == "out" and not g.relative for g in kinds)
    if not output and any(k.base == "y" and not k.hat and not k.sup for k in table.seen):
        raise LatexError("y beside no output: the target or the output, which is meant is not told")
    return list(dict.fromkeys(table.seen))


def _letters(keys: list[Key], level: int, outputs: int) -> dict[str, int] | None:
    """Each index letter's layer (0 the inputs) at this value of l, None where a glyph is no layer's there;
    LatexError where a letter is in two layers or a weight's letters cannot be told apart."""
    letters: dict[str, int] = {}
    weights: list[tuple[str, int]] = []
    for key in keys:
        found = glyph(key, outputs)
        assert found is not None
        layer = found.at(level)
        lowest = 0 if found.kind in ("out", "input") else 1
        if not lowest <= layer <= outputs:
            return None
        if found.kind == "weight":
            weights.append((key.sub, layer))
        elif len(key.sub) != 1:
            raise LatexError(f"{key.base}_{{{key.sub}}}: one index, one neuron")
        elif letters.setdefault(key.sub, layer) != layer:
            raise LatexError(f"the index {key.sub} stands for neurons of two layers")
    for sub, layer in weights:
        if len(sub) != 2:
            raise LatexError(f"a weight indexed {sub!r}: its two neurons are not told")
        placed = [c for c in sub if c in letters]
        if not placed:
            raise LatexError(f"w_{{{sub}}}: which index is the neuron it feeds is not told")
        other = next((c for c in sub if c != placed[0]), None)
        if other is not None and other not in letters:
            letters[other] = layer - 1 if letters[placed[0]] == layer else layer
    return letters


class _Collecting(LayerTable):
    """A table that reads any layer's glyph as a stand-in and keeps it: the first pass over a rule."""

    def __init__(self, network: Network) -> None:
        super().__init__(network, 0, {})
        self.seen: list[Key] = []
        self.letters = _AnyLetter()
        self.kinds = _Recording(self)  # type: ignore[assignment]

    def instance(self, key: Key, env: dict[str, int]) -> Meaning | None:  # type: ignore[override]
        return Meaning("x")


class _Recording:
    """`key in kinds`, each layer's glyph asked about kept in the order it is met."""

    def __init__(self, table: _Collecting) -> None:
        self.table = table

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, Key) or glyph(key, self.table.outputs) is None:
            return False
        self.table.seen.append(key)
        return True


class _AnyLetter(dict[str, int]):
    """Every lowercase letter an index of one value (a sum over it is read once)."""

    def __contains__(self, letter: object) -> bool:
        return isinstance(letter, str) and len(letter) == 1 and letter.islower()

    def __getitem__(self, letter: str) -> int:
        return 0
