"""Questions: what a sheet asks, its true value, and the value each catalogued mistake gives it.

A question is a claim's left side (`dE_total/dw5`, `w1@1`), read by the checker's own grammar, so a
hand-in answers it in any form `derive check` reads. A mistake *affects* a question when its value
differs from the truth by more than 10^-(digits + 2) of it; a question *tells its mistakes apart* when
the truth and the affecting mistakes' values, rounded to the digits asked, are pairwise distinct, and
none is the truncation of another either, as the checker accepts truncated numbers (mistakes that give
the same value to that precision are one group: no number can tell them apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from functools import cache

from derive.check import latex
from derive.check.claims import Name, parse
from derive.check.mistakes import Mistake, Outcome, catalogue, outcome, replay, value_after, variant_value
from derive.check.truth import Truth, Unknown
from derive.maths.derivation import Derivation
from derive.maths.numeric import trainer_for
from derive.model import identifiers
from derive.model.network import Network
from derive.model.precision import CTX, Real, exact_decimal

# The largest update count a question may ask about (`E_total@50`): each mistake is replayed that far.
MAX_ASKED_STEPS = 100
MAX_DIGITS = 12  # a value after updates is never asked to more digits than this


class AskError(ValueError):
    """A question the network cannot answer: `index` is its place in `ask`."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class Question:
    claim: str  # as asked and as a hand-in writes it: dE_total/dw5
    name: str  # the checker's name of the quantity: d:E_total/w5
    truth: Real
    mistakes: tuple[tuple[str, Real], ...]  # (mistake, its value) for each mistake that affects it, catalogue order
    digits: int  # significant digits asked of this question (more for a value after updates: see asked_digits)


def default_ask(network: Network) -> tuple[str, ...]:
    """The first output's out, E_total, the gradient of the first weight of the output layer and of the
    first layer, that weight after one update, and E_total after it."""
    first = network.params[0].name
    last = max(p.layer for p in network.params if p.kind == "weight")  # the output layer's
    last_layer = [p.name for p in network.params if p.kind == "weight" and p.layer == last]
    asked = [identifiers.out(network.outputs[0].neuron.name), identifiers.E_TOTAL, f"dE_total/d{last_layer[0]}"]
    if len(network.layers) > 1:
        asked.append(f"dE_total/d{first}")
    return (*asked, f"{first}@1", f"{identifiers.E_TOTAL}@1")


def resolve(asked: tuple[str, ...], d: Derivation) -> tuple[tuple[str, str], ...]:
    """(claim, checker's name) of each question; AskError for one the checker cannot read or answer."""
    names = latex.glyph_names(d.network, "classic")
    truth = Truth(d)
    found = []
    for index, claim in enumerate(asked):
        claims, refused = parse(f"{claim} = 0", names)
        if refused or len(claims) != 1 or not isinstance(claims[0].target, Name) or claims[0].links[1:]:
            raise AskError(index, f"{claim!r} is not a quantity a claim names (out_o1, dE_total/dw5, w1@1)")
        name = claims[0].target.name
        _, at, step = name.partition("@")
        if at and not (step.isascii() and step.isdigit()):
            raise AskError(index, f"{claim!r}: a value after updates is asked without a sample "
                           f"(`{claim.partition('[')[0]}`: the sheets ask about one sample's update)")
        if at and not 1 <= int(step) <= MAX_ASKED_STEPS:
            raise AskError(index, f"{claim!r}: expected a value after 1 to {MAX_ASKED_STEPS} updates")
        try:
            truth.value(name)
        except Unknown as exc:
            raise AskError(index, f"{claim!r}: {exc}") from None
        found.append((claim, name))
    return tuple(found)


def steps_asked(resolved: tuple[tuple[str, str], ...]) -> tuple[int, ...]:
    """The update counts the questions name, for the variants' training (at least one update)."""
    counts = {int(name.partition("@")[2]) for _, name in resolved if "@" in name}
    return tuple(sorted(counts | {1}))


def questions(d: Derivation, resolved: tuple[tuple[str, str], ...], digits: int) -> tuple[Question, ...]:
    """Every question's truth and the values of the mistakes that affect it."""
    network = d.network
    truth = Truth(d)
    outcomes = [(m, outcome(network, m)) for m in catalogue(network)]
    initial = trainer_for(network).initial()
    found = []
    for claim, name in resolved:
        value = truth.value(name)
        wanted = asked_digits(truth, name, value, digits)
        wrong = []
        for mistake, result in outcomes:
            other = _mistake_value(network, mistake, result, name, initial)
            if other is not None and CTX.isfinite(other) and _differs(other, value, wanted):
                wrong.append((mistake.name, other))
        found.append(Question(claim, name, value, tuple(wrong), wanted))
    return tuple(found)


