"""The page's verdicts, in Node from the page as written: the truth is right, each catalogued mistake's
value is named, a step worked from a student's own wrong (or rounded) earlier answer says from which
line, a copying slip is named, anything else is wrong, and what is not a number is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.digits import agrees_to_written_digits, significant
from derive.maths.numeric import evaluate
from derive.model.precision import CTX, show
from derive.practice import steps
from tests.practice.pages import NETWORKS, NODE, make, node, variants

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Debian package nodejs)")
DIGITS = 6  # what the tests type: more than the 3 asked, fewer than the page holds


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda n: Path(n).stem)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    page = make(request.param, tmp_path_factory.mktemp("page"))
    return page, steps.build(variants(request.param).variants[0].derivation)


def typed(x: object, digits: int = DIGITS) -> str:
    return show(x, digits).text


def test_the_truth_is_right_at_every_step(made) -> None:
    page, chain = made
    answers = {str(i): typed(t, 9) for i, t in enumerate(chain.truths)}
    verdicts = node(page, {"kind": "judge", "answers": answers})[0]
    assert [v["status"] for v in verdicts] == ["right"] * len(chain.steps)


def test_each_catalogued_mistake_is_named_where_it_is_made(made) -> None:
    page, chain = made
    world = chain.world()
    jobs, expected = [], []
    for i, s in enumerate(chain.steps):
        for name, expr in s.mistakes:
            wrong = evaluate(expr, world)
            if not CTX.isfinite(wrong) or agrees_to_written_digits(chain.truths[i], typed(wrong)):
                continue
            answers = {str(j): typed(t, 9) for j, t in enumerate(chain.truths[:i])}
            answers[str(i)] = typed(wrong)
            jobs.append({"kind": "judge", "answers": answers})
            expected.append((i, name))
    assert jobs, "every network has mistakes to make"
    for (i, name), verdicts in zip(expected, node(page, *jobs)):
        verdict = verdicts[i]
        assert verdict["status"] == "mistake" and name in verdict["mistakes"], (chain.steps[i].claim, name, verdict)


def test_a_step_worked_from_a_wrong_earlier_answer_says_from_which_line(made) -> None:
    """An output 10 % off (a slip: no mistake of method), then every later step worked from it: each later
    step that differs from the truth is right from the lines it used that were not right."""
    page, chain = made
    first = next(i for i, s in enumerate(chain.steps) if s.kind == "out" and chain.truths[i] != 0)
    own = chain.truths[first] * CTX.mpf("1.1")
    values = steps.replay(chain, own={chain.steps[first].claim: own})
    answers = {str(j): typed(t, 9) for j, t in enumerate(chain.truths[:first])}
    answers[str(first)] = typed(own, 9)
    answers.update((str(i), typed(values[i], 12)) for i in range(first + 1, len(chain.steps)))
    verdicts = node(page, {"kind": "judge", "answers": answers})[0]
    steps_data = node(page, {"kind": "steps"})[0]
    assert verdicts[first]["status"] == "wrong"
    carried = 0
    for i in range(first + 1, len(chain.steps)):
        if agrees_to_written_digits(chain.truths[i], typed(values[i], 12)):
            continue
        not_right = sorted(steps_data[j]["line"] for j in steps_data[i]["deps"]
                           if verdicts[j]["status"] not in ("right", "short"))
        assert verdicts[i] == {"status": "carried", "lines": not_right}, chain.steps[i].claim
        carried += 1
    assert carried >= 3


def test_a_step_worked_from_rounded_answers_asks_for_more_digits(made) -> None:
    page, chain = made
    outs = [i for i, s in enumerate(chain.steps) if s.kind == "out" and s.layer == 0][:4]
    rounded = {chain.steps[i].claim: CTX.mpf(typed(chain.truths[i], 3)) for i in outs}
    values = steps.replay(chain, own=rounded)
    target = next(i for i, s in enumerate(chain.steps) if s.kind == "net" and s.layer == 1)
    answers = {str(j): typed(t, 9) for j, t in enumerate(chain.truths[:target])}
    answers.update({str(i): typed(chain.truths[i], 3) for i in outs})
    answers[str(target)] = typed(values[target])
    verdict = node(page, {"kind": "judge", "answers": answers})[0][target]
    if agrees_to_written_digits(chain.truths[target], typed(values[target])):
        assert verdict["status"] in ("right", "short")
    else:
        lines = node(page, {"kind": "steps"})[0]
        used = sorted(lines[i]["line"] for i in range(target)
                      if chain.steps[i].symbol in chain.steps[target].expr.free_symbols)
        assert verdict == {"status": "rounded", "lines": used}


def test_a_copying_slip_a_wrong_number_and_what_is_no_number(made) -> None:
    page, chain = made
    at = next(i for i, t in enumerate(chain.truths) if significant(typed(t)) >= 4)
    first = typed(chain.truths[at])
    digit = next(k for k in range(len(first) - 1, -1, -1) if first[k].isdigit() and first[k] != "0")
    slipped = first[:digit] + str((int(first[digit]) + 4) % 10 or 1) + first[digit + 1:]
    cases = {slipped: "slip", "12345": "wrong", "abc": "invalid", "0,5": "comma", "alert(1)": "invalid", "": ""}
    found = node(page, *({"kind": "judge", "answers": {str(at): text}} for text in cases))
    assert [v[at]["status"] for v in found] == list(cases.values())
