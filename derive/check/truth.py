"""The truth a claim is judged against: every value and derivative of the derivation by name, values
after training replayed within a budget, the catalogued mistakes' versions of a quantity, and the truth at
random values of every input, target and parameter (where a formula must hold as well)."""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sympy import Expr, diff

from derive.check import optimizer_claims
from derive.check.claims import Num
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.mistakes import (
    Mistake,
    Outcome,
    VariantTrainer,
    catalogue,
    outcome,
    replay,
    typo,
    value_after,
    variant_value,
)
from derive.check.tables import pass_tables
from derive.maths.derivation import Derivation, closed_gradient, derive_pass
from derive.maths.numeric import DIGIT_LADDER, Trainer, evaluate, precise_errors, trainer_for
from derive.maths.optimizers import OPTIMIZERS, settings
from derive.model import identifiers
from derive.model.network import Network
from derive.model.precision import CTX, Real, real, show
from derive.model.rules import softmax_jacobian

MAX_TRAINING_STEPS = 100_000
# A claims file's budget: units of replayed work (an update of P parameters learning from S samples
# costs P * S units; one replay per file serves every update count it names) and seconds of checking.
WORK_BUDGET = 1_000_000
TIME_BUDGET = 60.0
CLOCK_WORK = 10_000  # replays look at the clock after about this many units of work
EXACT = CTX.mpf(10) ** -40  # how close a written number must be to a value to be it
VARIANT_REPLAY_BUDGET = 200_000  # updates replayed by the catalogued mistakes for one file, in all


class Unknown(LookupError):
    """A name the network does not have, or a quantity the engine cannot give."""


class BudgetSpent(RuntimeError):
    """The file's budget of work or time is spent: the rest of its lines are not checked."""


@dataclass(frozen=True)
class Budget:
    """What checking one claims file may cost: replayed work and wall-clock time.

    One replayed update costs as many units as the parameters it changes times the samples it learns
    from, so the largest update count a file may ask about is known when the claims are read.
    """

    work: int = WORK_BUDGET
    seconds: float = TIME_BUDGET

    def __post_init__(self) -> None:
        if isinstance(self.work, bool) or not isinstance(self.work, int) or self.work < 0:
            raise ValueError(f"a work budget is a whole number of units, got {self.work!r}")
        if isinstance(self.seconds, bool) or not isinstance(self.seconds, (int, float)) or not self.seconds > 0:
            raise ValueError(f"a time budget is a positive number of seconds, got {self.seconds!r}")


