"""The sections only some notation profiles have: the textbook's update rules, the vectorised pass.

Both are derived from the same derivation as the per-weight walkthrough: the textbook's rules are
-eta times the chain dE/dnet * dnet/dp with the error term's sign convention applied by SymPy, and
every matrix product shown is computed here and checked against the per-weight values.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from sympy import Expr, Integer, Mul

from derive.maths.derivation import Derivation, Pass, check_agree
from derive.model import identifiers
from derive.model.network import Network, Neuron
from derive.model.precision import CTX, Real, show
from derive.notes.notation import Glyph, Notation, latex
from derive.notes.printers import NotationPrinter

View = dict[str, Any]
# Largest layer (neurons or sources) whose matrices are printed with their numbers.
MATRIX_LIMIT = 8


def _generic_printer(notation: Notation, rep: Neuron, source_name: str, layer: int) -> NotationPrinter:
    """A printer that shows one representative neuron's symbols as the layer's generic glyphs."""
    g = notation.generic
    glyphs = dict(notation.glyphs)
    glyphs.update({rep.delta.name: g["delta"][layer], source_name: g["source"][layer]})
    return NotationPrinter(replace(notation, glyphs=MappingProxyType(glyphs)))


def _change(eta: Expr, sign: int, delta: Expr, dnet: Expr) -> tuple[Expr, list[Expr]]:
    """Delta p = -eta (dE/dnet) (dnet/dp), dE/dnet = sign * error term: its sign, then its factors."""
    coeff = Mul(-1, sign, dnet if dnet.is_Number else Integer(1))
    return coeff, [eta, delta] + ([] if dnet.is_Number else [dnet])


def _over(d: Derivation) -> str:
    """The sum over the samples of a batch update (averaged for a mean); nothing for one sample."""
    count = len(d.passes)
    if count == 1:
        return ""
    return r"\sum_{s} " if d.network.spec.training.reduction == "sum" else rf"\frac{{1}}{{{count}}} \sum_{{s}} "


def _signed(printer: NotationPrinter, coeff: Expr, factors: list[Expr], over: str = "", gradient: bool = False) -> str:
    """-eta ... with the learning rate first, then the batch's sum, then the rest in chain order; for the
    gradient (`gradient`), the same without -eta: the update is -eta times it."""
    eta, rest = factors[0], factors[1:]
    if gradient:
        return ("- " if coeff > 0 else "") + f"{over}{printer.ordered_product(rest)}"
    return ("- " if coeff < 0 else "") + f"{printer.doprint(eta)} {over}{printer.ordered_product(rest)}"


def _left(notation: Notation, glyph: str, gradient: bool) -> str:
    """What a rule is of: the parameter's step, or its gradient."""
    if gradient:
        return rf"\frac{{\partial {latex(notation.glyph(identifiers.E_TOTAL))}}}{{\partial {glyph}}}"
    return rf"\Delta {glyph}"


def _generic_rules(d: Derivation, notation: Notation, gradient: bool) -> list[str]:
    network = d.network
    over = _over(d)
    lines = []
    for index, layer in enumerate(network.layers):
        rep = layer[0]
        link = rep.links[0]
        printer = _generic_printer(notation, rep, link.source.name, index)
        coeff, factors = _change(network.eta, notation.delta_sign, rep.delta, link.source)
        weight = _left(notation, latex(notation.generic["weight"][index]), gradient)
        lines.append(f"{weight} = {_signed(printer, coeff, factors, over, gradient)}")
        if rep.bias is not None and rep.bias.trainable:
            coeff, factors = _change(network.eta, notation.delta_sign, rep.delta, Integer(rep.bias_sign))
            bias = _left(notation, latex(notation.generic["bias"][index]), gradient)
            lines.append(f"{bias} = {_signed(printer, coeff, factors, over, gradient)}")
    return lines


def _each_rule(d: Derivation, notation: Notation, printer: NotationPrinter, index: int, digits: int,
               gradient: bool) -> str:
    network = d.network
    param = network.params[index]
    terms = [_change(network.eta, notation.delta_sign, u.neuron.delta, u.dnet) for u in network.usages[index]]
    over = _over(d)
    if len(terms) == 1:
        body = _signed(printer, *terms[0], over, gradient)
    else:  # a shared bias: one term per neuron, all of one sign
        inner = " + ".join(printer.ordered_product(f[1:]) for _, f in terms)
        negative = terms[0][0] > 0 if gradient else terms[0][0] < 0
        eta = "" if gradient else f"{printer.doprint(network.eta)} "
        body = ("- " if negative else "") + rf"{eta}{over}\left({inner}\right)"
    update = d.updates[index]
    value = show(update.gradient if gradient else update.new - update.old, digits).latex
    return rf"{_left(notation, printer.doprint(param.symbol), gradient)} = {body} = {value}"


# The messages of the textbook's section: its update rules, or, when an optimizer turns the gradients into
# updates (its own section shows how), the gradients in the textbook's form.
_TEXTBOOK_MESSAGES = {False: ("textbook_rules", "textbook_rules_intro", "textbook_rules_each"),
                      True: ("textbook_gradients", "textbook_gradients_intro", "textbook_gradients_each")}


