"""The plain claims grammar's text of a row of maths, as the walker writes it: the claims a row states (split
at its commas, without a condition after them), lists written with brackets made arrays, implicit products
made explicit, functions under the names people spell them with (`ReLU`, `f'`, `g_{ReLU}`, `f_1`, `softmax`), a
loss written with its parameters (`J(W, b)`), and a sum with numbers for bounds written out term by term."""

from __future__ import annotations

import re
from collections.abc import Callable

from derive.check.claims import FUNCTIONS, ClaimError, tokenize

ARRAY = "ARRAY__"


class NotUnderstood(ValueError):
    """Maths that cannot be mapped to the claims grammar; the message says what and why."""


class LostSign(NotUnderstood):
    """Maths whose text lost a sign (`(-1)1`): no other reading of it may guess what stood there."""


def matching(text: str, open_at: int) -> int | None:
    """The position of the bracket that closes the one at `open_at`, within `text`."""
    depth = 0
    for i in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return None

def claims_in(text: str) -> list[str]:
    """A row's text split at its commas and semicolons outside brackets when each piece states an equation
    (a list of givens), without a comma or full stop at its end."""
    if (together := _TUPLE.fullmatch(text)) is not None:  # x1, x2 = 0.5, 0.3: each name its number, in order
        names, values = (together.group(k).replace(" ", "").split(",") for k in (1, 2))
        if len(names) == len(values):
            return [f"{n} = {v}" for n, v in zip(names, values)]
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c in ",;" and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    pieces = [relu(_before_comparison(p)).strip().rstrip(".").strip() for p in pieces]
    if len(pieces) > 1 and all("=" in p for p in pieces if p):
        return [p for p in pieces if p]
    return [relu(_before_comparison(text)).strip().rstrip(",;.").strip()]


_TUPLE = re.compile(r"\s*([A-Za-z]\w*(?:\s*,\s*[A-Za-z]\w*)+)\s*=\s*(-?\s*\d+(?:\.\d+)?(?:\s*,\s*-?\s*\d+(?:\.\d+)?)+)"
                    r"\s*[.,;]?\s*")
_COMPARISON = re.compile(r"\s*(?:<|>|!=|!)(?!=).*$", re.S)
_MAX_ZERO = re.compile(r"\bmax\s*\(\s*0\s*,\s*([^(),]+?)\s*\)|\bmax\s*\(\s*([^(),]+?)\s*,\s*0\s*\)")


def _before_comparison(text: str) -> str:
    """An equation without the condition written after it (`= 5.05 > 0`, `\\le 1`)."""
    return _COMPARISON.sub("", text)


def relu(text: str) -> str:
    """`max(0, z)`, `max(z, 0)`: relu(z), as the notes write it."""
    return _MAX_ZERO.sub(lambda m: f"relu({m.group(1) or m.group(2)})", text)


def explicit_products(text: str) -> str:
    """`out_o1(1 - out_o1)`, `2(x)`, `)(`: the products people leave implicit, written with `*`."""
    try:
        tokens = tokenize(text)
    except ClaimError as exc:
        raise NotUnderstood(str(exc)) from None
    pieces: list[str] = []
    previous: tuple[str, str] | None = None
    for index, (kind, word) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "name" and following == "(":
            word = function_named(word)
        called = previous is not None and previous[0] == "name" and previous[1] in FUNCTIONS and word == "("
        # an operator too: dL/dz d/dw (z), the chain rule's factor written as the operator on what it differentiates
        starts = kind in ("number", "name", "operator") or word == "("
        _written_whole(kind, word, [w for _, w in tokens[max(0, index - 4):index]])
        if previous is not None and _ends_operand(previous) and starts and not called:
            pieces.append("*")
        pieces.append(_render(kind, word))
        previous = (kind, word)
    return " ".join(pieces)


def _written_whole(kind: str, word: str, before: list[str]) -> None:
    """Numbers as people write them, or the text lost a sign: a number goes before a bracketed factor
    (`2(-1)`), so one right after a bracketed number (`(-1)1`) is what is left of a product whose `*` the
    page lost (`3*1 + (-1)*1`), as is a whole number with a leading zero (`03` for `0*3`); read as anything, it
    would be guessed. `before`: the words before this one."""
    if kind == "number" and before[-1:] == [")"] and _bracketed_number(before[:-1]):
        raise LostSign(f"a number right after a bracketed number, ')' then {word}: a sign between them may be lost")
    if kind == "number" and re.fullmatch(r"0\d", word):  # `11 + 21 + 03`: 1*1 + 2*1 + 0*3, its `*`s lost
        # (a longer one, 074136507, is a decimal point lost: a slip the diagnosis names)
        raise LostSign(f"a whole number written with a leading zero, {word}: a sign between its digits may be lost")


