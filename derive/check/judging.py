"""A claim judged: one verdict per link of its chain, each link against the truth of the quantity at its
head (a formula also at random points), a wrong number or formula explained by the catalogued mistakes."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from derive.check.claims import Claim, Node, Num, Unary, names_in, numbers_in
from derive.check.digits import agrees_to_written_digits, significant, tolerance
from derive.check.formulas import explain_formula
from derive.check.truth import PointTruth, Truth, Unknown, optimizer_constants, split_sample
from derive.check.values import Evaluator, OutOfRange, OwnNames, Spread, symbolic
from derive.model.precision import CTX, Real, show


@dataclass(frozen=True)
class Verdict:
    line: int
    text: str
    link: int  # 1-based position of the link in the chain
    status: str  # correct | wrong | cannot check
    truth: Real | None
    claimed: Real | None
    reason: str
    explanations: tuple[str, ...] = ()  # for a wrong number: the mistakes that reproduce it
    reading: str = ""  # on a network of several samples: which sample (or the batch) was judged
    entry: str = ""  # of a claim about whole vectors or matrices: the entry judged (`entry (2, 1), dE_total/dw7`)

    @property
    def relative_error(self) -> Real | None:
        if self.truth is None or self.claimed is None or self.truth == 0:
            return None
        return abs(self.claimed - self.truth) / abs(self.truth)




def judge(claim: Claim, truth: Truth, evaluator: Evaluator) -> list[Verdict]:
    """One verdict per link of the claim's chain."""
    if claim.left is not None:
        return [replace(v, entry=claim.entry) for v in _judge_operator(claim, truth, evaluator)]
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
    target = claim.target.name
    own = _may_be_own(target) and not _known(truth, target)
    if own and target in evaluator.own.nodes:
        return [Verdict(claim.line, claim.text, 1, "cannot check", None, None,
                        f"{target} is already defined on line {evaluator.own.lines[target]}")]
    verdicts = []
    for i, link in enumerate(claim.links, start=1):
        try:
            claimed = _claimed(link, target, sample, truth, evaluator)
            right = claimed if own else truth.value(target, sample)
        except Unknown as exc:
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc)))
            continue
        except OutOfRange as exc:
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, str(exc)))
            continue
        except (ZeroDivisionError, ValueError, ArithmeticError) as exc:
            why = str(exc) or type(exc).__name__
            verdicts.append(Verdict(claim.line, claim.text, i, "cannot check", None, None, f"not a number ({why})"))
            continue
        if own and i == 1:
            evaluator.own.define(target, link, claimed, claim.line)
            verdicts.append(Verdict(claim.line, claim.text, i, "defined", claimed, claimed, "your own name"))
            continue
        verdict = _verdict(claim, i, link, right, claimed, _spread(evaluator, truth), truth.given)
        if verdict.status == "correct" and symbolic(link, evaluator.own):
            verdict = _in_general(verdict, target, link, truth, evaluator)
        literal = _literal(link)
        if verdict.status == "wrong" and literal is not None and not own:
            verdict = replace(verdict, explanations=truth.explain(target, literal))
        elif verdict.status == "wrong" and not own and symbolic(link, evaluator.own):
            verdict = replace(verdict, explanations=explain_formula(truth, target, link, evaluator, claim.line))
        verdicts.append(verdict)
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
            verdict = _verdict(claim, i, link, right, claimed, _spread(evaluator, truth), truth.given)
            if verdict.status == "correct" and symbolic(link, evaluator.own):
                verdict = _operator_in_general(verdict, left, link, truth, evaluator)
            verdicts.append(verdict)
    finally:
        evaluator.sample = None
    return verdicts


def _operator_in_general(verdict: Verdict, left: Node, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict:
    """A link right at the spec's values must also equal the operator's side at random values."""
    rng = random.Random(verdict.line * 1_000 + verdict.link)
    for _ in range(POINTS):
        point = Evaluator(PointTruth(truth, rng, _given_names(link, truth)), evaluator.own, at_truth=False)
        try:
            want, got = point.evaluate(left), point.evaluate(link)
        except (Unknown, ArithmeticError, ValueError):
            return verdict  # nothing to compare beyond the spec's values
        if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one):
            return replace(verdict, status="wrong", reason=(
                f"right at the spec's values but not in general: at random values it gives {show(got, 9).text}, "
                f"the derivative on the left gives {show(want, 9).text}"))
    return replace(verdict, reason="equals the derivative on the left (at the spec's values and at random points)")


