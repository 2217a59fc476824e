"""A wrong value named by what it is: another quantity's value (a weight's gradient where the weight with its
indices swapped belongs, a net where its out belongs, the delta where dE/dout belongs, another quantity's
number copied in its place), the right value with its sign flipped, or a chain of derivatives one of whose
factors is zero because the quantity it differentiates does not depend on the variable.

A name is given only where it explains the number: the other quantity's value agrees with the number to
the digits written, or, for a formula, equals it at the spec's values and at random points. A zero value
names nothing (too many quantities are zero), nor does a number of too few significant digits to tell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from derive.check.claims import Name, Node, names_in
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.truth import PointTruth, Truth, Unknown, split_sample
from derive.model.network import Network
from derive.model.precision import CTX, Real, show

SIGN = "sign: the number is the right value with its sign flipped ({right})"
# How the causes a number is exactly (here and in derive.check.rewrites) begin: said alone, without the
# arithmetic slip from the link before, which such a number is not.
EXACT = ("decimal point", "sign:", "activation left out", "activation applied too soon",
         "the activation's slope multiplied in", "missing activation slope", "weights transposed: this is",
         "another quantity's value", "wrong input", "learning rate:")
# Among some fifty quantities a wrong number of three digits agrees with one by chance one time in twenty: a
# number is read as another quantity's value from four significant digits on (the sign, one candidate, from three).
OTHER_DIGITS = 4


def shown(name: str) -> str:
    """A quantity as a person reads it: dE_total/dw9, w7 after the update, out_o1."""
    base, at, step = name.partition("@")
    if base.startswith("d:"):
        base = "d" + base[2:].replace("/", "/d")
    if at:
        return f"{base} after {'the update' if step == '1' else step + ' updates'}"
    return base


def candidates(network: Network) -> tuple[str, ...]:
    """The quantities a wrong value may be another one of: every net, out and error, the total error, and
    the derivatives of the total error by each parameter, net and out (the deltas), in the network's order."""
    found: list[str] = []
    for n in network.neurons:
        found += [n.net.name, n.out.name]
    found += [o.error.name for o in network.outputs] + [network.e_total.name]
    found += [f"d:E_total/{p.name}" for p in network.params]
    for n in network.neurons:
        found += [f"d:E_total/{n.net.name}", f"d:E_total/{n.out.name}"]
    return tuple(dict.fromkeys(found))


def in_number(truth: Truth, target: str, text: str) -> tuple[str, ...]:
    """The number written (`text`, wrong for `target`) named: the right value with its sign flipped, or the
    value of other quantities (after the update, too) to the digits written."""
    if significant(text) < 3:
        return ()
    return _other(truth, target, lambda v: agrees_to_written_digits(v, text), significant(text) >= OTHER_DIGITS)


def sign_flipped(text: str | None, right: Real, before: Real | None = None) -> tuple[str, ...]:
    """A number written (`text`) that is the right value, or the link before it (`before`), with its sign
    flipped, to the digits written."""
    if text is None or significant(text) < 2:
        return ()
    if right and agrees_to_written_digits(-right, text):
        return (SIGN.format(right=show(right, 9).text),)
    if before and agrees_to_written_digits(-before, text) and not agrees_to_written_digits(before, text):
        return (f"sign: the number is the link before it ({show(before, 9).text}) with its sign flipped",)
    return ()


def in_value(truth: Truth, target: str, value: Real, spread: Real) -> tuple[str, ...]:
    """A computation in numbers (its value, its numbers' rounding `spread`) wrong for `target` named as a
    number is, where its numbers are written to enough digits to tell (`spread` under 10^-4 of the value)."""
    if not value or spread > abs(value) * CTX.mpf(10) ** -4:
        return ()
    return _other(truth, target, lambda v: abs(v - value) <= spread * (1 + CTX.mpf(10) ** -9) + _eps(v), True)


