"""Why a link is wrong, along the document: a number that follows from a wrong number before it (in its
chain, or on an earlier line) is no new error but that slip carried forward; a number computed from values
that were only rounded is right; the first wrong step is named by its cause (a catalogued mistake of
method, an arithmetic slip between two links, a slip in copying a number)."""

from __future__ import annotations

import itertools
from dataclasses import replace

from derive.check import confusions, copies, rewrites
from derive.check.carried import Recomputed, Recomputer, Slip, canonical
from derive.check.claims import Binary, Call, Claim, Name, Node, Num, Unary, names_in, numbers_in
from derive.check.digits import agrees_to_written_digits, half_unit, significant
from derive.check.truth import Truth, Unknown
from derive.check.unnamed import worked_unnamed
from derive.check.values import Evaluator, OwnNames, Spread, symbolic
from derive.check.verdicts import Verdict, follows, found_by_rounding, literal
from derive.model.precision import CTX, Real, real, show

CARRIED = "carried"
SLIPPED = ("wrong", CARRIED)
ARITHMETIC = "arithmetic slip: this number does not follow from the link before it ({before})"


# Numbers written with at least this many significant digits may be a rounded intermediate result (0.428
# for 0.4277...): the link after them may come from the value they round. Shorter ones (0.7, 0.25) are
# taken as exact: `0.4 x 0.25 + 0.7 x 0.5 = 0.47` does not follow, whatever rounding could hide.
ROUNDED_DIGITS = 3


def neighbour(claim: Claim, i: int, link: Node, value: Real, before: tuple[Node, Real, str], evaluator: Evaluator,
              truth: Truth) -> Verdict:
    """A link of a chain headed by a person's own name, judged against the link before it."""
    before_link, before_value, before_status = before
    shown = show(before_value, 9).text
    spread = spread_of(link, evaluator, truth)
    if follows(before_value, link, value, spread, _rounded(before_link, evaluator, truth)):
        if before_status in SLIPPED:
            return Verdict(claim.line, claim.text, i, CARRIED, before_value, value,
                           f"follows from link {i - 1}, which is wrong")
        if before_status == "cannot check":  # following from a link not checked lends it no credit
            return Verdict(claim.line, claim.text, i, "cannot check", before_value, value,
                           f"follows from link {i - 1}, which cannot be checked")
        return Verdict(claim.line, claim.text, i, "correct", before_value, value,
                       f"follows from link {i - 1} ({shown})")
    carried = _from_slips_before(claim, i, link, value, before_link, spread, evaluator)
    if carried is not None:
        return carried
    found = _from_values_written(before_link, evaluator) if before_status in ("correct", "defined") else None
    if found is not None and found[0].lines and not found[0].slips and follows(found[1], link, value, spread):
        # `db2 = dZ2 = -0.253`, dZ2 written -0.253 before (0.747 - 1): the value the person goes on with
        return Verdict(claim.line, claim.text, i, "correct", found[1], value, f"follows from link {i - 1} as "
                       f"written on line {min(found[0].lines)} ({show(found[1], 9).text})")
    return Verdict(claim.line, claim.text, i, "wrong", before_value, value,
                   f"does not follow from link {i - 1}: it gives {shown}", (ARITHMETIC.format(before=shown),))


def _from_slips_before(claim: Claim, i: int, link: Node, value: Real, before_link: Node, spread: Real,
                       evaluator: Evaluator) -> Verdict | None:
    """A link that follows from the link before it worked out with the wrong values written earlier for its
    quantities (`L = 1/2 (y - yhat)^2 = 0.0124` after a wrong yhat): carried forward, not a new slip."""
    found = _from_values_written(before_link, evaluator)
    if found is None:
        return None
    written, wanted = found
    if not written.slips or not follows(wanted, link, value, spread):
        return None
    if written.lines & evaluator.document.unsure:  # from a value that could not be checked: neither can this
        return Verdict(claim.line, claim.text, i, "cannot check", wanted, value,
                       f"follows from the values written on line {min(written.lines & evaluator.document.unsure)}, "
                       "which cannot be checked")
    lines = ", ".join(str(n) for n in sorted(written.lines))
    return Verdict(claim.line, claim.text, i, CARRIED, wanted, value,
                   f"follows from the slip on line {lines}: the values written before give {show(wanted, 9).text}")


