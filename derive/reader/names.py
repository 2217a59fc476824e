"""A document's own names aligned with the network's quantities, by what the document says of them.

People write `z_1`, `a`, `h_1`, `\\hat{y}`, `L`, `C`, `\\delta_5`, zero- or one-based. Each name the network
does not know is read as the quantity it stands for, decided once over the whole document:
- by its value: a number the document gives it (a literal, or a computation in numbers) that only one
  quantity has at the spec's numbers (to the digits written, else to a few units of its last digit);
- by its formula: an expression in names already read (`z_1 = w_1 x_1 + w_2 x_2 + b_1`) that equals one
  quantity's closed form at random values of every input, target and parameter;
- by a derivative's value (`\\partial L / \\partial w_5 = 0.0822` reads L as E_total);
- by its family: `x_2` beside `x_1` read as i1 is i2, an index offset the family's other members confirm.
Several quantities with that value are told apart by the name's letter (z: a net, a: an out, L: the loss);
a name still fitting several is reported with all of them and read as none. A name stated with another
quantity's value further on (`y = 0.01`, later `y = 0.99`) takes each reading from its statement on.
Nothing here is evaluated but numbers and the network's own closed forms.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from derive.check.claims import FUNCTIONS, OPERATOR, Binary, Call, Claim, Name, Node, Unary, names_in
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.judging import given_names as _given_names
from derive.check.truth import PointTruth, Truth, Unknown, split_sample
from derive.check.values import Evaluator, OwnNames, Spread
from derive.check.verdicts import literal
from derive.reader import signs
from derive.reader.quantities import (HINTS, candidates_of, family_rule, fits, hinted, kinds, layers_of, orders,
                                      prefer, ruled_out, suggested_kinds, worded)
from derive.model.precision import CTX, Real, show

ROUNDS = 4  # a name read in one round lets a formula in it be read in the next
POINTS = 2  # random points a formula is compared at
MORE_POINTS = 8  # at most, while several quantities agree at those (relu's net and out where it is positive)
LOOSE_UNITS = 2  # units of the last digit a rounded value may be off and still point to its quantity
LOOSE_DIGITS = 3  # ... when it is written with at least this many significant digits
VALUE_DIGITS = 2  # a number that is not a given says which quantity it is only with this many digits

TIE = CTX.mpf(10) ** -40  # a value given exactly, as the spec's numbers are held


@dataclass(frozen=True)
class Reading:
    """A document's name read as a quantity of the network, from a line on, and why."""

    written: str
    quantity: str
    line: int  # from this line on (0: the whole document, until another reading's line)
    why: str  # by its value | by its formula | by a derivative's value | by its family | by its letter | words
    value: Real | None  # the quantity's value at the spec's numbers, for the note

    def note(self) -> str:  # a quantity "-q": the name stands for q with its sign turned (a delta as t - y)
        shown = f" ({show(self.value, 9).text})" if self.value is not None else ""
        return f"read {self.written} as {self.quantity}{shown}"


