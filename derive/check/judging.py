"""A claim judged: one verdict per link of its chain, each link against the truth of the quantity at its
head (a formula also at random points), a wrong number or formula explained by the catalogued mistakes."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

from derive.check import confusions, diagnosis, rewrites
from derive.check.carried import Slip, canonical
from derive.check.claims import (FUNCTIONS, Binary, Call, Claim, Name, Node, Num, Unary, functions_in, names_in,
                                 numbers_in)
from derive.check.formulas import explain_formula
from derive.check.numbering import numbered_unsure
from derive.check.results import results
from derive.check.truth import PointTruth, Truth, Unknown, optimizer_constants, split_sample
from derive.check.values import ACTIVATIONS, Evaluator, OutOfRange, OwnNames, Spread, symbolic
from derive.check.digits import half_unit
from derive.check.verdicts import Verdict, compare, follows, literal
from derive.model.precision import CTX, Real, real, show


EXAMPLES = "m"  # the letter course notes give the number of training examples (reader/counts.py)


def judge(claim: Claim, truth: Truth, evaluator: Evaluator) -> list[Verdict]:
    """One verdict per link of the claim's chain."""
    verdicts = diagnosis.slips_used(claim, _judge(claim, truth, evaluator), evaluator)
    verdicts = diagnosis.working_slips(claim, verdicts)
    verdicts = [_with_own_e(claim, _with_earlier_values(claim, v, evaluator), evaluator) for v in verdicts]
    verdicts = [_sigma_as_the_activation(claim, v, truth, evaluator) for v in verdicts]
    verdicts = [numbered_unsure(claim, v, evaluator) for v in verdicts]
    wrongly = diagnosis.substitutions(claim, truth, evaluator)
    verdicts = [diagnosis.put_wrongly(v, wrongly.get(v.link)) for v in verdicts]
    results(claim, truth, evaluator)
    last = literal(claim.links[-1]) if claim.links else None
    if verdicts and verdicts[-1].status == diagnosis.CARRIED and last is not None:
        evaluator.document.slip(last, claim.line, claim.target.name, verdicts[-1].truth)  # known again when copied
    return verdicts


def _sigma_as_the_activation(claim: Claim, verdict: Verdict, truth: Truth, evaluator: Evaluator) -> Verdict:
    """A wrong formula that calls the sigmoid (`\\sigma'(z^{(1)})`, on either side) in a network with no sigmoid
    anywhere, and holds with the network's activation in its place: notes often name every activation sigma,
    so which is meant is not told; cannot check."""
    index = verdict.link - (2 if claim.left is not None else 1)
    if verdict.status != "wrong" or verdict.truth is None or not 0 <= index < len(claim.links):
        return verdict
    link = claim.links[index]
    why = _sigma_unsure(truth, [link] if claim.left is None else [link, claim.left])
    if why is None or not names_in(link):
        return verdict
    try:
        want = evaluator.evaluate(rewrites.as_the_activation(claim.left)) if claim.left is not None else verdict.truth
        again = evaluator.evaluate(rewrites.as_the_activation(link))
    except (Unknown, OutOfRange, ArithmeticError, ValueError):
        return verdict
    if abs(again - want) > CTX.mpf(10) ** -9 * max(abs(want), CTX.one):
        return verdict
    return replace(verdict, status="cannot check", explanations=(), reason=why)


def _sigma_unsure(truth: Truth, sides: list[Node]) -> str | None:
    """Why a formula that calls the sigmoid in a network with no sigmoid, and holds with the network's
    activation in its place, cannot be checked; None where the network has one or the formula calls none."""
    used = {n.activation.name for n in truth.network.neurons}
    if "sigmoid" in used or not any(set(functions_in(s)) & set(rewrites.AS_ACTIVATION) for s in sides):
        return None
    return (f"σ as the sigmoid makes it wrong, but this network has none: as its activation "
            f"({', '.join(sorted(used))}) it holds; which σ means here is not told")


def _off_by_rounding(left: Node, link: Node, right: Real, claimed: Real, truth: Truth, evaluator: Evaluator) -> bool:
    """A result of written numbers alone off by at most its last digit and within the rounding of those numbers
    (`-0.5782 × 0.7109 × 0.2891 ≈ -0.1189`, -0.11883 from them)."""
    text = literal(link)
    if names_in(left) or text is None or abs(claimed - right) > 2 * half_unit(text):
        return False
    try:
        return follows(right, link, claimed, CTX.zero, _spread(evaluator, truth)(left))
    except (ArithmeticError, ValueError, LookupError):
        return False