def _other(truth: Truth, target: str, agrees: Callable[[Real], bool], others: bool) -> tuple[str, ...]:
    """The right value with its sign flipped, or (where `others`) other quantities' values, that `agrees`."""
    base, sample = split_sample(target)
    right = _value(truth, base, sample)
    if truth.network.graph is not None or right is None:
        return ()
    if right and agrees(-right):
        return (SIGN.format(right=show(right, 9).text),)
    names = [*candidates(truth.network), *(f"{p.name}@1" for p in truth.network.params)] if others else []
    matches = []
    for name in names:
        value = _value(truth, name, sample)
        if name != base and value and value != right and agrees(value):
            matches.append((name, value))
    return (_named(truth.network, base, matches),) if matches else ()


def in_formula(truth: Truth, target: str, at_spec: Real, written: Sequence[Real],
               points: Sequence[PointTruth]) -> tuple[str, ...]:
    """A wrong formula for `target` (its value `at_spec`, and `written` at the random `points`) that is
    another quantity's formula: equal to it at the spec's values and at every point."""
    base, sample = split_sample(target)
    if truth.network.graph is not None or "@" in base:
        return ()
    matches = []
    for name in candidates(truth.network):
        value = _value(truth, name, sample)
        if name == base or not value or not _same(at_spec, value):
            continue
        try:
            if all(_same(w, p.value(name)) for w, p in zip(written, points, strict=True)):
                matches.append((name, value))
        except (Unknown, ArithmeticError, ValueError):
            continue
    return (_named(truth.network, base, matches),) if matches else ()


def zero_factor(truth: Truth, link: Node, at_spec: Real) -> tuple[str, ...]:
    """A chain of derivatives that is zero because one factor differentiates a quantity by a variable that
    does not feed it (`dout_h1/dw5`: w5 lies past h1): the chain runs through the wrong quantity."""
    if at_spec != 0:
        return ()
    for name in names_in(link):
        top, _, bottom = name[2:].partition("/") if name.startswith("d:") else ("", "", "")
        if top and truth.independent(f"{top}/{bottom}"):
            return (f"a factor of the chain is zero: {bottom} does not feed {top}, so {shown(name)} is 0; the chain "
                    f"runs through a quantity {bottom} does not change",)
    return ()


def lone_name(truth: Truth, target: str, link: Node, at_spec: Real | None) -> tuple[str, ...]:
    """A formula that is the name of another quantity of the network alone (`dE_o2/dout_h1 = w_5`): that
    quantity written where the target belongs (its value is wrong, or this would not be asked)."""
    if not isinstance(link, Name) or link.name == split_sample(target)[0] or at_spec is None:
        return ()
    try:
        truth.value(link.name)
    except Unknown:
        return ()  # a person's own name, or one the network does not have
    return (f"another quantity's value: this is {shown(link.name)} ({show(at_spec, 9).text}), not {shown(target)}",)


def decimal_point(text: str | None, before: list[Real], right: Real | None) -> tuple[str, ...]:
    """A number written (`text`) that is the link before's value, else the right value, with its decimal point
    moved one to three places, to the digits written (-0.0819 for -0.0081859). Two digits are too few: about one
    wrong two-digit number in fifty would agree with a shifted value by chance."""
    if text is None or significant(text) < 3:
        return ()
    if (left_out := point_left_out(text, [*before, *([right] if right is not None else [])])):
        return left_out
    for value in [*before, *([right] if right is not None else [])]:
        for places in (1, -1, 2, -2, 3, -3):
            if value and agrees_to_written_digits(value * CTX.mpf(10) ** places, text):
                return (f"decimal point slipped: {text} is {show(value, 9).text} with its decimal point moved "
                        f"{abs(places)} place{'s' * (abs(places) > 1)} to the {'right' if places > 0 else 'left'}",)
    return ()


