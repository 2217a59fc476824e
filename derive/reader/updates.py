"""A name that may stand for a value before or after the update, judged in the reading its value matches.

A bare parameter name may stand for the value after an update (`w_4 = 0.29950299` under "updating the
weights"): both readings are judged and the one the value matches is taken, and the verdict says so. So may a
name of the forward pass where the text just before it says the weights were updated ("After updating the
weights the forward pass is repeated: y4 = 0.56") and updated weights were written before it: it is the
value at the updated weights. Such a value can only be
told wrong where the person's own updated weights are known and right: one that differs from the network's
may follow from updated weights the document wrote where they could not be read, so it cannot be checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from derive.check.claims import Binary, Call, Claim, Name, Node, Unary, numbers_in
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.judging import judge
from derive.check.numbering import NUMBERED
from derive.check.truth import Truth, Unknown
from derive.check.values import Evaluator
from derive.check.verdicts import Verdict, literal
from derive.model.precision import Real, real, show
from derive.reader.aliases import renamed
from derive.reader.maths import Chain
from derive.reader.spans import MATH, Span, near

AFTER_UPDATE = "read as the value after one update"
BEFORE_UPDATE = "read as the value before the update"
# The text before a span saying the weights have been updated (English, Chinese).
UPDATED = re.compile(r"after (the )?(weights? |parameters? )?(are |were |have been )?updat|updated (weights|parameters)"
                     r"|new (weights|outputs?|predictions?|loss|errors?|forward)"
                     r"|更新后|更新之后|更新以后|新的权重", re.I)

# A weight or bias marked as updated, stated as a number (`w_5^+ = 0.3589`, `w_{1,2}(new)=0.273225`,
# `W_{new} = ...`, `w'_5 = ...`), though its name may not be read.
NEW_WEIGHT = re.compile(r"(?<![A-Za-z])(?:[wWbB]|\\theta)(?:[_{}\d,\s]|\^\{?[+*]|\(new\)|new|'|′)*?"
                        r"(?:\^\s*\{?\s*[+*]|\(new\)|new|'|′)[^=$]*=[^$]*?[-−]?\d+\.\d", re.I)


def judge_readings(claim: Claim, chain: Chain, span: Span, truth: Truth,
                   evaluator: Evaluator) -> tuple[list[Verdict], str]:
    """The verdicts of the reading the values match, when the left side may be a value after an update."""
    target = claim.target.name
    if (later := _later_update(claim, truth, evaluator)) is not None:
        return later
    forward = _forward(truth, target) and any(UPDATED.search(p) for p in near(span.lead))
    # a derivative after the forward pass at the updated weights: the next update's, preferred
    slope = target.startswith("d:") and "@" not in target and len(truth.samples) == 1 and \
        _pass_after_written(truth, evaluator, claim.sample)  # of several samples, which one is not told
    if not _is_parameter(truth, target) and not forward and not slope:
        return judge(claim, truth, evaluator), ""
    # a forward-pass value after the update is the preferred reading only where updated weights were written
    weights = (forward or slope) and _weights_written(span, truth, evaluator, claim.sample)
    after = replace(claim, target=Name(target + "@1"), left=None)
    if weights or (target == truth.network.e_total.name and _weights_written(span, truth, evaluator, claim.sample)):
        # E after the update = 1/2 (o_1 - t)^2, the person's updated weights written: o_1 after it too
        after = replace(after, links=tuple(renamed(x, _after_update(truth)) for x in claim.links))
    prefer_after = weights or (not forward and not slope and (chain.update or span.mentions_update or
                                                any(target in _names(x) for x in claim.links)))
    readings = [(after, AFTER_UPDATE), (claim, BEFORE_UPDATE)]
    if not prefer_after or _initial(span):
        readings.reverse()
    if (not prefer_after and not forward and not _worked_before(truth, evaluator)) or _initial(span):
        readings = readings[:1]  # a parameter stated before any working, or as where it started: the given
    start = evaluator.document
    judged = []
    for c, note in readings:  # the preferred reading first; the other only when this one is not right
        evaluator.document = start.copy()  # each reading on what was written before the claim, not on the other's
        judged.append((judge(c, truth, evaluator), note, evaluator.document))
        if not _count(judged[-1][0], "wrong", "carried") and _count(judged[-1][0], "correct"):
            return judged[-1][0], _reading(note, target)
    # the reading with the fewest new errors, then the most right links (a slip carried forward is no
    # new error), then the one with a cause for its error, in the order of preference
    ranked = sorted(range(len(judged)), key=lambda i: (_count(judged[i][0], "wrong"), -_count(judged[i][0], "correct"),
                                                      not any(v.explanations for v in judged[i][0]), i))
    verdicts, note, evaluator.document = judged[ranked[0]]
    if weights and note == AFTER_UPDATE:
        verdicts = _unknown_weights(verdicts, truth, evaluator, claim.sample, target)
    if note == BEFORE_UPDATE:
        verdicts = _numbered_otherwise(claim, verdicts, truth, evaluator)
    if _count(verdicts, "wrong") and _worked_before(truth, evaluator):  # or another's value after the update
        verdicts = _numbered_otherwise(replace(claim, target=Name(target + "@1")), verdicts, truth, evaluator, "@1")
    return verdicts, _reading(note, target)


# words that say a value is where the learning started (`The model started with w = 0.5`, `初始`)
_INITIAL = re.compile(r"(?i)\b(?:start(?:ed|s|ing)?|began|begins?|initial(?:ly)?|at first)\b|初始|一开始")


def _initial(span: Span) -> bool:
    """Whether the sentence of the span's paragraph before it says the value is the one learning started from."""
    paragraph = span.lead[-1] if span.lead else ""
    at = paragraph.find(span.source)
    return at > 0 and _INITIAL.search(re.split(r"[.。!?！？;；]\s*", paragraph[:at])[-1]) is not None