def _bracketed_number(words: list[str]) -> bool:
    """Whether `words` end in `(` and a number, with or without its sign."""
    tail = words[-3:] if len(words) >= 3 and words[-2] in "-+" else words[-2:]
    return len(tail) >= 2 and tail[0] == "(" and bool(re.fullmatch(r"\d+\.?\d*|\.\d+", tail[-1]))


def _ends_operand(token: tuple[str, str]) -> bool:
    return token[0] in ("number", "name") or token[1] == ")"


# Functions as people spell them (`\text{ReLU}(z)`, `Sigmoid(z)`, `Tanh`): the grammar's own names.
FUNCTION_SPELLINGS = {"relu": "relu", "sigmoid": "sigmoid", "sigma": "sigma", "tanh": "tanh", "exp": "exp",
                      "log": "log", "ln": "ln", "sqrt": "sqrt", "sig": "sigmoid", "logistic": "sigmoid",
                      "softmax": "softmax"}


# The slope of a function, as people write it with a prime (`\sigma'(z)`, `ReLU'(z)`, `f'(z)`).
SLOPES = {"sigmoid": "dsigmoid", "sigma": "dsigmoid", "relu": "step", "tanh": "dtanh", "act": "dact"}


def function_named(word: str) -> str:
    """A function's name in the grammar, from the spelling a document uses before a bracket: `ReLU`, `Sigmoid`,
    `f` or `g` (the network's activation), and with a prime (`f@1`, as the walker writes `f'`) its slope."""
    base, prime, _ = word.partition("@")
    if re.fullmatch(r"(?:f|g|phi|varphi)_?L?\d{1,2}", base) or (prime and re.fullmatch(r"sigma_?L?\d{1,2}", base)):
        # f_1(z_1), f'_2, f^{[2]}, \sigma'_1: the activation of the layer named, whichever it is (\sigma_1 without
        # a prime is as often a value, sigma_1 (1 - sigma_1))
        base = "f" if base.startswith("sigma") else base.rstrip("0123456789L_")
    letter, sep, named = base.partition("_")
    if sep and letter in ("f", "g", "phi", "sigma") and named.lower() in FUNCTION_SPELLINGS:
        base = named  # g_{ReLU}, f_{sigmoid}: the function the subscript names
    name = "act" if base in ("f", "g", "phi", "varphi") else FUNCTION_SPELLINGS.get(base.lower())
    if name is None:
        return word
    return SLOPES.get(name, word) if prime else name


# A loss written with what it depends on (`J(W, b)`, `L(\\hat{y}, y)`, `C(w)`): the loss itself. Two names or
# more in the brackets, or one that names parameters, so that `L(y)` stays a product.
_ARGUMENT = r"\s*[A-Za-z][A-Za-z0-9_]*(?:@\d+)?\s*"
LOSS_CALL = re.compile(r"\b((?:J|L|C|E|Loss|loss|Cost|cost)(?:_[A-Za-z0-9]+)?)\s*\((?:"
                       + _ARGUMENT + r"(?:," + _ARGUMENT + r")+|\s*(?:W|w|b|theta|params)(?:_?[A-Za-z0-9]*)\s*)\)")


# A loss spelt as a word, applied to one name (`loss(scores)`, `cost(a)`): the loss of what it is computed from
# (a word is no factor of a product written without a sign).
WORD_LOSS_CALL = re.compile(r"(?<![A-Za-z0-9_])((?:Loss|loss|Cost|cost)(?:_[A-Za-z0-9]+)?)\s*\(" + _ARGUMENT + r"\)")


def loss_calls(text: str) -> str:
    """`J(W, b)` as `J`: a loss name applied to its parameters or to the prediction and the target."""
    return WORD_LOSS_CALL.sub(lambda m: m.group(1), LOSS_CALL.sub(lambda m: m.group(1), text))


def _render(kind: str, word: str) -> str:
    if kind == "operator":  # d/d(w21) (w21 a11 + w22 a12): the derivative of what follows
        return f"d/d({word})"
    if kind == "name" and word.startswith("d:"):
        top, _, bottom = word[2:].partition("/")
        return f"d({top})/d({bottom})"
    return word

