"""Three exercises at the end of the notes, with their answers in an appendix.

Their numbers are drawn as `derive exercise` draws a sheet's (`derive.model.draws`, from the spec's
`[exercise]` ranges, seed SEED; a spec without the table draws its weights from -1 to 1), each draw kept
only when no neuron saturates (`derive.maths.numeric.unfit`). The questions are the table's `ask` (the
forms a derivation answers directly: a quantity of the forward pass, E_total, dE_total/dp, and values
after updates), by default the sheets' own. Every answer is computed by the training engine at the
working precision, with the drawn numbers in place of the spec's, and rounded once.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from derive.maths.numeric import Trainer, unfit
from derive.model import identifiers
from derive.model.draws import draw
from derive.model.network import Network
from derive.model.precision import CTX, Real, real
from derive.model.spec import DEFAULT_EXERCISE_DIGITS, DrawRange, ExerciseSpec
from derive.notes.notation import Notation
from derive.notes.printers import NotationPrinter

View = dict[str, Any]
COUNT = 3
SEED = 1
PER_ROW = 3  # drawn numbers per row of an exercise's table (one per row where they name their samples)
HAND_LIMIT = 60  # parameters: above this no exercise is worked by hand (as the notes' per-weight chains)
MAX_DRAWS = 200
# Drawn for a spec without an [exercise] table: its weights, from -1 to 1 in hundredths.
DEFAULT_TABLE = ExerciseSpec((("weights", DrawRange(Decimal(-1), Decimal(1), 2)),), ())
_AFTER = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_]*)@(?P<steps>\d{1,3})")
_GRADIENT = re.compile(r"dE_total/d(?P<param>[A-Za-z][A-Za-z0-9]*)")


@dataclass(frozen=True)
class Numbers:
    """One exercise's numbers: the parameters, the samples, the learning rate, and the drawn values."""

    params: list[Real]
    samples: list[tuple[list[Real], list[Real]]]
    eta: Real
    drawn: tuple[tuple[str, Decimal], ...]


class _Remembering(Trainer):
    """A trainer that works out a sample's gradient at given parameters once: an exercise's questions ask
    for the same ones (the gradients asked, then the update and the error after it)."""

    def __init__(self, network: Network) -> None:
        super().__init__(network)
        self.found: dict[tuple[tuple[Real, ...], ...], list[Real]] = {}

    def gradients(self, params: Sequence[Real], sample: tuple[list[Real], list[Real]]) -> list[Real]:
        key = (tuple(params), tuple(sample[0]), tuple(sample[1]))
        if key not in self.found:
            self.found[key] = super().gradients(params, sample)
        return list(self.found[key])


def default_ask(network: Network) -> tuple[str, ...]:
    """The sheets' default questions: the first output, E_total, the gradients of the output layer's and
    the first layer's first weights, that weight after one update and E_total after it."""
    first = network.params[0].name
    last = [p.name for p in network.params if p.kind == "weight" and p.layer == len(network.layers) - 1]
    asked = [identifiers.out(network.outputs[0].neuron.name), identifiers.E_TOTAL, f"dE_total/d{last[0]}"]
    if len(network.layers) > 1:
        asked.append(f"dE_total/d{first}")
    return (*asked, f"{first}@1", f"{identifiers.E_TOTAL}@1")


def exercises(network: Network, notation: Notation) -> View | None:
    """The three exercises' numbers and questions, and the appendix's answers; None for a network too big
    to work by hand or whose ranges leave no valid draw."""
    if len(network.params) > HAND_LIMIT:
        return None
    table = network.spec.exercise or DEFAULT_TABLE
    trainer = _Remembering(network)
    rng = random.Random(SEED)
    asked = [q for q in (table.ask or default_ask(network)) if _answerable(q, network)]
    drawn = [_valid(network, trainer, table, rng) for _ in range(COUNT)]
    if not asked or any(n is None for n in drawn):
        return None
    pr = NotationPrinter(notation)
    digits = table.digits if network.spec.exercise else DEFAULT_EXERCISE_DIGITS
    return {"digits": digits, "seed": SEED, "own_table": network.spec.exercise is not None,
            "items": [_item(network, trainer, pr, n, asked, digits, k + 1) for k, n in enumerate(drawn) if n]}


def _valid(network: Network, trainer: Trainer, table: ExerciseSpec, rng: random.Random) -> Numbers | None:
    """The next draw whose neurons all work (none saturates), or None after MAX_DRAWS."""
    for _ in range(MAX_DRAWS):
        numbers = _numbers(network, trainer, draw(rng, network.spec, table))
        if unfit(trainer, numbers.params, numbers.samples) is None:
            return numbers
    return None


def _numbers(network: Network, trainer: Trainer, drawn: tuple[tuple[str, Decimal], ...]) -> Numbers:
    """The spec's numbers with the drawn ones in their place (named as claims name them: `i1[s2]`)."""
    got = dict(drawn)
    several = len(network.spec.samples) > 1
    params = [real(got.get(p.name, p.initial)) for p in network.params]
    samples = []
    for s in network.spec.samples:
        tag = f"[{s.name}]" if several else ""
        inputs = [real(got.get(f"{x}{tag}", v)) for x, v in zip(network.spec.inputs, s.inputs)]
        targets = [real(got.get(f"{o.target.name}{tag}", v)) for o, v in zip(network.outputs, s.targets)]
        samples.append((inputs, targets))
    eta = real(got.get(identifiers.ETA, network.spec.training.learning_rate))
    return Numbers(params, samples, eta, drawn)


def _batch(network: Network) -> bool:
    return network.spec.training.update == "batch" and len(network.spec.samples) > 1


