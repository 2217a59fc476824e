"""The general rule of each layer in index form, written before that layer's numbers.

For the classic notation: delta_o = dE/dout_o * out_o (1 - out_o), delta_h = out_h (1 - out_h)
sum_o delta_o w_oh, dE/dw_hi = delta_h out_i; for the textbook's: g_j = (y_j - y-hat_j) y-hat_j (1 - y-hat_j),
e_h = b_h (1 - b_h) sum_j w_hj g_j. The rule is obtained from the same local rules as every number (the
loss's derivative and the activation's slope), with generic symbols whose glyphs carry the index letters.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType

from sympy import Expr, Integer, Symbol, cancel, diff, factor

from derive.model.network import Network
from derive.model.notation import INDEX_PROFILES, index_letter
from derive.notes.notation import Glyph, Notation, name_glyph
from derive.notes.printers import NotationPrinter

PROFILES = INDEX_PROFILES


def _letter(notation: Notation, network: Network, layer: int) -> str:
    """The index letter of `layer`'s neurons (-1: the inputs), as the checker reads it back."""
    return index_letter(notation.profile, len(network.layers), layer)


def _glyphs(notation: Notation, network: Network) -> dict[str, Glyph]:
    """Generic symbol name -> glyph: `__out_L`, `__net_L`, `__delta_L`, `__target`, `__w_L`, `__b_L`, `__x`."""
    found: dict[str, Glyph] = {}
    for layer in range(len(network.layers)):
        me, before = _letter(notation, network, layer), _letter(notation, network, layer - 1)
        if notation.profile == "textbook":
            g = notation.generic
            found.update({f"__out_{layer}": g["out"][layer], f"__net_{layer}": g["net"][layer],
                          f"__delta_{layer}": g["delta"][layer], f"__w_{layer}": g["weight"][layer],
                          f"__b_{layer}": g["bias"][layer]})
        else:
            found.update({f"__out_{layer}": Glyph("out", me, word="rm"), f"__net_{layer}": Glyph("net", me, word="rm"),
                          f"__delta_{layer}": Glyph("delta", me), f"__w_{layer}": Glyph("w", me + before),
                          f"__b_{layer}": Glyph("b", me)})
    last = len(network.layers) - 1
    if notation.profile == "textbook":
        found["__target"] = Glyph("y", _letter(notation, network, last))
        found["__x"] = Glyph("x", "i")
    else:
        found["__target"] = Glyph("target", _letter(notation, network, last), word="rm")
        found["__x"] = replace(name_glyph(network.inputs[0].name), sub=_letter(notation, network, -1))
    return found


def applies(network: Network, notation: Notation) -> bool:
    """Whether the notes state the index-form rule (classic and textbook notations)."""
    return notation.profile in PROFILES


def rules(network: Network, notation: Notation, width: float) -> list[list[str]]:
    """Per layer (in network order), the index-form lines: the error term, then the gradients."""
    glyphs = MappingProxyType({**notation.glyphs, **_glyphs(notation, network)})
    pr = NotationPrinter(replace(notation, glyphs=glyphs), width=width)
    return [_delta_lines(pr, network, notation, layer) + _gradient_lines(pr, network, notation, layer)
            for layer in range(len(network.layers))]


def _s(name: str) -> Symbol:
    return Symbol(name, real=True)


def _output_error(network: Network) -> Expr:
    """dE/dout_o of one output, generic (the spec's loss)."""
    out, target = _s(f"__out_{len(network.layers) - 1}"), _s("__target")
    return diff(network.loss.per_output(target, out, Integer(len(network.outputs))), out)


def _delta_lines(pr: NotationPrinter, network: Network, notation: Notation, layer: int) -> list[str]:
    last = len(network.layers) - 1
    out, net, delta = _s(f"__out_{layer}"), _s(f"__net_{layer}"), _s(f"__delta_{layer}")
    activation = network.layers[layer][0].activation
    sign = notation.delta_sign
    lhs = f"{pr.doprint(delta)} = {'-' if sign < 0 else ''}{pr.partial(network.e_total, net)}"
    if not activation.elementwise:
        target = _s("__target")
        if network.loss.name == "cross_entropy" and _distributions(network):
            return [pr.equation(lhs, pr.doprint(sign * (out - target)))]
        return []
    slope = activation.slope(out, net)
    if layer == last:
        error = _output_error(network)
        chain = pr.product([pr.partial(network.e_total, out), pr.partial(out, net)])
        if sign < 0:
            chain = rf"-{chain}"
        # binary cross-entropy's 1/(out (1 - out)) cancels against the slope: the product is out - target
        cancels = cancel(error).as_numer_denom()[1] != 1
        factors = [cancel(sign * error * slope)] if cancels else _factors(factor(sign * error)) + _factors(slope)
        return [pr.equation(lhs, chain, pr.ordered_product(factors))]
    after = _s(f"__delta_{layer + 1}")
    weight = _s(f"__w_{layer + 1}")
    letter = _letter(notation, network, layer + 1)
    pair = [weight, after] if notation.profile == "textbook" else [after, weight]
    total = pr.index_sum(letter, pr.ordered_product(pair))
    return [pr.equation(lhs, f"{pr.ordered_product([slope]) if slope != 1 else ''} {total}".strip())]


def _distributions(network: Network) -> bool:
    """Whether every sample's targets sum to 1: only then is a softmax's cross-entropy delta out - target
    (in general it is out times the targets' sum, minus the target)."""
    return all(sum(Decimal(str(t)) for t in s.targets) == 1 for s in network.spec.samples)


def _factors(expr: Expr) -> list[Expr]:
    """A product's factors in SymPy's order; an expression that is no product as one factor."""
    return list(expr.as_ordered_factors()) if expr.is_Mul else [expr]


def _gradient_lines(pr: NotationPrinter, network: Network, notation: Notation, layer: int) -> list[str]:
    sign = notation.delta_sign
    delta, weight = _s(f"__delta_{layer}"), _s(f"__w_{layer}")
    source = _s("__x") if layer == 0 else _s(f"__out_{layer - 1}")
    factors = [delta, source] if sign > 0 else [Integer(-1), delta, source]
    lines = [pr.equation(pr.partial(network.e_total, weight), pr.ordered_product(factors))]
    biased = [n for n in network.layers[layer] if n.bias is not None]
    if biased:
        bias = _s(f"__b_{layer}")
        coefficient = sign * biased[0].bias_sign
        body = pr.ordered_product([Integer(coefficient), delta])
        if len({n.bias.name for n in biased if n.bias is not None}) == 1 and len(biased) > 1:
            letter = _letter(notation, network, layer)
            inner = pr.ordered_product([delta])
            body = ("- " if coefficient < 0 else "") + pr.index_sum(letter, inner)
        lines.append(pr.equation(pr.partial(network.e_total, bias), body))
    return lines
