"""NumPy update code for networks with convolution, pooling and recurrent layers, written layer by layer.

Every layer works on arrays of samples: a convolution through a strided view of its padded input
(NumPy's `sliding_window_view`: im2col without the copy), its kernel gradient as the correlation of that
view with the delta map, its input gradient as the full convolution of the delta map (stride - 1 zeros
between its entries) with the flipped kernel; a max pool routes each delta to its window's arg-max (the
first in reading order on a tie, as PyTorch and the engine do), a mean pool shares it; an rnn runs
forward step by step and back through time, summing each shared matrix's gradient over the steps. The
activations' slopes and the output layer's delta are printed from the layer rules SymPy derives
(`derive.maths.layers`). Python prepares every line here; `update_layers.py.j2` places them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from derive.code.codegen import ACTIVATION_CODE, RulePrinter, _literal, origin
from derive.maths import layers
from derive.maths.derivation import Derivation
from derive.model import kinds as k
from derive.model.network import Network
from derive.model.wiring import ConvPlan, DensePlan, PoolPlan, RecurrentPlan
from derive.templating import environment

STYLE = "layers"
NAMED = 36  # kernel entries named one by one in the module's docstring
WIDTH = 100  # the docstring's lines
# E_total per row of outputs (one row per sample, or per sample and step); log-losses from the nets
LOSS_VALUE = {
    "cross_entropy": "-np.sum(Yr * (net - logsumexp(net)), axis=-1)",
    "binary_cross_entropy": "np.sum(np.logaddexp(0.0, net) - Yr * net, axis=-1)",
    "half_sse": "0.5 * np.sum((Yr - out) ** 2, axis=-1)",
    "mse": "np.mean((Yr - out) ** 2, axis=-1)",
}


@dataclass(frozen=True)
class Reads:
    """What a layer reads from the layer before it, in the code of forward (`source`)."""

    source: str  # the array the layer reads: outN, or outN[:, -1] after an rnn read at its last step
    last_step: bool  # the layer before is an rnn read at its last step only


def _printer(names: dict[Any, str]) -> RulePrinter:
    return RulePrinter({layers.TARGET: "Y", **names})


def _slope(activation: str, out: str, net: str) -> str | None:
    """dout/dnet of `activation` over the arrays `out` and `net`, None where it is 1 (identity)."""
    rule = layers.slope(activation)
    if rule == 1:
        return None
    code = _printer({layers.OUT: out, layers.NET: net}).doprint(rule)
    return f"({code})" if rule.is_Add else code  # a sum is bracketed before it multiplies


def _names(names: Any) -> str:
    """A kernel's entries' names as nested lists; first ... last when there are more than NAMED."""
    flat = k.flat(names)
    if len(flat) > NAMED:
        return f"{flat[0]} ... {flat[-1]} in reading order"
    text = repr(names).replace("'", "").replace("(", "[").replace(")", "]")
    return text.replace(",]", "]")


def _pair(value: tuple[int, int]) -> str:
    return f"({value[0]}, {value[1]})"


def _bias_params(bias: Any, at: int) -> list[tuple[str, str]]:
    if bias.mode in ("per_neuron", "per_channel"):
        return [(f"b{at}", _literal(list(bias.values)))]
    if bias.mode == "shared":
        return [(f"b{at}", _literal(bias.values[0]))]
    return []


def _frozen(bias: Any, at: int) -> list[str]:
    return [f"b{at}"] if bias.names and not bias.trainable else []


# --- forward ---------------------------------------------------------------------------------------


def _conv(plan: ConvPlan, reads: Reads) -> dict[str, Any]:
    spec, at = plan.spec, plan.index + 1
    bias = f" + params[\"b{at}\"][:, None, None]" if spec.bias.names else ""
    return {"index": at, "params": [(f"K{at}", _literal(spec.weights)), *_bias_params(spec.bias, at)],
            "frozen": _frozen(spec.bias, at),
            "describe": (f"Layer {at}: conv2d, {spec.out_shape.channels} kernel(s) of {spec.in_shape.channels}x"
                         f"{spec.kernel[0]}x{spec.kernel[1]}, stride {spec.stride[0]}x{spec.stride[1]}, padding "
                         f"{spec.padding[0]}x{spec.padding[1]}, {spec.activation}: K{at}[o, i, r, s] = "
                         f"{_names(spec.weight_names)}"
                         + (f"; b{at} = {', '.join(spec.bias.names)} (one per kernel)" if spec.bias.names else "")),
            "forward": [f"net{at} = conv2d({reads.source}, params[\"K{at}\"], {_pair(spec.stride)}, "
                        f"{_pair(spec.padding)}){bias}",
                        f"out{at} = " + ACTIVATION_CODE[spec.activation].format(net=f"net{at}")],
            "net": True}


def _pool(plan: PoolPlan, reads: Reads) -> dict[str, Any]:
    spec, at = plan.spec, plan.index + 1
    return {"index": at, "params": [], "frozen": [],
            "describe": (f"Layer {at}: {spec.mode}pool2d, {spec.size[0]}x{spec.size[1]} windows, stride "
                         f"{spec.stride[0]}x{spec.stride[1]}"),
            "forward": [f"out{at} = {spec.mode}pool2d({reads.source}, {_pair(spec.size)}, {_pair(spec.stride)})"],
            "net": False}


def _flatten(index: int, reads: Reads) -> dict[str, Any]:
    at = index + 1
    return {"index": at, "params": [], "frozen": [], "describe": f"Layer {at}: flatten (channel, row, column)",
            "forward": [f"out{at} = {reads.source}.reshape(len({reads.source}), -1)"], "net": False}


def _dense(plan: DensePlan, reads: Reads, per_step: bool) -> dict[str, Any]:
    spec, at = plan.spec, plan.index + 1
    sign = "-" if spec.bias.form == "threshold" else "+"
    names = "[" + ", ".join("[" + ", ".join(row) + "]" for row in spec.weight_names) + "]"
    bias = f" {sign} params[\"b{at}\"]" if spec.bias.names else ""
    weights = (f"W{at}", _literal([list(r) for r in spec.weights]))
    return {"index": at, "params": [weights, *_bias_params(spec.bias, at)], "frozen": _frozen(spec.bias, at),
            "describe": (f"Layer {at}: dense, {', '.join(spec.neurons)}, {spec.activation}"
                         + (" (at every step)" if per_step else "") + f": W{at} = {names}"
                         + (f"; b{at} = {', '.join(spec.bias.names)}" if spec.bias.names else "")
                         + (" (a threshold, subtracted)" if sign == "-" else "")),
            "forward": [f"net{at} = {reads.source} @ params[\"W{at}\"].T{bias}",
                        f"out{at} = " + ACTIVATION_CODE[spec.activation].format(net=f"net{at}")],
            "net": True}


def _rnn(plan: RecurrentPlan, reads: Reads) -> dict[str, Any]:
    spec, at = plan.spec, plan.index + 1
    x = reads.source
    bias = f" + params[\"b{at}\"]" if spec.bias.names else ""
    step = ACTIVATION_CODE[spec.activation].format(net=f"net{at}[:, t]")
    matrices = [(f"Wx{at}", _literal([list(r) for r in spec.input_weights])),
                (f"Wh{at}", _literal([list(r) for r in spec.recurrent_weights]))]
    return {"index": at, "params": [*matrices, *_bias_params(spec.bias, at)], "frozen": _frozen(spec.bias, at),
            "describe": (f"Layer {at}: rnn, {', '.join(spec.neurons)}, h_t = {spec.activation}(Wx{at} x_t + "
                         f"Wh{at} h_(t-1)" + (f" + b{at}" if spec.bias.names else "") + ") from h_0 = 0, read at "
                         + ("every step" if spec.outputs == "each" else "the last step")
                         + f": Wx{at} = {_names(spec.input_names)} (a row per unit), Wh{at} = "
                         f"{_names(spec.recurrent_names)}"
                         + (f"; b{at} = {', '.join(spec.bias.names)}" if spec.bias.names else "")),
            "forward": [f"net{at} = np.zeros({x}.shape[:2] + (len(params[\"Wh{at}\"]),))",
                        f"states = np.zeros(({x}.shape[0], {x}.shape[1] + 1, len(params[\"Wh{at}\"])))  # h_0 = 0",
                        f"for t in range({x}.shape[1]):",
                        f"    net{at}[:, t] = {x}[:, t] @ params[\"Wx{at}\"].T"
                        f" + states[:, t] @ params[\"Wh{at}\"].T{bias}",
                        f"    states[:, t + 1] = {step}",
                        f"out{at} = states[:, 1:]  # h_1 ... h_T, one row per step"],
            "net": True}


# --- backward --------------------------------------------------------------------------------------


def _conv_back(plan: ConvPlan, first: bool) -> list[str]:
    spec, at = plan.spec, plan.index + 1
    slope = _slope(spec.activation, f"outs[{at}]", f"nets[{at}]")
    lines = [f"delta{at} = error{at}" + (f" * {slope}" if slope else "")]
    lines.append(f"grads[\"K{at}\"] = conv2d_kernel_gradient(delta{at}, outs[{at - 1}], {_pair(spec.kernel)}, "
                 f"{_pair(spec.stride)}, {_pair(spec.padding)})")
    if spec.bias.names:
        lines.append(f"grads[\"b{at}\"] = np.sum(delta{at}, axis=(0, 2, 3))")
    if not first:
        lines.append(f"error{at - 1} = conv2d_input_gradient(delta{at}, params[\"K{at}\"], outs[{at - 1}].shape, "
                     f"{_pair(spec.stride)}, {_pair(spec.padding)})")
    return lines


def _pool_back(plan: PoolPlan) -> list[str]:
    spec, at = plan.spec, plan.index + 1
    return [f"error{at - 1} = {spec.mode}pool2d_gradient(error{at}, outs[{at - 1}], {_pair(spec.size)}, "
            f"{_pair(spec.stride)})"]


def _flatten_back(index: int) -> list[str]:
    at = index + 1
    return [f"error{at - 1} = error{at}.reshape(outs[{at - 1}].shape)"]


def _dense_back(plan: DensePlan, reads: Reads, output: bool) -> list[str]:
    spec, at = plan.spec, plan.index + 1
    source = f"outs[{at - 1}][:, -1]" if reads.last_step else f"outs[{at - 1}]"
    if output:
        lines = []
    else:
        slope = _slope(spec.activation, f"outs[{at}]", f"nets[{at}]")
        lines = [f"delta{at} = error{at}" + (f" * {slope}" if slope else "")]
    lines.append(f"grads[\"W{at}\"] = rows(delta{at}).T @ rows({source})  # summed over the samples (and steps)")
    sign = "-" if spec.bias.form == "threshold" else ""
    if spec.bias.mode == "shared":
        lines.append(f"grads[\"b{at}\"] = np.array({sign}np.sum(delta{at}))")
    elif spec.bias.mode == "per_neuron":
        lines.append(f"grads[\"b{at}\"] = {sign}np.sum(rows(delta{at}), axis=0)")
    if at > 1:
        lines.append(f"error{at - 1} = delta{at} @ params[\"W{at}\"]")
    return lines


def _rnn_back(plan: RecurrentPlan) -> list[str]:
    """Back through time: step t's error is what the layers after send it plus what step t + 1's delta
    sends back through W_h; the matrices' gradients add up over the steps."""
    spec, at = plan.spec, plan.index + 1
    slope = _slope(spec.activation, f"outs[{at}][:, t]", f"nets[{at}][:, t]")
    reaching = f"error{at}[:, t]" if spec.outputs == "each" else f"(error{at} if t == steps - 1 else 0.0)"
    lines = ["steps = outs[0].shape[1]",
             f"states = np.concatenate([np.zeros_like(outs[{at}][:, :1]), outs[{at}]], axis=1)  # h_0 = 0, h_1 ... h_T",
             f"grads[\"Wx{at}\"] = np.zeros_like(params[\"Wx{at}\"])",
             f"grads[\"Wh{at}\"] = np.zeros_like(params[\"Wh{at}\"])"]
    if spec.bias.mode == "per_neuron":
        lines.append(f"grads[\"b{at}\"] = np.zeros_like(params[\"b{at}\"])")
    elif spec.bias.mode == "shared":
        lines.append(f"grads[\"b{at}\"] = np.array(0.0)")
    lines += [f"carry = np.zeros((len(outs[0]), len(params[\"Wh{at}\"])))  # what step t + 1 sends back to step t",
              "for t in reversed(range(steps)):",
              f"    delta = {reaching} + carry" if not slope else f"    delta = ({reaching} + carry) * {slope}",
              f"    grads[\"Wx{at}\"] += delta.T @ outs[0][:, t]",
              f"    grads[\"Wh{at}\"] += delta.T @ states[:, t]  # h_(t-1); h_0 = 0 adds nothing"]
    if spec.bias.mode == "per_neuron":
        lines.append(f"    grads[\"b{at}\"] += np.sum(delta, axis=0)")
    elif spec.bias.mode == "shared":
        lines.append(f"    grads[\"b{at}\"] += np.sum(delta)")
    lines.append(f"    carry = delta @ params[\"Wh{at}\"]")
    return lines