def numbers(verdict: Verdict, link: Node, target: str, sample: str | None, earlier: tuple[Node, ...],
            judged: list[Verdict], truth: Truth, evaluator: Evaluator) -> Verdict:
    """A link in numbers that is wrong against the truth: carried forward, right from rounded values, or
    the first wrong step with its cause."""
    assert verdict.claimed is not None
    value, spread = verdict.claimed, spread_of(link, evaluator, truth)
    if (unchecked := _after_unchecked(verdict, link, spread, judged)) is not None:
        return unchecked
    before = _before(earlier, judged)
    if literal(link) == "0" and before is not None and 0 < abs(before[1]) < CTX.mpf("0.01"):
        return replace(verdict, status="cannot check", explanations=(), reason=(  # `0.00423 \approx 0`
            f"0 after {show(before[1], 9).text}: that value rounded to a whole number, or a slip; which is not told"))
    if before is not None and follows(before[1], link, value, spread, _rounded(before[0], evaluator, truth)):
        source = before[2]
        if source.status == "correct" and found_by_rounding(verdict, link, before[1], spread):
            # its numbers were rounded, and this is their result rounded again
            return replace(verdict, status="correct", reason=(
                f"follows from link {source.link} ({show(before[1], 9).text}), whose numbers are rounded"))
        if source.status in SLIPPED:
            how = "which is wrong" if source.status == "wrong" else "which carries a slip forward"
            return replace(verdict, status=CARRIED, reason=f"follows from link {source.link}, {how}")
    found = _recomputed(target, sample, evaluator, truth)  # once: both uses below read the same values
    carried = _from_written(verdict, link, found, spread, evaluator.document.unsure) or _restated(
        verdict, link, target, sample, spread, evaluator) or _mended(verdict, link, truth, evaluator)
    if carried is not None:
        return carried
    if (unread := _from_unread(verdict, link, truth, evaluator)) is not None:
        return unread
    if (unnamed := worked_unnamed(verdict, literal(link), truth, evaluator.document)) is not None:
        return unnamed
    causes = explained(link, target, value, spread, truth, evaluator) or confusions.decimal_point(
        literal(link), [before[1]] if before is not None else [], verdict.truth)
    if before is not None and not follows(before[1], link, value, spread) and \
            not any(c.startswith(confusions.EXACT) for c in causes):  # what the number is, is its cause
        copied = [c for c in causes if c.startswith("two digits swapped")]  # the result copied wrong: say so first
        causes = (*copied, ARITHMETIC.format(before=show(before[1], 9).text),
                  *(c for c in causes if not c.startswith(("one digit wrong", "two digits swapped"))))
    near, upstream = _near_written(value, found)
    if upstream and verdict.truth is not None and abs(value - upstream) < abs(value - verdict.truth):
        # nearer what an earlier slip gives than the truth: not the right working with the result copied wrong
        causes = tuple(c for c in causes if not c.startswith(("one digit wrong", "two digits swapped")))
    return replace(verdict, explanations=causes or near)


def jumped(verdict: Verdict, link: Node, earlier: tuple[Node, ...], judged: list[Verdict], truth: Truth,
           evaluator: Evaluator) -> Verdict:
    """A number right against the truth after a link that carries a slip, which gives another number: the
    working does not lead to it (`1/2 (0.7692 - 0.5)^2 = 0.035`, where it gives 0.0362), an arithmetic slip
    that lands on the right value, not a right step."""
    before = _before(earlier, judged)
    # after a link wrong in itself (a formula, a number copied wrong) the right value may be the working's own
    if verdict.claimed is None or before is None or before[2].status != CARRIED or \
            symbolic(before[0], evaluator.own):
        return verdict
    if follows(before[1], link, verdict.claimed, spread_of(link, evaluator, truth),
               _rounded(before[0], evaluator, truth)):
        return verdict
    shown = show(before[1], 9).text
    return replace(verdict, status="wrong", reason=f"does not follow from link {before[2].link}: it gives {shown}",
                   explanations=(ARITHMETIC.format(before=shown),))


