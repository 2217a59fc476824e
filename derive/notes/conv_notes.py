"""The notes' sections on convolution, pooling and flatten layers.

Forward: each kernel sliding over its input, every entry of the feature map as its window's weighted sum
in numbers; each pooled entry the max (or mean) of its window, the arg-max named and ties said; flatten's
reading order. Backward: the errors at the pooled outputs, routed to each window's arg-max (shared by a
mean); the delta map; each kernel entry's gradient as the sum over its uses, then all of them at once as
the correlation of the input with the delta map; the bias's as the delta map's sum; the input's gradient
entry by entry, then as the full convolution of the delta map with the flipped kernel. Both whole-map forms
are computed from their own formulas (`derive.maths.convolution`) and checked against the per-weight sums.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sympy import Symbol

from derive.maths import convolution
from derive.maths.derivation import Derivation, NeuronBackward, Pass
from derive.maths.wired import WiredPass, consumers
from derive.model import kinds as k
from derive.model.network import Network
from derive.model.precision import real
from derive.model.wiring import ConvPlan, PoolPlan
from derive.notes import layer_figures, walkthrough
from derive.notes.layer_blocks import Blocks, delta_form, inline, layer_name, matrix_of, neuron_tex, symbol_matrix
from derive.notes.notation import Glyph, latex
from derive.notes.walkthrough import Printers


def _glyph(pr: Printers, name: str) -> Glyph:
    return pr.notation.glyph(name) if pr.notation else Glyph(name)


def _generic(pr: Printers, name: str, entry: str, channel: str | None = None) -> str:
    """A map entry's glyph with its place written in letters: net_{c1,ij}, k_{1,ab}, x_{1,(i+a-1)(j+b-1)}."""
    g = _glyph(pr, name)
    parts = g.sub.split(",")
    head = parts[:-2] if len(parts) > 2 and name.count("_") >= 2 else parts[:-1]
    if channel is not None and head:
        head = [*head[:-1], channel]
    return latex(replace(g, sub=",".join([*head, entry])))


def map_tex(pr: Printers, name: str, capital: bool = False) -> str:
    """The whole map an entry belongs to: a capital for an input or a kernel (X_{1}, K_{1}), bold for the
    others (\\boldsymbol{\\delta}_{c1}, \\boldsymbol{e}_{1}: never E, the error)."""
    g = _glyph(pr, name)
    head = g.sub.split(",")[0]
    if capital and len(g.base) == 1 and g.base.isalpha() and not g.word:
        return latex(replace(g, base=g.base.upper(), sub=head, hat=False))
    body = rf"\boldsymbol{{{latex(replace(g, sub='', sup=''))}}}"
    return body + (f"^{{{g.sup}}}" if g.sup else "") + (f"_{{{head}}}" if head else "")


def _place(stride: int, padding: int, index: str, offset: str) -> str:
    """The input row (or column) under kernel row `offset` at output row `index`."""
    start = index if stride == 1 else f"{stride}({index}-1)+1"
    text = f"{start}+{offset}-1"
    return text if not padding else f"{text}-{padding}"


def initial(b: Blocks, pr: Printers, network: Network, plan: ConvPlan) -> None:
    b.say("kernels_are", layer=layer_name(b, network, plan))
    for kernel in plan.kernel:
        for i, channel in enumerate(kernel):
            first = channel[0][0].name
            values = [[real(w.initial) for w in row] for row in channel]
            b.math(pr.eq(map_tex(pr, first, True) if len(kernel) == 1 else f"{map_tex(pr, first, True)}^{{({i + 1})}}",
                         symbol_matrix(pr, [[w.symbol for w in row] for row in channel]), matrix_of(pr, values)))
    biases = [p for p in plan.biases if p is not None]
    if biases:
        listed = ", ".join(inline(f"{pr.tex(p.symbol)} = {pr.num(real(p.initial))}") for p in biases)
        b.say("conv_biases", biases=listed)


