"""The walkthrough of a network with convolution, pooling or recurrent layers: the network and its numbers,
the forward pass layer by layer, the error, the backward pass from the output back, the update and the
iterations, in blocks (`derive.notes.layer_blocks`) that the templates place.

The convolution and pooling sections are `conv_notes`'s, the recurrent layer's `rnn_notes`'s; the dense
layers among them are written here, as the dense notes write them (the same printers, the same
narration of each local derivative).
"""

from __future__ import annotations

from typing import Any

from derive import templating
from derive.maths.derivation import Derivation, Pass
from derive.model import kinds as k
from derive.model.network import Network, Neuron
from derive.model.precision import WORKING_DIGITS, real
from derive.model.spec import UNNAMED
from derive.model.wiring import ConvPlan, DensePlan, PoolPlan, RecurrentPlan
from derive.notes import conv_notes, rnn_notes, walkthrough
from derive.notes.layer_blocks import (Blocks, View, catalogue, dense_backward, dense_forward, inline, layer_name,
                                       listing, neuron_tex)
from derive.notes.notation import notation_for
from derive.notes.request import NotesRequest
from derive.notes.walkthrough import Printers

TEMPLATES = {"md": "walkthrough_layers.md.j2", "tex": "walkthrough_layers.tex.j2"}


def kind_of(network: Network) -> str:
    """cnn for an image network, rnn for a sequence network."""
    return "cnn" if network.spec.structure.image is not None else "rnn"


def shape_text(network: Network) -> str:
    """The layers in a few words: 1x4x4, conv2d, maxpool2d, flatten, 1."""
    structure = network.spec.structure
    first = structure.image.shape.text() if structure.image else f"{len(structure.features)} x {structure.steps}"
    parts = [first] + [structure.kind_name(i) if not isinstance(kind, k.DenseRef)
                       else str(len(network.spec.layers[kind.index].neurons)) for i, kind in enumerate(structure.kinds)]
    return ", ".join(parts)


# --- the network --------------------------------------------------------------------------------------


def _legend(b: Blocks, pr: Printers, network: Network) -> None:
    rows = [[(listing([pr.tex(x) for x in network.inputs])), b.t("means_input")]]
    for plan in network.graph.plans:
        what = layer_name(b, network, plan)
        neurons = _neurons_of(plan)
        if isinstance(plan, PoolPlan):
            rows.append([(listing([pr.tex(n.out) for n in neurons])), b.t("means_pooled", layer=what)])
        else:
            rows.append([(listing([pr.tex(n.net) for n in neurons])), b.t("means_net", layer=what)])
            rows.append([(listing([pr.tex(n.out) for n in neurons])), b.t("means_out", layer=what)])
        params = _params_of(plan)
        if params:
            rows.append([(listing([pr.tex(p.symbol) for p in params])), b.t("means_params", layer=what)])
        key = ("means_delta_pool" if isinstance(plan, PoolPlan) else "means_delta") if pr.sign > 0 \
            else "means_delta_negative"
        rows.append([(listing([pr.tex(n.delta) for n in neurons])), b.t(key, layer=what)])
    rows += [[(listing([pr.tex(o.target) for o in network.outputs])), b.t("means_target")],
             [(listing([pr.tex(o.error) for o in network.outputs])), b.t("means_error")],
             [inline(pr.tex(network.e_total)), b.t("means_total")], [inline(pr.tex(network.eta)), b.t("means_eta")]]
    b.heading(2, b.t("legend"))
    b.table([b.t("col_symbol"), b.t("col_meaning")], rows)


def _neurons_of(plan: Any) -> list[Neuron]:
    if isinstance(plan, (ConvPlan, PoolPlan)):
        return list(k.flat(plan.neurons))
    return [n for stage in plan.neurons for n in stage]


def _params_of(plan: Any) -> list[Any]:
    if isinstance(plan, ConvPlan):
        return list(k.flat(plan.kernel)) + [p for p in dict.fromkeys(plan.biases) if p is not None]
    if isinstance(plan, RecurrentPlan):
        return ([p for row in plan.input_weights for p in row] + [p for row in plan.recurrent_weights for p in row]
                + [p for p in dict.fromkeys(plan.biases) if p is not None])
    if isinstance(plan, DensePlan):
        return [p for row in plan.weights for p in row] + list(dict.fromkeys(plan.biases))
    return []


