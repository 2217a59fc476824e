"""Code generation: NumPy update code written from the derivation, in two styles.

`vector`: layer matrices and the delta rule, batched over samples. `scalar`: one line per derivative,
named like the walkthrough, printed from the engine's closed forms by SymPy's NumPy printer with
common-subexpression elimination. Python prepares every string here; the templates place them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sympy
from sympy import Expr, Symbol
from sympy.printing.numpy import NumPyPrinter

from derive.code import SCALAR_LIMIT
from derive.code.optimizer_code import optimizer_view
from derive.maths import layers
from derive.maths.derivation import Derivation, closed_forms, closed_gradient
from derive.model.network import Network
from derive.templating import environment

# NumPy forms of each activation, stable for pre-activations of any magnitude: the sigmoid never
# exponentiates a large positive number. Their slopes and the output deltas are printed from the layer
# rules of `derive.maths.layers`, derived by SymPy.
ACTIVATION_CODE = {
    "sigmoid": "sigmoid({net})",
    "tanh": "np.tanh({net})",
    "relu": "np.maximum({net}, 0.0)",
    "identity": "{net}",
    "softmax": "softmax({net})",
}
# E_total per sample over rows; log-losses are fused with their activation, from the nets, for stability.
LOSS_VALUE_CODE = {
    "cross_entropy": "-np.sum(Y * ({net} - logsumexp({net})), axis=1)",
    "binary_cross_entropy": "np.sum(np.logaddexp(0.0, {net}) - Y * {net}, axis=1)",
    "half_sse": "0.5 * np.sum((Y - {out}) ** 2, axis=1)",
    "mse": "np.mean((Y - {out}) ** 2, axis=1)",
}


class RulePrinter(NumPyPrinter):
    """A layer rule of the generic neuron (out, net, t) printed over one layer's arrays of rows."""

    def __init__(self, names: dict[Symbol, str]) -> None:
        super().__init__({"fully_qualified_modules": True})
        self.names = names

    def _module_format(self, fqn: str, register: bool = True) -> str:
        return super()._module_format("np." + fqn[len("numpy."):] if fqn.startswith("numpy.") else fqn, register)

    def _print_Heaviside(self, expr: Expr) -> str:  # H(0) = 0, the frameworks' convention
        return f"({self._print(expr.args[0])} > 0.0)"

    def _print_Symbol(self, expr: Symbol) -> str:
        return self.names[expr]


def _rule_code(rule: Expr, layer: int) -> str:
    """`rule` over layer `layer` (1-based) of the generated gradients(): its outs[l], nets[l - 1], Y."""
    names = {layers.OUT: f"outs[{layer}]", layers.NET: f"nets[{layer - 1}]", layers.TARGET: "Y"}
    return RulePrinter(names).doprint(rule)


@dataclass(frozen=True)
class LossCode:
    """E_total per sample, and the lines giving delta of the output layer, in NumPy over rows of samples."""

    value: str
    delta: tuple[str, ...]


def _loss_code(network: Network) -> LossCode:
    """The output layer's loss and the lines of its delta, printed from its layer rule."""
    depth = len(network.layers)
    value = LOSS_VALUE_CODE[network.loss.name].format(net=f"nets[{depth - 1}]", out=f"outs[{depth}]")
    rule = layers.width_rule(network)
    code = _rule_code(rule.delta, depth)
    if not rule.coupled:
        return LossCode(value, (f"delta{depth} = {code}",))
    # softmax: delta_j = sum_k p_k / out_k * out_k ([k = j] - out_j) = p_j - out_j * sum_k p_k
    return LossCode(value, (f"p = {code}", f"delta{depth} = p - outs[{depth}] * np.sum(p, axis=1, keepdims=True)"))


def _literal(values: Any) -> str:
    """A nested list of spec decimals as a Python literal (the decimals exactly as written)."""
    if isinstance(values, (list, tuple)):
        return "[" + ", ".join(_literal(v) for v in values) + "]"
    text = str(values)
    return text if ("." in text or "E" in text.upper()) else f"{text}.0"


def _layer_view(network: Network, index: int) -> dict[str, Any]:
    spec_layer = network.spec.layers[index]
    neurons = network.layers[index]
    bias = spec_layer.bias
    activation = neurons[0].activation.name
    slope = layers.slope(activation) if activation != "softmax" else None
    return {
        "index": index + 1,
        "names": "[" + ", ".join("[" + ", ".join(link.weight.name for link in n.links) + "]" for n in neurons) + "]",
        "weights": _literal([list(row) for row in spec_layer.weights]),
        "bias_mode": bias.mode,
        "bias_values": (_literal(list(bias.values)) if bias.mode == "per_neuron"
                        else _literal(bias.values[0]) if bias.mode == "shared" else ""),
        "bias_names": list(bias.names),
        "bias_sign": "-" if bias.form == "threshold" else "+",
        "bias_trainable": bias.trainable,
        "activation": ACTIVATION_CODE[activation].format(net=f"net{index + 1}"),
        # None where the slope is 1 (identity): delta is not multiplied by it
        "slope": None if slope is None or slope == 1 else _rule_code(slope, index + 1),
        "neurons": ", ".join(n.name for n in neurons),
    }