def sample(b: Blocks, pr: Printers, network: Network, values: dict[Symbol, Any], label: str) -> None:
    """A sample's image, channel by channel, as matrices of symbols and numbers."""
    image = network.graph.image
    for c, channel in enumerate(image):
        name = channel[0][0][0]
        b.say("image_is", sample=label, channel=c + 1)
        b.math(pr.eq(map_tex(pr, name, True), symbol_matrix(pr, [[s for _, s in row] for row in channel]),
                     matrix_of(pr, [[values[s] for _, s in row] for row in channel])))


def forward(b: Blocks, pr: Printers, p: Pass, plan: ConvPlan, full: bool, figures: bool) -> None:
    spec = plan.spec
    first = plan.neurons[0][0][0]
    b.say("conv_slides", rows=spec.kernel[0], cols=spec.kernel[1], stride=spec.stride[0] if spec.stride[0] ==
          spec.stride[1] else f"{spec.stride[0]}×{spec.stride[1]}")
    b.math(_conv_rule(pr, plan))
    if any(spec.padding):
        b.say("conv_padding", padding=spec.padding[0])
    if figures:
        many = len(list(k.flat(plan.neurons[0]))) > layer_figures.MAX_FRAMES
        b.figure(f"sliding-{plan.index + 1}", b.t("figure_sliding_some" if many else "figure_sliding"))
    entries = list(k.flat(plan.neurons))
    shown = entries if full else entries[:1]
    for n in shown:
        view = walkthrough._forward_neuron(pr, n, plan_stage(plan), p.values[n.net], p.values[n.out])
        b.say("conv_entry", entry=inline(view["name"]))
        b.math(view["net"])
        b.math(view["out"])
    if len(entries) > len(shown):
        b.say("conv_others")
        rows = [[inline(neuron_tex(pr, n)), inline(pr.val.weighted_sum(n)), inline(pr.num(p.values[n.net])),
                 inline(pr.num(p.values[n.out]))] for n in entries]
        b.table([b.t("col_entry"), b.t("col_window_sum"), b.t("col_net"), b.t("col_out")], rows)
    for o, channel in enumerate(plan.neurons):
        b.say("feature_map", channel=o + 1)
        outs = [[n.out for n in row] for row in channel]
        b.math(pr.eq(map_tex(pr, first.out.name), matrix_of(pr, [[p.values[s] for s in row] for row in outs])))


def plan_stage(plan: Any) -> tuple[Any, ...]:
    return tuple(k.flat(plan.neurons))


def _conv_rule(pr: Printers, plan: ConvPlan) -> str:
    """net_{c1,ij} = sum_a sum_b k_{1,ab} x_{1,(i+a-1)(j+b-1)} + b_1, in the notation's glyphs."""
    spec = plan.spec
    n = plan.neurons[0][0][0]
    w = plan.kernel[0][0][0][0]
    several = spec.in_shape.channels > 1
    row = _place(spec.stride[0], spec.padding[0], "i", "a")
    col = _place(spec.stride[1], spec.padding[1], "j", "b")
    source = plan.source[0][0][0][0]
    x = _generic(pr, source, f"({row})({col})" if len(row) + len(col) > 2 else row + col, "m" if several else None)
    kernel = _generic(pr, w.name, "ab", "m" if several else None) if several else _generic(pr, w.name, "ab")
    sums = (r"\sum_{m} " if several else "") + rf"\sum_{{a=1}}^{{{spec.kernel[0]}}} \sum_{{b=1}}^{{{spec.kernel[1]}}}"
    body = f"{sums} {kernel} \\, {x}"
    bias = plan.biases[0]
    if bias is not None:
        body += f" + {pr.tex(bias.symbol)}"
    return pr.eq(_generic(pr, n.net.name, "ij"), body)


