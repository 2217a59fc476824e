"""Rules stated for every layer in the textbooks' letters (`z_i^{l} = \\sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}`,
`\\delta_i^{L} = (o_i - y_i) \\sigma'(z_i^{L})`): the claims of their instances, one for each layer l the rule's
glyphs exist at and each value of its index letters. Each letter's layer is read from the glyphs it indexes
(`a_j^{l-1}`: j counts the neurons of layer l - 1); a weight's letters are told apart by those: the one in its
own layer is the neuron it feeds, whichever way round it is written (`w_{ij}` or `w_{ji}`). A letter only a
weight carries, a letter that stands for two layers, or `y` with no output beside it (the target, or the
output?) is not read: LatexError."""

from __future__ import annotations

import re

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


def rule_instances(text: str, network: Network, delta_sign: int = 1) -> list[str]:
    """The plain claims of every instance of a rule for every layer (delta read as `delta_sign` times
    dE/dnet): for each layer l its glyphs exist at, each value of its index letters."""
    keys = _glyphs(text, network)
    if not keys:
        raise LatexError("no glyph of a rule for every layer")
    outputs = len(network.layers)
    relative = any(g is not None and g.relative for g in (glyph(k, outputs) for k in keys))
    found: list[str] = []
    for level in (range(outputs + 1) if relative else (0,)):
        letters = _letters(keys, level, outputs)
        if letters is not None:
            found += instances.index_instances(text, LayerTable(network, level, letters, delta_sign))
        if len(found) > MAX_INSTANCES:
            raise LatexError(f"a rule for every layer with more than {MAX_INSTANCES} instances")
    if not found:
        raise LatexError("a rule for every layer that holds at no layer of this network")
    return found


def weight_order(text: str, network: Network) -> str | None:
    """How a rule writes a weight's two indices: "into" (`w_{ij}`: into neuron i, from j, as `z_i = \\sum_j
    w_{ij} a_j` has it) or "from" (`w_{ij}`: from i into j); None where it writes no weight."""
    keys = _glyphs(text, network)
    outputs = len(network.layers)
    for level in range(outputs + 1):
        letters = _letters(keys, level, outputs)
        if letters is None:
            continue
        for key in keys:
            found = glyph(key, outputs)
            if found is not None and found.kind == "weight":
                layer = level + found.offset if found.relative else found.offset
                return "into" if letters.get(key.sub[0]) == layer else "from"
        return None
    return None


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
        layer = level + found.offset if found.relative else found.offset
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
