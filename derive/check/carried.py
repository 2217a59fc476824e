"""A step judged on what the person wrote before it: each quantity recomputed by its own local rule (net
from the weights and the outputs before it, out from net, delta from dE/dout and dout/dnet, a gradient
from delta and the input, the update from the gradient) with the values the person wrote in place of
the truth's wherever they wrote one.

A number that is wrong against the truth but right from those values is no new error: it follows from
an earlier slip (the verdict names its line), or, where every value it comes from was right to the digits
written, from their rounding (then it is right). Each rule is one step; a quantity the person did not write
is recomputed from the ones before it, so a step that skips a line is followed too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sympy import Expr, Symbol

from derive.check.claims import Node
from derive.check.truth import Truth
from derive.maths.numeric import evaluate
from derive.model.network import Network, Neuron
from derive.model.precision import CTX, Real

World = dict[str, Real]
Rule = tuple[str, tuple[str, ...], Callable[[World], Real]]


@dataclass(frozen=True)
class Written:
    """A value a person wrote for a quantity: on which line, and whether it was wrong (not only rounded)."""

    value: Real
    line: int
    wrong: bool


@dataclass(frozen=True)
class Recomputed:
    """A quantity's value from the values written before it, and the lines of the wrong ones it comes from
    (empty: only rounded values went into it)."""

    value: Real
    slips: tuple[int, ...]
    rounded: tuple[int, ...]


@dataclass(frozen=True)
class Slip:
    """A wrong number as written (sign kept): its line, the quantity it was written for and that quantity's
    truth (a copy of it counts as carried only for the same quantity, or one restating it)."""

    line: int
    quantity: str
    truth: Real | None


class Document:
    """What a person has written so far, by quantity and sample, in the checker's names."""

    def __init__(self) -> None:
        self.written: dict[tuple[str, str | None], Written] = {}
        self.slips: dict[str, Slip] = {}  # a wrong number as it was written (with 3 digits or more)
        self.substituted: dict[str, Slip] = {}  # a number put for a quantity it is not (diagnosis.substitutions)
        self.unchecked: dict[str, Slip] = {}  # a number concluded from one that cannot be checked
        self.unread: dict[str, int] = {}  # a number of an equation that could not be read -> its line
        self.defined_unread: dict[str, int] = {}  # a name such an equation defines, as written -> its line
        self.unsure: set[int] = set()  # lines whose value is gone on from though it could not be checked
        self.formula: list[Node] = []  # the last chain's last link, where it is a formula
        self.rounded: dict[str, Real] = {}  # a right number as written -> how far it is from what it stands for
        self.worked: dict[str, int] = {}  # a number a chain naming no quantity concluded -> its line

    def record(self, name: str, sample: str | None, value: Real, line: int, wrong: bool) -> None:
        self.written[(canonical(name), sample)] = Written(value, line, wrong)

    def right(self, text: str, deviation: Real) -> None:
        """A number written for a quantity and found right (to its digits, or from rounded values): used again,
        it stands for that quantity, give or take this much."""
        if len(text.lstrip("-").replace(".", "").lstrip("0")) >= 3:
            self.rounded.setdefault(text.lstrip("-"), abs(deviation))

    def slip(self, text: str, line: int, quantity: str = "", truth: Real | None = None) -> None:
        """A wrong number written, to know it again when a later step uses it (1.1904 for e^0.1739)."""
        digits = text.lstrip("-").replace(".", "").lstrip("0")
        if len(digits) >= 3:
            self.slips.setdefault(text, Slip(line, canonical(quantity), truth))

    def not_read(self, numbers: list[str], line: int) -> None:
        """The numbers (three significant digits or more) of an equation that could not be read: a later step
        that uses one may carry a slip made there, which cannot be told."""
        for text in numbers:
            if len(text.lstrip("-").replace(".", "").lstrip("0")) >= 3:
                self.unread.setdefault(number_key(text), line)

    def unread_at(self, text: str) -> int | None:
        """The line of an equation not read that wrote this number, or the same number to fewer or more digits
        (0.001791 after 0.00179: the one rounds to the other), else None."""
        key = number_key(text)
        if key in self.unread:
            return self.unread[key]
        value = Decimal(key)
        for written, line in self.unread.items():
            coarse, fine = sorted((Decimal(written), value), key=lambda d: -int(d.as_tuple().exponent))
            if len(coarse.as_tuple().digits) >= 3 and int(coarse.as_tuple().exponent) < 0 and coarse != fine \
                    and fine.quantize(coarse) == coarse:
                return line
        return None

    def used(self) -> dict[str, int]:
        """The slips by their digits, sign dropped: a number a computation uses (`1 / 1.3785`) -> its line."""
        found: dict[str, int] = {}
        for text, slip in self.slips.items():
            found.setdefault(text.lstrip("-"), slip.line)
        return found

    def forget(self, lines: range, value: Real) -> None:
        """A value written on one of `lines` that was found beyond checking: neither a slip nor a value written
        to go on from (a later step is not credited as carrying what was never called wrong)."""
        self.slips = {t: s for t, s in self.slips.items() if s.line not in lines or not _is(t, value)}
        self.written = {k: w for k, w in self.written.items() if w.line not in lines or w.value != value}

    def copy(self) -> Document:
        """What is written so far, apart: one reading of a claim is judged on it without what another reading
        of the same claim recorded (a given stated wrong is no value written before its own update)."""
        other = Document()
        other.written, other.slips, other.substituted = dict(self.written), dict(self.slips), dict(self.substituted)
        other.unchecked, other.unread, other.unsure = dict(self.unchecked), dict(self.unread), set(self.unsure)
        other.formula, other.rounded, other.worked = list(self.formula), dict(self.rounded), dict(self.worked)
        other.defined_unread = dict(self.defined_unread)
        return other

    def at(self, sample: str | None) -> dict[str, Written]:
        return {name: w for (name, s), w in self.written.items() if s == sample}


