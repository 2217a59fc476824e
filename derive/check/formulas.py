"""A wrong formula explained: the catalogued mistakes whose version of the quantity the formula equals,
at the spec's values and at random points (the same comparison as the formula check itself).

Each mistake is the layered algorithm with one step done wrong (`mistakes.VariantTrainer`), run at the
point; a formula that is the truth with its sign flipped is the sign mistake of the gradient.
"""

from __future__ import annotations

import random

from derive.check import confusions, rewrites
from derive.check.claims import Node
from derive.check.mistakes import Mistake, catalogue, variant_trainer
from derive.check.truth import PointTruth, Truth, Unknown
from derive.check.values import Evaluator
from derive.model.precision import CTX, Real

POINTS = 3
SIGN = ("sign of the gradient: the formula is the gradient with its sign flipped (target - out written where "
        "out - target belongs, or the chain's minus dropped)")


def explain_formula(truth: Truth, target: str, link: Node, evaluator: Evaluator, line: int,
                    at_spec: Real | None = None) -> tuple[str, ...]:
    """The mistakes (or the sign) that reproduce a wrong formula for `target` everywhere it is compared; where
    none does, the other quantity whose formula it is, or the factor of its chain that is zero (`at_spec`: its
    value at the spec's numbers)."""
    if at_spec is not None and confusions.zero_factor(truth, link, at_spec):
        return confusions.zero_factor(truth, link, at_spec)
    if confusions.lone_name(truth, target, link, at_spec):
        return confusions.lone_name(truth, target, link, at_spec)
    rng = random.Random(line)
    points = [PointTruth(truth, rng) for _ in range(POINTS)]
    try:
        written = [Evaluator(p, evaluator.own, at_truth=False).evaluate(link) for p in points]
        right = [_right_at(truth, p, target) for p in points]
    except (Unknown, ArithmeticError, ValueError):
        return ()
    if all(_same(w, -r) for w, r in zip(written, right)) and any(abs(r) > _eps(r) for r in right):
        return (SIGN,)
    found = []
    for mistake in catalogue(truth.network):
        values = [_variant_at(truth, mistake, p, target) for p in points]
        if all(v is not None and _same(w, v) for w, v in zip(written, values)) and \
                not all(_same(v, r) for v, r in zip(values, right)):
            found.append(f"{mistake.name}: {mistake.meaning}")
    if found:
        return tuple(found)
    swapped = rewrites.slope_swapped(link, points, right, evaluator.own) or \
        rewrites.square_dropped(link, points, right, evaluator.own) or \
        rewrites.sign_turned(link, points, right, evaluator.own)
    if swapped or at_spec is None:
        return swapped
    return confusions.in_formula(truth, target, at_spec, written, points)


def _right_at(truth: Truth, point: PointTruth, target: str) -> Real:
    """The truth at the point: a closed form, or an updated parameter from the honest algorithm."""
    _base, at, _step = target.partition("@")
    if at:
        value = _variant_at(truth, HONEST, point, target)
        if value is None:
            raise ValueError(f"no value of {target} at a random point")
        return value
    return point.value(target)


HONEST = Mistake("none", "the algorithm as it is")


def _variant_at(truth: Truth, mistake: Mistake, point: PointTruth, target: str) -> Real | None:
    """The variant's gradient, delta or updated parameter at the point's values, else None."""
    network = truth.network
    names = [p.name for p in network.params]
    params = [point.chosen[n] for n in names]
    sample = ([point.chosen[s.name] for s in network.inputs], [point.chosen[o.target.name] for o in network.outputs])
    trainer = variant_trainer(network, mistake)
    grads = trainer.gradients(params, sample)
    if target.startswith("d:E_total/"):
        wrt = target[len("d:E_total/"):]
        return grads[names.index(wrt)] if wrt in names else getattr(trainer, "deltas", {}).get(wrt)
    base, at, step = target.partition("@")
    if at and step == "1" and base in names:
        return trainer.update(params, grads)[names.index(base)]
    return None


def _eps(x: Real) -> Real:
    return CTX.mpf(10) ** -30 * max(abs(x), CTX.one)


def _same(a: Real, b: Real) -> bool:
    return abs(a - b) <= _eps(b)
