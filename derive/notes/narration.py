"""How each local derivative is obtained: the steps of `derive.maths.steps` printed rule by rule, the
sigmoid identity derived, and the steps assembled into one product before it is simplified."""

from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from sympy import Add, Derivative, Expr, Symbol, UnevaluatedExpr, cancel, exp

from derive.maths import steps
from derive.maths.derivation import Factor, InconsistentDerivation, NeuronBackward, agree
from derive.maths.numeric import evaluate
from derive.model.network import Network, Neuron
from derive.model.rules import sigmoid
from derive.notes.printers import NotationPrinter, Printers

View = dict[str, Any]


def narration(pr: Printers, factor: Factor, definition: Expr, back: Mapping[Expr, Symbol] | None = None) -> View | None:
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
    sigmoid = pr.identity and any(s.rule == "sigmoid" for s in explanation.steps)
    identity = _sigmoid_identity(pr, factor.den) if sigmoid else ""
    return {"factor": pr.partial(factor.num, factor.den), "steps": lines, "together": _together(pr, explanation),
            "rules": tuple((s.rule, s.outer or "") for s in explanation.steps), "same_as": "", "identity": identity}


def sigmoid_derivative(x: Symbol) -> Expr:
    """d/dx 1 / (1 + e^-x) by the quotient rule, e^-x / (1 + e^-x)^2, as SymPy's diff writes it (written
    here rather than derived: differentiating and cancelling took most of the narration's time; the
    tests hold it to diff, and to sigma (1 - sigma))."""
    e = exp(-x)
    return e / (1 + e) ** 2


def _sigmoid_identity(pr: Printers, x: Symbol) -> str:
    """sigma' = sigma (1 - sigma) derived from sigma(x) = 1 / (1 + e^-x): the quotient's derivative,
    split into two factors, the second of which is 1 - sigma(x) since e^-x = (1 + e^-x) - 1."""
    s, e = 1 / (1 + exp(-x)), exp(-x)
    return pr.eq(pr.sym.doprint(Derivative(sigmoid(x), x)), pr.sym.doprint(Derivative(s, x)),
                 pr.tex(sigmoid_derivative(x)), pr.sym.product([pr.tex(s), pr.tex(e / (1 + e))]),
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
    if isinstance(line, UnevaluatedExpr):  # a factor stands apart (bracketed) only inside a product
        line = line.args[0]
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


def neuron_narration(pr: Printers, b: NeuronBackward, network: Network) -> tuple[list[View], list[View]]:
    """The narrated error factors (loss or path weights) and slopes (activation or Jacobian) of a neuron."""
    layer = network.layers[b.neuron.layer]
    if b.paths:
        errors = [narration(pr, t.weight, t.via.net_expr()) for t in b.paths]
    else:
        errors = [narration(pr, b.error, Add(*[o.loss_expr for o in network.outputs]))]
    nets = tuple(k.net for k in layer)
    if b.slope is not None:
        slopes = [narration(pr, b.slope, b.neuron.activation.forward(nets, b.neuron.position), _forward_back(layer))]
    else:
        slopes = [narration(pr, t.slope, t.via.activation.forward(nets, t.via.position), _forward_back(layer))
                  for t in b.jacobian]
    return [e for e in errors if e], [s for s in slopes if s]

