"""Layer-level rules: each layer kind's delta rule derived once from one generic neuron, the gradients
computed layer by layer from them, and the proof that they equal the per-weight closed forms.

A layer kind is its activation (and, for the output layer, the loss). Differentiating one generic
neuron, `out = f(net)`, gives the slope dout/dnet stated in `out` where it is a function of it; the
output layer's delta dE/dnet follows from the loss's dE/dout. A softmax layer couples its neurons:
with p = dE/dout * out, its delta is p - out * (the sum of p over the layer). Linear layers carry
delta back through the weights: delta_l = (delta_{l+1} W_{l+1}) * slope_l, dE/dW_l = delta_l^T out_{l-1}.
The vector code is printed from these rules; `prove` compares them with the per-weight closed forms
of a small network with the same layer kinds, at the working precision.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import sympy
from sympy import Expr, diff

from derive.maths.derivation import agree, closed_forms, closed_gradients
from derive.maths.numeric import Trainer, evaluate
from derive.model.network import Network, build, symbol
from derive.model.precision import CTX, Real
from derive.model.rules import get_activation, loss_for
from derive.model.spec import Spec, from_mapping

# The generic neuron: its net, its out and (in the output layer) its target and the layer's width.
NET, OUT, TARGET = symbol("net"), symbol("out"), symbol("t")
COUNT = sympy.Symbol("n", positive=True, integer=True)
# The small network of the proof: at most this many neurons a layer, this many samples and points.
SMALL_WIDTH = 3
SMALL_SAMPLES = 2
PROOF_POINTS = 2


@dataclass(frozen=True)
class OutputRule:
    """The output layer's delta: `delta` per neuron, or, where `coupled` (softmax), p = `delta` per neuron
    and the layer's delta p - out * sum(p)."""

    delta: Expr
    coupled: bool


@cache
def slope(activation: str) -> Expr:
    """dout/dnet of a generic neuron of `activation`, stated in its out where it is a function of it."""
    value = get_activation(activation).forward((NET,), 0)
    return diff(value, NET).subs(value, OUT) if value != NET else diff(value, NET)


@cache
def output_rule(loss: str, activation: str) -> OutputRule:
    """dE/dnet of a generic output neuron of a layer of COUNT neurons."""
    rule = loss_for(loss, activation)
    grad = sympy.factor_terms(diff(rule.per_output(TARGET, OUT, COUNT), OUT))
    if not get_activation(activation).elementwise:  # softmax: dout_k/dnet_j = out_k ([k = j] - out_j)
        return OutputRule(sympy.factor_terms(sympy.cancel(grad * OUT)), True)
    delta = grad * slope(activation)
    # a log-loss's 1/out and 1/(1 - out) cancel against the slope: nothing divides by zero
    return OutputRule(sympy.factor(delta) if rule.name.endswith("cross_entropy") else delta, False)


def width_rule(network: Network) -> OutputRule:
    """The output rule of `network`, at its output layer's width."""
    last = network.spec.layers[-1]
    rule = output_rule(network.spec.loss, last.activation)
    return OutputRule(rule.delta.subs(COUNT, len(last.neurons)), rule.coupled)


def _at(expr: Expr, out: Real, net: Real, target: Real | None = None) -> Real:
    values = {OUT: out, NET: net} if target is None else {OUT: out, NET: net, TARGET: target}
    return evaluate(expr, values)


def _output_deltas(network: Network, nets: list[Real], outs: list[Real], targets: list[Real]) -> list[Real]:
    rule = width_rule(network)
    p = [_at(rule.delta, o, n, t) for o, n, t in zip(outs, nets, targets)]
    if not rule.coupled:
        return p
    total = CTX.fsum(p)
    return [pj - o * total for pj, o in zip(p, outs)]


def layer_deltas(network: Network, trainer: Trainer, params: Sequence[Real],
                 sample: tuple[list[Real], list[Real]]) -> tuple[list[list[Real]], list[list[Real]]]:
    """Every layer's deltas (first layer first) and outs (inputs first) for one sample, by the layer rules."""
    nets, outs = trainer.forward(params, sample[0])
    deltas = [_output_deltas(network, nets[-1], outs[-1], sample[1])]
    for layer in range(len(network.layers) - 1, 0, -1):  # each layer (1-based) from the one after it
        links, rule = trainer.links[layer], slope(network.spec.layers[layer - 1].activation)
        after = deltas[0]
        deltas.insert(0, [CTX.fsum(after[k] * params[links[k][j]] for k in range(len(after)))
                          * _at(rule, outs[layer][j], nets[layer][j]) for j in range(len(outs[layer]))])
    return deltas, outs


