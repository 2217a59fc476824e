"""Vectors and matrices as people write them: `bmatrix`, `pmatrix`, `[0.1, 0.2]`, `z = Wx + b` (a column
convention) or `z = xW + b` (a row convention), `^T`, `\\odot`, `\\cdot` between matrices, functions applied
entry by entry.

A chain of arrays is worked out entry by entry into the checker's own claims: `z = W x + b` becomes, for
entry 1, `net_h1 = w1*i1 + w2*i2 + b1`, judged as any claim is (its verdict names the entry). A name of the
document that stands for a whole vector or matrix (`W^{(1)}`, `x`, `\\delta^{(2)}`) is read as one of the
network's by its entries' values or by its formula, in either orientation (W as neurons x inputs, or its
transpose). A product of shapes that do not fit says the shapes it saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal

from derive.check.claims import OPERATOR, Binary, Call, Claim, ClaimError, Name, Node, Num, Unary, _Parser, tokenize
from derive.check.digits import agrees_to_written_digits
from derive.check.truth import Truth, Unknown
from derive.check.values import Evaluator
from derive.check.verdicts import literal
from derive.model.precision import CTX, Real
from derive.reader.maths import Chain
from derive.reader.plain import ARRAY, function_named

Rows = tuple[tuple[Node, ...], ...]
MAX_ENTRIES = 400  # entries of one array (a 20 x 20 matrix): more is not worked out


class ArrayError(ValueError):
    """A chain of arrays that cannot be worked out (shapes that do not fit ...); the message says why."""


@dataclass(frozen=True)
class Array:
    rows: Rows
    scalar: bool = False  # a number or a name of one value: it scales, it is no 1 x 1 matrix

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    def entry(self, i: int, j: int) -> Node:
        return self.rows[i][j]

    def transposed(self) -> Array:
        return Array(tuple(zip(*self.rows, strict=True)), self.scalar)

    def describe(self) -> str:
        r, c = self.shape
        if self.scalar:
            return "a number"
        kind = "column" if c == 1 and r > 1 else "row" if r == 1 and c > 1 else "matrix"
        return f"a {r}x{c} {kind}"


# `a \\cdot b` between a row and a column of one length is their matrix product as written; in a second
# reading (`entrywise()`), the entry-wise product, as notes that write \\cdot for \\odot mean it
_ENTRYWISE: ContextVar[bool] = ContextVar("entrywise", default=False)


@contextmanager
def entrywise() -> Iterator[None]:
    """Within: a row times a column of one length (a written `*`) is read entry by entry."""
    token = _ENTRYWISE.set(True)
    try:
        yield
    finally:
        _ENTRYWISE.reset(token)


def vector(array: Array) -> bool:
    r, c = array.shape
    return not array.scalar and (r == 1 or c == 1)


# --- reading a link ----------------------------------------------------------------------------------------

def tokens(text: str) -> list[tuple[str, str]]:
    """The claims grammar's tokens, with the transpose `^T` and the entry-wise product `odot` as their own."""
    try:
        found = tokenize(text)
    except ClaimError as exc:
        raise ArrayError(str(exc)) from None
    out: list[tuple[str, str]] = []
    for kind, word in found:
        if kind == "name" and word == "T" and out and out[-1][1] == "^":
            out[-1] = ("transpose", "T")
        elif kind == "name" and word == "odot":
            out.append(("op", "odot"))
        elif kind == "op" and word == "^" and out and out[-1][0] == "transpose":
            continue
        else:
            out.append((kind, word))
    return out


