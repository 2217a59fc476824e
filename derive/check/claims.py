"""Claims: a person's hand derivation, parsed with a whitelisted grammar and nothing else.

A claims line is `NAME = EXPR [= EXPR ...]`. Expressions hold numbers, names (the network's notation,
derivatives `dE_total/dw5`, values after training `w5@1`, and the person's own names defined earlier),
`+ - * / ^ **`, parentheses and the functions exp, log, sqrt, sigmoid, tanh, relu, step (relu's slope).
LaTeX as people type it (`\\frac{\\partial E_{total}}{\\partial w_5}`, `w_5^{+}`, `\\cdot`) is translated
token by token.
Nothing is ever passed to eval, sympify or parse_expr: the parser builds a small tree of its own, and
every limit (line length, tokens, nesting, exponents) is checked before any work is done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from derive.check import instances, latex

MAX_LINE = 2_000  # characters
MAX_TOKENS = 400
MAX_DEPTH = 40  # nested parentheses and unary signs
MAX_EXPONENT = 16  # |n| of a literal exponent: squares and cubes, never 9**9**9
OPERATOR = "diff:"  # Call(f"diff:{X}", F): the derivative of F with respect to the quantity X
# sum_s: over the samples; step: H, relu's slope (1 above 0, else 0); dsigmoid and dtanh: the slopes of
# sigmoid and tanh, as people write sigma'(x) and tanh'(x)
FUNCTIONS = ("exp", "log", "ln", "sqrt", "abs", "sigmoid", "sigma", "tanh", "relu", "step", "dsigmoid", "dtanh", "act",
             "dact", "sum_s")  # act, dact: the network's activation f and its slope f', where it is one


class ClaimError(ValueError):
    """A line that cannot be read; the message says what was expected."""


@dataclass(frozen=True)
class Num:
    text: str  # as written: the digits it claims

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)


@dataclass(frozen=True)
class Name:
    name: str  # normalised: out_o1, w5, E_total, d:E_total/w5, w5@1, or the person's own R1

    def __post_init__(self) -> None:
        # a derivative's mark of updates after its whole name (`d:E_total@1/out_o1` is d:E_total/out_o1@1): the
        # one place every reader of names looks for it
        if self.name.startswith("d:") and "@" in self.name.partition("/")[0]:
            object.__setattr__(self, "name", marked_last(self.name))


def marked_last(name: str) -> str:
    """`d:E_total@1/out_o1` as `d:E_total/out_o1@1` (a sample's bracket stays last); a mark on both sides, or a
    name of no such form, as it is."""
    top, slash, rest = name.partition("/")
    bottom, bracket, sample = rest.partition("[")
    base, _, step = top.partition("@")
    if not slash or "@" in bottom or not step.isdigit():
        return name
    return f"{base}/{bottom}@{step}{bracket}{sample}"


@dataclass(frozen=True)
class Unary:
    op: str
    arg: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / ^
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    function: str
    arg: Node


Node = Num | Name | Unary | Binary | Call


@dataclass(frozen=True)
class Claim:
    """One line: what it names and the chain of expressions it says that equals."""

    line: int
    text: str
    target: Name
    links: tuple[Node, ...]
    sample: str | None = None  # the sample the lines after a `[s2]` line are about; None: the default
    left: Node | None = None  # a left side that is a derivative operator applied, judged as a formula
    entry: str = ""  # of a claim about whole vectors or matrices: the entry this one is about


# LaTeX as typed in notes -> the plain notation, applied before tokenising (ordered: longest first).
_LATEX = [
    (re.compile(r"\\frac\s*\{\s*\\partial\s*([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}\s*\{\s*\\partial\s*([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}"),
     r" d(\1)/d(\2) "),
    (re.compile(r"\^\s*\{\s*\+\s*\}|\^\s*\+"), "@1"),
    (re.compile(r"\\(?:mathrm|text|mathit|operatorname)\s*\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\\left|\\right|\\,|\\;|\\!|\$"), " "),
    (re.compile(r"\\cdot|\\times"), "*"),
    (re.compile(r"\\sigma"), "sigmoid"),
    (re.compile(r"\\delta"), "delta"),
    (re.compile(r"\\eta"), "eta"),
    (re.compile(r"\\partial"), ""),
    (re.compile(r"_\s*\{\s*([A-Za-z0-9]+)\s*\}"), r"_\1"),
    (re.compile(r"\^\s*\{([^{}]*)\}"), r"^(\1)"),
]
# Applied until nothing changes, so that nested fractions unwrap from the inside out.
_FRAC = re.compile(r"\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
# e^(x) as people write the exponential.
_EULER = re.compile(r"(?<![A-Za-z0-9_.])e\s*\^\s*\(")


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<operator>d/d\((?P<wrt>[A-Za-z][A-Za-z0-9_]*(?:\[t\s*=\s*\d{1,4}\])?(?:@\d{1,7})?
      (?:\[[A-Za-z][A-Za-z0-9]*\])?)\))
  | (?P<deriv>d\(?(?P<num>[A-Za-z][A-Za-z0-9_]*(?:\[t\s*=\s*\d{1,4}\])?)\)?
      /d\(?(?P<den>[A-Za-z][A-Za-z0-9_]*(?:\[t\s*=\s*\d{1,4}\])?(?:@\d{1,7})?)\)?(?P<of>\[[A-Za-z][A-Za-z0-9]*\])?)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d{1,3})?)
  | (?P<name>[A-Za-z][A-Za-z0-9_]*(?:\[t\s*=\s*\d{1,4}\])?(?:@\d{1,7})?(?:\[[A-Za-z][A-Za-z0-9]*\])?)
  | (?P<op>\*\*|[-+*/^()=])
""", re.VERBOSE)