def _layers_table(b: Blocks, network: Network) -> None:
    structure = network.spec.structure
    rows = [[b.t("layer_input"), "", _input_shape(network), ""]]
    for i in range(len(structure.kinds)):
        rows.append([str(i + 1), structure.kind_name(i), _out_shape(network, i), _details(b, network, i)])
    b.table([b.t("col_layer"), b.t("col_kind"), b.t("col_shape"), b.t("col_details")], rows)


def _input_shape(network: Network) -> str:
    structure = network.spec.structure
    if structure.image is not None:
        return structure.image.shape.text()
    return f"{structure.steps} × {len(structure.features)}"


def _out_shape(network: Network, index: int) -> str:
    kind = network.spec.structure.kinds[index]
    if isinstance(kind, (k.ConvSpec, k.PoolSpec)):
        return kind.out_shape.text()
    if isinstance(kind, k.FlattenSpec):
        return str(kind.in_shape.size)
    if isinstance(kind, k.RecurrentSpec):
        steps = network.spec.structure.steps
        return f"{steps} × {len(kind.neurons)}" if kind.outputs == "each" else str(len(kind.neurons))
    size = len(network.spec.layers[kind.index].neurons)
    return f"{network.spec.structure.steps} × {size}" if network.spec.structure.per_step else str(size)


def _details(b: Blocks, network: Network, index: int) -> str:
    kind = network.spec.structure.kinds[index]
    if isinstance(kind, k.ConvSpec):
        return b.t("details_conv", channels=kind.out_shape.channels, rows=kind.kernel[0], cols=kind.kernel[1],
                   stride=f"{kind.stride[0]}×{kind.stride[1]}", padding=f"{kind.padding[0]}×{kind.padding[1]}",
                   activation=b.t(f"act_{kind.activation}"), bias=b.t("bias_per_channel" if kind.bias.names
                                                                       else "bias_none"))
    if isinstance(kind, k.PoolSpec):
        return b.t(f"details_{kind.mode}pool", rows=kind.size[0], cols=kind.size[1],
                   stride=f"{kind.stride[0]}×{kind.stride[1]}")
    if isinstance(kind, k.FlattenSpec):
        return b.t("details_flatten")
    if isinstance(kind, k.RecurrentSpec):
        return b.t("details_rnn_" + kind.outputs, activation=b.t(f"act_{kind.activation}"))
    layer = network.spec.layers[kind.index]
    return b.t("details_dense", activation=b.t(f"act_{layer.activation}"))


def _initial_values(b: Blocks, pr: Printers, network: Network) -> None:
    b.heading(3, b.t("initial_values"))
    for plan in network.graph.plans:
        if isinstance(plan, ConvPlan):
            conv_notes.initial(b, pr, network, plan)
        elif isinstance(plan, RecurrentPlan):
            rnn_notes.initial(b, pr, network, plan)
        elif isinstance(plan, DensePlan):
            _dense_initial(b, pr, network, plan)


def _dense_initial(b: Blocks, pr: Printers, network: Network, plan: DensePlan) -> None:
    rows = []
    sources = {link.weight.name: link.source_name for stage in plan.neurons[:1] for n in stage for link in n.links}
    for row, neuron in zip(plan.weights, plan.neurons[0]):
        for p in row:
            rows.append([inline(pr.tex(p.symbol)), _source_tex(pr, network, sources[p.name], neuron),
                         inline(pr.num(real(p.initial)))])
    for bias in dict.fromkeys(plan.biases):
        rows.append([inline(pr.tex(bias.symbol)), b.t("bias_of"), inline(pr.num(real(bias.initial)))
                     + ("" if bias.trainable else b.t("frozen_short"))])
    b.say("dense_params", layer=layer_name(b, network, plan))
    b.table([b.t("col_parameter"), b.t("col_connects"), b.t("col_value")], rows)


def _source_tex(pr: Printers, network: Network, source: str, neuron: Neuron) -> str:
    named = {n.name: n for n in network.neurons}
    src = neuron_tex(pr, named[source]) if source in named else source
    return inline(rf"{src} \to {neuron_tex(pr, neuron)}")


