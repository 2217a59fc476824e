"""Checking a hand derivation: every claim's links judged against the derivation's truth.

A claimed number is right when the truth, rounded or truncated to the significant digits written,
gives that number; a link computed from written numbers (`0.741 * 0.187`) is right when it agrees
within the precision of those numbers; a person's own names (`R1 = ...`) take the value of their
definition, so a later claim is judged on what the person actually wrote.
"""

from __future__ import annotations

import functools
import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext

from sympy import Expr, Symbol

from derive.check import latex, operators, optimizer_claims
from derive.check.claims import Call, Claim, Name, Node, Num, Unary, parse
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
from derive.maths.derivation import Derivation, Pass, closed_gradient, derive_pass
from derive.maths.numeric import DIGIT_LADDER, Trainer, evaluate, precise_errors
from derive.maths.optimizers import OPTIMIZERS, settings
from derive.model.network import Network
from derive.model.precision import CTX, Real, exact_decimal, real, show
from derive.model.rules import numeric_sigmoid, softmax_jacobian

MAX_TRAINING_STEPS = 100_000
# A claims file's budget: units of replayed work (an update of P parameters learning from S samples
# costs P * S units; one replay per file serves every update count it names) and seconds of checking.
WORK_BUDGET = 1_000_000
TIME_BUDGET = 60.0
CLOCK_WORK = 10_000  # replays look at the clock after about this many units of work
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


def _tables(d: Derivation, p: Pass) -> tuple[dict[str, Real], dict[str, Real]]:
    """Every value and derivative of one sample's pass, by name (`out_h1`, `E_total/w5`)."""
    network = d.network
    values: dict[str, Real] = {s.name: v for s, v in p.values.items() if isinstance(s, Symbol)}
    values[network.e_total.name] = p.total
    for t, o in zip(p.losses, network.outputs):
        values[o.error.name] = t.value
    derivatives: dict[str, Real] = {f"E_total/{g.param.name}": g.value for g in p.gradients}
    for b in p.backward:
        n = b.neuron
        derivatives[f"E_total/{n.out.name}"] = b.error.value
        derivatives[f"E_total/{n.net.name}"] = b.delta.value
        if b.slope is not None:
            derivatives[f"{n.out.name}/{n.net.name}"] = b.slope.value
            for link in n.links:  # through the activation: dout/dw = slope * source, dout/dsource = slope * w
                derivatives[f"{n.out.name}/{link.weight.name}"] = b.slope.value * p.values[link.source]
                derivatives[f"{n.out.name}/{link.source.name}"] = b.slope.value * p.values[link.weight.symbol]
        for term in b.jacobian:  # a softmax output: dout_k/dnet of every output k
            derivatives[f"{term.via.out.name}/{n.net.name}"] = term.slope.value
        for link in n.links:
            derivatives[f"{n.net.name}/{link.weight.name}"] = p.values[link.source]
            derivatives[f"{n.net.name}/{link.source.name}"] = p.values[link.weight.symbol]
        if n.bias is not None:
            derivatives[f"{n.net.name}/{n.bias.name}"] = CTX.mpf(n.bias_sign)
    _output_paths(d, p, derivatives)
    return values, derivatives