class _Reader:
    """One link of an array chain, read into an Array (recursive descent, juxtaposition a product)."""

    def __init__(self, tokens: list[tuple[str, str]], cells: Sequence[Rows], names: Callable[[str], Array | None]):
        self.tokens, self.at, self.cells, self.names, self.depth = tokens, 0, cells, names, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ArrayError("the expression ends too early")
        self.at += 1
        return token

    def expression(self) -> Array:
        value = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.take()
            value = combine(token[1], value, self.term())
        return value

    def term(self) -> Array:
        value = self.unary()
        while (token := self.peek()) is not None and (token[1] in ("*", "/", "odot") or _starts(token)):
            if token[1] in ("*", "/", "odot"):
                self.take()
            right = self.unary()
            if token[1] == "*" and vector(value) and value.shape == right.shape:
                value = combine("odot", value, right)  # two vectors of one shape: \\cdot written for the odot
            elif token[1] == "*" and _ENTRYWISE.get() and vector(value) and vector(right) and \
                    value.shape == right.shape[::-1]:
                value = combine("odot", value, right.transposed())  # a row \\cdot a column, read entry by entry
            elif token[1] == "*" or _starts(token):
                value = product(value, right)
            else:
                value = combine(token[1], value, right)
        return value

    def unary(self) -> Array:
        token = self.peek()
        if token is not None and token[1] in ("+", "-"):
            self.take()
            inner = self.unary()
            return inner if token[1] == "+" else _each(inner, lambda x: Unary("-", x))
        return self.power()

    def power(self) -> Array:
        value = self.atom()
        while (token := self.peek()) is not None and (token[0] == "transpose" or token[1] in ("^", "**")):
            self.take()
            if token[0] == "transpose":
                value = value.transposed()
                continue
            exponent = self.take()
            if exponent[1] == "(" and (self.peek() or ("", ""))[0] == "number":  # ^(2), as the walker writes ^{2}
                exponent = self.take()
                if self.take()[1] != ")":
                    raise ArrayError("an exponent that is not one number")
            if exponent[0] != "number" or not (value.scalar or 1 in value.shape):  # (t - o)^2 of vectors: each
                raise ArrayError("a power of a matrix is not read (of a vector, it is taken entry by entry)")
            value = _each(value, lambda x: Binary("^", x, Num(exponent[1])))  # noqa: B023
        return value

    def atom(self) -> Array:
        kind, word = self.take()
        if kind == "number":
            return Array(((Num(word),),), scalar=True)
        if word == "(":
            self.depth += 1
            if self.depth > 40:
                raise ArrayError("nested too deeply")
            value = self.expression()
            if self.take()[1] != ")":
                raise ArrayError("a bracket that is not closed")
            self.depth -= 1
            return value
        if kind == "name" and word.startswith(ARRAY):
            return self.cell_array(int(word[len(ARRAY):]))
        if kind == "name" and self.peek() is not None and self.peek()[1] == "(" and _function(word):  # type: ignore[index]
            self.take()
            inner = self.expression()
            if self.take()[1] != ")":
                raise ArrayError("a bracket that is not closed")
            function = function_named(word)
            if function == "softmax":
                return _softmax(inner)
            return _each(inner, lambda x: Call(function, x))
        if kind == "name":
            found = self.names(word)
            return found if found is not None else Array(((Name(word),),), scalar=True)
        raise ArrayError(f"unexpected {word!r}")

    def cell_array(self, index: int) -> Array:
        rows = self.cells[index]
        if len(rows) * len(rows[0]) > MAX_ENTRIES:
            raise ArrayError(f"an array of more than {MAX_ENTRIES} entries")
        return Array(rows)


def _function(word: str) -> bool:
    from derive.check.claims import FUNCTIONS

    return word in FUNCTIONS or word == "softmax" or word.startswith(OPERATOR) or function_named(word) != word


def _starts(token: tuple[str, str]) -> bool:
    """A token that starts a factor written beside the one before it (`W x`, `2 a`)."""
    return token[0] in ("number", "name") or token[1] == "("


def _softmax(array: Array) -> Array:
    """softmax(z): e^{z_i} over the sum of e^{z_j}, entry by entry of a vector."""
    if not vector(array) and not array.scalar:
        raise ArrayError(f"softmax of {array.describe()}")
    entries = [x for row in array.rows for x in row]
    total: Node = Call("exp", entries[0])
    for x in entries[1:]:
        total = Binary("+", total, Call("exp", x))
    return _each(array, lambda x: Binary("/", Call("exp", x), total))


def _each(array: Array, f: Callable[[Node], Node]) -> Array:
    return Array(tuple(tuple(f(x) for x in row) for row in array.rows), array.scalar)


def _fit(a: Array, b: Array, op: str = "") -> tuple[Array, Array]:
    """Two arrays of one shape: a vector written the other way round is turned, as its writer meant; a column
    added to a matrix of as many rows is added to each of its columns (`W X + b`, the samples of a batch the
    columns of X), a row to each of its rows (`X W + b`)."""
    if a.shape == b.shape or a.scalar or b.scalar:
        return a, b
    if vector(a) and vector(b) and a.shape == b.shape[::-1]:
        return a, b.transposed()
    if op in ("+", "-") and (spread := _broadcast(b, a.shape)) is not None:
        return a, spread
    if op in ("+", "-") and (spread := _broadcast(a, b.shape)) is not None:
        return spread, b
    raise ArrayError(f"{a.describe()} and {b.describe()} cannot be added or compared entry by entry")


