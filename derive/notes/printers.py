"""Printers: the LaTeX notation of every quantity, decided here and nowhere else.

`NotationPrinter` prints expressions in the network's symbols (`\\mathrm{out}_{h1}`, `w_{5}`, `\\sigma(...)`);
`ValuePrinter` prints the same expression with every symbol replaced by its shown number, keeping the
structure a teacher writes on the board (`0.75136507 \\times (1 - 0.75136507)`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sympy import Expr, Symbol
from sympy.printing.latex import LatexPrinter

from derive.model.network import Neuron
from derive.model.precision import Real, show
from derive.maths.derivation import Pass
from derive.notes import notation as notations

# The width of a display line, in units of about one digit of display maths: beyond it an equation is
# set on aligned lines, one `=` per line, and a side too wide on its own is broken after a `+` or `-`.
# The PDF's text width (A4, 2 cm margins, 11 pt) holds about 70; a phone's screen (360-420 px) about 36.
LINE = 64
# Commands that print nothing by themselves or only size what follows.
_SILENT = {"left", "right", "mathrm", "mathit", "operatorname", "displaystyle", "quad", "qquad", "hat", "big"}
# Commands printed as a wide operator with space around it.
_OPERATORS = {"cdot": 1.6, "times": 1.6, "to": 2.0, "odot": 1.6, "sum": 1.6, "partial": 0.9, "ldots": 2.0}


class NotationPrinter(LatexPrinter):
    """LaTeX in the network's notation."""

    printmethod = "_derive_latex"

    def __init__(self, notation: notations.Notation | None = None, mul_symbol: str | None = None,
                 width: float = LINE) -> None:
        super().__init__({"mul_symbol": mul_symbol, "fold_short_frac": False})
        self.notation = notation
        self.width = width

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
        terms = [terms[first], *terms[:first], *terms[first + 1:]]
        tex = ""
        for i, term in enumerate(terms):
            if i and term.could_extract_minus_sign():
                tex, term = tex + " - ", -term
            elif i:
                tex += " + "
            elif term.could_extract_minus_sign():
                tex, term = "- ", -term
            term_tex = self._print(term)
            tex += rf"\left({term_tex}\right)" if self._needs_add_brackets(term) else term_tex
        return tex

    def _print_Mul(self, expr: Expr) -> str:
        """A fractional coefficient stands in front: \\frac{1}{2} (t - o)^2, not \\frac{(t - o)^2}{2}."""
        coeff, rest = expr.as_coeff_Mul()
        if not coeff.is_Rational or coeff.is_Integer or rest == 1:
            return super()._print_Mul(expr)
        sign, coeff = ("- ", -coeff) if coeff < 0 else ("", coeff)
        body = self._print(rest)
        if rest.is_Add:
            body = rf"\left({body}\right)"
        separator = self._settings["mul_symbol_latex"] if self._settings["mul_symbol"] else " "
        return f"{sign}\\frac{{{coeff.p}}}{{{coeff.q}}}{separator}{body}"

    def _print_UnevaluatedExpr(self, expr: Expr) -> str:
        """A factor kept apart in a product (an assembled narration): bracketed when it is negative or a
        sum, `e^{x} \\cdot \\left(- \\frac{...}{...}\\right)`, never `\\cdot -`."""
        inner = expr.args[0]
        tex = self._print(inner)
        # a number is bracketed by the product's own printing
        wrap = not inner.is_Number and (inner.is_Add or inner.could_extract_minus_sign())
        return rf"\left({tex}\right)" if wrap else tex

    def _print_sigmoid(self, expr: Expr, exp: str | None = None) -> str:
        return self._function(r"\sigma", expr, exp)

    def _print_relu(self, expr: Expr, exp: str | None = None) -> str:
        return self._function(r"\operatorname{relu}", expr, exp)

    def _print_Heaviside(self, expr: Expr, exp: str | None = None) -> str:
        return self._function("H", expr, exp)

    def _function(self, head: str, expr: Expr, exp: str | None) -> str:
        tex = rf"{head}\left({self._argument(expr.args[0])}\right)"
        return f"{tex}^{{{exp}}}" if exp else tex

    def _argument(self, arg: Expr) -> str:
        """An expression that stands alone, in a function's brackets or in an exponent."""
        return self._print(arg)

    def _print_Derivative(self, expr: Expr) -> str:
        """d/dx (u) with a partial, as every other derivative of the notes; u bracketed unless a symbol."""
        body, var = expr.expr, expr.variables[0]
        inner = self._print(body) if body.is_Symbol else rf"\left({self._print(body)}\right)"
        return rf"\frac{{\partial}}{{\partial {self._print(var)}}} {inner}"

    def partial(self, num: Symbol, den: Symbol) -> str:
        """d num / d den as a fraction of partials."""
        return rf"\frac{{\partial {self._print(num)}}}{{\partial {self._print(den)}}}"

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
            parts.append(rf"\left({tex}\right)" if f.is_Add or f.could_extract_minus_sign() else tex)
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
        """lhs = a = b ...: one line if it fits the width, else aligned lines, one `=` per line, a side
        too wide for a line broken after its `+` and `-` signs (inside brackets if it must)."""
        if width(" = ".join(parts)) <= self.width:
            return " = ".join(parts)
        lhs, rest = parts[0], parts[1:]
        room = self.width - 2.5
        if width(lhs) > self.width / 3:  # a long left side stands on its own line, the rest below it
            head = [("& " if k == 0 else "&\\qquad ") + piece for k, piece in enumerate(_pieces(lhs, room - 3))]
            lines = head + [("&\\quad = " if k == 0 else "&\\qquad ") + piece
                            for p in rest for k, piece in enumerate(_pieces(p, room - 5))]
        else:
            lines = []
            for i, p in enumerate(rest):
                for j, piece in enumerate(_pieces(p, room - width(lhs))):
                    lead = (lhs if i == 0 and j == 0 else "") + (" &= " if j == 0 else " &\\quad ")
                    lines.append(f"{lead.lstrip()}{piece}" if lead.strip() else f"{lead}{piece}")
        return "\\begin{aligned}\n" + " \\\\\n".join(line.strip() for line in lines) + "\n\\end{aligned}"


