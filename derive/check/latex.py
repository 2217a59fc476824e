"""LaTeX claims: what the walkthroughs print (and people type) read back into the plain claims grammar.

A small recursive descent over LaTeX tokens, never eval: `\\frac{\\partial E_{\\mathrm{total}}}{\\partial
\\gamma_{1}}` becomes `dE_total/dgamma1`, `{W^{[1]}_{11}}^{+}` becomes `w1@1`, `\\frac{1}{1 + e^{- x}}`
becomes `((1) / (1 + exp(- x)))`, `1.5 \\times 10^{-5}` the number `1.5e-5`, a product written side by
side gets its `*`. Names are read through the glyph tables of `derive.model.notation`, the ones the
printers print with, so each notation's glyphs (`\\hat{y}_{1}`, `v_{12}`, `a^{[2]}_{1}`, `g_{1}` ...) come
back as the network's own names. Anything else is refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# the glyph tables' names, read through this module by the readers of LaTeX
from derive.check.glyphs import PROFILES as PROFILES
from derive.check.glyphs import GlyphTable, Key, LatexError, Meaning, Names
from derive.check.glyphs import glyph_names as glyph_names
from derive.check.glyphs import key_of as key_of
from derive.check.latex_tokens import tokens as tokens
from derive.check.layer_glyphs import LayerTable, layer_of
from derive.model import identifiers
from derive.model.notation import GREEK_LETTERS

MAX_DEPTH = 40  # nested groups, as in the plain grammar
MAX_WORK = 20_000  # operands read for one line, each instance of a sum over an index counted
MAX_INSTANCES = 256  # instances of a rule stated for every index


# --- tokens ------------------------------------------------------------------------------------------

IGNORED = frozenset({r"\left", r"\right", r"\,", r"\;", r"\!", r"\:", r"\quad", r"\qquad", r"\\", r"\displaystyle",
                     r"\big", r"\Big", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr", r"\limits", r"\nonumber", r"\notag"})
WORDS = frozenset({r"\mathrm", r"\mathit", r"\text", r"\operatorname", r"\textrm", r"\textit", r"\mathsf"})
TIMES = frozenset({r"\cdot", r"\times", r"\ast"})
FUNCTIONS = {r"\exp": "exp", r"\log": "log", r"\ln": "ln", r"\tanh": "tanh", r"\sqrt": "sqrt",
             "relu": "relu", r"\sigma": "sigmoid", "sigmoid": "sigmoid", "tanh": "tanh", "exp": "exp",
             "log": "log", "ln": "ln", "sqrt": "sqrt", "step": "step", "H": "step"}  # H(x): relu's slope
ENVIRONMENTS = frozenset({"aligned", "align", "align*", "equation", "equation*", "split", "gathered"})
DERIVED = ("net", "out", "target", "E", "delta")
_PRODUCT_ENDS = frozenset({"+", "-", "=", "/", "}", ")", "]", r"\right", "&", r"\end", r"\\"})


# --- the reader ----------------------------------------------------------------------------------------


class _Reader:
    """Plain-grammar text of LaTeX tokens; operands side by side are multiplied."""

    def __init__(self, toks: list[tuple[str, str]], names: Names | None, env: Mapping[str, int] | None = None) -> None:
        self.toks, self.at, self.names, self.depth = toks, 0, names or {}, 0
        self.env: dict[str, int] = dict(env or {})  # index letters and their values (0-based)
        self.free: list[str] = []  # index letters met without a value: the rule holds for each
        self.work = 0  # operands read, sums over indices included: bounded per line
        # a line about an optimizer's updates (`^{(1)}`): its beta_1, beta_2 are the optimizer's decay rates,
        # even in the textbook notation, whose beta_j otherwise names an output neuron's weighted sum
        # a line in a document's section on the optimizer: beta_1, beta_2 are its decay rates there too
        self.betas = getattr(names, "optimizer", False)
        self.optimizer = any(toks[i][1] == "^" and toks[i + 1][1] == "{" and toks[i + 2][1] == "("
                             for i in range(len(toks) - 2))

    def peek(self, ahead: int = 0) -> str | None:
        index = self.at + ahead
        return self.toks[index][1] if index < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.toks):
            raise LatexError("the expression ends too early")
        self.at += 1
        return self.toks[self.at - 1]

    def expect(self, text: str) -> None:
        _kind, found = self.take()
        if found != text:
            raise LatexError(f"expected {text!r}, found {found!r}")

    def sequence(self, stop: frozenset[str]) -> str:
        """Operands and operators up to (not including) a token in `stop` or the end."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LatexError(f"more than {MAX_DEPTH} levels of nesting")
        parts: list[str] = []
        last_operand = False
        while (token := self.peek()) is not None and (
                token not in stop or (token == r"\right" and self.peek(1) == ".")):
            operator = self.operator()
            if operator is not None:
                if operator:
                    parts.append(f" {operator} ")
                    last_operand = False
                continue
            operand = self.operand()
            if last_operand:
                parts.append(" * ")
            parts.append(operand)
            last_operand = True
        self.depth -= 1
        return "".join(parts)

    def operator(self) -> str | None:
        """An operator's plain text, "" for tokens that print nothing, None for the start of an operand."""
        token = self.peek()
        if token in IGNORED or token == "&":
            if token in (r"\left", r"\right") and self.peek(1) == ".":
                self.at += 1
            self.at += 1
            return ""
        if token in (r"\begin", r"\end"):
            self.at += 1
            env = self.group_text()
            if env.endswith("matrix"):
                raise LatexError("a matrix or a vector: claim its entries one by one")
            if env not in ENVIRONMENTS:
                raise LatexError(f"the environment {env!r} holds no claim the checker reads")
            return ""
        if token in TIMES:
            self.at += 1
            return "*"
        if token in ("+", "-", "=", "/", "*"):
            self.at += 1
            return token
        if token in (r"\approx", r"\simeq"):  # a rounded value is judged to the digits written anyway
            self.at += 1
            return "="
        return None

    def operand(self) -> str:
        self.work += 1
        if self.work > MAX_WORK:
            raise LatexError(f"more than {MAX_WORK} terms to read (sums over indices multiply them)")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LatexError(f"more than {MAX_DEPTH} levels of nesting")
        try:
            return self._operand()
        finally:
            self.depth -= 1

    def _operand(self) -> str:
        kind, token = self.take()
        if kind == "number":
            return self.number(token)
        if token in ("(", "["):
            inner = self.sequence(frozenset({")", "]", r"\right"}))
            self.close()
            return self.scripts_of_value(f"({inner})")
        if token == "{":
            inner = self.sequence(frozenset({"}"}))
            self.expect("}")
            return self.scripts_of_value(inner if _is_name(inner) else f"({inner})")
        if token in (r"\frac", r"\dfrac", r"\tfrac"):
            return self.scripts_of_value(self.fraction())
        if token == r"\sum":
            return self.sample_sum()
        if token in (r"\mathbf", r"\odot"):
            raise LatexError("a whole layer's vectors and matrices (1^T, the elementwise product): claim their "
                             "entries one by one")
        if token == r"\Delta":
            name = self.operand()
            if not _is_name(name):
                raise LatexError("\\Delta of something that is not one quantity")
            return f"({name}@1 - {name})"
        return self.glyph(kind, token)

    def close(self) -> None:
        token = self.peek()
        if token == r"\right":
            self.at += 1
        self.take()

    def number(self, text: str) -> str:
        """A number; `1.5 \\times 10^{-5}` is one number, 1.5e-5, with the digits written."""
        if self.peek() in TIMES and self.peek(1) == "10" and self.peek(2) == "^":
            self.at += 3
            exponent = self.script_text()
            if re.fullmatch(r"[-+]?\d{1,3}", exponent):
                return f"{text}e{exponent}"
            raise LatexError(f"a power of ten that is not a whole number: {exponent!r}")
        return self.scripts_of_value(text)

    def fraction(self) -> str:
        if self.peek() == "{" and self.peek(1) == r"\partial":
            return self.derivative()
        if [self.peek(i) for i in range(4)] == ["{", "d", "}", "{"] \
                and re.fullmatch(r"d(?:[A-Za-z]+\d*)?", self.peek(4) or ""):
            self.at += 3  # \\frac{d}{dx}: the ordinary derivative operator
            return self.operator_applied()
        top = self.braced()
        bottom = self.braced()
        return f"(({top}) / ({bottom}))"

    def braced(self) -> str:
        if self.peek() != "{":
            _kind, token = self.take()  # \frac12
            return token
        self.at += 1
        inner = self.sequence(frozenset({"}"}))
        self.expect("}")
        return inner

    def derivative(self) -> str:
        """\\frac{\\partial A}{\\partial B}: the derivative's name, dA/dB; \\frac{\\partial}{\\partial B} F:
        the derivative of the expression F that follows, d/d(B)(F)."""
        if self.peek(1) == r"\partial" and self.peek(2) == "}":
            self.at += 3
            return self.operator_applied()
        names = []
        for _ in range(2):
            self.expect("{")
            self.expect(r"\partial")
            if self.peek() == "}":
                raise LatexError("a derivative operator (d/dx of an expression) is not a quantity to check")
            name = self.sequence(frozenset({"}"}))
            self.expect("}")
            if not _is_name(name.strip().lstrip("(-").rstrip(")")):
                raise LatexError(f"a derivative of something that is not one quantity: {name.strip()!r}")
            names.append(name.strip().lstrip("(-").rstrip(")"))
        return f"d({names[0]})/d({names[1]})"

    def operator_applied(self) -> str:
        """{\\partial B} F (or {d B} F) after the operator's numerator: d/d(B)(F), F the factor that follows."""
        self.expect("{")
        kind, token = self.take()  # \\partial, d, or d and the name's letters: dx
        if kind == "letters" and len(token) > 1:
            self.at -= 1
            self.toks = [*self.toks[:self.at], (kind, token[1:]), *self.toks[self.at + 1:]]
        name = self.sequence(frozenset({"}"})).strip()
        self.expect("}")
        if not _is_name(name) or name.startswith(("(", "-")):
            raise LatexError(f"a derivative with respect to something that is not one quantity: {name!r}")
        while self.peek() in IGNORED:
            self.at += 1
        if self.peek() is None:
            raise LatexError("a derivative operator applied to nothing")
        return f"d/d({name})({self.operand()})"

    def sample_sum(self) -> str:
        """\\sum_{s} X: X at every sample, added."""
        if self.peek() == "_":
            self.at += 1
            index = self.script_text()
            bounded = re.fullmatch(r"([a-z])=(\d{1,3})", index)
            if bounded and self.peek() == "^":
                self.at += 1
                return self.bounded_sum(bounded.group(1), int(bounded.group(2)), self.count_of(self.script_text()))
            if index != "s":
                return self.index_sum(index)
        factors = [self.operand()]  # the sum runs over the product that follows it
        while (token := self.peek()) is not None and token not in _PRODUCT_ENDS:
            if token in IGNORED or token in TIMES or token == "*":
                self.at += 1
                continue
            factors.append(self.operand())
        return f"sum_s({' * '.join(factors)})"

    def index_sum(self, letter: str) -> str:
        """\\sum_{o} X: X for every value of the index o, added."""
        table = self.names
        if not isinstance(table, GlyphTable) or letter not in table.letters:
            raise LatexError(f"a sum over every index {letter!r} is a rule for every index: claim its entries "
                             "one by one")
        return self.summed(letter, range(table.size(letter)))

    def bounded_sum(self, letter: str, low: int, high: int) -> str:
        """\\sum_{k=1}^{t} X: X for k = 1 ... t (the updates so far, as the optimizer's notes sum them)."""
        if high - low >= MAX_INSTANCES:
            raise LatexError(f"a sum of more than {MAX_INSTANCES} terms")
        if high < low:
            return "0"
        return self.summed(letter, range(low, high + 1))

    def summed(self, letter: str, values: range) -> str:
        """The product that follows, once for each value of `letter`, added."""
        start, terms, outer = self.at, [], self.env.get(letter)
        for value in values:
            self.at, self.env[letter] = start, value
            factors = [self.operand()]
            while (token := self.peek()) is not None and token not in _PRODUCT_ENDS:
                if token in IGNORED or token in TIMES or token == "*":
                    self.at += 1
                    continue
                factors.append(self.operand())
            terms.append(" * ".join(factors))
        if outer is None:
            del self.env[letter]
        else:
            self.env[letter] = outer
        return f"({' + '.join(terms)})"

    def group_text(self) -> str:
        self.expect("{")
        found = []
        while (token := self.take()[1]) != "}":
            found.append(token)
        return "".join(found)

    def script_text(self) -> str:
        """The flat text of a sub- or superscript: `{o1}`, `5`, `{\\mathrm{total}}`, `{[1]}`, `{-5}`."""
        if self.peek() != "{":
            return self.take()[1].lstrip("\\")
        self.at += 1
        found: list[str] = []
        depth = 1
        while True:
            kind, token = self.take()
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
                if not depth:
                    return "".join(found)
            elif token in WORDS or token in IGNORED:
                continue
            else:
                found.append(token.lstrip("\\") if kind == "command" and token[1:] in GREEK_LETTERS else token)

    def scripts_of_value(self, value: str) -> str:
        """A power of a number or a bracket; `^{+}` of a name is its value after the update."""
        while self.peek() == "^":
            self.at += 1
            if self.peek() == "{" and self.peek(1) == "+" and self.peek(2) == "}" and _is_name(value):
                self.at += 3
                value = f"{value}@1"
                continue
            count = self.update_count()
            if count and _is_name(value):  # {w_{5}}^{(2)}: w5 after update 2, as the optimizer's notes print it
                value = f"{value}@{count}"
                continue
            exponent = self.script_expression()
            value = f"{value}^({exponent})"
        if self.peek() == "_":
            raise LatexError("a subscript on something that is not a name")
        return value

    def script_expression(self) -> str:
        if self.peek() != "{":
            return self.take()[1]
        self.at += 1
        inner = self.sequence(frozenset({"}"}))
        self.expect("}")
        return inner

    def glyph(self, kind: str, token: str) -> str:
        """A name (base, sub, sup, hat) read through the glyph table, or a function applied."""
        hat = False
        if token == r"\hat":
            hat, (kind, token) = True, self._hatted()
        if token in WORDS:
            base = self.group_text()
        elif kind == "command" and token[1:] in GREEK_LETTERS:
            base = token[1:]
        elif kind == "letters" or (kind == "command" and token in FUNCTIONS):
            base = token
        elif token == r"\max" and not hat:
            return self.maximum()
        else:
            raise LatexError(f"{token!r} is not understood here")
        primed = self.peek() == "'"
        rule_call = self.names.activation_call(base, primed) if isinstance(self.names, LayerTable) else None
        if rule_call is not None and not hat and self.peek(1 if primed else 0) in ("(", r"\left"):
            self.at += primed  # f(z), f'(z), \sigma'(z) in a rule for every layer: the activation, its slope
            return self.call(rule_call)
        call = FUNCTIONS.get(base if base.startswith("\\") else ("\\" + base if base == "sigma" else base))
        if Key(base) in self.names:  # a quantity the network prints as H is that quantity
            call = None
        if call is not None and not hat and self.peek() in ("(", r"\left", "{") and self.peek() != "_":
            return self.call(call)
        if call is not None and not hat and kind == "command" and self.peek() == "^":
            return self.power_of_call(call)
        split = re.fullmatch(r"([A-Za-z]+)(\d+)", base) if kind == "letters" else None
        if split:  # w5 typed as one word: w sub 5
            return self.name_scripts(split.group(1), hat, split.group(2))
        return self.name_scripts(base, hat)

    def power_of_call(self, function: str) -> str:
        """`\\tanh^{2}{\\left(x\\right)}`, as SymPy prints a power of a function: (tanh(x))^2."""
        self.at += 1
        exponent = self.script_expression()
        if self.peek() not in ("(", r"\left", "{"):
            raise LatexError(f"expected the argument of {function} after its power")
        return f"{self.call(function)}^({exponent})"

    def maximum(self) -> str:
        """`\\max\\left(0, x\\right)`, as the notes write relu: relu(x); any other maximum is refused."""
        if self.peek() == r"\left":
            self.at += 1
        self.expect("(")
        if self.sequence(frozenset({","})).strip() != "0":
            raise LatexError("a maximum other than max(0, x) (relu)")
        self.expect(",")
        inner = self.sequence(frozenset({")", r"\right"}))
        self.close()
        return f"relu({inner})"

    def _hatted(self) -> tuple[str, str]:
        self.expect("{")
        found = self.take()
        self.expect("}")
        return found

    def call(self, function: str) -> str:
        if function == "sqrt" and self.peek() == "{":
            return f"sqrt({self.braced()})"
        if self.peek() == r"\left":
            self.at += 1
        opening = self.take()[1]
        closing = {"(": ")", "{": "}", "[": "]"}.get(opening)
        if closing is None:
            raise LatexError(f"expected an argument after {function}")
        inner = self.sequence(frozenset({closing, r"\right"}))
        self.close()
        return self.scripts_of_value(f"{function}({inner})")

    def name_scripts(self, base: str, hat: bool, sub: str = "") -> str:
        sup, after = "", ""
        power: list[str] = []
        updated = False
        while self.peek() in ("_", "^"):
            mark = self.take()[1]
            if mark == "_":
                sub = self.parameter_sub() if base in OPTIMIZER_STATE else ""
                sub = sub or self.script_text()
                continue
            count = self.update_count()
            if count:
                after = count
            elif (self.peek() == "{" and self.peek(1) == "+" and self.peek(2) == "}") or self.peek() == "+":
                updated = True
                self.script_text()
            elif self.layer_script():  # z_i^{l}, a_j^{(l-1)}, \delta^{L}: a layer named by its letter
                sup = self.script_text()
            elif (self.peek() == "{" and self.peek(1) in ("[", r"\langle")) or (base == "e" and not sub):
                # [l]: a layer of the matrix notation; \langle t\rangle: a step of a sequence
                if base == "e" and not sub and not (self.peek() == "{" and self.peek(1) in ("[", r"\langle")):
                    return self.scripts_of_value(f"exp({self.script_expression()})")
                sup = self.script_text()
            else:
                power.append(self.script_expression())
        name = self.resolve(Key(base, sub, sup, hat))
        name = f"{name}@1" if updated else (f"{name}@{after}" if after else name)
        for exponent in power:
            name = f"{name}^({_folded(exponent)})"
        return name

    def layer_script(self) -> bool:
        """Whether the script that follows names a layer by its letter, in a rule for every layer."""
        if not isinstance(self.names, LayerTable):
            return False
        start = self.at
        try:
            return layer_of(self.script_text(), self.names.outputs) is not None
        except LatexError:
            return False
        finally:
            self.at = start

    def rule_letter(self, key: Key) -> str | None:
        """In a line about an optimizer's updates, what the letters of its rules stand for: t and k an update's
        count, p each parameter, m, v, g (with or without a hat) without a subscript the state of p."""
        table = self.names
        if not self.optimizer or key.sub or key.sup or key in table or not isinstance(table, GlyphTable):
            return None
        if key.base in ("t", "k") and not key.hat:
            return str(self.letter(key.base))
        trainable = [p.name for p in table.network.params if p.trainable]
        if key.base == "p" and not key.hat and trainable:
            return trainable[self.letter("p") % len(trainable)]
        if key.base in OPTIMIZER_STATE and trainable:
            return f"{key.base}{'hat' if key.hat else ''}_{trainable[self.letter('p') % len(trainable)]}"
        return None

    def parameter_sub(self) -> str:
        """The parameter an optimizer's state is of, printed as its glyph in the subscript (`m_{w_{5}}`,
        `\\hat{v}_{W^{[1]}_{11}}`): its name, or "" (the position kept) for any other subscript."""
        table = self.names
        if self.peek() != "{" or not isinstance(table, GlyphTable):
            return ""
        start = self.at
        try:
            self.at += 1
            inner = self.sequence(frozenset({"}"})).strip()
            self.expect("}")
        except LatexError:
            inner = ""
        if inner in {p.name for p in table.network.params}:
            return inner
        self.at = start
        return ""

    def update_count(self) -> str:
        """`{(k)}` after a `^`: the count of updates the optimizer's notes write as a superscript (a number,
        or `t`, `t-1`, `k` in a rule for every update), or ""."""
        if self.peek() != "{" or self.peek(1) != "(":
            return ""
        inside: list[str] = []
        for i in range(2, 8):
            token = self.peek(i)
            if token == ")" and self.peek(i + 1) == "}" and inside:
                text = "".join(inside)
                if not re.fullmatch(r"\d{1,7}|[tk](?:[-+]\d)?", text):
                    return ""
                self.at += i + 2
                return str(self.count_of(text))
            if token is None:
                return ""
            inside.append(token)
        return ""

    def count_of(self, text: str) -> int:
        """An update count: digits, or the letter t or k (a rule for every update) plus or minus a digit."""
        match = re.fullmatch(r"(\d{1,7})|([tk])(?:([-+])(\d))?", text)
        if match is None:
            raise LatexError(f"an update count that is not a number: {text!r}")
        if match.group(1):
            return int(match.group(1))
        value = self.letter(match.group(2))
        shift = int(match.group(4) or 0) * (-1 if match.group(3) == "-" else 1)
        return value + shift

    def letter(self, name: str) -> int:
        """The value of a rule's letter (t: the update; p: the parameter), collected as free when unset."""
        if name in self.env:
            return self.env[name]
        if name not in self.free:
            self.free.append(name)
        return 1  # a stand-in while the free letters are collected

    def resolve(self, key: Key) -> str:
        if (self.optimizer or self.betas) and key.base == "beta" and key.sub in ("1", "2") \
                and not key.sup and not key.hat:
            return f"beta{key.sub}"
        rule = self.rule_letter(key)
        if rule is not None:
            return rule
        index_form = isinstance(self.names, GlyphTable) and key in self.names.kinds  # g_{j}: the textbook's
        if (key.base in OPTIMIZER_STATE and key.sub and not key.sup and not index_form
                and (key.base, key.sub) not in _plain_keys(self.names)):
            # m_5, \hat{v}_{w_5}: an optimizer's state of a parameter (derive.check.optimizer_claims)
            return f"{key.base}{'hat' if key.hat else ''}_{key.sub.replace('_', '')}"
        meaning = self.names.get(key)
        generic_index = bool(re.fullmatch(r"[a-z]{1,2}", key.sub))  # w_{oh}, delta_{h}: a rule for every index
        if meaning is None and generic_index and isinstance(self.names, GlyphTable) and Key(
                key.base, key.sub, key.sup, key.hat) in self.names.kinds:
            unbound = [c for c in key.sub if c not in self.env]
            if unbound:
                self.free += [c for c in unbound if c not in self.free]
                return "x"  # a stand-in while the free letters are collected
            meaning = self.names.instance(key, self.env)
        if meaning is None and not key.hat and not key.sup and not generic_index:
            meaning = _generic(key)
        if meaning is None and key.sup and not key.sub:
            raise LatexError(f"{_describe(key)} is a whole layer's vector or matrix: claim its entries one by one "
                             f"({_describe(Key(key.base, '1', key.sup, key.hat))} ...)")
        if meaning is None and generic_index:
            raise LatexError(f"{_describe(key)} stands for every index: claim the rule's entries one by one "
                             f"({_describe(Key(key.base, '1' * len(key.sub), key.sup, key.hat))} ...)")
        if meaning is None:
            raise LatexError(f"no quantity is printed as {_describe(key)}")
        return meaning.name if meaning.sign > 0 else f"(-{meaning.name})"