def _broadcast(v: Array, shape: tuple[int, int]) -> Array | None:
    """A column of `shape`'s rows repeated in each of its columns (or a row of its columns in each row)."""
    rows, columns = shape
    if min(rows, columns) < 2 or rows == columns:  # square: whether a row or a column is meant is not told
        return None
    if v.shape == (rows, 1):
        return Array(tuple((row[0],) * columns for row in v.rows))
    if v.shape == (1, columns):
        return Array((v.rows[0],) * rows)
    return None


def _one(a: Array) -> Array:
    """A 1 x 1 array (one output's vector) behaves as the number it holds."""
    return Array(a.rows, True) if a.shape == (1, 1) else a


def combine(op: str, a: Array, b: Array) -> Array:
    """+, - or the entry-wise product (a number with an array: every entry); `/` only by a number."""
    a, b = _one(a), _one(b)
    if op == "/" and not b.scalar:
        raise ArrayError(f"a division by {b.describe()}")
    a, b = _fit(a, b, op)
    symbol = "*" if op == "odot" else op
    shape = a.shape if not a.scalar else b.shape
    rows = tuple(tuple(Binary(symbol, _at(a, i, j), _at(b, i, j)) for j in range(shape[1])) for i in range(shape[0]))
    return Array(rows, a.scalar and b.scalar)


def _at(a: Array, i: int, j: int) -> Node:
    return a.rows[0][0] if a.scalar else a.rows[i][j]


def product(a: Array, b: Array) -> Array:
    """A product: by a number entry by entry, else the matrix product (a vector turned where it must be)."""
    if a.scalar or b.scalar or a.shape == (1, 1) or b.shape == (1, 1):
        return combine("odot", a, b)
    tries = [(a, b)] + ([(a, b.transposed())] if vector(b) else []) + ([(a.transposed(), b)] if vector(a) else [])
    for left, right in tries:
        if left.shape[1] == right.shape[0]:
            return _matmul(left, right)
    raise ArrayError(f"{a.describe()} times {b.describe()}: their shapes do not fit a product")


def _matmul(a: Array, b: Array) -> Array:
    inner = a.shape[1]
    rows = []
    for i in range(a.shape[0]):
        row = []
        for j in range(b.shape[1]):
            total: Node = Binary("*", a.rows[i][0], b.rows[0][j])
            for k in range(1, inner):
                total = Binary("+", total, Binary("*", a.rows[i][k], b.rows[k][j]))
            row.append(total)
        rows.append(tuple(row))
    return Array(tuple(rows))


def read_link(text: str, cells: Sequence[Rows], names: Callable[[str], Array | None]) -> Array:
    reader = _Reader(tokens(text), cells, names)
    value = reader.expression()
    if reader.peek() is not None:
        raise ArrayError(f"unexpected {reader.peek()[1]!r}")  # type: ignore[index]
    return value


def cells_of(chain: Chain) -> tuple[Rows, ...]:
    """The chain's written arrays, each cell read by the claims grammar."""
    found = []
    for grid in chain.arrays:
        rows = []
        for row in grid:
            cells = []
            for text in row:
                parser = _Parser(tokens(text))
                try:
                    node = parser.expression()
                except ClaimError as exc:
                    raise ArrayError(f"a cell {text!r}: {exc}") from None
                if parser.peek() is not None:
                    raise ArrayError(f"a cell {text!r} that is not one expression")
                cells.append(node)
            rows.append(tuple(cells))
        found.append(_zeros_to_places(tuple(rows)))
    return tuple(found)


def _zeros_to_places(rows: Rows) -> Rows:
    """A 0 in an array whose other numbers are all written to the same decimal places (`[0, 0.2; 0.5, 0.7]`)
    is 0 to those places (0.0: a value under 0.05 rounds to it), as the array is written; elsewhere 0 is 0."""
    texts = [n.text for row in rows for n in row if isinstance(n, Num)]
    places = {len(t.partition(".")[2]) for t in texts if "." in t and "e" not in t.lower() and Decimal(t)}
    if len(places) != 1 or not any(t.lstrip("-") == "0" for t in texts):
        return rows
    zero = "0." + "0" * next(iter(places))
    return tuple(tuple(Num(zero) if isinstance(n, Num) and n.text.lstrip("-") == "0" else n for n in row)
                 for row in rows)


def links_of(chain: Chain, names: Callable[[str], Array | None]) -> list[Array]:
    """Every part of an array chain (its left side first) as an Array."""
    cells = cells_of(chain)
    return [read_link(part, cells, names) for part in chain.text.split(" = ")]


