"""Step-by-step derivatives: walk a SymPy expression and name the rule behind every local derivative.

The lecture notes narrate d/dx of each link of a chain "rule by rule". The steps come from the
expression tree, never from text written per activation: each node class has one rule in
`_HANDLERS`, and `explain` applies them outermost first, the order a teacher writes them.

A step states one equality, d/dx(of) = result. Its result may still hold unevaluated
`Derivative(u, x)` objects of sub-expressions u; the steps that follow resolve each of them once
(a sub-expression met again reuses its earlier result instead of repeating its step). Replacing,
step by step, each `Derivative(step.of, x)` in the running expression by `step.result` gives the
chain of equalities of `Explanation.lines()`; its last line is the derivative.

Which rule a product gets: a factor `Pow(b, -n)` (n a positive number) is a denominator.
- quotient rule when a numerator factor and a denominator factor both contain x
  (softmax's e^net_j / sum_k e^net_k differentiated in net_j);
- constant multiple when exactly one factor contains x (c / u is then c * u^-1: power and chain);
- product rule otherwise; factors free of x stay in front as a coefficient.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sympy import (
    Add,
    Derivative,
    Dummy,
    Expr,
    Heaviside,
    Integer,
    Max,
    Mul,
    Number,
    Pow,
    Symbol,
    cancel,
    exp,
    factor_terms,
    log,
    tanh,
)

from derive.model.rules import relu, sigmoid

RULES: dict[str, str] = {
    "variable": "dx/dx = 1",
    "constant": "an expression free of x has derivative 0",
    "sum": "the derivative of a sum is the sum of the derivatives; terms free of x vanish, "
           "and x itself or a number times x gives its coefficient at once",
    "constant_multiple": "(c f)' = c f' for c free of x",
    "product": "(f g)' = f' g + f g'",
    "quotient": "(f / g)' = (f' g - f g') / g^2",
    "power": "(u^n)' = n u^(n-1) u' for n free of x",
    "chain": "(f(u))' = f'(u) u' for an inner expression u other than x; `outer` names f's rule",
    "exp": "(e^u)' = e^u u', and (a^u)' = a^u ln(a) u' for a free of x",
    "log": "(ln u)' = u' / u",
    "sigmoid": "sigma'(u) = sigma(u) (1 - sigma(u)), the sigmoid identity",
    "tanh": "tanh'(u) = 1 - tanh(u)^2",
    "relu": "relu'(u) = H(u), the step function with H(0) = 0",
    "substitute": "write the result in the network's names (out for the activation of net)",
}


class Unsupported(ValueError):
    """An expression node that no rule in `_HANDLERS` differentiates (e.g. u^v with x in both)."""


@dataclass(frozen=True)
class Step:
    """One narrated equality: d/d var (of) = result, by `rule`."""

    rule: str  # a key of RULES
    of: Expr  # the expression differentiated in this step
    result: Expr  # d/d var (of); may hold Derivative(u, var) of sub-expressions later steps resolve
    inner: Expr | None = None  # for a chain step: the inner expression u
    outer: str | None = None  # for a chain step: the rule (a key of RULES) of the outer function


@dataclass(frozen=True)
class Explanation:
    var: Symbol
    expr: Expr  # what was differentiated
    steps: tuple[Step, ...]  # outermost rule first
    result: Expr  # the final derivative, simplified only by the explicit rewrite steps

    def lines(self) -> tuple[Expr, ...]:
        """The running equalities d/dx(expr) = ... = result, one line after each step."""
        line: Expr = Derivative(self.expr, self.var)
        found = [line]
        for step in self.steps:
            line = _after(line, step, self.var)
            found.append(line)
        return tuple(found)


@dataclass(frozen=True)
class _Applied:
    """What a handler says about one node: its rule, d/dx of it, and the sub-expressions left open."""

    rule: str
    result: Expr
    subs: tuple[Expr, ...] = ()  # every u with Derivative(u, x) in result, in the order written
    inner: Expr | None = None
    outer: str | None = None


Known = Mapping[Expr, Expr]  # sub-expressions already explained -> their resolved derivative
Handler = Callable[[Expr, Symbol, Known], _Applied]


def explain(expr: Expr, var: Symbol, back: Mapping[Expr, Symbol] | None = None) -> Explanation:
    """The steps of d expr / d var, outermost first; `back` names sub-expressions as the network does."""
    steps: list[Step] = []
    _walk(expr, var, steps, {})
    line: Expr = Derivative(expr, var)
    for step in steps:
        line = _after(line, step, var)
    named = _back_substitute(line, back or {})
    if named != line:
        steps.append(Step("substitute", expr, named))
        line = named
    return Explanation(var, expr, tuple(steps), line)


def _after(line: Expr, step: Step, var: Symbol) -> Expr:
    if step.rule == "substitute":
        return step.result
    # xreplace rebuilds every node, so SymPy's automatic evaluation (1/2 * 2 = 1) happens here.
    return line.xreplace({Derivative(step.of, var): step.result})


def _walk(expr: Expr, var: Symbol, steps: list[Step], known: dict[Expr, Expr]) -> Expr:
    """Record the step of `expr`, then those of its open sub-expressions (pre-order); return d/dx."""
    if expr in known:
        return known[expr]
    applied = _apply(expr, var, known)
    steps.append(Step(applied.rule, expr, applied.result, applied.inner, applied.outer))
    solved = {Derivative(sub, var): _walk(sub, var, steps, known) for sub in applied.subs}
    known[expr] = applied.result.xreplace(solved)
    return known[expr]


def _apply(expr: Expr, var: Symbol, known: Known) -> _Applied:
    if var not in expr.free_symbols:
        return _Applied("constant", Integer(0))
    for cls in type(expr).__mro__:  # subclasses (Integer of Number, ...) share their parent's rule
        if cls in _HANDLERS:
            return _HANDLERS[cls](expr, var, known)
    raise Unsupported(f"no derivative rule for {type(expr).__name__}: {expr}")


def _d(sub: Expr, var: Symbol, known: Known) -> Expr:
    """d sub / d var: the known result when `sub` was explained already, else left open."""
    return known.get(sub, Derivative(sub, var))


def _open(*subs: Expr, known: Known) -> tuple[Expr, ...]:
    return tuple(s for s in subs if s not in known)


def _symbol(expr: Expr, var: Symbol, known: Known) -> _Applied:
    return _Applied("variable", Integer(1))  # any other symbol is free of var: "constant"


def _sum(expr: Expr, var: Symbol, known: Known) -> _Applied:
    pieces: list[Expr] = []
    subs: list[Expr] = []
    for term in expr.args:
        if var not in term.free_symbols:
            continue  # vanishes; a reader sees it gone in this one step
        coeff, rest = term.as_coeff_Mul()
        if rest == var:  # x, -x, 2x: no separate step for a coefficient the reader sees at once
            pieces.append(coeff)
            continue
        pieces.append(_d(term, var, known))
        subs += _open(term, known=known)
    return _Applied("sum", Add(*pieces), tuple(subs))


def _mul(expr: Expr, var: Symbol, known: Known) -> _Applied:
    const = _times(*[f for f in expr.args if var not in f.free_symbols])
    dep = [f for f in expr.args if var in f.free_symbols]
    tops = [f for f in dep if not _is_denominator(f)]
    bottoms = [f.base ** -f.exp for f in dep if _is_denominator(f)]
    if tops and bottoms:
        return _quotient(const, Mul(*tops), Mul(*bottoms), var, known)
    if len(dep) == 1:
        return _Applied("constant_multiple", _times(const, _d(dep[0], var, known)), _open(dep[0], known=known))
    terms = [Mul(*dep[:i], _d(f, var, known), *dep[i + 1:]) for i, f in enumerate(dep)]
    return _Applied("product", _times(const, Add(*terms)), _open(*dep, known=known))


def _is_denominator(factor: Expr) -> bool:
    return isinstance(factor, Pow) and isinstance(factor.exp, Number) and factor.exp < 0


def _quotient(const: Expr, top: Expr, bottom: Expr, var: Symbol, known: Known) -> _Applied:
    upper = _d(top, var, known) * bottom - top * _d(bottom, var, known)
    return _Applied("quotient", _times(const, upper, bottom**-2), _open(top, bottom, known=known))


def _pow(expr: Expr, var: Symbol, known: Known) -> _Applied:
    base, n = expr.args
    if var in n.free_symbols and var in base.free_symbols:
        raise Unsupported(f"x in both base and exponent of {expr}")
    if var in n.free_symbols:  # a^u = e^(u ln a)
        return _outer("exp", expr * log(base), n, var, known)
    return _outer("power", _times(n, base ** (n - 1)), base, var, known)


def _times(*factors: Expr) -> Expr:
    """The product as written: SymPy would distribute a number over a sum, 2 (t - o) -> 2t - 2o.

    Only the step's printed form keeps the factor; the running lines evaluate as usual.
    """
    factors = tuple(f for f in factors if f != 1)  # a unit coefficient is never written
    numbers = any(isinstance(f, Number) for f in factors)
    if numbers and any(isinstance(f, Add) for f in factors):
        return Mul(*factors, evaluate=False)
    return Mul(*factors)


def _function(rule: str) -> Handler:
    """exp, log, sigmoid, tanh, relu: the outer derivative is the function's own `fdiff`."""
    def handle(expr: Expr, var: Symbol, known: Known) -> _Applied:
        return _outer(rule, expr.fdiff(1), expr.args[0], var, known)
    return handle