# The optimizer's per-parameter quantities, m, v and their bias-corrected m-hat and v-hat, and g.
OPTIMIZER_STATE = ("m", "v", "g")
# Updates a rule stated for every update t (and every parameter p) is checked at: t = 1 ... RULE_UPDATES.
RULE_UPDATES = 3
RULE_LETTERS = ("t", "k", "p")


def _folded(exponent: str) -> str:
    """An exponent of whole numbers added and subtracted (`3 - 1`, from t - k) as the one number it is."""
    if not re.fullmatch(r"\s*\d{1,3}(?:\s*[-+]\s*\d{1,3})*\s*", exponent):
        return exponent
    terms = re.findall(r"([-+]?)\s*(\d+)", exponent)
    return str(sum(int(n) * (-1 if sign == "-" else 1) for sign, n in terms))


def _plain_keys(names: Names) -> set[tuple[str, str]]:
    """(base, sub) of the network's own glyphs: a weight called m5 is the weight, not a state."""
    return {(k.base, k.sub) for k in names}


def _generic(key: Key) -> Meaning | None:
    """A name typed by hand, in the classic notation: w_5 -> w5, out_{h1} -> out_h1, E_{total} -> E_total."""
    sub = key.sub.replace(",", "")
    if not re.fullmatch(r"[A-Za-z0-9]*", sub):
        return None
    if key.base in DERIVED and sub:
        return Meaning(f"{key.base}_{sub}")
    if key.base == "E" and not sub:
        return Meaning(identifiers.E_TOTAL)
    return Meaning(key.base + sub)


