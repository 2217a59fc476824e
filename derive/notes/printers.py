"""Printers: the LaTeX notation of every quantity, decided here and nowhere else.

`NotationPrinter` prints expressions in the network's symbols (`\\mathrm{out}_{h1}`, `w_{5}`, `\\sigma(...)`);
`ValuePrinter` prints the same expression with every symbol replaced by its shown number, keeping the
structure a teacher writes on the board (`0.75136507 \\times (1 - 0.75136507)`).
"""

from __future__ import annotations

from typing import Mapping, Sequence

from sympy import Expr, Symbol
from sympy.printing.latex import LatexPrinter

from derive.model.network import Neuron
from derive.model.precision import Real, show
from derive.notes import notation as notations

# Characters of LaTeX source beyond which an equation chain is set on aligned lines.
LINE = 110


class NotationPrinter(LatexPrinter):
    """LaTeX in the network's notation."""

    printmethod = "_derive_latex"

    def __init__(self, notation: notations.Notation | None = None, mul_symbol: str | None = None) -> None:
        super().__init__({"mul_symbol": mul_symbol, "fold_short_frac": False})
        self.notation = notation

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return self.name(expr.name)

    def name(self, name: str) -> str:
        """The LaTeX of a symbol's name in this printer's notation."""
        glyph = self.notation.glyph(name) if self.notation else notations.classic_glyph(name)
        return notations.latex(glyph)

    def _print_Add(self, expr: Expr, order: str | None = None) -> str:
        """Sums start with a positive term, as people write them: target - out, not -out + target."""
        terms = list(expr.as_ordered_terms())
        first = next((i for i, t in enumerate(terms) if not t.could_extract_minus_sign()), 0)
        terms = [terms[first]] + terms[:first] + terms[first + 1:]
        tex = ""
        for i, term in enumerate(terms):
            if i and term.could_extract_minus_sign():
                tex, term = tex + " - ", -term
            elif i:
                tex += " + "
            elif term.could_extract_minus_sign():
                tex, term = "- ", -term
            term_tex = self._print(term)
            tex += r"\left(%s\right)" % term_tex if self._needs_add_brackets(term) else term_tex
        return tex

    def _print_Mul(self, expr: Expr) -> str:
        """A fractional coefficient stands in front: \\frac{1}{2} (t - o)^2, not \\frac{(t - o)^2}{2}."""
        coeff, rest = expr.as_coeff_Mul()
        if not coeff.is_Rational or coeff.is_Integer or rest == 1:
            return super()._print_Mul(expr)
        sign, coeff = ("- ", -coeff) if coeff < 0 else ("", coeff)
        body = self._print(rest)
        if rest.is_Add:
            body = r"\left(%s\right)" % body
        separator = self._settings["mul_symbol_latex"] if self._settings["mul_symbol"] else " "
        return f"{sign}\\frac{{{coeff.p}}}{{{coeff.q}}}{separator}{body}"

    def _print_sigmoid(self, expr: Expr, exp: str | None = None) -> str:
        return self._function(r"\sigma", expr, exp)

    def _print_relu(self, expr: Expr, exp: str | None = None) -> str:
        return self._function(r"\operatorname{relu}", expr, exp)

    def _print_Heaviside(self, expr: Expr, exp: str | None = None) -> str:
        return self._function("H", expr, exp)

    def _function(self, head: str, expr: Expr, exp: str | None) -> str:
        tex = r"%s\left(%s\right)" % (head, self._print(expr.args[0]))
        return f"{tex}^{{{exp}}}" if exp else tex

    def _print_Derivative(self, expr: Expr) -> str:
        """d/dx (u) with a partial, as every other derivative of the notes; u bracketed unless a symbol."""
        body, var = expr.expr, expr.variables[0]
        inner = self._print(body) if body.is_Symbol else r"\left(%s\right)" % self._print(body)
        return r"\frac{\partial}{\partial %s} %s" % (self._print(var), inner)

    def partial(self, num: Symbol, den: Symbol) -> str:
        """d num / d den as a fraction of partials."""
        return r"\frac{\partial %s}{\partial %s}" % (self._print(num), self._print(den))

    def product(self, parts: Sequence[str]) -> str:
        return r" \cdot ".join(parts)

    def index_sum(self, index: str, body: str) -> str:
        """A sum over an index letter: \\sum_{k} body."""
        return rf"\sum_{{{index}}} {body}"

    def updated(self, symbol: Symbol) -> str:
        """p^{+}, the value after the update; a glyph with its own superscript is braced first."""
        tex = self._print(symbol)
        return f"{{{tex}}}^{{+}}" if "^" in tex else f"{tex}^{{+}}"

    def ordered_product(self, factors: Sequence[Expr]) -> str:
        """A product in the given order (SymPy would sort it): a delta's factors, then the source."""
        sign = ""
        parts = []
        for f in factors:
            if f == 1:
                continue
            if f == -1:
                sign = "- " if not sign else ""
                continue
            tex = self._print(f)
            parts.append(r"\left(%s\right)" % tex if f.is_Add or f.could_extract_minus_sign() else tex)
        return sign + (" ".join(parts) if parts else "1")

    def weighted_sum(self, neuron: Neuron) -> str:
        """A neuron's net in the order a teacher writes it: w_1 i_1 + w_2 i_2 + b_1."""
        text = " + ".join(self.product([self._print(link.weight.symbol), self._print(link.source)])
                          for link in neuron.links)
        if neuron.bias is not None:
            sign = "+" if neuron.bias_sign > 0 else "-"
            bias = self._print(neuron.bias.symbol)
            text = f"{text} {sign} {bias}" if text else (bias if sign == "+" else f"-{bias}")
        return text

    def equation(self, *parts: str) -> str:
        """lhs = a = b ...; a long chain is broken into aligned lines, one `=` per line."""
        if len(parts) < 3 or sum(len(p) for p in parts) <= LINE:
            return " = ".join(parts)
        lines = [f"{parts[0]} &= {parts[1]}"] + [f"&= {p}" for p in parts[2:]]
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"


class ValuePrinter(NotationPrinter):
    """LaTeX of an expression with every symbol shown as its number, rounded once."""

    def __init__(self, values: Mapping[Symbol, Real], digits: int) -> None:
        super().__init__(mul_symbol="times")
        self.values = values
        self.digits = digits

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return self.number(self.values[expr], bracket=True)

    def number(self, x: Real, bracket: bool = False) -> str:
        shown = show(x, self.digits)
        needs = bracket and (shown.negative or "times" in shown.latex)
        return r"\left(%s\right)" % shown.latex if needs else shown.latex

    def product(self, parts: Sequence[str]) -> str:
        return r" \times ".join(parts)