def _samples(b: Blocks, pr: Printers, network: Network) -> None:
    b.heading(3, b.t("samples"))
    for s in network.spec.samples:
        values = {x: real(v) for x, v in zip(network.inputs, s.inputs)}
        label = b.t("sample_named", name=s.name) if len(network.spec.samples) > 1 else b.t("the_sample")
        if kind_of(network) == "cnn":
            conv_notes.sample(b, pr, network, values, label)
        else:
            rnn_notes.sample(b, pr, network, values, label)
        targets = ", ".join(inline(f"{pr.tex(o.target)} = {pr.num(real(t))}")
                            for o, t in zip(network.outputs, s.targets))
        b.say("targets_are", targets=targets)


def _loss(b: Blocks, pr: Printers, network: Network) -> None:
    outputs = network.outputs
    b.math(pr.eq(pr.tex(network.e_total), " + ".join(pr.tex(o.error) for o in outputs)))
    for o in outputs[:1]:
        b.math(pr.eq(pr.tex(o.error), pr.tex(o.loss_expr)))
    if len(outputs) > 1:
        b.say("loss_others")
    b.say("loss_binary_cross_entropy" if network.loss.name == "binary_cross_entropy" else f"loss_{network.spec.loss}")


def _network(b: Blocks, pr: Printers, d: Derivation, figures: bool) -> None:
    network = d.network
    b.heading(2, b.t("network"))
    b.say(f"network_{kind_of(network)}")
    if figures and kind_of(network) == "rnn":
        b.figure("unrolled", b.t("figure_unrolled", **rnn_notes.matrix_names(pr, network.graph.plans[0])))
    _layers_table(b, network)
    b.say("loss_intro")
    _loss(b, pr, network)
    b.say("learning_rate", eta=inline(f"{pr.tex(network.eta)} = {pr.num(real(network.spec.training.learning_rate))}"))
    update = network.spec.training.update
    b.say("sgd" if update == "sgd" else f"batch_{network.spec.training.reduction}")
    _initial_values(b, pr, network)
    init = network.spec.init
    if init is not None:
        b.say(f"init_{init.kind}", mean=init.mean, std=init.std, seed=init.seed, low=init.low, high=init.high)
    _samples(b, pr, network)


# --- the passes, the update, the iterations ---------------------------------------------------------


def _pass(b: Blocks, pr: Printers, d: Derivation, p: Pass, request: NotesRequest, figures: bool) -> None:
    network = d.network
    prefix = b.t("sample_prefix", name=p.sample.name) if len(d.passes) > 1 else ""
    b.heading(2, prefix + b.t("forward_pass"))
    b.say(f"forward_intro_{kind_of(network)}")
    if kind_of(network) == "rnn":
        rnn_notes.forward(b, pr, d, p, request)
    else:
        for i in range(len(network.spec.structure.kinds)):
            plan = _plan_at(network, i)
            b.heading(3, b.t("layer_heading", index=i + 1, kind=network.spec.structure.kind_name(i)))
            if isinstance(plan, ConvPlan):
                conv_notes.forward(b, pr, p, plan, request.full, figures)
            elif isinstance(plan, PoolPlan):
                conv_notes.pool_forward(b, pr, p, plan, request.full)
            elif isinstance(plan, DensePlan):
                dense_forward(b, pr, plan.neurons[0], p)
            else:
                conv_notes.flatten(b, pr, _plan_at(network, i - 1), network.inputs)
    b.heading(2, prefix + b.t("error"))
    losses = walkthrough._losses(pr, network, p, d.before.digits if d.before else WORKING_DIGITS)
    for line in losses["lines"]:
        b.math(line)
    b.math(losses["total"])
    b.heading(2, prefix + b.t("backward_pass"))
    b.say(f"backward_intro_{kind_of(network)}")
    if kind_of(network) == "rnn":
        rnn_notes.backward(b, pr, d, p, request)
        return
    for i in range(len(network.spec.structure.kinds) - 1, -1, -1):
        plan = _plan_at(network, i)
        if plan is None:
            continue  # flatten: the errors are the pooled entries', in the same order
        b.heading(3, b.t("layer_heading", index=i + 1, kind=network.spec.structure.kind_name(i)))
        if isinstance(plan, DensePlan):
            dense_backward(b, pr, d, p, plan, request.full)
        elif isinstance(plan, PoolPlan):
            conv_notes.pool_backward(b, pr, network, p, plan, request.full)
        elif isinstance(plan, ConvPlan):
            conv_notes.backward(b, pr, d, p, plan, request.full, figures)