def _describe(key: Key) -> str:
    text = ("hat " if key.hat else "") + key.base
    return text + (f"^{key.sup}" if key.sup else "") + (f"_{key.sub}" if key.sub else "")


_NAME = re.compile(r"\(?-?[A-Za-z][A-Za-z0-9_]*(?:@\d+)?\)?")


def _is_name(text: str) -> bool:
    return bool(_NAME.fullmatch(text.strip()))


def to_plain(text: str, names: Names | None = None, env: Mapping[str, int] | None = None) -> str:
    """The plain claims text of a LaTeX line: `A = B = C` with every glyph named as the network names it.

    A left side printed with a sign (the textbook's g_1 = -dE/d beta_1) moves the sign to every link; a
    left side `\\Delta p` (the update's step) becomes p after the update, p plus each link."""
    reader = _Reader(tokens(text), names, env)
    plain = reader.sequence(frozenset())
    if reader.free:
        letters = ", ".join(reader.free)
        raise LatexError(f"a rule for every index ({letters}): claim its entries one by one")
    parts = plain.split(" = ")
    left = parts[0].strip()
    links = [p.strip() for p in parts[1:]]
    negated = re.fullmatch(r"\(-([A-Za-z][A-Za-z0-9_@]*)\)", left)
    if negated:
        return " = ".join([negated.group(1)] + [f"-({link})" for link in links])
    step = re.fullmatch(r"\(([A-Za-z][A-Za-z0-9_]*)@1 - \1\)", left)
    if step:
        return " = ".join([f"{step.group(1)}@1"] + [f"{step.group(1)} + ({link})" for link in links])
    return plain
