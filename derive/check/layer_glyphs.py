"""The glyphs of a rule stated for every layer, in the letters of the textbooks: `z_i^{l}`, `a_j^{l-1}`,
`w_{ij}^{l}`, `\\delta_k^{l+1}`, `b_i^{(l)}`, `\\delta_i^{L}` (L the output layer), beside `o_i`, `\\hat{y}_i`
(the outputs), `y_i` (the targets) and `x_j` (the inputs). Layers are counted here from the inputs (0) to
the outputs (N): a rule is stated for each value of l its glyphs exist at, so the document's own count
(the input as layer 1, or the first hidden layer as 0) never matters, only l - 1 and l + 1 and L do.

One table reads one value of l with each index letter's layer settled (`derive.check.layer_rules` settles
them): a letter on a z, a, delta or b is that glyph's layer; a weight joins a neuron of its layer to one of
the layer before, so its other letter is the one of that layer before."""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.check.glyphs import GlyphTable, Key, LatexError, Meaning
from derive.model import identifiers
from derive.model.network import Network

# l, \ell, L, with a step of one either way, bare or in round or square brackets: (l-1), [L]
_LETTER = r"(?P<letter>l|\\ell|ell|ℓ|L)(?:(?P<sign>[-+])(?P<step>1|2))?"
LAYER = re.compile(rf"\({_LETTER}\)|\[{_LETTER.replace('?P<', '?P<b_')}\]|{_LETTER.replace('?P<', '?P<c_')}")
KINDS = {"z": "net", "net": "net", "a": "out", "h": "out", "o": "out", "out": "out", "delta": "delta",
         "w": "weight", "W": "weight", "b": "bias"}
LOSSES = ("E", "C", "L", "J")
# activations as rules write them: f, g for the network's activation (sigma is the sigmoid); with a prime
# their slope
CALLS = {"f": "act", "g": "act", "varphi": "act", "phi": "act", "sigma": "sigmoid"}
SLOPES = {"act": "dact", "sigmoid": "dsigmoid"}


@dataclass(frozen=True)
class Glyph:
    """What a glyph of a rule for every layer is: its kind and its layer, relative to l or absolute."""

    kind: str  # net, out, delta, weight, bias, target, input
    relative: bool  # True: layer = l + offset; False: layer = offset (0 the inputs, N the outputs)
    offset: int

    def at(self, level: int) -> int:
        """Its layer (0 the inputs, N the outputs) where l is `level`."""
        return level + self.offset if self.relative else self.offset


def layer_of(sup: str, outputs: int) -> tuple[bool, int] | None:
    """(relative, offset) of a superscript naming a layer by its letter, None for any other."""
    m = LAYER.fullmatch(sup.replace(" ", ""))
    if m is None:
        return None
    found = {k.split("_")[-1]: v for k, v in m.groupdict().items() if v is not None}
    step = int(found.get("step") or 0) * (-1 if found.get("sign") == "-" else 1)
    return (False, outputs + step) if found["letter"] == "L" else (True, step)


def glyph(key: Key, outputs: int) -> Glyph | None:
    """The kind and layer of a glyph of a rule for every layer, None if it is none."""
    if key.sup:
        layer = layer_of(key.sup, outputs)
        kind = KINDS.get(key.base) if layer is not None and not key.hat else None
        return Glyph(kind, *layer) if kind is not None and layer is not None else None
    if (key.base == "y" and key.hat) or key.base == "o":
        return Glyph("out", False, outputs)
    if key.base in ("y", "t"):
        return Glyph("target", False, outputs)
    if key.base == "x":
        return Glyph("input", False, 0)
    return None


class LayerTable(GlyphTable):
    """The glyphs of a rule for every layer at one value of l, its index letters each in a layer."""

    def __init__(self, network: Network, level: int, letters: dict[str, int], delta_sign: int = 1) -> None:
        dict.__init__(self)
        self.network, self.sign, self.optimizer = network, 1, False
        self.level, self.delta_sign = level, delta_sign
        self.letters = {c: layer - 1 for c, layer in letters.items()}  # GlyphTable's count: -1 the inputs
        self.kinds = _Kinds(self)  # type: ignore[assignment]
        for loss in LOSSES:
            self[Key(loss)] = Meaning(identifiers.E_TOTAL)

    @property
    def outputs(self) -> int:
        return len(self.network.layers)

    def layer(self, key: Key) -> tuple[str, int] | None:
        """The kind and the layer (0 the inputs, N the outputs) of a glyph at this value of l."""
        found = glyph(key, self.outputs)
        return None if found is None else (found.kind, found.at(self.level))

    def activation_call(self, base: str, primed: bool) -> str | None:
        """f(z), sigma(z) as the network's activation; f'(z), sigma'(z) its slope."""
        call = CALLS.get(base)
        if call is None or (call == "sigmoid" and not primed):  # \sigma(z): the reader's own sigmoid
            return None
        return SLOPES[call] if primed else call

    def instance(self, key: Key, env: dict[str, int]) -> Meaning | None:  # type: ignore[override]
        found = self.layer(key)
        if found is None or any(c not in env for c in key.sub):
            return None
        kind, layer = found  # its letters placed by layer_rules: one on a neuron's glyph, two on a weight
        if not 0 <= layer <= self.outputs:
            raise LatexError(f"layer {layer} of a rule for every layer is no layer of this network")
        if kind in ("input", "out") and layer == 0:
            return Meaning(self.network.inputs[env[key.sub]].name)
        if kind == "target":
            return Meaning(self.network.outputs[env[key.sub]].target.name)
        if kind == "weight":
            return self._weight(key, layer, env)
        neuron = self.network.layers[layer - 1][env[key.sub]]
        if kind == "bias":
            return Meaning(neuron.bias.name) if neuron.bias is not None else Meaning("0")
        if kind == "delta":
            return Meaning(neuron.delta.name, self.delta_sign)
        return Meaning((neuron.net if kind == "net" else neuron.out).name)

    def _weight(self, key: Key, layer: int, env: dict[str, int]) -> Meaning:
        """w_{ij}: of the neuron of its layer named by one letter, from the one of the layer before."""
        if layer == 0:
            raise LatexError("a weight into the inputs")
        into = [c for c in key.sub if self.letters.get(c) == layer - 1]
        source = [c for c in key.sub if self.letters.get(c) == layer - 2]
        if len(key.sub) != 2 or len(into) != 1 or len(source) != 1:
            raise LatexError(f"which index of {key.base}_{{{key.sub}}} is its layer's neuron is not told")
        neuron = self.network.layers[layer - 1][env[into[0]]]
        return Meaning(neuron.links[env[source[0]]].weight.name)


class _Kinds:
    """`key in table.kinds`: whether a glyph is one of a rule for every layer (the reader then gives its
    letters values and asks the table for the quantity)."""

    def __init__(self, table: LayerTable) -> None:
        self.table = table

    def __contains__(self, key: object) -> bool:
        return isinstance(key, Key) and glyph(key, self.table.outputs) is not None
