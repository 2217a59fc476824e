"""Rendering: the derivation turned into printed strings, then placed by a Jinja template.

Everything mathematical is printed here, by the printers; the templates hold the prose and only loop
over and place these strings.
"""

from __future__ import annotations

import functools
import keyword
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sympy import Add, Derivative, Expr, Symbol, UnevaluatedExpr, cancel, diff, exp

from derive import templating
from derive.maths import steps
from derive.maths.derivation import (
    Chain,
    Closed,
    Derivation,
    Factor,
    Gradient,
    HistoryPoint,
    InconsistentDerivation,
    NeuronBackward,
    Pass,
    Update,
    agree,
)
from derive.maths.numeric import evaluate, term_bound
from derive.model.network import Network, Neuron
from derive.model.precision import WORKING_DIGITS, Real, real, show
from derive.model.rules import sigmoid
from derive.model.spec import UNNAMED, Spec
from derive.notes import general, messages, notation_sections, optimizer_section, remarks
from derive.notes.figures import Curve, Figure
from derive.notes.notation import Glyph, Notation, latex, notation_for
from derive.notes.printers import LINE, NotationPrinter, ValuePrinter
from derive.notes.request import NotesRequest

FORMATS = {"md": "walkthrough.md.j2", "tex": "walkthrough.tex.j2"}
# The width of a display line per format (see printers.LINE): the Markdown also makes the HTML page and
# the notebook, read on phones as well; the LaTeX is set on A4.
WIDTHS = {"md": 30, "tex": LINE}
# Where the Markdown walkthrough finds its SVG figures, beside it.
FIGURE_DIR = "figures"
# Symbols listed per row of the notation legend before an ellipsis.
LEGEND_LIMIT = 6
# Above this many parameters the matrix notation gives the vectorised rules without per-weight chains.
PER_WEIGHT_LIMIT = 60

View = dict[str, Any]
# narrations by what they narrate (see _narration): the explanation, whether it is the factor, its view
Narrations = dict[tuple[Expr, ...], tuple[steps.Explanation, bool, View]]


class Printers:
    """The notation printer and, for one pass, the value printer."""

    def __init__(self, p: Pass | None, digits: int, notation: Notation | None = None, narrate: bool = False,
                 width: float = LINE, narrations: Narrations | None = None) -> None:
        self.narrate = narrate
        self.sym = NotationPrinter(notation, width=width)
        self.val = ValuePrinter(p.values if p else {}, digits, width)
        self.digits = digits
        self.notation = notation
        self.sign = notation.delta_sign if notation else 1
        self.closed: dict[tuple[Symbol, int, int], str] = {}  # printed closed deltas, reused by every gradient
        # narrations by what they narrate: symbolic, so the passes of several samples share them
        self.narrations = {} if narrations is None else narrations

    def tex(self, expr: Expr) -> str:
        return self.sym.doprint(expr)

    def subst(self, expr: Expr) -> str:
        return self.val.doprint(expr)

    def num(self, x: Real) -> str:
        return show(x, self.digits).latex

    def partial(self, num: Any, den: Any) -> str:
        return self.sym.partial(num, den)

    def eq(self, *parts: str) -> str:
        return self.sym.equation(*parts)


def _forward_neuron(pr: Printers, n: Neuron, layer: tuple[Neuron, ...], net: Real, out: Real) -> View:
    net_line = pr.eq(pr.tex(n.net), pr.sym.weighted_sum(n), pr.val.weighted_sum(n), pr.num(net))
    applied = n.activation.forward(tuple(k.net for k in layer), n.position)
    parts = [pr.tex(n.out), pr.tex(applied)]
    if n.activation.explicit is not None:
        parts.append(pr.tex(n.activation.explicit(n.net)))
        applied = n.activation.explicit(n.net)
    parts += [pr.subst(applied), pr.num(out)]
    return {"name": _neuron(pr, n), "net": net_line, "out": pr.eq(*parts)}


def _neuron(pr: Printers, n: Neuron) -> str:
    """A neuron's label in prose, in the notation (h_{1}; b_{1} in the textbook's)."""
    return latex(pr.notation.neuron(n)) if pr.notation else n.name


def _forward(pr: Printers, network: Network, p: Pass) -> list[View]:
    by_name = {s.neuron.name: s for s in p.forward}
    return [{"index": i + 1, "output": i == len(network.layers) - 1,
             "neurons": [_forward_neuron(pr, n, layer, by_name[n.name].net, by_name[n.name].out) for n in layer]}
            for i, layer in enumerate(network.layers)]


def _losses(pr: Printers, network: Network, p: Pass, precision: int = WORKING_DIGITS) -> View:
    """Each output's error and their sum; a term within the rounding noise of `precision` digits is
    written as its bound ("< 10^-760"), and the sum then as the sum of the bounds and the other terms."""
    bounds = [term_bound(network, p.values[o.target], p.values[o.neuron.out], precision) for o in network.outputs]
    lines = [_bounded_eq(pr, [pr.tex(o.error), pr.tex(t.expr), pr.subst(t.expr)], t.value, b)
             for o, t, b in zip(network.outputs, p.losses, bounds)]
    symbols = " + ".join(pr.tex(o.error) for o in network.outputs)
    if all(b is None for b in bounds):
        total = pr.eq(pr.tex(network.e_total), symbols,
                      " + ".join(pr.val.number(t.value, bracket=True) for t in p.losses), pr.num(p.total))
    else:
        above = sum((b if b is not None else t.value for t, b in zip(p.losses, bounds)), real(0))
        total = _bounded_eq(pr, [pr.tex(network.e_total), symbols], p.total, above)
    return {"lines": lines, "total": total}