def _plan_at(network: Network, index: int) -> Any:
    return next((plan for plan in network.graph.plans if plan.index == index), None)


def _update(b: Blocks, pr: Printers, d: Derivation) -> None:
    network = d.network
    b.heading(2, b.t("update"))
    b.say("update_intro", rule=inline(rf"p^{{+}} = p - {pr.tex(network.eta)} \, \partial {pr.tex(network.e_total)}"
                                      rf" / \partial p"))
    rows = [[inline(u["latex"]) + ("" if u["trainable"] else b.t("frozen_short")), inline(u["old"]),
             inline(u["gradient"]), inline(u["new"])] for u in walkthrough._updates(pr, d)]
    b.table([b.t("col_parameter"), b.t("col_before"), b.t("col_gradient"), b.t("col_after")], rows)
    b.heading(2, b.t("after_update"))
    before = walkthrough._history_error(pr, d.before) if d.before else pr.num(d.error_before)
    after = walkthrough._history_error(pr, d.after) if d.after else pr.num(d.error_after)
    if len(network.spec.samples) > 1:
        b.say("after_many", reduction=b.t(f"col_{network.spec.training.reduction}"),
              error=inline(pr.tex(network.e_total)), before=inline(before), after=inline(after))
    else:
        b.say("after_one", error=inline(pr.tex(network.e_total)), before=inline(before), after=inline(after))


def _iterations(b: Blocks, pr: Printers, d: Derivation, figures: bool, loss_caption: str) -> None:
    spec = d.network.spec
    b.heading(2, b.t("iterations"))
    b.say("iterations_intro_sgd" if spec.training.update == "sgd" and len(spec.samples) > 1 else "iterations_intro")
    if figures:
        b.figure("loss", loss_caption)
    note = walkthrough._precision_note(d, b.t)
    if note:
        b.text(note)
    points = ((d.before,) if d.before else ()) + tuple(d.history)
    rows = [[str(h.step), inline(walkthrough._history_error(pr, h))]
            for h in points if h.step == 0 or h.step in spec.training.steps]
    b.table([b.t("col_updates"), b.t("col_error")], rows)


def view(d: Derivation, request: NotesRequest, figures: bool, loss_caption: str, width: float) -> View:
    """The blocks of the walkthrough, displays broken to `width`."""
    network = d.network
    spec = network.spec
    notation = notation_for(network, request.notation)
    b = Blocks(catalogue(request.lang))
    pr = Printers(None, request.digits, notation, width=width)
    title = spec.title_in(request.lang)
    if title == spec.name == UNNAMED:
        title = b.t("untitled_layers", shape=shape_text(network))
    named = spec.name != UNNAMED
    b.say("intro_layers" if named else "intro_layers_unnamed", name=f"`{spec.name}`", shape=shape_text(network),
          digits=request.digits)
    _legend(b, pr, network)
    _network(b, pr, d, figures)
    for p in d.passes:
        _pass(b, Printers(p, request.digits, notation, request.narrate, width), d, p, request, figures)
    _update(b, pr, d)
    _iterations(b, pr, d, figures, loss_caption)
    return {"title": title, "name": spec.name, "blocks": b.items, "lang": request.lang}


def render(d: Derivation, fmt: str, request: NotesRequest, figures: dict[str, View] | None, loss_caption: str) -> str:
    """The walkthrough of `d` in `fmt` (md or tex); `figures` places each figure by its key (none without)."""
    env = templating.tex_environment() if fmt == "tex" else templating.environment()
    env.globals["t"] = catalogue(request.lang)
    env.globals["lang"] = request.lang
    context = view(d, request, figures is not None, loss_caption, walkthrough.WIDTHS[fmt])
    context["figures"] = figures or {}
    if fmt == "tex":
        context["title"] = walkthrough.tex_verbatim(context["title"])
        for block in context["blocks"]:
            if block["kind"] == "text" and "`" in block["text"]:
                block["text"] = _texttt(block["text"])
    return env.get_template(TEMPLATES[fmt]).render(context)


def _texttt(text: str) -> str:
    """`name` (Markdown code) as \\texttt{name} in LaTeX: names are letters, digits and underscores."""
    parts = text.split("`")
    return "".join(part if i % 2 == 0 else r"\texttt{" + part.replace("_", r"\_") + "}" for i, part in enumerate(parts))