def _with_earlier_values(claim: Claim, verdict: Verdict, evaluator: Evaluator) -> Verdict:
    """A wrong link that uses a name of the person's stated with several values (`m = 1`, then `m = 4` for
    another case) and holds with an earlier one: which one is meant is not read, so it cannot be checked; but
    where that name is m, the count of examples, and its earlier value the network's number of samples, m
    is that number (a later m = 4 counts the examples of another case), and the link is correct."""
    own = evaluator.own
    index = verdict.link - (2 if claim.left is not None else 1)
    if verdict.status != "wrong" or verdict.truth is None or not 0 <= index < len(claim.links):
        return verdict
    for name in [n for n in own.closure(claim.links[index]) if n in own.before]:
        for node, value, line in own.before[name]:
            now = own.nodes[name], own.values[name], own.lines[name]
            own.nodes[name], own.values[name], own.lines[name] = node, value, line
            try:
                again = evaluator.evaluate(claim.links[index])
            except (Unknown, OutOfRange, ArithmeticError, ValueError):
                continue
            finally:
                own.nodes[name], own.values[name], own.lines[name] = now
            if abs(again - verdict.truth) <= abs(verdict.truth) * CTX.mpf(10) ** -6:
                said = f"{name} was {show(value, 9).text} on line {line} and {show(now[1], 9).text} on line {now[2]}"
                if name == EXAMPLES and value == len(evaluator.truth.network.spec.samples):
                    return replace(verdict, status="correct", claimed=again, explanations=(), reason=(
                        f"{said}: m counts the examples, and the network learns from {show(value, 9).text}"))
                return replace(verdict, status="cannot check", explanations=(), reason=(
                    f"{said}: with {show(value, 9).text} it holds; which one is meant here is not read"))
    return verdict


def _with_own_e(claim: Claim, verdict: Verdict, evaluator: Evaluator) -> Verdict:
    """A wrong link with an exponential after the person named a quantity e (`e = \\hat{y} - y`, then
    `L = e^2`): a power of their e or of Euler's number; which one is meant is not read, so it cannot be checked."""
    own = evaluator.own
    index = verdict.link - (2 if claim.left is not None else 1)
    if verdict.status != "wrong" or "e" not in own.nodes or not 0 <= index < len(claim.links) or \
            "exp" not in functions_in(claim.links[index]):
        return verdict
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"e is your own name (line {own.lines['e']}) and Euler's number: whether e^... is a power of the one or "
        "of the other is not read"))


def _judge(claim: Claim, truth: Truth, evaluator: Evaluator) -> list[Verdict]:
    if claim.left is not None:
        variable = _identity_variable(claim, truth, evaluator.own)
        if variable is not None:
            return _judge_identity(claim, variable, truth)
        verdicts = [replace(v, entry=claim.entry) for v in _judge_operator(claim, truth, evaluator)]
        for link, v in zip(claim.links, verdicts, strict=False):
            if v.status == "wrong" and literal(link) is not None:
                evaluator.document.slip(literal(link) or "", claim.line, claim.target.name, v.truth)
            elif v.status == "cannot check" and literal(link) is not None and v.truth is not None:
                evaluator.document.unchecked.setdefault(literal(link) or "", Slip(claim.line, "", v.truth))
            elif v.status == "correct" and literal(link) is not None and v.truth is not None and v.claimed is not None:
                evaluator.document.right(literal(link) or "", v.claimed - v.truth)  # worked out right, if rounded
            if v.status == "correct" and not claim.target.name and (text := literal(link)):
                evaluator.document.worked.setdefault(text, claim.line)  # `[0.0456, -0.1277] W = [-1.0216, -0.9250]`
        return verdicts
    target = claim.target.name
    sample = split_sample(target)[1] or claim.sample
    evaluator.sample = sample
    try:
        verdicts = _judge_links(claim, truth, evaluator, sample)
    finally:
        evaluator.sample = None
    reading = truth.reading(target, sample) if not _may_be_own(target) or _known(truth, target) else ""
    return [replace(v, reading=reading if v.status != "defined" else v.reading, entry=claim.entry) for v in verdicts]