def pool_forward(b: Blocks, pr: Printers, p: Pass, plan: PoolPlan, full: bool) -> None:
    spec = plan.spec
    b.say(f"{spec.mode}pool_rule", rows=spec.size[0], cols=spec.size[1], stride=spec.stride[0])
    found = convolution.windows(plan, p)
    shown = found if full else found[:1]
    for w in shown:
        b.math(_pool_line(pr, w))
        if w.chosen >= 0:
            b.say("argmax_is", entry=inline(_entry_out(pr, w, w.chosen)))
    if len(found) > len(shown):
        b.say("pool_others")
        rows = [[inline(neuron_tex(pr, w.neuron)), inline(", ".join(pr.num(v) for _, v in w.entries)),
                 inline(pr.num(p.values[w.neuron.out])), *_largest(pr, w)] for w in found]
        head = [b.t("col_entry"), b.t("col_window"), b.t("col_value")]
        head += [b.t("col_argmax")] if spec.mode == "max" else []
        b.table(head, rows)
    for w in found:
        if w.tied:
            b.say("tie", entries=", ".join(inline(_entry_out(pr, w, j)) for j in (w.chosen, *w.tied)),
                  value=inline(pr.num(w.entries[w.chosen][1])), chosen=inline(_entry_out(pr, w, w.chosen)))
    for c, channel in enumerate(plan.neurons):
        b.say("pooled_map", channel=c + 1)
        b.math(pr.eq(map_tex(pr, channel[0][0].out.name),
                     matrix_of(pr, [[p.values[n.out] for n in row] for row in channel])))


def _largest(pr: Printers, w: convolution.Window) -> list[str]:
    """A max pool's row names the entry its window routes to."""
    return [inline(_entry_out(pr, w, w.chosen))] if w.chosen >= 0 else []


def _entry_out(pr: Printers, w: convolution.Window, j: int) -> str:
    return pr.tex(dict(w.neuron.window)[w.entries[j][0]])


def _pool_line(pr: Printers, w: convolution.Window) -> str:
    n = w.neuron
    symbols = ", ".join(pr.tex(s) for _, s in n.window)
    numbers = ", ".join(pr.num(v) for _, v in w.entries)
    value = pr.num(pr.val.values[n.out])
    if n.mode == "max":
        return pr.eq(pr.tex(n.out), rf"\max\left({symbols}\right)", rf"\max\left({numbers}\right)", value)
    m = len(n.window)
    return pr.eq(pr.tex(n.out), rf"\frac{{1}}{{{m}}} \left({' + '.join(pr.tex(s) for _, s in n.window)}\right)",
                 rf"\frac{{1}}{{{m}}} \left({' + '.join(pr.val.number(v, True) for _, v in w.entries)}\right)", value)


def flatten(b: Blocks, pr: Printers, before: Any, inputs: Any = ()) -> None:
    """The vector flatten makes of the maps before it (`inputs`, when it reads the input itself)."""
    order = [n.out for n in k.flat(before.neurons)] if before is not None else list(inputs)
    b.say("flatten_order")
    b.math(r"\left(" + ", ".join(pr.tex(s) for s in order) + r"\right)")


def pool_backward(b: Blocks, pr: Printers, network: Network, p: Pass, plan: PoolPlan, full: bool) -> None:
    """The errors at the pooled outputs, then routed through each window to the map before."""
    by_neuron = {nb.neuron.name: nb for nb in p.backward}
    pooled = list(k.flat(plan.neurons))
    b.say("pool_errors")
    for n in pooled if full else pooled[:1]:
        b.math(walkthrough._error_line(pr, by_neuron[n.name]))
    if not full and len(pooled) > 1:
        b.table([b.t("col_entry"), b.t("col_error_out")],
                [[inline(neuron_tex(pr, n)), inline(pr.num(by_neuron[n.name].error.value))] for n in pooled])
    if plan.source[0][0][0][0] not in by_neuron:  # the pool reads the input itself
        b.say("pool_reads_input")
        return
    b.say(f"{plan.spec.mode}pool_routes")
    sources = [by_neuron[name] for channel in plan.source for row in channel for name, _ in row]
    routed = [nb for nb in sources if any(t.via in pooled for t in nb.paths)]
    shown = [nb for nb in routed if nb.error.value != 0] if plan.spec.mode == "max" else routed[:1]
    for nb in shown if full or plan.spec.mode == "max" else shown[:1]:
        b.math(_routed_line(pr, nb))
    if plan.spec.mode == "max":
        b.say("routes_zero")
    errors = [[by_neuron[name].error.value for name, _ in row] for row in plan.source[0]]
    b.say("error_map")
    lhs = rf"\frac{{\partial {pr.tex(network.e_total)}}}{{\partial {map_tex(pr, sources[0].neuron.out.name)}}}"
    b.math(pr.eq(lhs, matrix_of(pr, errors)))