def expression(verdict: Verdict, left: Node, link: Node, earlier: tuple[Node, ...], judged: list[Verdict],
               truth: Truth, evaluator: Evaluator) -> Verdict:
    """A link in numbers, wrong against a left side that is an expression (`W^T delta = ...`): carried from a
    wrong link before it, or from the values the person wrote for the left side's quantities, else wrong."""
    assert verdict.claimed is not None
    value, spread = verdict.claimed, spread_of(link, evaluator, truth)
    if (unchecked := _after_unchecked(verdict, link, spread, judged)) is not None:
        return unchecked
    before = _before(earlier, judged)
    if before is not None and follows(before[1], link, value, spread, _rounded(before[0], evaluator, truth)):
        if before[2].status == "correct" and found_by_rounding(verdict, link, before[1], spread):
            # `σ'(z) = 0.6570 · 0.3430 ≈ 0.2254`: a right result rounded again
            return replace(verdict, status="correct", explanations=(), reason=(
                f"follows from link {before[2].link} ({show(before[1], 9).text}), whose numbers are rounded"))
        if before[2].status in SLIPPED:
            return replace(verdict, status=CARRIED, reason=f"follows from link {before[2].link}, which is wrong")
    found = _from_values_written(left, evaluator)
    if found is None or not found[0].lines or not follows(found[1], link, value, spread):
        return _mended(verdict, link, truth, evaluator) or _from_unread(verdict, link, truth, evaluator) or verdict
    written, wanted = found
    lines = ", ".join(str(n) for n in sorted(written.lines))
    shown = show(wanted, 9).text
    if written.lines & evaluator.document.unsure:
        return replace(verdict, status="cannot check", reason=f"follows from the values written on line {lines}, "
                                                              "one of which cannot be checked")
    if written.slips:
        return replace(verdict, status=CARRIED, reason=f"follows from the slip on line {lines}: the values written "
                                                       f"before give {shown}")
    return replace(verdict, status="correct", reason=f"agrees with the rounded values written on line {lines}, "
                                                     f"which give {shown}")


def _from_values_written(node: Node, evaluator: Evaluator) -> tuple[Written, Real] | None:
    """`node` worked out from the values the person wrote (the truth where they wrote none), with the record of
    which lines and slips it used; None where it cannot be worked out."""
    written = Written(evaluator)
    try:
        return written, written.evaluate(node)
    except (Unknown, ArithmeticError, ValueError):
        return None


class Written(Evaluator):
    """Values from what the person wrote where they wrote one, the truth elsewhere; which lines were used."""

    def __init__(self, evaluator: Evaluator) -> None:
        super().__init__(evaluator.truth, evaluator.own)
        self.sample, self.document = evaluator.sample, evaluator.document
        self.lines: set[int] = set()
        self.slips = False

    def _name(self, name: str) -> Real:
        written = self.document.written.get((canonical(name), self.sample))
        if written is None:
            return super()._name(name)
        self.lines.add(written.line)
        self.slips = self.slips or written.wrong
        return written.value


def substitutions(claim: Claim, truth: Truth, evaluator: Evaluator) -> dict[int, str]:
    """Each number put in place of a quantity (`y_4(1 - y_4)... = 0.59(1 - 0.59)...`, y_4 being 0.578) that is
    neither its value to the digits written nor the value the person wrote for it: kept, with any number of
    digits, to mend a later line that uses it again (see `_mended`). Where it is the one such number of a link
    whose formula names only quantities of the network, it is returned by that link (its verdict's number), as
    the link's mistake: the others, put right, say the numbers do follow the formula's shape."""
    links = claim.links if claim.left is None else (claim.left, *claim.links)
    before = evaluator.document.formula if claim.left is not None and not claim.target.name else []
    found: dict[int, str] = {}
    for at, (formula, numbers) in enumerate(zip([*before, *links], links[1 - len(before):]), start=2 - len(before)):
        if not symbolic(formula, evaluator.own) or symbolic(numbers, evaluator.own):
            continue
        if isinstance(formula, Unary) and formula.op == "-" and not isinstance(numbers, Unary):
            formula = formula.arg  # a name read with its sign turned (a delta as t - y) is written as it reads
        wrong, known = _misplaced(_paired(formula, numbers) or [], claim, truth, evaluator)
        for name, text, value in wrong:
            evaluator.document.substituted.setdefault(text, Slip(claim.line, canonical(name), value))
        if known and len(wrong) == 1 and not _anothers(wrong[0][1], formula, claim, truth):
            name, text, value = wrong[0]
            found[at] = f"{text} is put for {name}, which is {show(value, 9).text}: a number copied wrong"
    # a chain's last formula, which a line starting with `=` may go on from in numbers
    evaluator.document.formula = [links[-1]] if symbolic(links[-1], evaluator.own) else []
    return found


def _anothers(text: str, formula: Node, claim: Claim, truth: Truth) -> bool:
    """Whether a number is the value of some name of the formula (factors written in another order)."""
    for name in names_in(formula):
        try:
            if agrees_to_written_digits(truth.value(name, claim.sample), text):
                return True
        except Unknown:
            continue
    return False