def _output_paths(d: Derivation, p: Pass, derivatives: dict[str, Real]) -> None:
    """dE_ok/dout_ok, dE_ok/dnet_ok and, one layer back, dE_ok/dout_h (one path, seed 003's split)."""
    by_net = {b.neuron.net.name: b for b in p.backward}
    for o in d.network.outputs:
        b = by_net[o.neuron.net.name]
        derivatives[f"{o.error.name}/{o.neuron.out.name}"] = b.error.value
        if b.slope is None:
            continue
        via = b.error.value * b.slope.value
        derivatives[f"{o.error.name}/{o.neuron.net.name}"] = via
        for link in o.neuron.links:
            derivatives[f"{o.error.name}/{link.source.name}"] = via * p.values[link.weight.symbol]


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
        for name, value in optimizer_constants(self.network).items():  # the network's own names come first
            self.values.setdefault(name, value)
        self._batch_names = {f"d:E_total/{u.param.name}" for u in d.updates} | {self.network.e_total.name}
        self.trainer = Trainer(self.network)
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
        self._variant_runs: dict[str, tuple[int, list[Real]]] = {}
        self.variant_replayed = 0

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

    def tables(self, index: int) -> tuple[dict[str, Real], dict[str, Real]]:
        """The values and derivatives of sample `index` (0-based) at the initial parameters."""
        if index not in self._by_sample:
            passes = {p.sample.name: p for p in self.d.passes}
            sample = self.network.spec.samples[index]
            p = passes.get(sample.name) or derive_pass(self.network, self.d.closed, sample)
            self._by_sample[index] = _tables(self.d, p)
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
        if not at or int(step) < 2 or base not in errors:
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
        if not at or not 1 < int(step) <= MAX_TRAINING_STEPS or base not in errors:
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
            if "@" in key and index is None:
                return self._gradient_after(key)
            if key not in derivatives:
                raise Unknown(f"no derivative d{key.replace('/', '/d')} in this network")
            return derivatives[key]
        base, at, step = name.partition("@")
        if at:
            return self._after(base, int(step), index)
        if name == "delta" or name not in values:
            raise Unknown(f"no quantity {name!r} in this network")
        return values[name]

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
        for o, out, target in zip(self.network.outputs, outs[-1], sample[1]):
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

    def _gradient_after(self, key: str) -> Real:
        """dE_total/dp at the parameters after k updates (`E_total/w5@1`): the gradient update k + 1
        learns from (its samples, reduced as it reduces them), as the optimizer's notes write dE/dp^(k)."""
        top, _, wrt = key.partition("/")
        base, _, step = wrt.partition("@")
        names = [p.name for p in self.network.params]
        if top != self.network.e_total.name or base not in names:
            raise Unknown(f"no derivative d{key.replace('/', '/d')} in this network")
        steps = int(step)
        if not 0 <= steps < MAX_TRAINING_STEPS:
            raise Unknown(f"at most {MAX_TRAINING_STEPS} updates are replayed")
        params = self._params(steps)
        state = self.trainer.states.get(steps, self.trainer.stepper.start())
        return optimizer_claims.moves_at(self.trainer, params, state, steps + 1)[names.index(base)].gradient

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


_FUNCTIONS: dict[str, Callable[[Real], Real]] = {
    "exp": CTX.exp, "log": CTX.log, "ln": CTX.log, "sqrt": CTX.sqrt, "tanh": CTX.tanh,
    "sigmoid": numeric_sigmoid, "sigma": numeric_sigmoid,
    "relu": lambda x: x if x > 0 else CTX.zero,
    "step": lambda x: CTX.one if x > 0 else CTX.zero,  # H(0) = 0, relu's convention
}


