"""The derivative operator of a claim, `\\frac{\\partial}{\\partial X} (F)`: SymPy's `diff` of the parsed F.

F is the claims grammar's own tree (numbers, names, + - * / ^, the whitelisted functions), turned into
SymPy node by node (never from text); the network's quantities and the person's own names become symbols,
an own name standing for its definition so that what it depends on is differentiated too. The derivative
is then evaluated with the values of the symbols, the truth's or a random point's, as any formula is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import sympy
from sympy import Expr, Symbol

from derive.check.claims import OPERATOR, Binary, Call, Name, Node, Num, Unary
from derive.maths.numeric import evaluate
from derive.model.precision import Real
from derive.model.rules import relu, sigmoid

PREFIX = OPERATOR  # a Call of function `diff:X` is d/dX of its argument


def is_operator(function: str) -> bool:
    return function.startswith(PREFIX)


def variable(function: str) -> str:
    return function[len(PREFIX):]


_FUNCTIONS: dict[str, Callable[[Expr], Expr]] = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh, "abs": sympy.Abs,
    "sigmoid": sigmoid, "sigma": sigmoid, "relu": relu, "step": lambda x: sympy.Heaviside(x, 0),
    "dsigmoid": lambda x: sigmoid(x) * (1 - sigmoid(x)), "dtanh": lambda x: 1 - sympy.tanh(x) ** 2,
}


class NotDifferentiable(ValueError):
    """Something inside the operator that has no derivative here (a sum over the samples)."""


def to_sympy(node: Node, own: Mapping[str, Node]) -> Expr:
    """The SymPy expression of a claims tree; own names replaced by their definitions."""
    if isinstance(node, Num):
        numerator, denominator = Decimal(node.text).as_integer_ratio()
        return sympy.Rational(numerator, denominator)
    if isinstance(node, Name):
        return to_sympy(own[node.name], own) if node.name in own else Symbol(node.name)
    if isinstance(node, Unary):
        inner = to_sympy(node.arg, own)
        return -inner if node.op == "-" else inner
    if isinstance(node, Call):
        if is_operator(node.function):
            return sympy.diff(to_sympy(node.arg, own), Symbol(variable(node.function)))
        if node.function not in _FUNCTIONS:
            raise NotDifferentiable(f"{node.function} inside a derivative operator")
        return _FUNCTIONS[node.function](to_sympy(node.arg, own))
    assert isinstance(node, Binary)
    left, right = to_sympy(node.left, own), to_sympy(node.right, own)
    return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
            "/": lambda: left / right, "^": lambda: left ** right}[node.op]()


def derivative_value(call: Call, own: Mapping[str, Node], value_of: Callable[[str], Real]) -> Real:
    """d/dX of the call's argument, at the values `value_of` gives each quantity it names."""
    expr = to_sympy(call, own)
    values = {s: value_of(s.name) for s in sorted(expr.free_symbols, key=lambda s: s.name)}
    return evaluate(expr, values)