def _misplaced(pairs: list[tuple[str, str]], claim: Claim, truth: Truth,
               evaluator: Evaluator) -> tuple[list[tuple[str, str, Real]], bool]:
    """Of a formula's names and the numbers written for them, those whose number is not their value (to its
    digits, or the person's own value for it, or a number they worked out right): name, number, value; and
    whether every name is a quantity of the network."""
    wrong, known = [], True
    for name, text in pairs:
        try:
            value = truth.value(name, claim.sample)
        except Unknown:
            known = False
            continue
        written = evaluator.document.written.get((canonical(name), claim.sample))
        if text.lstrip("-") in evaluator.document.rounded:
            continue  # a number the person worked out right (from rounded values) is theirs to use
        if not any(agrees_to_written_digits(v, text) for v in (value, *([written.value] if written else []))):
            wrong.append((name, text, value))
    return wrong, known


def put_wrongly(verdict: Verdict, cause: str | None) -> Verdict:
    """A link found right whose numbers put a wrong one for a quantity of the formula before it (`ReLU'(net_h1)
    = ReLU'(1.55) = 1` where net_h1 is 1.25): right only because its result does not change with that number,
    a wrong step all the same."""
    if cause is None or verdict.status != "correct":
        return verdict
    return replace(verdict, status="wrong", reason=cause, explanations=(cause,))


def _paired(formula: Node, numbers: Node) -> list[tuple[str, str]] | None:
    """The number written for each name of a formula, where the numbers repeat the formula's shape; else None."""
    if isinstance(formula, Name):
        if isinstance(numbers, Unary) and numbers.op == "-" and isinstance(numbers.arg, Num):
            return [(formula.name, "-" + numbers.arg.text)]
        return [(formula.name, numbers.text)] if isinstance(numbers, Num) else None
    if isinstance(formula, Num) or type(formula) is not type(numbers):
        return [] if formula == numbers else None
    if isinstance(formula, Unary) and isinstance(numbers, Unary):
        return _paired(formula.arg, numbers.arg) if formula.op == numbers.op else None
    if isinstance(formula, Call) and isinstance(numbers, Call):
        return _paired(formula.arg, numbers.arg) if formula.function == numbers.function else None
    assert isinstance(formula, Binary) and isinstance(numbers, Binary)
    left, right = _paired(formula.left, numbers.left), _paired(formula.right, numbers.right)
    return left + right if formula.op == numbers.op and left is not None and right is not None else None


SAME_TRUTH = CTX.mpf(10) ** -9  # how close two truths are (relative) to be one quantity's value restated


def slips_used(claim: Claim, verdicts: list[Verdict], evaluator: Evaluator) -> list[Verdict]:
    """A link found right that writes a number an earlier line got wrong (the sum of three exponentials, one
    of them 1.1904 where e^0.1739 is 1.18994): the slip carried forward, not a right step."""
    slips, own = evaluator.document.slips, evaluator.own
    if not slips and not own.slipped:
        return _mark_own(claim, verdicts, own)
    operands = evaluator.document.used()
    found: list[Verdict] = []
    left = [n.text.lstrip("-") for n in numbers_in(claim.left)] if claim.left is not None else []
    for v in verdicts:
        index = v.link - (2 if claim.left is not None else 1)
        link = claim.links[index] if 0 <= index < len(claim.links) else None
        written = literal(link) if link is not None else None
        if isinstance(link, Name) and link.name in own.nodes:  # a name of the person's for that number (∇w_11)
            written = literal(own.nodes[link.name])
        copied = _copied(written, claim, v, evaluator)  # the slip's number itself, copied for its quantity
        # a link equal to a left side in numbers (`1 / 1.3785 = 0.72543`) computes with the left's numbers too
        used = ([n.text.lstrip("-") for n in numbers_in(link)] if link is not None and written is None else []) + left
        earlier = [*copied, *((t, operands[t]) for t in used if t in operands and operands[t] != claim.line)]
        named = names_in(link) if link is not None else []
        earlier += [(n, own.slipped[n]) for n in named if n in own.slipped and own.slipped[n] != claim.line]
        # a wrong link carries the slips it uses only where it is a slip's number copied, or gives its truth once
        # they are put back; any other is a mistake of its own as well (the learning rate left out again)
        if earlier and (v.status in ("correct", "defined") or (v.status == "wrong" and (
                copied or (not v.explanations and _slips_put_back(link, v, evaluator))))):
            text, line = earlier[0]  # a wrong link explained by a mistake of its own keeps its verdict
            v = replace(v, status=CARRIED, reason=f"uses {text}, the slip on line {line}",
                        explanations=() if copied else v.explanations)  # a copy's cause is the slip's
        elif v.status == "correct" and v.reason.startswith("follows from link") and found and \
                found[-1].status == CARRIED:
            v = replace(v, status=CARRIED, reason=f"follows from link {found[-1].link}, which carries a slip forward")
        found.append(v)
    return _mark_own(claim, found, own)