def _routed_line(pr: Printers, nb: NeuronBackward) -> str:
    """dE/dout of a map's entry: each window that holds it sends its error times the route."""
    lhs = pr.partial(nb.error.num, nb.error.den)
    # a pooled entry's net and out are one value: the route is written with its out, as d max / d entry
    chain = " + ".join(pr.sym.product([pr.partial(t.delta.num, t.via.out), pr.partial(t.via.out, t.weight.den)])
                       for t in nb.paths)
    numbers = " + ".join(pr.val.product([pr.val.number(pr.sign * t.delta.value, True),
                                         pr.val.number(t.weight.value, True)]) for t in nb.paths)
    if pr.sign < 0:
        numbers = rf"-\left({numbers}\right)"
    return pr.eq(lhs, chain, numbers, pr.num(nb.error.value))


def backward(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: ConvPlan, full: bool, figures: bool) -> None:
    network = d.network
    by_neuron = {nb.neuron.name: nb for nb in p.backward}
    entries = list(k.flat(plan.neurons))
    first = entries[0]
    b.say("conv_deltas")
    chosen = next((n for n in entries if by_neuron[n.name].error.value != 0), first)
    for n in entries if full else [chosen]:
        nb = by_neuron[n.name]
        if nb.slope is not None:
            b.math(walkthrough._factor_line(pr, nb.slope))
        b.math(walkthrough._delta_line(pr, nb))
    maps = convolution.conv_maps(plan, p)
    errors = _source_errors(network, p, plan)
    convolution.check_conv(plan, p, maps, errors)
    for o, channel in enumerate(plan.neurons):
        b.say("delta_map", channel=o + 1)
        b.math(pr.eq(map_tex(pr, channel[0][0].delta.name), matrix_of(pr, [[pr.sign * v for v in row]
                                                                           for row in maps.deltas[o]])))
    if figures:
        b.figure(f"deltas-{plan.index + 1}", b.t("figure_deltas"))
    _kernel_gradient(b, pr, d, p, plan, maps, full)
    _bias_gradient(b, pr, d, p, plan)
    _input_gradient(b, pr, d, p, plan, maps, errors)


def _source_errors(network: Network, p: Pass, plan: ConvPlan) -> dict[Symbol, Any]:
    """dE/d(each entry the kernel slides over): the inputs' from the pass, a map's from its neurons."""
    found: dict[Symbol, Any] = dict(p.inputs) if isinstance(p, WiredPass) else {}
    for nb in p.backward:
        found[nb.neuron.out] = nb.error.value
    return found


def _kernel_gradient(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: ConvPlan, maps: Any, full: bool) -> None:
    network = d.network
    b.heading(4, b.t("kernel_gradient"))
    kernel = list(k.flat(plan.kernel))
    count = len(network.usages[network.params.index(kernel[0])])
    b.say("kernel_uses", count=count)
    gradients = {g.param.name: g for g in p.gradients}
    for w in kernel if full else kernel[:1]:
        symbols, numbers = delta_form(pr, network, network.params.index(w))
        lhs = pr.partial(network.e_total, w.symbol)
        b.math(pr.eq(lhs, symbols, numbers, pr.num(gradients[w.name].value)))
    b.say("kernel_correlation")
    for o, per_channel in enumerate(plan.kernel):
        for i, channel in enumerate(per_channel):
            name = channel[0][0].name
            lhs = rf"\frac{{\partial {pr.tex(network.e_total)}}}{{\partial {map_tex(pr, name, True)}}}"
            image = map_tex(pr, plan.source[i][0][0][0], True)
            if any(plan.spec.padding):
                image = rf"\mathrm{{pad}}\left({image}\right)"
            deltas = map_tex(pr, plan.neurons[o][0][0].delta.name)
            minus = "- " if pr.sign < 0 else ""  # the textbook's error terms are the deltas' negatives
            # the input and the delta map are shown above: the display stays within a line
            b.math(pr.eq(lhs, rf"{minus}{image} \star {deltas}", matrix_of(pr, maps.kernel_gradient[o][i])))
    b.say("kernel_agrees")