def layer_gradients(network: Network, flat: Sequence[Real]) -> list[Real]:
    """dE/dp for every parameter (network.params order) by the layer rules, over the spec's samples."""
    trainer = Trainer(network)
    params = [CTX.mpf(v) for v in flat]
    totals = [CTX.zero] * len(params)
    for sample in trainer.samples:
        deltas, outs = layer_deltas(network, trainer, params, sample)
        for layer, layer_deltas_ in enumerate(deltas):
            for j, d in enumerate(layer_deltas_):
                for i, index in enumerate(trainer.links[layer][j]):
                    totals[index] += d * outs[layer][i]
                bias = trainer.biases[layer][j]
                if bias is not None:
                    index, sign = bias
                    totals[index] += sign * d
    if network.spec.training.reduction == "mean":
        totals = [t / len(trainer.samples) for t in totals]
    return totals


def small_spec(spec: Spec, seed: int = 0) -> Spec:
    """A network of the same layer kinds as `spec` (activations, bias modes and forms, loss, training), at
    most SMALL_WIDTH neurons a layer, with SMALL_SAMPLES random samples."""
    rng = random.Random(seed)
    widths = [min(len(spec.inputs), SMALL_WIDTH)] + [min(len(layer.neurons), SMALL_WIDTH) for layer in spec.layers]
    layers = [_small_layer(layer, fan_in, width, rng) for layer, fan_in, width in zip(spec.layers, widths, widths[1:])]
    samples = [{"inputs": [_decimal(rng.uniform(-1.0, 1.0)) for _ in range(widths[0])],
                "targets": [_decimal(rng.uniform(0.0, 1.0)) for _ in range(widths[-1])]} for _ in range(SMALL_SAMPLES)]
    data = {"title": "A small network", "inputs": widths[0], "loss": spec.loss, "layers": layers, "samples": samples,
            "training": {"learning_rate": spec.training.learning_rate, "steps": [1]}}
    small = from_mapping(data, f"{spec.source} (small network of its layer kinds)", f"{spec.name}_small")
    return dataclasses.replace(small, training=spec.training)


def _small_layer(layer: Any, fan_in: int, width: int, rng: random.Random) -> dict[str, Any]:
    data = {"neurons": width, "activation": layer.activation,
            "weights": [[_decimal(rng.uniform(-1.0, 1.0)) for _ in range(fan_in)] for _ in range(width)]}
    bias = layer.bias
    if bias.mode != "none":
        count = 1 if bias.mode == "shared" else width
        data["bias"] = {"mode": bias.mode, "form": bias.form, "trainable": bias.trainable,
                        "values": [_decimal(rng.uniform(-1.0, 1.0)) for _ in range(count)]}
    return data


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def small_network(spec: Spec, seed: int = 0) -> Network:
    return build(small_spec(spec, seed))


def prove(small: Network, points: int = PROOF_POINTS, seed: int = 0) -> list[str]:
    """Where the gradients of `small` by the layer rules differ from its per-weight closed forms at the
    working precision, at `points` random points (empty: they agree everywhere)."""
    closed = closed_forms(small)
    rng = random.Random(seed)
    found = []
    for _ in range(points):
        flat = [CTX.mpf(rng.uniform(-1.0, 1.0)) for _ in small.params]
        closed_values = closed_gradients(small, closed, flat)
        for p, by_layer, by_weight in zip(small.params, layer_gradients(small, flat), closed_values):
            if not agree(by_layer, by_weight):
                found.append(f"dE/d{p.name} of the small network: layer rules {by_layer}, closed form {by_weight}")
    return found


def rule_names(network: Network) -> list[tuple[str, Expr]]:
    """Each layer kind of `network` with the rule derived for it, for the generated file's header."""
    kinds: list[tuple[str, Expr]] = []
    for layer in network.spec.layers[:-1]:
        entry = (f"{layer.activation}: dout/dnet", slope(layer.activation))
        if entry not in kinds:
            kinds.append(entry)
    last = network.spec.layers[-1]
    rule = output_rule(network.spec.loss, last.activation)
    name = f"{last.activation} output with {network.loss.name}: "
    kinds.append((name + ("p (delta = p - out sum(p))" if rule.coupled else "delta"), rule.delta))
    return kinds