# --- the network's arrays ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quantity:
    """A vector or matrix of the network: what it is, and the name of each entry's quantity."""

    label: str  # `the outputs of layer 1`, `the weights of layer 2`
    kind: str  # input | target | net | out | delta | error | slope | weight | bias | gradient
    names: tuple[tuple[str, ...], ...]

    def transposed(self) -> Quantity:
        return Quantity(self.label + " (transposed)", self.kind, tuple(zip(*self.names, strict=True)))

    def array(self) -> Array:
        return Array(tuple(tuple(Name(n) for n in row) for row in self.names))


def quantities(truth: Truth) -> list[Quantity]:
    """Every layer's vectors and matrices: columns for the neurons, rows of weights for each neuron."""
    network = truth.network
    found = [Quantity("the inputs", "input", tuple((s.name,) for s in network.inputs)),
             Quantity("the targets", "target", tuple((o.target.name,) for o in network.outputs))]
    for number, layer in enumerate(network.layers, start=1):
        column = [("net", "the nets", lambda n: n.net.name), ("out", "the outputs", lambda n: n.out.name),
                  ("delta", "the error terms", lambda n: f"d:E_total/{n.net.name}"),
                  ("error", "dE_total/dout", lambda n: f"d:E_total/{n.out.name}"),
                  ("slope", "dout/dnet", lambda n: f"d:{n.out.name}/{n.net.name}")]
        for kind, label, name in column:
            if kind == "slope" and not layer[0].activation.elementwise:
                continue
            found.append(Quantity(f"{label} of layer {number}", kind, tuple((name(n),) for n in layer)))
        weights = tuple(tuple(link.weight.name for link in n.links) for n in layer)
        if _weight_matrix(weights):
            found.append(Quantity(f"the weights of layer {number}", "weight", weights))
            found.append(Quantity(f"dE_total/dW of layer {number}", "gradient",
                                  tuple(tuple(f"d:E_total/{w}" for w in row) for row in weights)))
            found.append(Quantity(f"the weights of layer {number} after the update", "updated",
                                  tuple(tuple(f"{w}@1" for w in row) for row in weights)))
        if all(n.bias is not None for n in layer):
            biases = tuple((n.bias.name,) for n in layer)  # type: ignore[union-attr]
            found.append(Quantity(f"the biases of layer {number}", "bias", biases))
            found.append(Quantity(f"dE_total/db of layer {number}", "gradient",
                                  tuple((f"d:E_total/{b}",) for (b,) in biases)))
            found.append(Quantity(f"the biases of layer {number} after the update", "updated",
                                  tuple((f"{b}@1",) for (b,) in biases)))
    return found + _per_sample(found, truth)


def _per_sample(found: list[Quantity], truth: Truth) -> list[Quantity]:
    """On a network learning from a batch, each column of the network (its inputs, a layer's nets, outputs,
    deltas ...) stacked for every sample of the batch, a column per sample (`Z_1 = W_1 X + b_1` with the
    samples as the columns of X): each entry is that neuron's quantity at that sample."""
    if not truth.batch or len(truth.samples) < 2:
        return []
    columns = ("input", "target", "net", "out", "delta", "error", "slope")
    return [Quantity(f"{q.label}, a column per sample", q.kind,
                     tuple(tuple(f"{row[0]}[{s}]" for s in truth.samples) for row in q.names))
            for q in found if q.kind in columns and all(len(row) == 1 for row in q.names)]


def _weight_matrix(weights: tuple[tuple[str, ...], ...]) -> bool:
    """A dense layer's weights: a row for each neuron, all as long, no weight twice (a kernel slid over a
    map, a pool's window and a recurrent step are no matrix of a layer)."""
    names = [w for row in weights for w in row]
    return bool(names) and len({len(row) for row in weights}) == 1 and len(set(names)) == len(names)


def values_of(array: Array, evaluator: Evaluator) -> list[list[Real]] | None:
    """The entries' values at the spec's numbers, or None where an entry has none."""
    try:
        return [[evaluator.evaluate(x) for x in row] for row in array.rows]
    except (Unknown, ArithmeticError, ValueError):
        return None


def matches(array: Array, values: list[list[Real]], quantity: Quantity, truth: Truth, sample: str | None,
            off: int = 0) -> bool:
    """Every entry of the array (all but `off` of them) is the quantity's entry: to the digits written, or
    exactly."""
    if (len(quantity.names), len(quantity.names[0])) != array.shape:
        return False
    missed = 0
    for row, value_row, name_row in zip(array.rows, values, quantity.names, strict=True):
        for node, value, name in zip(row, value_row, name_row, strict=True):
            try:
                right = truth.value(name, sample)
            except Unknown:
                return False
            text = literal(node)
            ok = agrees_to_written_digits(right, text) if text is not None else \
                abs(right - value) <= CTX.mpf(10) ** -12 * max(abs(right), CTX.one)
            missed += not ok
            if missed > off:
                return False
    return True


