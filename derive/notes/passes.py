"""One sample's pass written out: the forward pass, the error, and the backward pass layer by layer
(each neuron's error, slope and error term, the closed forms, each parameter's chain and gradient)."""

from __future__ import annotations

from typing import Any

from sympy import Add, Expr

from derive.maths.derivation import Chain, Closed, Gradient, NeuronBackward, Pass
from derive.maths.numeric import evaluate, term_bound
from derive.model.network import Network, Neuron
from derive.model.precision import WORKING_DIGITS, Real, real
from derive.notes import general
from derive.notes.graph import factor_kind
from derive.notes.narration import narration, neuron_narration
from derive.notes.notation import latex
from derive.notes.printers import Printers

View = dict[str, Any]


def _forward_neuron(pr: Printers, n: Neuron, layer: tuple[Neuron, ...], net: Real, out: Real) -> View:
    net_line = pr.eq(pr.tex(n.net), pr.sym.weighted_sum(n), pr.val.weighted_sum(n), pr.num(net))
    applied = n.activation.forward(tuple(k.net for k in layer), n.position)
    parts = [pr.tex(n.out), pr.tex(applied)]
    if n.activation.explicit is not None:
        parts.append(pr.tex(n.activation.explicit(n.net)))
        applied = n.activation.explicit(n.net)
    parts += [pr.subst(applied), pr.num(out)]
    return {"name": neuron_label(pr, n), "net": net_line, "out": pr.eq(*parts)}


def neuron_label(pr: Printers, n: Neuron) -> str:
    """A neuron's label in prose, in the notation (h_{1}; b_{1} in the textbook's)."""
    return latex(pr.notation.neuron(n)) if pr.notation else n.name


def _forward(pr: Printers, network: Network, p: Pass) -> list[View]:
    by_name = {s.neuron.name: s for s in p.forward}
    return [{"index": i + 1, "output": i == len(network.layers) - 1,
             "sentence": "forward_neuron" if layer[0].activation.elementwise else "forward_neuron_softmax",
             "neurons": [_forward_neuron(pr, n, layer, by_name[n.name].net, by_name[n.name].out) for n in layer]}
            for i, layer in enumerate(network.layers)]


def _losses(pr: Printers, network: Network, p: Pass, precision: int = WORKING_DIGITS) -> View:
    """Each output's error and their sum; a term within the rounding noise of `precision` digits is
    written as its bound ("< 10^-760"), and the sum then as the sum of the bounds and the other terms."""
    bounds = [term_bound(network, p.values[o.target], p.values[o.neuron.out], precision) for o in network.outputs]
    if len(network.outputs) == 1:  # the total is the one output's error: one line, E_total = E_o1 = ...
        (o,), (t,), (b,) = network.outputs, p.losses, bounds
        lhs = f"{pr.tex(network.e_total)} = {pr.tex(o.error)}"
        return {"lines": [_bounded_eq(pr, [lhs, pr.tex(t.expr), pr.subst(t.expr)], t.value, b)], "total": ""}
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
        reduced = reduced_delta(network, n)
        return pr.sym.ordered_product((sign * (reduced if reduced is not None else factors[0]), *factors[1:]))
    if n.layer == stop:
        return ("- " if sign < 0 else "") + pr.tex(n.delta)
    after = network.layers[n.layer + 1]
    terms = " + ".join(
        f"{_bracket(_closed_delta(pr, network, closed, k, sign, stop))} {pr.tex(k.links[n.position].weight.symbol)}"
        for k in after)
    rest = pr.sym.ordered_product(factors[1:])
    return rf"\left({terms}\right) {rest}" if len(after) > 1 else f"{terms} {rest}"


def reduced_delta(network: Network, n: Neuron) -> Expr | None:
    """A softmax output's delta under cross-entropy, out - target, where every sample's targets add up to 1
    (in general it is out times the targets' sum, minus the target); None for any other neuron."""
    if n.activation.elementwise or n.layer != len(network.layers) - 1 or not general.distributions(network):
        return None
    if network.loss.name != "cross_entropy":
        return None
    return n.out - network.outputs[n.position].target


def _softmax_closed(pr: Printers, network: Network, closed: Closed, n: Neuron) -> str:
    """The worked softmax neuron's closed form reduced step by step: as derived, the targets' sum taken
    out, then out - target, since that sum is 1."""
    general_form = closed.delta_factors[n.delta][0]
    target = network.outputs[n.position].target
    targets = Add(*[o.target for o in network.outputs])
    summed = pr.sym.ordered_product([n.out, targets]) + f" - {pr.tex(target)}"
    signed = (lambda t: rf"-\left({t}\right)") if pr.sign < 0 else (lambda t: t)
    return pr.eq(pr.tex(n.delta), signed(pr.tex(general_form)), signed(summed), signed(pr.tex(n.out - target)))


def _softmax_note(pr: Printers, network: Network) -> dict[str, Any]:
    """The message of the reduced softmax closed form: where the targets' sum of 1 is used."""
    targets = " + ".join(pr.tex(o.target) for o in network.outputs)
    return {"key": "closed_softmax", "index": "", "terms": "", "sum": f"${targets} = 1$"}


def _closed_note(network: Network, layer: int) -> dict[str, Any]:
    """The message introducing the closed forms of `layer`: in full, or through a later layer's deltas."""
    stop = closed_stop(network, layer)
    if stop == len(network.layers) - 1:
        return {"key": "closed", "index": "", "terms": "", "sum": ""}
    return {"key": "closed_through", "index": stop + 1, "terms": f"{path_count(network, layer):,}", "sum": ""}


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