def _bounded_eq(pr: Printers, parts: list[str], value: Real, bound: Real | None) -> str:
    """parts = value; or, for a value within the noise, parts < bound (the bound closing the last line)."""
    if bound is None:
        return pr.eq(*parts, pr.num(value))
    text, end = pr.eq(*parts), "\n\\end{aligned}"
    if text.endswith(end):
        return f"{text[:-len(end)]} < {pr.num(bound)}{end}"
    return f"{text} < {pr.num(bound)}"


def _factor_line(pr: Printers, f: Any) -> str:
    """d num/d den = expression = numbers = value, without repeating what is already a number."""
    lhs = pr.partial(f.num, f.den)
    if f.expr.is_Number:
        return pr.eq(lhs, pr.num(f.value))
    if f.expr.is_Symbol:
        return pr.eq(lhs, pr.tex(f.expr), pr.num(f.value))
    return pr.eq(lhs, pr.tex(f.expr), pr.subst(f.expr), pr.num(f.value))


def _error_line(pr: Printers, b: NeuronBackward) -> str:
    lhs = pr.partial(b.error.num, b.error.den)
    if not b.paths:
        return _factor_line(pr, b.error)
    chain = " + ".join(pr.sym.product([pr.partial(t.delta.num, t.delta.den), pr.partial(t.weight.num, t.weight.den)])
                       for t in b.paths)
    # the paths' deltas as the notation's error terms, with their numbers: the textbook's g_k is -dE/dnet_k
    numbers = " + ".join(pr.val.product([pr.val.number(pr.sign * t.delta.value, True),
                                         pr.val.number(t.weight.value, True)]) for t in b.paths)
    teacher = pr.tex(b.error.expr)
    if pr.sign < 0:
        teacher, numbers = rf"-\left({teacher}\right)", rf"-\left({numbers}\right)"
    return pr.eq(lhs, chain, teacher, numbers, pr.num(b.error.value))


def _delta_line(pr: Printers, b: NeuronBackward) -> str:
    """delta = dE/dnet = chain = numbers = value; the textbook's error terms are its negative."""
    n = b.neuron
    if b.slope is not None:
        chain = pr.sym.product([pr.partial(b.error.num, b.error.den), pr.partial(b.slope.num, b.slope.den)])
        numbers = pr.val.product([pr.val.number(b.error.value, True), pr.val.number(b.slope.value, True)])
    else:
        chain = " + ".join(pr.sym.product([pr.partial(t.error.num, t.error.den),
                                           pr.partial(t.slope.num, t.slope.den)]) for t in b.jacobian)
        numbers = " + ".join(pr.val.product([pr.val.number(t.error.value, True),
                                             pr.val.number(t.slope.value, True)]) for t in b.jacobian)
    partial = pr.partial(b.delta.num, b.delta.den)
    if pr.sign > 0:
        return pr.eq(f"{pr.tex(n.delta)} = {partial}", chain, numbers, pr.num(b.delta.value))
    return pr.eq(f"{pr.tex(n.delta)} = -{partial}", rf"-\left({chain}\right)", rf"-\left({numbers}\right)",
                 pr.num(-b.delta.value))


# The most delta terms a closed form spells out. Written out to the outputs, a delta holds one term per
# path, which doubles with every layer two neurons wide; beyond this it stops at a later layer's deltas.
CLOSED_TERMS = 64


def closed_stop(network: Network, layer: int) -> int:
    """The layer whose deltas the closed forms of `layer`'s neurons stop at: the output layer when the
    spelled-out form stays within CLOSED_TERMS terms, else the last layer before it grows past that."""
    last = len(network.layers) - 1
    stop = min(layer + 1, last)
    terms = len(network.layers[stop])
    while stop < last and terms * len(network.layers[stop + 1]) <= CLOSED_TERMS:
        stop += 1
        terms *= len(network.layers[stop])
    return stop


def path_count(network: Network, layer: int) -> int:
    """The terms of a `layer` neuron's delta written out to the outputs: one per path to an output."""
    count = 1
    for later in network.layers[layer + 1:]:
        count *= len(later)
    return count


def _closed_delta(pr: Printers, network: Network, closed: Closed, n: Neuron, sign: int = 1,
                  stop: int | None = None) -> str:
    """A delta (times `sign`) in closed form, every product in chain order, hidden sums spelled out
    down to the deltas of layer `stop` (by default as far as `closed_stop` allows)."""
    stop = closed_stop(network, n.layer) if stop is None else stop
    key = (n.delta, sign, stop)
    if key not in pr.closed:
        pr.closed[key] = _print_closed_delta(pr, network, closed, n, sign, stop)
    return pr.closed[key]