@dataclass(frozen=True)
class Alignment:
    """Every reading of the document's names, and the names that fit several quantities."""

    readings: tuple[Reading, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def quantity(self, name: str, line: int) -> Reading | None:
        """The reading of `name` on `line`: the last one from before it, else the first."""
        found = [r for r in self.readings if r.written == name]
        before = [r for r in found if r.line <= line]
        return before[-1] if before else (found[0] if found else None)

    def rename(self, claim: Claim) -> tuple[Claim, tuple[Reading, ...]]:
        """The claim in the network's names, and the readings that made it so."""
        used: dict[str, Reading] = {}

        def name(n: str) -> str:
            base, sample = split_sample(n)
            root, at, step = base.partition("@")
            if root.startswith("d:"):
                top, _, bottom = (name(part) for part in root[2:].partition("/"))
                turned = top.startswith("-") != bottom.startswith("-")
                new = ("-" if turned else "") + f"d:{top.lstrip('-')}/{bottom.lstrip('-')}"
            else:
                reading = self.quantity(root, claim.line)
                if reading is None:
                    return n
                used[root] = reading
                new = reading.quantity
            return new + at + step + (f"[{sample}]" if sample else "")

        target = name(claim.target.name)
        links = tuple(_rename(link, name) for link in claim.links)
        if target.startswith("-"):  # a name for minus a quantity: the claim about the quantity
            target, links = target[1:], tuple(Unary("-", link) for link in links)
        renamed = replace(claim, target=Name(target), links=links,
                          left=None if claim.left is None else _rename(claim.left, name))
        return renamed, tuple(used.values())

    def to_json(self) -> dict[str, object]:
        return {"names": [{"written": r.written, "quantity": r.quantity, "from_line": r.line or None, "why": r.why}
                          for r in self.readings],
                "ambiguous": [{"written": n, "quantities": list(q)} for n, q in self.ambiguous]}


def _rename(node: Node, name) -> Node:  # type: ignore[no-untyped-def]
    if isinstance(node, Name):
        new = name(node.name)
        return Unary("-", Name(new[1:])) if new.startswith("-") else Name(new)
    if isinstance(node, Unary):
        return Unary(node.op, _rename(node.arg, name))
    if isinstance(node, Call):
        function = node.function
        if function.startswith(OPERATOR) and not name(function[len(OPERATOR):]).startswith("-"):
            function = OPERATOR + name(function[len(OPERATOR):])
        return Call(function, _rename(node.arg, name))
    if isinstance(node, Binary):
        return Binary(node.op, _rename(node.left, name), _rename(node.right, name))
    return node


@dataclass(frozen=True)
class Statement:
    """What one claim says a name is: numbers (with the digits written) and formulas."""

    claim: Claim
    numbers: tuple[tuple[Real, str | None, Real], ...]  # value, the literal's text (or None), spread
    formulas: tuple[Node, ...]
    pending: bool = False  # a formula in names not read yet: its value waits for them


class Aligner:
    """The readings of one document's names against one network."""

    def __init__(self, truth: Truth, claims: Sequence[Claim], placed: Mapping[str, tuple[str, str]]) -> None:
        self.truth, self.claims, self.placed = truth, list(claims), placed
        self.candidates = candidates_of(truth)
        self.kinds = kinds(truth)
        self.layers = layers_of(truth)  # for names that label a layer (b^{(2)})
        # what a name may stand for with its sign turned: a delta, a loss's derivative (never a value)
        self.slopes = [q for q in self.candidates if q.startswith(("d:", "delta_"))]
        self.values: dict[str | None, dict[str, Real | None]] = {}
        self.points: dict[tuple[str, ...], tuple[random.Random, list[tuple[PointTruth, dict[str, Real]]]]] = {}
        self.readings: dict[str, list[Reading]] = {}
        self.ambiguous: dict[str, tuple[str, ...]] = {}

    def align(self) -> Alignment:
        unknown = self._unknown()
        unknown += [n for n in self._placed() if n not in unknown]
        for _ in range(ROUNDS):  # formulas, values to their digits, derivatives and families, until stable
            before = dict(self.readings)
            for name in unknown:
                if name not in self.readings:
                    self._read(name, final=False)
            self._derivatives(unknown)
            self._families(unknown)
            if self.readings == before:
                break
        for name in unknown:  # nothing more to wait for: the names left are read by their values, loosely
            if name not in self.readings:
                self._read(name, final=True)
        for name in signs.slipped(self.readings):  # a delta turned where the others are not: a sign slipped
            del self.readings[name]
        self._families(unknown)
        self._letters(unknown)
        for name in unknown:  # a formula in names read only by their letters or words (y_target)
            if name not in self.readings:
                self._read(name, final=True)
        self._labels_agree(unknown)
        readings = tuple(r for name in unknown for r in self.readings.get(name, ()))
        ambiguous = tuple((n, q) for n, q in self.ambiguous.items() if n not in self.readings)
        return Alignment(readings, ambiguous)

    def _placed(self) -> list[str]:
        """The names of a parameter's entries read at their places, where no claim of their own says what they are."""
        for name, (quantity, label) in self.placed.items():
            if not self._known(name) and not any(_root(c.target.name) == name for c in self.claims):
                value = self._value(quantity, None)
                self.readings[name] = [Reading(name, quantity, 0, f"by its place in {label}", value)]
        return [n for n in self.placed if n in self.readings]

    def _labels_agree(self, unknown: list[str]) -> None:
        """Names labelled with their layer (z_1^{[1]}, z_2^{[2]}) count the layers one way in a document: a
        name read, by its value, as a quantity of a layer its label counts otherwise than most of the others
        (z_2^{[2]} = 0.3925, net_h2, where z_1^{[1]} is net_h1) is not read (where no count has the most,
        none is)."""
        offsets: dict[str, int] = {}
        for name in unknown:
            # an index and a label (z_2^{[2]}): the label counts layers (z^{(3)} alone may number neurons)
            label, read = re.fullmatch(r"[A-Za-z]+_?\d+_L(\d+)", name), self.readings.get(name, [])
            layer = self.layers.get(read[0].quantity.partition("@")[0]) if label and len(read) == 1 else None
            if label and layer is not None:
                offsets[name] = int(label.group(1)) - layer
        counts = sorted(((list(offsets.values()).count(o), o) for o in set(offsets.values())), reverse=True)
        if len(counts) < 2:
            return
        kept = counts[0][1] if counts[0][0] > counts[1][0] else None
        for name, offset in offsets.items():
            if offset != kept:
                del self.readings[name]

    # --- which names ---------------------------------------------------------------------------------

    def _known(self, name: str) -> bool:
        base = split_sample(name)[0]
        if base in FUNCTIONS or base in ("e", "pi"):
            return True
        root = base.partition("@")[0]
        return self.truth.knows(root) or root in self.readings

    def _unknown(self) -> list[str]:
        """The document's names the network does not know, in the order they first appear."""
        found: dict[str, None] = {}
        for claim in self.claims:
            for n in [claim.target.name] + [x for link in _sides(claim) for x in names_in(link)]:
                base = split_sample(n)[0].partition("@")[0]
                parts = base[2:].split("/") if base.startswith("d:") else [base]
                for part in parts:
                    if part and not self._known(part):
                        found.setdefault(part, None)
        return list(found)

    # --- one name ------------------------------------------------------------------------------------

    def _read(self, name: str, final: bool) -> None:
        statements = [s for s in (self._statement(c) for c in self.claims if _root(c.target.name) == name) if s]
        if not statements:
            return
        if _counter(statements):
            return  # `l = 0`, then `l = 1`, `l = 2`: a counter of the person's, no quantity
        by_formula = self._by_formula(statements)
        if len(by_formula) == 1:
            self._take(name, [(0, by_formula[0], "by its formula")])
            return
        turned = [] if by_formula else [q for q in self._by_formula(statements, turned=True) if q in self.slopes]
        why = "by its formula, with its sign turned"
        if not turned and not by_formula:
            found = signs.turned_worked(statements, self.slopes, self.candidates, self._value, _close)
            turned = prefer(name, found, self.kinds, self._neuron(name), self.layers)
            why = signs.WORKED_TURNED
        total = [q for q in turned if q.startswith(f"d:{self.truth.network.e_total.name}/")]
        turned = total if len(total) == 1 else turned  # dE_o1/dout_o1 is dE_total/dout_o1, said as the loss's
        if len(turned) == 1:  # `delta_5 = y_5 (1 - y_5)(t - y_5)`: a delta with the sign turned, by its formula
            self._take(name, [(0, "-" + turned[0], why)])
            return
        if not by_formula and not final and any(s.pending for s in statements):
            return  # its formula may be read once the names in it are: a formula outweighs a value
        read: list[tuple[Statement, str]] = []
        firm: set[tuple[str | None, str]] = set()
        for s in statements:
            found = self._by_value(name, s, by_formula, final)
            if len(found) > 1:
                self.ambiguous[name] = tuple(found)
                return
            if found:
                read.append((s, found[0]))
                if self._givens(s) or self._exactly(s, by_formula):
                    firm.add((s.claim.sample, found[0]))
        # a value near another quantity does not move a name its exact numbers read (`y3 = 0.57` after
        # `y3 = F(0.21) = ...`): it is judged as that quantity; the sample it is at may move it
        samples = {sample for sample, _ in firm}
        per_statement = [(s.claim.line, q, "by its value") for s, q in read
                         if s.claim.sample not in samples or (s.claim.sample, q) in firm]
        if per_statement:
            self._take(name, per_statement)

    def _take(self, name: str, found: list[tuple[int, str, str]]) -> None:
        """Readings from each statement's line on (one, from the start, when all statements agree)."""
        if len({q for _, q, _ in found}) == 1:
            found = [(0, found[0][1], found[0][2])]
        readings: list[Reading] = []
        for line, quantity, why in found:
            if readings and readings[-1].quantity == quantity:
                continue
            value = self._value(quantity.lstrip("-"), None)
            turned = value is not None and quantity.startswith("-")
            readings.append(Reading(name, quantity, line, why, -value if turned and value is not None else value))
        if len(readings) > 1:
            readings[0] = replace(readings[0], line=0)
        self.readings[name] = readings
        self.ambiguous.pop(name, None)

    def _statement(self, claim: Claim) -> Statement | None:
        if claim.left is not None:
            return None
        evaluator = Evaluator(self.truth, OwnNames())
        evaluator.sample = claim.sample
        numbers, formulas, pending = [], [], False
        for link in claim.links:
            names = names_in(link)
            if not names:
                try:
                    value = evaluator.evaluate(link)
                    spread = Spread(evaluator, lambda n: None).of(link)
                except (ArithmeticError, ValueError, Unknown):
                    continue
                numbers.append((value, literal(link), spread))
            elif all(self._known(n) for n in names):
                formulas.append(link)
            else:
                pending = True
        return Statement(claim, tuple(numbers), tuple(formulas), pending) if numbers or formulas else None

    def _by_value(self, name: str, s: Statement, allowed: list[str], final: bool = True) -> list[str]:
        """The quantities with the statement's value, of those a name of one neuron's net or output (`z_{h_2}`)
        may be: that quantity, before or after an update, never another that has the value (the loss)."""
        found = self._own_update(s, self._valued(name, s, allowed, final))
        own = self._of_neuron(name)
        return found if own is None else [q for q in found if q.partition("@")[0] == own]

    def _own_update(self, s: Statement, found: list[str]) -> list[str]:
        """`W_{H1-O1} = 0.5 - 0.1 \\cdot 0.1297 \\cdot 0.69 = 0.4911`: a name stated as its own update, the value
        before it written first (or the name itself: `w = w - ...`), is the parameter itself (the claim its update,
        judged as any parameter's), not a name for the value after it that a formula using the name later would
        then mean."""
        first = s.claim.links[0] if s.claim.links else None
        if len(found) != 1 or "@" not in found[0] or not isinstance(first, Binary) or first.op not in "+-":
            return found
        base, before = found[0].partition("@")[0], literal(first.left)
        if isinstance(first.left, Name) and first.left.name == s.claim.target.name:
            return [base]  # `w = w - 0.01 \cdot (-2) = 0.02`: an assignment, the name on the right its old value
        value = self._value(base, s.claim.sample)
        same = value is not None and before is not None and abs(CTX.mpf(before) - value) <= abs(value) * TIE
        return [base] if same else found

    def _valued(self, name: str, s: Statement, allowed: list[str], final: bool = True) -> list[str]:
        """The quantities with the statement's value (closest first): to the digits written, else loosely."""
        sample = s.claim.sample
        # n_1 = 2, a layer's size: a whole number reads a name only as a quantity its letters suggest
        whole = bool(s.numbers) and all(text is not None and text.lstrip("-").isdigit() for _, text, _ in s.numbers)
        givens = ruled_out(name, self._givens(s), self.kinds)
        givens = hinted(name, givens, self.kinds) if whole else givens
        suggested = hinted(name, self._exactly(s, allowed), self.kinds) if givens else []
        if suggested and not hinted(name, givens, self.kinds):  # z_h2 = 1.0: the net its letters say, not a
            return prefer(name, suggested, self.kinds, self._neuron(name), self.layers)  # weight that is 1 too
        if givens:
            return prefer(name, givens, self.kinds, self._neuron(name), self.layers)
        exact = ruled_out(name, self._exactly(s, allowed), self.kinds)
        exact = hinted(name, exact, self.kinds) if whole else exact
        if exact:
            return prefer(name, exact, self.kinds, self._neuron(name), self.layers)
        if whole:
            return []
        for loose in (False, True) if final else (False,):
            found: list[str] = []
            for value, text, spread in s.numbers[-1:]:
                if value == 0 or (text is not None and significant(text) < VALUE_DIGITS):
                    continue  # 0, 1 or 0.5 could be anything
                for q in (allowed or self.candidates):
                    v = self._value(q, sample)
                    if v is not None and _close(v, value, text, spread, loose) and q not in found:
                        found.append(q)
            found = prefer(name, ruled_out(name, found, self.kinds), self.kinds, self._neuron(name), self.layers)
            if found:
                return found
        return []

    def _exactly(self, s: Statement, allowed: list[str]) -> list[str]:
        """The quantities whose value is exactly the statement's number (-0.3 for a net of exactly -0.3),
        however few its digits."""
        values = [CTX.mpf(s.numbers[-1][1])] if s.numbers and s.numbers[-1][1] is not None else []
        # `F(0.21) = 1/(1 + e^{-0.21}) = 0.56`: the numbers worked exactly are the quantity, whatever the
        # value written at the end (a slip is judged against the quantity they are)
        values += [value for value, text, _ in s.numbers if text is None]
        for value in values:
            if value == 0:
                continue
            found = [q for q in (allowed or self.candidates) if (v := self._value(q, s.claim.sample)) is not None
                     and abs(v - value) <= abs(value) * TIE]
            if found:
                return found
        return []

    def _neuron(self, name: str) -> str | None:
        """The neuron a name's index stands for: `delta_y` with `y` read as out_o1 (or `delta_o1`) is o1's."""
        _, sep, index = name.partition("_")
        if not sep:
            return None
        quantity = self.readings[index][0].quantity if index in self.readings else None
        neurons = {n.name for n in self.truth.network.neurons}
        if quantity is not None:
            match = re.fullmatch(r"(?:net|out)_(\w+)", quantity)
            return match.group(1) if match else None
        return index if index in neurons else None

    def _givens(self, s: Statement) -> list[str]:
        """A name stated as one number that is exactly a value the spec gives (an input, a target, a weight,
        the learning rate): the givens with that value."""
        if len(s.claim.links) != 1 or not s.numbers or s.numbers[0][1] is None:
            return []
        value = CTX.mpf(s.numbers[0][1])
        kinds = ("input", "target", "weight", "bias", "eta")
        return [q for q in self.candidates if self.kinds.get(q) in kinds and self._value(q, s.claim.sample) == value]

    def _by_formula(self, statements: list[Statement], turned: bool = False) -> list[str]:
        """The quantities a statement's formula equals at random points (one formula is enough), or equals
        with its sign turned."""
        for s in statements:
            for link in s.formulas:
                found = self._formula(Unary("-", link) if turned else link)
                if found:
                    return found
        return []

    def _formula(self, link: Node) -> list[str]:
        renamed = Alignment(tuple(r for rs in self.readings.values() for r in rs))
        node = renamed.rename(Claim(0, "", Name("x"), (link,)))[0].links[0]
        fixed = _given_names(node, self.truth)
        found: set[str] | None = None
        for k in range(MORE_POINTS):  # two points, and more while several quantities agree (relu's net and out)
            if k >= POINTS and (found is None or len(found) < 2):
                break
            point, values = self._point(fixed, k)
            try:
                got = Evaluator(point, OwnNames(), at_truth=False).evaluate(node)
            except (Unknown, ArithmeticError, ValueError):
                return []
            here = {q for q, v in values.items() if _same(v, got)}
            found = here if found is None else found & here
        return sorted(found or (), key=self.candidates.index)

    def _point(self, fixed: tuple[str, ...], k: int) -> tuple[PointTruth, dict[str, Real]]:
        """The k-th random point (the givens a formula writes as numbers kept at their values), with every
        candidate's value there; each made once for each set of kept givens, in one seeded order."""
        rng, points = self.points.setdefault(fixed, (random.Random(20261206), []))
        while len(points) <= k:
            point = PointTruth(self.truth, rng, fixed)
            values = {}
            for q in self.candidates:
                try:
                    values[q] = point.value(q)
                except (Unknown, ArithmeticError, ValueError, KeyError):
                    continue
            points.append((point, values))
        return points[k]

    def _value(self, quantity: str, sample: str | None) -> Real | None:
        table = self.values.setdefault(sample, {})
        if quantity not in table:
            try:
                table[quantity] = self.truth.value(quantity, sample)
            except (Unknown, ArithmeticError, ValueError):
                table[quantity] = None
        return table[quantity]

    # --- derivatives and families --------------------------------------------------------------------

    def _derivatives(self, unknown: list[str]) -> None:
        """`d:L/w5 = 0.0822`: the parts of a derivative read by the derivatives with its value."""
        options: dict[str, set[str]] = {}
        for claim in self.claims:
            root = _root(claim.target.name)
            if not root.startswith("d:"):
                continue
            top, _, bottom = root[2:].partition("/")
            if self._known(top) and self._known(bottom):
                continue
            s = self._statement(claim)
            if s is None:
                continue
            pattern = [self._as_known(top), self._as_known(bottom)]
            found = [q for q in self._by_value("", s, []) if q.startswith("d:") and fits(q, pattern)]
            for part, index in ((top, 0), (bottom, 1)):
                if part in unknown and part not in self.readings:
                    here = {q[2:].split("/")[index] for q in found}
                    options[part] = options[part] & here if part in options else here
        for part, parts in options.items():
            ordered = sorted(parts, key=lambda q: self.candidates.index(q) if q in self.candidates else 0)
            # a weight's letters never read as an input (d net / d w is one): ruled out, as by value
            chosen = ruled_out(part, prefer(part, ordered, self.kinds, layers=self.layers), self.kinds)
            if len(chosen) == 1:
                self._take(part, [(0, chosen[0], "by a derivative's value")])

    def _letters(self, unknown: list[str]) -> None:
        """Names nothing else reads, read by their letter alone where it has one meaning: a loss's letter on
        top of a derivative (`\\partial L / \\partial w`) is the network's loss, `\\hat{y}_k` its k-th output."""
        tops = {_root(c.target.name)[2:].partition("/")[0] for c in self.claims
                if _root(c.target.name).startswith("d:")}
        tops |= {_root(n)[2:].partition("/")[0] for c in self.claims for link in _sides(c) for n in names_in(link)
                 if _root(n).startswith("d:")}
        outputs = [o.neuron.out.name for o in self.truth.network.outputs]
        hats = sorted(int(m.group(1) or 0) for n in unknown if (m := re.fullmatch(r"yhat_?(\d*)", n)))
        first = 0 if 0 in hats else 1
        for name in unknown:
            if name in self.readings or name in self.ambiguous:
                continue
            quantity = None
            if name in tops and any(re.fullmatch(pattern, name) for pattern, kinds in HINTS if "loss" in kinds):
                quantity = self.truth.network.e_total.name
            hat = re.fullmatch(r"yhat_?(\d*)", name)
            if hat and (hat.group(1) or len(outputs) == 1):
                index = int(hat.group(1) or first) - first
                quantity = outputs[index] if 0 <= index < len(outputs) else None
            why = "by its letter"
            if quantity is None and len(outputs) == 1:
                quantity, why = worded(name, self.truth.network.outputs[0]), "by its words"
            gradient = self._gradient_of(name)
            if quantity is None and gradient is not None:
                quantity, why = gradient, "by its letters, the gradient of a parameter"
            if quantity is None and (given := self._only_given(name)) is not None:
                quantity, why = given, "by its letter, the one such given"
            if quantity is None and (own := self._of_neuron(name)) is not None:
                quantity, why = own, "by its letter and its neuron"
            head, underscore, sub = name.partition("_")
            if quantity is None and underscore and sub != sub.lower() and self.truth.knows(
                    folded := f"{head}_{sub.lower()}"):
                quantity, why = folded, "by its letters, in either case"  # target_{O1}: o1's target
            if quantity is not None:
                self.readings[name] = [Reading(name, quantity, 0, why, self._value(quantity, None))]

    def _only_given(self, name: str) -> str | None:
        """A name stated as a decimal number (`t = 0.8`) whose letters suggest one kind of given (a target, an
        input, a bias, the learning rate) that the network has only one of: that given, whatever the number (a
        given stated wrong is judged as such, not made a name of the person's own); stated beside a given of the
        spec's, only the kinds of given count (`y` there is the target, not an output). Whole numbers are left:
        `t = 1` may count steps."""
        stated = [c for c in self.claims if _root(c.target.name) == name and c.left is None]
        if not stated or any(len(c.links) != 1 or "." not in (literal(c.links[0]) or "") for c in stated):
            return None
        kinds = {k for k in suggested_kinds(name) if k in ("input", "target", "bias", "eta")}
        found = [q for q in self.candidates if self.kinds.get(q) in kinds]
        among = all(self._among_givens(c) for c in stated)  # `x=1, w_1=0.5, y=0.8`: y is the target, no output
        return found[0] if len(found) == 1 and (among or len(kinds) == len(suggested_kinds(name))) else None

    def _among_givens(self, claim: Claim) -> bool:
        """Whether a claim is stated on a line with another that states one of the spec's givens by its name."""
        givens = ("input", "target", "weight", "bias", "eta")
        return any(c is not claim and c.line == claim.line and c.left is None and len(c.links) == 1
                   and literal(c.links[0]) is not None and self.kinds.get(_root(c.target.name)) in givens
                   for c in self.claims)

    def _of_neuron(self, name: str) -> str | None:
        """`z_{h_1}`, `a_{o1}`: a letter that suggests only a net or only an output, indexed by a neuron's own name
        (the network's h1): that neuron's net or output, whatever value the document gives it."""
        match = re.fullmatch(r"([A-Za-z]+)_(\w+)", name)
        neurons = {n.name: n for n in self.truth.network.neurons}
        neuron = neurons.get(match.group(2).replace("_", "")) if match else None
        kinds = suggested_kinds(match.group(1)) if match else set()
        if neuron is None or len(kinds) != 1 or not kinds <= {"net", "out"}:
            return None
        return neuron.net.name if kinds == {"net"} else neuron.out.name

    def _gradient_of(self, name: str) -> str | None:
        """`\\nabla w_{11}` (nabla_w_11), the gradient symbol on a parameter's name: the loss's gradient for it."""
        match = re.fullmatch(r"nabla_(\w+)", name)
        if match is None:
            return None
        params = [p.name for p in self.truth.network.params]
        found = [p for p in params if p in (match.group(1), match.group(1).replace("_", ""))]
        return f"d:{self.truth.network.e_total.name}/{found[0]}" if len(found) == 1 else None

    def _as_known(self, part: str) -> str | None:
        if part in self.readings:
            return self.readings[part][0].quantity
        return part if self._known(part) else None

    def _families(self, unknown: list[str]) -> None:
        """`x_2` read as i2 because `x_1` is read as i1: an index offset shared by the family's members."""
        families: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for name in unknown:  # z1, z_1, z1_L2 (z^{(2)}_1: a layer's own count), x0; z_L3 (z^{(3)})
            match = re.fullmatch(r"([A-Za-z]+?)_?(\d+)(_L\d+)?", name)
            label = re.fullmatch(r"([A-Za-z]+)_L(\d+)", name)
            if match:
                families.setdefault((match.group(1), match.group(3) or ""), []).append((int(match.group(2)), name))
            elif label:
                families.setdefault((label.group(1), "^"), []).append((int(label.group(2)), name))
        counted = orders(self.truth)
        for members in families.values():
            read = [(i, self.readings[n][0].quantity) for i, n in members
                    if n in self.readings and len(self.readings[n]) == 1]
            if not read:
                continue
            rule = family_rule(read, counted)
            if rule is None:
                continue
            order, offset = rule
            for i, name in members:
                if name in self.readings or name in self.ambiguous:
                    continue
                position = i + offset
                if 0 <= position < len(order):
                    self.readings[name] = [Reading(name, order[position], 0, "by its family",
                                                   self._value(order[position], None))]


def _close(truth: Real, value: Real, text: str | None, spread: Real, loose: bool) -> bool:
    if text is not None:
        if agrees_to_written_digits(truth, text):
            return True
        if not loose or significant(text) < LOOSE_DIGITS:
            return False
        unit = CTX.mpf(10) ** (_exponent(text) - significant(text) + 1)
        return abs(truth - value) <= LOOSE_UNITS * unit
    margin = spread * (LOOSE_UNITS if loose else 1) + CTX.mpf(10) ** -12 * abs(value)
    return abs(truth - value) <= margin


def _exponent(text: str) -> int:
    """The power of ten of a written number's first significant digit."""
    value = abs(CTX.mpf(text))
    return int(CTX.floor(CTX.log10(value))) if value else 0


def _same(a: Real, b: Real) -> bool:
    return abs(a - b) <= CTX.mpf(10) ** -25 * max(abs(a), abs(b), CTX.one)


def _counter(statements: Sequence[Statement]) -> bool:
    """True when a name is only ever stated as a whole number and takes different ones at one sample."""
    stated: dict[str | None, set[str]] = {}
    for s in statements:
        text = s.numbers[0][1] if len(s.claim.links) == 1 and len(s.numbers) == 1 else None
        if text is None or not text.lstrip("-").isdigit():
            return False
        stated.setdefault(s.claim.sample, set()).add(str(int(text)))
    return any(len(numbers) > 1 for numbers in stated.values())


def _root(name: str) -> str:
    return split_sample(name)[0].partition("@")[0]


def _sides(claim: Claim) -> list[Node]:
    return list(claim.links) + ([claim.left] if claim.left is not None else [])


def align(truth: Truth, claims: Sequence[Claim], placed: Mapping[str, tuple[str, str]] | None = None) -> Alignment:
    """The readings of the document's names (see the module's docstring); `placed`, the names written as the
    entries of a vector or matrix read as the network's, and the quantity and array at each one's place."""
    return Aligner(truth, claims, placed or {}).align()


__all__ = ["Alignment", "Reading", "align"]
