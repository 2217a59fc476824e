"""JavaScript: each step's formula, and each mistake's, printed for the practice page by SymPy's printer.

The page computes nothing it was not given a formula for: every function is printed here from the
step's SymPy expression (never written by hand, never assembled from strings), over `v`, the values
by claim name (`v["out_h1"]`). The page's script defines the helpers the printer calls (`sigmoid`,
`relu`, `step`); the tests run every printed function in Node against the engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sympy import Expr, Symbol
from sympy.printing.jscode import JavascriptCodePrinter

from derive.practice.steps import Chain

# The page's own functions the printed code calls, beside JavaScript's Math.
HELPERS = ("sigmoid", "relu", "step")


class StepPrinter(JavascriptCodePrinter):
    """A formula as a JavaScript expression in `v`, the values of the given numbers and earlier steps."""

    def _print_Symbol(self, expr: Symbol) -> str:
        # the names are validated identifiers with _ / @ [ ]: a JSON string is a JavaScript string literal
        return f"v[{json.dumps(expr.name)}]"

    def _print_sigmoid(self, expr: Expr) -> str:
        return f"sigmoid({self._print(expr.args[0])})"

    def _print_relu(self, expr: Expr) -> str:
        return f"relu({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr: Expr) -> str:  # relu's slope, 0 at 0 as the engine takes it
        return f"step({self._print(expr.args[0])})"


@dataclass(frozen=True)
class Printed:
    """One step's printed functions: its value, and its value under each catalogued mistake."""

    claim: str
    deps: tuple[str, ...]  # the earlier steps its formula uses, in the page's order
    value: str
    mistakes: tuple[tuple[str, str], ...]


def printed(chain: Chain) -> tuple[Printed, ...]:
    """Every step of `chain` printed."""
    printer = StepPrinter()
    order = {s.symbol: i for i, s in enumerate(chain.steps)}
    found = []
    for s in chain.steps:
        used = set().union(s.expr.free_symbols, *[e.free_symbols for _, e in s.mistakes])
        deps = tuple(x.name for x in sorted((x for x in used if x in order), key=order.__getitem__))
        found.append(Printed(s.claim, deps, printer.doprint(s.expr),
                             tuple((m, printer.doprint(e)) for m, e in s.mistakes)))
    return tuple(found)