def _slips_put_back(link: Node | None, verdict: Verdict, evaluator: Evaluator) -> bool:
    """Whether a wrong link is right, within the rounding of its numbers, once every earlier slip in it (a number,
    or a name of the person's given one) is put back to the value it should have had."""
    truth = evaluator.truth
    if link is None or verdict.truth is None or not isinstance(truth, Truth):
        return False
    slips, own = evaluator.document.slips, evaluator.own
    mended = _put_back(link, _earlier_slips(link, verdict.line, evaluator))
    for name in (n for n in names_in(link) if n in own.slipped):  # a name given a slip's number (sum = 3.2372)
        slip = next((slips[t] for t in slips if real(t) == own.values[name]), None)
        if slip is not None and slip.truth is not None:
            mended = _named_as(mended, name, slip.truth)
    return mended is not link and _gives(verdict.truth, mended, link, evaluator, truth)


def _earlier_slips(link: Node, line: int, evaluator: Evaluator) -> list[tuple[int, str, Slip]]:
    """The numbers of `link` that are slips of earlier lines whose truth is known: each one's place among the
    link's numbers, its text as the slip was written (sign and all) and the slip."""
    slips, found = evaluator.document.slips, []
    for k, number in enumerate(numbers_in(link)):
        text = next((t for t in slips if t.lstrip("-") == number.text and slips[t].line != line
                     and slips[t].truth is not None), None)
        if text is not None:
            found.append((k, text, slips[text]))
    return found


def _put_back(link: Node, found: list[tuple[int, str, Slip]]) -> Node:
    """`link` with each slip found in it replaced by the value it should have had."""
    for k, text, slip in found:
        assert slip.truth is not None
        link = rewrites.swapped(link, k, slip.truth if not text.startswith("-") else -slip.truth)
    return link


def _gives(want: Real, mended: Node, link: Node, evaluator: Evaluator, truth: Truth) -> bool:
    """Whether `mended` (the link with slips put back) gives `want` within the rounding of the link's numbers."""
    try:
        value = evaluator.evaluate(mended)
    except (Unknown, ArithmeticError, ValueError):
        return False
    return follows(want, mended, value, spread_of(link, evaluator, truth))


def _named_as(node: Node, name: str, value: Real | None) -> Node:
    """`node` with the name `name` replaced by the number `value`."""
    if isinstance(node, Name) and node.name == name and value is not None:
        number = Num(show(abs(value), 40).text)
        return Unary("-", number) if value < 0 else number
    if isinstance(node, Unary):
        return Unary(node.op, _named_as(node.arg, name, value))
    if isinstance(node, Call):
        return Call(node.function, _named_as(node.arg, name, value))
    if isinstance(node, Binary):
        return Binary(node.op, _named_as(node.left, name, value), _named_as(node.right, name, value))
    return node


def _copied(written: str | None, claim: Claim, verdict: Verdict, evaluator: Evaluator) -> list[tuple[str, int]]:
    """A link that is an earlier slip's number, sign and all, written again for the same quantity (by name, or
    one with the same truth: a restatement, an entry of a product): the slip carried. The same digits written
    for another quantity are that quantity's own mistake, judged as such."""
    slip = evaluator.document.slips.get(written or "")
    if written is None or slip is None or slip.line == claim.line:
        return []
    same = bool(slip.quantity) and slip.quantity == canonical(claim.target.name)
    if not same and slip.truth is not None and verdict.truth is not None:
        same = abs(slip.truth - verdict.truth) <= SAME_TRUTH * max(abs(verdict.truth), CTX.mpf(10) ** -30)
    return [(written.lstrip("-"), slip.line)] if same else []