def _output_delta(network: Network, at: int, mean: bool) -> list[str]:
    """The output layer's delta from its layer rule (a softmax's: p - out sum(p) over each row)."""
    rule = layers.width_rule(network)
    code = _printer({layers.OUT: f"outs[{at}]", layers.NET: f"nets[{at}]"}).doprint(rule.delta)
    lines = [f"delta{at} = {code}"] if not rule.coupled else \
        [f"p = {code}", f"delta{at} = p - outs[{at}] * np.sum(p, axis=-1, keepdims=True)"]
    if mean:
        lines.append(f"delta{at} = delta{at} / len(X)  # every gradient is linear in the output delta")
    return lines


# --- the module ------------------------------------------------------------------------------------


def _plans(network: Network) -> list[tuple[int, Any]]:
    """(index of the [[layers]] table, its plan or its kind) in order; a flatten layer has no plan."""
    by_index = {plan.index: plan for plan in network.graph.plans}
    return [(i, by_index.get(i, kind)) for i, kind in enumerate(network.spec.structure.kinds)]


def _layer_views(network: Network) -> tuple[list[dict[str, Any]], list[str]]:
    """Each layer's description, parameters and forward lines, and the gradients' lines (last layer first)."""
    per_step = network.spec.structure.per_step
    views, backward = [], []
    reads = Reads("out0", False)
    entries = _plans(network)
    for i, plan in entries:
        if isinstance(plan, ConvPlan):
            views.append(_conv(plan, reads))
        elif isinstance(plan, PoolPlan):
            views.append(_pool(plan, reads))
        elif isinstance(plan, RecurrentPlan):
            views.append(_rnn(plan, reads))
        elif isinstance(plan, DensePlan):
            views.append(_dense(plan, reads, per_step))
        else:
            views.append(_flatten(i, reads))
        rnn_last = isinstance(plan, RecurrentPlan) and plan.spec.outputs == "last"
        reads = Reads(f"out{i + 1}[:, -1]" if rnn_last else f"out{i + 1}", rnn_last)
    last = len(entries) - 1
    for i, plan in reversed(entries):
        before = Reads("", isinstance(entries[i - 1][1], RecurrentPlan) and entries[i - 1][1].spec.outputs == "last") \
            if i else Reads("", False)
        if isinstance(plan, ConvPlan):
            backward += _conv_back(plan, i == 0)
        elif isinstance(plan, PoolPlan):
            backward += _pool_back(plan)
        elif isinstance(plan, RecurrentPlan):
            backward += _rnn_back(plan)
        elif isinstance(plan, DensePlan):
            backward += _dense_back(plan, before, i == last)
        else:
            backward += _flatten_back(i)
    return views, backward


