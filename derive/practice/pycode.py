"""Python: each step's formula printed for PrairieLearn's `server.py`, which runs without derive.

The question carries an error forward as `derive grade` does (`derive.course.carried`): a quantity is
worked out again from the student's own earlier answers. `server.py` does that with these functions,
printed from the steps' SymPy expressions over `v`, the values by claim name, calling only `math` and
its own `_sigmoid`; the tests run them against the engine.
"""

from __future__ import annotations

import json

from sympy import Expr, Symbol
from sympy.printing.pycode import PythonCodePrinter

from derive.practice.steps import Chain


class StepPrinter(PythonCodePrinter):
    """A formula as a Python expression in `v`, with the standard library's math only."""

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True})

    def _print_Symbol(self, expr: Symbol) -> str:
        # the names are validated identifiers with _ / @ [ ]: a JSON string is a Python string literal
        return f"v[{json.dumps(expr.name)}]"

    def _print_sigmoid(self, expr: Expr) -> str:
        return f"_sigmoid({self._print(expr.args[0])})"

    def _print_relu(self, expr: Expr) -> str:
        return f"max({self._print(expr.args[0])}, 0.0)"

    def _print_Heaviside(self, expr: Expr) -> str:  # relu's slope, 0 at 0 as the engine takes it
        return f"(1.0 if {self._print(expr.args[0])} > 0 else 0.0)"


def printed(chain: Chain) -> tuple[tuple[str, str, bool], ...]:
    """(claim, its formula as Python, whether derive grade puts a student's own answer in its place) of
    every step of `chain`."""
    printer = StepPrinter()
    return tuple((s.claim, printer.doprint(s.expr), s.carried) for s in chain.steps)
