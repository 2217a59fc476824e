"""A wrong step that one change makes right, named by that change: a value of the network standing where another
input of the step belongs (a wrong input), an activation written for its derivative or the other way round,
a difference left unsquared. The change must give the right value (or, for a computation in numbers, what
the values written before give) within the rounding of the numbers written, and, for a formula, at the
random points too; one change only: two that both fit name nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from derive.check.carried import Recomputer, canonical
from derive.check.claims import Binary, Call, Name, Node, Num, Unary, functions_in, numbers_in
from derive.check.confusions import shown
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.truth import PointTruth, Truth, Unknown, split_sample
from derive.check.values import Evaluator, OwnNames
from derive.model.precision import CTX, Real, show


# A slip in working moves a number by a little: within this relative distance of what the values written before
# give an input, a number standing for it is that input worked out with a slip (as in derive.check.diagnosis).
NEAR = CTX.mpf("0.01")


def wrong_input(link: Node, target: str, spread: Callable[[Node], Real], truth: Truth, evaluator: Evaluator,
                known: Callable[[Num], bool]) -> tuple[str, ...]:
    """A computation in numbers with one number, a value of the network (`known`), standing where another
    input of the step belongs (0.5812, out_h1, written twice where out_h2 belongs; 0.01, the first target, for
    the second's): the one such swap that gives the right value, or the value the values written before give,
    within the rounding of the numbers (`spread` of a computation). A number no value stands for is a slip in
    copying, not a wrong input."""
    if evaluator.recomputer is None:
        evaluator.recomputer = Recomputer(truth)
    base, sample = split_sample(target)
    wanted = _wanted(base, sample, truth, evaluator)
    swaps: dict[tuple[str, str], str] = {}
    for k, number in enumerate(numbers_in(link)):
        for name, value in _inputs(base, sample, truth, evaluator) if known(number) else ():
            if agrees_to_written_digits(value, number.text) or (number.text, name) in swaps:
                continue
            swapped = _swapped(link, k, value)[0]
            try:
                got, slack = evaluator.evaluate(swapped), spread(swapped)
            except (Unknown, ArithmeticError, ValueError):
                continue
            if any(abs(got - w) <= slack * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30 for w in wanted):
                swaps[(number.text, name)] = show(value, 9).text
    if len(swaps) != 1:
        return ()
    ((text, name), value), = swaps.items()
    return (_input_named(text, name, value, sample, truth, evaluator),)


def _input_named(text: str, name: str, value: str, sample: str | None, truth: Truth, evaluator: Evaluator) -> str:
    """A wrong input named by what it is: a number in the learning rate's place is a wrong learning rate; the
    value on the other side of a neuron's activation (its net for its out, dE/dout for dE/dnet) is that
    activation (or its slope) left out or put in; else a wrong input."""
    if name == truth.network.eta.name:
        return f"learning rate: {text} stands where the learning rate {shown(name)} ({value}) belongs"
    for other, cause in _across(name, truth):
        values = [v for v in (_value(truth, other, sample),
                              getattr(evaluator.document.written.get((canonical(other), sample)), "value", None))
                  if v is not None]
        if significant(text) >= 3 and any(agrees_to_written_digits(v, text) for v in values):
            return cause.format(text=text, other=shown(other), value=value)
    return f"wrong input: {text} stands where {shown(name)} ({value}) belongs"


def _across(name: str, truth: Truth) -> list[tuple[str, str]]:
    """The quantity on the other side of a neuron's activation from `name`, and the cause of writing it there."""
    found = []
    for n in truth.network.neurons:
        net, out, slope = n.net.name, n.out.name, f"d{n.out.name}/d{n.net.name}"
        dnet, dout = f"d:E_total/{net}", f"d:E_total/{out}"
        found += [
            (out, net, f"activation left out: {{text}} is {net}, the value before {n.name}'s activation"),
            (net, out, f"activation applied too soon: {{text}} is {out}, the value after {n.name}'s activation"),
            (dnet, dout, f"missing activation slope: {{text}} is {{other}}, without the factor {slope}"),
            (dout, dnet, f"the activation's slope multiplied in: {{text}} is {{other}}, with the factor {slope}"),
        ]
    return [(other, cause + ", where " + shown(name) + " ({value}) belongs")
            for wanted, other, cause in found if wanted == name]


def near_input(link: Node, target: str, spread: Callable[[Node], Real], truth: Truth, evaluator: Evaluator,
               stray: Callable[[Num], bool]) -> tuple[str, ...]:
    """A number no value of the network gives (`stray`), standing where an input of the step belongs (the one
    swap that gives the right value, or what the values written before give), within 1% of what the values
    written before give that input (1.6740 for net_o, which they give as 1.6760): that input worked out
    with an arithmetic slip."""
    if evaluator.recomputer is None:
        evaluator.recomputer = Recomputer(truth)
    base, sample = split_sample(target)
    wanted = _wanted(base, sample, truth, evaluator)
    found: dict[tuple[str, str], str] = {}
    for k, number in enumerate(numbers_in(link)):
        if not stray(number):
            continue
        for name in evaluator.recomputer.inputs(base):
            try:
                again = evaluator.recomputer.value(name, evaluator.document, sample)
            except (ArithmeticError, ValueError, KeyError):
                continue
            if again is None or not (again.slips or again.rounded) or not again.value:
                continue
            written = CTX.mpf(number.text)
            if abs(written - again.value) > NEAR * abs(again.value) or \
                    agrees_to_written_digits(again.value, number.text):
                continue
            swapped = _swapped(link, k, again.value)[0]
            try:
                got, slack = evaluator.evaluate(swapped), spread(swapped)
            except (Unknown, ArithmeticError, ValueError):
                continue
            if any(abs(got - w) <= slack * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30 for w in wanted):
                lines = ", ".join(str(n) for n in sorted({*again.slips, *again.rounded}))
                found[(number.text, name)] = (f"arithmetic slip: {number.text} stands for {shown(name)}, which the "
                                              f"values written on line {lines} give as {show(again.value, 9).text}")
    return tuple(found.values()) if len(found) == 1 else ()


def _wanted(base: str, sample: str | None, truth: Truth, evaluator: Evaluator) -> list[Real]:
    """What the step should give: the truth, and what the values written before give by its rule."""
    assert evaluator.recomputer is not None
    wanted = [truth.value(base, sample)]
    try:
        found = evaluator.recomputer.value(base, evaluator.document, sample)
    except (ArithmeticError, ValueError, KeyError):
        found = None
    return wanted + ([found.value] if found is not None and found.slips else [])


def _inputs(base: str, sample: str | None, truth: Truth, evaluator: Evaluator) -> list[tuple[str, Real]]:
    """The step's inputs, each at its true value and at the value the person wrote for it, if any."""
    assert evaluator.recomputer is not None
    found = []
    for name in evaluator.recomputer.inputs(base):
        value = _value(truth, name, sample)
        if value is not None:
            found.append((name, value))
        written = evaluator.document.written.get((canonical(name), sample))
        if written is not None and written.value != value:
            found.append((name, written.value))
    return found


def swapped(node: Node, k: int, value: Real) -> Node:
    """`node` with its k-th number (in reading order) replaced by `value`."""
    return _swapped(node, k, value)[0]


def _swapped(node: Node, k: int, value: Real) -> tuple[Node, int]:
    """`node` with its k-th number (in reading order) replaced by `value`; and how many numbers remain to pass."""
    if isinstance(node, Num):
        if k != 0:
            return node, k - 1
        number = Num(show(abs(value), 40).text)
        return (Unary("-", number) if value < 0 else number), k - 1
    if isinstance(node, (Unary, Call)):
        arg, k = _swapped(node.arg, k, value)
        return (Unary(node.op, arg) if isinstance(node, Unary) else Call(node.function, arg)), k
    if isinstance(node, Binary):
        left, k = _swapped(node.left, k, value)
        right, k = _swapped(node.right, k, value)
        return Binary(node.op, left, right), k
    return node, k


# An activation and its derivative, as the claims' grammar names them, and as a person writes them.
SLOPES = {"sigmoid": "dsigmoid", "sigma": "dsigmoid", "tanh": "dtanh", "relu": "step", "act": "dact"}
UNSLOPED = {"dsigmoid": "sigmoid", "dtanh": "tanh", "step": "relu", "dact": "act"}
WRITTEN = {"sigmoid": "σ", "sigma": "σ", "dsigmoid": "σ'", "tanh": "tanh", "dtanh": "tanh'", "relu": "relu",
           "step": "relu'", "act": "f", "dact": "f'"}


def slope_swapped(link: Node, points: Sequence[PointTruth], right: Sequence[Real], own: OwnNames) -> tuple[str, ...]:
    """A formula right everywhere once one activation is put for its derivative or the other way round
    (`f'(z)(1 - f(z))` for `f(z)(1 - f(z))`): the one written in the other's place."""
    for k, function in enumerate(_activations(link)):
        other = SLOPES.get(function) or UNSLOPED[function]
        changed = _call_swapped(link, k, other)[0]
        try:
            values = [Evaluator(p, own, at_truth=False).evaluate(changed) for p in points]
        except (Unknown, ArithmeticError, ValueError):
            continue
        if all(_same(v, r) for v, r in zip(values, right, strict=True)):
            return (f"the activation's derivative confused with the activation: {WRITTEN[function]} is written "
                    f"where {WRITTEN[other]} belongs (with {WRITTEN[other]} the formula is right)",)
    return ()


def square_dropped(link: Node, points: Sequence[PointTruth], right: Sequence[Real], own: OwnNames) -> tuple[str, ...]:
    """A formula right everywhere once one of its differences is squared (`1/2 (y - t)` for `1/2 (y - t)^2`):
    the square left out."""
    for k in range(len(_differences(link))):
        changed = _squared(link, k)[0]
        try:
            values = [Evaluator(p, own, at_truth=False).evaluate(changed) for p in points]
        except (Unknown, ArithmeticError, ValueError):
            continue
        if all(_same(v, r) for v, r in zip(values, right, strict=True)):
            return ("the square left out: with one of its differences squared the formula is right",)
    return ()


def _differences(node: Node) -> list[Binary]:
    """The differences `a - b` in `node`, in reading order (outermost first)."""
    if isinstance(node, Binary):
        here = [node] if node.op == "-" else []
        return here + _differences(node.left) + _differences(node.right)
    if isinstance(node, (Unary, Call)):
        return _differences(node.arg)
    return []


def _squared(node: Node, k: int) -> tuple[Node, int]:
    """`node` with its k-th difference squared."""
    if isinstance(node, Binary):
        if node.op == "-" and k == 0:
            return Binary("^", node, Num("2")), -1
        k -= node.op == "-"
        left, k = _squared(node.left, k)
        right, k = _squared(node.right, k)
        return Binary(node.op, left, right), k
    if isinstance(node, Unary):
        arg, k = _squared(node.arg, k)
        return Unary(node.op, arg), k
    if isinstance(node, Call):
        arg, k = _squared(node.arg, k)
        return Call(node.function, arg), k
    return node, k


# sigma written for the network's activation, whichever it is (notes that name every activation sigma)
AS_ACTIVATION = {"sigmoid": "act", "sigma": "act", "dsigmoid": "dact"}


def as_the_activation(node: Node) -> Node:
    """`node` with each sigmoid (and its derivative) called as the network's activation f (and f')."""
    if isinstance(node, Call):
        return Call(AS_ACTIVATION.get(node.function, node.function), as_the_activation(node.arg))
    if isinstance(node, Unary):
        return Unary(node.op, as_the_activation(node.arg))
    if isinstance(node, Binary):
        return Binary(node.op, as_the_activation(node.left), as_the_activation(node.right))
    return node


def _activations(node: Node) -> list[str]:
    """The activations and their derivatives called in `node`, in reading order."""
    return [f for f in functions_in(node) if f in SLOPES or f in UNSLOPED]


def _call_swapped(node: Node, k: int, function: str) -> tuple[Node, int]:
    """`node` with its k-th activation (or derivative) call made a call of `function`."""
    if isinstance(node, Call):
        mine = node.function in SLOPES or node.function in UNSLOPED
        arg, rest = _call_swapped(node.arg, k - 1 if mine else k, function)
        if mine and k == 0:
            return Call(function, node.arg), -1
        return Call(node.function, arg), rest
    if isinstance(node, Unary):
        arg, k = _call_swapped(node.arg, k, function)
        return Unary(node.op, arg), k
    if isinstance(node, Binary):
        left, k = _call_swapped(node.left, k, function)
        right, k = _call_swapped(node.right, k, function)
        return Binary(node.op, left, right), k
    return node, k


def _value(truth: Truth, name: str, sample: str | None) -> Real | None:
    try:
        return truth.value(name, sample)
    except Unknown:
        return None


def _same(a: Real, b: Real) -> bool:
    return abs(a - b) <= CTX.mpf(10) ** -30 * max(abs(b), CTX.one)


def sign_turned(link: Node, points: Sequence[PointTruth], right: Sequence[Real], own: OwnNames) -> tuple[str, ...]:
    """A formula right everywhere once the sign of one of its parts is turned (`1 / (1 + e^{net})` for
    `1 / (1 + e^{-net})`): a sign lost or added there. The smallest such part is named."""
    found: list[tuple[int, int, Node]] = []
    for k, part in enumerate(_parts(link)):
        changed = _negated(link, k)[0]
        try:
            values = [Evaluator(p, own, at_truth=False).evaluate(changed) for p in points]
        except (Unknown, ArithmeticError, ValueError):
            continue
        if all(_same(v, r) for v, r in zip(values, right, strict=True)):
            found.append((_size(part), k, part))
    if not found:
        return ()
    part = min(found, key=lambda f: f[:2])[2]
    return (f"sign: the sign of {_described(part)} is turned (with it turned back the formula is right)",)


def _parts(node: Node) -> list[Node]:
    """Every part of `node` but numbers, in reading order (outermost first)."""
    here: list[Node] = [] if isinstance(node, Num) else [node]
    if isinstance(node, (Unary, Call)):
        return here + _parts(node.arg)
    if isinstance(node, Binary):
        return here + _parts(node.left) + _parts(node.right)
    return here


def _negated(node: Node, k: int) -> tuple[Node, int]:
    """`node` with the sign of its k-th part (in the order of `_parts`) turned; and how many parts remain."""
    if not isinstance(node, Num):
        if k == 0:
            return (node.arg if isinstance(node, Unary) and node.op == "-" else Unary("-", node)), -1
        k -= 1
    if isinstance(node, (Unary, Call)):
        arg, k = _negated(node.arg, k)
        return (Unary(node.op, arg) if isinstance(node, Unary) else Call(node.function, arg)), k
    if isinstance(node, Binary):
        left, k = _negated(node.left, k)
        right, k = _negated(node.right, k)
        return Binary(node.op, left, right), k
    return node, k


def _size(node: Node) -> int:
    if isinstance(node, (Unary, Call)):
        return 1 + _size(node.arg)
    if isinstance(node, Binary):
        return 1 + _size(node.left) + _size(node.right)
    return 1


def _described(node: Node) -> str:
    """A part of a formula as a person reads it."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return shown(node.name)
    if isinstance(node, Unary):
        return f"{node.op}{_described(node.arg)}"
    if isinstance(node, Call):
        return f"{node.function}({_described(node.arg)})"
    return f"({_described(node.left)} {node.op} {_described(node.right)})"