# --- a chain worked out entry by entry ---------------------------------------------------------------------

def entry_claims(chain: Chain, line: int, names: Callable[[str], Array | None],
                 target: Callable[[str], Quantity | None], sample: str | None) -> list[Claim]:
    """The claims an array chain states, one chain of scalar expressions per entry, each about the entry of
    the quantity its left side is read as (or of the person's own array, entry by entry)."""
    parts = chain.text.split(" = ")
    head = parts[0].strip()
    named = _is_name(head)
    if named:
        head = tokens(head)[0][1]  # d(L)/d(W2) as the grammar names it, dL/dW2
    links = links_of(replace(chain, text=" = ".join(parts[1:])), names) if len(parts) > 1 else []
    quantity = target(head) if named else None
    if quantity is not None and chain.update and quantity.kind != "updated":  # W <- W - eta dL/dW: W after it
        quantity = Quantity(quantity.label + " after the update", quantity.kind,
                            tuple(tuple(f"{n}@1" for n in row) for row in quantity.names))
    if quantity is None and named:
        left = None  # the person's own array (or name): its entries are defined here
    else:
        left = None if quantity is not None else read_link(head, cells_of(chain), names)
    shape = quantity.names and (len(quantity.names), len(quantity.names[0])) if quantity else None
    fitted = _fitted(links, shape if shape else (left.shape if left is not None else links[0].shape),
                     broadcast=all(a.scalar for a in links))
    r, c = fitted[0].shape if fitted else (shape or (1, 1))
    found = []
    for i in range(r):
        for j in range(c):
            where = f"entry {max(i, j) + 1}" if min(r, c) == 1 else f"entry ({i + 1}, {j + 1})"
            entries = tuple(a.rows[i][j] for a in fitted)
            if quantity is not None:
                found.append(Claim(line, chain.text, Name(quantity.names[i][j]), entries, sample, entry=where))
            elif left is not None:
                found.append(Claim(line, chain.text, Name(""), entries, sample,
                                   left=_fitted([left], (r, c))[0].rows[i][j], entry=where))
            elif (r, c) == (1, 1):  # one value: the head is a scalar's name (read as the scalars are)
                found.append(Claim(line, chain.text, Name(head), entries, sample))
            else:
                own = f"{head}_e{max(i, j) + 1}" if min(r, c) == 1 else f"{head}_e{i + 1}_{j + 1}"
                found.append(Claim(line, chain.text, Name(own), entries, sample, entry=where))
    return found


def _fitted(arrays: list[Array], shape: tuple[int, int], broadcast: bool = False) -> list[Array]:
    """The links in the shape of the left side (a vector turned where it was written the other way)."""
    found = []
    for a in arrays:
        if a.scalar and shape != (1, 1) and broadcast:  # W2 := 0.1192 (every entry)
            found.append(Array(tuple(tuple(a.rows[0][0] for _ in range(shape[1])) for _ in range(shape[0]))))
            continue
        if a.scalar and shape != (1, 1):
            raise ArrayError(f"a number where {shape[0]}x{shape[1]} entries are stated")
        if a.shape == shape:
            found.append(a)
        elif vector(a) and a.shape == shape[::-1]:
            found.append(a.transposed())
        else:
            raise ArrayError(f"{a.describe()} where {shape[0]}x{shape[1]} entries are stated")
    return found


def _is_name(text: str) -> bool:
    try:
        found = tokens(text)
    except ArrayError:
        return False
    return len(found) == 1 and found[0][0] == "name" and not found[0][1].startswith(ARRAY)


def own_entries(name: str, shape: tuple[int, int]) -> Array:
    """A person's own array, by the names its entries were given when it was stated."""
    r, c = shape
    if min(r, c) == 1:
        rows = tuple(tuple(Name(f"{name}_e{(i if c == 1 else j) + 1}") for j in range(c)) for i in range(r))
    else:
        rows = tuple(tuple(Name(f"{name}_e{i + 1}_{j + 1}") for j in range(c)) for i in range(r))
    return Array(rows)


__all__ = ["Array", "ArrayError", "Quantity", "entry_claims", "links_of", "matches", "own_entries", "quantities",
           "values_of"]