def _print_closed_delta(pr: Printers, network: Network, closed: Closed, n: Neuron, sign: int, stop: int) -> str:
    factors = closed.delta_factors[n.delta]
    if n.layer == len(network.layers) - 1:
        return pr.sym.ordered_product((sign * factors[0], *tuple(factors[1:])))
    if n.layer == stop:
        return ("- " if sign < 0 else "") + pr.tex(n.delta)
    after = network.layers[n.layer + 1]
    terms = " + ".join(
        f"{_bracket(_closed_delta(pr, network, closed, k, sign, stop))} {pr.tex(k.links[n.position].weight.symbol)}"
        for k in after)
    rest = pr.sym.ordered_product(factors[1:])
    return rf"\left({terms}\right) {rest}" if len(after) > 1 else f"{terms} {rest}"


def _closed_note(network: Network, layer: int) -> dict[str, Any]:
    """The message introducing the closed forms of `layer`: in full, or through a later layer's deltas."""
    stop = closed_stop(network, layer)
    if stop == len(network.layers) - 1:
        return {"key": "closed", "index": "", "terms": ""}
    return {"key": "closed_through", "index": stop + 1, "terms": f"{path_count(network, layer):,}"}


def _bracket(tex: str) -> str:
    """Brackets for a product that opens with a minus sign, before it is multiplied further."""
    return rf"\left({tex}\right)" if tex.startswith("-") else tex


def _closed_gradient(pr: Printers, network: Network, closed: Closed, g: Gradient) -> str:
    """The closed form of a gradient: per chain, the neuron's delta times d net / d p."""
    text = ""
    for i, c in enumerate(g.chains):
        dnet = c.closed[-1]
        delta = _bracket(_closed_delta(pr, network, closed, c.neuron))
        body = delta if abs(dnet) == 1 else f"{delta} {pr.tex(dnet)}"
        negative = dnet == -1
        text += ("- " if negative else "") + body if i == 0 else (" - " if negative else " + ") + body
    return text


def _narration(pr: Printers, factor: Factor, definition: Expr,
               back: Mapping[Expr, Symbol] | None = None) -> View | None:
    """How one local derivative is obtained, rule by rule, from the expression that defines it."""
    if not pr.narrate:
        return None
    key = (factor.num, factor.den, factor.expr, definition, *((back or {}).items()))
    if key not in pr.narrations:
        explanation = steps.explain(definition, factor.den, back)
        # (the same expression needs no cancel, which is most of the narration's time)
        same = explanation.result == factor.expr or cancel(explanation.result - factor.expr) == 0
        pr.narrations[key] = explanation, same, _narration_view(pr, factor, explanation)
    explanation, same, found = pr.narrations[key]
    # A one-output softmax is constant: its narrated 0 and the Jacobian out (1 - out) agree only in value.
    if not same and not _same_value(explanation.result, factor, pr):
        raise InconsistentDerivation(f"narrated {factor.num}/{factor.den}: {explanation.result} != {factor.expr}")
    return dict(found)  # a copy: the compact notes mark repeats in it (see _mark_repeats)


def _narration_view(pr: Printers, factor: Factor, explanation: steps.Explanation) -> View:
    var = pr.tex(factor.den)
    lines = [{"rule": s.rule, "outer": s.outer or "", "var": var,
              "inner": pr.tex(s.inner) if s.inner is not None else "",
              "line": pr.eq(pr.sym.doprint(Derivative(s.of, factor.den)), pr.tex(s.result))}
             for s in explanation.steps]
    identity = _sigmoid_identity(pr, factor.den) if any(s.rule == "sigmoid" for s in explanation.steps) else ""
    return {"factor": pr.partial(factor.num, factor.den), "steps": lines, "together": _together(pr, explanation),
            "rules": tuple((s.rule, s.outer or "") for s in explanation.steps), "same_as": "", "identity": identity}


_X = Symbol("x")


@functools.lru_cache(maxsize=1)
def _sigmoid_derivative() -> tuple[Expr, bool]:
    """d/dx 1 / (1 + e^-x) in a symbol of its own, and whether it is sigma (1 - sigma): an identity in x
    holds for every neuron's net (differentiating and cancelling once per neuron took most of the
    narration's time)."""
    s = 1 / (1 + exp(-_X))
    derivative = diff(s, _X)
    return derivative, cancel(derivative - s * (1 - s)) == 0


def _sigmoid_identity(pr: Printers, x: Symbol) -> str:
    """sigma' = sigma (1 - sigma) derived from sigma(x) = 1 / (1 + e^-x): the quotient's derivative,
    split into two factors, the second of which is 1 - sigma(x) since e^-x = (1 + e^-x) - 1."""
    s, e = 1 / (1 + exp(-x)), exp(-x)
    generic, holds = _sigmoid_derivative()
    derivative = generic.xreplace({_X: x})
    if not holds:
        raise InconsistentDerivation(f"the sigmoid identity at {x}: {derivative}")
    return pr.eq(pr.sym.doprint(Derivative(sigmoid(x), x)), pr.sym.doprint(Derivative(s, x)), pr.tex(derivative),
                 pr.sym.product([pr.tex(s), pr.tex(e / (1 + e))]),
                 pr.sym.product([pr.tex(s), rf"\left({pr.tex(1 - s)}\right)"]),
                 pr.tex(sigmoid(x) * (1 - sigmoid(x))))


