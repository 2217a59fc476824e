"""Optimizers: each update rule states how its state moves beside the step it takes.

A rule sees one parameter at a time: the gradient g it is to use, its state before update t (the
momentum buffer m, Adam's second moment v) and t itself (counted from 1), and gives the state after,
the bias-corrected values (Adam's m-hat and v-hat) and the step it subtracts. Each rule is stated
twice, as micrograd states a local derivative beside its forward rule: numerically, at the working
precision, for training, and as SymPy formulas in generic symbols, for the notes and the tests (which
evaluate the formulas and compare). Weight decay is not a rule but a change to its input: L2 adds
lambda p to the gradient (the derivative of lambda/2 p^2 added to the loss), decoupled decay
subtracts eta lambda p from the parameter apart from the rule, as AdamW does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from sympy import Expr, Integer, sqrt

from derive.model.network import Network, symbol
from derive.model.precision import CTX, Real, real
from derive.model.spec import OptimizerSpec


@dataclass(frozen=True)
class Arithmetic:
    """What the rules compute with beyond + - * /: mpmath's numbers at the working precision, or the
    balls of `derive.maths.balls` (the same rules, with a proven radius)."""

    number: Callable[[object], Real]  # a spec's exact decimal
    sqrt: Callable[[Real], Real]
    shortfall: Callable[[Real, int], Real]  # 1 - beta^t
    zero: Real


@dataclass(frozen=True)
class Settings:
    """An optimizer's numbers, at the working precision unless `arithmetic` says otherwise."""

    eta: Real
    momentum: Real
    beta1: Real
    beta2: Real
    epsilon: Real
    weight_decay: Real
    decoupled: bool
    arithmetic: Arithmetic = field(default_factory=lambda: _working())


Values = tuple[Real, ...]
Advance = Callable[[Settings, Values, Real, int], tuple[Values, Values, Real]]


@dataclass(frozen=True)
class Optimizer:
    """One update rule: names of its state and corrected values, the numeric rule and its formulas.

    `formulas` are (quantity, SymPy expression) in the order they are computed, in the generic symbols
    of `SYMBOLS`; the quantity `step` is what the rule subtracts from the parameter.
    """

    name: str
    state: tuple[str, ...]
    corrected: tuple[str, ...]
    advance: Advance
    formulas: tuple[tuple[str, Expr], ...]


# Generic symbols of the rules: g = the gradient used at update t, m_prev = m before it, and so on.
SYMBOLS = {name: symbol(name) for name in (
    "g", "p", "m", "v", "m_prev", "v_prev", "mhat", "vhat", "eta", "mu", "beta1", "beta2", "epsilon",
    "lam", "t", "dE", "step")}
S = SYMBOLS