def lists(text: str, arrays: list[tuple[tuple[str, ...], ...]]) -> str:
    """`[0.1, 0.2]`, `(0.1, 0.2)` and `[[1, 2], [3, 4]]` (brackets written as the walker writes them) as arrays
    (a list of lists: a matrix), where the brackets hold a list and not a function's arguments; a bracket
    around the whole text holding equations (`[o_1 = 0.01, o_2 = 0.99]`) is a list of givens, not an array."""
    whole = text.strip()
    if whole.startswith("(") and matching(whole, 0) == len(whole) - 1:
        items = _items(whole[1:-1])
        if len(items) > 1 and all("=" in item for item in items):
            return lists(whole[1:-1], arrays)
    out: list[str] = []
    i = 0
    while i < len(text):
        close = matching(text, i) if text[i] == "(" else None
        items = _items(text[i + 1:close]) if close is not None else []
        before = "".join(out).rstrip()
        function = re.search(r"[A-Za-z]\w*$", before)
        called = function is not None and (function.group() in FUNCTIONS or function_named(function.group()) !=
                                           function.group() or function.group() in ("max", "min"))
        semicolon = _semicolon_rows(text[i + 1:close]) if close is not None and not called else []
        inner = text[i + 1:close] if close is not None and not called else ""
        words = inner.split()
        # [2  1]: a row, numbers apart by spaces; not `(1 -0.7514)`, a sign after one space being a subtraction
        if len(words) > 1 and all(_NUMBER.fullmatch(w) for w in words) and not re.search(r"\d [-+]", inner):
            semicolon = [words]
        if semicolon:  # (0.1325; 0.1400), [0.15 0.20; 0.25 0.30]: rows apart by semicolons, as MATLAB writes them
            arrays.append(tuple(tuple(explicit_products(c.strip()) for c in r) for r in semicolon))
            out.append(f" {ARRAY}{len(arrays) - 1} ")
            i = (close or i) + 1
            continue
        if close is None or len(items) < 2 or called:
            out.append(text[i])
            i += 1
            continue
        rows = [_items(x.strip()[1:-1]) if x.strip().startswith("(") and x.strip().endswith(")") else [] for x in items]
        column = [x.strip()[1:-1] for x in items if x.strip().startswith("(") and matching(x.strip(), 0) ==
                  len(x.strip()) - 1 and not _items(x.strip()[1:-1])]
        if all(len(r) == len(rows[0]) > 1 for r in rows):  # [[1, 2], [3, 4]]: rows of a matrix
            arrays.append(tuple(tuple(explicit_products(relu(c.strip())) for c in r) for r in rows))
        elif len(column) == len(items):  # [[0.537], [0.862]]: rows of one entry, a column
            arrays.append(tuple((explicit_products(relu(c.strip())),) for c in column))
        else:  # [\max(0, 0.5), \max(0, 1.2)]: a cell's max(0, z) is relu(z), as it is outside a list
            arrays.append((tuple(explicit_products(relu(lists(c, []).strip())) for c in items),))
        out.append(f" {ARRAY}{len(arrays) - 1} ")
        i = close + 1
    return "".join(out)


_NUMBER = re.compile(r"-?\s?\d+(?:\.\d+)?(?:e-?\d+)?")


def _semicolon_rows(inner: str) -> list[list[str]]:
    """The rows of a bracket that separates them by semicolons, each row's cells by commas, or by spaces
    between plain numbers; [] where it is no such array (no semicolon, an equation, rows of unequal length)."""
    parts, depth, start = [], 0, 0
    for k, c in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == ";" and depth == 0:
            parts.append(inner[start:k])
            start = k + 1
    parts.append(inner[start:])
    if len(parts) < 2 or any("=" in p or not p.strip() for p in parts):
        return []
    rows = []
    for p in parts:
        words = p.split()
        spaced = len(words) > 1 and all(_NUMBER.fullmatch(w) for w in words)
        rows.append(_items(p) or (words if spaced else [p]))
    return rows if len({len(r) for r in rows}) == 1 else []