def _together(pr: Printers, explanation: steps.Explanation) -> str:
    """The steps assembled into one product before it is simplified (1/2 * 2 * (t - o) * (-1) = out - t)."""
    rules = [s for s in explanation.steps if s.rule != "substitute"]
    if len(rules) < 2:
        return ""
    line: Expr = Derivative(explanation.expr, explanation.var)
    for s in rules:
        line = line.xreplace({Derivative(s.of, explanation.var): UnevaluatedExpr(s.result)})
    assembled = NotationPrinter(pr.notation, mul_symbol="dot").doprint(line)
    result = pr.tex(explanation.result)
    if assembled == result:
        return ""
    return pr.eq(pr.sym.doprint(Derivative(explanation.expr, explanation.var)), assembled, result)


def _same_value(expr: Expr, factor: Factor, pr: Printers) -> bool:
    return agree(evaluate(expr, pr.val.values), factor.value)


def _forward_back(layer: tuple[Neuron, ...]) -> dict[Expr, Symbol]:
    """Each activation's formula -> the out it names, for narrated slopes written in outs."""
    nets = tuple(k.net for k in layer)
    return {k.activation.forward(nets, k.position): k.out for k in layer}


def _neuron_narration(pr: Printers, b: NeuronBackward, network: Network) -> tuple[list[View], list[View]]:
    """The narrated error factors (loss or path weights) and slopes (activation or Jacobian) of a neuron."""
    layer = network.layers[b.neuron.layer]
    if b.paths:
        errors = [_narration(pr, t.weight, t.via.net_expr()) for t in b.paths]
    else:
        errors = [_narration(pr, b.error, Add(*[o.loss_expr for o in network.outputs]))]
    nets = tuple(k.net for k in layer)
    if b.slope is not None:
        slopes = [_narration(pr, b.slope, b.neuron.activation.forward(nets, b.neuron.position), _forward_back(layer))]
    else:
        slopes = [_narration(pr, t.slope, t.via.activation.forward(nets, t.via.position), _forward_back(layer))
                  for t in b.jacobian]
    return [e for e in errors if e], [s for s in slopes if s]


def _backward_neuron(pr: Printers, b: NeuronBackward, network: Network, closed: Closed, detail: bool) -> View:
    """A neuron's row of the "similarly" table and, with `detail`, its derivation worked in full."""
    row = {
        "name": _neuron(pr, b.neuron), "delta_symbol": pr.tex(b.neuron.delta),
        "error": _error_line(pr, b),
        "hidden": bool(b.paths),
        "slope": _factor_line(pr, b.slope) if b.slope is not None else "",
        "error_value": pr.num(b.error.value),
        "slope_value": pr.num(b.slope.value) if b.slope is not None else "",
        "delta_value": pr.num(pr.sign * b.delta.value),
    }
    if not detail:
        return row
    closed_delta = _closed_delta(pr, network, closed, b.neuron, pr.sign)
    errors, slopes = _neuron_narration(pr, b, network)
    return {
        **row,
        "jacobian": [_factor_line(pr, t.slope) for t in b.jacobian],
        "delta": _delta_line(pr, b),
        "closed": pr.eq(pr.tex(b.neuron.delta), closed_delta),
        "closed_note": _closed_note(network, b.neuron.layer),
        "error_steps": errors, "slope_steps": slopes,
    }


def _chain_symbols(pr: Printers, c: Chain) -> str:
    return pr.sym.product([pr.partial(f.num, f.den) for f in c.factors])


def _chain_numbers(pr: Printers, c: Chain) -> str:
    return pr.val.product([pr.val.number(f.value, True) for f in c.factors])


def _gradient(pr: Printers, network: Network, closed: Closed, g: Gradient, detail: bool) -> View:
    """A parameter's row of the "similarly" table and, with `detail`, its gradient worked in full."""
    index = network.params.index(g.param)
    delta_form = pr.tex(Add(*[pr.sign * u.neuron.delta * u.dnet for u in network.usages[index]]))
    row = {
        "name": g.param.name,
        "latex": pr.tex(g.param.symbol),
        "kind": g.param.kind,
        "trainable": g.param.trainable,
        "delta_form": delta_form,
        "delta_numbers": _delta_numbers(pr, network, index),
        "value": pr.num(g.value),
    }
    if not detail:
        return row
    lhs = pr.partial(network.e_total, g.param.symbol)
    chains = " + ".join(_chain_symbols(pr, c) for c in g.chains)
    numbers = " + ".join(_chain_numbers(pr, c) for c in g.chains)
    return {
        **row,
        "chain": pr.eq(lhs, chains),
        "locals": [_factor_line(pr, c.factors[-1]) for c in g.chains],
        "numbers": pr.eq(lhs, numbers, pr.num(g.value)),
        "closed": pr.eq(lhs, _closed_gradient(pr, network, closed, g)),
        "closed_note": _closed_note(network, g.param.layer),
        "local_steps": [n for n in (_narration(pr, c.factors[-1], c.neuron.net_expr()) for c in g.chains) if n],
        "in_delta": pr.eq(lhs, delta_form),
    }