def _delatex(text: str) -> str:
    for pattern, replacement in _LATEX:
        text = pattern.sub(replacement, text)
    for _ in range(MAX_DEPTH):
        text, count = _FRAC.subn(r"((\1)/(\2))", text)
        if not count:
            break
    text = _EULER.sub("exp(", text)
    if "\\" in text or "{" in text or "}" in text:
        raise ClaimError("LaTeX that is not understood (use \\frac, \\partial, _{...}, ^{...}, \\cdot)")
    return text


def _plain(text: str, names: latex.Names | None) -> str:
    """The plain grammar of a line: LaTeX (a backslash or a brace) read by `derive.check.latex`."""
    if "\\" not in text and "{" not in text and "}" not in text:
        return _delatex(text)
    try:
        return latex.to_plain(text, names)
    except latex.LatexError as exc:
        raise ClaimError(f"LaTeX that is not understood: {exc}") from None


# A step of a sequence after a name: h_2[t=3] is h2_t3, the state of unit h2 at step 3.
_AT_STEP = re.compile(r"\[t\s*=\s*(\d{1,4})\]")


def _normal_name(name: str) -> str:
    """w_5 -> w5, out_{o1} already flattened; x_new -> x@1; E_total stays; h_2[t=3] -> h2_t3; a sample [s2]
    stays last."""
    step = _AT_STEP.search(name)
    if step is not None:
        name = name[:step.start()] + name[step.end():]
    name, bracket, sample = name.partition("[")
    return _normal_base(name, f"_t{int(step.group(1))}" if step else "") + bracket + sample


def _normal_base(name: str, at_step: str = "") -> str:
    if name.endswith("_new"):
        name = name[: -len("_new")] + "@1"
    base, at, step = name.partition("@")
    head, sep, rest = base.partition("_")
    # w_5 -> w5, but out_o1, E_total and a kernel's k1_12 (its head ends in a digit) keep their underscore
    if sep and rest.isdigit() and head.isalpha():
        base = head + rest
    return base + at_step + at + step


def tokenize(text: str, names: latex.Names | None = None) -> list[tuple[str, str]]:
    """(kind, text) tokens of a claim line, LaTeX translated first (its glyphs read through `names`, the
    glyph table of the claims' notation, see `derive.check.latex`)."""
    if len(text) > MAX_LINE:
        raise ClaimError(f"the line is longer than {MAX_LINE} characters")
    plain = _plain(text, names)
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(plain):
        match = _TOKEN.match(plain, position)
        if match is None:
            raise ClaimError(f"unexpected character {plain[position]!r}")
        position = match.end()
        kind = match.lastgroup
        if kind in ("num", "den", "of"):
            kind = "deriv"
        if kind == "wrt":
            kind = "operator"
        if kind == "space":
            continue
        if kind == "deriv":
            tokens.append(("name", f"d:{_normal_name(match.group('num'))}/{_normal_name(match.group('den'))}"
                                   + (match.group("of") or "")))
        elif kind == "operator":  # d/d(X)(F): the derivative of F with respect to X
            tokens.append(("operator", _normal_name(match.group("wrt"))))
        elif kind == "name":
            tokens.append(("name", _normal_name(match.group())))
        else:
            assert kind is not None  # every alternative of the pattern is a named group
            tokens.append((kind, match.group()))
        if len(tokens) > MAX_TOKENS:
            raise ClaimError(f"more than {MAX_TOKENS} tokens")
    return tokens


