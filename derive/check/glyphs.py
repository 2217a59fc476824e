"""The glyphs a notation prints, mapped back to the network's quantities: the table every LaTeX reader
of the checker reads names through (`\\hat{y}_{1}` is out_y1 in the textbook's notation), with the
index-form glyphs (`w_{oh}`) of a rule stated for every index."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from derive.model import identifiers
from derive.model.network import Network
from derive.model.notation import INDEX_PROFILES, Glyph, Notation, NotationError, index_letter, name_glyph, notation_for

PROFILES = ("classic", "textbook", "matrix")


class LatexError(ValueError):
    """LaTeX that is not understood; the message says what."""


@dataclass(frozen=True)
class Key:
    """A glyph as it is read: base letter or word, subscript, superscript, hat."""

    base: str
    sub: str = ""
    sup: str = ""
    hat: bool = False


@dataclass(frozen=True)
class Meaning:
    """What a glyph names: a quantity, possibly with the sign of its notation (g_j = -dE/d beta_j)."""

    name: str
    sign: int = 1


Names = Mapping[Key, Meaning]


def key_of(g: Glyph) -> Key:
    return Key(g.base, g.sub, g.sup, g.hat)


class GlyphTable(dict[Key, "Meaning"]):
    """Key -> Meaning of every printed glyph, and the index-form glyphs (w_{oh}) with the layer each
    index letter runs over, so that a rule for every index is read as each of its instances."""

    def __init__(self, network: Network, notation: Notation) -> None:
        super().__init__()
        self.network, self.sign = network, notation.delta_sign
        self.optimizer = False  # True: beta_1, beta_2 are the optimizer's (a document's section on it)
        self.letters: dict[str, int] = {}  # index letter -> layer (-1: the inputs)
        self.kinds: dict[Key, tuple[str, int]] = {}  # index-form glyph -> (kind, layer)
        # the index forms (w_{oh}) are the dense layers'; a wired network's rules are stated per entry
        if notation.profile in INDEX_PROFILES and network.graph is None:
            self._index_forms(notation)

    def about_optimizer(self) -> GlyphTable:
        """This table for lines in a section on the optimizer: beta_1, beta_2 are its decay rates (its other
        letters keep their meaning: t is an update's count only in a line about updates, `^{(t)}`)."""
        table = copy.copy(self)
        table.optimizer = True
        return table

    def _index_forms(self, notation: Notation) -> None:
        layers = len(self.network.layers)
        for layer in range(-1, layers):
            self.letters[index_letter(notation.profile, layers, layer)] = layer
        for layer in range(layers):
            me = index_letter(notation.profile, layers, layer)
            before = index_letter(notation.profile, layers, layer - 1)
            if notation.profile == "textbook":
                for kind in ("out", "net", "delta", "weight", "bias"):
                    self.kinds[key_of(notation.generic[kind][layer])] = (kind, layer)
            else:
                self.kinds.update({Key("out", me): ("out", layer), Key("net", me): ("net", layer),
                                   Key("delta", me): ("delta", layer), Key("w", me + before): ("weight", layer),
                                   Key("b", me): ("bias", layer)})
        last = index_letter(notation.profile, layers, layers - 1)
        first = index_letter(notation.profile, layers, -1)
        target, source = (("y", "x") if notation.profile == "textbook"
                          else ("target", name_glyph(self.network.inputs[0].name).base))
        self.kinds[Key(target, last)] = ("target", layers - 1)
        self.kinds[Key(source, first)] = ("input", -1)

    def size(self, letter: str) -> int:
        layer = self.letters[letter]
        return len(self.network.inputs) if layer < 0 else len(self.network.layers[layer])

    def instance(self, key: Key, env: Mapping[str, int]) -> Meaning | None:
        """The quantity an index-form glyph names once its letters have values, None if it is not one."""
        found = self.kinds.get(Key(key.base, key.sub, key.sup, key.hat))
        if found is None or any(c not in env for c in key.sub):
            return None
        kind, layer = found
        letter = {v: k for k, v in self.letters.items()}
        me, before = env.get(letter[layer]), env.get(letter.get(layer - 1, ""))
        if me is None:
            return None
        if kind == "input":
            return Meaning(self.network.inputs[me].name)
        neuron = self.network.layers[layer][me]
        if kind == "weight":
            return Meaning(neuron.links[before].weight.name) if before is not None else None
        if kind == "bias":
            return Meaning(neuron.bias.name) if neuron.bias is not None else None
        if kind == "target":
            return Meaning(self.network.outputs[me].target.name)
        symbol = {"out": neuron.out, "net": neuron.net, "delta": neuron.delta}[kind]
        return Meaning(symbol.name, self.sign if kind == "delta" else 1)


def glyph_names(network: Network, profile: str = "classic") -> GlyphTable:
    """Every glyph the notation `profile` prints for `network`, mapped to the quantity it names."""
    try:
        notation = notation_for(network, profile)
    except NotationError as exc:
        raise LatexError(str(exc)) from None
    names = [s.name for s in network.inputs] + [p.name for p in network.params]
    names += [o.target.name for o in network.outputs] + [o.error.name for o in network.outputs]
    names += [s.name for n in network.neurons for s in (n.net, n.out, n.delta)]
    names += [identifiers.E_TOTAL, identifiers.ETA]
    deltas = {n.delta.name for n in network.neurons}
    table = GlyphTable(network, notation)
    for name in names:
        sign = notation.delta_sign if name in deltas else 1
        table.setdefault(key_of(notation.glyph(name)), Meaning(name, sign))
    return table