class OwnNames:
    """A person's own names, in the order they were defined, each with what it depends on."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.values: dict[str, Real] = {}  # at the spec's values
        self.lines: dict[str, int] = {}
        self.uses: dict[str, tuple[str, ...]] = {}  # the own names its definition refers to
        self.symbolic: dict[str, bool] = {}

    def define(self, name: str, node: Node, value: Real, line: int) -> None:
        self.nodes[name], self.values[name], self.lines[name] = node, value, line
        self.uses[name] = tuple(n for n in names_in(node) if n in self.nodes and n != name)
        self.symbolic[name] = _symbolic(node, self)

    def closure(self, node: Node) -> list[str]:
        """Every own name `node` needs, directly or not, in the order of definition (no recursion)."""
        needed: set[str] = set()
        stack = [n for n in names_in(node) if n in self.nodes]
        while stack:
            name = stack.pop()
            if name not in needed:
                needed.add(name)
                stack.extend(self.uses[name])
        return [n for n in self.nodes if n in needed]


class Evaluator:
    """Numbers of a claim's expression, from the truth (or a random point) and the person's own names."""

    def __init__(self, truth: Truth | PointTruth, own: OwnNames, at_truth: bool = True) -> None:
        self.truth, self.own, self.at_truth = truth, own, at_truth
        self.memo: dict[str, Real] = {}
        self.sample: str | None = None  # the sample unqualified names are read at; None: the default

    def evaluate(self, node: Node) -> Real:
        if not self.at_truth:  # own names at this point, in definition order: no deep recursion
            for name in self.own.closure(node):
                if name not in self.memo:
                    self.memo[name] = self._eval(self.own.nodes[name])
        return self._eval(node)

    def _eval(self, node: Node) -> Real:
        return _bounded(self._compute(node))

    def _compute(self, node: Node) -> Real:
        if isinstance(node, Num):
            return real(node.text)
        if isinstance(node, Name):
            return _bounded(self._name(node.name))
        if isinstance(node, Unary):
            value = self._eval(node.arg)
            return -value if node.op == "-" else value
        if isinstance(node, Call) and node.function == "sum_s":
            return self._sample_sum(node.arg)
        if isinstance(node, Call) and operators.is_operator(node.function):
            return operators.derivative_value(node, self.own.nodes, self._name)
        if isinstance(node, Call):
            return _FUNCTIONS[node.function](_argument(node.function, self._eval(node.arg)))
        left, right = self._eval(node.left), self._eval(node.right)
        if node.op == "^":
            return _power(left, right)
        return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                "/": lambda: left / right}[node.op]()

    def _sample_sum(self, node: Node) -> Real:
        """sum_s(x): x at every sample of the network, added (the walkthrough's \\sum_s of a batch)."""
        if not isinstance(self.truth, Truth):
            raise Unknown("a sum over the samples has no value at a random point")
        outer, values = self.sample, []
        try:
            for sample in self.truth.samples:
                self.sample = sample
                values.append(self._eval(node))
        finally:
            self.sample = outer
        return CTX.fsum(values)

    def _name(self, name: str) -> Real:
        if name in self.own.nodes:
            return self.own.values[name] if self.at_truth else self.memo[name]
        return self.truth.value(name, self.sample)


def _finite(x: object) -> Real:
    """Only finite real numbers: sqrt(-1), log(-1) or an overflow make a claim uncheckable."""
    if not isinstance(x, CTX.mpf) or not CTX.isfinite(x):
        raise ValueError("not a finite real number")
    return x


# Every value a claim computes stays within 2^+-MAX_BITS (about 10^+-3000), checked before the next
# operation: exp(exp(50000)) or a power of a huge name would otherwise take minutes and gigabytes, in
# the operation itself (exp needs as many bits as its argument's integer part) or when it is printed.
MAX_BITS = 10_000
# exp, sigmoid and tanh take arguments within +-MAX_ARGUMENT: e^5000 is about 2^7213, within MAX_BITS.
MAX_ARGUMENT = 5_000


class OutOfRange(ValueError):
    """A value of a claim beyond the range the checker computes with."""


def _magnitude(x: Real) -> int:
    """The binary exponent of a finite nonzero x (2^(m-1) <= |x| < 2^m), 0 for zero."""
    _, man, exp, bits = x._mpf_
    return exp + bits if man else 0


def _bounded(x: object) -> Real:
    """A finite value within 2^+-MAX_BITS, or OutOfRange."""
    value = _finite(x)
    if abs(_magnitude(value)) > MAX_BITS:
        raise OutOfRange(f"a value beyond 10^+-{MAX_BITS * 3 // 10} (2^+-{MAX_BITS}), "
                         "the range the checker computes with")
    return value


def _argument(function: str, x: Real) -> Real:
    """The argument of exp, sigmoid and tanh within +-MAX_ARGUMENT, checked before the call."""
    if function in ("exp", "sigmoid", "sigma", "tanh") and abs(x) > MAX_ARGUMENT:
        raise OutOfRange(f"{function} of a number beyond +-{MAX_ARGUMENT}: its value is beyond the range "
                         "the checker computes with")
    return x


def _power(base: Real, exponent: Real) -> Real:
    """base^exponent, its size estimated from the exponents before it is computed."""
    if base and abs(_magnitude(base) * exponent) > MAX_BITS:
        raise OutOfRange(f"a power beyond 10^+-{MAX_BITS * 3 // 10} (2^+-{MAX_BITS}), "
                         "the range the checker computes with")
    return base ** exponent


def names_in(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Num):
        return []
    if isinstance(node, (Unary, Call)):
        return names_in(node.arg)
    return names_in(node.left) + names_in(node.right)


def numbers_in(node: Node) -> list[Num]:
    if isinstance(node, Num):
        return [node]
    if isinstance(node, Name):
        return []
    if isinstance(node, (Unary, Call)):
        return numbers_in(node.arg)
    return numbers_in(node.left) + numbers_in(node.right)


def significant(text: str) -> int:
    digits = text.lower().lstrip("+-").split("e")[0].replace(".", "").lstrip("0")
    return max(len(digits), 1)


def agrees_to_written_digits(truth: Real, text: str) -> bool:
    """The truth, rounded or truncated to the significant digits of `text`, equals `text`."""
    claimed = Decimal(text)
    digits = significant(text)
    exact = exact_decimal(truth)
    for rounding in (ROUND_HALF_EVEN, ROUND_DOWN):
        with localcontext() as ctx:
            ctx.prec, ctx.rounding = digits, rounding
            if +exact == +claimed:
                return True
    return False


def _tolerance(node: Node, given: Callable[[Num], str | None] = lambda n: None) -> Real:
    """Relative precision of a link computed from written numbers: each adds half a unit of its last
    written digit, relative to its size; whole numbers are exact, and so is a number that equals a value
    the spec gives (a weight, an input, a target, the learning rate): 0.4 written for w5 is w5."""
    total = CTX.mpf(10) ** -30
    for n in numbers_in(node):
        value = Decimal(n.text)
        if value and ("." in n.text or "e" in n.text.lower()) and given(n) is None:
            half_unit = Decimal(5).scaleb(_exponent(value) - 1)
            total += CTX.mpf(str(half_unit / abs(value)))
    return total


def _exponent(value: Decimal) -> int:
    """The exponent of a written number's last digit (a written number is finite: no NaN, no infinity)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int), value
    return exponent


def _half_unit(text: str) -> Real:
    """Half a unit of the last digit written: how far a rounded number may be from what it rounds."""
    value = Decimal(text)
    if not ("." in text or "e" in text.lower()):
        return CTX.zero  # whole numbers (1, 2 in 1/2 (t - o)^2) are exact
    return CTX.mpf(str(Decimal(5).scaleb(_exponent(value) - 1)))


# A sum's rounding at the working precision, in units of its last digits: a formula whose terms cancel
# (the deltas of a softmax layer sum to 0) is judged within it, not against digits it cannot have.
ROUNDING_DIGITS = 5


class Spread:
    """How far a link's value may be from the same link on the unrounded numbers: half a unit of the
    last digit of each written number, carried through every operation (first order, with the worst
    slope over the interval), so that cancellation (0.13 - 0.1299) and powers are judged fairly."""

    def __init__(self, evaluator: Evaluator, given: Callable[[Num], str | None] = lambda n: None) -> None:
        self.evaluator, self.given = evaluator, given
        self.own: dict[str, Real] = {}

    def of(self, node: Node) -> Real:
        if isinstance(node, Num):  # a value the spec gives (0.4 for w5) is exact, not 0.4 +- 0.05
            return CTX.zero if self.given(node) is not None else _half_unit(node.text)
        if isinstance(node, Name):
            return self._name(node.name)
        if isinstance(node, Unary):
            return self.of(node.arg)
        if isinstance(node, Call):
            return self._call(node)
        a, b = self.evaluator._eval(node.left), self.evaluator._eval(node.right)
        ea, eb = self.of(node.left), self.of(node.right)
        if node.op in "+-":  # and the working precision's rounding, which a cancellation lays bare
            return ea + eb + (abs(a) + abs(b)) * CTX.mpf(10) ** (ROUNDING_DIGITS - CTX.dps)
        if node.op == "*":
            return abs(a) * eb + abs(b) * ea + ea * eb
        if node.op == "/":
            return (ea + abs(a / b) * eb) / (abs(b) - eb) if abs(b) > eb else CTX.inf
        n = abs(b)
        return n * (abs(a) + ea) ** (n - 1) * ea if n >= 1 else CTX.inf if ea else CTX.zero

    def _name(self, name: str) -> Real:
        """A person's own name carries the spread of its definition; the network's quantities are exact."""
        own = self.evaluator.own
        if name not in own.nodes:
            return CTX.zero
        if name not in self.own:
            self.own[name] = self.of(own.nodes[name])
        return self.own[name]

    def _call(self, node: Call) -> Real:
        e = self.of(node.arg)
        if not e:
            return CTX.zero
        if node.function == "sum_s":
            return e * len(getattr(self.evaluator.truth, "samples", (1,)))
        if operators.is_operator(node.function):
            return CTX.inf  # the slope of a derivative is not carried: rounded numbers in it are not forgiven
        x = self.evaluator._eval(node.arg)
        slopes = {"sigmoid": lambda: CTX.mpf(0.25), "sigma": lambda: CTX.mpf(0.25), "tanh": lambda: CTX.one,
                  "relu": lambda: CTX.one, "step": lambda: CTX.inf if abs(x) <= e else CTX.zero,
                  "exp": lambda: CTX.exp(_argument("exp", abs(x) + e)),
                  "log": lambda: 1 / (abs(x) - e) if abs(x) > e else CTX.inf,
                  "ln": lambda: 1 / (abs(x) - e) if abs(x) > e else CTX.inf,
                  "sqrt": lambda: 1 / (2 * CTX.sqrt(x - e)) if x > e else CTX.inf}
        return slopes[node.function]() * e


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
        if verdict.status == "correct" and _symbolic(link, evaluator.own):
            verdict = _in_general(verdict, target, link, truth, evaluator)
        literal = _literal(link)
        if verdict.status == "wrong" and literal is not None and not own:
            verdict = replace(verdict, explanations=truth.explain(target, literal))
        elif verdict.status == "wrong" and not own and _symbolic(link, evaluator.own):
            from derive.check.formulas import explain_formula  # only a wrong formula needs it

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
            if verdict.status == "correct" and _symbolic(link, evaluator.own):
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


def _symbolic(node: Node, own: OwnNames) -> bool:
    """True when the link is written in the network's quantities (so it claims a formula)."""
    if isinstance(node, Num):
        return False
    if isinstance(node, Name):
        return own.symbolic[node.name] if node.name in own.nodes else True
    if isinstance(node, (Unary, Call)):
        return _symbolic(node.arg, own)
    return _symbolic(node.left, own) or _symbolic(node.right, own)


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
        for k, j in itertools.product(self.network.layers[-1], repeat=2):  # a softmax's Jacobian
            if name == f"d:{k.out.name}/{j.net.name}" and not k.activation.elementwise:
                return softmax_jacobian(k.out, j.out, k is j)
        raise Unknown(f"no closed form for {name}")

    def value(self, name: str, sample: str | None = None) -> Real:
        """At the random point, which stands for any one sample: a named sample reads the same."""
        return evaluate(self.expression(split_sample(name)[0]), self.symbols)

    def closed_form(self, name: str) -> str:
        return str(self.expression(name))


def _distributions(network: Network) -> bool:
    """A softmax output layer whose targets sum to 1 at every sample (a formula may rely on it)."""
    softmax = not network.layers[-1][0].activation.elementwise
    return softmax and all(sum(Decimal(str(t)) for t in s.targets) == 1 for s in network.spec.samples)


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
        ok = abs(claimed - truth) <= _tolerance(link, given) * max(abs(truth), CTX.mpf(10) ** -40)
        if not ok and spread is not None:
            try:
                ok = abs(claimed - truth) <= spread(link) * (1 + CTX.mpf(10) ** -9) + CTX.mpf(10) ** -30 * abs(truth)
            except (ArithmeticError, ValueError):
                ok = False
        reason = ("agrees within the precision of its numbers" if ok
                  else f"evaluates to {show(claimed, 9).text}, the truth is {show(truth, 9).text}")
    return Verdict(claim.line, claim.text, i, "correct" if ok else "wrong", truth, claimed, reason)


@dataclass(frozen=True)
class Report:
    verdicts: tuple[Verdict, ...]
    refused: tuple[tuple[int, str], ...]

    @property
    def wrong(self) -> int:
        return sum(v.status == "wrong" for v in self.verdicts)


def unchecked(report: Report) -> str | None:
    """Why a report without a wrong claim is still not a pass: nothing judged, or lines refused; else None."""
    verdicts, refused = report.verdicts, report.refused
    if not verdicts and not refused:
        return "no claims (the file is empty or holds only comments)"
    if not any(v.status in ("correct", "wrong") for v in verdicts):
        return "nothing could be checked (no claim was found correct or wrong)"
    lines = sorted([n for n, _ in refused] + [v.line for v in verdicts if v.status == "cannot check"])
    if lines:
        count = len(lines)
        return f"{count} claim{'s' if count > 1 else ''} could not be checked (first: line {lines[0]})"
    return None


def check_text(d: Derivation, text: str, budget: Budget | None = None, notation: str = "classic") -> Report:
    """Every claim of a claims file judged against `d`; unreadable lines are refused, never run.

    The file's checking stays within `budget` (default: Budget()): lines whose replays the work budget
    cannot pay for are refused when the file is read; once the time is spent, every line left is
    `cannot check: budget spent`."""
    found, refused = parse(text, latex.glyph_names(d.network, notation))
    truth = Truth(d, budget)
    found, over = _plan_replays(found, truth)
    evaluator = Evaluator(truth, OwnNames())
    verdicts: list[Verdict] = []
    for index, claim in enumerate(found):
        try:
            truth.budget.check_time()
            verdicts += judge(claim, truth, evaluator)
        except BudgetSpent as exc:
            verdicts += [Verdict(c.line, c.text, 1, "cannot check", None, None, str(exc)) for c in found[index:]]
            break
    return Report(tuple(verdicts), tuple(sorted(refused + over)))


def _replays(claim: Claim) -> list[tuple[str, int]]:
    """(quantity, update count) of every value after training the claim names."""
    found = []
    sides = list(claim.links) + ([claim.left] if claim.left is not None else [])
    for name in [claim.target.name] + [n for link in sides for n in names_in(link)]:
        base, at, step = split_sample(name)[0].partition("@")
        if at and not base.startswith("d:"):
            found.append((base, int(step)))
    return found


def _plan_replays(found: list[Claim], truth: Truth) -> tuple[list[Claim], list[tuple[int, str]]]:
    """The claims whose replays fit the work budget, the others refused; the replay planned once."""
    most = truth.budget.max_updates()
    kept, refused, steps = [], [], []
    for claim in found:
        wanted = [s for base, s in _replays(claim) if truth.followable(base) and s <= MAX_TRAINING_STEPS]
        beyond = [s for s in wanted if s > most]
        if beyond:
            refused.append((claim.line, f"replaying {max(beyond)} updates of this network costs "
                            f"{max(beyond) * truth.update_work:,} units of work, beyond a claims file's budget "
                            f"of {truth.budget.budget.work:,} (at most {most} updates)"))
            continue
        kept.append(claim)
        steps += wanted
    truth.plan(steps)
    return kept, refused


def _shown(x: Real | None, digits: int) -> str | None:
    return None if x is None else show(x, digits).text


def to_text(report: Report, digits: int) -> str:
    lines = []
    for v in report.verdicts:
        where = f"line {v.line}" + (f", {v.entry}" if v.entry else "") + (f", link {v.link}" if v.link > 1 else "")
        truth = f" (truth {_shown(v.truth, digits)}" if v.truth is not None and v.status != "defined" else ""
        error = v.relative_error
        wrong = truth and error is not None and v.status == "wrong"
        rel = f", relative error {show(error, 3).text})" if wrong else (")" if truth else "")
        reading = f"; reading: {v.reading}" if v.reading else ""
        lines.append(f"{where}: {v.status}: {v.reason}{reading}{truth}{rel}")
        lines += [f"    most likely: {e}" for e in v.explanations]
    lines += [f"line {n}: cannot check: refused: {why}" for n, why in report.refused]
    counts = {s: sum(v.status == s for v in report.verdicts) for s in ("correct", "wrong", "cannot check")}
    lines.append(f"{counts['correct']} correct, {counts['wrong']} wrong, "
                 f"{counts['cannot check'] + len(report.refused)} cannot check")
    return "\n".join(lines)


def to_json(report: Report, digits: int) -> str:
    import json

    items = [{"line": v.line, "link": v.link, "claim": v.text, "verdict": v.status, "reason": v.reason,
              "truth": _shown(v.truth, digits), "claimed": _shown(v.claimed, digits),
              "relative_error": _shown(v.relative_error, 3), "explanations": list(v.explanations),
              "reading": v.reading, "entry": v.entry}
             for v in report.verdicts]
    items += [{"line": n, "link": 0, "claim": None, "verdict": "cannot check", "reason": f"refused: {why}",
               "truth": None, "claimed": None, "relative_error": None, "explanations": [], "reading": "",
               "entry": ""}
              for n, why in report.refused]
    summary = {"correct": sum(v.status == "correct" for v in report.verdicts), "wrong": report.wrong,
               "cannot_check": sum(v.status == "cannot check" for v in report.verdicts) + len(report.refused)}
    return json.dumps({"claims": items, "summary": summary}, indent=2, ensure_ascii=False)