def _mark_own(claim: Claim, verdicts: list[Verdict], own: OwnNames) -> list[Verdict]:
    """A person's own name whose statement carries a slip: its later uses carry it too."""
    target = claim.target.name
    if target in own.nodes and any(v.status in SLIPPED for v in verdicts):
        own.slipped.setdefault(target, claim.line)
    return verdicts


def _from_unread(verdict: Verdict, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict | None:
    """A wrong computation that uses a number no value of the network gives but an earlier equation the
    checker could not read wrote: a slip carried from there cannot be told from a new one."""
    for k, n in enumerate(numbers_in(link)):
        line = evaluator.document.unread_at(n.text)
        if line is None or line == verdict.line or _known_number(n, truth, evaluator) or _updated(n, truth):
            continue
        # what it may have stood for: a value of the network near it; a link wrong with that value too is wrong
        value = CTX.mpf(n.text)
        near = [v for v in (*truth.values.values(), *truth.derivatives.values()) if abs(v - value) <= NEAR * abs(v)]
        if near and not any(_mends(verdict, rewrites.swapped(link, k, v), truth, evaluator) for v in near):
            continue
        return replace(verdict, status="cannot check", explanations=(), reason=(
            f"uses {n.text}, written on line {line} in an equation that could not be read: whether it carries a "
            "slip from there is not known"))
    return None


def _updated(number: Num, truth: Truth) -> bool:
    """A number that is a parameter's value after one update, within a unit of its last digit (three digits or
    more; worked from rounded numbers): the updated weight itself, whether or not the equation it was worked
    out in could be read (a hidden delta worked with it is the stale-weights mistake, not a slip carried)."""
    text = number.text.lstrip("-")
    if significant(text) < 3:
        return False
    x, unit = CTX.mpf(text), 2 * half_unit(text)
    try:
        # the number as written without its sign (a minus is the link's): an updated weight of either sign
        return any(p.trainable and abs(abs(truth.value(f"{p.name}@1")) - x) <= unit for p in truth.network.params)
    except Unknown:
        return False


def _mends(verdict: Verdict, mended: Node, truth: Truth, evaluator: Evaluator) -> bool:
    """Whether a link with one number put right gives the truth (within the rounding of its other numbers)."""
    assert verdict.truth is not None
    try:
        return follows(verdict.truth, mended, evaluator.evaluate(mended), spread_of(mended, evaluator, truth))
    except (Unknown, ArithmeticError, ValueError):
        return False


def _after_unchecked(verdict: Verdict, link: Node, spread: Real, judged: list[Verdict]) -> Verdict | None:
    """A link that follows from the link before it, which has a value but cannot be checked: neither can it."""
    last = judged[-1] if judged else None
    if last is None or last.status != "cannot check" or last.claimed is None:
        return None
    if not follows(last.claimed, link, verdict.claimed or CTX.zero, spread):
        return None
    return replace(verdict, status="cannot check", reason=f"follows from link {last.link}, which cannot be checked")


def _before(earlier: tuple[Node, ...], judged: list[Verdict]) -> tuple[Node, Real, Verdict] | None:
    """The last link before this one that has a value: the link, its value and its verdict."""
    for link, v in reversed(list(zip(earlier, judged))):
        if v.claimed is not None and v.status != "cannot check":
            return link, v.claimed, v
    return None


def _recomputed(target: str, sample: str | None, evaluator: Evaluator, truth: Truth) -> Recomputed | None:
    """`target` by its step's rule from the values written on earlier lines (None where it has none)."""
    if evaluator.recomputer is None:
        evaluator.recomputer = Recomputer(truth)
    try:
        return evaluator.recomputer.value(target, evaluator.document, sample)
    except (ArithmeticError, ValueError, KeyError):
        return None


def _from_written(verdict: Verdict, link: Node, found: Recomputed | None, spread: Real,
                  unchecked: set[int]) -> Verdict | None:
    """The verdict when the value is what the values written on earlier lines give by this step's rule (those
    of `unchecked` lines were written where they could not be checked: what follows from them cannot be)."""
    assert verdict.claimed is not None
    if found is None or not follows(found.value, link, verdict.claimed, spread):
        return None
    shown = show(found.value, 9).text
    unsure = [n for n in found.slips if n in unchecked]
    if unsure:
        return replace(verdict, status="cannot check", reason=(
            f"follows from the value written on line {unsure[0]}, which cannot be checked"))
    if found.slips:
        lines = ", ".join(str(n) for n in found.slips)
        return replace(verdict, status=CARRIED, truth=verdict.truth, reason=(
            f"follows from the slip on line {lines}: the values written before give {shown}"))
    if found.rounded:
        lines = ", ".join(str(n) for n in found.rounded)
        return replace(verdict, status="correct", reason=(
            f"agrees with the rounded values written on line {lines}, which give {shown}"))
    return None


def _mended(verdict: Verdict, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict | None:
    """A link that uses a wrong number of an earlier line and is right once that number is put back to the
    value it should have had (`w(new) = -0.022184 + 0.9` after a step -0.022184 that is -0.0212571): that slip,
    carried forward; a link wrong in another way too stays wrong."""
    if verdict.truth is None or literal(link) is not None:  # a number copied is the slip itself (slips_used)
        return None
    document = evaluator.document
    slips = {**document.unchecked, **document.substituted, **document.slips}
    for k, number in enumerate(numbers_in(link)):
        text, slip = next(((t, s) for t, s in slips.items() if t.lstrip("-") == number.text
                           and s.line != verdict.line and s.truth is not None), ("", None))
        if slip is None or slip.truth is None:
            continue
        mended = rewrites.swapped(link, k, slip.truth if not text.startswith("-") else -slip.truth)
        try:
            value = evaluator.evaluate(mended)
        except (Unknown, ArithmeticError, ValueError):
            continue
        right = follows(verdict.truth, mended, value, spread_of(mended, evaluator, truth))
        if right and text in document.unchecked:
            return replace(verdict, status="cannot check", reason=(
                f"follows from {text} on line {slip.line}, which cannot be checked"))
        if right:
            return replace(verdict, status=CARRIED, reason=f"follows from the slip on line {slip.line}: with "
                                                           f"{show(slip.truth, 9).text} for {text} it gives the truth")
        if text in document.substituted:  # the same slip again, and whether another one is here too
            return replace(verdict, status="cannot check", reason=(  # cannot be told from these numbers
                f"uses {text} for {slip.quantity} ({show(slip.truth, 9).text}) as line {slip.line} did; whether "
                "it also slips anew is not told by the numbers written"))
    return _all_mended(verdict, link, truth, evaluator)


def _all_mended(verdict: Verdict, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict | None:
    """A link that uses several wrong numbers of earlier lines (`15.480 / 18.787`, e^2.739 slipped and the sum
    of the exponentials with it) and is right, within the rounding of the numbers written, once all of them are
    put back to the values they should have had: those slips, carried forward."""
    assert verdict.truth is not None
    found = _earlier_slips(link, verdict.line, evaluator)
    if len(found) < 2 or not _gives(verdict.truth, _put_back(link, found), link, evaluator, truth):
        return None
    lines = ", ".join(str(n) for n in sorted({slip.line for _, _, slip in found}))
    return replace(verdict, status=CARRIED, reason=(
        f"follows from the slips on line {lines}: with " + ", ".join(
            f"{show(slip.truth, 9).text} for {text}" for _, text, slip in found if slip.truth is not None)
        + " it gives the truth"))


# A slip in working moves a number by a little (a digit, a rounding): within this relative distance of what the
# values written before give, a wrong number is that computation slipped; further off, it may be another method.
NEAR = CTX.mpf("0.01")


def _near_written(value: Real, found: Recomputed | None) -> tuple[tuple[str, ...], Real | None]:
    """An arithmetic slip where the values the person wrote before (`found`, by the step's own rule) give nearly
    this number (0.9471 x 0.378 = 0.35800 written 0.3576): named with the value they give; and that value where
    those values hold an earlier slip (else None)."""
    if found is None or not (found.slips or found.rounded) or not found.value:
        return (), None
    if abs(value - found.value) > NEAR * abs(found.value):
        return (), None
    lines = ", ".join(str(n) for n in sorted({*found.slips, *found.rounded}))
    return (f"arithmetic slip: the values written on line {lines} give {show(found.value, 9).text} by this step's "
            "rule, not this number",), (found.value if found.slips else None)


def _restated(verdict: Verdict, link: Node, target: str, sample: str | None, spread: Real,
              evaluator: Evaluator) -> Verdict | None:
    """A quantity written again, rounded (`delta_o = -2.71011 * 0.242`, then `delta_o = -0.65584`): right if what
    it rounds was, carried forward if it was a slip."""
    written = evaluator.document.written.get((canonical(target), sample))
    truth = evaluator.truth
    if written is None and isinstance(truth, Truth) and truth.samples and sample == truth.samples[0] and \
            not (truth.batch and target in truth._batch_names):  # the first sample's, in the default reading
        written = evaluator.document.written.get((canonical(target), None))
    assert verdict.claimed is not None
    if written is None or written.line == verdict.line or not follows(written.value, link, verdict.claimed, spread):
        return None
    shown = show(written.value, 9).text
    text = literal(link)
    if written.wrong and (text is None or text.lstrip("-") in evaluator.document.used()):
        return None  # worked out again (`1 - 1` after `0 * 1`): a new slip; a slip's digits: known by them
    if written.wrong:  # a summary of the results: the copy is right, the slip it copies was named on its line
        return replace(verdict, status=CARRIED, explanations=(),
                       reason=f"the wrong value written on line {written.line} ({shown}), stated again")
    return replace(verdict, status="correct", reason=f"the value written on line {written.line} ({shown}), rounded")


def explained(link: Node, target: str, value: Real, spread: Real, truth: Truth,
            evaluator: Evaluator | None = None) -> tuple[str, ...]:
    """The catalogued mistakes (and copying slips) that give this number; for a computation in numbers none of
    them gives, which of its numbers is no value it could stand for, else that they are combined wrongly."""
    text = literal(link)
    if text is not None:
        return truth.explain(target, text) or confusions.in_number(truth, target, text)
    found = truth.explain_value(target, value, spread) or confusions.in_value(truth, target, value, spread)
    if found or evaluator is None:
        return found
    swapped = rewrites.wrong_input(link, target, lambda node: spread_of(node, evaluator, truth), truth, evaluator,
                                      lambda n: _known_number(n, truth, evaluator))
    if swapped:
        return swapped
    strays = [n.text for n in numbers_in(link) if not _known_number(n, truth, evaluator)]
    if strays:
        return copies.copied(strays[0], target, truth, evaluator) or \
            rewrites.near_input(link, target, lambda node: spread_of(node, evaluator, truth), truth, evaluator,
                                lambda n: not _known_number(n, truth, evaluator)) or (
            f"{strays[0]}{STRAY}",)
    return (COMBINED,)


STRAY = " is no value of this network at its numbers: a slip in computing or copying it"


def working_slips(claim: Claim, verdicts: list[Verdict]) -> list[Verdict]:
    """A link in numbers wrong for a number in it that is no value of this network, followed by its result
    written right (`sigma(z) = 1/(1 + e^{-0.65}) = 0.98`, z being 4): the result was not computed from the
    working as written, so the slip is in writing the working, not in its arithmetic."""
    found = list(verdicts)
    for k, (v, after) in enumerate(itertools.pairwise(verdicts)):
        result = claim.links[after.link - 1] if claim.left is None and after.link <= len(claim.links) else None
        strays = [c[:-len(STRAY)] for c in v.explanations if c.endswith(STRAY)]
        plain = all(c.endswith(STRAY) or c.startswith(ARITHMETIC[:30]) for c in v.explanations)
        if v.status == "wrong" and after.status == "correct" and after.link == v.link + 1 and strays and plain \
                and result is not None and literal(result) is not None:
            found[k] = replace(v, explanations=(
                f"the working written wrongly: the result after it ({literal(result)}) is right, so it was not "
                f"computed from the working as written ({strays[0]} in it is none of this network's values)",))
    return found


COMBINED = ("the numbers are the network's, combined wrongly: a term or a factor is not the one the formula needs "
            "(or an operation slipped)")


def _known_number(number: Num, truth: Truth, evaluator: Evaluator) -> bool:
    """A number that is a value the spec gives, a quantity's value to its digits, a whole number, or a number
    the person found right earlier."""
    text = number.text.lstrip("-")
    return ("." not in text or truth.given(number) is not None or truth.stands_for(text)
            or text in evaluator.document.rounded)


def _rounded(link: Node, evaluator: Evaluator, truth: Truth) -> Real:
    """How far a link's value may be from what its author computed: the rounding of its longer numbers."""
    try:
        return Spread(evaluator, lambda n: truth.given(n) or ("exact" if truth.exact(n) else None),
                      rounded_from=ROUNDED_DIGITS).of(link)
    except (ArithmeticError, ValueError):
        return CTX.zero


def spread_of(link: Node, evaluator: Evaluator, truth: Truth) -> Real:
    """How far a computation in numbers may be from its value: its numbers' rounding, carried through it."""
    try:
        return Spread(evaluator, truth.given).of(link)
    except (ArithmeticError, ValueError):
        return CTX.zero