def _is(text: str, value: Real) -> bool:
    """Whether a number as written is this value."""
    try:
        return abs(CTX.mpf(text) - value) <= CTX.mpf(10) ** -12 * max(1, abs(value))
    except ValueError:
        return False


def number_key(text: str) -> str:
    """A written number as one spelling (`1.364e-3` and `0.001364` alike), sign dropped."""
    return str(Decimal(text.lstrip("-")).normalize())


def canonical(name: str) -> str:
    """One name per quantity: a neuron's delta is dE_total/dnet (`delta_o1` -> `d:E_total/net_o1`)."""
    if name.startswith("delta_") and "@" not in name:
        return f"d:E_total/net_{name[len('delta_'):]}"
    return name


def _expr_rule(name: str, expr: Expr, names: Mapping[Symbol, str]) -> Rule:
    deps = tuple(sorted(names.get(s, s.name) for s in expr.free_symbols if isinstance(s, Symbol)))

    def value(world: World) -> Real:
        return evaluate(expr, {s: world[names.get(s, s.name)] for s in expr.free_symbols if isinstance(s, Symbol)})

    return name, deps, value


def _product(name: str, factors: tuple[str, ...]) -> Rule:
    def value(world: World) -> Real:
        result = CTX.one
        for f in factors:
            result *= world[f]
        return result

    return name, factors, value


def _sum_of_products(name: str, terms: tuple[tuple[str, ...], ...]) -> Rule:
    deps = tuple(dict.fromkeys(f for t in terms for f in t))

    def value(world: World) -> Real:
        total = []
        for t in terms:
            product = CTX.one
            for f in t:
                product *= world[f]
            total.append(product)
        return CTX.fsum(total)

    return name, deps, value


def rules(network: Network) -> tuple[Rule, ...]:
    """Every quantity's local rule, in an order where each comes after what it is computed from."""
    deltas = {n.delta: f"d:E_total/net_{n.name}" for n in network.neurons}
    found: list[Rule] = []
    for layer in network.layers:
        found += [_expr_rule(n.net.name, n.net_expr(), deltas) for n in layer]
        nets = tuple(k.net for k in layer)
        found += [_expr_rule(n.out.name, n.activation.forward(nets, n.position), deltas) for n in layer]
    found += [_expr_rule(o.error.name, o.loss_expr, deltas) for o in network.outputs]
    found.append(_sum_of_products(network.e_total.name, tuple((o.error.name,) for o in network.outputs)))
    if network.spec.structure is not None:
        return tuple(found)  # convolution, pooling, recurrence: their backward pass is no layer of dense rules
    found += _backward_rules(network, deltas)
    for index, p in enumerate(network.params):
        terms = tuple((f"d:E_total/net_{u.neuron.name}", _dnet(u.neuron, p.name)) for u in network.usages[index])
        found.append(_sum_of_products(f"d:E_total/{p.name}", terms))
    return tuple(found)


