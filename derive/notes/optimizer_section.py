"""The optimizer's section of the notes: each rule, where it comes from, and its first updates in numbers.

The rules are printed from the formulas of `derive.maths.optimizers` (the ones training runs), Adam's
bias correction is derived with SymPy (the geometric sum of the average's weights), L2's gradient is
narrated rule by rule from its term of the loss, and the first two updates of every parameter are the
derivation's own moves, each line printed as formula, numbers and value.
"""

from __future__ import annotations

from typing import Any

from sympy import Derivative, Expr, Integer, Mul, Sum, Symbol, UnevaluatedExpr, expand, simplify

from derive.maths import steps
from derive.maths.derivation import Derivation, InconsistentDerivation
from derive.maths.optimizers import DECOUPLED, L2_GRADIENT, L2_TERM, OPTIMIZERS, SYMBOLS, Move, decayed, settings
from derive.model.network import Network, Param
from derive.model.precision import Real, real, show
from derive.notes.notation import Notation
from derive.notes.printers import NotationPrinter, ValuePrinter

View = dict[str, Any]
S = SYMBOLS
# Above this many parameters the worked updates are given as a table only.
WORKED_LIMIT = 60
_GREEK = {"mu": r"\mu", "beta1": r"\beta_{1}", "beta2": r"\beta_{2}", "epsilon": r"\epsilon",
          "lam": r"\lambda"}
_STATE = {"m": ("m", False), "v": ("v", False), "mhat": ("m", True), "vhat": ("v", True)}


class RulePrinter(NotationPrinter):
    """The registry's generic symbols at update `t` of parameter `param` (p and t when generic)."""

    def __init__(self, notation: Notation, t: str = "t", param: str = "p", dE: str = "", plain: bool = False,
                 dot: bool = False) -> None:
        super().__init__(notation, mul_symbol="dot" if dot else None)
        self.t, self.param, self.plain = t, param, plain
        self.before = "t-1" if t == "t" else str(int(t) - 1)
        self.dE = dE or r"\frac{\partial E}{\partial p}"

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        name = expr.name
        if name == "eta":
            return super()._print_Symbol(expr)
        if name in _GREEK:
            return _GREEK[name]
        if name in ("g", "m", "v", "mhat", "vhat"):
            return self.at(name, self.t)
        if name in ("m_prev", "v_prev"):
            return self.at(name[0], self.before)
        if name == "p":
            return self.at_param(self.before)
        if name == "dE":
            return self.dE
        if name == "g_k":  # the k-th gradient inside a sum over the updates so far
            return "g^{(k)}"
        return self.t if name == "t" else super()._print_Symbol(expr)

    def at(self, name: str, t: str) -> str:
        """A state at update t, named by its parameter when the printer is for one (`m_{w_{5}}^{(1)}`): the
        notes print several parameters' states, and each line must say whose it is."""
        base, hat = _STATE.get(name, (name, False))
        whose = f"_{{{self.param}}}" if self.param != "p" else ""
        return (rf"\hat{{{base}}}" if hat else base) + f"{whose}^{{({t})}}"

    def at_param(self, t: str) -> str:
        if self.plain:  # a term of the loss: p itself, at no update in particular
            return "p"
        return f"{{{self.param}}}^{{({t})}}" if self.param != "p" else f"p^{{({t})}}"


