"""The notes' sections on a recurrent (Elman) layer: the sequence, the unrolled forward pass step by step,
backpropagation through time (each step's error from the outputs and from the step after it), the shared
matrices' gradients as sums over the steps, and the products of recurrent Jacobians that make gradients
vanish or explode, with the numbers (`derive.maths.recurrence`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sympy import Symbol

from derive.maths import recurrence
from derive.maths.derivation import Derivation, Pass
from derive.model.network import Network
from derive.model.precision import real, show
from derive.model.wiring import DensePlan, RecurrentPlan
from derive.notes.layer_blocks import (Blocks, delta_form, dense_backward, dense_forward, gradient_rows, inline,
                                       layer_name, matrix_of, neuron_backward, neuron_tex, pmatrix, symbol_matrix)
from derive.notes.notation import Glyph, latex
from derive.notes.request import NotesRequest
from derive.notes.walkthrough import Printers

# Units times steps up to which every state is worked in full (beyond: the first and last steps, and a table).
IN_FULL = 12
# An activation applied to a generic net, as the printers print each function.
APPLIED = {"tanh": r"\tanh\left(%s\right)", "sigmoid": r"\sigma\left(%s\right)",
           "relu": r"\operatorname{relu}\left(%s\right)", "identity": "%s"}
# The longer sequence the notes imagine when they say how far a factor of the Jacobians' size goes.
LONGER = 20


def _plan(network: Network) -> RecurrentPlan:
    plan = network.graph.plans[0]
    assert isinstance(plan, RecurrentPlan)
    return plan


def _glyph(pr: Printers, name: str) -> Glyph:
    return pr.notation.glyph(name) if pr.notation else Glyph(name)


def _at(pr: Printers, name: str, sub: str | None, time: str) -> str:
    """A step's glyph of `name` with its place in letters: net^{<t>}_{j}; `sub` None keeps its own."""
    g = _glyph(pr, name)
    sup = g.sup.replace(g.sup[g.sup.find(r"\langle"):], rf"\langle {time}\rangle") if r"\langle" in g.sup else g.sup
    return latex(replace(g, sub=g.sub if sub is None else sub, sup=sup))


def _vector(pr: Printers, name: str, time: str) -> str:
    """The layer's whole vector at a step: \\mathbf{out}^{<t>} (classic), \\mathbf{b}^{<t>} (textbook)."""
    g = _glyph(pr, name)
    sup = g.sup.replace(g.sup[g.sup.find(r"\langle"):], rf"\langle {time}\rangle") if r"\langle" in g.sup else g.sup
    head = rf"\mathbf{{{g.base}}}" if g.word or len(g.base) == 1 else rf"\boldsymbol{{\{g.base}}}"
    return head + (f"^{{{sup}}}" if sup else "")


def _weight(pr: Printers, plan: RecurrentPlan, recurrent: bool) -> str:
    """A generic entry of W_x (unit j, input k) or W_h (unit j, unit m before), in the notation's order."""
    p = plan.recurrent_weights[0][0] if recurrent else plan.input_weights[0][0]
    g = _glyph(pr, p.name)
    other = "m" if recurrent else "k"
    profile = pr.notation.profile if pr.notation else "classic"
    if profile == "textbook":
        return latex(replace(g, sub=f"{other}j"))
    if profile == "matrix":
        return latex(replace(g, sub=("h," if recurrent else "x,") + f"j{other}"))
    return latex(replace(g, sub=f"j{other}"))


def matrix_name(pr: Printers, plan: RecurrentPlan, recurrent: bool) -> str:
    """W_x or W_h in the notation: the textbook's V and U (of v_ih, u_h'h), the matrix notation's W^[l]_x."""
    profile = pr.notation.profile if pr.notation else "classic"
    if profile == "textbook":
        return r"\mathbf{U}" if recurrent else r"\mathbf{V}"
    if profile == "matrix":
        return rf"W^{{[{plan.index + 1}]}}_{{{'h' if recurrent else 'x'}}}"
    return rf"\mathrm{{W}}_{{{'h' if recurrent else 'x'}}}"


def matrix_names(pr: Printers, plan: RecurrentPlan) -> dict[str, str]:
    """The placeholders @wx and @wh of the sentences: the two matrices' names, as inline maths."""
    return {"wx": inline(matrix_name(pr, plan, False)), "wh": inline(matrix_name(pr, plan, True))}