class Spending:
    """A budget being spent: the units used so far and the deadline."""

    def __init__(self, budget: Budget, unit: int) -> None:
        self.budget, self.unit, self.used = budget, unit, 0
        self.deadline = time.monotonic() + budget.seconds

    def max_updates(self) -> int:
        """The largest update count a replay may reach within the work budget."""
        return min(MAX_TRAINING_STEPS, self.budget.work // self.unit)

    def charge(self, updates: int) -> None:
        """Count `updates` replayed; BudgetSpent once the work or the time is spent."""
        self.used += updates * self.unit
        if self.used > self.budget.work:
            raise BudgetSpent(f"budget spent: the file's replays passed {self.budget.work:,} units of work")
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise BudgetSpent(f"budget spent: the file's time limit of {self.budget.seconds:g} s has passed")




def optimizer_constants(network: Network) -> dict[str, Real]:
    """The optimizer's settings by the names its notes print (`\\beta_{1}` is beta1): those it has."""
    opt = network.spec.training.optimizer
    h = settings(opt, network.spec.training.learning_rate)
    found = {}
    if opt.name in ("momentum", "nesterov"):
        found["mu"] = h.momentum
    if opt.name == "adam":
        found.update(beta1=h.beta1, beta2=h.beta2, epsilon=h.epsilon)
    if opt.weight_decay:
        found["lambda"] = h.weight_decay
    return found


def feeds(network: Network) -> dict[str, tuple[str, ...]]:
    """What each quantity is computed from, one step back: a net from the symbols of its formula (weights,
    sources, bias; a pool's window), an out from its net (a softmax's from every net of its layer), an
    output's error from its out."""
    found: dict[str, tuple[str, ...]] = {}
    for layer in network.layers:
        for n in layer:
            found[n.net.name] = tuple(sorted(str(s) for s in n.net_expr().free_symbols))
            nets = [n.net] if n.activation.elementwise else [m.net for m in layer]
            found[n.out.name] = tuple(x.name for x in nets)
    for o in network.outputs:
        found[o.error.name] = (o.neuron.out.name,)
    return found


def split_sample(name: str) -> tuple[str, str | None]:
    """`out_o1[s2]` -> (`out_o1`, `s2`); a name without a sample -> (name, None)."""
    if name.endswith("]") and "[" in name:
        base, _, sample = name[:-1].partition("[")
        return base, sample
    return name, None


class Truth:
    """The value of every name a claim may use, from one derivation.

    Unqualified names take the default reading: on a network that learns from all its samples at once
    (update = "batch"), `E_total` and `dE_total/dp` of a parameter are the batch's (summed or averaged,
    as the update uses them) and every other quantity is the first sample's; elsewhere every quantity is
    the first update's sample's. `name[s2]` names a sample."""

    def __init__(self, d: Derivation, budget: Budget | None = None) -> None:
        self.d = d
        self.network = d.network
        self.samples = tuple(s.name for s in self.network.spec.samples)
        self.batch = len(d.passes) > 1  # the first update learns from several samples
        self._by_sample: dict[int, tuple[dict[str, Real], dict[str, Real]]] = {}
        values, derivatives = self.tables(0)
        self.values, self.derivatives = dict(values), dict(derivatives)
        for u in d.updates:  # the gradient the update uses: the batch's on a batch network
            self.derivatives[f"E_total/{u.param.name}"] = u.gradient
        if self.batch:
            self.values[self.network.e_total.name] = d.error_before
            # the notes name the batch's error E_batch: the batch's E_total, and its gradients
            self.values[identifiers.E_BATCH] = d.error_before
            for u in d.updates:
                self.derivatives[f"{identifiers.E_BATCH}/{u.param.name}"] = u.gradient
        for name, value in optimizer_constants(self.network).items():  # the network's own names come first
            self.values.setdefault(name, value)
        self._batch_names = {f"d:E_total/{u.param.name}" for u in d.updates} | {self.network.e_total.name}
        if self.batch:
            self._batch_names |= {f"d:{identifiers.E_BATCH}/{u.param.name}" for u in d.updates} | {identifiers.E_BATCH}
        self.trainer = trainer_for(self.network)
        self.trained: dict[int, list[Real]] = {}
        self.planned: list[int] = []
        # one update's work: every parameter, for each sample it learns from
        self.update_work = max(1, len(self.network.params) * len(self.trainer.step_samples(1)))
        self.budget = Spending(budget or Budget(), self.update_work)
        self._followable = {p.name for p in self.network.params} | {self.network.e_total.name}
        self._followable |= {o.error.name for o in self.network.outputs}
        self._followable |= {name for n in self.network.neurons for name in (n.net.name, n.out.name)}
        self._outcomes: tuple[tuple[Mistake, Outcome], ...] | None = None
        self._given: dict[Real, str] | None = None
        self._exact: list[Real] | None = None
        self._variant_runs: dict[str, tuple[int, list[Real]]] = {}
        self.variant_replayed = 0
        self._feeds: dict[str, tuple[str, ...]] | None = None

    def given(self, number: Num) -> str | None:
        """The quantity given by the spec (input, target, initial parameter, learning rate) whose value
        `number` is exactly, else None."""
        if self._given is None:
            n = self.network
            names = [s.name for s in n.inputs] + [o.target.name for o in n.outputs] + [p.name for p in n.params]
            self._given = {}
            for name in [*names, n.eta.name]:
                self._given.setdefault(self.values[name], name)
        return self._given.get(real(number.text))

    def exact(self, number: Num) -> bool:
        """True when `number` is exactly a value of the network at the spec's numbers (a net of 1.87 that
        0.33 + 1.54 gives): written so, it is that value, not a rounding of something near it."""
        if self._exact is None:
            found = [v for table in (self.values, self.derivatives) for v in table.values() if v]
            self._exact = sorted(found)
        x = real(number.text)
        i = bisect.bisect_left(self._exact, x - abs(x) * EXACT)
        return i < len(self._exact) and abs(self._exact[i] - x) <= abs(x) * EXACT

    def stands_for(self, text: str) -> bool:
        """True when a number is the value some computed quantity (no input, target, parameter or rate) has at
        the spec's numbers: exactly, or to the digits written where it has three or more."""
        n = self.network
        values = [v for k, v in self.values.items() if k not in n.givens]
        values += list(self.derivatives.values())
        x = real(text)
        if any(abs(v - x) <= abs(x) * EXACT for v in values):
            return True
        return significant(text) >= 3 and any(agrees_to_written_digits(v, text) for v in values)

    def tables(self, index: int) -> tuple[dict[str, Real], dict[str, Real]]:
        """The values and derivatives of sample `index` (0-based) at the initial parameters."""
        if index not in self._by_sample:
            passes = {p.sample.name: p for p in self.d.passes}
            sample = self.network.spec.samples[index]
            p = passes.get(sample.name) or derive_pass(self.network, self.d.closed, sample)
            self._by_sample[index] = pass_tables(self.d, p)
        return self._by_sample[index]

    def sample_index(self, sample: str) -> int:
        if sample not in self.samples:
            known = ", ".join(self.samples[:6]) + (" ..." if len(self.samples) > 6 else "")
            raise Unknown(f"no sample {sample!r} in this network (its samples: {known})")
        return self.samples.index(sample)

    def reading(self, name: str, sample: str | None = None) -> str:
        """Which reading of `name` is judged, said where the network has several samples."""
        base, named = split_sample(name)
        written = f"d{base[2:].replace('/', '/d')}" if base.startswith("d:") else base
        sample = named or sample
        if len(self.samples) < 2 or base.partition("@")[0] in [p.name for p in self.network.params]:
            return ""
        if "@" in base:
            if base.startswith(self.network.e_total.name + "@") and sample is None:
                return f"E_total over all {len(self.samples)} samples, as the iterations report it"
            return f"at sample {sample or self.samples[0]}, after the updates"
        if sample is not None:
            return f"at sample {sample}"
        if self.batch and base in self._batch_names:
            how = "averaged" if self.network.spec.training.reduction == "mean" else "summed"
            return f"the batch's, {how} over its {len(self.samples)} samples (name one: {written}[{self.samples[0]}])"
        return f"at sample {self.samples[0]}, the first (name another: {written}[{self.samples[-1]}])"
    def explain(self, name: str, text: str) -> tuple[str, ...]:
        """The catalogued mistakes whose version of `name` is `text` to the digits written, and typos."""
        if self._outcomes is None:
            self._outcomes = catalogue_outcomes(self.network)
        found = self._one_update_off(name, text)
        for mistake, result in self._outcomes:
            value = variant_value(self.network, result, name)
            if value is None and not found:  # replayed only when nothing simpler explains the number
                value = self._replayed(mistake, name)
            if value is not None and agrees_to_written_digits(value, text):
                found.append(f"{mistake.name}: {mistake.meaning}")
        found += [f for f in self._optimizer_mistakes(name, text) if f not in found]
        truth = self.value(name)
        same_sign = (truth < 0) == text.startswith("-")
        # a copying slip needs a few digits to be told from a wrong result, and keeps the sign
        slip = (typo(text.lstrip("-"), show(abs(truth), significant(text)).text)
                if same_sign and significant(text) >= 3 else None)
        if slip and not found:
            found.append(f"{slip}: a slip in copying the number, the working is right")
        return tuple(found)

    def explain_value(self, name: str, value: Real, spread: Real) -> tuple[str, ...]:
        """The catalogued mistakes whose version of `name` a computation in numbers gives (`value`, its
        written numbers' rounding `spread`): the mistake made in the numbers chosen, before any rounding."""
        if self._outcomes is None:
            self._outcomes = catalogue_outcomes(self.network)
        found = []
        for mistake, result in self._outcomes:
            wrong = variant_value(self.network, result, name)
            if wrong is not None and abs(wrong - value) <= spread * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30:
                found.append(f"{mistake.name}: {mistake.meaning}")
        return tuple(found)

    def _in_time(self) -> bool:
        """Whether the file's time budget still has room (the replays of mistakes stop quietly if not)."""
        try:
            self.budget.check_time()
        except BudgetSpent:
            return False
        return True

    def _one_update_off(self, name: str, text: str) -> list[str]:
        """An error after N > 1 updates that is the error after N - 1: a training loop that reports the
        error of its forward pass, made before that pass's update."""
        base, at, step = name.partition("@")
        errors = [self.network.e_total.name] + [o.error.name for o in self.network.outputs]
        if not at or not step.isdigit() or int(step) < 2 or base not in errors:
            return []
        try:
            before = self.value(f"{base}@{int(step) - 1}")
        except Unknown:
            return []
        if not agrees_to_written_digits(before, text):
            return []
        return [f"one update off: the value after {int(step) - 1} updates, as a training loop reports the "
                "error of the forward pass made before its last update"]

    def _replayed(self, mistake: Mistake, name: str) -> Real | None:
        """The variant's value of `base@N` (N > 1): the variant replayed for N updates, within a budget
        shared by the file (runs are kept, so a later, larger N continues from the earlier one)."""
        base, at, step = name.partition("@")
        errors = [self.network.e_total.name] + [o.error.name for o in self.network.outputs]
        if not at or not step.isdigit() or not 1 < int(step) <= MAX_TRAINING_STEPS or base not in errors:
            return None  # the error is what a training loop reports after N updates
        steps = int(step)
        done, params = self._variant_runs.get(mistake.name, (0, self.trainer.initial()))
        if done > MAX_TRAINING_STEPS:
            return None
        if done > steps:
            done, params = 0, self.trainer.initial()
        if self.variant_replayed + steps - done > VARIANT_REPLAY_BUDGET:
            return None
        self.variant_replayed += steps - done
        after = replay(self.network, mistake, params, done, steps, self._in_time)
        if after is None:
            self._variant_runs[mistake.name] = (MAX_TRAINING_STEPS + 1, [])  # diverged: never replayed again
            return None
        self._variant_runs[mistake.name] = (steps, after)
        return value_after(self.network, after, base)

    def value(self, name: str, sample: str | None = None) -> Real:
        """The value of `name` (`out_h1`, `d:E_total/w5`, `w5@1`, `out_o1[s2]`), in the default reading or,
        for names without their own, at `sample`."""
        base, named = split_sample(name)
        sample = named or sample
        if sample is None:
            return self._lookup(base, self.values, self.derivatives, None)
        index = self.sample_index(sample)
        values, derivatives = self.tables(index)
        return self._lookup(base, values, derivatives, index)

    def _lookup(self, name: str, values: dict[str, Real], derivatives: dict[str, Real], index: int | None) -> Real:
        if name.startswith("d:"):
            key = name[2:]
            if "@" in key:
                return self._gradient_after(key, index)
            if key in derivatives:
                return derivatives[key]
            if self.independent(key):
                return CTX.zero
            raise Unknown(f"no derivative d{key.replace('/', '/d')} in this network")
        base, at, step = name.partition("@")
        if at and not step.isdigit():  # w1@1_e1: an entry's mark after the update's, no name of the network
            raise Unknown(f"no quantity {name!r} in this network")
        if at:
            return self._after(base, int(step), index)
        if name == "delta" or name not in values:
            raise Unknown(f"no quantity {name!r} in this network")
        return values[name]

    def independent(self, key: str) -> bool:
        """True when `key` (`net_h1/w5`) is the derivative of a quantity of the network by another that
        does not feed it: zero (w5 is past h1), not an unknown derivative."""
        top, _, bottom = key.partition("/")
        if self._feeds is None:
            self._feeds = feeds(self.network)
        known = self._feeds.keys() | {p.name for p in self.network.params} | {i.name for i in self.network.inputs}
        if top not in self._feeds or bottom not in known or top == bottom:
            return False
        seen, todo = {top}, [top]
        while todo:
            for fed_by in self._feeds.get(todo.pop(), ()):
                if fed_by == bottom:
                    return False
                if fed_by not in seen:
                    seen.add(fed_by)
                    todo.append(fed_by)
        return True

    def knows(self, base: str) -> bool:
        """True when `base` names a quantity of the network, now or after updates (`m_w5`, of `m_w5@2`)."""
        if self.followable(base) or self._optimizer_quantity(base) is not None:
            return True
        try:
            self.value(base)
        except Unknown:
            return False
        return True

    def followable(self, base: str) -> bool:
        """True when `base` is a quantity that training changes and a replay can give."""
        return base in self._followable

    def plan(self, steps: Sequence[int]) -> None:
        """The update counts this file asks about: one replay to the largest gives them all."""
        self.planned = sorted(set(steps) | set(self.planned))

    def _after(self, base: str, steps: int, index: int | None = None) -> Real:
        """`base` after `steps` updates: at sample `index`, or (None) the first sample, and E_total over all."""
        if not 0 <= steps <= MAX_TRAINING_STEPS:
            raise Unknown(f"at most {MAX_TRAINING_STEPS} updates are replayed")
        quantity = self._optimizer_quantity(base)
        if quantity is not None:
            return self._optimizer_value(base, quantity, steps)
        if not self.followable(base):  # before any replay: an unknown name costs nothing
            raise Unknown(f"no quantity {base!r} to follow through training")
        params = self._params(steps)
        names = [p.name for p in self.network.params]
        if base in names:
            return params[names.index(base)]
        sample = self.trainer.samples[index or 0]
        if base == self.network.e_total.name:
            return self._resolved_error(steps, params) if index is None else self.trainer.error(params, sample)
        nets, outs = self.trainer.forward(params, sample[0])
        for o, out, target in zip(self.network.outputs, self.trainer.output_values(params, sample[0]), sample[1]):
            if base == o.error.name:
                return evaluate(o.loss_expr, {o.target: target, o.neuron.out: out})
        for layer, layer_nets, layer_outs in zip(self.network.layers, nets[1:], outs[1:]):
            for n, net, out in zip(layer, layer_nets, layer_outs):
                if base in (n.net.name, n.out.name):
                    return net if base == n.net.name else out
        raise Unknown(f"no quantity {base!r} to follow through training")

    def _optimizer_quantity(self, base: str) -> tuple[str, int] | None:
        """(kind, parameter) of `m_w5`, `vhat_5` ...: names the network itself does not use."""
        network = self.network
        own = {p.name for p in network.params} | {network.e_total.name} | {o.error.name for o in network.outputs}
        own |= {name for n in network.neurons for name in (n.net.name, n.out.name)}
        return None if base in own else optimizer_claims.resolve(network, base)

    def _gradient_after(self, key: str, index: int | None) -> Real:
        """A derivative at the parameters after k updates, marked on either side (`E_total/w5@1`,
        `E_total@1/out_o1`). dE_total/dp of the default reading is the gradient update k + 1 learns from (its
        samples, reduced as it reduces them), as the optimizer's notes write dE/dp^(k); any other, the
        derivative at sample `index` (the first where none is named) with those parameters."""
        top, _, wrt = key.partition("/")
        (top, first), (wrt, second) = top.partition("@")[::2], wrt.partition("@")[::2]
        marks = {m for m in (first, second) if m}
        if len(marks) != 1 or not marks <= {str(k) for k in range(MAX_TRAINING_STEPS)}:
            raise Unknown(f"no derivative d{key.replace('/', '/d')} in this network")
        steps = int(marks.pop())
        params = self._params(steps)
        names = [p.name for p in self.network.params]
        if index is None and top == self.network.e_total.name and wrt in names:
            state = self.trainer.states.get(steps, self.trainer.stepper.start())
            return optimizer_claims.moves_at(self.trainer, params, state, steps + 1)[names.index(wrt)].gradient
        if self.network.graph is not None:
            raise Unknown(f"d{key.replace('/', '/d')}: a wired network's derivatives after updates are not followed")
        sample = self.network.spec.samples[index or 0]
        derivatives = pass_tables(self.d, derive_pass(self.network, self.d.closed, sample, params))[1]
        if f"{top}/{wrt}" in derivatives:
            return derivatives[f"{top}/{wrt}"]
        if self.independent(f"{top}/{wrt}"):
            return CTX.zero
        raise Unknown(f"no derivative d{key.replace('/', '/d')} in this network")

    def _optimizer_value(self, base: str, quantity: tuple[str, int], steps: int) -> Real:
        kind, index = quantity
        opt = self.network.spec.training.optimizer
        if opt.plain and kind != "g":
            raise Unknown(f"{base!r}: plain gradient descent keeps no optimizer state (no [training] optimizer)")
        if steps == 0 and kind in OPTIMIZERS[opt.name].state:  # the running sums start at 0
            return self.trainer.stepper.start().slots[index][OPTIMIZERS[opt.name].state.index(kind)]
        if steps < 1:
            raise Unknown(f"{base!r} exists from the first update on (@1)")
        params = self._params(steps - 1)
        state = self.trainer.states.get(steps - 1, self.trainer.stepper.start())
        value = optimizer_claims.value_of(optimizer_claims.moves_at(self.trainer, params, state, steps)[index],
                                          kind, opt.name)
        if value is None:
            raise Unknown(f"{base!r}: {opt.name} keeps no {kind}")
        return value

    def _optimizer_mistakes(self, name: str, text: str) -> list[str]:
        """The mistakes (of the gradients or of the update rule) that give `text` for a parameter or an
        optimizer quantity after a few updates, each replayed from the start."""
        base, _at, step = split_sample(name)[0].partition("@")
        if self.network.spec.training.optimizer.plain or not step.isdigit() \
                or not 1 <= int(step) <= optimizer_claims.VARIANT_STEPS:
            return []
        names = [p.name for p in self.network.params]
        quantity = (None, names.index(base)) if base in names else self._optimizer_quantity(base)
        if quantity is None:
            return []
        kind, index = quantity
        trainers: list[tuple[str, Trainer]] = [(f"{m.name}: {m.meaning}", VariantTrainer(self.network, m))
                                               for m in catalogue(self.network)]
        for slip in optimizer_claims.slips(self.network):
            trainer = Trainer(self.network)
            trainer.stepper = optimizer_claims.slipped_stepper(self.network, slip)
            trainers.append((f"{slip.name}: {slip.meaning}", trainer))
        found = []
        for label, trainer in trainers:
            value = optimizer_claims.replayed_value(trainer, self.network, kind, index, int(step))
            if value is not None and agrees_to_written_digits(value, text):
                found.append(label)
        return found

    def _resolved_error(self, steps: int, params: list[Real]) -> Real:
        """E_total after `steps` updates; trained again at higher precisions when the working precision
        leaves only noise in it, and no number at all when even the highest does (see precise_errors)."""
        if self.trainer.resolved(params):
            return self.trainer.dataset_error(params)
        # charged before the work: an update at k times the working digits as k updates
        self.budget.charge(steps * sum(digits // DIGIT_LADDER[0] for digits in DIGIT_LADDER[1:]))
        report = precise_errors(self.network, [steps])[0]
        if not report.resolved:
            raise Unknown(f"below the working precision: after {steps} updates the error is below "
                          f"{show(report.error, 1).text}, which {report.digits} digits cannot resolve")
        return report.error

    def _params(self, steps: int) -> list[Real]:
        """Parameters after `steps` updates, continued from the furthest replay before it."""
        if not self.trained:
            self.trained[0] = self.trainer.initial()
        if steps not in self.trained:
            start = max(s for s in self.trained if s <= steps)
            # every planned count on the way is kept, so the file's replays add up to one trajectory
            self._replay(start, sorted({m for m in self.planned if start < m < steps} | {steps}))
        return self.trained[steps]

    def _replay(self, start: int, marks: list[int]) -> None:
        """Train from `start` through every count in `marks`, charged to the budget in short stretches."""
        params, done = self.trained[start], start
        for mark in marks:
            while done < mark:
                stretch = min(mark, done + max(1, CLOCK_WORK // self.update_work))
                self.budget.charge(stretch - done)
                [(done, params)] = self.trainer.train(params, [stretch], done)
            self.trained[done] = params


@functools.lru_cache(maxsize=64)
def catalogue_outcomes(network: Network) -> tuple[tuple[Mistake, Outcome], ...]:
    """Every catalogued mistake's first update on `network`: the same for every file checked against it
    (`derive grade` checks a class's hand-ins against a few variants), so computed once per network."""
    return tuple((m, outcome(network, m)) for m in catalogue(network))




class PointTruth:
    """The truth at random values of every input, target and parameter (same network)."""

    def __init__(self, truth: Truth, rng: random.Random, fixed: tuple[str, ...] = ()) -> None:
        network = truth.network
        self.network, self.closed = network, truth.d.closed
        self.chosen = {s.name: CTX.mpf(rng.uniform(-1.0, 1.0)) for s in network.inputs}
        self.chosen.update({o.target.name: CTX.mpf(rng.uniform(0.05, 0.95)) for o in network.outputs})
        if _distributions(network):  # a softmax's targets that sum to 1 in the spec do so at every point
            total = CTX.fsum(self.chosen[o.target.name] for o in network.outputs)
            self.chosen.update({o.target.name: self.chosen[o.target.name] / total for o in network.outputs})
        self.chosen.update({p.name: CTX.mpf(rng.uniform(-1.0, 1.0)) for p in network.params})
        for name in fixed:  # a formula that writes a given value as a number (0.01 for target_o1) keeps it
            self.chosen.pop(name, None)
            self.chosen[name] = truth.values[name]
        trainer = truth.trainer
        inputs = [self.chosen[s.name] for s in network.inputs]
        targets = [self.chosen[o.target.name] for o in network.outputs]
        self.symbols = trainer.symbol_values([self.chosen[p.name] for p in network.params], (inputs, targets))
        self.symbols[network.eta] = truth.values[network.eta.name]
        for o in network.outputs:
            self.symbols[o.error] = evaluate(o.loss_expr, self.symbols)
        self.symbols[network.e_total] = CTX.fsum(self.symbols[o.error] for o in network.outputs)

    def expression(self, name: str) -> Expr:
        """The closed form of a quantity or a derivative, in the network's symbols."""
        by = {s.name: s for s in self.symbols}
        if name in by:
            return by[name]
        if name.startswith("d:E_total/"):
            wrt = name[len("d:E_total/"):]
            for index, p in enumerate(self.network.params):
                if p.name == wrt:
                    return closed_gradient(self.network, self.closed, index)
            for n in self.network.neurons:
                if wrt == n.net.name:
                    return self.closed.deltas[n.delta]
                if wrt == n.out.name and n.out in self.closed.errors:
                    return self.closed.errors[n.out]
        for n in self.network.neurons:
            if name == n.delta.name:  # a neuron's delta is dE_total/dnet, as the truth's tables hold it
                return self.closed.deltas[n.delta]
            if name == f"d:{n.out.name}/{n.net.name}" and n.activation.elementwise:
                return n.activation.slope(n.out, n.net)
        for o in self.network.outputs:  # an output's own share of the loss, by its output
            if name == f"d:{o.error.name}/{o.neuron.out.name}":
                return diff(o.loss_expr, o.neuron.out)
        for k, j in itertools.product(self.network.layers[-1], repeat=2):  # a softmax's Jacobian
            if name == f"d:{k.out.name}/{j.net.name}" and not k.activation.elementwise:
                return softmax_jacobian(k.out, j.out, k is j)
        raise Unknown(f"no closed form for {name}")

    def value(self, name: str, sample: str | None = None) -> Real:
        """At the random point, which stands for any one sample: a named sample reads the same."""
        return evaluate(self.expression(split_sample(name)[0]), self.symbols)

    def closed_form(self, name: str) -> str:
        return str(self.expression(split_sample(name)[0]))


def _distributions(network: Network) -> bool:
    """A softmax output layer whose targets sum to 1 at every sample (a formula may rely on it)."""
    softmax = not network.layers[-1][0].activation.elementwise
    return softmax and all(sum(Decimal(str(t)) for t in s.targets) == 1 for s in network.spec.samples)