def _rules(network: Network, notation: Notation) -> list[str]:
    """The rule at update t: each state's update, then the parameter's."""
    opt = network.spec.training.optimizer
    total = NotationPrinter(notation).doprint(network.e_total)
    # the gradient update t uses is taken at the parameters after update t - 1, as the worked lines say
    pr = RulePrinter(notation, dE=rf"\frac{{\partial {total}}}{{\partial p^{{(t-1)}}}}")
    lines = []
    decay = bool(opt.weight_decay) and opt.decay == "l2"
    lines.append(pr.equation(pr.at("g", "t"), pr.doprint(L2_GRADIENT if decay else S["dE"])))
    for name, formula in OPTIMIZERS[opt.name].formulas:
        formula = formula.xreplace({S["eta"]: network.eta})
        if name != "step":
            lines.append(pr.equation(pr.doprint(S[name]), pr.doprint(formula)))
    step = dict(OPTIMIZERS[opt.name].formulas)["step"].xreplace({S["eta"]: network.eta})
    decoupled = opt.weight_decay and opt.decay == "decoupled"
    shrink = f"{pr.doprint(DECOUPLED.xreplace({S['eta']: network.eta}))} - " if decoupled else ""
    lines.append(pr.equation(pr.at_param("t"), f"{pr.at_param('t-1')} - {shrink}{pr.doprint(step)}"))
    return lines


def _settings(network: Network, pr: NotationPrinter, digits: int) -> str:
    """The optimizer's numbers, as the notes print every number."""
    opt = network.spec.training.optimizer
    pairs = [(pr.doprint(network.eta), network.spec.training.learning_rate)]
    if opt.name in ("momentum", "nesterov"):
        pairs.append((r"\mu", opt.momentum))
    if opt.name == "adam":
        pairs += [(r"\beta_{1}", opt.beta1), (r"\beta_{2}", opt.beta2), (r"\epsilon", opt.epsilon)]
    if opt.weight_decay:
        pairs.append((r"\lambda", opt.weight_decay))
    return ", ".join(f"{name} = {show(real(value), digits).latex}" for name, value in pairs)


def _check_weights() -> None:
    """SymPy proves, by induction on t, that the weights (1 - b) b^(t-k), k = 1..t, sum to 1 - b^t: at
    t = 1 the one weight is 1 - b; each weight of t + 1 but the last is b times the same k's weight of
    t, so the sum at t + 1 is b times the sum at t plus the last weight, and 1 - b^t obeys that
    recurrence too (0 < beta1 < 1, as the spec is validated). SymPy's `summation` finds the same closed
    form forty times slower."""
    k, t = Symbol("k", integer=True, positive=True), Symbol("t", integer=True, positive=True)
    b = Symbol("b", positive=True)

    def weight(n: Expr, k: Expr) -> Expr:
        return (1 - b) * b ** (n - k)

    closed = 1 - b ** t
    for claim in (weight(1, 1) - closed.subs(t, 1), weight(t + 1, k) - b * weight(t, k),
                  closed.subs(t, t + 1) - b * closed - weight(t + 1, t + 1)):
        if expand(claim) != 0:
            raise InconsistentDerivation(f"the weights of Adam's average do not sum to 1 - beta1^t: {claim} != 0")


def _correction(notation: Notation) -> View:
    """Adam's bias correction, derived: the weights of the average m^(t) sum to 1 - beta1^t, not 1."""
    k, t, beta, g = Symbol("k", integer=True, positive=True), S["t"], S["beta1"], Symbol("g_k")
    _check_weights()
    pr = RulePrinter(notation)
    average = pr.doprint(Sum((1 - beta) * beta ** (t - k), (k, 1, t)))
    unrolled = pr.doprint(Sum((1 - beta) * beta ** (t - k) * g, (k, 1, t)))
    return {"unrolled": pr.equation(pr.at("m", "t"), unrolled),
            "weights": pr.equation(average, pr.doprint(1 - beta ** t)),
            "first": pr.equation(pr.at("mhat", "1"), pr.at("g", "1")),
            "first_v": pr.equation(pr.at("vhat", "1"), rf"\left({pr.at('g', '1')}\right)^{{2}}")}