def _answerable(question: str, network: Network) -> bool:
    """Whether the notes answer `question` (a plain claim's left side) themselves: no sample named, an
    update count only under plain gradient descent."""
    if "[" in question:
        return False
    after = _AFTER.fullmatch(question)
    if after is not None:
        names = {p.name for p in network.params} | {identifiers.E_TOTAL}
        return network.spec.training.optimizer.plain and after["name"] in names
    gradient = _GRADIENT.fullmatch(question)
    if gradient is not None:
        return gradient["param"] in {p.name for p in network.params}
    names = {s.name for n in network.neurons for s in (n.net, n.out)} | {identifiers.E_TOTAL}
    return question in names


def _objective(network: Network, trainer: Trainer, params: list[Real], samples: list) -> Real:
    """The error the first update descends (one sample's, or the batch's sum or mean)."""
    total = CTX.fsum(trainer.error(params, s) for s in samples)
    return total / len(samples) if len(samples) > 1 and network.spec.training.reduction == "mean" else total


def _steps(network: Network, n: Numbers, count: int, trainer: Trainer) -> list[Real]:
    """The parameters after `count` updates of plain gradient descent with the exercise's numbers."""
    params = list(n.params)
    for step in range(1, count + 1):
        samples = n.samples if _batch(network) else [n.samples[(step - 1) % len(n.samples)]]
        grads = [CTX.fsum(g) for g in zip(*(trainer.gradients(params, s) for s in samples))]
        if len(samples) > 1 and network.spec.training.reduction == "mean":
            grads = [g / len(samples) for g in grads]
        params = [p - n.eta * g if p_.trainable else p for p, g, p_ in zip(params, grads, network.params)]
    return params


def _answer(network: Network, trainer: Trainer, n: Numbers, question: str) -> tuple[Real, Real | None]:
    """A question's value, and for a value after updates the value before them (its change must show)."""
    first = n.samples if _batch(network) else n.samples[:1]
    after = _AFTER.fullmatch(question)
    if after is not None:
        moved = _steps(network, n, int(after["steps"]), trainer)
        if after["name"] == identifiers.E_TOTAL:
            return _dataset_error(network, trainer, moved, n), _dataset_error(network, trainer, n.params, n)
        index = [p.name for p in network.params].index(after["name"])
        return moved[index], n.params[index]
    gradient = _GRADIENT.fullmatch(question)
    if gradient is not None:
        index = [p.name for p in network.params].index(gradient["param"])
        grads = [trainer.gradients(n.params, s)[index] for s in first]
        total = CTX.fsum(grads)
        return (total / len(first) if len(first) > 1 and network.spec.training.reduction == "mean" else total), None
    if question == identifiers.E_TOTAL:
        return _objective(network, trainer, n.params, first), None
    values = trainer.symbol_values(n.params, n.samples[0])
    return next(v for s, v in values.items() if s.name == question), None


def _dataset_error(network: Network, trainer: Trainer, params: list[Real], n: Numbers) -> Real:
    """The error over every sample as the iterations report it (summed or averaged)."""
    total = CTX.fsum(trainer.error(params, s) for s in n.samples)
    return total / len(n.samples) if network.spec.training.reduction == "mean" else total


def _digits(value: Real, before: Real | None, digits: int) -> int:
    """`digits`, and for a value after updates as many more as its change since the start needs to show."""
    if before is None or value == before or value == 0:
        return digits
    return digits + max(0, math.ceil(float(CTX.log10(abs(value) / abs(value - before)))))


def _written(value: Real, digits: int) -> str:
    """An answer to `digits` significant digits written in full (0.0800: the digits asked), rounded once, a
    minus sign for a negative one."""
    text = CTX.nstr(value, digits, strip_zeros=False, min_fixed=-math.inf, max_fixed=math.inf).rstrip(".")
    return text.replace("-", "\u2212")


def _symbol(network: Network, pr: NotationPrinter, question: str) -> str:
    """A question's quantity in the notation: a derivative as a fraction, a value after N updates as ^{(N)};
    a batch's error is E_batch, the first sample's quantities are named as its."""
    error = identifiers.E_BATCH if _batch(network) else identifiers.E_TOTAL
    after = _AFTER.fullmatch(question)
    if after is not None:
        name = error if after["name"] == identifiers.E_TOTAL else after["name"]
        return rf"{{{pr.name(name)}}}^{{({after['steps']})}}"
    gradient = _GRADIENT.fullmatch(question)
    if gradient is not None:
        return rf"\frac{{\partial {pr.name(error)}}}{{\partial {pr.name(gradient['param'])}}}"
    return pr.name(error if question == identifiers.E_TOTAL else question)


def _item(network: Network, trainer: Trainer, pr: NotationPrinter, n: Numbers, asked: list[str], digits: int,
          number: int) -> View:
    """One exercise: its drawn numbers (as written, a minus sign for a negative one), its questions and
    their answers at the digits asked."""
    given = [{"symbol": pr.name(name.partition("[")[0]), "sample": name.partition("[")[2].rstrip("]"),
              "value": str(value).replace("-", "\u2212")} for name, value in n.drawn]
    questions = []
    for q in asked:
        value, before = _answer(network, trainer, n, q)
        shown = _digits(value, before, digits)
        questions.append({"symbol": _symbol(network, pr, q), "digits": shown, "answer": _written(value, shown)})
    named = any(g["sample"] for g in given)
    grid = [given[k:k + PER_ROW] for k in range(0, len(given), PER_ROW)] if not named else [[g] for g in given]
    return {"number": number, "given": given, "questions": questions, "grid": grid, "named": named,
            "columns": 1 if named else min(PER_ROW, len(given)),
            "sample": network.spec.samples[0].name if len(network.spec.samples) > 1 else ""}