def _delta_numbers(pr: Printers, network: Network, index: int) -> str:
    """The gradient as the error terms' numbers times d net / d p, as its row of the "similarly" table."""
    terms = []
    for u in network.usages[index]:
        delta = pr.val.number(pr.sign * pr.val.values[u.neuron.delta], True)
        dnet = evaluate(u.dnet, pr.val.values)
        body = delta if abs(dnet) == 1 else pr.val.product([delta, pr.val.number(dnet, True)])
        # a d net / d p of -1 is left out of the product, so its sign goes to the term's; any other is
        # printed in the product with its own sign
        negative = (pr.sign < 0) != (dnet < 0 and abs(dnet) == 1)
        terms.append(("-" if negative else "+", body))
    text = " ".join(f"{sign} {body}" for sign, body in terms)
    return text[2:] if text.startswith("+ ") else text


def _backward(pr: Printers, network: Network, p: Pass, closed: Closed, full: bool) -> list[View]:
    """Each layer's neurons and parameters: all worked in full (`full`), else the first of each (as the
    compact notes show them) and the others as rows of the "similarly" tables."""
    by_layer: dict[int, list[NeuronBackward]] = {}
    for b in p.backward:
        by_layer.setdefault(b.neuron.layer, []).append(b)
    views = []
    for index in range(len(network.layers) - 1, -1, -1):
        grads = [g for g in p.gradients if g.param.layer == index]
        views.append({
            "index": index + 1,
            "output": index == len(network.layers) - 1,
            "softmax": not network.layers[index][0].activation.elementwise,
            "neurons": [_backward_neuron(pr, b, network, closed, full or k == 0)
                        for k, b in enumerate(by_layer[index])],
            "params": [_gradient(pr, network, closed, g, full or k == 0) for k, g in enumerate(grads)],
        })
    return views


def _pass(network: Network, p: Pass, closed: Closed, pr: Printers, precision: int = WORKING_DIGITS,
          full: bool = True) -> View:
    return {
        "sample": p.sample.name,
        "forward": _forward(pr, network, p),
        "losses": _losses(pr, network, p, precision),
        "backward": _backward(pr, network, p, closed, full),
    }


def _update_line(pr: Printers, d: Derivation, u: Update) -> str:
    symbol = pr.tex(u.param.symbol)
    grad = pr.partial(d.network.e_total, u.param.symbol)
    count = len(d.passes)
    if count > 1:
        grad = (r"\sum_{s} " if _reduction(d) == "sum" else rf"\frac{{1}}{{{count}}} \sum_{{s}} ") + grad
    numbers = pr.val.product([pr.num(_eta(d)), pr.val.number(u.gradient, True)])
    eta = pr.tex(d.network.eta)
    return pr.eq(pr.sym.updated(u.param.symbol), rf"{symbol} - {eta} {grad}", f"{pr.num(u.old)} - {numbers}",
                 pr.num(u.new))


def _eta(d: Derivation) -> Real:
    return real(d.network.spec.training.learning_rate)


def _reduction(d: Derivation) -> str:
    return d.network.spec.training.reduction


def _updates(pr: Printers, d: Derivation) -> list[View]:
    return [{"latex": pr.tex(u.param.symbol), "trainable": u.param.trainable, "old": pr.num(u.old),
             "gradient": pr.num(u.gradient), "new": pr.num(u.new),
             "per_sample": [pr.num(p.gradients[i].value) for p in d.passes],
             "line": _update_line(pr, d, u) if u.param.trainable else ""}
            for i, u in enumerate(d.updates)]


def _label(pr: Printers, network: Network, name: str) -> str:
    """A neuron's or an input's label in the notation."""
    inputs = {x.name: x for x in network.inputs}
    return pr.tex(inputs[name]) if name in inputs else _neuron(pr, next(n for n in network.neurons if n.name == name))


def _connects(pr: Printers, network: Network) -> dict[str, str]:
    """For each weight, `source -> neuron`; for each bias, the neurons it feeds."""
    where: dict[str, str] = {}
    for param, usages in zip(network.params, network.usages):
        neurons = ", ".join(_neuron(pr, u.neuron) for u in usages)
        if param.kind == "weight":
            link = next(k for k in usages[0].neuron.links if k.weight is param)
            where[param.name] = rf"{_label(pr, network, link.source_name)} \to {neurons}"
        else:
            where[param.name] = neurons
    return where


def _params(pr: Printers, network: Network) -> list[View]:
    where = _connects(pr, network)
    return [{"latex": pr.tex(p.symbol), "kind": p.kind, "trainable": p.trainable, "layer": p.layer + 1,
             "value": pr.num(real(p.initial)), "connects": where[p.name]} for p in network.params]


