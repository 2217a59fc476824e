"""Whole-layer claims of the matrix notation, read entry by entry.

`\\delta^{[2]} = \\begin{pmatrix} 0.138 \\\\ -0.038 \\end{pmatrix}`, `\\frac{\\partial E}{\\partial W^{[2]}} =
\\delta^{[2]} \\left(a^{[1]}\\right)^{T}` or `\\delta^{[1]} = \\left(\\left(W^{[2]}\\right)^{T} \\delta^{[2]}\\right)
\\odot f'\\left(z^{[1]}\\right)` state one equation per entry of a vector or a matrix. Each side is read into
a block of plain-grammar entries (the layer's glyphs `W^{[l]}`, `a^{[l]}`, `z^{[l]}`, `\\delta^{[l]}`, `b^{[l]}`,
`x` as the network's own names, `f'(z^{[l]})` as each neuron's `dout/dnet`, written numbers as they are),
the matrix products, `\\odot`, `^{T}`, `\\mathbf{1}` and sums done on the entries' text; every entry then
becomes one plain claim, labelled with the entry and the quantity on its left side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.check import latex
from derive.model import identifiers
from derive.model.network import Network
from derive.model.notation import Glyph, notation_for

MAX_ENTRIES = 4_096  # entries of one block
MAX_CHARACTERS = 200_000  # of all a block's entries: products of products are refused before they grow
ROWS_END = frozenset({"&", r"\\", r"\end"})
SIDE_END = frozenset({"=", ")", r"\right", "}", "+", "-"})


@dataclass(frozen=True)
class Block:
    """A matrix of plain-grammar entries (a column vector is n x 1); `ones`: the vector of ones, whose
    length the product it stands in decides (`\\mathbf{1}^{T} \\delta` sums the entries of delta)."""

    rows: tuple[tuple[str, ...], ...]
    ones: str = ""  # "column" or "row" for \\mathbf{1} and its transpose

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), len(self.rows[0]) if self.rows else 0)

    def transposed(self) -> Block:
        if self.ones:
            return Block((), "row" if self.ones == "column" else "column")
        return Block(tuple(zip(*self.rows)) if self.rows else ())


def _ones(length: int, orientation: str) -> Block:
    return Block(tuple(("1",) for _ in range(length))) if orientation == "column" else Block((("1",) * length,))


def _factor(text: str) -> str:
    """An entry as a factor of a product: bracketed unless it is one name or number."""
    return text if _is_quantity(text) or _is_number(text) else f"({text})"


_DERIVATIVE = re.compile(r"d\([A-Za-z][A-Za-z0-9_]*\)/d\([A-Za-z][A-Za-z0-9_]*\)")


def _is_quantity(text: str) -> bool:
    """One name or one derivative's name (`d(E_total)/d(w5)`)."""
    return latex._is_name(text) or bool(_DERIVATIVE.fullmatch(text))


def _is_number(text: str) -> bool:
    return text.replace(".", "", 1).replace("e-", "", 1).replace("e", "", 1).isdigit()


def _times(a: str, b: str) -> str:
    if a == "1":
        return b
    if b == "1":
        return a
    return f"{_factor(a)} * {_factor(b)}"


def product(a: Block, b: Block) -> Block:
    """The matrix product a b (a 1 x 1 block scales the other), entries as sums of products."""
    if a.ones:
        a = _ones(b.shape[0], a.ones)
    if b.ones:
        b = _ones(a.shape[1], b.ones)
    (n, k), (k2, m) = a.shape, b.shape
    if k != k2:
        if (n, k) == (1, 1) or (k2, m) == (1, 1):
            scalar, other = (a, b) if (n, k) == (1, 1) else (b, a)
            _affordable(len(scalar.rows[0][0]) * len(other.rows) * len(other.rows[0]) + _size(other))
            return Block(tuple(tuple(_times(scalar.rows[0][0], x) for x in row) for row in other.rows))
        raise latex.LatexError(f"a product of a {n} x {k} and a {k2} x {m} matrix")
    _affordable(m * _size(a) + n * _size(b))  # each entry of a is written m times, each of b n times
    return _bounded(Block(tuple(tuple(" + ".join(_times(a.rows[i][j], b.rows[j][c]) for j in range(k))
                                      for c in range(m)) for i in range(n))))