class ValuePrinter(NotationPrinter):
    """LaTeX of an expression with every symbol shown as its number, rounded once."""

    def __init__(self, values: Mapping[Symbol, Real], digits: int, width: float = LINE) -> None:
        super().__init__(mul_symbol="times", width=width)
        self.values = values
        self.digits = digits
        self._bare = False  # printing a function's lone argument (see _print_Function)

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        return self.number(self.values[expr], bracket=not self._bare)

    def _argument(self, arg: Expr) -> str:
        """A symbol's number where it stands alone needs no bracket of its own: tanh(-0.3), e^{-0.01}."""
        return self.number(self.values[arg]) if arg.is_Symbol else self._print(arg)

    def _print_ExpBase(self, expr: Expr, exp: str | None = None) -> str:
        return self._do_exponent(rf"e^{{{self._argument(expr.args[0])}}}", exp)

    def _print_Function(self, expr: Expr, exp: str | None = None) -> str:
        """tanh and the like: a lone argument's brackets are the function's, tanh(-0.3)."""
        return self._alone(super()._print_Function, expr, exp)

    def _print_log(self, expr: Expr, exp: str | None = None) -> str:
        return self._alone(super()._print_log, expr, exp)

    def _alone(self, print_: Callable[[Expr, str | None], str], expr: Expr, exp: str | None) -> str:
        bare, self._bare = self._bare, len(expr.args) == 1 and expr.args[0].is_Symbol
        try:
            return print_(expr, exp)
        finally:
            self._bare = bare

    def _print_Pow(self, expr: Expr) -> str:
        """A number raised to a power is bracketed, (0.405321309)^{2}: a reader must not wonder whether
        the power binds the last digit or the number (a square root keeps its own sign)."""
        base, power = expr.args
        if base.is_Symbol and power.is_Integer and power > 0:
            return rf"\left({self.number(self.values[base])}\right)^{{{self._print(power)}}}"
        return super()._print_Pow(expr)

    def _print_Mul(self, expr: Expr) -> str:
        """A negated product whose first number is 0 keeps its minus outside: -(0 × log(0.49)), never
        the -0 a reader takes for a number."""
        coeff, rest = expr.as_coeff_Mul()
        first = rest.as_ordered_factors()[0] if rest.is_Mul else rest
        if coeff == -1 and first.is_Symbol and show(self.values[first], self.digits).text == "0":
            return rf"- \left({self._print(rest)}\right)"
        return super()._print_Mul(expr)

    def number(self, x: Real, bracket: bool = False) -> str:
        shown = show(x, self.digits)
        needs = bracket and (shown.negative or "times" in shown.latex)
        return rf"\left({shown.latex}\right)" if needs else shown.latex

    def product(self, parts: Sequence[str]) -> str:
        return r" \times ".join(parts)