def _layers(pr: Printers, network: Network) -> list[View]:
    return [{"index": i + 1, "output": i == len(network.layers) - 1, "size": len(layer),
             "neurons": ", ".join(f"${_neuron(pr, n)}$" for n in layer), "activation": layer[0].activation.name,
             "bias": spec_layer.bias.mode, "threshold": spec_layer.bias.form == "threshold",
             "bias_trainable": spec_layer.bias.trainable}
            for i, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers))]


def _samples(pr: Printers, network: Network) -> list[View]:
    return [{"name": s.name, "inputs": [pr.num(real(v)) for v in s.inputs],
             "targets": [pr.num(real(v)) for v in s.targets]} for s in network.spec.samples]


def _loss(pr: Printers, network: Network) -> View:
    outputs = network.outputs
    total = " + ".join(pr.tex(o.error) for o in outputs)
    return {"name": network.spec.loss, "binary": network.loss.name == "binary_cross_entropy",
            "total": pr.eq(pr.tex(network.e_total), total),
            "terms": [pr.eq(pr.tex(o.error), pr.tex(o.loss_expr)) for o in outputs]}


def _listing(texts: list[str]) -> str:
    """Symbols of one legend row, cut short with an ellipsis."""
    shown = texts[:LEGEND_LIMIT] + ([r"\ldots"] if len(texts) > LEGEND_LIMIT else [])
    return ", ".join(shown)


def _legend(pr: Printers, network: Network) -> list[View]:
    """One row per kind of quantity and layer: its symbols and which message says what they mean."""
    rows: list[dict[str, object]] = [
        {"symbols": _listing([pr.tex(x) for x in network.inputs]), "key": "means_input", "layer": None}]
    last = len(network.layers) - 1
    for i, layer in enumerate(network.layers):
        where = {"key": "of_output" if i == last else "of_hidden", "index": i + 1}
        weights = [link.weight.symbol for n in layer for link in n.links]
        biases = list(dict.fromkeys(n.bias.symbol for n in layer if n.bias is not None))
        threshold = any(n.bias_sign < 0 for n in layer)
        rows += [{"symbols": _listing([pr.tex(n.net) for n in layer]), "key": "means_net", "layer": where},
                 {"symbols": _listing([pr.tex(n.out) for n in layer]), "key": "means_out", "layer": where},
                 {"symbols": _listing([pr.tex(w) for w in weights]), "key": "means_weight", "layer": where}]
        if biases:
            rows.append({"symbols": _listing([pr.tex(b) for b in biases]),
                         "key": "means_threshold" if threshold else "means_bias", "layer": where})
        rows.append({"symbols": _listing([pr.tex(n.delta) for n in layer]),
                     "key": "means_delta" if pr.sign > 0 else "means_delta_negative", "layer": where})
    rows += [{"symbols": _listing([pr.tex(o.target) for o in network.outputs]), "key": "means_target", "layer": None},
             {"symbols": _listing([pr.tex(o.error) for o in network.outputs]), "key": "means_error", "layer": None},
             {"symbols": pr.tex(network.e_total), "key": "means_total", "layer": None},
             {"symbols": pr.tex(network.eta), "key": "means_eta", "layer": None}]
    return rows


def _generic(pr: Printers, kind: str) -> str:
    """The generic symbols of a kind across layers, once each: net; alpha_h, beta_j; z^[1], z^[2]."""
    glyphs = pr.notation.generic[kind] if pr.notation else ()
    return ", ".join(dict.fromkeys(latex(g) for g in glyphs))


def _model(pr: Printers, network: Network) -> View:
    biased = [n for n in network.neurons if n.bias is not None]
    return {"net": f"${_generic(pr, 'net')}$", "out": f"${_generic(pr, 'out')}$",
            "threshold": bool(biased) and all(n.bias_sign < 0 for n in biased)}


def per_weight(network: Network, notation: Notation) -> bool:
    """Whether the notes derive each parameter's chain (the matrix notation of a big network does not)."""
    return notation.profile != "matrix" or len(network.params) <= PER_WEIGHT_LIMIT


def _title(spec: Spec, network: Network, lang: str) -> str:
    """The spec's title; a spec with neither a title nor a usable name is called by its shape."""
    title = spec.title_in(lang)
    if title == spec.name == UNNAMED:
        return messages.catalogue(lang)("untitled", sizes="-".join(str(k) for k in network.sizes()))
    return title


