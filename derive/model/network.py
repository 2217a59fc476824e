"""The network: a validated spec turned into SymPy symbols, neurons and trainable parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from sympy import Add, Expr, Integer, Symbol

import derive.model.identifiers as identifiers
from derive.model.rules import Activation, Loss, get_activation, loss_for
from derive.model.spec import LayerSpec, Spec


def symbol(name: str) -> Symbol:
    """Every symbol is real: the engine's expressions are real-valued functions of real numbers."""
    return Symbol(name, real=True)


@dataclass(frozen=True)
class Param:
    """A weight or a bias (threshold) of the network."""

    name: str
    kind: str  # weight | bias
    trainable: bool
    initial: Decimal
    layer: int

    @cached_property
    def symbol(self) -> Symbol:
        """Made when first asked for: the vector code of 100,000 weights names few of them symbolically."""
        return symbol(self.name)


@dataclass(frozen=True)
class Link:
    """One incoming connection: `weight` times the output `source` of a neuron (or an input)."""

    weight: Param
    source: Symbol
    source_name: str


@dataclass(frozen=True)
class Neuron:
    """net = sum(weight * source) + sign * bias;  out = activation(net)."""

    name: str
    layer: int
    position: int
    activation: Activation
    net: Symbol
    out: Symbol
    delta: Symbol
    links: tuple[Link, ...]
    bias: Param | None
    bias_sign: int  # +1 for a bias, -1 for a threshold

    def net_expr(self) -> Expr:
        terms = [link.weight.symbol * link.source for link in self.links]
        if self.bias is not None:
            terms.append(self.bias_sign * self.bias.symbol)
        return Add(*terms)

    def local_derivatives(self) -> tuple[tuple[Param, Expr], ...]:
        """d net / d w = the weight's source, d net / d b = the bias sign (-1 for a threshold)."""
        rules = [(link.weight, link.source) for link in self.links]
        if self.bias is not None:
            rules.append((self.bias, Integer(self.bias_sign)))
        return tuple(rules)


@dataclass(frozen=True)
class Usage:
    """A parameter inside one neuron's net, with d net / d param."""

    neuron: Neuron
    dnet: Expr


@dataclass(frozen=True)
class Output:
    """An output neuron with its target and its share E_o of the loss."""

    neuron: Neuron
    target: Symbol
    error: Symbol
    loss_expr: Expr


@dataclass(frozen=True)
class Network:
    spec: Spec
    inputs: tuple[Symbol, ...]
    layers: tuple[tuple[Neuron, ...], ...]
    outputs: tuple[Output, ...]
    params: tuple[Param, ...]
    loss: Loss
    e_total: Symbol
    eta: Symbol
    usages: tuple[tuple[Usage, ...], ...]  # parallel to params: several for a shared bias
    # where the spec has convolution, pooling or recurrent layers: which stages (`layers`) make up which
    # of its layers (a derive.model.wiring.Wiring); None for a network of dense layers
    graph: Any = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        return tuple(n for layer in self.layers for n in layer)

    def sizes(self) -> tuple[int, ...]:
        return (len(self.inputs), *tuple(len(layer) for layer in self.layers))

    @property
    def data(self) -> frozenset[str]:
        """The names of what the samples and the training give: the inputs, the targets, the learning rate."""
        return frozenset([s.name for s in self.inputs] + [o.target.name for o in self.outputs] + [self.eta.name])

    @property
    def givens(self) -> frozenset[str]:
        """The names the spec gives a value: the data and every parameter (its value before any update)."""
        return self.data | {p.name for p in self.params}


# The network of a spec with convolution, pooling or recurrent layers is built by derive.model.wiring (built
# on this module, so not imported here): derive.model puts a hook here that imports it with the first
# such spec.
wired_builder: Callable[[Spec], Network] | None = None


def _layer_params(spec_layer: LayerSpec, index: int) -> tuple[list[list[Param]], list[Param]]:
    weights = [
        [Param(name, "weight", True, value, index)
         for name, value in zip(names_row, values_row)]
        for names_row, values_row in zip(spec_layer.weight_names, spec_layer.weights)
    ]
    b = spec_layer.bias
    biases = [Param(name, "bias", b.trainable, value, index)
              for name, value in zip(b.names, b.values)]
    return weights, biases


def _layer(spec_layer: LayerSpec, index: int, sources: tuple[tuple[str, Symbol], ...],
           weights: list[list[Param]], biases: list[Param]) -> tuple[Neuron, ...]:
    activation = get_activation(spec_layer.activation)
    sign = -1 if spec_layer.bias.form == "threshold" else 1
    neurons = []
    for position, name in enumerate(spec_layer.neurons):
        links = tuple(Link(w, src, src_name) for w, (src_name, src) in zip(weights[position], sources))
        bias = _bias_of(spec_layer.bias.mode, biases, position)
        neurons.append(Neuron(name, index, position, activation, symbol(identifiers.net(name)),
                              symbol(identifiers.out(name)), symbol(identifiers.delta(name)), links, bias, sign))
    return tuple(neurons)


def _bias_of(mode: str, biases: list[Param], position: int) -> Param | None:
    if mode == "shared":
        return biases[0]
    if mode == "per_neuron":
        return biases[position]
    return None


def build(spec: Spec) -> Network:
    """Symbols for every input, target, weight and bias, and the neurons that connect them."""
    if spec.structure is not None and wired_builder is not None:  # wired entry by entry
        return wired_builder(spec)
    inputs = tuple(symbol(name) for name in spec.inputs)
    sources: tuple[tuple[str, Symbol], ...] = tuple(zip(spec.inputs, inputs))
    layers, params = [], []
    for index, spec_layer in enumerate(spec.layers):
        weights, biases = _layer_params(spec_layer, index)
        params += [p for row in weights for p in row] + biases
        layer = _layer(spec_layer, index, sources, weights, biases)
        layers.append(layer)
        sources = tuple((n.name, n.out) for n in layer)
    loss = loss_for(spec.loss, spec.layers[-1].activation)
    count = len(layers[-1])
    outputs = tuple(
        Output(n, symbol(identifiers.target(n.name)), symbol(identifiers.error(n.name)),
               loss.per_output(symbol(identifiers.target(n.name)), n.out, count))
        for n in layers[-1]
    )
    return Network(spec, inputs, tuple(layers), outputs, tuple(params), loss,
                   symbol(identifiers.E_TOTAL), symbol(identifiers.ETA), _usages(params, layers))


def _usages(params: list[Param], layers: list[tuple[Neuron, ...]]) -> tuple[tuple[Usage, ...], ...]:
    found: dict[str, list[Usage]] = {p.name: [] for p in params}
    for layer in layers:
        for neuron in layer:
            for param, dnet in neuron.local_derivatives():
                found[param.name].append(Usage(neuron, dnet))
    return tuple(tuple(found[p.name]) for p in params)
