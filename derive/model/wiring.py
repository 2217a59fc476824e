"""The network of a spec with convolution, pooling or recurrent layers, wired entry by entry.

Every entry of a feature map is a neuron whose links are the window its kernel covers (the kernel's
entries are parameters shared by every position), every entry of a pooled map a `PoolNeuron` reading
its window, and an rnn layer unrolled over the sequence is one stage of neurons per step, linked to that
step's inputs by W_x and to the step before's states by W_h (shared by every step; h_0 = 0, so the first
step has no recurrent links). The result is an ordinary `Network` whose `layers` are these stages in
the order they are computed, with `graph` saying which stages make up which layer, for the notes and
the code. A shared parameter's uses are its `usages`, one per neuron: the engine sums its gradient over
them, as it sums a shared bias's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from collections.abc import Sequence
from typing import Any

from sympy import Add, Expr, Heaviside, Integer, Mul, Symbol

import derive.model.identifiers as identifiers
import derive.model.kinds as k
import derive.model.network as networks
from derive.model.network import Link, Network, Neuron, Output, Param, _usages, symbol
from derive.model.rules import get_activation, loss_for
from derive.model.spec import BiasSpec, LayerSpec, Spec
from derive.model.structure import output_names

Source = tuple[str, Symbol]  # a source's name (an input's or a neuron's) and the symbol it gives


@dataclass(frozen=True)
class PoolNeuron(Neuron):
    """An entry of a pooled map: the max or the mean of its window. It has no weights; its net is that
    max or mean and its out the same (identity), so every later stage reads it like any neuron."""

    mode: str = "max"
    window: tuple[Source, ...] = ()

    def net_expr(self) -> Expr:
        symbols = [s for _, s in self.window]
        return Add(*[s * self.route(j) for j, s in enumerate(symbols)])

    def route(self, j: int) -> Expr:
        """d max / d (entry j of the window): 1 where entry j is the largest and 0 elsewhere, a tie going
        to the first in reading order (PyTorch's rule); 1/m for the mean of m entries."""
        symbols = [s for _, s in self.window]
        if self.mode == "avg":
            return Integer(1) / len(symbols)
        me = symbols[j]
        # strictly above every earlier entry, at least every later one: a tie goes to the earlier
        return Mul(*[Heaviside(me - s, 0) for s in symbols[:j]], *[Heaviside(me - s, 1) for s in symbols[j + 1:]])

    def local_derivatives(self) -> tuple[tuple[Param, Expr], ...]:
        return ()


@dataclass(frozen=True)
class ConvPlan:
    index: int  # its [[layers]] table
    spec: k.ConvSpec
    stage: int  # its neurons' stage in network.layers
    source: Any  # [channel][row][column] of Source: the maps it reads
    kernel: Any  # [channel][in channel][row][column] of Param
    biases: tuple[Param | None, ...]  # per output channel
    neurons: Any  # [channel][row][column] of Neuron


@dataclass(frozen=True)
class PoolPlan:
    index: int
    spec: k.PoolSpec
    stage: int
    source: Any
    neurons: Any  # [channel][row][column] of PoolNeuron


@dataclass(frozen=True)
class DensePlan:
    index: int
    spec: LayerSpec
    stages: tuple[int, ...]  # one, or one per step
    weights: tuple[tuple[Param, ...], ...]  # [neuron][source]
    biases: tuple[Param, ...]
    neurons: tuple[tuple[Neuron, ...], ...]  # per stage


@dataclass(frozen=True)
class RecurrentPlan:
    index: int
    spec: k.RecurrentSpec
    stages: tuple[int, ...]  # one per step
    inputs: tuple[tuple[Source, ...], ...]  # [step][input]
    input_weights: tuple[tuple[Param, ...], ...]  # W_x [unit][input]
    recurrent_weights: tuple[tuple[Param, ...], ...]  # W_h [unit][unit]
    biases: tuple[Param | None, ...]  # per unit
    neurons: tuple[tuple[Neuron, ...], ...]  # [step][unit]


Plan = ConvPlan | PoolPlan | DensePlan | RecurrentPlan


@dataclass(frozen=True)
class Wiring:
    """Which stages of the network make up which layer of the spec, and the grids they read."""

    plans: tuple[Plan, ...]
    image: Any = None  # [channel][row][column] of Source: the input image
    steps: int = 0  # a sequence network's steps
    work: int = 0  # the connections of one pass (links, window entries, biases): the iterations' cost per sample

    def plan_of(self, stage: int) -> Plan:
        for plan in self.plans:
            if stage == getattr(plan, "stage", None) or stage in getattr(plan, "stages", ()):
                return plan
        raise KeyError(stage)


class _Builder:
    """The stages and parameters as they are made, in reading order."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.stages: list[tuple[Neuron, ...]] = []
        self.params: list[Param] = []
        self.plans: list[Plan] = []

    def param(self, name: str, kind: str, trainable: bool, value: Decimal, layer: int) -> Param:
        p = Param(name, kind, trainable, value, layer)
        self.params.append(p)
        return p

    def biases(self, bias: BiasSpec, layer: int) -> list[Param]:
        return [self.param(n, "bias", bias.trainable, v, layer) for n, v in zip(bias.names, bias.values)]

    def stage(self, neurons: Sequence[Neuron]) -> int:
        self.stages.append(tuple(neurons))
        return len(self.stages) - 1


def _neuron(name: str, stage: int, position: int, activation: str, links: tuple[Link, ...],
            bias: Param | None, sign: int = 1) -> Neuron:
    return Neuron(name, stage, position, get_activation(activation), symbol(identifiers.net(name)),
                  symbol(identifiers.out(name)), symbol(identifiers.delta(name)), links, bias, sign)


def _grid(names: Any, make: Any) -> Any:
    if isinstance(names, tuple):
        return tuple(_grid(n, make) for n in names)
    return make(names)


def _conv(b: _Builder, index: int, spec: k.ConvSpec, source: Any) -> tuple[ConvPlan, Any]:
    kernel = _grid(spec.weight_names, lambda n: n)
    values = dict(zip(k.flat(spec.weight_names), k.flat(spec.weights)))
    kernel = _grid(kernel, lambda n: b.param(n, "weight", True, values[n], index))
    biases = b.biases(spec.bias, index)
    names = k.map_names(spec.map_name, spec.out_shape)
    stage = len(b.stages)
    neurons: list[Any] = []
    flat_neurons: list[Neuron] = []
    for o in range(spec.out_shape.channels):
        rows = []
        for r in range(spec.out_shape.height):
            row = []
            for s in range(spec.out_shape.width):
                links = tuple(_window_links(spec, source, kernel[o], r, s))
                n = _neuron(names[o][r][s], stage, len(flat_neurons), spec.activation, links,
                            biases[o] if biases else None)
                row.append(n)
                flat_neurons.append(n)
            rows.append(tuple(row))
        neurons.append(tuple(rows))
    b.stage(flat_neurons)
    plan = ConvPlan(index, spec, stage, source, kernel, tuple(biases) if biases else
                    tuple(None for _ in range(spec.out_shape.channels)), tuple(neurons))
    return plan, _outs(plan.neurons)


def _window_links(spec: k.ConvSpec, source: Any, kernel: Any, r: int, s: int) -> list[Link]:
    """The links of output entry (r, s): every kernel entry over the input entry under it; entries over
    the zero padding add nothing and have no link."""
    links = []
    for i, channel in enumerate(source):
        for a in range(spec.kernel[0]):
            for c in range(spec.kernel[1]):
                row, col = r * spec.stride[0] - spec.padding[0] + a, s * spec.stride[1] - spec.padding[1] + c
                if 0 <= row < len(channel) and 0 <= col < len(channel[0]):
                    name, sym = channel[row][col]
                    links.append(Link(kernel[i][a][c], sym, name))
    return links


def _outs(neurons: Any) -> Any:
    return _grid(neurons, lambda n: (n.name, n.out))


def _pool(b: _Builder, index: int, spec: k.PoolSpec, source: Any) -> tuple[PoolPlan, Any]:
    names = k.map_names(spec.map_name, spec.out_shape)
    stage = len(b.stages)
    neurons: list[Any] = []
    flat_neurons: list[Neuron] = []
    identity = get_activation("identity")
    for c in range(spec.out_shape.channels):
        rows = []
        for r in range(spec.out_shape.height):
            row = []
            for s in range(spec.out_shape.width):
                window = tuple(source[c][r * spec.stride[0] + a][s * spec.stride[1] + e]
                               for a in range(spec.size[0]) for e in range(spec.size[1]))
                name = names[c][r][s]
                n = PoolNeuron(name, stage, len(flat_neurons), identity, symbol(identifiers.net(name)),
                               symbol(identifiers.out(name)), symbol(identifiers.delta(name)), (), None, 1,
                               spec.mode, window)
                row.append(n)
                flat_neurons.append(n)
            rows.append(tuple(row))
        neurons.append(tuple(rows))
    b.stage(flat_neurons)
    plan = PoolPlan(index, spec, stage, source, tuple(neurons))
    return plan, _outs(plan.neurons)


def _dense_params(b: _Builder, index: int, spec: LayerSpec) -> tuple[tuple[tuple[Param, ...], ...], list[Param]]:
    weights = tuple(tuple(b.param(n, "weight", True, v, index) for n, v in zip(names, values))
                    for names, values in zip(spec.weight_names, spec.weights))
    return weights, b.biases(spec.bias, index)


def _dense_stage(b: _Builder, spec: LayerSpec, sources: tuple[Source, ...], weights: Any, biases: list[Param],
                 names: tuple[str, ...]) -> tuple[Neuron, ...]:
    stage = len(b.stages)
    neurons = []
    for j, name in enumerate(names):
        links = tuple(Link(w, sym, src) for w, (src, sym) in zip(weights[j], sources))
        bias = biases[0] if spec.bias.mode == "shared" else (biases[j] if biases else None)
        neurons.append(_neuron(name, stage, j, spec.activation, links, bias,
                               -1 if spec.bias.form == "threshold" else 1))
    b.stage(neurons)
    return tuple(neurons)


def _image(spec: Spec) -> Any:
    image = spec.structure.image
    return _grid(k.map_names(image.name, image.shape), lambda n: (n, symbol(n)))


def _build_image(b: _Builder) -> Wiring:
    spec = b.spec
    source: Any = _image(spec)
    image = source
    vector: tuple[Source, ...] = ()
    plan: Plan
    for index, kind in enumerate(spec.structure.kinds):
        if isinstance(kind, k.ConvSpec):
            plan, source = _conv(b, index, kind, source)
        elif isinstance(kind, k.PoolSpec):
            plan, source = _pool(b, index, kind, source)
        elif isinstance(kind, k.FlattenSpec):
            vector = tuple(_flat_sources(source))
            continue
        else:
            layer = spec.layers[kind.index]
            weights, biases = _dense_params(b, index, layer)
            neurons = _dense_stage(b, layer, vector, weights, biases, layer.neurons)
            plan = DensePlan(index, layer, (neurons[0].layer,), weights, tuple(biases), (neurons,))
            vector = tuple((n.name, n.out) for n in neurons)
        b.plans.append(plan)
    return Wiring(tuple(b.plans), image=image)


def _flat_sources(grid: Any) -> list[Source]:
    """A grid of sources in reading order: channel, row, column (as torch.flatten)."""
    return [src for channel in grid for row in channel for src in row]


def _build_sequence(b: _Builder) -> Wiring:
    spec = b.spec
    structure = spec.structure
    rnn = structure.kinds[0]
    assert isinstance(rnn, k.RecurrentSpec)
    steps = structure.steps
    inputs = tuple(tuple((k.step_name(f, t + 1), symbol(k.step_name(f, t + 1))) for f in structure.features)
                   for t in range(steps))
    wx = tuple(tuple(b.param(n, "weight", True, v, 0) for n, v in zip(names, values))
               for names, values in zip(rnn.input_names, rnn.input_weights))
    wh = tuple(tuple(b.param(n, "weight", True, v, 0) for n, v in zip(names, values))
               for names, values in zip(rnn.recurrent_names, rnn.recurrent_weights))
    biases = b.biases(rnn.bias, 0)
    dense = [(index, spec.layers[kind.index]) for index, kind in enumerate(structure.kinds)
             if isinstance(kind, k.DenseRef)]
    params = [(index, layer, *_dense_params(b, index, layer)) for index, layer in dense]
    states: list[tuple[Neuron, ...]] = []
    dense_stages: list[list[tuple[Neuron, ...]]] = [[] for _ in dense]
    for t in range(steps):
        states.append(_recurrent_stage(b, rnn, t, inputs[t], wx, wh, biases, states[-1] if states else ()))
        if structure.per_step or t == steps - 1:
            vector = tuple((n.name, n.out) for n in states[-1])
            for slot, (_, layer, weights, layer_biases) in enumerate(params):
                names = tuple(k.step_name(n, t + 1) for n in layer.neurons) if structure.per_step else layer.neurons
                neurons = _dense_stage(b, layer, vector, weights, layer_biases, names)
                dense_stages[slot].append(neurons)
                vector = tuple((n.name, n.out) for n in neurons)
    plan = RecurrentPlan(0, rnn, tuple(s[0].layer for s in states), inputs, wx, wh,
                         _unit_biases(rnn.bias, biases, len(rnn.neurons)), tuple(states))
    b.plans.append(plan)
    for (index, layer, weights, layer_biases), stages in zip(params, dense_stages):
        b.plans.append(DensePlan(index, layer, tuple(s[0].layer for s in stages), weights, tuple(layer_biases),
                                 tuple(stages)))
    return Wiring(tuple(b.plans), steps=steps)


def _unit_biases(bias: BiasSpec, biases: list[Param], count: int) -> tuple[Param | None, ...]:
    if bias.mode == "shared":
        return tuple(biases[0] for _ in range(count))
    if bias.mode == "per_neuron":
        return tuple(biases)
    return tuple(None for _ in range(count))


def _recurrent_stage(b: _Builder, rnn: k.RecurrentSpec, t: int, inputs: tuple[Source, ...], wx: Any, wh: Any,
                     biases: list[Param], before: tuple[Neuron, ...]) -> tuple[Neuron, ...]:
    """Step t + 1: each unit's W_x links to the step's inputs, W_h links to the states of the step before."""
    stage = len(b.stages)
    unit_biases = _unit_biases(rnn.bias, biases, len(rnn.neurons))
    neurons = []
    for j, unit in enumerate(rnn.neurons):
        links = [Link(wx[j][i], sym, name) for i, (name, sym) in enumerate(inputs)]
        links += [Link(wh[j][m], h.out, h.name) for m, h in enumerate(before)]
        neurons.append(_neuron(k.step_name(unit, t + 1), stage, j, rnn.activation, tuple(links), unit_biases[j]))
    b.stage(neurons)
    return tuple(neurons)


def build(spec: Spec) -> Network:
    """The wired network of `spec` (a spec with `structure`): symbols, neurons stage by stage, parameters."""
    b = _Builder(spec)
    wiring = _build_image(b) if spec.structure.image is not None else _build_sequence(b)
    work = sum(len(n.links) + len(getattr(n, "window", ())) + 1 for stage in b.stages for n in stage)
    wiring = replace(wiring, work=work)
    loss = loss_for(spec.loss, spec.layers[-1].activation)
    by_name = {n.name: n for stage in b.stages for n in stage}
    per_step = len(spec.layers[-1].neurons)
    outputs = tuple(Output(by_name[name], symbol(identifiers.target(name)), symbol(identifiers.error(name)),
                           loss.per_output(symbol(identifiers.target(name)), by_name[name].out, per_step))
                    for name in output_names(spec))
    inputs = tuple(symbol(name) for name in spec.inputs)
    return Network(spec, inputs, tuple(b.stages), outputs, tuple(b.params), loss, symbol(identifiers.E_TOTAL),
                   symbol(identifiers.ETA), _usages(b.params, b.stages), wiring)


networks.wired_builder = build  # network.build builds these networks through this module