def view(d: Derivation, request: NotesRequest, figures: View | None = None, width: float = LINE) -> View:
    """Every string the walkthrough templates place, displays broken to `width` (see printers.LINE)."""
    network = d.network
    spec = network.spec
    notation = notation_for(network, request.notation)
    digits, lang = request.digits, request.lang
    pr = Printers(None, digits, notation, width=width)
    precision = d.before.digits if d.before is not None else WORKING_DIGITS  # the passes' working digits
    narrations: Narrations = {}
    passes = [_pass(network, p, d.closed, Printers(p, digits, notation, request.narrate, width, narrations), precision,
                    request.full) for p in d.passes]
    _mark_repeats(passes, request.full)
    return {
        "name": spec.name, "named": spec.name != UNNAMED, "title": _title(spec, network, lang),
        "digits": digits, "profile": notation.profile,
        "sizes": "-".join(str(k) for k in network.sizes()),
        "inputs": ", ".join(f"${pr.tex(x)}$" for x in network.inputs),
        "input_latex": [pr.tex(x) for x in network.inputs],
        "target_latex": [pr.tex(o.target) for o in network.outputs], "legend": _legend(pr, network),
        "model": _model(pr, network),
        "layers": _layers(pr, network), "loss": _loss(pr, network), "params": _params(pr, network),
        "samples": _samples(pr, network), "eta": pr.num(_eta(d)), "eta_symbol": pr.tex(network.eta),
        "update": spec.training.update, "reduction": spec.training.reduction,
        "init": _init(spec), "e_total": pr.tex(network.e_total),
        "update_rule": rf"p^{{+}} = p - {pr.tex(network.eta)} \, \partial {pr.tex(network.e_total)} / \partial p",
        "passes": passes,
        "updates": _updates(pr, d), "frozen": any(not p.trainable for p in network.params),
        "error_before": _history_error(pr, d.before) if d.before else pr.num(d.error_before),
        "error_after": _history_error(pr, d.after) if d.after else pr.num(d.error_after),
        # the table keeps the spec's steps; a derivation may hold more points for the loss curve
        "precision_note": _precision_note(d, messages.catalogue(lang)),
        "history": [{"step": h.step, "error": _history_error(pr, h)} for h in d.history
                    if h.step in spec.training.steps],
        "sign": notation.delta_sign, "figures": figures, "param_count": len(network.params),
        "full": request.full,
        "general": general.rules(network, notation, width) if general.applies(network, notation) else [],
        "remark": remarks.classic_article(d, digits),
        "per_weight": per_weight(network, notation),
        "textbook": notation_sections.textbook_rules(d, notation, digits),
        "matrix": notation_sections.matrix_section(d, notation, digits),
        "optimizer": optimizer_section.optimizer_section(d, notation, digits, request.narrate, request.full),
    }


def _shown_narrations(passes: list[View], full: bool) -> list[View]:
    """The narrations the compact notes show, in the order they are printed."""
    found = []
    for p in passes:
        for layer in p["backward"]:
            for n in layer["neurons"] if full else layer["neurons"][:1]:
                found += n.get("error_steps", []) + n.get("slope_steps", [])  # none in a table's row
            for g in layer["params"] if full else layer["params"][:1]:
                found += g.get("local_steps", [])
    return found


def _mark_repeats(passes: list[View], full: bool) -> None:
    """In the compact notes, a narration that repeats an earlier one rule for rule refers to it instead.
    The full notes derive the sigmoid identity once, where it is first used; the compact ones state it."""
    shown = [n for n in _shown_narrations(passes, True) if n["identity"]]
    for n in shown[1:] if full else shown:
        n["identity"] = ""
    if full:
        return
    first: dict[tuple[tuple[str, str], ...], str] = {}
    for n in _shown_narrations(passes, full):
        earlier = first.setdefault(n["rules"], n["factor"])
        if earlier != n["factor"]:
            n["same_as"] = earlier


def _history_error(pr: Printers, h: HistoryPoint) -> str:
    """An error of the iterations table: its value, or "< bound" when no working precision resolved it."""
    return pr.num(h.error) if h.resolved else f"< {pr.num(h.error)}"


def _precision_note(d: Derivation, t: messages.Catalogue) -> str:
    """Which errors needed more than the working precision, and which only have a bound."""
    steps = {0, *d.network.spec.training.steps}
    shown = list({h.step: h for h in (d.before, d.after, *d.history) if h is not None and h.step in steps}.values())
    raised = [h for h in shown if h.digits > WORKING_DIGITS]
    if not raised:
        return ""
    note = t("precision_raised", steps=", ".join(str(h.step) for h in raised), digits=max(h.digits for h in raised),
             working=WORKING_DIGITS)
    if any(not h.resolved for h in shown):
        note += " " + t("precision_bound", digits=max(h.digits for h in raised))
    return note


def _init(spec: Any) -> View | None:
    if spec.init is None:
        return None
    i = spec.init
    return {"kind": i.kind, "seed": i.seed, "mean": str(i.mean), "std": str(i.std),
            "low": str(i.low), "high": str(i.high)}


@dataclass(frozen=True)
class FigureSet:
    """The figures of one walkthrough, as models in one notation; each format prints them its own way."""

    network: Figure
    paths: Mapping[str, Figure]  # hidden-layer weight name -> its backward paths
    loss: Curve
    notation: Notation

    def printed(self, figure: Callable[[Figure], str], curve: Callable[[Curve], str]) -> dict[str, str]:
        """Each figure by its key (network, paths-<weight>, loss), printed by one target's printers."""
        found = {self.network.key: figure(self.network)}
        found.update({f.key: figure(f) for f in self.paths.values()})
        found["loss"] = curve(self.loss)
        return found