def _sgd(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
    return (), (), h.eta * g


def _momentum(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
    m = h.momentum * state[0] + g  # from m = 0: m_1 = g, PyTorch's first buffer
    return (m,), (), h.eta * m


def _nesterov(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
    m = h.momentum * state[0] + g
    return (m,), (), h.eta * (g + h.momentum * m)  # the step looks ahead along the new buffer


def _adam(h: Settings, state: Values, g: Real, t: int) -> tuple[Values, Values, Real]:
    shortfall = h.arithmetic.shortfall
    m = h.beta1 * state[0] + shortfall(h.beta1, 1) * g
    v = h.beta2 * state[1] + shortfall(h.beta2, 1) * g * g
    # m and v start at 0, so early averages are short by a factor 1 - beta^t: divided out here
    mhat = m / shortfall(h.beta1, t)
    vhat = v / shortfall(h.beta2, t)
    return (m, v), (mhat, vhat), h.eta * mhat / (h.arithmetic.sqrt(vhat) + h.epsilon)


@lru_cache(maxsize=8)
def _shortfall(beta: Real, t: int, precision: int) -> Real:
    """1 - beta^t, once per update rather than once per parameter (the same for all of them); keyed by
    the precision too, as training may be repeated at more digits."""
    return 1 - beta ** t


WORKING = Arithmetic(lambda value: real(str(value)), CTX.sqrt, lambda beta, t: _shortfall(beta, t, CTX.prec),
                     CTX.zero)


def _working() -> Arithmetic:
    return WORKING


_BUFFER = S["mu"] * S["m_prev"] + S["g"]
OPTIMIZERS: dict[str, Optimizer] = {
    "sgd": Optimizer("sgd", (), (), _sgd, (("step", S["eta"] * S["g"]),)),
    "momentum": Optimizer("momentum", ("m",), (), _momentum, (("m", _BUFFER), ("step", S["eta"] * S["m"]))),
    "nesterov": Optimizer("nesterov", ("m",), (), _nesterov,
                          (("m", _BUFFER), ("step", S["eta"] * (S["g"] + S["mu"] * S["m"])))),
    "adam": Optimizer("adam", ("m", "v"), ("mhat", "vhat"), _adam, (
        ("m", S["beta1"] * S["m_prev"] + (1 - S["beta1"]) * S["g"]),
        ("v", S["beta2"] * S["v_prev"] + (1 - S["beta2"]) * S["g"] ** 2),
        ("mhat", S["m"] / (1 - S["beta1"] ** S["t"])),
        ("vhat", S["v"] / (1 - S["beta2"] ** S["t"])),
        ("step", S["eta"] * S["mhat"] / (sqrt(S["vhat"]) + S["epsilon"])))),
}
# What weight decay does to the gradient (L2) or to the parameter (decoupled), in the same symbols.
L2_GRADIENT = S["dE"] + S["lam"] * S["p"]
L2_TERM = S["lam"] / Integer(2) * S["p"] ** 2
DECOUPLED = S["eta"] * S["lam"] * S["p"]


def settings(spec: OptimizerSpec, learning_rate: object, arithmetic: Arithmetic = WORKING) -> Settings:
    number = arithmetic.number
    return Settings(number(learning_rate), number(spec.momentum), number(spec.beta1), number(spec.beta2),
                    number(spec.epsilon), number(spec.weight_decay), spec.decay == "decoupled", arithmetic)


def decayed(network: Network) -> tuple[bool, ...]:
    """Which parameters weight decay shrinks: trainable weights, and trainable biases if the spec says so."""
    opt = network.spec.training.optimizer
    return tuple(bool(opt.weight_decay) and p.trainable and (p.kind == "weight" or opt.decay_biases)
                 for p in network.params)


@dataclass(frozen=True)
class Move:
    """What update number `t` did to one parameter."""

    t: int
    old: Real
    gradient: Real  # dE/dp from the backward pass (reduced over the update's samples)
    used: Real  # the gradient the rule used: with lambda p added under L2 decay
    state: Values  # after the update, named by the optimizer's `state`
    corrected: Values  # named by the optimizer's `corrected`
    step: Real  # what the rule subtracted
    decay: Real  # eta lambda p, subtracted as well under decoupled decay
    new: Real


@dataclass(frozen=True)
class State:
    """Every parameter's optimizer state after `t` updates."""

    t: int
    slots: tuple[Values, ...]


class Stepper:
    """An optimizer applied to a whole parameter vector, with the spec's decay and frozen parameters."""

    def __init__(self, network: Network, optimizer: Optimizer | None = None, mask: Sequence[bool] | None = None,
                 decoupled: bool | None = None, arithmetic: Arithmetic = WORKING) -> None:
        spec = network.spec.training
        self.optimizer = optimizer or OPTIMIZERS[spec.optimizer.name]
        h = settings(spec.optimizer, spec.learning_rate, arithmetic)
        self.h = h if decoupled is None else replace(h, decoupled=decoupled)
        self.zero = arithmetic.zero
        self.trainable = tuple(p.trainable for p in network.params)
        self.decayed = tuple(decayed(network) if mask is None else mask)

    def start(self) -> State:
        zeros = tuple(self.zero for _ in self.optimizer.state)
        return State(0, tuple(zeros for _ in self.trainable))

    def moves(self, params: Sequence[Real], gradient: Sequence[Real], state: State) -> tuple[list[Move], State]:
        """Update state.t + 1 of every parameter; frozen parameters keep their value and their state."""
        t = state.t + 1
        moves = [self._move(t, p, g, slot, trainable, decay)
                 for p, g, slot, trainable, decay in zip(params, gradient, state.slots, self.trainable, self.decayed)]
        return moves, State(t, tuple(m.state if m.state else slot for m, slot in zip(moves, state.slots)))

    def _move(self, t: int, p: Real, g: Real, slot: Values, trainable: bool, decay: bool) -> Move:
        if not trainable:
            return Move(t, p, g, g, (), (), self.zero, self.zero, p)
        h = self.h
        used = g + h.weight_decay * p if decay and not h.decoupled else g
        shrink = h.eta * h.weight_decay * p if decay and h.decoupled else self.zero
        new_state, corrected, step = self.optimizer.advance(h, slot, used, t)
        return Move(t, p, g, used, new_state, corrected, step, shrink, p - shrink - step)

    def step(self, params: Sequence[Real], gradient: Sequence[Real], state: State) -> tuple[list[Real], State]:
        """The values of `moves` without the working: training's path, thousands of updates long."""
        t, h, advance = state.t + 1, self.h, self.optimizer.advance
        new, slots = [], []
        for p, g, slot, trainable, decay in zip(params, gradient, state.slots, self.trainable, self.decayed):
            if not trainable:
                new.append(p)
                slots.append(slot)
                continue
            used = g + h.weight_decay * p if decay and not h.decoupled else g
            shrink = h.eta * h.weight_decay * p if decay and h.decoupled else self.zero
            after, _, step = advance(h, slot, used, t)
            new.append(p - shrink - step)
            slots.append(after)
        return new, State(t, tuple(slots))
