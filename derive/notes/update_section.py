"""The update of plain gradient descent: the gradient it moves by (a batch's: the sum or mean of its samples'
gradients, named E_batch's), the first parameter of each layer moved in numbers, and the other samples of a
batch in tables (their passes take the steps derived for the first, with their own numbers).
"""

from __future__ import annotations

from typing import Any
from collections.abc import Sequence

from sympy import Symbol

from derive.maths.derivation import Derivation, Update
from derive.model import identifiers
from derive.model.network import Network
from derive.model.precision import Real, real
from derive.notes.notation import Notation
from derive.notes.printers import NotationPrinter, ValuePrinter, column

View = dict[str, Any]


def is_batch(d: Derivation) -> bool:
    """Whether the first update learns from several samples at once (its gradient is the batch's)."""
    return len(d.passes) > 1


def _mean(d: Derivation) -> bool:
    return d.network.spec.training.reduction == "mean"


def objective(d: Derivation) -> Symbol:
    """What the update descends: one sample's E_total, or the batch's E_batch."""
    return Symbol(identifiers.E_BATCH) if is_batch(d) else d.network.e_total


def _over(d: Derivation) -> str:
    """The samples' sum of a batch, averaged for a mean: \\sum_{s} or \\frac{1}{N} \\sum_{s}."""
    return rf"\frac{{1}}{{{len(d.passes)}}} \sum_{{s}} " if _mean(d) else r"\sum_{s} "


def rule(d: Derivation, notation: Notation) -> str:
    """p^+ = p - eta dE/dp, with the error the update descends."""
    pr = NotationPrinter(notation)
    return rf"p^{{+}} = p - {pr.doprint(d.network.eta)} {pr.partial(objective(d), Symbol('p'))}"


def batch_view(d: Derivation, notation: Notation, width: float) -> View | None:
    """E_batch defined from the samples' errors, and its gradient by the sum rule; None for one sample."""
    if not is_batch(d):
        return None
    pr = NotationPrinter(notation, width=width)
    total, batch = pr.doprint(d.network.e_total), pr.doprint(Symbol(identifiers.E_BATCH))
    return {"symbol": batch, "count": len(d.passes), "mean": _mean(d),
            "column": rf"\frac{{\partial {batch}}}{{\partial p}}",
            "definition": pr.equation(batch, f"{_over(d)}{total}"),
            "gradient": pr.equation(rf"\frac{{\partial {batch}}}{{\partial p}}",
                                    rf"{_over(d)}\frac{{\partial {total}}}{{\partial p}}")}


def _first_of_layers(network: Network) -> list[int]:
    """The index of the first trainable parameter of each layer, output layer first (as derived)."""
    firsts: dict[int, int] = {}
    for i, p in enumerate(network.params):
        if p.trainable:
            firsts.setdefault(p.layer, i)
    return [firsts[layer] for layer in sorted(firsts, reverse=True)]


def worked(d: Derivation, notation: Notation, digits: int, width: float) -> list[View]:
    """The first parameter of each layer moved in numbers: its batch gradient added up (several samples),
    then p^+ = p - eta dE/dp = old - eta x gradient = new."""
    network = d.network
    pr = NotationPrinter(notation, width=width)
    values: dict[Symbol, Real] = {network.eta: real(network.spec.training.learning_rate)}
    found = []
    for index in _first_of_layers(network):
        u = d.updates[index]
        values[u.param.symbol] = u.old
        val = ValuePrinter(values, digits, width)
        grad = pr.partial(objective(d), u.param.symbol)
        lines = [_batch_line(d, pr, val, index, grad)] if is_batch(d) else []
        step = val.product([val.number(values[network.eta]), val.number(u.gradient, True)])
        lines.append(pr.equation(pr.updated(u.param.symbol),
                                 f"{pr.doprint(u.param.symbol)} - {pr.doprint(network.eta)} {grad}",
                                 f"{val.number(u.old)} - {step}", val.number(u.new)))
        found.append({"latex": pr.doprint(u.param.symbol), "lines": lines})
    return found


def _batch_line(d: Derivation, pr: NotationPrinter, val: ValuePrinter, index: int, grad: str) -> str:
    """dE_batch/dp = the samples' gradients added (and averaged) = the batch's gradient."""
    per_sample = " + ".join(val.number(p.gradients[index].value, True) for p in d.passes)
    numbers = (rf"\frac{{1}}{{{len(d.passes)}}} \left({per_sample}\right)" if _mean(d) else per_sample)
    total = pr.doprint(d.network.e_total)
    symbol = pr.doprint(d.updates[index].param.symbol)
    return pr.equation(grad, rf"{_over(d)}\frac{{\partial {total}}}{{\partial {symbol}}}",
                       numbers, val.number(d.updates[index].gradient))


def update_rows(d: Derivation, notation: Notation, digits: int) -> list[View]:
    """Every parameter's row of the update table (before, gradient, after), and of the batch's gradient
    (each sample's gradient and their sum or mean); each column's numbers in one format."""
    pr = NotationPrinter(notation)
    ups: Sequence[Update] = d.updates
    old, grad, new = (column([getattr(u, k) for u in ups], digits) for k in ("old", "gradient", "new"))
    samples = [column([p.gradients[i].value for i in range(len(ups))], digits) for p in d.passes]
    return [{"latex": pr.doprint(u.param.symbol), "trainable": u.param.trainable, "old": old[i],
             "gradient": grad[i], "new": new[i], "per_sample": [s[i] for s in samples]}
            for i, u in enumerate(ups)]


def samples_view(d: Derivation, notation: Notation, digits: int) -> View | None:
    """The numbers of every sample of a batch, a column each: every net and out, the error, and every
    error term (as the notation signs it); None for one sample."""
    if not is_batch(d):
        return None
    network = d.network
    pr = NotationPrinter(notation)
    forward = [(pr.doprint(s), column([p.values[s] for p in d.passes], digits))
               for n in network.neurons for s in (n.net, n.out)]
    forward.append((pr.doprint(network.e_total), column([p.total for p in d.passes], digits)))
    deltas = []
    for b in d.first.backward:
        values = [next(x for x in p.backward if x.neuron is b.neuron).delta.value * notation.delta_sign
                  for p in d.passes]
        deltas.append((pr.doprint(b.neuron.delta), column(values, digits)))
    return {"names": [p.sample.name for p in d.passes], "rest": ", ".join(p.sample.name for p in d.passes[1:]),
            "forward": [{"symbol": s, "values": v} for s, v in forward],
            "deltas": [{"symbol": s, "values": v} for s, v in deltas]}