def _samples(network: Network) -> tuple[str, str]:
    samples = network.spec.samples
    return _literal([list(s.inputs) for s in samples]), _literal([list(s.targets) for s in samples])


def origin(network: Network, lang: str = "en") -> str:
    """Where the code came from, built from validated names only: a file path never reaches code."""
    spec = network.spec
    preset = spec.source == f"preset {spec.name}"
    if lang == "zh":
        return f"预设网络 {spec.name} " if preset else f"网络描述文件 {spec.name}.toml "
    return f"preset {spec.name}" if preset else f"the spec file {spec.name}.toml"


def _common(network: Network, style: str, lang: str = "en") -> dict[str, Any]:
    spec = network.spec
    inputs, targets = _samples(network)
    steps = spec.training.steps
    return {
        "name": spec.name, "title": spec.title_in(lang), "source": origin(network, lang), "style": style,
        "total": network.e_total.name, "zh": lang == "zh",  # docstrings and comments in Chinese
        "learning_rate": _literal(spec.training.learning_rate), "update": spec.training.update,
        "mean": spec.training.reduction == "mean", "inputs": inputs, "targets": targets,
        "steps": _literal([int(s) for s in steps]).replace(".0", ""), "last_step": steps[-1],
        "sample_names": ", ".join(s.name for s in spec.samples),
        "uses": _uses(network), **optimizer_view(network, style),
    }


def _uses(network: Network) -> dict[str, bool]:
    acts = {layer[0].activation.name for layer in network.layers}
    return {"sigmoid": "sigmoid" in acts, "softmax": "softmax" in acts,
            "logsumexp": network.loss.name == "cross_entropy" or "softmax" in acts}


def vector_view(network: Network, verified: tuple[str, ...] = ()) -> dict[str, Any]:
    layer_views = [_layer_view(network, i) for i in range(len(network.layers))]
    loss = _loss_code(network)
    frozen = [f"b{layer['index']}" for layer in layer_views
              if layer["bias_mode"] != "none" and not layer["bias_trainable"]]
    slopes = " ".join(layer["slope"] or "" for layer in layer_views[:-1])
    return {**_common(network, "vector"), "layers": layer_views, "loss_value": loss.value, "loss_delta": loss.delta,
            "frozen": frozen, "depth": len(layer_views), "verified": verified,
            "unpack_loss": _unpacking("nets" in loss.value),
            "unpack_grads": _unpacking("nets" in " ".join(loss.delta) + slopes)}


def _unpacking(needs_nets: bool) -> str:
    """The left side of `... = forward(params, X)`: nets only where the code reads them."""
    return "nets, outs" if needs_nets else "_, outs"


class CodePrinter(NumPyPrinter):
    """NumPy code that calls the generated module's own stable helpers, with each symbol under its name
    in `names` (a notation's names for the code of its notebook), else its own."""

    def __init__(self, settings: dict[str, Any], names: Mapping[str, str] | None = None) -> None:
        super().__init__(settings)
        self.names = dict(names or {})

    def _module_format(self, fqn: str, register: bool = True) -> str:
        # The generated module imports numpy as np: name its functions that way.
        if fqn.startswith("numpy."):
            fqn = "np." + fqn[len("numpy."):]
        return super()._module_format(fqn, register)

    def _print_sigmoid(self, expr: Expr) -> str:
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_relu(self, expr: Expr) -> str:
        return f"np.maximum({self._print(expr.args[0])}, 0.0)"

    def _print_Heaviside(self, expr: Expr) -> str:
        return f"np.heaviside({self._print(expr.args[0])}, 0.0)"

    def _print_Symbol(self, expr: Symbol) -> str:
        # validated identifiers (derive.model.identifiers), a notation's, or CSE temporaries
        return self.names.get(expr.name, expr.name)


def _scalar_forward(printer: CodePrinter, network: Network) -> list[tuple[str, str]]:
    lines = []
    nm = printer.doprint
    for layer in network.layers:
        nets = tuple(k.net for k in layer)
        lines += [(nm(n.net), printer.doprint(n.net_expr())) for n in layer]
        if layer[0].activation.elementwise:
            lines += [(nm(n.out), printer.doprint(n.activation.forward(nets, n.position))) for n in layer]
        else:  # softmax: through the module's stable helper, one column per neuron
            stacked = ", ".join(nm(n.net) for n in layer)
            lines.append(("outs", f"softmax(np.stack([{stacked}], axis=-1))"))
            lines += [(nm(n.out), f"outs[..., {n.position}]") for n in layer]
    return lines


