"""A document's names for whole vectors and matrices (`W^{(1)}`, `x`, `z^{(2)}`, `\\delta`), read as the
network's by what the document says of them: the values of their entries (a given matrix, a vector of
outputs), in either orientation, or the values their formula gives from arrays already read. A name read as
none of them is the person's own array, entry by entry."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from derive.check.claims import Name, Node
from derive.check.truth import Truth
from derive.check.values import Evaluator, OwnNames
from derive.check.verdicts import Verdict
from derive.reader.arrays import (Array, ArrayError, Quantity, links_of, matches, own_entries, quantities, tokens,
                                  values_of)
from derive.reader.entries import counting, entry, past_end
from derive.reader.maths import Chain
from derive.reader.plain import ARRAY
from derive.reader.quantities import HINTS, suggested_kinds

ROUNDS = 3
# What a vector's or a matrix's letters suggest, beside the scalars' hints: dW, dZ, db as people name gradients.
ARRAY_HINTS = ((r"d?W\w*|w|theta\w*", ("weight", "updated")), (r"dW\w*|dw\w*|grad\w*|nabla\w*", ("gradient",)),
               (r"db\w*", ("gradient",)), (r"dZ\w*|dz\w*|delta\w*|d\w*", ("delta",)), (r"dA\w*|da\w*", ("error",)))


# A layer's vector or matrix by the letter that names it, where the document labels layers (W^{[1]}).
LETTERS = {"W": "the weights", "w": "the weights", "b": "the biases", "z": "the nets", "Z": "the nets",
           "a": "the outputs", "A": "the outputs", "h": "the outputs", "delta": "the error terms"}


@dataclass(frozen=True)
class Statement:
    chain: Chain
    line: int
    sample: str | None


class ArrayNames:
    """The readings of one document's array names."""

    def __init__(self, truth: Truth, rename: Callable[[Node], Node]) -> None:
        self.truth, self.rename = truth, rename
        self.quantities = quantities(truth)
        self.readings: dict[str, Quantity] = {}
        self.shapes: dict[str, tuple[int, int]] = {}  # the person's own arrays
        self.written: dict[tuple[str, ...], tuple[tuple[int, int], int]] = {}  # a vector's shape as first written
        self.several: dict[str, list[Quantity]] = {}  # names whose entries fit several arrays (equal biases)
        self.starts: dict[str, int | None] = {}  # where an array's indices start, where not at 1

    def lookup(self, name: str) -> Array | None:
        if name in self.readings:
            return self.readings[name].array()
        if name in self.shapes:
            return own_entries(name, self.shapes[name])
        quantity = self.target(name) if name.startswith("d:") else None
        return quantity.array() if quantity is not None else None

    def named_in(self, chain: Chain) -> bool:
        """True when the chain names one of the document's vectors or matrices."""
        return any(self.lookup(w) is not None for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", chain.text))

    def target(self, name: str) -> Quantity | None:
        """The quantity an array chain's left side is read as: an array read, or the derivative of the loss
        with respect to one (`\\partial L / \\partial W_2`: every entry's gradient, in W_2's shape)."""
        if name in self.readings:
            return self.readings[name]
        if name.startswith("d:"):
            top, _, bottom = name[2:].partition("/")
            if bottom not in self.readings:
                return None
            q = self.readings[bottom]
            if top in self.readings and [len(r) for r in self.readings[top].names] == [len(r) for r in q.names]:
                # da/dz of two arrays of one shape: entry by entry
                pairs = zip(self.readings[top].names, q.names, strict=True)
                return Quantity(f"d{top}/d{bottom}", "slope",
                                tuple(tuple(f"d:{a}/{b}" for a, b in zip(ra, rb, strict=True)) for ra, rb in pairs))
            return Quantity(f"d{top}/d of {q.label}", "gradient",
                            tuple(tuple(f"d:{top}/{n}" for n in row) for row in q.names))
        return None

    def scalar(self, name: str) -> str | None:
        """The one quantity a name stands for as a 1 x 1 array (`b_2`, the output layer's one bias) or as an
        entry of a vector read (`y_1` where `y = [1, 0]` is read as the targets)."""
        q = self.readings.get(name)
        if q is not None:
            return q.names[0][0] if len(q.names) == 1 and len(q.names[0]) == 1 else None
        return entry(name, self.readings, self.starts)

    def past_end(self, name: str) -> str | None:
        """What is wrong with a name that indexes a vector read past its end (`h1_2` of h1_0, h1_1), else None."""
        return past_end(name, self.readings, self.starts)

    def turned(self, chain: Chain, line: int, lists: frozenset[int] = frozenset()) -> Verdict | None:
        """A vector written the other way round from how the document wrote the same quantity before (its
        weights, their gradient or their update as a 1x3 row on line 207, a 3x1 column here): the two sides
        of the equation differ in shape, which the entries' values (judged as if turned) do not show. A list
        in brackets (`[0.9, 0.3]`, the parts `lists`) is a vector with no way round: it neither sets nor breaks
        how the document writes one."""
        parts = chain.text.split(" = ")
        head = _head(parts[0])
        quantity = self.target(head) if head is not None else None
        if quantity is None or min(len(quantity.names), len(quantity.names[0])) != 1:
            return None
        key = tuple(sorted(_base(n) for row in quantity.names for n in row))
        links = zip(parts[1:], self._links(Statement(chain, line, None)), strict=False)
        for k, (part, array) in enumerate(links, 1):
            if k in lists or array.scalar or not _written_out(part) or min(array.shape) != 1 or \
                    array.shape[0] == array.shape[1]:
                continue
            shape, first = self.written.setdefault(key, (array.shape, line))
            if array.shape == shape[::-1] and first != line:
                said = Array(((Name("x"),) * shape[1],) * shape[0]).describe()
                return Verdict(line, chain.text, 1, "wrong", None, None, (
                    f"{head} written as {array.describe()}, where line {first} writes that vector as {said}: the sides "
                    "differ in shape (its entries are judged as if turned)"), ("a vector written the other way round",))
        return None

    def notes(self, names: list[str]) -> str:
        return "; ".join(f"read {n} as {self.readings[n].label}" for n in names if n in self.readings)

    def align(self, statements: list[Statement], mentioned: tuple[str, ...] = ()) -> None:
        """The readings, from the statements about arrays; `mentioned`, the names of every other chain, may be a
        layer's array by their letter (`yhat = a^{[2]}`, a^{[2]} written out nowhere)."""
        for _ in range(ROUNDS):
            before = dict(self.readings)
            for s in statements:
                head = s.chain.text.split(" = ")[0].strip()
                if _plain_name(head) and head not in self.readings:
                    self._read(head, s)
            if self.readings == before:
                break
        self._layers(statements)
        self._consistent()
        words = sorted({w for s in statements for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", s.chain.text)})
        self._indexed(words)
        self._lettered(sorted({*words, *mentioned}))
        cells = {w for s in statements for grid in s.chain.arrays for row in grid for cell in row
                 for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", cell)}  # h1_2 written in a matrix's cell
        self.starts = counting(sorted({*words, *mentioned, *cells}), self.readings)
        for s in statements:  # the heads nothing reads: the person's own arrays, by their shape
            head = s.chain.text.split(" = ")[0].strip()
            if _plain_name(head) and head not in self.readings and head not in self.shapes:
                shape = self._shape(s)
                if shape is not None:
                    self.shapes[head] = shape

    def placed(self, statements: list[Statement]) -> dict[str, tuple[str, str]]:
        """The names written as the entries of a layer's weights or biases read by their numbers (`W^{(1)} =
        [[w_{(x_1,1)}, w_{(x_2,1)}], ...] = [[2, 1], ...]`): each, the parameter at its place (a weight of 1
        among several of 1 too), and the array's label. A name placed at two parameters is none."""
        found: dict[str, set[tuple[str, str]]] = {}
        for s in statements:
            parts = s.chain.text.split(" = ")
            q = self.readings.get(parts[0].strip())
            if q is None or q.kind not in ("weight", "bias"):
                continue
            for cells in (_names_written(s.chain, part) for part in parts[1:]):
                if len(cells) == len(q.names) and all(len(r) == len(q.names[0]) for r in cells):
                    for row, names in zip(cells, q.names, strict=True):
                        for cell, name in zip(row, names, strict=True):
                            found.setdefault(cell, set()).add((name, q.label))
        return {n: next(iter(v)) for n, v in sorted(found.items()) if len(v) == 1}

    def _layers(self, statements: list[Statement]) -> None:
        """`b_1` read as layer 1's biases makes `b_2` layer 2's: a name counting layers, where a sibling's
        reading shows it does (a spec's own b2, the second neuron's bias, is not what such a document means)."""
        layered = {}
        for name, q in self.readings.items():
            match = re.fullmatch(r"([A-Za-z]+)_?(\d)", name)
            layer = re.search(r"of layer (\d+)", q.label)
            if match and layer:
                layered[match.group(1)] = (int(match.group(2)) - int(layer.group(1)), q)
        words = {w for s in statements for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", s.chain.text)}
        for word in sorted(words):
            match = re.fullmatch(r"([A-Za-z]+)_?(\d)", word)
            if not match or word in self.readings or match.group(1) not in layered:
                continue
            offset, q = layered[match.group(1)]
            wanted = q.label.replace(re.search(r"of layer \d+", q.label).group(),  # type: ignore[union-attr]
                                     f"of layer {int(match.group(2)) - offset}")
            found = [c for c in self.quantities + [c.transposed() for c in self.quantities] if c.label == wanted]
            if found:
                self.readings[word] = found[0]
        self._counted(layered)
        self._inputs(layered, words)
        self._errors(layered, words)

    def _inputs(self, layered: dict[str, tuple[int, Quantity]], words: set[str]) -> None:
        """`a_0`, `z_0`, `h_0` where the document counts layers from 1 (W_1 read as layer 1): the input layer,
        counted as layer 0 (`z_0 = a_0 = x`)."""
        if {offset for offset, _ in layered.values()} != {0}:
            return
        for word in sorted(words):
            match = re.fullmatch(r"([A-Za-z])_?0", word)
            if match and word not in self.readings and LETTERS.get(match.group(1)) in ("the outputs", "the nets"):
                oriented = {q.label.endswith("(transposed)") for _, q in layered.values()}
                found = [q for q in self.quantities if q.kind == "input"]
                self.readings[word] = found[0].transposed() if oriented == {True} else found[0]

    def _counted(self, layered: dict[str, tuple[int, Quantity]]) -> None:
        """`b_1 = [0.5, 0.5]` where both layers' biases are 0.5: the layer its number counts, as the document's
        other names count layers (W_1 read as layer 1), among the arrays its entries fit."""
        offsets = {offset for offset, _ in layered.values()}
        if len(offsets) != 1:
            return
        offset = next(iter(offsets))
        for name, options in sorted(self.several.items()):
            match = re.fullmatch(r"([A-Za-z]+)_?(\d)", name)
            if match is None or name in self.readings:
                continue
            mine = [q for q in options if re.search(rf"of layer {int(match.group(2)) - offset}\b", q.label)]
            if len(mine) == 1:
                self.readings[name] = mine[0]

    def _errors(self, layered: dict[str, tuple[int, Quantity]], words: set[str]) -> None:
        """`delta_2`, `dZ^{[2]}`, `dW[2]`, `db[2]` where the document counts layers (W_1, W_2 or W^{[1]} read as
        layers 1 and 2): layer 2's error terms, weight gradients, bias gradients."""
        labelled = self._label_offset()
        offsets = {offset for offset, _ in layered.values()} | ({labelled} if labelled is not None else set())
        if len(offsets) != 1:
            return
        offset = next(iter(offsets))
        kinds = {"delta": "the error terms", "dZ": "the error terms", "dz": "the error terms",
                 "dA": "dE_total/dout", "da": "dE_total/dout", "dW": "dE_total/dW", "dw": "dE_total/dW",
                 "db": "dE_total/db"}
        for word in sorted(words):
            match = re.fullmatch(r"(delta|dZ|dz|dA|da|dW|dw|db)(?:_?(\d)|_L(\d+))", word)
            if not match or word in self.readings:
                continue
            number = int(match.group(2) or match.group(3)) - (offset if match.group(2) else 0)
            found = [c for c in self.quantities if c.label == f"{kinds[match.group(1)]} of layer {number}"]
            if found:
                self.readings[word] = found[0]

    def _label_offset(self, shifted: bool = False) -> int | None:
        """0 when the document labels layers by superscripts (W^{[1]} read as layer 1), else None; `shifted`:
        also 1 where every label read counts the input as layer 1 (a^{(2)} read as layer 1's outputs)."""
        offsets = []
        for name, q in self.readings.items():
            label, layer = re.search(r"_L(\d+)$", name), re.search(r"of layer (\d+)", q.label)
            if label and layer:
                offsets.append(int(label.group(1)) - int(layer.group(1)))
        if not shifted:
            return 0 if offsets[:1] == [0] else None
        return offsets[0] if offsets and len(set(offsets)) == 1 and offsets[0] in (0, 1) else None

    def _indexed(self, words: list[str]) -> None:
        """`x` where `x_1`, `x_2` are read as i1, i2: the vector of those entries."""
        for word in words:
            if word in self.readings or not re.fullmatch(r"[A-Za-z]{1,3}(?:hat|bar)?", word):  # x, yhat
                continue
            for q in self.quantities:
                entries = [row[0] for row in q.names] if all(len(r) == 1 for r in q.names) else []
                for first in (1, 0):
                    names = [self.rename(Name(f"{word}{k + first}")) for k in range(len(entries))]
                    if entries and [getattr(n, "name", None) for n in names] == entries:
                        self.readings[word] = q
                        break
                if word in self.readings:
                    break

    def _lettered(self, words: list[str]) -> None:
        """`b^{[1]}` stated nowhere, in a document that labels layers: layer 1's biases, by its letter; where
        the labels count the input as layer 1 (a^{(2)} read as the first hidden layer's outputs, as course
        notes number layers), z^{(3)} is the second layer's nets."""
        offset = self._label_offset(shifted=True)
        if offset is None:
            return
        for word in words:
            match = re.fullmatch(r"([A-Za-z]+)_L(\d+)", word)
            kind = LETTERS.get(match.group(1)) if match else None
            if kind is None or word in self.readings or word in self.shapes:
                continue
            number = int(match.group(2)) - offset  # type: ignore[union-attr]
            found = [c for c in self.quantities if c.label == f"{kind} of layer {number}"]
            if found:
                self.readings[word] = found[0]

    def _consistent(self) -> None:
        """A name of a family counting layers (A^{[1]}, A^{[2]} ...) read as what the family's others are: A^{[4]}
        read as layer 4's nets by `A^{[4]} = Z^{[4]}` (a mistake) is layer 4's outputs, as A^{[1]} ... are."""
        families: dict[str, list[tuple[str, int, Quantity]]] = {}
        for name, q in self.readings.items():
            label, count = re.fullmatch(r"([A-Za-z]+)_L(\d+)", name), re.search(r"of layer (\d+)", q.label)
            if label and count and label.group(2) == count.group(1):
                families.setdefault(label.group(1), []).append((name, int(count.group(1)), q))
        for members in families.values():
            kinds = [q.label.split(" of layer")[0] for _, _, q in members]
            common = max(set(kinds), key=kinds.count)
            if kinds.count(common) < 2:
                continue
            for (name, number, _), kind in zip(members, kinds, strict=True):
                wanted = [c for c in self.quantities if c.label == f"{common} of layer {number}"]
                if kind != common and wanted:
                    self.readings[name] = wanted[0]

    def _links(self, s: Statement) -> list[Array]:
        parts = s.chain.text.split(" = ")
        try:
            return links_of(Chain(" = ".join(parts[1:]), s.chain.offsets, arrays=s.chain.arrays), self.lookup)
        except ArrayError:
            return []

    def _shape(self, s: Statement) -> tuple[int, int] | None:
        """The shape of a person's own array: that of an array they write out for it."""
        parts = s.chain.text.split(" = ")[1:]
        links = [a for part, a in zip(parts, self._links(s), strict=False) if part.strip().startswith("ARRAY__")
                 and len(part.split()) == 1]
        return links[0].shape if links else None

    def _readable(self, head: str) -> list[Quantity]:
        """The arrays a name may be read as: the biases after the update only under a name that says so
        (`b_{new}`): a document's `b_1` that is shown updated later is the biases it starts from. A name that
        says `new` is never the parameters before the update: W_new written with the weights it started from
        leaves the update out, it does not state them."""
        marked, named_new = MARKED_NEW.search(head) is not None, NAMED_NEW.search(head) is not None
        return [q for q in self.quantities if (marked or not (q.kind == "updated" and q.label.startswith("the biases")))
                and not (named_new and q.kind in ("weight", "bias"))]

    def _read(self, head: str, s: Statement) -> None:
        found = self._matching(head, s, 0)
        # x, t: the network's letters for its data; yhat, for its outputs
        data, hat = suggested_kinds(head) & {"input", "target"}, re.fullmatch(r"yhat\w*", head) is not None
        last = f"the outputs of layer {len(self.truth.network.layers)}"
        if (data or hat) and not any(q.kind in data or (hat and q.label.startswith(last)) for q in found):
            # x = [0.5, 0.6]: the inputs with one entry wrong, not the outputs it rounds to at one decimal
            lettered = [q for q in self._matching(head, s, 1) if q.kind in data or (hat and q.label.startswith(last))]
            found = lettered if len(lettered) == 1 else found
        if not found:  # one entry stated wrong among the rest, which say what the array is; it is judged wrong
            found = [q for q in self._matching(head, s, 1) if len(q.names) * len(q.names[0]) >= NEARLY_ENTRIES]
            found = found if len(_prefer(head, found)) == 1 else []
        found = _parameters_only(head, found)
        if {q.kind for q in found} == {"net", "out"} and not self._linear(found):
            # relu's active nets are its outputs: the formula says which (a linear layer's are one)
            kind = _formula_kind(s.chain.text)
            kept = self.readings.get(head)
            if kind is None and kept is not None and kept in found:
                return  # `h = [1.5, 2.5]` after `h = W1 @ x + b1`: still the nets
            found = [q for q in found if q.kind == kind] or found
        if {"delta", "error"} <= {q.kind for q in found}:  # dL_dh: by what h was read as, the net's or the out's
            wrt = re.fullmatch(r"d[A-Za-z]+_d([A-Za-z]\w*)", head)
            by = self.readings.get(wrt.group(1)) if wrt else None
            found = [q for q in found if by is not None and q.kind == {"net": "delta", "out": "error"}.get(by.kind)] \
                or found
        chosen = _prefer(head, found)
        if len(chosen) == 1:
            self.readings[head] = chosen[0]
        elif chosen:
            self.several[head] = chosen

    def _linear(self, found: list[Quantity]) -> bool:
        """Whether the layer of these arrays has the identity activation: its nets are its outputs."""
        layer = re.search(r"of layer (\d+)", found[0].label)
        layers = self.truth.network.layers
        return layer is None or not 0 < int(layer.group(1)) <= len(layers) or \
            layers[int(layer.group(1)) - 1][0].activation.name in ("identity", "linear")

    def _matching(self, head: str, s: Statement, off: int) -> list[Quantity]:
        """The arrays (either way round) the statement's first array written out is, all but `off` entries."""
        found: list[Quantity] = []
        evaluator = Evaluator(self.truth, OwnNames())
        evaluator.sample = s.sample
        for link in self._links(s):
            if link.scalar:
                continue
            renamed = Array(tuple(tuple(self.rename(x) for x in row) for row in link.rows))
            values = values_of(renamed, evaluator)
            if values is None:
                continue
            for q in self._readable(head):
                for oriented in (q, q.transposed()):
                    if matches(renamed, values, oriented, self.truth, s.sample, off) and oriented not in found:
                        found.append(oriented)
            if found:
                break
        return found


# An array read with one entry off needs this many entries: the others (three or more) say which it is.
NEARLY_ENTRIES = 4


# A name that says it is a value after the update: `b_{new}`, `b^{new}`, `b^+` (read as b@1); NAMED_NEW, one that
# says so in words (b@1 is also how b^{(1)}, layer 1's biases, is read)
NAMED_NEW = re.compile(r"(?:^|_)new(?=_|@|$)")
MARKED_NEW = re.compile(NAMED_NEW.pattern + r"|@1$")


def _prefer(name: str, found: list[Quantity]) -> list[Quantity]:
    """Of several arrays with these entries, those the name's letters suggest."""
    if len(found) < 2:
        return found
    layer = re.search(r"_L(\d+)", name)
    if layer:  # W^{[2]}, W[2]: the second layer's
        mine = [q for q in found if re.search(rf"of layer {layer.group(1)}\b", q.label)]
        found = mine or found
        if len(found) < 2:
            return found
    head = re.match(r"[A-Za-z]+", name)
    word = head.group() if head else name
    kinds = [k for pattern, ks in ARRAY_HINTS + HINTS for k in ks if re.fullmatch(pattern, word)]
    kinds += [k for pattern, ks in HINTS for k in ks if re.fullmatch(pattern, word.lower()) and k not in kinds]
    for kind in kinds:
        hinted = [q for q in found if q.kind == kind]
        if hinted:
            return hinted if len(hinted) == 1 else _untransposed(hinted)
    return _untransposed(found)


_ACTIVATION = re.compile(r"\b(?:relu|sigmoid|tanh|softmax|max|maximum|sigma)\s*\(")


def _formula_kind(chain: str) -> str | None:
    """What a formula makes an array: an activation's outputs (`relu(h)`), or nets (`W1 @ x + b1`, names
    multiplied or added); None for values written out."""
    right = chain.partition(" = ")[2]
    if _ACTIVATION.search(right):
        return "out"
    names = re.findall(r"(?<![\w@])[A-Za-z]\w*", right.replace("ARRAY__", " "))
    return "net" if names and re.search(r"[@*+]", right) else None


def _parameters_only(name: str, found: list[Quantity]) -> list[Quantity]:
    """Of the arrays a name's entries match, those of the parameters its letters say (`W2`, `b1`: weights,
    biases, their updates or gradients): `W2 = [[0.5, 0.9]]` is never the outputs it rounds to (0.537, 0.862)."""
    head = re.match(r"[A-Za-z]+", name)
    word = head.group() if head else name
    kinds = {k for pattern, ks in ARRAY_HINTS for k in ks if re.fullmatch(pattern, word)} | suggested_kinds(word)
    if not kinds or not kinds <= {"weight", "bias", "updated"}:
        return found
    return [q for q in found if q.kind not in ("input", "target", "net", "out")]  # a derivative may be named so


def _untransposed(found: list[Quantity]) -> list[Quantity]:
    """A vector that fits both ways is the column; a matrix keeps both readings (they differ)."""
    plain = [q for q in found if not q.label.endswith("(transposed)")]
    return plain if len(plain) == 1 and all(q.names in (plain[0].names, plain[0].transposed().names) or
                                            len(q.names) == 1 or len(q.names[0]) == 1 for q in found) else found


def _base(name: str) -> str:
    """A weight's own name, of its gradient or its value after the update (`d:E_total/w5`, `w5@1`: w5)."""
    return name.removeprefix("d:E_total/").partition("@")[0]


_LIST = re.compile(r"\[[^\[\]\\]*,[^\[\]\\]*\]|\([^()\\]*,[^()\\]*\)")
_LINK = re.compile(r"=|\\approx(?![A-Za-z])|≈")


def listed(chain: Chain, source: str) -> frozenset[int]:
    """The parts of a chain (the left side 0) whose arrays are all written in its span's `source` as flat lists
    in brackets, their entries apart by commas (`[0.9, 0.3]`, `-0.404 \\cdot [0.2, 0.3] \\cdot [0.25, 0.24]`),
    not as a matrix environment's rows or columns; none where the source's sides do not match the chain's one
    for one."""
    sides = _sides(source)
    if len(sides) != len(chain.text.split(" = ")):
        return frozenset()
    return frozenset(k for k, side in enumerate(sides) if _LIST.search(side) and "\\begin" not in side)


def _sides(source: str) -> list[str]:
    """A span's source cut at each `=` or `\\approx` outside braces."""
    sides, depth, start = [], 0, 0
    for i, c in enumerate(source):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth == 0 and (found := _LINK.match(source, i)) and found.start() >= start:
            sides.append(source[start:i])
            start = found.end()
    return [*sides, source[start:]]


def _written_out(part: str) -> bool:
    """A link of written arrays and numbers only (`[0.2; -0.3] - 0.1 [-0.3186; 0]`), no name's reading in it."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]*", part)
    return bool(words) and all(w.startswith("ARRAY__") for w in words)


def _head(text: str) -> str | None:
    """The name an array chain's left side is, as the grammar names it (`d(L)/d(W2)`: d:L/W2), else None."""
    try:
        found = tokens(text.strip())
    except ArrayError:
        return None
    named = len(found) == 1 and found[0][0] == "name" and not found[0][1].startswith("ARRAY__")
    return found[0][1] if named else None


def _names_written(chain: Chain, part: str) -> tuple[tuple[str, ...], ...]:
    """The entries of a link that is one array of names alone (in brackets, `\\left[ ... \\right]`, or not;
    each cell in braces, `{w_{11}}`, or not), else none."""
    k = re.fullmatch(rf"\s*(?:\(\s*)?{ARRAY}(\d+)(?:\s*\))?\s*", part)
    grid = chain.arrays[int(k.group(1))] if k and int(k.group(1)) < len(chain.arrays) else ()
    cells = tuple(tuple(re.sub(r"^\(\s*(.*?)\s*\)$", r"\1", c.strip()) for c in row) for row in grid)
    return cells if all(_plain_name(c) and "@" not in c for row in cells for c in row) else ()


def _plain_name(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(@\d+)?", text)) and not text.startswith("ARRAY__")


__all__ = ["ArrayNames", "Statement"]


def names_its_entries(chain: Chain) -> bool:
    """`W = [w_11 w_12; w_21 w_22]`: a matrix named by the names of its entries, which says how the person
    writes them (no value, nothing to judge; the names are read from what is written about them)."""
    parts = chain.text.split(" = ")
    if not re.fullmatch(r"\s*[A-Za-z][A-Za-z0-9_]*(@\d+)?\s*", parts[0]):
        return False  # W x = [net_h1; net_h2]: a formula whose result is written by its quantities' names
    written = re.fullmatch(r"\s*ARRAY__(\d+)\s*", parts[-1]) if len(parts) == 2 else None
    if written is None or int(written.group(1)) >= len(chain.arrays):
        return False
    entries = [e for row in chain.arrays[int(written.group(1))] for e in row]
    return len(entries) > 1 and all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(@\d+)?", e.strip()) for e in entries)


def written_links(chain: Chain) -> Chain | None:
    """The chain with only its left side and the links written out in numbers and arrays (`Z = W X + b =
    [0.5 0.3; 0.2 0.4][0; 1] + [0.1; 0.2] = [0.3; 0.6]` without `W X + b`, whose names cannot be worked out);
    None where no link is left out or none is left."""
    parts = chain.text.split(" = ")
    keep = [0] + [k for k in range(1, len(parts)) if not re.search(r"[A-Za-z]", re.sub(r"ARRAY__\d+", "", parts[k]))]
    if len(keep) == len(parts) or len(keep) < 2 or len(chain.offsets) != len(parts):
        return None
    return replace(chain, text=" = ".join(parts[k] for k in keep), offsets=tuple(chain.offsets[k] for k in keep))