def initial(b: Blocks, pr: Printers, network: Network, plan: RecurrentPlan) -> None:
    b.say("rnn_matrices", layer=layer_name(b, network, plan), **matrix_names(pr, plan))
    for recurrent, rows in ((False, plan.input_weights), (True, plan.recurrent_weights)):
        b.math(pr.eq(matrix_name(pr, plan, recurrent), symbol_matrix(pr, [[w.symbol for w in r] for r in rows]),
                     matrix_of(pr, [[real(w.initial) for w in r] for r in rows])))
    biases = list(dict.fromkeys(p for p in plan.biases if p is not None))
    if biases:
        b.say("rnn_biases", biases=", ".join(inline(f"{pr.tex(p.symbol)} = {pr.num(real(p.initial))}") for p in biases))


def sample(b: Blocks, pr: Printers, network: Network, values: dict[Symbol, Any], label: str) -> None:
    """A sample's sequence: one row per step."""
    plan = _plan(network)
    b.say("sequence_is", sample=label, steps=len(plan.inputs))
    rows = [[s for _, s in step] for step in plan.inputs]
    b.math(pr.eq(symbol_matrix(pr, rows), matrix_of(pr, [[values[s] for s in row] for row in rows])))


def forward(b: Blocks, pr: Printers, d: Derivation, p: Pass, request: NotesRequest) -> None:
    network = d.network
    plan = _plan(network)
    first = plan.neurons[-1][0]
    net, out = _at(pr, first.net.name, "j", "t"), _at(pr, first.out.name, "j", "t")
    before = _at(pr, first.out.name, "m", "t-1")
    x = _at(pr, plan.inputs[-1][0][0], "k", "t") if network.inputs else ""
    rule = (rf"\sum_{{k}} {_weight(pr, plan, False)} \, {x} + \sum_{{m}} {_weight(pr, plan, True)} \, {before}"
            + (f" + {_bias(pr, plan)}" if plan.biases[0] is not None else ""))
    b.say("rnn_rule", **matrix_names(pr, plan))
    b.math(pr.eq(net, rule))
    b.math(f"{out} = " + APPLIED[first.activation.name] % net)
    b.say("rnn_start", state=inline(_vector(pr, first.out.name, "0") + r" = \mathbf{0}"))
    dense = [plan_ for plan_ in network.graph.plans if isinstance(plan_, DensePlan)]
    big = len(plan.neurons) * len(plan.neurons[0]) > IN_FULL and not request.full
    for t, stage in enumerate(plan.neurons):
        b.heading(3, b.t("step_heading", step=t + 1))
        if big and 0 < t < len(plan.neurons) - 1:
            b.table([b.t("col_unit"), b.t("col_net"), b.t("col_out")],
                    [[inline(neuron_tex(pr, n)), inline(pr.num(p.values[n.net])), inline(pr.num(p.values[n.out]))]
                     for n in stage])
        else:
            if t == 0:
                b.say("rnn_first_step")
            dense_forward(b, pr, stage, p)
        for plan_ in dense:
            for outputs in plan_.neurons:
                if outputs[0].links[0].source_name in {n.name for n in stage}:
                    b.say("outputs_at_step", layer=layer_name(b, network, plan_))
                    dense_forward(b, pr, outputs, p)


def _bias(pr: Printers, plan: RecurrentPlan) -> str:
    bias = plan.biases[0]
    assert bias is not None
    g = _glyph(pr, bias.name)
    return latex(replace(g, sub="j")) if len(set(plan.biases)) > 1 else pr.tex(bias.symbol)


def backward(b: Blocks, pr: Printers, d: Derivation, p: Pass, request: NotesRequest) -> None:
    network = d.network
    plan = _plan(network)
    for dense in reversed([q for q in network.graph.plans if isinstance(q, DensePlan)]):
        b.heading(3, b.t("layer_heading", index=dense.index + 1, kind="dense"))
        dense_backward(b, pr, d, p, dense, request.full)
    by_neuron = {nb.neuron.name: nb for nb in p.backward}
    b.heading(3, b.t("through_time"))
    b.say("bptt_intro", recurrent=inline(_weight(pr, plan, True)))
    big = len(plan.neurons) * len(plan.neurons[0]) > IN_FULL and not request.full
    for t in range(len(plan.neurons) - 1, -1, -1):
        stage = plan.neurons[t]
        b.heading(4, b.t("step_heading", step=t + 1))
        for n in stage[:1] if big else stage:
            neuron_backward(b, pr, network, by_neuron[n.name], pr.narrate and t == len(plan.neurons) - 1, "error_state")
        if big:
            b.table([b.t("col_unit"), b.t("col_delta")],
                    [[inline(neuron_tex(pr, n)), inline(f"{pr.tex(n.delta)} = {pr.num(pr.sign * p.values[n.delta])}")]
                     for n in stage])
    _shared(b, pr, d, p, plan)
    _jacobians(b, pr, d, p, plan)