def _judge_links(claim: Claim, truth: Truth, evaluator: Evaluator, sample: str | None) -> list[Verdict]:
    """Each link judged: against the truth of the quantity at the head, or, for a person's own name, against
    the link before it (the numbers written must follow from each other, whatever the head)."""
    target = claim.target.name
    links = [_link_value(claim, i, link, target, sample, truth, evaluator)
             for i, link in enumerate(claim.links, start=1)]
    if _may_be_own(target) and not _known(truth, target):
        verdicts = _judge_own(claim, links, evaluator, truth)
        if verdicts and verdicts[-1].status in ("wrong", "carried") and literal(claim.links[-1]) is not None:
            evaluator.document.slip(literal(claim.links[-1]) or "", claim.line, target, verdicts[-1].truth)
        elif not target and verdicts and verdicts[-1].status == "correct" and (text := literal(claim.links[-1])):
            evaluator.document.worked.setdefault(text, claim.line)  # `0.0456 x 8 - 0.1277 x 10.1 = -0.9250`
        return verdicts
    verdicts = _judge_quantity(claim, links, target, sample, truth, evaluator)
    _record(claim, verdicts, target, sample, evaluator)
    for link, v in zip(claim.links, verdicts, strict=False):  # each number found right, not only the last
        if v.status == "correct" and literal(link) is not None and v.truth is not None and v.claimed is not None:
            evaluator.document.right(literal(link) or "", v.claimed - v.truth)
    return verdicts


Linked = tuple[Real | None, Verdict | None]  # a link's value, or the verdict saying why it has none


def _link_value(claim: Claim, i: int, link: Node, target: str, sample: str | None, truth: Truth,
                evaluator: Evaluator) -> Linked:
    try:
        return _claimed(link, target, sample, truth, evaluator), None
    except (Unknown, OutOfRange) as exc:
        return None, Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc))
    except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
        why = str(exc) or type(exc).__name__
        return None, Verdict(claim.line, claim.text, i, "cannot check", None, None, f"not a number ({why})")


def _judge_quantity(claim: Claim, links: list[Linked], target: str, sample: str | None, truth: Truth,
                    evaluator: Evaluator) -> list[Verdict]:
    try:
        right = truth.value(target, sample)
    except Unknown as exc:  # a link's own unknown name is said first: it is what the person wrote
        return [failure or Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc))
                for i, (_, failure) in enumerate(links, start=1)]
    verdicts: list[Verdict] = []
    for i, (link, (claimed, failure)) in enumerate(zip(claim.links, links), start=1):
        if failure is not None or claimed is None:
            verdicts.append(failure or Verdict(claim.line, claim.text, i, "cannot check", None, None, "no value"))
            continue
        verdict = compare(claim, i, link, right, claimed, _spread(evaluator, truth), truth.given)
        if verdict.status == "correct" and symbolic(link, evaluator.own):
            verdict = _in_general(verdict, target, link, truth, evaluator, _specialised(truth, evaluator, sample, link))
        elif verdict.status == "wrong" and symbolic(link, evaluator.own):
            verdict = replace(verdict, explanations=explain_formula(truth, target, link, evaluator, claim.line,
                                                                    claimed))
        elif verdict.status == "wrong":
            verdict = diagnosis.numbers(verdict, link, target, sample, claim.links[:i - 1], verdicts, truth, evaluator)
        else:
            verdict = _unchanged(diagnosis.jumped(verdict, link, claim.links[:i - 1], verdicts, truth, evaluator),
                                 link, target, sample, truth)
        verdicts.append(verdict)
    return verdicts


def _unchanged(verdict: Verdict, link: Node, target: str, sample: str | None, truth: Truth) -> Verdict:
    """A value after an update step written as exactly the value before it (`w_5^+ = 0.4`, w5 being 0.4), to
    so few digits that it also rounds the truth (0.3589 to 0.4): the step may have been left out, so it cannot
    be checked, never correct."""
    base, _, step = target.partition("@")
    if verdict.status != "correct" or not step.isdigit() or literal(link) is None or verdict.truth is None:
        return verdict
    try:
        before = truth.value(base if step == "1" else f"{base}@{int(step) - 1}", sample)
    except Unknown:
        return verdict
    if before == verdict.truth or real(literal(link) or "") != before:
        return verdict
    return replace(verdict, status="cannot check", reason=f"{literal(link)} is also the value before the update "
                   f"({show(before, 9).text}): written to these digits, the update cannot be seen")