def _dnet(neuron: Neuron, param: str) -> str:
    """The name of d net / d param's value in the world: the weight's source, or the bias's sign."""
    for link in neuron.links:
        if link.weight.name == param:
            return link.source.name
    return "+1" if neuron.bias_sign > 0 else "-1"


def _backward_rules(network: Network, deltas: Mapping[Symbol, str]) -> list[Rule]:
    from derive.maths.derivation import closed_forms

    closed = closed_forms(network)
    found: list[Rule] = []
    for layer_index in range(len(network.layers) - 1, -1, -1):
        layer = network.layers[layer_index]
        for n in layer:
            delta = f"d:E_total/net_{n.name}"
            if not n.activation.elementwise:  # softmax: the delta from the outputs and the targets directly
                found.append(_expr_rule(delta, closed.delta_factors[n.delta][0], deltas))
                continue
            error, slope = f"d:E_total/{n.out.name}", f"d:{n.out.name}/{n.net.name}"
            if layer_index == len(network.layers) - 1:
                found.append(_expr_rule(error, closed.loss_grads[n.out], deltas))
            else:
                after = network.layers[layer_index + 1]
                terms = tuple((f"d:E_total/net_{k.name}", k.links[n.position].weight.name) for k in after)
                found.append(_sum_of_products(error, terms))
            found.append(_expr_rule(slope, n.activation.slope(n.out, n.net), deltas))
            found.append(_product(delta, (error, slope)))
    return found