def _numbered_otherwise(claim: Claim, verdicts: list[Verdict], truth: Truth, evaluator: Evaluator,
                        after: str = "") -> list[Verdict]:
    """A parameter stated as a bare number that is wrong under its name but exactly another parameter's value
    of its kind (`b_3 = 0.3` where b3 is 0.1 and b5 is 0.3; `after` "@1": their values after the update): the
    document may number its parameters otherwise (per layer, from 0), so which it states cannot be told; it is
    no slip to carry either."""
    params = {p.name + after: p for p in truth.network.params}
    mine = params.get(claim.target.name)
    text = literal(claim.links[-1]) if len(claim.links) == 1 else None
    # an entry of a matrix is named by its place, which the other entries confirm
    if mine is None or text is None or claim.entry or [v.status for v in verdicts] != ["wrong"]:
        return verdicts
    others = [p.name + after for p in params.values() if p.kind == mine.kind and p.name != mine.name
              and _equal(truth.value(p.name + after, claim.sample), text, after)]
    if not others:
        return verdicts
    v = verdicts[0]
    if v.claimed is not None:
        evaluator.document.forget(range(v.line, v.line + 1), v.claimed)
    evaluator.conventions[NUMBERED + mine.name] = (text, v.line)  # its later uses cannot be checked either
    return [replace(v, status="cannot check", explanations=(), reason=(
        f"{text} is not {claim.target.name} ({show(truth.value(claim.target.name, claim.sample), 9).text}) but is "
        f"{', '.join(others[:3])}: the document may number its parameters otherwise; which it means is not read"))]


def _equal(value: Real, text: str, after: str) -> bool:
    """A given is another's exactly; a value after the update, or to four digits written or more (fewer may
    round several)."""
    return value == real(text) or (bool(after) and significant(text) >= 4 and agrees_to_written_digits(value, text))


def _worked_before(truth: Truth, evaluator: Evaluator) -> bool:
    """Whether anything but the spec's givens was written before (a value worked out, or an equation that could
    not be read): until then a parameter's number is the value it starts from, never one after an update."""
    givens, document = truth.network.givens, evaluator.document
    return bool(document.unread) or any(name not in givens for name, _ in document.written)


def _weights_written(span: Span, truth: Truth, evaluator: Evaluator, sample: str | None) -> bool:
    """Whether the person has written updated weights before the span (read, or stated as numbers under a
    name marked as new). Without them a forward-pass value is the network's, its slip a new one."""
    written = evaluator.document.at(sample)
    return any(f"{p.name}@1" in written for p in truth.network.params if p.trainable) or \
        any(NEW_WEIGHT.search(m.group()) for p in span.lead[:-1] for m in MATH.finditer(p))


def _unknown_weights(verdicts: list[Verdict], truth: Truth, evaluator: Evaluator, sample: str | None,
                     target: str) -> list[Verdict]:
    """A value of the forward pass after the update, wrong against the network's: cannot check, unless the
    person's updated value of every parameter was read and found right (then it is a new error)."""
    written = evaluator.document.at(sample)
    unread = [p for p in _upstream(truth, target) if f"{p}@1" not in written]
    if not unread:
        return verdicts
    shown = ", ".join(unread[:4]) + (" ..." if len(unread) > 4 else "")
    why = (f"the value after the update, which may follow from the person's own updated {shown}, not read or not "
           "right: a slip carried from them cannot be told from a new one")
    for v in verdicts:
        if v.status == "wrong" and v.claimed is not None:  # not a slip to carry: it was never called wrong
            evaluator.document.forget(range(v.line, v.line + 1), v.claimed)
    return [replace(v, status="cannot check", explanations=(), reason=why) if v.status == "wrong" else v
            for v in verdicts]


