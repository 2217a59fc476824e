"""Notation profiles: what every quantity of a network is called, decided here and nowhere else.

A profile maps each symbol the engine makes (`net_h1`, `out_o1`, `w5`, `delta_h1`, `E_total`, `eta`)
to a `Glyph`: a base letter or word with a subscript, a superscript and an accent. The printers turn
glyphs into LaTeX (`derive.notes.printers`) and into SVG text (`derive.notes.figures`), so every output format
follows one notation; the checker reads the same glyphs back (`derive.check.latex`), so whatever a
walkthrough prints, in any notation, can be claimed again.

- classic: the names of the spec (i1, h1, o1, w1..wn, b1), net_h1, out_h1, E_total, eta;
- textbook: x_i, b_h, y-hat_j, v_ih, w_hj, gamma_h, theta_j, alpha_h, beta_j, and the textbook's
  error terms g_j = -dE/d beta_j and e_h = -dE/d alpha_h (note the sign);
- matrix: W^[l]_jk, b^[l]_j, z^[l]_j, a^[l]_j, delta^[l]_j.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import derive.model.identifiers as identifiers
from derive.model.network import Network, Neuron

GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}


class NotationError(ValueError):
    """A profile that cannot name this network (a one-line error for the command line)."""


@dataclass(frozen=True)
class Glyph:
    """A printed name: base (a letter, a Greek letter's name, or a word), subscript, superscript."""

    base: str
    sub: str = ""
    sup: str = ""
    hat: bool = False
    word: str = ""  # a word: "rm" upright (net, out, target), "it" italic (a user's name)
    sub_word: bool = False  # a subscript that is a word (total)


@dataclass(frozen=True)
class Notation:
    """The glyph of every symbol and neuron, and the sign convention of the error terms."""

    profile: str
    glyphs: Mapping[str, Glyph]  # symbol name -> glyph
    neurons: Mapping[str, Glyph]  # neuron name -> the glyph that labels its node
    delta_sign: int  # +1: delta = dE/dnet; -1: the textbook's g_j = -dE/d beta_j
    generic: Mapping[str, tuple[Glyph, ...]]  # net/out/delta/weight/bias -> one glyph per layer

    def glyph(self, name: str) -> Glyph:
        """The glyph of a symbol; names outside the network (a student's own) keep the classic form."""
        found = self.glyphs.get(name)
        return found if found is not None else classic_glyph(name)

    def neuron(self, neuron: Neuron | str) -> Glyph:
        key = neuron if isinstance(neuron, str) else neuron.name
        found = self.neurons.get(key)
        return found if found is not None else name_glyph(key)


def name_glyph(name: str) -> Glyph:
    """A plain (user) name: `w5` -> w sub 5, `gamma1` -> gamma sub 1, `Alice` as a word."""
    match = re.fullmatch(r"([A-Za-z]+?)(\d*)", name)
    head, digits = (match.group(1), match.group(2)) if match else (name, "")
    return Glyph(head, digits, word="it" if len(head) > 1 and head not in GREEK_LETTERS else "")


# Prefix of a derived name -> the glyph of its head; the neuron's name becomes the subscript.
_DERIVED = {"net": Glyph("net", word="rm"), "out": Glyph("out", word="rm"),
            "target": Glyph("target", word="rm"), "E": Glyph("E"), "delta": Glyph("delta")}


def classic_glyph(name: str) -> Glyph:
    """The classic glyph of any symbol name the engine makes (derived `out_h1`, `E_total`, plain `w5`)."""
    if name == identifiers.ETA:
        return Glyph("eta")
    prefix, sep, rest = name.partition("_")
    if sep and prefix in _DERIVED:
        head = _DERIVED[prefix]
        return Glyph(head.base, rest, word=head.word, sub_word=rest in (identifiers.TOTAL, identifiers.BATCH))
    return name_glyph(name)


def _pair(a: int, b: int) -> str:
    """Two indices as one subscript: 12, or 1,12 once an index has two digits."""
    return f"{a}{b}" if a < 10 and b < 10 else f"{a},{b}"


def _generic(network: Network, make: Callable[[str, int, int], Glyph]) -> Mapping[str, tuple[Glyph, ...]]:
    """Per layer, the glyph of a generic quantity of each kind (`make(kind, layer, count)`)."""
    kinds = ("source", "net", "out", "delta", "weight", "bias")
    return MappingProxyType({k: tuple(make(k, i, len(layer)) for i, layer in enumerate(network.layers))
                             for k in kinds})


def _classic_generic(kind: str, layer: int, count: int) -> Glyph:
    return {"source": Glyph("out", word="rm"), "net": Glyph("net", word="rm"), "out": Glyph("out", word="rm"),
            "delta": Glyph("delta"), "weight": Glyph("w"), "bias": Glyph("b")}[kind]


def _classic(network: Network) -> Notation:
    # a neuron named by a word and a number (ha1, hb2) is labelled by its whole name, as the subscripts of
    # its quantities spell it (net_{ha1}): never ha_1
    neurons = {n.name: Glyph(n.name) for n in network.neurons if len(_head(n.name)) > 1}
    return Notation("classic", MappingProxyType({}), MappingProxyType(neurons), 1,
                    _generic(network, _classic_generic))


def _common(network: Network, glyphs: dict[str, Glyph]) -> None:
    glyphs[identifiers.E_TOTAL] = Glyph("E")
    glyphs[identifiers.E_BATCH] = Glyph("E", identifiers.BATCH, sub_word=True)
    glyphs[identifiers.ETA] = Glyph("eta")
    for j, o in enumerate(network.outputs):
        glyphs[o.error.name] = Glyph("E", str(j + 1))


def _textbook(network: Network) -> Notation:
    if len(network.layers) != 2:
        raise NotationError(f"the textbook notation (x_i, b_h, y-hat_j) names networks with one hidden "
                            f"layer; {network.name} has {len(network.layers) - 1}")
    glyphs: dict[str, Glyph] = {}
    _common(network, glyphs)
    for i, x in enumerate(network.inputs):
        glyphs[x.name] = Glyph("x", str(i + 1))
    hidden, output = network.layers
    shared = {index: len({id(n.bias) for n in layer}) == 1 and len(layer) > 1
              for index, layer in enumerate(network.layers)}
    for n in hidden:
        h = n.position + 1
        glyphs.update({n.net.name: Glyph("alpha", str(h)), n.out.name: Glyph("b", str(h)),
                       n.delta.name: Glyph("e", str(h))})
        for i, link in enumerate(n.links):
            glyphs[link.weight.name] = Glyph("v", _pair(i + 1, h))
        if n.bias is not None:
            glyphs[n.bias.name] = Glyph("gamma", "" if shared[0] else str(h))
    for n in output:
        j = n.position + 1
        glyphs.update({n.net.name: Glyph("beta", str(j)), n.out.name: Glyph("y", str(j), hat=True),
                       n.delta.name: Glyph("g", str(j)), network.outputs[n.position].target.name: Glyph("y", str(j))})
        for h, link in enumerate(n.links):
            glyphs[link.weight.name] = Glyph("w", _pair(h + 1, j))
        if n.bias is not None:
            glyphs[n.bias.name] = Glyph("theta", "" if shared[1] else str(j))
    neurons = {n.name: glyphs[n.out.name] for n in network.neurons}
    return Notation("textbook", MappingProxyType(glyphs), MappingProxyType(neurons), -1,
                    _generic(network, _textbook_generic))


def _textbook_generic(kind: str, layer: int, count: int) -> Glyph:
    if layer == 0:
        return {"source": Glyph("x", "i"), "net": Glyph("alpha", "h"), "out": Glyph("b", "h"),
                "delta": Glyph("e", "h"), "weight": Glyph("v", "ih"), "bias": Glyph("gamma", "h")}[kind]
    return {"source": Glyph("b", "h"), "net": Glyph("beta", "j"), "out": Glyph("y", "j", hat=True),
            "delta": Glyph("g", "j"), "weight": Glyph("w", "hj"), "bias": Glyph("theta", "j")}[kind]


def _matrix(network: Network) -> Notation:
    glyphs: dict[str, Glyph] = {}
    _common(network, glyphs)
    for k, x in enumerate(network.inputs):
        glyphs[x.name] = Glyph("x", str(k + 1))
    for index, layer in enumerate(network.layers):
        sup = f"[{index + 1}]"
        shared = len({id(n.bias) for n in layer}) == 1 and len(layer) > 1
        for n in layer:
            j = n.position + 1
            glyphs.update({n.net.name: Glyph("z", str(j), sup), n.out.name: Glyph("a", str(j), sup),
                           n.delta.name: Glyph("delta", str(j), sup)})
            for k, link in enumerate(n.links):
                glyphs[link.weight.name] = Glyph("W", _pair(j, k + 1), sup)
            if n.bias is not None:
                glyphs[n.bias.name] = Glyph("b", "" if shared else str(j), sup)
    for j, o in enumerate(network.outputs):
        glyphs[o.target.name] = Glyph("y", str(j + 1))
    neurons = {n.name: glyphs[n.out.name] for n in network.neurons}
    return Notation("matrix", MappingProxyType(glyphs), MappingProxyType(neurons), 1,
                    _generic(network, _matrix_generic))


def _matrix_generic(kind: str, layer: int, count: int) -> Glyph:
    """Whole layers: the vectors z, a, delta, b and the matrix W of layer l (a^[0] = x)."""
    if kind == "source":
        return Glyph("x") if layer == 0 else Glyph("a", sup=f"[{layer}]")
    base = {"net": "z", "out": "a", "delta": "delta", "weight": "W", "bias": "b"}[kind]
    return Glyph(base, sup=f"[{layer + 1}]")


_BUILDERS: dict[str, Callable[[Network], Notation]] = {
    "classic": _classic, "textbook": _textbook, "matrix": _matrix,
}


# The notation of networks with convolution, pooling or recurrent layers (derive.model.layer_notation, built
# on this module): derive.model puts a hook here that imports it with the first such network.
wired_notation: Callable[[Network, str], Notation] | None = None


def notation_for(network: Network, profile: str = "classic") -> Notation:
    """The notation `profile` gives `network`; NotationError when the profile cannot name it."""
    if network.graph is not None and wired_notation is not None:
        if profile not in _BUILDERS:
            raise KeyError(profile)
        return wired_notation(network, profile)
    return _BUILDERS[profile](network)


# --- printing glyphs -------------------------------------------------------------------------------


def latex(g: Glyph) -> str:
    """A glyph in LaTeX: `\\mathrm{out}_{h1}`, `\\hat{y}_{1}`, `W^{[1]}_{12}`, `E_{\\mathrm{total}}`."""
    if g.base in GREEK_LETTERS:
        head = "\\" + g.base
    elif g.word:
        head = rf"\math{g.word}{{{g.base}}}"
    else:
        head = g.base
    if g.hat:
        head = rf"\hat{{{head}}}"
    sub = rf"\mathrm{{{g.sub}}}" if g.sub_word else g.sub
    return head + (f"^{{{g.sup}}}" if g.sup else "") + (f"_{{{sub}}}" if sub else "")


def text(g: Glyph) -> tuple[str, str, str]:
    """A glyph as plain Unicode text: (base, subscript, superscript), for SVG figures."""
    base = GREEK_LETTERS.get(g.base, g.base)
    if g.hat:
        base += "\u0302"
    # a step of a sequence, \langle t\rangle in LaTeX, is ⟨t⟩ in text
    return base, g.sub, g.sup.replace("\\langle ", "\u27e8").replace("\\langle", "\u27e8").replace("\\rangle", "\u27e9")


# --- index form ------------------------------------------------------------------------------------

# The notations that state each layer's rule for every index at once (delta_o, w_oh, sum_o).
INDEX_PROFILES = ("classic", "textbook")
# Index letters of the classic notation: a layer whose neurons are named by one letter and a number (h1,
# h2; o1) takes that letter; the inputs take k; any other layer the next free letter of _POOL, from the
# inputs on (k, l, m, n for the hidden layers of a deep network), never the first letter of a name of the
# network, so that an index is never read as part of a neuron's name.
_INPUT_LETTER = "k"
_POOL = "lmnpqrsuvjacdfgyz"


def _head(name: str) -> str:
    match = re.fullmatch(r"([A-Za-z]+?)(\d*)", name)
    return match.group(1) if match else name


def _classic_letters(network: Network) -> dict[int, str]:
    """Layer index (-1: the inputs) -> its classic index letter."""
    names = [x.name for x in network.inputs] + [n.name for n in network.neurons]
    taken = {name[0].lower() for name in names}
    own = {}
    for index, layer in enumerate(network.layers):
        heads = {_head(n.name) for n in layer}
        if len(heads) == 1 and len(next(iter(heads))) == 1:
            own[index] = next(iter(heads))
    letters, used = {}, set(own.values())
    pool = [c for c in (_INPUT_LETTER + _POOL) if c not in taken and c not in used]
    for index in range(-1, len(network.layers)):
        if index in own and list(own.values()).count(own[index]) == 1:
            letters[index] = own[index]
        else:
            letters[index] = pool.pop(0) if pool else f"{_POOL[0]}_{{{index + 1}}}"
    return letters


def index_letter(profile: str, network: Network, layer: int) -> str:
    """The index letter of the neurons of `layer` (0-based, -1: the inputs) of `network`."""
    if profile == "textbook":
        return {-1: "i", 0: "h", 1: "j"}[layer]
    return _classic_letters(network)[layer]
