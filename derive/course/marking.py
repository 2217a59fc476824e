"""A hand-in's marks: each question judged from the last claim about it, in the order the sheet asks.

In turn, an answer is
1. right: the truth rounded or truncated to the digits written, at least the digits asked, or more
   digits than asked that round to the truth rounded to the digits asked (as the quiz's tolerance takes it);
2. right from the student's own earlier answers: within the interval their written digits allow of the
   value recomputed from them (`derive.course.carried`), the answers carried being those that were right
   and those that were attempts at their own quantity (see `attempt`); mistakes of method are never
   carried, and a carried value that makes the question trivial (0, or an update that changes nothing)
   earns nothing;
3. wrong because of a catalogued mistake, named only when the mistake's value, to every digit written,
   is the answer and none of the above explains it; else "wrong" without a cause; a chain's right links
   earn their share.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache

from derive.check.digits import agrees_to_written_digits, significant
from derive.check.judging import Verdict
from derive.course import carried
from derive.course.answers import number
from derive.course.keyfile import Question
from derive.maths.derivation import Derivation
from derive.model.precision import CTX, Real, real, show

# the checker's names for a number copied wrong (derive.check.mistakes.typo): slips, not mistakes of method
COPYING_SLIPS = ("one digit wrong", "two digits swapped")
WRITTEN_DIGITS = 20  # a computed answer's value is taken to this many digits
ATTEMPT = CTX.mpf("0.5")  # an attempt at a quantity lies within this share of its truth (or is a copying slip)
TRIVIAL = CTX.mpf("0.001")  # a carried value this small beside the truth's (or its change) makes a question trivial
SQUASHED = {"sigmoid": (CTX.zero, CTX.one), "tanh": (-CTX.one, CTX.one)}


@dataclass(frozen=True)
class Entry:
    """One claim of a hand-in: the quantity it is about, the verdicts of its links in order, and how and
    where it was read when not as written in the maths (`read "0,777" as 0.777`, `line 7`)."""

    target: str
    verdicts: tuple[Verdict, ...]
    how: str = ""
    where: str = ""


@dataclass(frozen=True)
class Mark:
    claim: str
    credit: Fraction
    verdict: str
    mistakes: tuple[str, ...]
    carried_forward: bool
    answer: str | None  # the student's value, as the sheet shows it
    read: str = ""  # how the answer was read, when not as written in the maths
    where: str = ""  # where the answer was read, when known


@dataclass(frozen=True)
class _Answer:
    entry: Entry
    last: Verdict
    value: Real
    text: str | None  # the number as written, None for a formula or a computed link


def written(verdict: Verdict) -> str | None:
    """The number a link was written as (`0.878530`, `1.5e-3`), None when the last link is no number."""
    tail = verdict.text.rpartition("=")[2] if verdict.text else ""
    found = number(tail.replace("\\,", "").replace("{,}", ""))
    return found[0] if found else None


def unit(x: Real, digits: int) -> Real:
    """One unit of the `digits`-th significant digit of `x` (of 1 when `x` is 0)."""
    exponent = int(CTX.floor(CTX.log10(abs(x)))) if x else 0
    return CTX.mpf(10) ** (exponent - digits + 1)


def _text_unit(text: str | None, value: Real) -> Real:
    """One unit of the last digit written (a computed value: of its 20th digit)."""
    if not text:
        return unit(value, WRITTEN_DIGITS)
    written = Decimal(text)
    if not written:
        return unit(value, significant(text))
    return CTX.mpf(10) ** (written.adjusted() - significant(text) + 1)


def close(value: Real, to: Real, digits: int) -> bool:
    """`value` within one unit of the `digits`-th significant digit of `to` (rounded or truncated there)."""
    if to == 0:
        return abs(value) <= CTX.mpf(10) ** -digits
    return abs(value - to) <= unit(to, digits)


def marks(d: Derivation, questions: Sequence[Question], entries: Sequence[Entry]) -> tuple[Mark, ...]:
    """One mark per question, each judged from the last claim about it (the answer the student kept)."""
    own: dict[str, tuple[Real, Real]] = {}  # earlier answers carried: value, one unit of its last digit
    slips: dict[str, str] = {}  # the checker's name -> the claim, of the earlier answers that were slips
    found = []
    for q in questions:
        entry = next((e for e in reversed(entries) if e.target == q.name), None)
        answer = _answer(entry)
        mark = _mark(d, q, answer, own, slips)
        found.append(mark)
        if answer is None:
            continue
        carry = mark.credit == 1 or (is_slip(mark) and attempt(d, q.name, answer.value, answer.last, mark))
        if carry:
            own[q.name] = (answer.value, _text_unit(answer.text, answer.value))
        if is_slip(mark) and carry:
            slips[q.name] = q.claim
    return tuple(found)


def _answer(entry: Entry | None) -> _Answer | None:
    if entry is None:
        return None
    last = entry.verdicts[-1]
    if last.claimed is None:
        return _Answer(entry, last, CTX.zero, None)
    return _Answer(entry, last, last.claimed, written(last))


def _mark(d: Derivation, q: Question, answer: _Answer | None, own: Mapping[str, tuple[Real, Real]],
          slips: Mapping[str, str]) -> Mark:
    if answer is None:
        return Mark(q.claim, Fraction(0), "not answered", (), False, None)
    last, where = answer.last, {"read": answer.entry.how, "where": answer.entry.where}
    shown = None if last.claimed is None else show(last.claimed, max(q.digits, 6)).text
    if (last.status == "cannot check" and not _too_few_digits(last, answer.text, q.digits)) or \
            last.truth is None or last.claimed is None:
        return Mark(q.claim, Fraction(0), f"cannot check: {last.reason}", (), False, shown, **where)
    if right(answer.last, answer.text, q.digits):
        return Mark(q.claim, Fraction(1), "right", (), False, shown, **where)
    truth = show(last.truth, q.digits).text
    forward = _carried(d, q, answer, own, slips, truth)
    if forward is not None:
        return Mark(q.claim, Fraction(1), forward, (), True, shown, **where)
    named = _named(q, answer)
    # "right to the digits written" only where the truth itself agrees with them: a number the checker finds
    # right because it follows from the student's own rounded values is no such claim
    plain = answer.text is None or agrees_to_written_digits(last.truth, answer.text)
    if last.status == "correct" and plain and not named:
        why = f"right to the digits written, but not the truth rounded to the {q.digits} significant digits asked"
        return Mark(q.claim, _links(answer.entry.verdicts), f"{why} ({truth})", (), False, shown, **where)
    because = f": {'; '.join(named)}" if named else ""
    return Mark(q.claim, _links(answer.entry.verdicts), f"wrong (truth {truth}){because}", named, False, shown, **where)


def _too_few_digits(last: Verdict, text: str | None, digits: int) -> bool:
    """An answer with its value known but written to fewer digits than asked (-0.6 where three are asked): the
    digits asked decide it, not whether the checker can tell its rounding (-0.6 is also w1 before the update)."""
    return last.truth is not None and last.claimed is not None and text is not None and significant(text) < digits


def right(last: Verdict, text: str | None, digits: int) -> bool:
    """The truth rounded or truncated to the digits written, at least those asked; or more digits than
    asked that round to the truth rounded to the digits asked (a printed float's last digits). A formula
    is right when the checker finds it right and it agrees to the digits asked; one that is the truth at
    the spec's values and wrong elsewhere stays wrong."""
    assert last.claimed is not None and last.truth is not None
    if text is None:
        if last.status != "correct":
            return False
        return significant(show(last.claimed, WRITTEN_DIGITS).text) > digits or \
            show(last.claimed, digits).text == show(last.truth, digits).text
    if significant(text) >= digits and agrees_to_written_digits(last.truth, text):
        return True
    return significant(text) > digits and show(last.claimed, digits).text == show(last.truth, digits).text


def _carried(d: Derivation, q: Question, answer: _Answer, own: Mapping[str, tuple[Real, Real]],
             slips: Mapping[str, str], truth: str) -> str | None:
    """The verdict of an answer that the student's own earlier answers give, within their digits; else None."""
    if not own or answer.text is None or significant(answer.text) < q.digits:
        return None
    step = _text_unit(answer.text, answer.value)
    found = _interval(d, q.name, own, answer.value, step / 2)
    if found is None:
        return None
    centre, spread, used = found
    if not written_from(answer.value, step, centre - spread, centre + spread) or _trivial(d, q, centre, answer):
        return None
    claims = {name: claim for name, claim in slips.items() if name in used}
    if claims:
        return f"right from your own earlier {', '.join(claims.values())} (error carried forward; truth {truth})"
    return f"right from your own rounded earlier answers (rounding carried forward; truth {truth})"


# The intervals a worker has worked out, by derivation, question and the student's numbers: a class hands
# in the same rounded answers again and again (every right answer is written alike).
_INTERVALS: dict[tuple[int, str, tuple[tuple[str, tuple[Real, Real]], ...], bool], object] = {}
MAX_INTERVALS = 20_000


def _interval(d: Derivation, name: str, own: Mapping[str, tuple[Real, Real]], answer: Real,
              slack: Real) -> tuple[Real, Real, tuple[str, ...]] | None:
    key = (id(d), name, tuple(sorted(carried.relevant(d, name, own).items())))
    if not key[2]:  # no answer of the student's bears on this question: the truth alone, judged already
        return None
    whole = (*key, True)
    if whole in _INTERVALS:
        return _INTERVALS[whole]  # type: ignore[return-value]
    found = carried.interval(d, name, own, answer, slack)
    if found is not None and found[1] == 0 and abs(answer - found[0]) <= slack:
        return found  # the value itself: the spread was not needed, and is not kept
    if len(_INTERVALS) >= MAX_INTERVALS:
        _INTERVALS.clear()
    _INTERVALS[whole] = found
    return found


def written_from(x: Real, step: Real, low: Real, high: Real) -> bool:
    """Whether `x`, written with a last digit worth `step`, is the rounding or the truncation (toward 0)
    of some value from `low` to `high`."""
    if low - step / 2 <= x <= high + step / 2:
        return True
    return (x <= high and x + step > low) if x >= 0 else (x - step < high and x >= low)


def _trivial(d: Derivation, q: Question, centre: Real, answer: _Answer) -> bool:
    """A carried value that makes the question trivial (0, or an update that changes nothing) where the
    truth is not: credit for it could be had by writing a convenient earlier answer."""
    truth = answer.last.truth
    assert truth is not None
    base, at, _ = q.name.partition("@")
    before = next((real(p.initial) for p in d.network.params if p.name == base), None) if at else None
    if before is not None:
        return abs(centre - before) < TRIVIAL * abs(truth - before)
    return abs(centre) < TRIVIAL * abs(truth)


def attempt(d: Derivation, name: str, value: Real, last: Verdict, mark: Mark) -> bool:
    """A wrong earlier answer that is an attempt at its own quantity: a copying slip, or a number of the
    truth's sign within half of it (an out of a sigmoid strictly between 0 and 1, of tanh between -1 and
    1): `out_h1 = 1`, written to carry an easy number forward, is none."""
    truth = last.truth
    if truth is None:
        return False
    if any(m in COPYING_SLIPS for m in mark.mistakes):
        return True
    if abs(value - truth) > ATTEMPT * abs(truth):
        return False
    squashed = next((SQUASHED.get(n.activation.name) for n in d.network.neurons if n.out.name == name), None)
    return squashed is None or squashed[0] < value < squashed[1]


def is_slip(mark: Mark) -> bool:
    """A wrong answer no catalogued mistake of the method explains (a slip of arithmetic or copying):
    what follows from it may earn its credit. A mistake of method is repeated, and loses each time."""
    return mark.answer is not None and mark.credit < 1 and not mark.carried_forward \
        and all(m in COPYING_SLIPS for m in mark.mistakes)


def _named(q: Question, answer: _Answer) -> tuple[str, ...]:
    """The key's mistakes whose value is the answer to every digit written (rounded or truncated), and
    the checker's copying slips; a formula's, the key's mistakes within the digits asked."""
    text = answer.text or show(answer.value, WRITTEN_DIGITS).text
    x = Decimal(text)
    found = [name for name, value, kept in _mistakes(q) if _is(x, text, value, kept, q.digits)]
    slips = tuple(dict.fromkeys(e.split(":", 1)[0] for e in answer.last.explanations))
    return tuple(found) + tuple(s for s in slips if s in COPYING_SLIPS and s not in found)


@lru_cache(maxsize=4096)
def _mistakes(q: Question) -> tuple[tuple[str, Decimal, int], ...]:
    """The key's mistakes of a question: name, value, and the digits the key prints it with."""
    return tuple((name, Decimal(printed), len(Decimal(printed).as_tuple().digits)) for name, printed in q.mistakes)


def _is(x: Decimal, text: str, value: Decimal, kept: int, digits: int) -> bool:
    """Whether `x` (written as `text`) is the mistake's `value` (printed with `kept` digits): to the
    digits asked when written with no more, else to every digit written (rounded or truncated)."""
    written = significant(text)
    if value == 0:  # a mistake that gives 0 (a path left out of a one-output network) is 0 as written, no less
        return x == 0
    if written <= digits:
        return abs(x - value) <= _unit(value, digits) / 2 + _unit(value, kept) / 2
    if written >= kept:
        return abs(x - value) <= _unit(value, kept) / 2
    return any(_at(value, written, rounding) == x for rounding in (ROUND_HALF_EVEN, ROUND_DOWN))


def _unit(x: Decimal, digits: int) -> Decimal:
    return Decimal(1).scaleb(x.adjusted() - digits + 1)


def _at(x: Decimal, digits: int, rounding: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, rounding
        return +x


def _links(verdicts: Sequence[Verdict]) -> Fraction:
    """Partial credit for a chain whose answer (its last link) is not right: the share of its judged
    links that are right, the answer counted as wrong."""
    before = [v for v in verdicts[:-1] if v.status in ("correct", "wrong")]
    return Fraction(sum(v.status == "correct" for v in before), len(before) + 1)