def _scalar_gradients(d: Derivation) -> list[Expr]:
    """Every gradient's closed form, output deltas cancelled where a log-loss meets its activation."""
    cancel = sympy.cancel if d.network.loss.name in ("cross_entropy", "binary_cross_entropy") else None
    closed = closed_forms(d.network, cancel)
    return [closed_gradient(d.network, closed, i) for i in range(len(d.network.params))]


def scalar_view(d: Derivation, names: Mapping[str, str] | None = None, lang: str = "en") -> dict[str, Any]:
    """The scalar module's parts; `names` renames symbols (by their names) and `lang` words the
    docstrings, for the notebook of a walkthrough in another notation or language."""
    network = d.network
    printer = CodePrinter({"fully_qualified_modules": True}, names)
    nm = printer.doprint  # a symbol's name in the code
    temps, reduced = sympy.cse(_scalar_gradients(d), symbols=sympy.numbered_symbols("cse_"), order="none")
    used = set().union(*[e.free_symbols for e in reduced], *[e.free_symbols for _, e in temps])
    return {
        **_common(network, "scalar", lang),
        "params": [{"name": nm(p.symbol), "value": _literal(p.initial), "trainable": p.trainable}
                   for p in network.params],
        "frozen": [nm(p.symbol) for p in network.params if not p.trainable],
        "inputs_by_column": [nm(x) for x in network.inputs],
        "targets_by_column": [nm(o.target) for o in network.outputs],
        "forward": _scalar_forward(printer, network),
        "outputs": [nm(s) for n in network.neurons for s in (n.net, n.out)],
        **_scalar_loss(printer, network),
        "read": sorted(nm(s) for s in used if s.name.startswith(("out_", "net_"))),
        "grad_params": [nm(p.symbol) for p in network.params if p.symbol in used],
        "grad_inputs": [(nm(x), i) for i, x in enumerate(network.inputs) if x in used],
        "grad_targets": [(nm(o.target), i) for i, o in enumerate(network.outputs) if o.target in used],
        "temps": [(str(s), printer.doprint(e)) for s, e in temps],
        "grads": [(f"dE_d{nm(p.symbol)}", nm(p.symbol), printer.doprint(e)) for p, e in zip(network.params, reduced)],
        "total": nm(network.e_total), "example": _example(network, nm),
    }


def _example(network: Network, nm: Callable[[Symbol], str]) -> str:
    """The parameter the header names as an example: the first weight of the last layer (w5 in mazur)."""
    last = [p for p in network.params if p.kind == "weight" and p.layer == len(network.layers) - 1]
    return nm((last or list(network.params))[0].symbol)


def _scalar_loss(printer: CodePrinter, network: Network) -> dict[str, Any]:
    """Lines computing E_total per sample; log-losses from the nets, so that nothing overflows."""
    lines, errors = [], []
    loss = network.loss.name
    if loss == "cross_entropy":
        nets = ", ".join(f'values["{printer.doprint(o.neuron.net)}"]' for o in network.outputs)
        lines.append(f"lse = logsumexp(np.stack([{nets}], axis=-1))[:, 0]")
    for i, o in enumerate(network.outputs):
        t, out, net = (printer.doprint(s) for s in (o.target, o.neuron.out, o.neuron.net))
        lines.append(f"{t} = Y[:, {i}]")
        if loss == "cross_entropy":
            code = f'-{t} * (values["{net}"] - lse)'
        elif loss == "binary_cross_entropy":
            code = f'np.logaddexp(0.0, values["{net}"]) - {t} * values["{net}"]'
        else:
            lines.append(f'{out} = values["{out}"]')
            code = printer.doprint(o.loss_expr)
        lines.append(f"{printer.doprint(o.error)} = {code}")
        errors.append(printer.doprint(o.error))
    return {"loss_lines": lines, "loss_total": " + ".join(errors)}


def default_style(network: Network) -> str:
    """Scalar code for networks a reader can follow line by line, vector code beyond."""
    return "scalar" if len(network.params) <= SCALAR_LIMIT else "vector"


def generate(d: Derivation, style: str, names: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """The update module of `d` in `style`; the scalar style with the symbols renamed by `names` and
    its docstrings in `lang` (en or zh)."""
    if style == "vector":
        return generate_vector(d.network)
    return environment().get_template("update_scalar.py.j2").render(scalar_view(d, names, lang))


def generate_vector(network: Network, verified: tuple[str, ...] = ()) -> str:
    """Vector-style code needs only the network's shape and its layer rules: no per-parameter derivation
    is built. `verified`: the header's lines saying how the code was verified before it was written."""
    return environment().get_template("update_vector.py.j2").render(vector_view(network, verified))