def _judge_own(claim: Claim, links: list[Linked], evaluator: Evaluator, truth: Truth) -> list[Verdict]:
    """A person's own name: the first link with a value defines it (again, if it was defined before); each
    later link must follow from the link before it, from the numbers written."""
    verdicts: list[Verdict] = []
    before: tuple[Node, Real, str] | None = None  # the last link with a value, and its verdict
    for i, (link, (claimed, failure)) in enumerate(zip(claim.links, links), start=1):
        if failure is not None or claimed is None:
            verdicts.append(failure or Verdict(claim.line, claim.text, i, "cannot check", None, None, "no value"))
            continue
        if before is None:
            verdicts.append(_define(claim, i, link, claimed, evaluator))
        else:
            verdicts.append(diagnosis.neighbour(claim, i, link, claimed, before, evaluator, truth))
        before = (link, claimed, verdicts[-1].status)
    _concluded(claim, verdicts, evaluator)
    return verdicts


def _concluded(claim: Claim, verdicts: list[Verdict], evaluator: Evaluator) -> None:
    """A person's name whose chain ends in a number that does not follow (`z = -3 + 0.9997 - 1.9052 = -5.905`),
    or follows only from a slip before it (`= 1 - 2 + 1 = 0`, b_2 copied wrong), stands, from here on, for
    that number: the value the person concluded and goes on with, not the first."""
    last = verdicts[-1] if verdicts else None
    if (last is None or last.status not in ("wrong", "carried") or last.claimed is None
            or literal(claim.links[-1]) is None):
        return
    target = claim.target.name
    if evaluator.own.lines.get(target) == claim.line:
        evaluator.own.define(target, claim.links[-1], last.claimed, claim.line)


def _define(claim: Claim, i: int, link: Node, value: Real, evaluator: Evaluator) -> Verdict:
    target, own = claim.target.name, evaluator.own
    again = ""
    if target in own.closure(link):
        return Verdict(claim.line, claim.text, i, "cannot check", None, None,
                       f"{target} is defined in terms of itself (its definition on line {own.lines[target]})")
    if target in own.nodes:  # stated again (a loop over samples, a second attempt): from this line on
        again = f" (stated again: it was {show(own.values[target], 9).text} on line {own.lines[target]})"
    own.define(target, link, value, claim.line)
    if target == EXAMPLES and literal(link) == str(samples := len(evaluator.truth.network.spec.samples)):
        return Verdict(claim.line, claim.text, i, "correct", value, value, f"the number of samples ({samples})" + again)
    return Verdict(claim.line, claim.text, i, "defined", value, value, "your own name" + again)


def _record(claim: Claim, verdicts: list[Verdict], target: str, sample: str | None, evaluator: Evaluator) -> None:
    """The value the person concluded (the chain's last link, when written in numbers) kept for later steps."""
    last = claim.links[-1]
    verdict = verdicts[-1]
    if verdict.claimed is None or symbolic(last, evaluator.own):
        return
    if verdict.status == "cannot check":  # a value from one that cannot be checked: gone on from, never right
        evaluator.document.record(split_sample(target)[0], sample, verdict.claimed, claim.line, True)
        evaluator.document.unsure.add(claim.line)
        return
    wrong = verdict.status in ("wrong", "carried")
    evaluator.document.record(split_sample(target)[0], sample, verdict.claimed, claim.line, wrong)
    if wrong and literal(last) is not None:
        evaluator.document.slip(literal(last) or "", claim.line, target, verdict.truth)
    elif literal(last) is not None and verdict.truth is not None:
        evaluator.document.right(literal(last) or "", verdict.claimed - verdict.truth)


def _identity_variable(claim: Claim, truth: Truth, own: OwnNames) -> str | None:
    """The variable of a function's definition (`sigma(x) = 1/(1 + e^(-x))`, `f(z) = max(0, z)`): one
    letter that no quantity of the network and no name of the person's has, and nothing else named."""
    left = claim.left
    if not (isinstance(left, Call) and left.function in FUNCTIONS and isinstance(left.arg, Name)):
        return None
    variable = left.arg.name
    if variable in own.nodes or _known(truth, variable):
        return None
    if any(n != variable for link in claim.links for n in names_in(link)):
        return None
    if not any(variable in names_in(link) for link in claim.links):
        return None  # sigma'(z_1) = 0.5866 (1 - 0.5866): a value at a point, not a rule for every z
    return variable


IDENTITY_POINTS = ("-2.31", "-0.47", "0.36", "1.83")  # where a function's definition is compared, 0 avoided


