"""Answers carried forward: a question's value recomputed from the student's own earlier answers.

A student who got `out_o1` wrong and then computed `E_total`, the gradients and the update from that
wrong value has done every later step right; so has a student who rounded `dE_total/dw1` to the three
digits asked and updated `w1` with it. The value each later step should then have is the variant's
forward pass, backward pass (the delta rule) and update with the student's numbers put in place of the
truth's (`out_o1` overridden, everything after it recomputed from it), and the interval it can take is
what the written digits of those numbers allow: each moved by one unit of its last digit (rounded or
truncated), the changes added (to first order, each found by recomputing with that number moved).
Supported where one update learns from one sample by plain gradient descent (the exercise sheets'
setting); elsewhere nothing is carried forward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sympy import Symbol

from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer, evaluate
from derive.model.network import Network
from derive.model.precision import CTX, Real


def supported(d: Derivation) -> bool:
    """One sample, plain gradient descent: the update is p - eta dE/dp of that sample; dense layers (the
    student's numbers are put in place by the layered passes)."""
    return (len(d.network.spec.samples) == 1 and d.network.spec.training.optimizer.plain
            and d.network.graph is None)


class _Own(Trainer):
    """The layered passes with the student's numbers in place of the truth's, before the update."""

    def __init__(self, network: Network, own: Mapping[str, Real]) -> None:
        super().__init__(network)
        self.own = own
        self.before = True  # the error after the update is the network's own, at the updated parameters

    def forward(self, params: Sequence[Real], inputs: Sequence[Real]) -> tuple[list[list[Real]], list[list[Real]]]:
        if not self.before or not self.own:
            return super().forward(params, inputs)
        outs: list[list[Real]] = [list(inputs)]
        nets: list[list[Real]] = [[]]
        for layer, links, biases, act in zip(self.network.layers, self.links, self.biases, self.activations):
            layer_nets = []
            for neuron, idx, bias in zip(layer, links, biases):
                total = CTX.fdot([params[i] for i in idx], outs[-1])
                if bias is not None:
                    total += bias[1] * params[bias[0]]
                layer_nets.append(self.own.get(neuron.net.name, total))
            computed = act.numeric(layer_nets)
            nets.append(layer_nets)
            outs.append([self.own.get(n.out.name, v) for n, v in zip(layer, computed)])
        return nets, outs


def carried(d: Derivation, name: str, own: Mapping[str, Real]) -> Real | None:
    """The value of `name` (a checker's name: `E_total`, `d:E_total/w5`, `w1@1`) computed from the
    student's answers `own` (by name) wherever they answered, from the truth elsewhere; None when
    nothing can be carried forward to it."""
    if not supported(d):
        return None
    trainer = _trainer(d)
    trainer.own, trainer.before = own, True
    base, at, step = name.partition("@")
    if at:
        return _after(d, trainer, base, step, own)
    return _before(d, trainer, name, own)


# a worker's trainers, one per derivation (and the derivation itself, so that its id stays its own)
_TRAINERS: dict[int, tuple[Derivation, _Own]] = {}


def _trainer(d: Derivation) -> _Own:
    found = _TRAINERS.get(id(d))
    if found is None or found[0] is not d:
        if len(_TRAINERS) > 64:
            _TRAINERS.clear()
        found = _TRAINERS[id(d)] = (d, _Own(d.network, {}))
    return found[1]


def interval(d: Derivation, name: str, own: Mapping[str, tuple[Real, Real]], answer: Real,
             slack: Real) -> tuple[Real, Real, tuple[str, ...]] | None:
    """(the value of `name` from the student's numbers, how far their written digits let it move, the
    answers it can depend on): `own` holds each answer's value and one unit of its last written digit.
    The spread is only worked out when `answer` is not within `slack` of the value itself."""
    own = relevant(d, name, own)
    centre = carried(d, name, {k: v for k, (v, _) in own.items()})
    if centre is None:
        return None
    if abs(answer - centre) <= slack:
        return centre, CTX.zero, tuple(own)
    spread = CTX.zero
    for key in own:
        value, unit = own[key]
        values = {k: v for k, (v, _) in own.items()}
        values[key] = value + unit
        up = carried(d, name, values)
        if up is None:
            return None
        spread += abs(up - centre)  # first order: the change one unit of the last digit written makes
    return centre, spread, tuple(own)


def relevant(d: Derivation, name: str, own: Mapping[str, tuple[Real, Real]]) -> dict[str, tuple[Real, Real]]:
    """The student's answers the value of `name` can depend on, of `own`."""
    return {k: own[k] for k in _inputs(d, name, own)}


def _inputs(d: Derivation, name: str, own: Mapping[str, tuple[Real, Real]]) -> list[str]:
    """The student's answers the value of `name` can depend on: the forward pass's for a value before
    the update (its loss only for the loss), a parameter's own gradient for its update (else the
    forward pass's), everything before the update for the error after it."""
    network = d.network
    errors = {o.error.name for o in network.outputs} | {network.e_total.name}
    forward = [k for k in own if "@" not in k and not k.startswith("d:") and k not in errors]
    base, at, _ = name.partition("@")
    if not at:
        return forward + [k for k in own if k in errors] if name in errors else forward
    if f"d:E_total/{base}" in own:
        return [f"d:E_total/{base}"]
    if base != network.e_total.name:
        return forward
    return forward + [k for k in own if k.startswith("d:E_total/") or "@" in k]


def _sample(trainer: Trainer) -> tuple[list[Real], list[Real]]:
    return trainer.samples[0]


def _before(d: Derivation, trainer: _Own, name: str, own: Mapping[str, Real]) -> Real | None:
    """A quantity before the update: a value of the forward pass, the loss, a gradient or a delta."""
    network = d.network
    params = trainer.initial()
    inputs, targets = _sample(trainer)
    if name.startswith("d:E_total/"):
        wrt = name[len("d:E_total/"):]
        names = [p.name for p in network.params]
        if wrt in names:
            return trainer.gradients(params, (inputs, targets))[names.index(wrt)]
        return _delta(d, trainer, wrt, own)
    nets, outs = trainer.forward(params, inputs)
    for layer, layer_nets, layer_outs in zip(network.layers, nets[1:], outs[1:]):
        for n, net, out in zip(layer, layer_nets, layer_outs):
            if name in (n.net.name, n.out.name):
                return net if name == n.net.name else out
    errors = [own.get(o.error.name, evaluate(o.loss_expr, {o.target: t, o.neuron.out: y}))
              for o, t, y in zip(network.outputs, targets, outs[-1])]
    for o, e in zip(network.outputs, errors):
        if name == o.error.name:
            return e
    return CTX.fsum(errors) if name == network.e_total.name else None


def _delta(d: Derivation, trainer: _Own, wrt: str, own: Mapping[str, Real]) -> Real | None:
    """dE_total/dnet of a neuron: its closed form at the student's numbers."""
    network = d.network
    params = trainer.initial()
    inputs, targets = _sample(trainer)
    neuron = next((n for n in network.neurons if n.net.name == wrt), None)
    if neuron is None:
        return None
    nets, outs = trainer.forward(params, inputs)
    world: dict[Symbol, Real] = dict(zip(network.inputs, inputs))
    world.update((o.target, t) for o, t in zip(network.outputs, targets))
    world.update((p.symbol, v) for p, v in zip(network.params, params))
    for layer, layer_nets, layer_outs in zip(network.layers, nets[1:], outs[1:]):
        for n, net, out in zip(layer, layer_nets, layer_outs):
            world[n.net], world[n.out] = net, out
    return evaluate(d.closed.deltas[neuron.delta], world)


def _after(d: Derivation, trainer: _Own, base: str, step: str, own: Mapping[str, Real]) -> Real | None:
    """A parameter after the update (each from the student's gradient, or their updated value), or the
    error after it."""
    if step != "1":
        return None
    network = d.network
    params = trainer.initial()
    grads = trainer.gradients(params, _sample(trainer))
    grads = [own.get(f"d:E_total/{p.name}", g) for p, g in zip(network.params, grads)]
    updated = [own.get(f"{p.name}@1", v) for p, v in zip(network.params, trainer.update(params, grads))]
    names = [p.name for p in network.params]
    if base in names:
        return updated[names.index(base)]
    if base != network.e_total.name:
        return None
    trainer.before = False
    return trainer.dataset_error(updated)
