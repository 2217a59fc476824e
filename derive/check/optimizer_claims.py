"""The optimizer's quantities a claim may name, and the classic mistakes made with the update rules.

`m_w5@2`, `v_w5@2`, `mhat_w5@2`, `vhat_w5@2` and `g_w5@2` (the gradient the rule used, with L2's
lambda p) are the state of w5 after update 2 (LaTeX: `m_5^{(2)}`, `\\hat{m}_{w_5}^{(2)}`); `w5@2` is
the parameter itself. Each mistake is the optimizer with one rule done the way people get it wrong,
replayed from the start like the real one, so that it names the wrong numbers it produces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from derive.maths.numeric import Trainer
from derive.maths.optimizers import OPTIMIZERS, Advance, Move, Optimizer, Settings, State, Stepper, Values
from derive.model.network import Network
from derive.model.precision import CTX, Real

# Quantity prefixes, longest first: mhat_w5 is not m of "hat_w5".
KINDS = ("mhat", "vhat", "m", "v", "g")
_QUANTITY = re.compile(r"(mhat|vhat|m|v|g)_?([A-Za-z0-9]+)\Z")
# Updates a variant is replayed for, to explain a wrong number claimed after them.
VARIANT_STEPS = 20


def resolve(network: Network, base: str) -> tuple[str, int] | None:
    """(kind, parameter index) of an optimizer quantity's name, or None when `base` names none."""
    match = _QUANTITY.match(base)
    if match is None:
        return None
    kind, rest = match.groups()
    names = [p.name for p in network.params]
    if rest in names:
        return kind, names.index(rest)
    if rest.isdigit():  # m_5 as in the notes' LaTeX: the one parameter numbered 5 (w5)
        numbered = [i for i, n in enumerate(names) if re.fullmatch(rf"[A-Za-z]+{rest}", n)]
        if len(numbered) == 1:
            return kind, numbered[0]
    return None


def value_of(move: Move, kind: str, optimizer: str) -> Real | None:
    """A quantity of one parameter's move; None where the optimizer has no such quantity."""
    if kind == "g":
        return move.used
    rule = OPTIMIZERS[optimizer]
    names = rule.state + rule.corrected
    values = move.state + move.corrected
    if kind not in names or not values:
        return None
    return values[names.index(kind)]


def moves_at(trainer: Trainer, params: Sequence[Real], state: State, number: int) -> list[Move]:
    """Update `number` from the parameters and state after the update before it."""
    gradient = trainer.batch_gradient(params, trainer.step_samples(number))
    moves, _ = trainer.stepper.moves(params, gradient, state)
    return moves


@dataclass(frozen=True)
class Slip:
    """One classic mistake with an update rule."""

    name: str
    meaning: str
    key: str


def _adam(correct: bool = True, power_t: bool = True, eps_inside: bool = False, twice: bool = False) -> Advance:
    def advance(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
        m = h.beta1 * state[0] + (1 - h.beta1) * g
        if twice:
            m = h.beta1 * m + (1 - h.beta1) * g
        v = h.beta2 * state[1] + (1 - h.beta2) * g * g
        k = t if power_t else 1
        mhat = m / (1 - h.beta1 ** k) if correct else m
        vhat = v / (1 - h.beta2 ** k) if correct else v
        scale = CTX.sqrt(vhat + h.epsilon) if eps_inside else CTX.sqrt(vhat) + h.epsilon
        return (m, v), (mhat, vhat), h.eta * mhat / scale
    return advance


def _momentum_twice(nesterov: bool) -> Advance:
    def advance(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
        m = h.momentum * (h.momentum * state[0] + g) + g
        return (m,), (), h.eta * (g + h.momentum * m if nesterov else m)
    return advance


SLIPS = {
    "no_correction": Slip("no bias correction", "Adam's averages m and v were used without dividing by "
                          "1 - beta1^t and 1 - beta2^t", "no_correction"),
    "wrong_power": Slip("bias correction with the wrong power", "the bias correction divided by 1 - beta "
                        "instead of 1 - beta^t (right at the first update only)", "wrong_power"),
    "eps_inside": Slip("epsilon inside the square root", "the step divided by sqrt(v-hat + epsilon) "
                       "instead of sqrt(v-hat) + epsilon", "eps_inside"),
    "momentum_twice": Slip("momentum applied twice", "the running sum of the gradients was updated twice "
                           "in one update, so the gradient entered it twice", "momentum_twice"),
    "plain": Slip("plain gradient descent", "the update was p - eta dE/dp, without the optimizer's rule",
                  "plain"),
    "decay_biases": Slip("weight decay applied to biases", "the biases were decayed like the weights",
                         "decay_biases"),
    "decay_swapped": Slip("L2 and decoupled decay confused", "weight decay was applied the other way: "
                          "as L2 where it is decoupled, or decoupled where it is L2", "decay_swapped"),
}


def slips(network: Network) -> tuple[Slip, ...]:
    """The mistakes that make sense for the spec's optimizer."""
    opt = network.spec.training.optimizer
    found = [SLIPS["plain"]] if opt.name != "sgd" else []
    if opt.name == "adam":
        found += [SLIPS["no_correction"], SLIPS["wrong_power"], SLIPS["eps_inside"]]
    if opt.name in ("momentum", "nesterov", "adam"):
        found.append(SLIPS["momentum_twice"])
    if opt.weight_decay:
        if not opt.decay_biases and any(p.kind == "bias" and p.trainable for p in network.params):
            found.append(SLIPS["decay_biases"])
        found.append(SLIPS["decay_swapped"])
    return tuple(found)


def slipped_stepper(network: Network, slip: Slip) -> Stepper:
    """The spec's optimizer with `slip` in it."""
    opt = network.spec.training.optimizer
    rule = OPTIMIZERS[opt.name]
    if slip.key == "plain":
        return Stepper(network, OPTIMIZERS["sgd"])
    if slip.key == "decay_biases":
        mask = [p.trainable and (p.kind == "weight" or p.kind == "bias") for p in network.params]
        return Stepper(network, mask=mask)
    if slip.key == "decay_swapped":
        return Stepper(network, decoupled=opt.decay != "decoupled")
    if slip.key == "momentum_twice" and opt.name != "adam":
        advance = _momentum_twice(opt.name == "nesterov")
    else:
        advance = _adam(correct=slip.key != "no_correction", power_t=slip.key != "wrong_power",
                        eps_inside=slip.key == "eps_inside", twice=slip.key == "momentum_twice")
    return Stepper(network, Optimizer(rule.name, rule.state, rule.corrected, advance, rule.formulas))


def replayed_value(trainer: Trainer, network: Network, kind: str | None, index: int, number: int) -> Real | None:
    """A parameter (kind None) or optimizer quantity after update `number`, replayed by `trainer`."""
    params, state = trainer.initial(), trainer.stepper.start()
    for done in range(1, number):
        params, state = trainer.stepper.step(params, trainer.batch_gradient(params, trainer.step_samples(done)), state)
    move = moves_at(trainer, params, state, number)[index]
    return move.new if kind is None else value_of(move, kind, network.spec.training.optimizer.name)