class Recomputer:
    """Quantities recomputed from what a person wrote, for one network (its rules built once)."""

    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        self.network = truth.network
        self.rules = rules(self.network)
        self.by_name = {name: (deps, fn) for name, deps, fn in self.rules}
        self.plain = self.network.spec.training.optimizer.plain and len(truth.samples) == 1
        self.forward = frozenset(name for n in self.network.neurons for name in (n.net.name, n.out.name))

    def inputs(self, name: str) -> tuple[str, ...]:
        """What `name`'s own rule computes it from (a net: its weights, sources and bias; a parameter after one
        plain update: the parameter, its gradient and the learning rate), or () where it has no rule here."""
        base, at, step = canonical(name).partition("@")
        params = [p.name for p in self.network.params]
        if at:
            plain = step == "1" and self.plain and base in params
            return (base, f"d:E_total/{base}", self.network.eta.name) if plain else ()
        found = self.by_name.get(base)
        return tuple(d for d in found[0] if d[0] not in "+-") if found else ()

    def value(self, name: str, document: Document, sample: str | None) -> Recomputed | None:
        """`name` by its own rule from the values written before (the truth where none was written), or
        None where it has no rule here (a value after several updates, an optimizer's state ...)."""
        name = canonical(name)
        base, at, step = name.partition("@")
        if at and (step != "1" or not self.plain):
            return None
        if not at and name not in self.by_name:
            return None
        if sample is None and self.truth.batch and name in self.truth._batch_names:
            return self._over_batch(name, document)
        written = document.at(sample)
        world, slips, rounded = self._world(written, sample, stop=name if not at else None)
        if not at:
            deps, fn = self.by_name[name]
            return _recomputed(fn(world), deps, slips, rounded)
        return self._after_update(base, world, written, slips, rounded)

    def _over_batch(self, name: str, document: Document) -> Recomputed | None:
        """A batch's gradient: each sample's, recomputed from the values written at that sample, summed or
        averaged over the batch as its update does."""
        found = [self.value(name, document, s) for s in self.truth.samples]
        if any(f is None for f in found):
            return None
        parts = [f for f in found if f is not None]
        total = CTX.fsum(f.value for f in parts)
        if self.network.spec.training.reduction == "mean":
            total /= len(parts)
        slips = tuple(sorted({n for f in parts for n in f.slips}))
        rounded = tuple(sorted({n for f in parts for n in f.rounded} - set(slips)))
        return Recomputed(total, slips, rounded)

    def _world(self, written: Mapping[str, Written], sample: str | None,
               stop: str | None) -> tuple[World, dict[str, set[int]], dict[str, set[int]]]:
        """Every value before `stop` (all, for None), each the written one where there is one."""
        world: World = {"+1": CTX.one, "-1": -CTX.one}
        slips: dict[str, set[int]] = {}
        rounded: dict[str, set[int]] = {}
        givens = [s.name for s in self.network.inputs] + [o.target.name for o in self.network.outputs]
        givens += [p.name for p in self.network.params] + [self.network.eta.name]
        for name in givens:
            world[name] = self.truth.value(name, sample)
            self._take(name, written, world, slips, rounded)
        for name, deps, fn in self.rules:
            if name == stop:
                break
            world[name] = fn(world)
            slips[name] = set().union(*(slips.get(d, set()) for d in deps))
            rounded[name] = set().union(*(rounded.get(d, set()) for d in deps))
            self._take(name, written, world, slips, rounded)
        return world, slips, rounded

    @staticmethod
    def _take(name: str, written: Mapping[str, Written], world: World, slips: dict[str, set[int]],
              rounded: dict[str, set[int]]) -> None:
        """The written value in the computed one's place: a wrong one starts a slip, a right one rounding."""
        w = written.get(name)
        if w is None or w.value == world[name]:
            return
        world[name] = w.value
        slips[name], rounded[name] = ({w.line}, set()) if w.wrong else (set(), {w.line})

    def _after_update(self, base: str, world: World, written: Mapping[str, Written],
                      slips: dict[str, set[int]], rounded: dict[str, set[int]]) -> Recomputed | None:
        """A parameter after one plain update, or the error at the updated parameters."""
        names = [p.name for p in self.network.params]
        eta = world[self.network.eta.name]
        updated = [world[p] - eta * world[f"d:E_total/{p}"] for p in names]
        if base in names:
            deps = (base, f"d:E_total/{base}", self.network.eta.name)
            return _recomputed(updated[names.index(base)], deps, slips, rounded)
        if base in self.forward:
            return self._forward_after(base, dict(zip(names, updated)), world, written)
        if base != self.network.e_total.name:
            return None
        params = [written[f"{p}@1"].value if f"{p}@1" in written else v for p, v in zip(names, updated)]
        lines = [written[f"{p}@1"] for p in names if f"{p}@1" in written]
        extra_slips = {w.line for w in lines if w.wrong}
        extra_rounded = {w.line for w in lines if not w.wrong}
        found = _recomputed(self.truth.trainer.dataset_error(params), (*names, *(f"d:E_total/{p}" for p in names)),
                            slips, rounded)
        return Recomputed(found.value, tuple(sorted(set(found.slips) | extra_slips)),
                          tuple(sorted(set(found.rounded) | extra_rounded)))


    def _forward_after(self, base: str, updated: World, world: World, written: Mapping[str, Written]) -> Recomputed:
        """A net or an output at the updated parameters: each parameter, and each value of the forward pass
        before it, as the person wrote it after the update (where they did), the update's own elsewhere."""
        after: World = dict(world)
        slips: dict[str, set[int]] = {}
        rounded: dict[str, set[int]] = {}
        for p, value in updated.items():
            after[p] = value
            self._take_after(p, written, after, slips, rounded)
        for name, deps, fn in self.rules:
            if name not in self.forward:
                continue
            after[name] = fn(after)
            slips[name] = set().union(*(slips.get(d, set()) for d in deps))
            rounded[name] = set().union(*(rounded.get(d, set()) for d in deps))
            if name == base:
                return _recomputed(after[name], deps, slips, rounded)
            self._take_after(name, written, after, slips, rounded)
        raise KeyError(base)

    def _take_after(self, name: str, written: Mapping[str, Written], world: World, slips: dict[str, set[int]],
                    rounded: dict[str, set[int]]) -> None:
        """A value the person wrote for `name` after the update, in the computed one's place."""
        w = written.get(f"{name}@1")
        if w is not None:
            world[name] = w.value
            slips[name], rounded[name] = ({w.line}, set()) if w.wrong else (set(), {w.line})


def _recomputed(value: Real, deps: tuple[str, ...], slips: Mapping[str, set[int]],
                rounded: Mapping[str, set[int]]) -> Recomputed:
    s = set().union(*(slips.get(d, set()) for d in deps))
    r = set().union(*(rounded.get(d, set()) for d in deps))
    return Recomputed(value, tuple(sorted(s)), tuple(sorted(r - s)))