def elementwise(a: Block, b: Block, op: str) -> Block:
    """a (.) b, a + b or a - b, entry by entry, of two blocks of one shape."""
    if a.ones or b.ones or a.shape != b.shape:
        raise latex.LatexError(f"an entry-by-entry {op} of a {a.shape[0]} x {a.shape[1]} and a "
                               f"{b.shape[0]} x {b.shape[1]} matrix")
    join = (lambda x, y: _times(x, y)) if op == "*" else (lambda x, y: f"{x} {op} {_factor(y)}")
    return _bounded(Block(tuple(tuple(join(x, y) for x, y in zip(ra, rb)) for ra, rb in zip(a.rows, b.rows))))


def _size(block: Block) -> int:
    """Characters of a block's entries: what writing it out costs."""
    return sum(len(x) for row in block.rows for x in row)


def _affordable(characters: int) -> None:
    """Refuses a block whose entries would be longer than a claims line can be read, before it is built
    (products of products multiply the entries' lengths)."""
    if characters > MAX_CHARACTERS:
        raise latex.LatexError(f"a matrix expression whose entries would pass {MAX_CHARACTERS:,} characters")


def _bounded(block: Block) -> Block:
    n, m = block.shape
    if n * m > MAX_ENTRIES:
        raise latex.LatexError(f"a matrix of more than {MAX_ENTRIES} entries")
    _affordable(_size(block))
    return block


class Layers:
    """The whole-layer glyphs of the matrix notation (from `derive.model.notation`), each a block of the
    network's names: `W^{[l]}` (row j: neuron j's weights), `z^{[l]}`, `a^{[l]}`, `\\delta^{[l]}`, `b^{[l]}`,
    and `x`, the inputs."""

    def __init__(self, network: Network) -> None:
        self.network = network
        generic = notation_for(network, "matrix").generic
        self.kinds: dict[latex.Key, tuple[str, int]] = {}
        for kind, glyphs in generic.items():
            for layer, glyph in enumerate(glyphs):
                self.kinds.setdefault(_key(glyph), (kind, layer))

    def block(self, key: latex.Key) -> Block | None:
        """The block a whole-layer glyph names, None for any other glyph."""
        found = self.kinds.get(key)
        if found is None:
            return None
        kind, index = found
        layer = self.network.layers[index]
        if kind == "source":
            column = [link.source.name for link in layer[0].links]
        elif kind == "weight":
            return Block(tuple(tuple(link.weight.name for link in n.links) for n in layer))
        elif kind == "bias":
            column = list(dict.fromkeys(n.bias.name for n in layer if n.bias is not None))
        else:
            column = [getattr(n, kind).name for n in layer]
        if not column:
            raise latex.LatexError(f"layer {index + 1} has no {kind}")
        return Block(tuple((name,) for name in column))

    def slopes(self, key: latex.Key) -> Block:
        """f'(z^{[l]}): each neuron's dout/dnet (an activation applied to each entry on its own)."""
        found = self.kinds.get(key)
        if found is None or found[0] != "net":
            raise latex.LatexError("f' of something that is not a layer's z")
        layer = self.network.layers[found[1]]
        if not all(n.activation.elementwise for n in layer):
            raise latex.LatexError(f"layer {found[1] + 1}'s activation is not applied entry by entry: "
                                   "claim its derivatives one by one")
        return Block(tuple((f"d({n.out.name})/d({n.net.name})",) for n in layer))


def _key(g: Glyph) -> latex.Key:
    return latex.Key(g.base, g.sub, g.sup, g.hat)


def is_whole_layer(text: str, names: latex.Names) -> bool:
    """True when a line states something about whole vectors or matrices: a pmatrix, `\\odot`, `\\mathbf{1}`,
    or a layer's glyph `X^{[l]}` without an entry's subscript that names no single quantity (a bias
    shared by a layer is printed `b^{[2]}`, one number)."""
    toks = [t for _, t in latex.tokens(text)]
    if any(t in (r"\odot", r"\mathbf") for t in toks) or "pmatrix" in toks:
        return True
    for i in range(1, len(toks) - 5):
        if toks[i:i + 3] == ["^", "{", "["] and toks[i + 4:i + 6] == ["]", "}"] and toks[i + 6:i + 7] != ["_"]:
            base = toks[i - 1].lstrip("\\")
            if latex.Key(base, "", f"[{toks[i + 3]}]") not in names:
                return True
    return False