def _decay(network: Network, notation: Notation, narrate: bool) -> View | None:
    """What weight decay adds: L2's term of the loss and its gradient, narrated, or the decoupled shrink."""
    opt = network.spec.training.optimizer
    if not opt.weight_decay:
        return None
    total = NotationPrinter(notation).doprint(network.e_total)
    pr = RulePrinter(notation, dE=rf"\frac{{\partial {total}}}{{\partial p}}")
    view: View = {"kind": opt.decay, "biases": opt.decay_biases,
                  "any_bias": any(p.kind == "bias" and p.trainable for p in network.params)}
    if opt.decay == "l2":
        explanation = steps.explain(L2_TERM, S["p"])
        if simplify(explanation.result - S["lam"] * S["p"]) != 0:
            raise InconsistentDerivation(f"narrated L2 gradient: {explanation.result}")
        plain = RulePrinter(notation, plain=True)
        view["term"] = pr.equation("E'", rf"{total} + \sum_{{p}} {plain.doprint(L2_TERM)}")
        lines = [{"rule": s.rule, "outer": s.outer or "", "var": "p",
                  "inner": plain.doprint(s.inner) if s.inner is not None else "",
                  "line": f"{plain.doprint(Derivative(s.of, S['p']))} = {plain.doprint(s.result)}"}
                 for s in explanation.steps]
        whole = plain.doprint(Derivative(L2_TERM, S["p"]))
        assembled = Mul(S["lam"] / 2, UnevaluatedExpr(2 * S["p"]), evaluate=False)
        dotted = RulePrinter(notation, plain=True, dot=True).doprint(assembled)
        together = f"{whole} = {dotted} = {plain.doprint(explanation.result)}"
        view["narration"] = {"factor": rf"\frac{{\partial}}{{\partial p}} {plain.doprint(L2_TERM)}", "steps": lines,
                             "together": together, "same_as": "", "identity": ""} if narrate else None
        view["gradient"] = pr.equation(r"\frac{\partial E'}{\partial p}",
                                       rf"\frac{{\partial {total}}}{{\partial p}} + {plain.doprint(S['lam'] * S['p'])}")
    else:
        view["term"] = pr.equation(pr.at_param("t"), f"{pr.at_param('t-1')} - "
                                   f"{pr.doprint(DECOUPLED.xreplace({S['eta']: network.eta}))} - \\ldots")
    return view


def _number(x: Real, digits: int) -> str:
    return show(x, digits).latex


def _worked(network: Network, notation: Notation, digits: int, t: int, param: Param, move: Move,
            before: Move | None) -> list[str]:
    """Update `t` of one parameter: g, every state, the corrected values, the step and the new value."""
    opt = network.spec.training.optimizer
    h = settings(opt, network.spec.training.learning_rate)
    glyph = NotationPrinter(notation).doprint(param.symbol)
    grad = rf"\frac{{\partial {NotationPrinter(notation).doprint(network.e_total)}}}{{\partial {glyph}^{{({t - 1})}}}}"
    pr = RulePrinter(notation, str(t), glyph, grad)
    rule = OPTIMIZERS[opt.name]
    values: dict[Symbol, Real] = {S["eta"]: h.eta, S["mu"]: h.momentum, S["beta1"]: h.beta1, S["beta2"]: h.beta2,
                                  S["epsilon"]: h.epsilon, S["lam"]: h.weight_decay, S["t"]: real(t),
                                  S["g"]: move.used, S["p"]: move.old, S["dE"]: move.gradient, network.eta: h.eta}
    previous = before.state if before is not None and before.state else tuple(real(0) for _ in rule.state)
    values.update({S[f"{name}_prev"]: v for name, v in zip(rule.state, previous)})
    values.update({S[name]: v for name, v in zip(rule.state, move.state)})
    values.update({S[name]: v for name, v in zip(rule.corrected, move.corrected)})
    val = ValuePrinter(values, digits)
    l2 = opt.decay == "l2" and decayed(network)[network.params.index(param)]
    lines = [_g_line(pr, val, move, decayed_here=l2, digits=digits)]
    for name, formula in rule.formulas:
        if name != "step":
            lines.append(pr.equation(pr.doprint(S[name]), pr.doprint(formula), val.doprint(formula),
                                     _number(values[S[name]], digits)))
    step = dict(rule.formulas)["step"]
    shrink = DECOUPLED if move.decay else Integer(0)
    whole = pr.doprint(S["p"]) + (f" - {pr.doprint(shrink)}" if move.decay else "") + f" - {pr.doprint(step)}"
    numbers = val.doprint(S["p"]) + (f" - {val.doprint(shrink)}" if move.decay else "") + f" - {val.doprint(step)}"
    lines.append(pr.equation(pr.at_param(str(t)), whole, numbers, _number(move.new, digits)))
    return lines


