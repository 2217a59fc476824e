"""Givens of another example: a run of lines that each state one number for a name (`w_1 = 0.25`, `b_1 =
0.12`, `i_1 = 0.8`), most of which are not the network's. Notes set a neuron out on its own to show a loss,
or list weights "after training" to show a prediction; a copying slip changes one given, not most of a run.
Such a run is not judged against the network: its numbers that differ are "cannot check", said why, never
wrong. A given that differs alone, or in a run where most agree, stays wrong, and so do worked results (an
output, a loss) listed wrong with no given of another example among them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TypeVar

from derive.reader.counters import Found, Result

# One name and one number (`w_1 = 0.25`, `b_{1} = -0.12`, `\eta = 1`): a given as a list states it.
GIVEN = re.compile(r"\s*\\?[A-Za-z][A-Za-z0-9_{}\\]*\s*=\s*[-+]?\d+(?:\.\d+)?\s*")
RUN = 3  # numbers in a row not the network's, at least, for a run to be an example's
STATED = 2  # of them, givens at least (inputs, targets, parameters): worked results alone are no example's
NEAR = 2  # lines between one given and the next in a run, at most (a list's items, a blank line)

R = TypeVar("R", bound=Result)


def other_examples(results: Sequence[R], places: Sequence[tuple[int, int]], givens: frozenset[str]) -> list[R]:
    """The results (at their `places`: notebook cell, or 0, and line), each run of `name = number` lines mostly
    not the network's, two of them or more statements of `givens` (inputs, targets, parameters, the rate), made
    "cannot check". Worked results (a net, an output, a loss) listed wrong are no example's givens."""
    judged = list(results)
    for run in _runs(results, places):
        wrong = [k for k in run if _wrong(results[k])]
        stated = [k for k in wrong if all(f.target in givens for f in results[k].found)]
        if len(wrong) < RUN or 2 * len(wrong) <= len(run) or len(stated) < STATED:
            continue
        first, last = places[run[0]][1], places[run[-1]][1]
        why = (f"one of {len(run)} givens in a row (lines {first}-{last}), {len(wrong)} of them not the "
               "network's: another example's numbers, not judged against this network")
        for k in wrong:
            judged[k] = _unsure(results[k], why)
    return judged


# words that offer a value as advice or an example, not as this network's (`Start with $\\alpha = 0.001$`)
OFFERED = re.compile(r"(?i)\b(?:start with|rule of thumb|typically|typical|e\.g\.|for example|for instance|such as|"
                     r"try|usually|commonly|default|recommended|suggested)\b|例如|比如|通常|一般|建议|常用|默认")


def offered(results: Sequence[R], places: Sequence[tuple[str, int]], givens: frozenset[str]) -> list[R]:
    """The results whose span is one given of the network (`\\alpha = 0.001`) not the network's, in a sentence
    (`places`: each span's text and where it starts in it) that offers it as advice or an example: "cannot
    check"."""
    judged = list(results)
    for k, result in enumerate(results):
        said = OFFERED.search(_sentence_before(*places[k]))
        if said is None or not GIVEN.fullmatch(result.span.source) or not _wrong(result) or \
                not all(f.target in givens for f in result.found):
            continue
        judged[k] = _unsure(result, f"a value the text offers as advice or an example (\"{said.group()}\"): not "
                                    "judged against this network")
    return judged


# words that give an input to predict for, not the sample's (`预测新的输入 x = 4`, `for a new input x = 5`)
PREDICTED = re.compile(r"(?i)\b(?:predict\w*|new (?:input|data|sample|point)s?|unseen|test (?:input|point|sample))\b"
                       r"|预测|新的输入|新输入|新样本|新数据|测试")


def predicted(results: Sequence[R], places: Sequence[tuple[str, int]], inputs: frozenset[str]) -> list[R]:
    """The results whose span is one input (`x = 4`) not the sample's, in a sentence (`places`: each span's text
    and where it starts in it) that gives it to predict for: "cannot check"."""
    judged = list(results)
    for k, result in enumerate(results):
        said = PREDICTED.search(_sentence_before(*places[k]))
        if said is None or not GIVEN.fullmatch(result.span.source) or not _wrong(result) or \
                not all(f.target.partition("[")[0] in inputs for f in result.found):
            continue
        judged[k] = _unsure(result, f"an input the text gives to predict for (\"{said.group()}\"), not the "
                                    "sample's: not judged against this network")
    return judged