def _claimed(link: Node, target: str, sample: str | None, truth: Truth, evaluator: Evaluator) -> Real:
    """The link's value; a formula in one sample's quantities for a batch quantity (E_total, dE_total/dw)
    is taken at every sample and summed or averaged as the batch is, which is what the batch value is."""
    if not (truth.batch and sample is None and split_sample(target)[0] in truth._batch_names
            and _per_sample(link, truth, evaluator.own)):
        return evaluator.evaluate(link)
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


def _may_be_own(name: str) -> bool:
    """A person may name intermediate results (R1), but not in the network's own notation."""
    return not (name.startswith(("d:", *DERIVED_PREFIXES)) or "@" in name or "[" in name)


POINTS = 3


def _in_general(verdict: Verdict, target: str, link: Node, truth: Truth, evaluator: Evaluator) -> Verdict:
    """A formula right at the spec's values must also be right at random values of every input."""
    rng = random.Random(verdict.line)
    for _ in range(POINTS):
        point = PointTruth(truth, rng, _given_names(link, truth))
        try:
            want, got = point.value(target), Evaluator(point, evaluator.own, at_truth=False).evaluate(link)
        except (Unknown, ArithmeticError, ValueError):
            return verdict  # nothing to compare beyond the spec's values
        if abs(got - want) > CTX.mpf(10) ** -30 * max(abs(want), CTX.one):
            where = ", ".join(f"{k} = {show(v, 4).text}" for k, v in point.chosen.items())
            return replace(verdict, status="wrong", reason=(
                f"right at the spec's values but not in general: at {where} it gives "
                f"{show(got, 9).text}, the truth is {show(want, 9).text}; "
                f"the closed form is {point.closed_form(target)}"))
    return replace(verdict, reason="equals the closed form (at the spec's values and at random points)")




def _given_names(link: Node, truth: Truth) -> tuple[str, ...]:
    """The quantities given by the spec whose values the link writes as decimal numbers in their place
    (a link that also names the quantity uses the number for something else: w8 - 0.55 stays random)."""
    named = set(names_in(link))
    names = [truth.given(n) for n in numbers_in(link) if "." in n.text]
    return tuple(dict.fromkeys(n for n in names if n is not None and n not in named))


def _literal(link: Node) -> str | None:
    """The text of a link that is one written number, else None."""
    if isinstance(link, Num):
        return link.text
    if isinstance(link, Unary) and link.op == "-" and isinstance(link.arg, Num):
        return "-" + link.arg.text
    return None


def _known(truth: Truth, name: str) -> bool:
    try:
        truth.value(name)
    except Unknown:
        return False
    return True


def _spread(evaluator: Evaluator, truth: Truth) -> Callable[[Node], Real]:
    """The spread of a link's written numbers, worked out only when a verdict needs it."""
    return lambda link: Spread(evaluator, truth.given).of(link)


def _verdict(claim: Claim, i: int, link: Node, truth: Real, claimed: Real,
             spread: Callable[[Node], Real] | None = None,
             given: Callable[[Num], str | None] = lambda n: None) -> Verdict:
    if isinstance(link, Num) or (isinstance(link, Unary) and isinstance(link.arg, Num)):
        text = link.text if isinstance(link, Num) else "-" + link.arg.text  # type: ignore[union-attr]
        ok = agrees_to_written_digits(truth, text)
        reason = "agrees to the digits written" if ok else f"does not agree to the {significant(text)} digits written"
    else:
        ok = abs(claimed - truth) <= tolerance(link, given) * max(abs(truth), CTX.mpf(10) ** -40)
        if not ok and spread is not None:
            try:
                ok = abs(claimed - truth) <= spread(link) * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30 * abs(truth)
            except (ArithmeticError, ValueError):
                ok = False
        reason = ("agrees within the precision of its numbers" if ok
                  else f"evaluates to {show(claimed, 9).text}, the truth is {show(truth, 9).text}")
    return Verdict(claim.line, claim.text, i, "correct" if ok else "wrong", truth, claimed, reason)