def comma_rows(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The rows of a one-column array that are all lists of one length, each in braces or not (`{w_1, w_2} \\\\
    {w_3, w_4}`, as converters write a matrix): the commas part its entries. Any other rows, as written."""
    inner = [r[0].strip() for r in rows if len(r) == 1]
    inner = [t[1:-1] if t[:1] == "(" and matching(t, 0) == len(t) - 1 else t for t in inner]
    split = [_items(t) for t in inner]
    if len(inner) != len(rows) or not split or len({len(parts) for parts in split}) != 1 or not split[0]:
        return rows
    return [tuple(part.strip() for part in parts) for parts in split]


def _items(inner: str) -> list[str]:
    """The parts of a bracket's content between its commas at the top level."""
    parts, depth, start = [], 0, 0
    for k, c in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if c == "," and depth == 0:
            parts.append(inner[start:k])
            start = k + 1
    parts.append(inner[start:])
    return parts if len(parts) > 1 else []


_SUM_BOUNDS = re.compile(r"\s*_\s*\{?\s*([a-z])\s*=\s*(\d)\s*\}?\s*\^\s*\{?\s*(\d)\s*\}?")
MAX_TERMS = 20


def _indexed(value: int) -> Callable[[re.Match[str]], str]:
    """A sum's index replaced by one of its values, after the label written before it (`_{o1}`)."""
    return lambda m: f"_{{{m.group(1) or ''}{value}}}"


def expanded_sum(text: str) -> str | None:
    """`\\sum_{i=1}^{2} y_i \\ln(\\hat{y}_i)`: the sum written out term by term (its summand runs to the next
    `+`, `-` or `=` outside brackets), with what follows it, from the LaTeX after `\\sum`; None without
    bounds written as numbers."""
    bounds = _SUM_BOUNDS.match(text)
    if bounds is None:
        return None
    letter, low, high = bounds.group(1), int(bounds.group(2)), int(bounds.group(3))
    if not 0 <= high - low < MAX_TERMS:
        return None
    body, tail = _summand(text[bounds.end():])
    # y_i, and the neuron's label before it in one subscript (out_{oi}: o1, o2, the sum's index last)
    index = re.compile(rf"_\s*(?:\{{\s*([A-Za-z]{{0,3}}){letter}\s*\}}|{letter}(?![A-Za-z0-9]))")
    terms = [index.sub(_indexed(value), body) for value in range(low, high + 1)]
    return "(" + " + ".join(f"({term})" for term in terms) + ")" + tail


# A sum over the output layer written without bounds: `\sum`, `\sum_o`, `\sum_{i}^{ }` (the index a letter).
_OVER_OUTPUTS = re.compile(r"\s*(?:_\s*\{?\s*([A-Za-z])\s*\}?)?\s*(?:\^\s*\{\s*\})?")
GENERIC_OUTPUT = ("target", "output")  # the words for an output neuron's target and value, without its index
# The sum over the outputs, as the reader writes it for the document's names to write it out (sums.py): a
# product of this name and the summand in brackets. Left unread, it is a name of no quantity: never judged.
OVER_OUTPUTS = "sum_o"
# A sum without bounds over an expression, in a link after the first, where what it runs over is not told:
# a name of no quantity, so that its link cannot be checked and the chain's other links are judged.
UNREAD_SUM = "sum_without_bounds"
EACH = "Nth"  # marks the sum's index in its summand, after its letter: out_{o} is out_oNth, y_{i} y_iNth


def over_outputs(text: str) -> tuple[str, str] | None:
    """`\\sum \\frac{1}{2}(target - output)^2 = ...`, `\\sum_o \\frac{1}{2}(t_o - out_o)^2`: the summand (its
    index written as EACH) and what follows it, from the LaTeX after `\\sum`, where the summand names an
    output neuron's generic target or value or the sum's index; None otherwise."""
    bounds = _OVER_OUTPUTS.match(text)
    letter = bounds.group(1) if bounds else None
    body, tail = _summand(text[bounds.end():] if bounds else text)
    if letter is not None:
        index = re.compile(rf"_\s*(?:\{{\s*([A-Za-z]{{0,3}}){letter}\s*\}}|{letter}(?![A-Za-z0-9]))")
        body, count = index.subn(lambda m: f"_{{{m.group(1) or ''}{letter}{EACH}}}", body)
        if count:
            return body, tail
    words = re.findall(r"[A-Za-z]+", re.sub(r"\\[A-Za-z]+", " ", body))
    return (body, tail) if any(w in GENERIC_OUTPUT for w in words) else None


# A sum over the examples of a batch: `\sum_{i=1}^{m}`, m being the count of examples (counts.py)
_OVER_EXAMPLES = re.compile(r"\s*_\s*\{\s*([a-z])\s*=\s*1\s*\}\s*\^\s*(?:\{\s*m\s*\}|m(?![A-Za-z]))")


def over_examples(text: str) -> tuple[str, str] | None:
    """`\\sum_{i=1}^{m} \\delta^{(i)}`, `\\sum_{i=1}^{m} dz_i`: the summand without its example's index (a
    superscript `(i)`, or a subscript that is the index alone) and what follows it, from the LaTeX after
    `\\sum`; None where the summand names the index otherwise (`a_{i,j}`) or not at all."""
    bounds = _OVER_EXAMPLES.match(text)
    if bounds is None:
        return _over_marked_examples(text)
    letter = bounds.group(1)
    body, tail = _summand(text[bounds.end():])
    index = rf"\^\s*\{{\s*\(\s*{letter}\s*\)\s*\}}|_\s*(?:\{{\s*{letter}\s*\}}|{letter}(?![A-Za-z0-9]))"
    body, count = re.subn(index, "", body)
    if count == 0 or re.search(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", body):
        return None
    return body, tail


# A sum over the examples by their index alone (`\sum_e`, no bounds); not l nor t, which count layers and
# time steps (`\sum_t L^{(t)}`) where notes write them as superscripts in brackets too
_BY_INDEX = re.compile(r"\s*_\s*(?:\{\s*([a-km-su-z])\s*\}|([a-km-su-z])(?![A-Za-z0-9]))(?!\s*\^)")


def _over_marked_examples(text: str) -> tuple[str, str] | None:
    """`\\sum_e \\frac{1}{2}(y^{(e)} - o^{(e)})^2`: the summand without its example's index, where the index
    is written on it only as the example's superscript in brackets (the notes' `x^{(i)}`), as the sum over
    the examples up to m is read; None where it names the index otherwise (`y_e`, `e^{-s}`) or not at all."""
    bounds = _BY_INDEX.match(text)
    if bounds is None:
        return None
    letter = bounds.group(1) or bounds.group(2)
    body, tail = _summand(text[bounds.end():])
    body, count = re.subn(rf"\^\s*\{{\s*\(\s*{letter}\s*\)\s*\}}", "", body)
    if count == 0 or re.search(rf"(?<![A-Za-z\\]){letter}(?![A-Za-z])", body):
        return None
    return body, tail


def _summand(body: str) -> tuple[str, str]:
    """A sum's summand (to the next `+`, `-`, `=` or list separator outside brackets) and what follows it."""
    depth, norm = 0, False
    for k, c in enumerate(body):
        depth += {"(": 1, "{": 1, "[": 1, ")": -1, "}": -1, "]": -1}.get(c, 0)
        norm ^= body.startswith("\\|", k)  # \|t - o\|: a norm's bars enclose as brackets do
        if depth == 0 and not norm and (c in "+-=" or _separates(body, k)) and body[:k].strip():
            return body[:k], body[k:]
    return body, ""


def _separates(body: str, k: int) -> bool:
    """Whether the comma or semicolon at `k` ends an equation of a list (`\\sum_{i=1}^{m} dz_i, \\quad db = ...`):
    not a spacing macro's (`\\,`, `\\;`) nor a decimal comma's between digits (`0,5`)."""
    return body[k] in ",;" and body[k - 1:k] != "\\" and not (body[k - 1:k].isdigit() and body[k + 1:k + 2].isdigit())


# `\tanh^2(z)`, as the walker writes it (`tanh ^ ( 2 ) * ( z )`): the square of tanh(z)
_POWER_OF_CALL = re.compile(r"\b(tanh|sigmoid|exp|log|ln)\s*\^\s*\(\s*(\d)\s*\)\s*(?:\*\s*)?\(")


def powers_of_calls(text: str) -> str:
    """`tanh ^ ( 2 ) * ( z )` as `( tanh ( z ) ) ^ ( 2 )`: a function's power written before its argument."""
    while (m := _POWER_OF_CALL.search(text)) is not None:
        close = matching(text, m.end() - 1)
        if close is None:
            return text
        text = f"{text[:m.start()]}( {m.group(1)} {text[m.end() - 1:close + 1]} ) ^ ( {m.group(2)} ){text[close + 1:]}"
    return text