def _judge_identity(claim: Claim, variable: str, truth: Truth) -> list[Verdict]:
    """A function's definition, its sigma taken as the network's activation where that alone makes it hold
    in a network with no sigmoid (`\\sigma'(z) = 1 - \\tanh^2(z)`: which sigma means is not told)."""
    verdicts = _judge_definition(claim, variable, truth)
    why = _sigma_unsure(truth, [*claim.links, *([claim.left] if claim.left is not None else [])])
    if why is None or not any(v.status == "wrong" for v in verdicts):
        return verdicts
    generic = replace(claim, left=None if claim.left is None else rewrites.as_the_activation(claim.left),
                      links=tuple(rewrites.as_the_activation(x) for x in claim.links))
    if any(v.status != "correct" for v in _judge_definition(generic, variable, truth)):
        return verdicts
    return [replace(v, status="cannot check", reason=why, explanations=()) if v.status == "wrong" else v
            for v in verdicts]


def _judge_definition(claim: Claim, variable: str, truth: Truth) -> list[Verdict]:
    """A function's definition; `f(z) = \\max(0, z)` where the network has several activations (or one beside
    softmax, which f names no slope of): the definition of the one it holds for, if one does."""
    left = claim.left
    # a linear layer's f'(z) = 1 says nothing of which f is meant: not taken as the definition's
    used = sorted({n.activation.name for n in truth.network.neurons} & set(ACTIVATIONS) - {"identity"})
    if not (isinstance(left, Call) and left.function in ("act", "dact") and used):  # relu beside softmax: relu
        return _identity_links(claim, variable, truth)
    for name in used:
        which = replace(claim, left=Call(ACTIVATIONS[name][left.function == "dact"], left.arg))
        verdicts = _identity_links(which, variable, truth)
        if verdicts and all(v.status == "correct" for v in verdicts):
            return [replace(v, reason=f"{v.reason}, f being the network's {name}") for v in verdicts]
    return _identity_links(claim, variable, truth)


def _identity_links(claim: Claim, variable: str, truth: Truth) -> list[Verdict]:
    """Each link of a function's definition equals the function at several values of its variable."""
    assert claim.left is not None
    verdicts = []
    for i, link in enumerate(claim.links, start=2):
        differ, pairs = [], []
        try:
            for text in IDENTITY_POINTS:
                own = OwnNames()
                own.define(variable, Num(text), real(text), claim.line)
                point = Evaluator(truth, own)
                want, got = point.evaluate(claim.left), point.evaluate(link)
                pairs.append((want, got))
                if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one):
                    differ.append(text)
        except (Unknown, OutOfRange, ArithmeticError, ValueError) as exc:
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc)))
            continue
        values = ", ".join(IDENTITY_POINTS)
        if not differ:
            verdicts.append(Verdict(claim.line, claim.text, i, "correct", None, None,
                                    f"holds for every {variable} (compared at {variable} = {values})"))
        elif not names_in(link):  # f_1(z_1) = 1/(1 + e^{-z_1}) = 0.9933, = 0.622 * 0.378: the value at one z_1
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None,
                                    f"a value at one {variable}, which is not read"))
        elif len(differ) < len(IDENTITY_POINTS) and variable not in names_in(link):
            # f'(z) = 1 (for z > 0): a value the function takes for some values only, whose condition is prose
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None,
                                    f"holds for some values of {variable} only (the condition is not read)"))
        else:
            verdicts.append(Verdict(claim.line, claim.text, i, "wrong", None, None,
                                    f"does not hold for every {variable}: at {variable} = {differ[0]} "
                                    "the sides differ", confusions.identity_cause(pairs)))
    return verdicts


def _judge_operator(claim: Claim, truth: Truth, evaluator: Evaluator) -> list[Verdict]:
    """`d/dX (F) = A = B`: each link (the chain's second on) is the formula on the left, the derivative
    operator applied: judged at the spec's values and, as a formula, at random points."""
    assert claim.left is not None
    left, verdicts = claim.left, []
    evaluator.sample = claim.sample
    try:
        for i, link in enumerate(claim.links, start=2):
            try:
                right, claimed = evaluator.evaluate(left), evaluator.evaluate(link)
            except (Unknown, OutOfRange) as exc:
                verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc)))
                continue
            except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
                why = str(exc) or type(exc).__name__
                verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, f"not a number ({why})"))
                continue
            # of written numbers alone (`\sigma'(1.096) = 0.750 (1 - 0.750)`): the person's own arithmetic, each
            # number as rounded as any, one carrying a slip too (the left side carries it as well)
            spread = _spread(evaluator, truth) if names_in(left) else \
                (lambda n: Spread(evaluator, truth.given, rounded_from=1).of(n))
            verdict = compare(claim, i, link, right, claimed, spread, truth.given)
            if verdict.status == "wrong" and i == 2 and _off_by_rounding(left, link, right, claimed, truth, evaluator):
                verdict = replace(verdict, status="cannot check", explanations=(), reason=(
                    "off by its last digit from the numbers before it, within their rounding if they were rounded: "
                    "whether they were is not told"))
            if verdict.status == "correct" and symbolic(link, evaluator.own):
                verdict = _operator_in_general(verdict, left, link, truth, evaluator)
            elif verdict.status == "wrong" and not symbolic(link, evaluator.own):
                verdict = diagnosis.expression(verdict, left, link, claim.links[:i - 2], verdicts, truth, evaluator)
            if verdict.status == "wrong" and isinstance(left, Name):
                verdict = _named_cause(verdict, canonical(left.name), link, claim, truth, evaluator)
            if verdict.status == "wrong" and not verdict.explanations:  # the left side's value, its point moved
                verdict = replace(verdict, explanations=confusions.decimal_point(literal(link), [right], None)
                                  or confusions.sign_flipped(literal(link), right, *(
                                      [verdicts[-1].claimed] if verdicts and verdicts[-1].claimed else [])))
            verdicts.append(verdict)
    finally:
        evaluator.sample = None
    return verdicts