def _backward_neuron(pr: Printers, b: NeuronBackward, network: Network, closed: Closed, detail: bool) -> View:
    """A neuron's row of the "similarly" table and, with `detail`, its derivation worked in full."""
    row = {
        "name": neuron_label(pr, b.neuron), "delta_symbol": pr.tex(b.neuron.delta),
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
    errors, slopes = neuron_narration(pr, b, network)
    return {
        **row,
        # the backward paths of its first weight: the figure of the sum its error is
        "paths": b.neuron.links[0].weight.name if b.paths and b.neuron.links else "",
        "jacobian": [_factor_line(pr, t.slope) for t in b.jacobian],
        "delta": _delta_line(pr, b),
        "closed": (_softmax_closed(pr, network, closed, b.neuron) if reduced_delta(network, b.neuron) is not None
                   else pr.eq(pr.tex(b.neuron.delta), closed_delta)),
        "closed_note": (_softmax_note(pr, network) if reduced_delta(network, b.neuron) is not None
                        else _closed_note(network, b.neuron.layer)),
        "error_steps": errors, "slope_steps": slopes,
    }


def _chain_symbols(pr: Printers, c: Chain) -> str:
    return pr.sym.product([pr.partial(f.num, f.den) for f in c.factors])


def _chain_numbers(pr: Printers, c: Chain) -> str:
    return pr.val.product([pr.val.number(f.value, True) for f in c.factors])


def _coloured_chain(pr: Printers, c: Chain) -> tuple[str, str]:
    """The chain and its numbers with each factor in its kind's colour, as the computational graph has it."""
    kinds = [factor_kind(f.num.name, f.den.name, c.neuron) for f in c.factors]
    symbols = pr.sym.product([pr.coloured(k, pr.partial(f.num, f.den)) for k, f in zip(kinds, c.factors)])
    numbers = pr.val.product([pr.coloured(k, pr.val.number(f.value, True)) for k, f in zip(kinds, c.factors)])
    return symbols, numbers


def _gradient(pr: Printers, network: Network, closed: Closed, g: Gradient, detail: bool,
              coloured: bool = False) -> View:
    """A parameter's row of the "similarly" table and, with `detail`, its gradient worked in full (its chain
    in the colours of the computational graph where `coloured`)."""
    index = network.params.index(g.param)
    delta_form = pr.tex(Add(*[pr.sign * u.neuron.delta * u.dnet for u in network.usages[index]]))
    row = {
        "name": g.param.name,
        "first": g.param.kind == "weight" and any(n.links and n.links[0].weight is g.param for n in network.neurons),
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
    if coloured and len(g.chains) == 1:
        chains, numbers = _coloured_chain(pr, g.chains[0])
    else:
        chains = " + ".join(_chain_symbols(pr, c) for c in g.chains)
        numbers = " + ".join(_chain_numbers(pr, c) for c in g.chains)
    return {
        **row,
        "chain": pr.eq(lhs, chains),
        "locals": [_factor_line(pr, c.factors[-1]) for c in g.chains],
        "numbers": pr.eq(lhs, numbers, pr.num(g.value)),
        "closed": pr.eq(lhs, _closed_gradient(pr, network, closed, g)),
        "closed_note": _closed_note(network, g.param.layer),
        "local_steps": [n for n in (narration(pr, c.factors[-1], c.neuron.net_expr()) for c in g.chains) if n],
        "in_delta": pr.eq(lhs, delta_form),
    }


def _delta_numbers(pr: Printers, network: Network, index: int) -> str:
    """The gradient as the error terms' numbers times d net / d p, as its row of the "similarly" table."""
    terms = []
    usages = network.usages[index]
    for u in usages:
        dnet = evaluate(u.dnet, pr.val.values)
        # a number alone needs no bracket: delta_o1 = -0.504, a bias's lone error term
        alone = len(usages) == 1 and abs(dnet) == 1 and (pr.sign > 0) == (dnet > 0)
        delta = pr.val.number(pr.sign * pr.val.values[u.neuron.delta], not alone)
        body = delta if abs(dnet) == 1 else pr.val.product([delta, pr.val.number(dnet, True)])
        # a d net / d p of -1 is left out of the product, so its sign goes to the term's; any other is
        # printed in the product with its own sign
        negative = (pr.sign < 0) != (dnet < 0 and abs(dnet) == 1)
        terms.append(("-" if negative else "+", body))
    text = " ".join(f"{sign} {body}" for sign, body in terms)
    return text[2:] if text.startswith("+ ") else text


def _backward(pr: Printers, network: Network, p: Pass, closed: Closed, worked: str, full: bool) -> list[View]:
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
            "params": [_gradient(pr, network, closed, g, full or k == 0, g.param.name == worked)
                       for k, g in enumerate(grads)],
        })
    return views


def pass_view(network: Network, p: Pass, closed: Closed, pr: Printers, precision: int = WORKING_DIGITS,
              worked: str = "", full: bool = True) -> View:
    """One sample's pass; the chain of parameter `worked` in the colours of the computational graph."""
    return {
        "sample": p.sample.name,
        "forward": _forward(pr, network, p),
        "losses": _losses(pr, network, p, precision),
        "backward": _backward(pr, network, p, closed, worked, full),
    }