def figure_views(fs: FigureSet, fmt: str, request: NotesRequest, pictures: Mapping[str, str] | None = None) -> View:
    """Caption and, per format, the SVG file's path (Markdown) or the TikZ picture (LaTeX) of each figure."""
    t = messages.catalogue(request.lang)
    pr = NotationPrinter(fs.notation)

    def one(key: str, caption: str) -> View:
        if fmt == "tex":
            return {"caption": caption, "tikz": (pictures or {})[key]}
        return {"caption": caption, "path": f"{FIGURE_DIR}/{key}.svg"}

    paths = {name: one(f.key, t("figure_paths", param=f"${pr.name(name)}$")) for name, f in fs.paths.items()}
    network = t("figure_network" if fs.network.values else "figure_network_names")
    return {"network": one(fs.network.key, network), "paths": paths,
            "loss": one("loss", t("figure_loss" if fs.loss.y.log else "figure_loss_linear"))}


def render(d: Derivation, fmt: str, request: NotesRequest | None = None, figures: View | None = None) -> str:
    """The walkthrough of `d` in format `fmt` (md or tex), with the options of `request` (the defaults).

    `figures` (see `figure_views`) places the figures, which are left out without it.
    """
    request = request if request is not None else NotesRequest()
    env = templating.tex_environment() if fmt == "tex" else templating.environment()
    env.globals["t"] = messages.catalogue(request.lang)
    env.globals["lang"] = request.lang
    context = view(d, request, figures, WIDTHS[fmt])
    if fmt == "tex":
        context["title"] = tex_verbatim(context["title"])
    return env.get_template(FORMATS[fmt]).render(context)


# TeX turns -- and --- into dashes, ,, into a low quote and ' into a curly quote (font ligatures and
# XeTeX's TeX mapping): a kern between two such characters, and a straight quote's own command, keep
# the title as written.
_LIGATURES = "-,"


def tex_verbatim(text: str) -> str:
    """A title's text for LaTeX, typeset character for character (the title rule admits no TeX specials),
    an equation in it kept on one line: a space beside "=" is a tie (l = 2 is never broken at l)."""
    out = []
    for before, c, after in zip(" " + text, text, text[1:] + " "):
        tie = c == " " and "=" in (before, after)
        out.append(r"\textquotesingle{}" if c == "'" else "~" if tie else c)
        if c in _LIGATURES and after == c:
            out.append(r"\kern0pt{}")
    return "".join(out)


def code_names(d: Derivation, request: NotesRequest, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The generated code's names beside the walkthrough's symbols, for a notation whose symbols differ
    from the spec's names: (code name, LaTeX) of every parameter, its gradient and the total error;
    the code names are the spec's, or the notation's identifiers in `names` (see `code_identifiers`)."""
    notation = notation_for(d.network, request.notation)
    if notation.profile == "classic":
        return []
    pr = Printers(None, request.digits, notation)
    network = d.network
    nm = (names or {}).get
    rows = [(nm(p.name, p.name), pr.tex(p.symbol)) for p in network.params]
    rows += [(f"dE_d{nm(p.name, p.name)}", pr.partial(network.e_total, p.symbol)) for p in network.params]
    rows.append((nm(network.e_total.name, network.e_total.name), pr.tex(network.e_total)))
    return rows


# Names the generated module defines or uses itself: no quantity may be renamed to one of them.
_MODULE_NAMES = frozenset({
    "np", "X", "Y", "params", "values", "outs", "lse", "grads", "updated", "state", "name", "number",
    "sigmoid", "softmax", "logsumexp", "relu", "forward", "loss", "gradients", "step", "train", "batch",
    "initial_params", "initial_state", "sample_errors", "report", "trained", "array", "index",
})


def code_identifier(glyph: Glyph) -> str:
    """A notation's glyph as a Python name: W^{[1]}_{11} -> W1_11, a^{[2]}_{1} -> a2_1, b^{[1]} -> b1,
    alpha_1 -> alpha1, y-hat_1 -> yhat1, E -> E."""
    layer = "".join(c for c in glyph.sup if c.isalnum())
    base = glyph.base + ("hat" if glyph.hat else "")
    return f"{base}{layer}_{glyph.sub}" if layer and glyph.sub else f"{base}{layer}{glyph.sub}"


def code_identifiers(d: Derivation, request: NotesRequest) -> dict[str, str]:
    """Each quantity's name in the code of a notebook in a notation other than classic (spec name ->
    the notation's identifier), so that the code reads as its walkthrough; empty for the classic
    notation, or when the identifiers would not be distinct plain Python names."""
    notation = notation_for(d.network, request.notation)
    if notation.profile == "classic":
        return {}
    network = d.network
    symbols = ([p.symbol for p in network.params] + list(network.inputs)
               + [s for n in network.neurons for s in (n.net, n.out)]
               + [o.target for o in network.outputs] + [o.error for o in network.outputs] + [network.e_total])
    found = {s.name: code_identifier(notation.glyph(s.name)) for s in symbols}
    names = list(found.values())
    if len(set(names)) != len(names) or any(
            not (n.isascii() and n.isidentifier()) or keyword.iskeyword(n) or n in _MODULE_NAMES
            or n.startswith(("cse_", "dE_d")) for n in names):
        return {}
    return found