class _BlockReader:
    """Recursive descent over one side of a whole-layer claim: sums of products of blocks."""

    def __init__(self, toks: list[tuple[str, str]], names: latex.Names, layers: Layers) -> None:
        self.toks, self.at, self.names, self.layers, self.depth = toks, 0, names, layers, 0

    def peek(self, ahead: int = 0) -> str | None:
        index = self.at + ahead
        return self.toks[index][1] if index < len(self.toks) else None

    def take(self) -> str:
        if self.at >= len(self.toks):
            raise latex.LatexError("the expression ends too early")
        self.at += 1
        return self.toks[self.at - 1][1]

    def expect(self, text: str) -> None:
        found = self.take()
        if found != text:
            raise latex.LatexError(f"expected {text!r}, found {found!r}")

    def side(self) -> Block:
        """A sum of terms, up to `=`, a closing bracket or the end."""
        self.depth += 1
        if self.depth > latex.MAX_DEPTH:
            raise latex.LatexError(f"more than {latex.MAX_DEPTH} levels of nesting")
        sign = self.take() if self.peek() in ("+", "-") else "+"
        block = self.term()
        if sign == "-":
            block = Block(tuple(tuple(f"-({x})" for x in row) for row in block.rows))
        while self.peek() in ("+", "-"):
            op = self.take()
            block = elementwise(block, self.term(), op)
        self.depth -= 1
        return block

    def term(self) -> Block:
        """Factors side by side (matrix products, left to right) and `\\odot` (entry by entry)."""
        block = self.factor()
        while (token := self.peek()) is not None and token not in SIDE_END:
            if token == r"\odot":
                self.at += 1
                block = elementwise(block, self.factor(), "*")
            else:
                if token in latex.TIMES:
                    self.at += 1
                block = product(block, self.factor())
        return block

    def factor(self) -> Block:
        block = self.atom()
        while self.peek() == "^":
            if [self.peek(i) for i in (1, 2, 3)] != ["{", "T", "}"]:
                raise latex.LatexError("a power of a matrix or a vector")
            self.at += 4
            block = block.transposed()
        return block

    def atom(self) -> Block:
        token = self.peek()
        if token == r"\left":
            self.at += 1
            token = self.peek()
        if token == "(":
            return self.bracketed()
        if token == r"\begin":
            return self.pmatrix()
        if token == r"\mathbf":
            return self.ones()
        if token == r"\frac" and self.peek(1) == "{" and self.peek(2) == r"\partial":
            return self.gradient()
        if token == "f" and self.peek(1) == "'":
            self.at += 2
            return self.layers.slopes(self.argument())
        return self.scalar_or_layer()

    def bracketed(self) -> Block:
        self.at += 1
        inner = self.side()
        if self.peek() == r"\right":
            self.at += 1
        self.expect(")")
        return inner

    def ones(self) -> Block:
        """\\mathbf{1}: the vector of ones."""
        self.at += 1
        for token in ("{", "1", "}"):
            self.expect(token)
        return Block((), "column")

    def argument(self) -> latex.Key:
        """The whole-layer glyph in f'(...)."""
        if self.peek() == r"\left":
            self.at += 1
        self.expect("(")
        key = self.key()
        if self.peek() == r"\right":
            self.at += 1
        self.expect(")")
        return key

    def key(self) -> latex.Key:
        """A glyph's base and superscript: `W^{[2]}`, `\\delta^{[1]}`, `x`."""
        token = self.take()
        base = token.removeprefix("\\")
        sup = ""
        if self.peek() == "^" and self.peek(1) == "{" and self.peek(2) == "[":
            self.at += 2
            parts = []
            while (t := self.take()) != "}":
                parts.append(t)
            sup = "".join(parts)
        return latex.Key(base, "", sup)

    def gradient(self) -> Block:
        """\\frac{\\partial E}{\\partial X} of a whole layer X: the block of dE_total/dX's entries;
        \\frac{\\partial a}{\\partial z} of two vectors: their Jacobian, row i the derivatives of a_i."""
        self.at += 3
        top = self.key()
        self.expect("}")
        self.expect("{")
        self.expect(r"\partial")
        bottom = self.key()
        self.expect("}")
        below = self.layers.block(bottom)
        if below is None:
            raise latex.LatexError(f"{latex._describe(bottom)} is not a layer's vector or matrix")
        if (top.base, top.sup) == ("E", ""):
            return Block(tuple(tuple(f"d({identifiers.E_TOTAL})/d({x})" for x in row) for row in below.rows))
        above = self.layers.block(top)
        if above is None or above.shape[1] != 1 or below.shape[1] != 1:
            raise latex.LatexError("a whole layer's derivative of something that is not E or a layer's vector")
        return Block(tuple(tuple(f"d({a})/d({z})" for (z,) in below.rows) for (a,) in above.rows))

    def pmatrix(self) -> Block:
        self.at += 1
        if self.group() != "pmatrix":
            raise latex.LatexError("only the environment pmatrix holds a matrix the checker reads")
        rows: list[list[str]] = [[]]
        while True:
            reader = latex._Reader(self.toks, self.names)
            reader.at = self.at
            rows[-1].append(reader.sequence(ROWS_END).strip())
            self.at = reader.at
            token = self.take()
            if token == "&":
                continue
            if token == r"\\":
                rows.append([])
                continue
            if self.group() != "pmatrix":
                raise latex.LatexError("a pmatrix that does not end with \\end{pmatrix}")
            break
        if any(not x for row in rows for x in row) or len({len(row) for row in rows}) != 1:
            raise latex.LatexError("a matrix with an empty entry or rows of different lengths")
        return _bounded(Block(tuple(tuple(row) for row in rows)))

    def group(self) -> str:
        self.expect("{")
        found = []
        while (token := self.take()) != "}":
            found.append(token)
        return "".join(found)

    def scalar_or_layer(self) -> Block:
        """A whole layer's glyph, else one scalar operand (a number, a name), as a 1 x 1 block."""
        start = self.at
        key = self.key()
        block = self.layers.block(key) if self.peek() != "_" else None
        if block is not None:
            return block
        self.at = start
        reader = latex._Reader(self.toks, self.names)
        reader.at = self.at
        value = reader.operand()
        self.at = reader.at
        return Block(((value,),))


