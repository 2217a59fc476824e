"""Errors carried forward: a question's value recomputed from the student's own earlier answers.

A student who got `out_o1` wrong and then computed `E_total`, the gradients and the update from that
wrong value has done every later step right. The value each later step should then have is the
variant's forward pass, backward pass and update with the student's numbers put in place of the truth's
(`out_o1` overridden, everything after it recomputed from it): the closed forms of the derivation
evaluated at those numbers. Supported where one update learns from one sample by plain gradient descent
(the exercise sheets' setting); elsewhere nothing is carried forward.
"""

from __future__ import annotations

from collections.abc import Mapping

from sympy import Symbol

from derive.maths.derivation import Derivation, closed_gradient
from derive.maths.numeric import Trainer, evaluate, trainer_for
from derive.model.precision import CTX, Real


def supported(d: Derivation) -> bool:
    """One sample, plain gradient descent: the update is p - eta dE/dp of that sample."""
    return len(d.network.spec.samples) == 1 and d.network.spec.training.optimizer.plain


def carried(d: Derivation, name: str, own: Mapping[str, Real]) -> Real | None:
    """The value of `name` (a checker's name: `E_total`, `d:E_total/w5`, `w1@1`) computed from the
    student's answers `own` (by name) wherever they answered, from the truth elsewhere; None when
    nothing can be carried forward to it."""
    if not supported(d):
        return None
    trainer = trainer_for(d.network)
    world = _forward(d, trainer, own)
    base, at, step = name.partition("@")
    if not at:
        return _before(d, base, world)
    if step != "1":
        return None
    updated = _updated(d, trainer, world, own)
    names = [p.name for p in d.network.params]
    if base in names:
        return updated[names.index(base)]
    return trainer.dataset_error(updated) if base == d.network.e_total.name else None


def _forward(d: Derivation, trainer: Trainer, own: Mapping[str, Real]) -> dict[Symbol, Real]:
    """Every value of the forward pass and the loss, each from the student's number where they gave one."""
    network = d.network
    inputs, targets = trainer.samples[0]
    world: dict[Symbol, Real] = dict(zip(network.inputs, inputs))
    world.update((o.target, t) for o, t in zip(network.outputs, targets))
    world.update((p.symbol, v) for p, v in zip(network.params, trainer.initial()))
    world[network.eta] = trainer.eta
    for layer in network.layers:
        nets = [own.get(n.net.name, evaluate(n.net_expr(), world)) for n in layer]
        world.update((n.net, v) for n, v in zip(layer, nets))
        outs = layer[0].activation.numeric(nets)
        world.update((n.out, own.get(n.out.name, v)) for n, v in zip(layer, outs))
    for o in network.outputs:
        world[o.error] = own.get(o.error.name, evaluate(o.loss_expr, world))
    total = CTX.fsum(world[o.error] for o in network.outputs)
    world[network.e_total] = own.get(network.e_total.name, total)
    return world


def _before(d: Derivation, name: str, world: dict[Symbol, Real]) -> Real | None:
    """A quantity before the update: a value of the forward pass, a gradient or a delta."""
    network = d.network
    if name.startswith("d:E_total/"):
        wrt = name[len("d:E_total/"):]
        for index, p in enumerate(network.params):
            if p.name == wrt:
                return evaluate(closed_gradient(network, d.closed, index), world)
        for n in network.neurons:
            if n.net.name == wrt:
                return evaluate(d.closed.deltas[n.delta], world)
        return None
    return next((v for s, v in world.items() if s.name == name), None)


def _updated(d: Derivation, trainer: Trainer, world: dict[Symbol, Real], own: Mapping[str, Real]) -> list[Real]:
    """The parameters after the update, each from the student's gradient (or their updated value)."""
    network = d.network
    grads = [own.get(f"d:E_total/{p.name}", evaluate(closed_gradient(network, d.closed, i), world))
             for i, p in enumerate(network.params)]
    updated = trainer.update(trainer.initial(), grads)
    return [own.get(f"{p.name}@1", v) for p, v in zip(network.params, updated)]