def _after_update(truth: Truth) -> Callable[[str], str]:
    """In a formula for a value of the forward pass after the update, every value of the network but its
    data (inputs, targets, the learning rate) is the one after the update too."""
    data = truth.network.data
    return lambda name: f"{name}@1" if name in truth.values and name not in data else name


def _upstream(truth: Truth, name: str) -> list[str]:
    """The trainable parameters a value of the forward pass comes from (those of its layer and the ones before;
    of a derivative, all)."""
    network = truth.network
    layer = next((i for i, neurons in enumerate(network.layers) if any(name in (n.net.name, n.out.name)
                                                                        for n in neurons)), len(network.layers))
    before = {n.name for neurons in network.layers[:layer + 1] for n in neurons}
    return [p.name for p, usages in zip(network.params, network.usages)
            if p.trainable and any(u.neuron.name in before for u in usages)]


def _pass_after_written(truth: Truth, evaluator: Evaluator, sample: str | None) -> bool:
    """Whether a value of the forward pass after the update (or the error after it) was read before."""
    written = evaluator.document.at(sample)
    names = [name for n in truth.network.neurons for name in (n.net.name, n.out.name)] + [truth.network.e_total.name]
    return any(f"{name}@1" in written for name in names)


def _forward(truth: Truth, name: str) -> bool:
    """A quantity of the forward pass (a net or an output), not yet marked as after an update."""
    return any(name in (n.net.name, n.out.name) for n in truth.network.neurons)


def _count(verdicts: list[Verdict], *statuses: str) -> int:
    return sum(v.status in statuses for v in verdicts)


def _later_update(claim: Claim, truth: Truth, evaluator: Evaluator) -> tuple[list[Verdict], str] | None:
    """`b_new = 0.09 - 0.01 x (-7.2)` where 0.09 is b after one update: the update worked from it is the next
    one, b after two (a second iteration's `new`), judged so; None for any other claim."""
    base, at, step = claim.target.name.partition("@")
    first = claim.links[0] if claim.links else None
    # `w = w - \alpha \delta_2 = 0.02 - 0.01 \cdot (-7.92)`: an assignment, its value before in the next link
    assigned = isinstance(first, Binary) and first.left == Name(base) and len(claim.links) > 1 and \
        literal(claim.links[1]) is None  # `w = w - a g = 0.3589`: its second link is the result, no value before
    if assigned and not at:  # an assignment's name is the value after the update it states
        at, step = "@", "1"
    if first is None or not at or not step.isdigit() or not _is_parameter(truth, base):
        return None
    try:
        now = truth.value(f"{base}@{step}", claim.sample)
    except (Unknown, ArithmeticError, ValueError):
        return None
    numbers = numbers_in(claim.links[1] if assigned else first)
    if not numbers or not _equal(now, numbers[0].text, "@") or real(numbers[0].text) == truth.value(base, claim.sample):
        return None  # the value after the update exactly, or to four digits: fewer may round the one before too
    later = replace(claim, target=Name(f"{base}@{int(step) + 1}"))
    if assigned:  # the name on the right is the value it starts from
        later = replace(later, links=(renamed(first, lambda n: f"{base}@{step}" if n == base else n),
                                      *claim.links[1:]))
    with evaluator.apart():  # the later reading, kept only where it holds and the first does not
        verdicts, taken = judge(claim, truth, evaluator), evaluator.state()
    if not _count(verdicts, "wrong"):
        evaluator.restore(taken)
        return verdicts, ""
    second = judge(later, truth, evaluator)  # it starts from the value after one: the second, right or wrong
    return second, f"{later.target.name}: read as the update after {base}@{step} ({show(now, 9).text}), which it " \
        "starts from"


def judged_target(claim: Claim, reading: str) -> str:
    """The quantity a claim's verdicts are about, by the reading `judge_readings` took: its own; after the
    update (`w5: read as the value after one update`: w5@1); a later update's (`w5@2: read as ...`)."""
    head = reading.partition(": ")[0]
    if not reading:
        return claim.target.name
    return head if head != claim.target.name else claim.target.name + "@1"


def _reading(note: str, target: str) -> str:
    """Said only when the value after the update was taken: the plain reading needs no note."""
    return f"{target}: {note}" if note == AFTER_UPDATE else ""


def _is_parameter(truth: Truth, name: str) -> bool:
    return name in {p.name for p in truth.network.params} or name == truth.network.e_total.name


def _names(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, (Unary, Call)):
        return _names(node.arg)
    if isinstance(node, Binary):
        return _names(node.left) + _names(node.right)
    return []


__all__ = ["AFTER_UPDATE", "BEFORE_UPDATE", "judge_readings"]