def textbook_rules(d: Derivation, notation: Notation, digits: int) -> View | None:
    """The textbook's update rules (or its gradients, under an optimizer): generic per kind of parameter,
    then each trainable parameter."""
    if notation.profile != "textbook":
        return None
    gradient = not d.network.spec.training.optimizer.plain
    printer = NotationPrinter(notation)
    each = [_each_rule(d, notation, printer, i, digits, gradient)
            for i, p in enumerate(d.network.params) if p.trainable]
    heading, intro, each_intro = _TEXTBOOK_MESSAGES[gradient]
    return {"generic": _generic_rules(d, notation, gradient), "each": each, "heading": heading, "intro": intro,
            "each_intro": each_intro}


# --- the vectorised pass -----------------------------------------------------------------------------


def _transposed(g: Glyph) -> str:
    """v^T, bracketed when the glyph carries its own superscript: (W^[2])^T."""
    tex = latex(g)
    return rf"\left({tex}\right)^{{T}}" if "^" in tex else f"{tex}^{{T}}"


def _rules(network: Network, notation: Notation) -> list[str]:
    g = notation.generic
    last = len(network.layers) - 1
    e = latex(notation.glyph(network.e_total.name))
    lines = []
    for index in range(last, -1, -1):
        delta, z, w = latex(g["delta"][index]), latex(g["net"][index]), latex(g["weight"][index])
        if index == last and network.layers[index][0].activation.elementwise:
            out = latex(g["out"][index])
            lines.append(rf"{delta} = \frac{{\partial {e}}}{{\partial {out}}} \odot f'\left({z}\right)")
        elif index == last:
            a = latex(g["out"][index])
            lines.append(rf"{delta} = \left(\frac{{\partial {a}}}{{\partial {z}}}\right)^{{T}} "
                         rf"\frac{{\partial {e}}}{{\partial {a}}}")
        else:
            after_delta = latex(g["delta"][index + 1])
            lines.append(rf"{delta} = \left({_transposed(g['weight'][index + 1])} {after_delta}\right) \odot "
                         rf"f'\left({z}\right)")
        lines.append(rf"\frac{{\partial {e}}}{{\partial {w}}} = {delta} {_transposed(g['source'][index])}")
        biased = [n for n in network.layers[index] if n.bias is not None]
        if biased:
            sign = "- " if biased[0].bias_sign < 0 else ""
            shared = len({n.bias.name for n in biased}) == 1 and len(biased) > 1  # type: ignore[union-attr]
            body = rf"\mathbf{{1}}^{{T}} {delta}" if shared else delta
            lines.append(rf"\frac{{\partial {e}}}{{\partial {latex(g['bias'][index])}}} = {sign}{body}")
    return lines


def _pmatrix(rows: list[list[Real]], digits: int) -> str:
    body = r" \\ ".join(" & ".join(show(v, digits).latex for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _numbers(d: Derivation, p: Pass, notation: Notation, digits: int) -> list[str]:
    """Each layer's delta vector and weight gradient matrix, computed as matrix products here."""
    network = d.network
    g = notation.generic
    e = latex(notation.glyph(network.e_total.name))
    deltas = {b.neuron.name: b.delta.value for b in p.backward}
    # hidden layers are elementwise: each has a slope
    slopes_of = {b.neuron.name: b.slope.value for b in p.backward if b.slope is not None}
    gradients = {g.param.symbol: g.value for g in p.gradients}
    lines = []
    for index in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[index]
        column = [[deltas[n.name]] for n in layer]
        sources = [p.values[link.source] for link in layer[0].links]
        if index < len(network.layers) - 1:
            after = network.layers[index + 1]
            back = [CTX.fsum(p.values[k.links[n.position].weight.symbol] * deltas[k.name] for k in after)
                    for n in layer]
            slopes = [slopes_of[n.name] for n in layer]
            for n, b, s in zip(layer, back, slopes):
                check_agree(b * s, deltas[n.name], f"delta of {n.name} as a matrix product")
            lines.append(rf"{latex(g['delta'][index])} = {_pmatrix([[b] for b in back], digits)} \odot "
                         rf"{_pmatrix([[s] for s in slopes], digits)} = {_pmatrix(column, digits)}")
        else:
            lines.append(rf"{latex(g['delta'][index])} = {_pmatrix(column, digits)}")
        grads = [[deltas[n.name] * x for x in sources] for n in layer]
        for n, row in zip(layer, grads):
            for link, value in zip(n.links, row):
                check_agree(value, gradients[link.weight.symbol], f"dE/d{link.weight.name} as a matrix product")
        lines.append(rf"\frac{{\partial {e}}}{{\partial {latex(g['weight'][index])}}} = "
                     rf"{_pmatrix(column, digits)} {_pmatrix([sources], digits)} = {_pmatrix(grads, digits)}")
    return lines


def matrix_section(d: Derivation, notation: Notation, digits: int) -> View | None:
    """The vectorised rules, and for a small network one pass of them in numbers."""
    if notation.profile != "matrix":
        return None
    network = d.network
    small = max(network.sizes()) <= MATRIX_LIMIT
    return {"rules": _rules(network, notation), "numbers": _numbers(d, d.first, notation, digits) if small else [],
            "sample": d.first.sample.name if len(d.passes) > 1 else ""}