class _Parser:
    """Recursive descent over the tokens of one expression, with a depth limit."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.position, self.depth = tokens, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ClaimError("the expression ends too early")
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token[1] != text:
            raise ClaimError(f"expected {text!r}, found {token[1]!r}")

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ClaimError(f"more than {MAX_DEPTH} levels of nesting")

    def expression(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.take()
            node = Binary(token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None and token[1] in ("*", "/"):
            self.take()
            node = Binary(token[1], node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token[1] in ("+", "-"):
            self.take()
            self.nest()
            node = Unary(token[1], self.unary())
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        token = self.peek()
        if token is None or token[1] not in ("^", "**"):
            return base
        self.take()
        return Binary("^", base, self._exponent())

    def _scientific(self, text: str) -> str:
        """`1.364 * 10^-3` (1.364 \\times 10^{-3}) is one number written, 1.364e-3, with its mantissa's digits."""
        ahead = [self.tokens[k][1] if k < len(self.tokens) else "" for k in range(self.position, self.position + 7)]
        if ahead[:3] != ["*", "10", "^"] or "e" in text.lower():
            return text
        bracketed = ahead[3] == "("
        sign = ahead[3 + bracketed] if ahead[3 + bracketed] in ("+", "-") else ""
        at = 3 + bracketed + bool(sign)  # the exponent's digits
        if not re.fullmatch(r"\d{1,3}", ahead[at]) or (bracketed and ahead[at + 1] != ")"):
            return text
        self.position += at + 1 + bracketed
        return f"{text}e{'-' if sign == '-' else ''}{ahead[at]}"

    def _exponent(self) -> Node:
        """Only a literal exponent (optionally signed or bracketed) of at most MAX_EXPONENT."""
        sign = ""
        token = self.take()
        bracketed = token[1] == "("
        if bracketed:
            token = self.take()
        if token[1] in ("+", "-"):
            sign, token = token[1], self.take()
        exponent = _decimal(token[1]) if token[0] == "number" else None
        if exponent is None or abs(exponent) > MAX_EXPONENT:
            raise ClaimError(f"an exponent must be a number of at most {MAX_EXPONENT}")
        if bracketed:
            self.expect(")")
        node: Node = Num(token[1])
        return Unary("-", node) if sign == "-" else node

    def atom(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            return Num(self._scientific(text))
        if text == "(":
            self.nest()
            node = self.expression()
            self.expect(")")
            self.depth -= 1
            return node
        if kind == "operator":
            self.expect("(")
            self.nest()
            node = Call(OPERATOR + text, self.expression())
            self.expect(")")
            self.depth -= 1
            return node
        if kind == "name" and text in FUNCTIONS and (self.peek() or ("", ""))[1] == "(":
            self.take()
            self.nest()
            node = Call(text, self.expression())
            self.expect(")")
            self.depth -= 1
            return node
        if kind == "name":
            return Name(text)
        raise ClaimError(f"unexpected {text!r}")


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def parse_instances(text: str, line: int, names: latex.Names | None = None) -> list[Claim]:
    """The claims of one line: one, or (a LaTeX rule stated for every index, `w_{oh}`) one per instance."""
    stripped = text.split("#", 1)[0].strip()
    if not stripped or ("\\" not in stripped and "{" not in stripped and "}" not in stripped):
        claim = parse_line(text, line, names)
        return [claim] if claim is not None else []
    if len(stripped) > MAX_LINE:
        raise ClaimError(f"the line is longer than {MAX_LINE} characters")
    try:
        plains = instances.labelled_instances(stripped, names)
    except latex.LatexError as exc:
        raise ClaimError(f"LaTeX that is not understood: {exc}") from None
    return [replace(_claim(stripped, tokenize(plain), line), entry=entry) for entry, plain in plains]


def parse_line(text: str, line: int, names: latex.Names | None = None, any_left: bool = False) -> Claim | None:
    """A claim, or None for a blank or comment line; raises ClaimError for anything else. With
    `any_left`, a left side may be any expression (a document's `delta_o1 * out_h1 = 0.74 * 0.59`),
    judged as a derivative operator's side is: every link must equal it."""
    stripped = text.split("#", 1)[0].strip()
    if not stripped:
        return None
    return _claim(stripped, tokenize(stripped, names), line, any_left)


def _claim(stripped: str, tokens: list[tuple[str, str]], line: int, any_left: bool = False) -> Claim:
    """A claim from the tokens of its line."""
    parts: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token[1] == "=":
            parts.append([])
        else:
            parts[-1].append(token)
    if len(parts) < 2 or any(not p for p in parts):
        raise ClaimError("expected NAME = VALUE or NAME = EXPRESSION (= ...)")
    left = _operator_side(parts[0], any_left) if len(parts[0]) != 1 or parts[0][0][0] != "name" else None
    links = []
    for part in parts[1:]:
        parser = _Parser(part)
        node = parser.expression()
        if parser.peek() is not None:
            raise ClaimError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
        links.append(node)
    if left is not None:  # d/dX (F) = A = B: every link is the formula d/dX (F), judged as formulas are
        return Claim(line, stripped, Name(""), tuple(links), left=left)
    return Claim(line, stripped, Name(parts[0][0][1]), tuple(links))


def _operator_side(tokens: list[tuple[str, str]], any_left: bool = False) -> Node:
    """A left side that is not one name: only a derivative operator applied (`d/d(X)(F)`) is read, or
    with `any_left` any expression."""
    if not any_left and not any(kind == "operator" for kind, _ in tokens):
        raise ClaimError("the left side must be one name (a quantity, a derivative or your own name)")
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.peek() is not None:
        raise ClaimError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return node


# A line `[s2]` alone: the lines after it are about sample s2, until the next such line; `[]` ends it.
_SAMPLE_LINE = re.compile(r"\[\s*([A-Za-z][A-Za-z0-9]{0,31})?\s*\]")


def sample_line(text: str) -> tuple[bool, str | None]:
    """(True, sample) for a line that only names a sample (`[s2]`; `[]`: None), else (False, None)."""
    match = _SAMPLE_LINE.fullmatch(text.split("#", 1)[0].strip())
    return (True, match.group(1)) if match else (False, None)


def parse(text: str, names: latex.Names | None = None) -> tuple[list[Claim], list[tuple[int, str]]]:
    """Every claim of a file, and the lines refused with why; LaTeX glyphs are read through `names`."""
    claims, refused = [], []
    sample: str | None = None
    # Lines end at \n only, so line numbers match an editor's (splitlines also splits at \f, U+2028 ...).
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        is_sample, named = sample_line(line)
        if is_sample:
            sample = named
            continue
        try:
            found = parse_instances(line, number, names)
        except ClaimError as exc:
            refused.append((number, str(exc)))
            continue
        claims += [replace(c, sample=sample) for c in found]
    return claims, refused


def put(node: Node, name: str, value: Node) -> Node:
    """`node` with each use of `name` replaced by `value`."""
    if isinstance(node, Name):
        return value if node.name == name else node
    if isinstance(node, Call):
        return Call(node.function, put(node.arg, name, value))
    if isinstance(node, Unary):
        return Unary(node.op, put(node.arg, name, value))
    if isinstance(node, Binary):
        return Binary(node.op, put(node.left, name, value), put(node.right, name, value))
    return node


def names_in(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Num):
        return []
    if isinstance(node, (Unary, Call)):
        return names_in(node.arg)
    return names_in(node.left) + names_in(node.right)


def functions_in(node: Node) -> list[str]:
    """The functions a node calls (`exp`, `sum_s`, ...), outermost first."""
    if isinstance(node, Call):
        return [node.function, *functions_in(node.arg)]
    if isinstance(node, Unary):
        return functions_in(node.arg)
    if isinstance(node, Binary):
        return functions_in(node.left) + functions_in(node.right)
    return []


def numbers_in(node: Node) -> list[Num]:
    if isinstance(node, Num):
        return [node]
    if isinstance(node, Name):
        return []
    if isinstance(node, (Unary, Call)):
        return numbers_in(node.arg)
    return numbers_in(node.left) + numbers_in(node.right)