class Printers:
    """The notation printer and, for one pass, the value printer."""

    def __init__(self, p: Pass | None, digits: int, notation: notations.Notation | None = None, narrate: bool = False,
                 width: float = LINE, colours: Mapping[str, str] | None = None,
                 narrations: dict[Any, Any] | None = None, identity: bool = True) -> None:
        self.narrate = narrate
        self.identity = identity  # narrations derive the sigmoid identity (the compact notes state it instead)
        # narrations by what they narrate: symbolic, so the passes of several samples share them
        self.narrations = {} if narrations is None else narrations
        self.colours = colours or {}  # a kind of chain-rule factor -> its colour as the format names it
        self.sym = NotationPrinter(notation, width=width)
        self.val = ValuePrinter(p.values if p else {}, digits, width)
        self.digits = digits
        self.notation = notation
        self.sign = notation.delta_sign if notation else 1
        self.closed: dict[tuple[Symbol, int, int], str] = {}  # printed closed deltas, reused by every gradient

    def tex(self, expr: Expr) -> str:
        return self.sym.doprint(expr)

    def subst(self, expr: Expr) -> str:
        return self.val.doprint(expr)

    def num(self, x: Real) -> str:
        return show(x, self.digits).latex

    def partial(self, num: Any, den: Any) -> str:
        return self.sym.partial(num, den)

    def eq(self, *parts: str) -> str:
        return self.sym.equation(*parts)

    def coloured(self, kind: str, tex: str) -> str:
        """`tex` in the colour of a kind of chain-rule factor (as it is, for a format without colours)."""
        colour = self.colours.get(kind)
        return rf"\textcolor{{{colour}}}{{{tex}}}" if colour else tex


def column(values: Sequence[Real], digits: int) -> list[str]:
    """The numbers of one column of a table in one format: plain, or every one as a mantissa times a power
    of ten when any needs one (never 0.00000675 above 5.1 \\times 10^{-7})."""
    shown = [show(v, digits) for v in values]
    if not any(r"\times 10^" in s.latex for s in shown):
        return [s.latex for s in shown]
    return [show(v, digits, scientific=True).latex if s.latex != "0" else "0" for v, s in zip(values, shown)]


@functools.lru_cache(maxsize=4096)
def width(tex: str) -> float:
    """About how wide `tex` prints in display maths, in digit widths: stacked fractions count their
    wider part, scripts count 0.7, spacing and sizing commands nothing. (Remembered: breaking an
    equation into lines measures the same pieces many times.)"""
    return _width(tex, 0)[0]


