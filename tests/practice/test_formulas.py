"""The page computes nothing without a verified formula: every printed JavaScript function, run in Node
from the page as written, against the engine (the checker's truth, the catalogue's mistakes, `derive
grade`'s errors carried forward) at every variant's numbers and at each catalogued mistake's values."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.mistakes import catalogue, outcome, variant_value
from derive.check.truth import Truth
from derive.course import carried
from derive.maths.numeric import evaluate
from derive.model.precision import CTX
from derive.practice import steps
from tests.practice.pages import NETWORKS, NODE, make, node, variants

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed (Debian package nodejs)")


def close(a: float, b: object, rel: float = 1e-11) -> bool:
    b = float(b)
    return abs(a - b) <= rel * max(abs(b), 1e-300) + 1e-15


@pytest.fixture(scope="module", params=NETWORKS, ids=lambda n: Path(n).stem)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    network = request.param
    page = make(network, tmp_path_factory.mktemp("page"))
    ex = variants(network)
    return page, [steps.build(v.derivation) for v in ex.variants], ex


def test_every_step_at_the_truth_is_the_checkers_truth(made) -> None:
    page, chains, ex = made
    for index, (chain, v) in enumerate(zip(chains, ex.variants)):
        truth = Truth(v.derivation)
        found = node(page, {"kind": "truth", "variant": index})[0]
        assert len(found) == len(chain.steps)
        for s, js in zip(chain.steps, found):
            assert close(js["value"], truth.value(s.name)), (s.claim, js["value"], truth.value(s.name))


def test_every_mistakes_formula_is_the_one_printed(made) -> None:
    """At the truth of the earlier steps, each mistake's JavaScript gives what its SymPy formula gives."""
    page, chains, _ = made
    for index, chain in enumerate(chains):
        world = chain.world()
        found = node(page, {"kind": "truth", "variant": index})[0]
        for s, js in zip(chain.steps, found):
            assert sorted(js["mistakes"]) == sorted(m for m, _ in s.mistakes)
            for name, expr in s.mistakes:
                assert close(js["mistakes"][name], evaluate(expr, world)), (s.claim, name)


def test_each_mistake_made_throughout_gives_the_catalogues_values(made) -> None:
    """The steps worked out in Node with one catalogued mistake in every step it touches give that
    mistake's gradients, deltas, updated parameters and error after the update (derive.check.mistakes)."""
    page, chains, ex = made
    network = ex.variants[0].derivation.network
    mistakes = catalogue(network)
    for index, (chain, v) in enumerate(zip(chains, ex.variants)):
        found = node(page, *({"kind": "chain", "variant": index, "mistake": m.name} for m in mistakes))
        compared = 0
        for m, values in zip(mistakes, found):
            result = outcome(v.derivation.network, m)
            for s, js in zip(chain.steps, values):
                want = variant_value(v.derivation.network, result, s.name)
                if want is not None and CTX.isfinite(want):
                    assert close(js, want, 1e-9), (m.name, s.claim, js, want)
                    compared += 1
        assert compared >= len(mistakes)


def test_a_step_from_a_students_own_numbers_is_derive_grades_error_carried_forward(made) -> None:
    """With a student's wrong out and net values put in, every later quantity derive grade carries forward
    (derive.course.carried) is what the page's formulas work out from them."""
    page, chains, ex = made
    for index, (chain, v) in enumerate(zip(chains, ex.variants)):
        d = v.derivation
        if not carried.supported(d):
            continue
        claims = [s.claim for s in chain.steps]
        wrong = {i: float(t) * 1.07 for i, (s, t) in enumerate(zip(chain.steps, chain.truths))
                 if s.kind in ("out", "net") and s.layer == len(d.network.layers) - 1}
        own = {chain.steps[i].name: CTX.mpf(x) for i, x in wrong.items()}
        values = node(page, {"kind": "chain", "variant": index, "mistake": None,
                             "own": {str(i): x for i, x in wrong.items()}})[0]
        for i, s in enumerate(chain.steps):
            if i in wrong or not s.carried and s.kind not in ("delta", "after"):
                continue
            want = carried.carried(d, s.name, own)
            if want is not None:
                assert close(values[claims.index(s.claim)], want, 1e-9), (s.claim, values[i], want)