def _named_cause(verdict: Verdict, target: str, link: Node, claim: Claim, truth: Truth,
                 evaluator: Evaluator) -> Verdict:
    """A wrong link about a quantity written as a vector's entry (`[w_5^+, b_2^+] = [...]`): its cause, as for
    a claim headed by the quantity's name."""
    assert verdict.claimed is not None
    if symbolic(link, evaluator.own):
        found = explain_formula(truth, target, link, evaluator, claim.line, verdict.claimed)
    else:
        found = diagnosis.explained(link, target, verdict.claimed, diagnosis.spread_of(link, evaluator, truth), truth,
                                    evaluator)
    return replace(verdict, explanations=found) if found else verdict


def _operator_in_general(verdict: Verdict, left: Node, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict:
    """A link right at the spec's values must also equal the operator's side at random values."""
    rng = random.Random(verdict.line * 1_000 + verdict.link)
    absolute, signs = _absolute(link), set[tuple[int, bool]]()
    for k in range(SIGNED_POINTS if absolute else POINTS):  # with |u|, until u has taken both signs
        if k >= POINTS and len(signs) == 2 * len(absolute):
            break
        point = Evaluator(PointTruth(truth, rng, given_names(link, truth)), evaluator.own, at_truth=False)
        try:
            want, got = point.evaluate(left), point.evaluate(link)
            signs |= {(i, point.evaluate(u) >= 0) for i, u in enumerate(absolute)}
        except (Unknown, ArithmeticError, ValueError):  # nothing to compare beyond the spec's values
            return replace(verdict, status="cannot check", reason=ONE_SIGN) if absolute else verdict
        if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one):
            return replace(verdict, status="wrong", reason=(
                f"right at the spec's values but not in general: at random values it gives {show(got, 9).text}, "
                f"the derivative on the left gives {show(want, 9).text}"))
    if len(signs) < 2 * len(absolute):
        return replace(verdict, status="cannot check", reason=ONE_SIGN)
    return replace(verdict, reason="equals the derivative on the left (at the spec's values and at random points)")


def _claimed(link: Node, target: str, sample: str | None, truth: Truth, evaluator: Evaluator) -> Real:
    """The link's value; a formula in one sample's quantities for a batch quantity (E_total, dE_total/dw)
    is taken at every sample and summed or averaged as the batch is, which is what the batch value is."""
    if not (truth.batch and sample is None and split_sample(target)[0] in truth._batch_names
            and _per_sample(link, truth, evaluator.own)) or "sum_s" in functions_in(link):
        return evaluator.evaluate(link)  # a sum over the samples written (sum_s) is the batch's already
    values = []
    for name in truth.samples:
        evaluator.sample = name
        values.append(evaluator.evaluate(link))
    evaluator.sample = None
    total = CTX.fsum(values)
    return total / len(values) if truth.network.spec.training.reduction == "mean" else total


def _per_sample(link: Node, truth: Truth, own: OwnNames) -> bool:
    """True when the link names a quantity that differs between samples, without naming the sample."""
    shared = {p.name for p in truth.network.params} | {truth.network.eta.name} | truth._batch_names
    shared |= set(optimizer_constants(truth.network))
    return any(n not in own.nodes and split_sample(n)[1] is None and "@" not in n and n not in shared
               for n in names_in(link))


DERIVED_PREFIXES = ("net_", "out_", "E_", "delta_", "target_")