def _g_line(pr: RulePrinter, val: ValuePrinter, move: Move, decayed_here: bool, digits: int) -> str:
    if decayed_here:
        return pr.equation(pr.doprint(S["g"]), pr.doprint(L2_GRADIENT), val.doprint(L2_GRADIENT),
                           _number(move.used, digits))
    return pr.equation(pr.doprint(S["g"]), pr.dE, _number(move.used, digits))


def _table(network: Network, notation: Notation, digits: int, moves: tuple[Move, ...]) -> list[View]:
    pr = NotationPrinter(notation)
    rule = OPTIMIZERS[network.spec.training.optimizer.name]
    rows = []
    for param, move in zip(network.params, moves):
        cells = [move.used, *move.state, *move.corrected, move.step + move.decay, move.new] if param.trainable \
            else [move.used] + [None] * (len(rule.state) + len(rule.corrected) + 1) + [move.new]
        rows.append({"latex": pr.doprint(param.symbol), "trainable": param.trainable,
                     "cells": [_number(c, digits) if c is not None else "" for c in cells]})
    return rows


def _columns(network: Network, notation: Notation) -> list[str]:
    """The table's headings: g, each state and corrected value, the change, the new value."""
    pr = RulePrinter(notation, "t")
    rule = OPTIMIZERS[network.spec.training.optimizer.name]
    return ([pr.at("g", "t")] + [pr.at(n, "t") for n in rule.state + rule.corrected]
            + [r"p^{(t-1)} - p^{(t)}", "p^{(t)}"])


def _worked_params(network: Network, full: bool) -> set[str]:
    """The parameters whose updates are worked line by line: every one in full (up to WORKED_LIMIT),
    otherwise the first trainable one of each layer, as the notes derive one gradient per layer."""
    trainable = [p for p in network.params if p.trainable]
    if full:
        return {p.name for p in trainable} if len(network.params) <= WORKED_LIMIT else set()
    firsts: dict[int, str] = {}
    for p in trainable:
        firsts.setdefault(p.layer, p.name)
    return set(firsts.values())


def optimizer_section(d: Derivation, notation: Notation, digits: int, narrate: bool, full: bool = False) -> View | None:
    """Every string of the optimizer's section, or None for plain gradient descent."""
    network = d.network
    opt = network.spec.training.optimizer
    if opt.plain:
        return None
    pr = NotationPrinter(notation)
    worked = _worked_params(network, full)
    updates = []
    for index, moves in enumerate(d.moves):
        t = index + 1
        before = d.moves[index - 1] if index else tuple(None for _ in moves)
        params = [{"latex": pr.doprint(p.symbol),
                   "lines": _worked(network, notation, digits, t, p, m, b) if p.name in worked else []}
                  for p, m, b in zip(network.params, moves, before) if p.trainable]
        updates.append({"t": t, "samples": _samples_of(network, t), "params": params,
                        "rows": _table(network, notation, digits, moves)})
    return {"name": opt.name, "rules": _rules(network, notation), "settings": _settings(network, pr, digits),
            "correction": _correction(notation) if opt.name == "adam" else None,
            "decay": _decay(network, notation, narrate), "updates": updates, "columns": _columns(network, notation),
            "decayed_count": sum(decayed(network)), "worked": bool(worked),
            "similarly": 0 < len(worked) < sum(p.trainable for p in network.params),
            "frozen": any(not p.trainable for p in network.params)}


def _samples_of(network: Network, t: int) -> str:
    """The samples update `t` learns from, by name."""
    samples = network.spec.samples
    if network.spec.training.update == "batch":
        return ", ".join(s.name for s in samples)
    return samples[(t - 1) % len(samples)].name