def _group(tex: str, i: int) -> tuple[str, int]:
    """The braced group (or single token) at `i`: its text and the index after it."""
    if i < len(tex) and tex[i] == "{":
        depth = 0
        for j in range(i, len(tex)):
            c = tex[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return tex[i + 1:j], j + 1
        return tex[i + 1:], len(tex)
    if i < len(tex) and tex[i] == "\\":
        j = i + 1
        while j < len(tex) and tex[j].isalpha():
            j += 1
        return tex[i:max(j, i + 2)], max(j, i + 2)
    return tex[i:i + 1], i + 1


def _width(tex: str, i: int) -> tuple[float, int]:
    total = 0.0
    while i < len(tex):
        c = tex[i]
        if c == "\\":
            j = i + 1
            while j < len(tex) and tex[j].isalpha():
                j += 1
            name = tex[i + 1:j] or tex[i + 1:i + 2]
            j = max(j, i + 2)
            if name in ("textcolor", "color"):  # the colour's name prints nothing
                _, j = _group(tex, j)
            elif name == "begin":  # a matrix: its widest row, cell by cell
                env, j = _group(tex, j)
                close = tex.find(rf"\end{{{env}}}", j)
                close = len(tex) if close < 0 else close
                rows = [row.split("&") for row in tex[j:close].split(r"\\")]
                total += max(sum(width(c) for c in row) + 1.2 * (len(row) - 1) for row in rows) + 1.5
                j = close + len(rf"\end{{{env}}}")
            elif name == "frac":
                top, j = _group(tex, j)
                bottom, j = _group(tex, j)
                total += max(width(top), width(bottom)) + 0.4
            elif name in ("mathrm", "mathit", "operatorname"):
                word, j = _group(tex, j)
                total += 0.85 * len(word)
            elif name in _SILENT or not name.isalpha():
                total += 0.0 if name in _SILENT else 0.5
            else:
                total += _OPERATORS.get(name, 1.0)
            i = j
        elif c in "_^":
            script, i = _group(tex, i + 1)
            total += 0.7 * width(script)
        elif c in "{}& ":
            i += 1
        elif c in "+-=<>":
            total += 1.6
            i += 1
        elif c in "()[]|.,;":
            total += 0.5
            i += 1
        else:
            total += 1.0
            i += 1
    return total, i


# A product is broken where no sum can be: before `\times` or `\cdot`, or between two juxtaposed factors,
# which the next line then opens with `\cdot`. Never after an operator that needs what follows it.
_OPERATOR_BEFORE = re.compile(r"(\\[A-Za-z]+|\\sum_\{[^{}]*\})$")
_DERIVATIVE = r"\frac{\partial}{\partial"
SUM, PRODUCT = 0, 1


def _ends_operator(before: str) -> bool:
    """Whether `before` ends with a derivative operator d/dx, which must stay with what it differentiates."""
    start = before.rfind(_DERIVATIVE)
    if start < 0:
        return False
    _, end = _group(before, start + len(r"\frac{\partial}"))
    return end == len(before)


def _juxtaposed(tex: str, i: int) -> bool:
    """Whether the space at `i` separates two factors written side by side (a product without a sign)."""
    before, after = tex[:i], tex[i + 1:]
    if not before or (before[-1] not in ")}" and not before[-1].isalnum()):
        return False
    if _OPERATOR_BEFORE.search(before) or before.endswith(("\\right.", "&")) or _ends_operator(before):
        return False
    return bool(after) and (after[0].isalnum() or after.startswith(_FACTOR_STARTS))


# what a factor of a product may open with (a bracket, a word, a fraction, a matrix, a Greek letter)
_FACTOR_STARTS = ("\\left(", "\\mathrm", "\\mathit", "\\frac{", "\\begin{", "\\sigma", "\\hat", "\\delta", "\\eta")


def _splits(tex: str, room: float) -> list[tuple[int, int, int]]:
    r"""(position, bracket depth, kind) of every place outside braces where a line may break: a ` + ` or
    ` - ` (kind SUM), or a product's `\times`, `\cdot` or juxtaposition (kind PRODUCT); at the top, or
    inside a bracket too wide for a line by itself (never inside a short one like (1 - x))."""
    found, braces, depth, i, env = [], 0, 0, 0, 0
    summing: set[int] = set()  # bracket depths inside a \sum's operand: its product is never broken
    inside: list[tuple[int, int]] = []  # (position, the innermost bracket's index) of places in brackets
    groups: list[list[int]] = []  # [start, end] of every bracket, in the order opened
    stack: list[int] = []
    while i < len(tex):
        if tex.startswith("\\left", i) and not tex[i + 5:i + 6].isalpha():
            stack.append(len(groups))
            groups.append([i, len(tex)])
            depth, i = depth + 1, i + 5
            continue
        if tex.startswith("\\right", i) and not tex[i + 6:i + 7].isalpha():
            if stack:
                groups[stack.pop()][1] = i + 6
            summing.discard(depth)
            depth, i = depth - 1, i + 6
            continue
        if tex.startswith("\\sum_", i) and braces == 0:
            summing.add(depth)
        if tex.startswith(("\\begin{", "\\end{"), i):  # a matrix is never broken inside
            env += 1 if tex[i + 1] == "b" else -1
        c = tex[i]
        braces += 1 if c == "{" else (-1 if c == "}" else 0)
        kind = None
        if braces == 0 and i > 0 and tex[i - 1] == " ":
            if tex[i] in "+-" and tex[i + 1:i + 2] == " ":
                kind = SUM
            elif tex.startswith(("\\times ", "\\cdot ", "\\odot "), i):
                kind = PRODUCT
        if braces == 0 and c == " " and kind is None and _juxtaposed(tex, i):
            kind = PRODUCT
        if kind == SUM:
            summing.discard(depth)
        elif kind == PRODUCT and depth in summing:
            kind = None
        if kind is not None and (env == 0 or tex.startswith("\\end{", i + 1)):
            found.append((i, depth, kind))
            if depth and stack:
                inside.append((i, stack[-1]))
        i += 1
    narrow = {pos for pos, g in inside if width(tex[groups[g][0]:groups[g][1]]) <= room}
    return [(pos, d, k) for pos, d, k in found if pos not in narrow]


def _pieces(tex: str, room: float) -> list[str]:
    """`tex` cut into lines no wider than `room` where it can be: after a `+` or `-` at the shallowest
    bracket depth that has one, else between the factors of a product, then each line still too wide the
    same way inside its brackets; a bracket left open at a cut is closed with \\right. and reopened with
    \\left. on the next line."""
    if width(tex) <= room:
        return [tex]
    splits = _splits(tex, room)
    for kind in (SUM, PRODUCT):
        for depth in sorted({d for _, d, k in splits if k == kind}):
            lines = _cut(tex, [p for p, d, k in splits if d == depth and k == kind], room, depth)
            if len(lines) > 1:
                return [piece for line in lines for piece in (_pieces(line, room) if len(line) < len(tex) else [line])]
    flat = _unstacked(tex, room)
    return _pieces(flat, room) if flat is not None else [tex]


def _unstacked(tex: str, room: float) -> str | None:
    """A fraction whose numerator is too wide for a line, `\\frac{a - b}{c}`, as `\\frac{1}{c} \\left(a - b\\right)`,
    whose bracket can be broken; None for anything else."""
    sign, body = ("- ", tex[2:]) if tex.startswith("- ") else ("", tex)
    if not body.startswith("\\frac{"):
        return None
    top, j = _group(body, len("\\frac"))
    bottom, end = _group(body, j)
    if end != len(body) or top == "1" or width(top) <= room or not _splits(top, room):
        return None
    return f"{sign}\\frac{{1}}{{{bottom}}} \\left({top}\\right)"


def _cut(tex: str, cuts: list[int], room: float, depth: int) -> list[str]:
    r"""`tex` cut at some of `cuts` (positions of signs or factors `depth` brackets deep), filling each line;
    a line that opens between two juxtaposed factors opens with `\cdot`."""
    lines, line_start = [], 0
    for k, cut in enumerate(cuts):
        nxt = cuts[k + 1] if k + 1 < len(cuts) else len(tex)
        if width(tex[line_start:nxt]) > room and tex[line_start:cut].replace("\\left.", "").strip():
            lines.append(tex[line_start:cut].rstrip())
            line_start = cut
    lines.append(tex[line_start:])
    close, reopen = " \\right." * depth, "\\left. " * depth
    lines = [line if k == 0 or not line.startswith(" ") else "\\cdot" + line for k, line in enumerate(lines)]
    return [("" if k == 0 else reopen) + line + ("" if k == len(lines) - 1 else close)
            for k, line in enumerate(lines)]