# an error of the network's notation: of a neuron (E_o1, E_hb2) or the total; E_MSE, E_MAE are names of one's own
_ERROR_OF = re.compile(r"E_(?:[A-Za-z]{1,3}\d+(?:_\d+)?|total)")


def _may_be_own(name: str) -> bool:
    """A person may name intermediate results (R1, E_MSE for another loss), but not in the network's own
    notation (E_o1, net_h1)."""
    notation = name.startswith(DERIVED_PREFIXES) and (not name.startswith("E_") or _ERROR_OF.fullmatch(name))
    return not (name.startswith("d:") or notation or "@" in name or "[" in name)


POINTS = 3
SIGNED_POINTS = 24  # at most, for a formula with |u|: enough for u to take both signs where it can
ONE_SIGN = "agrees at the spec's values, where |u| is u or -u: whether it does where u has the other sign is not known"


def _absolute(node: Node) -> list[Node]:
    """The argument u of each |u| in a formula."""
    if isinstance(node, Call):
        return ([node.arg] if node.function == "abs" else []) + _absolute(node.arg)
    if isinstance(node, Unary):
        return _absolute(node.arg)
    if isinstance(node, Binary):
        return _absolute(node.left) + _absolute(node.right)
    return []


def _numbers_of_your_own(link: Node, own: OwnNames) -> list[str]:
    """The person's own names in a formula that stand for numbers they wrote (not for formulas): at random
    values of the network they keep those numbers, so the formula cannot be compared there."""
    return [n for n in own.closure(link) if not own.symbolic[n]]


def _values_written(link: Node, truth: Truth) -> list[str]:
    """The numbers of a formula that are no value the spec gives but the value some quantity has at the spec's
    numbers (relu's slope 1, an output 0.5933): written for that quantity, they hold at this point only."""
    found = []
    for number in numbers_in(link):
        whole = "." not in number.text and "e" not in number.text.lower()
        if whole and number not in _factors(link):
            continue  # the 1 of 1 - out is the formula's own, not a value written for a quantity
        signed = [s + number.text for s in ("", "-") if truth.stands_for(s + number.text)]  # -0.18 x h_1: dL/dy
        if (whole or truth.given(number) is None) and signed:
            found.append(signed[0])  # (a decimal that is a value the spec gives is that value: w8 - 0.55)
    return found


def _factors(node: Node) -> list[Num]:
    """The numbers of a formula that stand alone as factors of a product (the 1 of dL/da * 1)."""
    if isinstance(node, Binary):
        mine = [side for side in (node.left, node.right) if node.op == "*" and isinstance(side, Num)]
        return mine + _factors(node.left) + _factors(node.right)
    if isinstance(node, (Unary, Call)):
        return _factors(node.arg)
    return []


def _made_given(target: str, link: Node, truth: Truth) -> bool:
    """A formula saying how a given was made: a target's from the inputs and constants only, an input's from
    no quantity of the network (`y_1 = out_o1 - 0.7414` agrees at the spec's values, but says nothing true)."""
    network = truth.network
    inputs = {i.name for i in network.inputs}
    names = names_in(link)
    if target in {o.target.name for o in network.outputs}:
        return all(n in inputs or not _known(truth, n) for n in names)
    return target in inputs and not any(_known(truth, n) for n in names)


