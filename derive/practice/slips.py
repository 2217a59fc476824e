"""The catalogued mistakes as formulas: each step done the way a mistake does it, from the same earlier steps.

`derive.check.mistakes` runs each mistake as a variant of the layered algorithm; here each one is
stated at the step where a person makes it, in the steps' own symbols, so the page can tell what a
student's number is from the student's own earlier numbers. Where the variant algorithm changes a
step, so does the formula (its derivative of the sigmoid at net, its hidden sum without a path, its
update with the wrong sign ...); the tests chain the formulas with one mistake in every step it
touches and compare with the catalogue's values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sympy import Add, Expr, Integer, Mul, Symbol

from derive.check.mistakes import Mistake
from derive.maths.optimizers import OPTIMIZERS, SYMBOLS, decayed
from derive.model.network import Network, Param

Formulas = list[tuple[str, Expr]]


def slope(mistakes: tuple[Mistake, ...], at_net: Expr) -> Formulas:
    """dout/dnet with net put where the formula wants out: net (1 - net) for the sigmoid."""
    return [(m.name, at_net) for m in mistakes if m.slope_at_net]


def delta(mistakes: tuple[Mistake, ...], error: Expr) -> Formulas:
    """delta without the activation's slope: dE/dout alone."""
    return [(m.name, error) for m in mistakes if m.no_slope]


def loss_factor(mistakes: tuple[Mistake, ...], error: Expr) -> Formulas:
    """dE/dout of an output with the square's 2 dropped or doubled."""
    return [(m.name, error * Integer(2) ** m.loss_factor) for m in mistakes if m.loss_factor]


@dataclass(frozen=True)
class Hidden:
    """What a hidden neuron's dE/dout is made of, and what its mistakes put in their place."""

    deltas: tuple[Expr, ...]  # of the next layer's neurons
    weights: tuple[Expr, ...]  # w_kh, from this neuron to each of them
    behind_output: bool  # the next layer is the output layer
    transposed: tuple[Expr, ...] | None  # w_hk in place of w_kh, where the next layer is as wide as this one
    stale: tuple[Expr, ...] | None  # w_kh already updated, w_kh - eta dE/dw_kh (behind the output layer)


def hidden(mistakes: tuple[Mistake, ...], h: Hidden) -> Formulas:
    """The hidden sum with stale output weights, without the path through one output, or transposed."""
    found: Formulas = []
    for m in mistakes:
        if m.stale_hidden and h.stale is not None:
            found.append((m.name, _dot(h.deltas, h.stale)))
        elif m.drop_output is not None and h.behind_output:
            kept = [k for k in range(len(h.deltas)) if k != m.drop_output]
            found.append((m.name, _dot([h.deltas[k] for k in kept], [h.weights[k] for k in kept])))
        elif m.transpose and h.transposed is not None:
            found.append((m.name, _dot(h.deltas, h.transposed)))
    return found


@dataclass(frozen=True)
class Sources:
    """A weight's d net / d w under the mistakes of the sources."""

    net: Expr | None  # the source neuron's net for its out (None for an input)
    reversed: Expr  # the source of the link in the reversed position


@dataclass(frozen=True)
class Source:
    """One term delta * d net / d w of a gradient, and what its source becomes under the mistakes."""

    delta: Expr
    wrong: Sources


def gradient(mistakes: tuple[Mistake, ...], terms: tuple[Source, ...]) -> Formulas:
    """A weight's gradient with the source's net for its out, or with another link's source."""
    found: Formulas = []
    for m in mistakes:
        if m.net_for_out and all(t.wrong.net is not None for t in terms):
            found.append((m.name, Add(*[t.delta * t.wrong.net for t in terms])))
        elif m.wrong_input:
            found.append((m.name, Add(*[t.delta * t.wrong.reversed for t in terms])))
    return found


def update(mistakes: tuple[Mistake, ...], old: Expr, eta: Expr, g: Expr, bias: bool) -> Formulas:
    """p - eta g with the sign turned, the learning rate left out or taken twice, a trainable bias left
    alone (frozen biases updated instead)."""
    found: Formulas = []
    for m in mistakes:
        if m.flip_biases:
            if bias:
                found.append((m.name, old))
        elif m.sign != 1 or m.eta_power != 1:
            found.append((m.name, old - m.sign * eta ** m.eta_power * g))
    return found


def optimizer_update(network: Network, p: Param, old: Expr, g: Expr, constants: Mapping[str, Symbol]) -> Expr:
    """The first update of `p` by the spec's optimizer, from its formulas (derive.maths.optimizers) with
    the state at 0 and t = 1: the gradient `g` with L2 decay added, or decoupled decay apart."""
    opt = network.spec.training.optimizer
    decay = decayed(network)[network.params.index(p)]
    lam = constants.get("lambda")
    used = g + lam * old if decay and lam is not None and opt.decay != "decoupled" else g
    values: dict[Symbol, Expr] = {SYMBOLS["g"]: used, SYMBOLS["m_prev"]: Integer(0), SYMBOLS["v_prev"]: Integer(0),
                                  SYMBOLS["t"]: Integer(1), SYMBOLS["eta"]: constants["eta"], SYMBOLS["p"]: old}
    values.update((SYMBOLS[k], v) for k, v in constants.items() if k in ("mu", "beta1", "beta2", "epsilon"))
    for quantity, formula in OPTIMIZERS[opt.name].formulas:
        values[SYMBOLS[quantity]] = formula.xreplace(values)
    shrink = constants["eta"] * lam * old if decay and lam is not None and opt.decay == "decoupled" else Integer(0)
    return old - shrink - values[SYMBOLS["step"]]


def _dot(a: list[Expr] | tuple[Expr, ...], b: list[Expr] | tuple[Expr, ...]) -> Expr:
    return Add(*[Mul(x, y) for x, y in zip(a, b)])