def _shared(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: RecurrentPlan) -> None:
    network = d.network
    b.heading(3, b.t("shared_gradients"))
    b.say("shared_intro", steps=len(plan.neurons), **matrix_names(pr, plan))
    gradients = {g.param.name: g for g in p.gradients}
    for w in (plan.input_weights[0][0], plan.recurrent_weights[0][0]):
        symbols, numbers = delta_form(pr, network, network.params.index(w))
        b.math(pr.eq(pr.partial(network.e_total, w.symbol), symbols, numbers, pr.num(gradients[w.name].value)))
    b.say("recurrent_starts", **matrix_names(pr, plan))
    names = [q.name for row in plan.input_weights for q in row]
    names += [q.name for row in plan.recurrent_weights for q in row]
    names += [q.name for q in dict.fromkeys(plan.biases) if q is not None]
    b.table([b.t("col_parameter"), b.t("col_in_delta"), b.t("col_gradient")],
            gradient_rows(b, pr, network, [gradients[n] for n in names]))


def _jacobians(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: RecurrentPlan) -> None:
    if len(plan.neurons) < 2:
        return
    found = recurrence.jacobians(plan, p)
    steps = len(plan.neurons)
    last = plan.neurons[-1][0].out.name
    b.heading(3, b.t("vanishing"))
    b.say("jacobian_intro", jacobian=inline(rf"J^{{\langle s\rangle}} = \mathrm{{diag}}\left(f'\right) "
                                            rf"{matrix_name(pr, plan, True)}"))
    for s, jacobian in enumerate(found.jacobians, start=2):
        lhs = (rf"J^{{\langle {s}\rangle}} = \frac{{\partial {_vector(pr, last, str(s))}}}"
               rf"{{\partial {_vector(pr, last, str(s - 1))}}}")
        slopes = pmatrix([[pr.num(by.slope.value) if i == j else "0" for j, by in enumerate(_stage(p, plan, s))]
                          for i in range(len(plan.neurons[0]))])
        rule = rf"\mathrm{{diag}}\left(f'\right) {matrix_name(pr, plan, True)}"
        b.math(pr.eq(lhs, rule, rf"{slopes} {_wh(pr, plan)}", matrix_of(pr, jacobian)))
    b.say("jacobian_products", last=steps)
    for t in range(steps - 1, 0, -1):
        lhs = rf"\frac{{\partial {_vector(pr, last, str(steps))}}}{{\partial {_vector(pr, last, str(t))}}}"
        chain = " ".join(rf"J^{{\langle {s}\rangle}}" for s in range(steps, t, -1))
        b.math(pr.eq(lhs, chain, matrix_of(pr, found.products[t - 1])))
    rows = [[str(t), inline(pr.num(found.product_norms[t - 1]))] for t in range(steps, 0, -1)]
    b.say("product_norms")
    b.table([b.t("col_step"), b.t("col_norm")], rows)
    if plan.spec.outputs == "last":
        recurrence.check_products(plan, p, found)
        b.say("products_agree")
    _scaling(b, pr, found, plan)


def _stage(p: Pass, plan: RecurrentPlan, step: int) -> list[Any]:
    by_neuron = {nb.neuron.name: nb for nb in p.backward}
    return [by_neuron[n.name] for n in plan.neurons[step - 1]]


def _wh(pr: Printers, plan: RecurrentPlan) -> str:
    return matrix_of(pr, [[pr.val.values[w.symbol] for w in row] for row in plan.recurrent_weights])


def _scaling(b: Blocks, pr: Printers, found: recurrence.Jacobians, plan: RecurrentPlan) -> None:
    """How the factor one step back behaves: below 1 it vanishes geometrically, above 1 it may explode."""
    largest = max(found.norms)
    longer = largest ** (LONGER - 1)
    slope = {"tanh": "1", "sigmoid": "1/4", "relu": "1", "identity": "1"}[plan.spec.activation]
    b.say("scaling", norm=inline(pr.num(largest)), recurrent=inline(pr.num(found.recurrent_norm)), slope=slope,
          wh=inline(matrix_name(pr, plan, True)),
          steps=LONGER, factor=inline(show(longer, 3).latex),
          verdict=b.t("vanishes" if largest < 1 else "explodes" if largest > 1 else "neither"))