def point_left_out(text: str, values: list[Real]) -> tuple[str, ...]:
    """A whole number written with a leading zero (074136507) that is one of `values` once its decimal point is
    put back (0.74136507): a point left out in writing it, not a slip in working. Without the leading zero
    (74136507) nothing tells a point left out from a number that large."""
    digits = text.lstrip("-")
    if not digits.isdigit() or not digits.startswith("0") or significant(digits) < 3:
        return ()
    sign = text[:len(text) - len(digits)]
    for i in range(1, len(digits)):
        pointed = f"{sign}{digits[:i]}.{digits[i:]}"
        if any(value and agrees_to_written_digits(value, pointed) for value in values):
            return (f"decimal point left out: {text} is {pointed} written without its decimal point",)
    return ()


def _named(network: Network, target: str, matches: list[tuple[str, Real]]) -> str:
    """The cause for a value that is the other quantities' `matches`: a transposed weight, an activation left
    out or put in where it does not belong, else another quantity's value."""
    names = [name for name, _ in matches]
    value = show(matches[0][1], 9).text
    if len(names) == 1:
        swapped = _transposed(network, target, names[0])
        if swapped is not None:
            return swapped
        for n in network.neurons:
            found = _across_activation(n.name, n.net.name, n.out.name, target, names[0], value)
            if found is not None:
                return found
    others = shown(names[0]) + (f" (equally {', '.join(shown(n) for n in names[1:])})" if names[1:] else "")
    return f"another quantity's value: this is {others} ({value}), not {shown(target)}"


def _across_activation(neuron: str, net: str, out: str, target: str, other: str, value: str) -> str | None:
    """A neuron's value (or derivative) on the wrong side of its activation."""
    pairs = {
        (out, net): f"activation left out: this is {net} ({value}), the value before {neuron}'s activation",
        (net, out): f"activation applied too soon: this is {out} ({value}), the value after {neuron}'s activation",
        (f"d:E_total/{out}", f"d:E_total/{net}"): (
            f"the activation's slope multiplied in: this is {shown(f'd:E_total/{net}')} ({value}), which is "
            f"{shown(f'd:E_total/{out}')} times d{out}/d{net}"),
        (f"d:E_total/{net}", f"d:E_total/{out}"): (
            f"missing activation slope: this is {shown(f'd:E_total/{out}')} ({value}); the factor d{out}/d{net} "
            "was left out"),
    }
    found = pairs.get((target, other))
    return None if found is None else f"{found}, not {shown(target)}"


def _transposed(network: Network, target: str, other: str) -> str | None:
    """Two weights' gradients in one layer with source and neuron swapped (w_kh for w_hk): W for W^T."""
    places = {}
    for n in network.neurons:
        for i, link in enumerate(n.links):
            places[f"d:E_total/{link.weight.name}"] = (n.layer, n.position, i, link.source_name, n.name)
    a, b = places.get(target), places.get(other)
    if a is None or b is None or a[0] != b[0] or (a[1], a[2]) != (b[2], b[1]) or a[1] == a[2]:
        return None
    return (f"weights transposed: this is {shown(other)}, the gradient of the weight from {b[3]} to {b[4]}, where "
            f"the one from {a[3]} to {a[4]} belongs (its indices swapped: W read for W^T)")


def _value(truth: Truth, name: str, sample: str | None) -> Real | None:
    try:
        return truth.value(name, sample)
    except Unknown:
        return None


def _eps(b: Real) -> Real:
    return CTX.mpf(10) ** -30 * max(abs(b), CTX.one)


def _same(a: Real, b: Real) -> bool:
    return abs(a - b) <= _eps(b)



def identity_cause(pairs: Sequence[tuple[Real, Real]]) -> tuple[str, ...]:
    """A definition wrong at every value tried (each pair: the function's value, the side written) named where
    the side is one simple change of the function there: its sign turned, or its reciprocal (`1 + e^{-x}` for
    the sigmoid, a fraction written upside down or its bar lost)."""
    if not pairs or any(not want or not got for want, got in pairs):
        return ()
    if all(_same(got, -want) for want, got in pairs):
        return ("sign: the side is the function with its sign turned, at every value tried",)
    if all(_same(got * want, CTX.one) for want, got in pairs):
        return ("the reciprocal: the side is one over the function at every value tried (a fraction written upside "
                "down, or its bar lost)",)
    return ()