def _bias_gradient(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: ConvPlan) -> None:
    network = d.network
    gradients = {g.param.name: g for g in p.gradients}
    for o, bias in enumerate(plan.biases):
        if bias is None:
            continue
        b.say("bias_gradient", bias=inline(pr.tex(bias.symbol)))
        deltas = [n.delta for n in k.flat(plan.neurons[o])]
        lhs = pr.partial(network.e_total, bias.symbol)
        symbols = rf"\sum_{{i,j}} {_generic(pr, deltas[0].name, 'ij')}"
        numbers = " + ".join(pr.val.number(pr.sign * p.values[s], True) for s in deltas)
        signed = numbers if pr.sign > 0 else rf"-\left({numbers}\right)"
        b.math(pr.eq(lhs, ("-" if pr.sign < 0 else "") + symbols, signed, pr.num(gradients[bias.name].value)))


def _input_gradient(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: ConvPlan, maps: Any,
                    errors: dict[Symbol, Any]) -> None:
    network = d.network
    b.heading(4, b.t("input_gradient"))
    b.say("input_uses")
    readers = consumers(network)
    grid = [src for row in plan.source[0] for src in row]
    symbol = max(grid, key=lambda src: len(readers.get(src[1], [])))[1]  # an entry most windows cover
    terms = readers.get(symbol, [])
    lhs = pr.partial(network.e_total, symbol)
    symbols = " + ".join(pr.sym.product([pr.partial(network.e_total, n.net), pr.partial(n.net, symbol)])
                         for n, _ in terms)
    weights = " + ".join(pr.sym.ordered_product([pr.sign * n.delta, w]) for n, w in terms)
    numbers = " + ".join(pr.val.product([pr.val.number(p.values[n.delta], True),
                                         pr.val.number(p.values[w], True)]) for n, w in terms)
    b.math(pr.eq(lhs, symbols, weights, numbers, pr.num(errors[symbol])))
    stride = plan.spec.stride
    if stride == (1, 1):
        b.say("input_full_convolution")
    else:  # the delta map is spread out first: stride - 1 zeros between its entries, down and across
        b.say("input_full_dilated", rows=stride[0] - 1, cols=stride[1] - 1)
    for i, channel in enumerate(plan.source):
        lhs = rf"\frac{{\partial {pr.tex(network.e_total)}}}{{\partial {map_tex(pr, channel[0][0][0], True)}}}"
        minus = "- " if pr.sign < 0 else ""  # the textbook's error terms are the deltas' negatives
        parts = []
        for o in range(len(plan.kernel)):
            full = rf"\mathrm{{full}}\left({map_tex(pr, plan.neurons[o][0][0].delta.name)}\right)"
            rot = rf"\mathrm{{rot}}_{{180}}\left({map_tex(pr, plan.kernel[o][i][0][0].name, True)}\right)"
            if i == 0:  # each padded delta map and flipped kernel once, then the whole map from them
                b.math(pr.eq(full, matrix_of(pr, [[pr.sign * v for v in row] for row in maps.spread[o]])))
            b.math(pr.eq(rot, matrix_of(pr, convolution.flipped(maps.kernel[o][i]))))
            parts.append(rf"{minus}{full} \star {rot}")
        b.math(pr.eq(lhs, " + ".join(parts), matrix_of(pr, maps.source_gradient[i])))
    b.say("input_agrees" if plan.index else "input_agrees_first")