def _in_general(verdict: Verdict, target: str, link: Node, truth: Truth, evaluator: Evaluator,
                specialised: tuple[str, ...] = ()) -> Verdict:
    """A formula right at the spec's values must also be right at random values of every input (but those
    the document has set to 0 or 1 before it, as a formula for that case)."""
    if _made_given(target, link, truth):
        # `y = x_1 + x_2`: how a given number was made (the function to learn), not a formula of the network
        return replace(verdict, reason="agrees at the spec's values (a given, made by this formula)")
    if len({split_sample(n)[1] for n in names_in(link)} - {None}) > 1:  # a random point stands for one sample
        return replace(verdict, status="cannot check", reason=(
            "agrees at the spec's values, but it is a formula of several samples' values, which random values "
            "(one sample's) cannot test: a wrong formula may agree at one point"))
    fixed = _numbers_of_your_own(link, evaluator.own)
    if fixed:
        return replace(verdict, reason=f"agrees at the spec's values ({', '.join(fixed)} taken as the numbers "
                                       "written for them)")
    rng = random.Random(verdict.line)
    signs: set[tuple[int, bool]] = set()  # each |u| of the formula: the signs u took at the points
    absolute = _absolute(link)
    for k in range(SIGNED_POINTS if absolute else POINTS):  # with |u|, until u has taken both signs
        if k >= POINTS and len(signs) == 2 * len(absolute):
            break
        point = PointTruth(truth, rng, tuple(dict.fromkeys(given_names(link, truth) + specialised)))
        at_point = Evaluator(point, evaluator.own, at_truth=False)
        try:
            want, got = point.value(target), at_point.evaluate(link)
            signs |= {(i, at_point.evaluate(u) >= 0) for i, u in enumerate(absolute)}
        except (Unknown, ArithmeticError, ValueError):  # nothing to compare beyond the spec's values
            return replace(verdict, status="cannot check", reason=ONE_SIGN) if absolute else verdict
        if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one) and absolute:
            return replace(verdict, status="wrong", reason=f"right at the spec's values but not in general: the "
                           f"closed form is {point.closed_form(target)}", explanations=(
                               "sign: |u| is u only where u >= 0: the sign it drops is the formula's",))
        if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one):
            standing = _values_written(link, truth)
            if standing:  # dL/da * 1 with relu's slope written as the 1 it is here: a formula at this point
                return replace(verdict, reason=f"agrees at the spec's values ({', '.join(standing)} written as "
                                               "the value it has there)")
            where = ", ".join(f"{k} = {show(v, 4).text}" for k, v in point.chosen.items())
            return replace(verdict, status="wrong", reason=(
                f"right at the spec's values but not in general: at {where} it gives "
                f"{show(got, 9).text}, the truth is {show(want, 9).text}; "
                f"the closed form is {point.closed_form(target)}"))
    if len(signs) < 2 * len(absolute):  # |u| = u wherever u kept its sign: not shown in general
        return replace(verdict, status="cannot check", reason=ONE_SIGN)
    kept = "as the class label" if _class_label(truth) else "as stated"
    held = "".join(f", {n} = {show(truth.values[n], 9).text} {kept}" for n in specialised)
    return replace(verdict, reason=f"equals the closed form (at the spec's values and at random points{held})")




def _specialised(truth: Truth, evaluator: Evaluator, sample: str | None, link: Node | None = None) -> tuple[str, ...]:
    """The targets the document has stated, rightly, to be 0 or 1 (`Since y = 0, L = -log(1 - a)`), or every
    target of a one-hot class label, and the biases it has stated to be the 0 they are (where the formula does
    not use them: `A = W X` drops them, `x + b` keeps them): a formula after that
    is one for the case, not in general, and is compared with the truth at it. Inputs stay random: a formula
    that drops an input stated as 1 (dE/dw1 = delta) is the missing-input mistake."""
    names = [o.target.name for o in truth.network.outputs]
    if _class_label(truth):  # `L = -\log(p_0)` for the class 0: the loss of that one class, as one-hot targets say
        return tuple(names)
    written = evaluator.document.at(sample)
    targets = [n for n in names if n in written and not written[n].wrong and written[n].value in (0, 1)]
    # a bias stated as the 0 it is (`b^{[1]} = 0`): `A = W X` is the network's formula, not one dropping it
    biases = [p.name for p in truth.network.params if p.kind == "bias" and truth.values[p.name] == 0]
    stated = evaluator.document.at(None)  # a parameter is stated for every sample
    used = set(names_in(link)) if link is not None else set()  # `x + b` keeps b: 0 there would hide a slip
    return tuple(targets + [n for n in biases if n in stated and not stated[n].wrong and stated[n].value == 0
                            and n not in used])


def _class_label(truth: Truth) -> bool:
    """One sample of a softmax output layer whose targets are one-hot (a class label, not numbers to vary)."""
    network, samples = truth.network, truth.network.spec.samples
    softmax = not network.layers[-1][0].activation.elementwise
    return softmax and len(samples) == 1 and sorted(samples[0].targets) == [0] * (len(samples[0].targets) - 1) + [1]


def given_names(link: Node, truth: Truth) -> tuple[str, ...]:
    """The quantities given by the spec whose values the link writes as decimal numbers in their place
    (a link that also names the quantity uses the number for something else: w8 - 0.55 stays random)."""
    named = set(names_in(link))
    names = [truth.given(n) for n in numbers_in(link) if "." in n.text]
    return tuple(dict.fromkeys(n for n in names if n is not None and n not in named))


def _known(truth: Truth, name: str) -> bool:
    try:
        truth.value(name)
    except Unknown:
        return False
    return True


def _spread(evaluator: Evaluator, truth: Truth) -> Callable[[Node], Real]:
    """The spread of a link's written numbers, worked out only when a verdict needs it."""
    return lambda link: Spread(evaluator, truth.given).of(link)