def _max(expr: Expr, var: Symbol, known: Known) -> _Applied:
    """Max(0, u) is relu(u), with relu's convention H(0) = 0 (SymPy's diff says H(0) = 1/2)."""
    if len(expr.args) != 2 or Integer(0) not in expr.args:
        raise Unsupported(f"only Max(0, u) has a rule: {expr}")
    inner = next(a for a in expr.args if a != 0)
    return _outer("relu", Heaviside(inner, 0), inner, var, known)


def _outer(rule: str, outer_derivative: Expr, inner: Expr, var: Symbol, known: Known) -> _Applied:
    """f(u) with f' known: f' itself when u is x, else the chain rule with inner u."""
    if inner == var:
        return _Applied(rule, outer_derivative)
    return _Applied("chain", outer_derivative * _d(inner, var, known), _open(inner, known=known),
                    inner, rule)


_HANDLERS: dict[type, Handler] = {
    Symbol: _symbol,
    Add: _sum,
    Mul: _mul,
    Pow: _pow,
    exp: _function("exp"),
    log: _function("log"),
    sigmoid: _function("sigmoid"),
    tanh: _function("tanh"),
    relu: _function("relu"),
    Max: _max,
}


def _back_substitute(expr: Expr, back: Mapping[Expr, Symbol]) -> Expr:
    """Name sub-expressions as the network does: exactly where they occur, else over a denominator."""
    named = expr.xreplace(dict(back))
    for bottom, pairs in _by_denominator(back).items():
        named = _over(named, bottom, pairs)
    return named


def _by_denominator(back: Mapping[Expr, Symbol]) -> dict[Expr, list[tuple[Expr, Symbol]]]:
    groups: dict[Expr, list[tuple[Expr, Symbol]]] = {}
    for pattern, name in back.items():  # the caller's order: deterministic
        top, bottom = pattern.as_numer_denom()
        if bottom != 1:
            groups.setdefault(bottom, []).append((top, name))
    return groups


def _over(expr: Expr, bottom: Expr, pairs: list[tuple[Expr, Symbol]]) -> Expr:
    """Rewrite in the names of top_k / bottom: the quotient rule's (e1 S - e1^2) / S^2 is out(1 - out).

    Each top_k becomes name_k * S with S standing for the shared denominator; kept only if every S
    and every symbol of the denominator cancels, so the names then carry the whole expression.
    """
    if not expr.free_symbols & bottom.free_symbols:
        return expr  # nothing left to name
    s = Dummy("S")
    trial = expr.subs(bottom, s).subs([(top, name * s) for top, name in pairs])
    trial = cancel(trial)
    if trial.free_symbols & (bottom.free_symbols | {s}):
        return expr
    return factor_terms(trial)