def _loss_lines(network: Network, at: int) -> list[str]:
    """E_total per sample; with outputs at every step, each step's row first, then summed per sample."""
    width = len(network.spec.layers[-1].neurons)
    return [f"net = nets[{at}].reshape(-1, {width})" if network.loss.name.endswith("cross_entropy") else
            f"out = outs[{at}].reshape(-1, {width})",
            f"Yr = np.asarray(Y, dtype=float).reshape(-1, {width})  # one row per sample (and step)",
            f"return ({LOSS_VALUE[network.loss.name]}).reshape(len(X), -1).sum(axis=1)"]


def view(d: Derivation, verified: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every string `update_layers.py.j2` places."""
    network = d.network
    spec = network.spec
    views, backward = _layer_views(network)
    at = len(views)
    activations = {plan.spec.activation for plan in network.graph.plans if hasattr(plan.spec, "activation")}
    kinds = {spec.structure.kind_name(i) for i in range(len(spec.structure.kinds))}
    how = (", the recurrent layer step by step and back through time" if "rnn" in kinds else
           ", the convolutions and pools through strided views of their inputs")
    header = textwrap.wrap(f"Generated by derive from {origin(network)} (layers style): every layer over arrays of "
                           f"samples{how}. Parameters by layer (l: the [[layers]] table, from 1):", WIDTH)
    header += [line for v in views for line in textwrap.wrap(v["describe"] + ".", WIDTH, subsequent_indent="    ")]
    lines = _output_delta(network, at, spec.training.reduction == "mean") + backward
    loss = _loss_lines(network, at)
    return {
        "name": spec.name, "title": spec.title, "header": header, "verified": verified,
        "unpack_loss": "nets, outs" if any("nets[" in line for line in loss) else "_, outs",
        "unpack_grads": "nets, outs" if any("nets[" in line for line in lines) else "_, outs",
        "layers": views, "depth": at,
        "backward": lines, "loss_lines": loss, "learning_rate": _literal(spec.training.learning_rate),
        "update": spec.training.update, "mean": spec.training.reduction == "mean",
        "inputs": _literal(_sample_arrays(network, True)), "targets": _literal(_sample_arrays(network, False)),
        "input_shape": _input_shape(network), "sample_names": ", ".join(s.name for s in spec.samples),
        "steps": "[" + ", ".join(str(s) for s in spec.training.steps) + "]",
        "frozen": [name for v in views for name in v["frozen"]], "total": network.e_total.name,
        "nets": ", ".join(f"net{v['index']}" if v["net"] else "None" for v in views),
        "outs": ", ".join(f"out{v['index']}" for v in views),
        "uses": {"sigmoid": "sigmoid" in activations | {spec.layers[-1].activation},
                 "softmax": spec.layers[-1].activation == "softmax",
                 "logsumexp": network.loss.name == "cross_entropy" or spec.layers[-1].activation == "softmax",
                 "conv": "conv2d" in kinds, "maxpool": "maxpool2d" in kinds, "avgpool": "avgpool2d" in kinds,
                 "windows": bool(kinds & {"conv2d", "maxpool2d", "avgpool2d"})},
    }


def _sample_arrays(network: Network, inputs: bool) -> list[Any]:
    """The samples' inputs or targets as nested lists of the arrays' shapes (samples first)."""
    structure = network.spec.structure
    found = []
    for s in network.spec.samples:
        values = list(s.inputs if inputs else s.targets)
        if inputs and structure.image is not None:
            shape = structure.image.shape
            found.append(_reshape(values, (shape.channels, shape.height, shape.width)))
        elif inputs:
            found.append(_reshape(values, (structure.steps, len(structure.features))))
        elif structure.per_step:
            found.append(_reshape(values, (structure.steps, len(network.spec.layers[-1].neurons))))
        else:
            found.append(values)
    return found


def _reshape(values: list[Any], shape: tuple[int, ...]) -> list[Any]:
    if len(shape) == 1:
        return values
    size = len(values) // shape[0]
    return [_reshape(values[i * size:(i + 1) * size], shape[1:]) for i in range(shape[0])]


def _input_shape(network: Network) -> str:
    structure = network.spec.structure
    if structure.image is not None:
        return "samples x channels x rows x columns"
    return "samples x steps x inputs"


def generate(d: Derivation, verified: tuple[str, ...] = ()) -> str:
    """The update module of a network with convolution, pooling or recurrent layers; `verified`: the header's
    lines saying how it was checked before it was written."""
    return environment().get_template("update_layers.py.j2").render(view(d, verified))