# words that make `name = number` a condition (`when h = 0`, `当 x = 1 时`, `h = 0 处`), not a value claimed
_IF = re.compile(r"(?:\b(?:when|whenever|if)|当|若|如果)\s*\$*\s*$"
                 r"|(?:\b(?:if|suppose)\b|如果|假如|若)[^.。!?！？$]{0,24}"  # `如果只把偏置改成 b = -2.5`
                 r"(?:\b(?:chang\w*|set|reset|increas\w*|decreas\w*|mov\w*)\b[^.。!?！？$]{0,16}\bto|改成|改为|换成|变成|"
                 r"设为)\s*\$*\s*$", re.I)
_THEN = re.compile(r"\s*\$*\s*(?:时|处|的时候)")


def conditions(results: Sequence[R], places: Sequence[tuple[str, int, int]]) -> list[R]:
    """The results whose span is one `name = number` the words around it make a condition (`places`: each
    span's text, start and end in it), wrong as a claim: "cannot check", said why."""
    judged = list(results)
    for k, result in enumerate(results):
        text, start, end = places[k]
        if not (GIVEN.fullmatch(result.span.source) and _wrong(result)) or not (
                _IF.search(text[max(0, start - 40):start]) or _THEN.match(text, end)):
            continue
        judged[k] = _unsure(result, "a condition the words around it state (when, if, 时), not a value claimed")
    return judged


def turned_rates(results: Sequence[R]) -> list[R]:
    """The results whose span gives the learning rate as minus the network's (`\\eta = -0.2` for 0.2):
    a document that adds the step (`W + \\eta \\partial L / \\partial W`) writes it so, and which it does is
    not told by the given: "cannot check"."""
    judged = list(results)
    for k, result in enumerate(results):
        turned = [f for f in result.found if f.target == "eta" and f.verdict.status == "wrong"
                  and f.verdict.claimed is not None and f.verdict.truth and f.verdict.claimed == -f.verdict.truth]
        if not turned or not GIVEN.fullmatch(result.span.source):
            continue
        judged[k] = _unsure(result, "the learning rate with its sign turned, as a document that adds the step "
                                    "writes it: which, not told", turned)
    return judged


def _unsure(result: R, why: str, which: Sequence[Found] | None = None) -> R:
    """The result with its verdicts (or those of `which`) made "cannot check", said why."""
    found = tuple(replace(f, verdict=replace(f.verdict, status="cannot check", reason=why,  # type: ignore[type-var]
                                             explanations=())) if which is None or f in which else f
                  for f in result.found)
    return replace(result, found=found)  # type: ignore[type-var]


def _sentence_before(text: str, start: int) -> str:
    """The sentence a span stands in, up to the span: from the last sentence's end or paragraph before it."""
    before = text[max(0, start - 300):start]
    ends = [m.end() for m in re.finditer(r"[.!?。！？](?:\s|$)|\n\s*\n", before)]
    return before[ends[-1]:] if ends else before


def _runs(results: Sequence[Result], places: Sequence[tuple[int, int]]) -> list[list[int]]:
    """The indices of each run of consecutive `name = number` lines, each close to the next in one cell."""
    runs: list[list[int]] = []
    for k, result in enumerate(results):
        if not (GIVEN.fullmatch(result.span.source) and result.found):
            continue
        (cell, line), (before_cell, before) = places[k], places[k - 1]
        if runs and runs[-1][-1] == k - 1 and cell == before_cell and line - before <= NEAR:
            runs[-1].append(k)
        else:
            runs.append([k])
    return [run for run in runs if len(run) >= RUN]


def _wrong(result: Result) -> bool:
    return any(f.verdict.status == "wrong" for f in result.found)