def asked_digits(truth: Truth, name: str, value: Real, digits: int) -> int:
    """`digits`, and for a value after updates (`w1@1`, `E_total@1`) as many more as it takes for its
    change since the start to show in `digits` of them: w1 = 0.5 moved by 0.001 is asked as 0.499xyz
    (otherwise 0.499 is written whatever the gradient was, and no mistake in it could be seen)."""
    base, at, _ = name.partition("@")
    if not at:
        return digits
    try:
        before = truth.value(base)
    except Unknown:
        return digits
    change = abs(value - before)
    if change == 0 or value == 0:
        return digits
    extra = int(CTX.ceil(CTX.log10(abs(value) / change)))
    return min(MAX_DIGITS, digits + max(0, extra))


def _mistake_value(network: Network, mistake: Mistake, result: Outcome, name: str, initial: list[Real]) -> Real | None:
    """The mistake's value of the quantity: its first update, or (`E_total@5`) replayed to that count."""
    value = variant_value(network, result, name)
    base, at, step = name.partition("@")
    if value is None and at and int(step) > 1:
        params = replay(network, mistake, initial, 0, int(step))
        value = value_after(network, params, base) if params is not None else None
    return value


@cache
def _closeness(digits: int) -> Real:
    """10^-(digits + 2): two values nearer than this, relatively, are one value for a question."""
    return CTX.mpf(10) ** -(digits + 2)


FLOOR = CTX.mpf(10) ** -30  # the size below which a truth counts as 0 when comparing relatively


def _differs(a: Real, b: Real, digits: int) -> bool:
    return abs(a - b) > _closeness(digits) * max(abs(b), FLOOR)


def groups(q: Question) -> tuple[tuple[str, ...], ...]:
    """The affecting mistakes, grouped where they give the same value to within 10^-(digits + 2)."""
    digits = q.digits
    found: list[tuple[Real, list[str]]] = []
    for name, value in q.mistakes:
        for first, members in found:
            if not _differs(value, first, digits):
                members.append(name)
                break
        else:
            found.append((value, [name]))
    return tuple(tuple(members) for _, members in found)


def confusion(q: Question) -> str | None:
    """Why the question does not tell its mistakes apart at its digits, else None.

    The checker takes a number as right when the truth rounded *or truncated* to the digits written
    gives it, and explains a wrong one by the mistakes whose values do: so each value's rounding must
    be neither the rounding nor the truncation of any other."""
    values = dict(q.mistakes)
    entries = [("the truth", q.truth)] + [(group[0], values[group[0]]) for group in groups(q)]
    # each entry's rounding, and what the checker would accept for it: its rounding or its truncation
    readings = [(name, value, _at(value, q.digits, ROUND_HALF_EVEN), _at(value, q.digits, ROUND_DOWN))
                for name, value in entries]
    for name, value, written, _ in readings:
        for other, _, rounded, truncated in readings:
            if other != name and written in (rounded, truncated):
                return f"{q.claim}: {name} gives {shown_at(value, q.digits)}, which {other} gives too"
    return None


def _at(x: Real, digits: int, rounding: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, rounding
        return +exact_decimal(x)


def shown_at(x: Real, digits: int) -> str:
    """`x` rounded once to `digits` significant digits, each of them written (0.061000 at 5 digits): the
    checker judges a number to the digits it is written with, so trailing zeros are kept."""
    if x == 0:
        return "0"
    value = _at(x, digits, ROUND_HALF_EVEN)
    if value.adjusted() >= digits:  # 123000 would read as six digits
        return f"{value:e}".replace("e+", "e")
    return f"{value:f}"


def tolerance(x: Real, digits: int) -> Decimal:
    """Half a unit of the last of `digits` significant digits of `x` (rounded): what rounding allows."""
    if x == 0:
        return Decimal(5).scaleb(-digits - 1)
    return Decimal(5).scaleb(_at(x, digits, ROUND_HALF_EVEN).adjusted() - digits)


def meanings(network: Network) -> dict[str, str]:
    """Each catalogued mistake's explanation, by name: the feedback a wrong answer gets."""
    return {m.name: m.meaning for m in catalogue(network)}
