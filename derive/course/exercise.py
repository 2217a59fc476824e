"""One `derive exercise`: N variants of a network, each kept only when its numbers tell the mistakes apart.

`build` draws the variants (see `derive.course.variants` for the drawing order) and computes each one's
truth through the usual pipeline (spec -> network -> derivation); a draw is rejected when a neuron
saturates, when a question's truth and its mistakes' values are not pairwise distinct at the digits
asked, when it repeats an earlier variant's numbers, when a weight, bias or input is drawn as 0 or two
inputs of a sample are drawn equal, when a gradient asked of a network with convolution, pooling or
recurrent layers is zero, or when the derivation refuses its numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from derive.course import questions as q
from derive.course import variants
from derive.maths import derivation
from derive.maths.derivation import Derivation
from derive.model import network
from derive.model.spec import ExerciseSpec, Spec

# Draws one variant may take before the run gives up: a range that leaves almost no valid numbers is an error.
MAX_DRAWS = 200
MAX_VARIANTS = 1000
MAX_SEED = 2**32 - 1


class ExerciseError(ValueError):
    """Unusable input for an exercise: `str()` is one line naming the spec and the key."""


@dataclass(frozen=True)
class Variant:
    id: int
    values: tuple[tuple[str, Decimal], ...]  # the drawn numbers by name, in drawing order
    derivation: Derivation
    questions: tuple[q.Question, ...]


@dataclass(frozen=True)
class Exercise:
    network: str  # the NETWORK argument: a preset's name or a spec file's path
    seed: int
    spec: Spec  # the spec the variants are drawn from
    digits: int
    variants: tuple[Variant, ...]
    rejected: tuple[tuple[str, int], ...]  # (why, how many draws) in the order the reasons first came
    spec_text: str = ""  # the TOML text `spec` was read from: the key keeps it, so that it alone decides

    @property
    def rejected_count(self) -> int:
        return sum(n for _, n in self.rejected)


def table_of(spec: Spec) -> ExerciseSpec:
    """The spec's `[exercise]` table; a spec without one cannot make an exercise."""
    if spec.exercise is None:
        raise ExerciseError(f"{spec.source}: exercise: missing [exercise] table (ranges to draw the numbers from, "
                            "e.g. weights = { low = -1, high = 1, decimals = 2 })")
    return spec.exercise


@dataclass(frozen=True)
class Plan:
    """What every variant of one exercise shares: the spec, its table, the questions and the updates they need."""

    spec: Spec
    table: ExerciseSpec
    asked: tuple[tuple[str, str], ...]  # (claim, checker's name)
    steps: tuple[int, ...]


def build(spec: Spec, name: str, count: int, seed: int, spec_text: str = "") -> Exercise:
    """`count` variants of `spec` (read from `spec_text`) drawn from `seed`; ExerciseError when a variant
    finds no valid draw."""
    table = table_of(spec)
    asked = _resolved(spec, table)
    plan = Plan(spec, table, asked, q.steps_asked(asked))
    rng = random.Random(seed)
    kept: list[Variant] = []
    rejected: dict[str, int] = {}
    seen: set[tuple[tuple[str, Decimal], ...]] = set()  # membership only: never iterated into output
    for number in range(1, count + 1):
        kept.append(_one(plan, rng, number, rejected, seen))
    return Exercise(name, seed, spec, table.digits, tuple(kept), tuple(rejected.items()), spec_text)


def _resolved(spec: Spec, table: ExerciseSpec) -> tuple[tuple[str, str], ...]:
    """The questions, read and checked once against the spec's own numbers."""
    d = derivation.build(network.build(variants.variant_spec(spec, {})))
    asked = table.ask or q.default_ask(d.network)
    try:
        return q.resolve(asked, d)
    except q.AskError as exc:
        where = f"exercise.ask[{exc.index}]" if table.ask else "exercise.ask"
        raise ExerciseError(f"{spec.source}: {where}: {exc}") from None


def _one(plan: Plan, rng: random.Random, number: int, rejected: dict[str, int],
         seen: set[tuple[tuple[str, Decimal], ...]]) -> Variant:
    """Variant `number`: draws until one is valid, counting each rejected draw by its reason."""
    own: dict[str, int] = {}  # this variant's rejections, for the message when none is found
    for _ in range(MAX_DRAWS):
        values = variants.draw(rng, plan.spec, plan.table)
        variant, why = _try(plan, values, number, seen)
        if variant is not None:
            seen.add(values)
            return variant
        rejected[why] = rejected.get(why, 0) + 1
        own[why] = own.get(why, 0) + 1
    worst = max(own.items(), key=lambda item: item[1])[0]
    raise ExerciseError(f"{plan.spec.source}: exercise: no valid draw for variant {number} in {MAX_DRAWS} draws "
                        f"(most often: {worst}); widen the ranges, change the decimals or ask other questions")


def _try(plan: Plan, values: tuple[tuple[str, Decimal], ...], number: int,
         seen: set[tuple[tuple[str, Decimal], ...]]) -> tuple[Variant | None, str]:
    """The variant of one draw, or None and the reason it is rejected."""
    if values in seen:
        return None, "the numbers of an earlier variant"
    poor = variants.degenerate(plan.spec, plan.table, values)
    if poor is not None:
        return None, poor
    try:
        net = network.build(variants.variant_spec(plan.spec, dict(values), plan.steps))
        why = variants.saturation(net)
        if why is not None:
            return None, "a neuron saturates or sits at a relu's kink"
        if net.graph is not None and variants.tied_pool(net) is not None:
            return None, "a max pool's window has a tie or a near tie"
        d = derivation.build(net)
    except (derivation.DerivationError, ArithmeticError, ValueError):
        return None, "the derivation refuses the numbers"
    found = q.questions(d, plan.asked, plan.table.digits)
    for question in found:
        if q.confusion(question) is not None:
            return None, "a question does not tell its mistakes apart"
    if net.graph is not None and _dead_gradient(found):
        return None, "a gradient asked is zero (every path to it is cut)"
    return Variant(number, values, d, found), ""


def _dead_gradient(found: tuple[q.Question, ...]) -> bool:
    """Whether a gradient asked is exactly zero: with relu feature maps, windows and steps every path to a
    parameter can be cut (each relu it feeds is off); such a question tests nothing, and no mistake can
    change its answer. (Dense networks keep the draws their sheets were made with.)"""
    return any(question.name.startswith("d:") and question.truth == 0 for question in found)