def entries(text: str, names: latex.Names, network: Network) -> list[tuple[str, str]]:
    """(label, plain claim) for each entry of a whole-layer claim: `A = B = C` of blocks of one shape, the
    left side a block of the network's quantities."""
    reader = _BlockReader(_unwrapped(latex.tokens(text)), names, Layers(network))
    sides = [reader.side()]
    while reader.peek() == "=":
        reader.at += 1
        sides.append(reader.side())
    if reader.peek() is not None:
        raise latex.LatexError(f"unexpected {reader.peek()!r}")
    if len(sides) < 2 or any(s.ones for s in sides) or len({s.shape for s in sides}) != 1:
        shapes = " = ".join(f"{s.shape[0]} x {s.shape[1]}" for s in sides)
        raise latex.LatexError(f"the sides of a matrix claim differ in shape ({shapes})")
    left = sides[0]
    if left.shape[0] * left.shape[1] > latex.MAX_INSTANCES:
        raise latex.LatexError(f"a matrix claim of more than {latex.MAX_INSTANCES} entries")
    found = []
    for i, row in enumerate(left.rows):
        for j, name in enumerate(row):
            if not _is_quantity(name):
                raise latex.LatexError("the left side of a matrix claim must be a layer's quantities")
            chain = " = ".join([name] + [s.rows[i][j] for s in sides[1:]])
            where = f"entry {i + 1}" if left.shape[1] == 1 else f"entry ({i + 1}, {j + 1})"
            found.append((f"{where}, {_spoken(name)}", chain))
    return found


def _spoken(name: str) -> str:
    """A plain name as the claims grammar writes it: d(E_total)/d(w5) -> dE_total/dw5."""
    return name.replace("d(", "d").replace(")", "")


def _unwrapped(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The tokens without an aligned environment around them and its alignment marks (a pmatrix keeps its
    `&` and `\\\\`, which separate its entries)."""
    out, depth, i = [], 0, 0
    while i < len(toks):
        t, group = toks[i][1], [x[1] for x in toks[i + 1:i + 4]]
        if t in (r"\begin", r"\end") and group == ["{", "aligned", "}"]:
            i += 4
            continue
        if t in (r"\begin", r"\end") and group == ["{", "pmatrix", "}"]:
            depth += 1 if t == r"\begin" else -1
        elif (t in latex.IGNORED and t not in (r"\left", r"\right", r"\\")) or (t in ("&", r"\\") and not depth):
            i += 1
            continue
        out.append(toks[i])
        i += 1
    return out

