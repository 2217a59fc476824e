"""Steps: one variant worked through quantity by quantity, each step's value a formula of the steps
before it and of the numbers the sheet gives.

The order is the walkthrough's: for each sample the first update learns from, the forward pass (every
net and out), the loss (each output's error, the total), the backward pass layer by layer from the
output (each neuron's dE/dout, dout/dnet and delta, then the gradient of each trainable parameter of
the layer); then, on a batch, the batch's gradients; then each trainable parameter's update and the
error after it. A step's formula names the earlier steps it uses (`out_h1`, `dE_total/dnet_o1`) as
SymPy symbols of those names, so it can be evaluated with a student's own earlier answers in place of
the truth: that is what "right from your earlier value" means. Each catalogued mistake is a formula
too, the step done that mistake's way (`derive.practice.slips`): a chain of steps with the mistake in
every step it touches gives the catalogue's values (`derive.check.mistakes`), which the tests check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sympy import Add, Expr, Integer, Mul, Number, Symbol

from derive.check.mistakes import Mistake, catalogue
from derive.check.truth import Truth, optimizer_constants
from derive.maths.derivation import Derivation, InconsistentDerivation, agree
from derive.maths.numeric import Trainer, evaluate
from derive.model import identifiers
from derive.model.network import Network, Neuron, Param
from derive.model.precision import Real, real
from derive.model.rules import softmax_jacobian
from derive.practice import slips

# What a step is: the forward pass (net, out), the loss (each output's error, the total), the backward
# pass (dE/dout, dout/dnet, delta, a parameter's gradient), a batch's gradient or error, an update, and
# the error after the update.
KINDS = ("net", "out", "loss", "total", "error", "slope", "delta", "gradient", "batch", "update", "after")
# The quantities `derive grade` replaces by a student's own answers when it carries an error forward
# (derive.course.carried): the forward pass, the loss, the gradients and the updated parameters.
CARRIED_KINDS = ("net", "out", "loss", "total", "gradient", "batch", "update")


@dataclass(frozen=True)
class Step:
    """One quantity to work out: its claim, its formula, and its formula under each catalogued mistake."""

    claim: str  # as a claims file writes it: out_h1, dE_total/dw5, w5@1, out_h1[s2]
    name: str  # the checker's name of the quantity: d:E_total/w5
    kind: str  # one of KINDS
    symbol: Symbol  # the step's value in the formulas of later steps (named by its claim)
    terms: tuple[tuple[Expr, ...], ...]  # the formula as a sum of ordered products; () when it is not one
    expr: Expr  # the formula
    mistakes: tuple[tuple[str, Expr], ...]  # (catalogued mistake, the formula done that way), catalogue order
    subject: str  # the neuron or parameter it is about
    sample: str | None  # the sample, on a network of several
    layer: int  # the 0-based layer of its neuron or parameter; -1 for a total

    @property
    def carried(self) -> bool:
        return self.kind in CARRIED_KINDS


@dataclass(frozen=True)
class Chain:
    """Every step of one variant, the numbers the sheet gives, and each step's true value."""

    network: Network
    steps: tuple[Step, ...]
    given: tuple[tuple[Symbol, Real], ...]  # inputs, targets, parameters, learning rate, optimizer settings
    truths: tuple[Real, ...]  # parallel to steps
    samples: tuple[str, ...]  # the samples the first update learns from

    def world(self) -> dict[Symbol, Real]:
        """Every given number and every step's truth, by symbol."""
        found = dict(self.given)
        found.update((s.symbol, t) for s, t in zip(self.steps, self.truths))
        return found


def given_name(name: str, sample: str, several: bool) -> str:
    """An input's or a target's claim name: `i1`, or `i1[s2]` on a network of several samples (as key.json's
    values name them)."""
    return f"{name}[{sample}]" if several else name


def build(d: Derivation) -> Chain:
    """The steps of the variant `d` (its first update), verified against the checker's truth."""
    builder = _Builder(d)
    steps = builder.all_steps()
    world = dict(builder.given)
    truth = Truth(d)
    truths = []
    for s in steps:
        value = evaluate(s.expr, world)
        expected = truth.value(s.name)
        if not agree(value, expected):
            raise InconsistentDerivation(f"practice step {s.claim}: {value} != {expected}")
        world[s.symbol] = value
        truths.append(value)
    return Chain(d.network, tuple(steps), tuple(builder.given.items()), tuple(truths), builder.samples)


@dataclass
class _Builder:
    """The steps of one derivation, made in order; each step's symbol is known to the steps after it."""

    d: Derivation
    given: dict[Symbol, Real] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    symbols: dict[str, Symbol] = field(default_factory=dict)  # claim -> symbol, for given numbers and steps

    def __post_init__(self) -> None:
        self.network = self.d.network
        self.trainer = Trainer(self.network)
        self.mistakes: tuple[Mistake, ...] = catalogue(self.network)
        self.several = len(self.network.spec.samples) > 1
        first = self.trainer.step_samples(1)
        self.samples = tuple(s.name for s in self.network.spec.samples[:len(first)])
        self.batch = len(first) > 1
        self._given_numbers()

    # --- names ---------------------------------------------------------------------------------

    def _sym(self, claim: str) -> Symbol:
        return self.symbols[claim]

    def _at(self, name: str, sample: str | None) -> str:
        return f"{name}[{sample}]" if sample is not None and self.several else name

    def _given_numbers(self) -> None:
        network, spec = self.network, self.network.spec
        for sample in spec.samples:
            for name, value in zip(spec.inputs, sample.inputs):
                self._give(given_name(name, sample.name, self.several), real(value))
            for o, value in zip(network.outputs, sample.targets):
                self._give(given_name(o.target.name, sample.name, self.several), real(value))
        for p in network.params:
            self._give(p.name, real(p.initial))
        self._give(identifiers.ETA, real(spec.training.learning_rate))
        for name, value in optimizer_constants(network).items():
            self._give(name, value)

    def _give(self, claim: str, value: Real) -> None:
        self.symbols[claim] = Symbol(claim)
        self.given[self.symbols[claim]] = value

    def _sample_map(self, sample: str) -> dict[Symbol, Symbol]:
        """The network's symbols -> the given numbers and the steps of one sample, for its formulas."""
        network = self.network
        found = {x: self._sym(given_name(x.name, sample, self.several)) for x in network.inputs}
        found.update((o.target, self._sym(given_name(o.target.name, sample, self.several))) for o in network.outputs)
        found.update((p.symbol, self._sym(p.name)) for p in network.params)
        found[network.eta] = self._sym(identifiers.ETA)
        for n in network.neurons:
            for quantity in (n.net, n.out):
                claim = self._at(quantity.name, sample)
                if claim in self.symbols:
                    found[quantity] = self.symbols[claim]
        return found

    def _add(self, claim: str, name: str, kind: str, expr: Expr, subject: str, sample: str | None, layer: int,
             terms: tuple[tuple[Expr, ...], ...] = (), mistakes: Iterable[tuple[str, Expr]] = ()) -> Symbol:
        symbol = Symbol(claim)
        self.symbols[claim] = symbol
        kept = tuple((m, e) for m, e in mistakes if e != expr)  # a mistake that changes nothing is none here
        self.steps.append(Step(claim, name, kind, symbol, terms, expr, kept, subject, sample, layer))
        return symbol

    # --- the steps -----------------------------------------------------------------------------

    def all_steps(self) -> list[Step]:
        for sample in self.samples:
            self._forward(sample)
            self._loss(sample)
            self._backward(sample)
        if self.batch:
            self._batch()
        self._updates()
        self._after()
        return self.steps

    def _forward(self, sample: str) -> None:
        for index, layer in enumerate(self.network.layers):
            sub = self._sample_map(sample)
            for n in layer:
                terms = tuple((link.weight.symbol.xreplace(sub), link.source.xreplace(sub)) for link in n.links)
                if n.bias is not None:
                    terms += ((Integer(n.bias_sign), n.bias.symbol.xreplace(sub)),)
                self._add(self._at(n.net.name, sample), self._at(n.net.name, sample), "net",
                          _sum(terms), n.name, sample, index, terms)
            sub = self._sample_map(sample)
            nets = tuple(k.net for k in layer)
            for n in layer:
                expr = n.activation.forward(nets, n.position).xreplace(sub)
                claim = self._at(n.out.name, sample)
                self._add(claim, claim, "out", expr, n.name, sample, index)

    def _loss(self, sample: str) -> None:
        network = self.network
        sub = self._sample_map(sample)
        total = self._at(network.e_total.name, sample)
        last = len(network.layers) - 1
        if len(network.outputs) == 1:
            expr = network.outputs[0].loss_expr.xreplace(sub)
            self._add(total, total, "total", expr, network.e_total.name, sample, last)
            return
        errors = []
        for o in network.outputs:
            claim = self._at(o.error.name, sample)
            errors.append((self._add(claim, claim, "loss", o.loss_expr.xreplace(sub), o.neuron.name, sample, last),))
        self._add(total, total, "total", _sum(tuple(errors)), network.e_total.name, sample, -1, tuple(errors))

    def _backward(self, sample: str) -> None:
        network = self.network
        last = len(network.layers) - 1
        for index in range(last, -1, -1):
            layer = network.layers[index]
            if index == last and not layer[0].activation.elementwise:
                self._softmax(sample)
            else:
                for n in layer:
                    self._neuron(n, sample, index == last)
            for p in network.params:
                if p.layer == index and p.trainable:
                    self._gradient(p, sample)

    def _derivative(self, top: str, wrt: str, sample: str | None) -> tuple[str, str]:
        """(claim, checker's name) of d top / d wrt."""
        return self._at(f"d{top}/d{wrt}", sample), self._at(f"d:{top}/{wrt}", sample)

    def _neuron(self, n: Neuron, sample: str, output: bool) -> None:
        """dE/dout, dout/dnet (unless it is a constant) and delta = dE/dnet of one elementwise neuron."""
        sub = self._sample_map(sample)
        out, net = sub[n.out], sub[n.net]
        error = self._output_error(n, sample, sub) if output else self._hidden_error(n, sample)
        rule = n.activation.local
        assert rule is not None, "an elementwise activation states its local derivative"
        local = rule(out, net)
        plain = output and self.network.loss.name == "binary_cross_entropy"  # its delta is out - target as is
        slope: Expr = local
        if not isinstance(local, Number):
            claim, name = self._derivative(n.out.name, n.net.name, sample)
            wrong = [] if plain else slips.slope(self.mistakes, rule(net, net))
            slope = self._add(claim, name, "slope", local, n.name, sample, n.layer, mistakes=wrong)
        claim, name = self._derivative(network_total(self.network), n.net.name, sample)
        wrong = [] if plain or isinstance(local, Number) else slips.delta(self.mistakes, error)
        self._add(claim, name, "delta", error * slope, n.name, sample, n.layer, ((error, slope),), wrong)

    def _output_error(self, n: Neuron, sample: str, sub: dict[Symbol, Symbol]) -> Symbol:
        claim, name = self._derivative(network_total(self.network), n.out.name, sample)
        expr = self.d.closed.loss_grads[n.out].xreplace(sub)
        wrong = [] if self.network.loss.name == "binary_cross_entropy" else slips.loss_factor(self.mistakes, expr)
        return self._add(claim, name, "error", expr, n.name, sample, n.layer, mistakes=wrong)

    def _hidden_error(self, n: Neuron, sample: str) -> Symbol:
        """dE/dout_h = sum over the next layer of delta_k w_kh, and the mistakes of that sum."""
        network = self.network
        after = network.layers[n.layer + 1]
        deltas = [self._sym(self._derivative(network_total(network), k.net.name, sample)[0]) for k in after]
        weights = [self._sym(k.links[n.position].weight.name) for k in after]
        terms = tuple(zip(deltas, weights))
        behind_output = n.layer + 1 == len(network.layers) - 1
        square = len(after) == len(network.layers[n.layer])
        context = slips.Hidden(
            deltas=tuple(deltas), weights=tuple(weights), behind_output=behind_output,
            transposed=tuple(self._sym(after[n.position].links[k].weight.name) for k in range(len(after)))
            if square else None,
            stale=tuple(w - self._sym(identifiers.ETA) * self._sym(self._derivative(network_total(network), w.name,
                                                                                     sample)[0])
                        for w in weights) if behind_output else None)
        claim, name = self._derivative(network_total(network), n.out.name, sample)
        return self._add(claim, name, "error", _sum(terms), n.name, sample, n.layer, terms,
                         slips.hidden(self.mistakes, context))

    def _softmax(self, sample: str) -> None:
        """A softmax output layer: each output's dE/dout, then each delta through the Jacobian."""
        network = self.network
        layer = network.layers[-1]
        sub = self._sample_map(sample)
        errors = [self._output_error(n, sample, sub) for n in layer]
        for j in layer:
            terms = tuple((e, softmax_jacobian(sub[k.out], sub[j.out], k is j)) for e, k in zip(errors, layer))
            claim, name = self._derivative(network_total(network), j.net.name, sample)
            self._add(claim, name, "delta", _sum(terms), j.name, sample, j.layer, terms)

    def _gradient(self, p: Param, sample: str) -> None:
        """dE/dp of one sample: the sum over the neurons p feeds of delta times d net / d p."""
        network = self.network
        index = network.params.index(p)
        sub = self._sample_map(sample)
        terms, wrong = [], []
        for u in network.usages[index]:
            delta = self._sym(self._derivative(network_total(network), u.neuron.net.name, sample)[0])
            terms.append((delta, u.dnet.xreplace(sub)))
            if p.kind == "weight":
                wrong.append(slips.Source(delta, self._wrong_sources(u.neuron, p, sub)))
        claim, name = self._derivative(network_total(network), p.name, sample)
        self._add(claim, name, "gradient", _sum(tuple(terms)), p.name, sample, p.layer, tuple(terms),
                  slips.gradient(self.mistakes, tuple(wrong)) if p.kind == "weight" else ())

    def _wrong_sources(self, n: Neuron, p: Param, sub: dict[Symbol, Symbol]) -> slips.Sources:
        """What a weight's d net / d w becomes under the mistakes of the sources: the source's net for its
        out (past the first layer), the source of the link in the reversed position."""
        position = next(i for i, link in enumerate(n.links) if link.weight is p)
        source = n.links[position].source
        before = self.network.layers[n.layer - 1] if n.layer else ()
        net = next((k.net for k in before if k.out == source), None)
        reversed_source = n.links[len(n.links) - 1 - position].source
        return slips.Sources(net.xreplace(sub) if net is not None else None, reversed_source.xreplace(sub))

    def _batch(self) -> None:
        """The batch's error and gradients: the samples' summed, or averaged as the spec's reduction says."""
        network = self.network
        scale = Integer(1) / len(self.samples) if network.spec.training.reduction == "mean" else Integer(1)
        parts = tuple((scale, self._sym(self._at(network.e_total.name, s))) if scale != 1
                      else (self._sym(self._at(network.e_total.name, s)),) for s in self.samples)
        name = network.e_total.name
        self._add(name, name, "batch", _sum(parts), name, None, -1, parts)
        for p in network.params:
            if p.trainable:
                claim, checker = self._derivative(network_total(network), p.name, None)
                parts = tuple((scale, self._sym(self._derivative(network_total(network), p.name, s)[0]))
                              if scale != 1 else (self._sym(self._derivative(network_total(network), p.name, s)[0]),)
                              for s in self.samples)
                self._add(claim, checker, "batch", _sum(parts), p.name, None, p.layer, parts)

    def gradient_symbol(self, p: Param) -> Symbol:
        """The gradient the first update uses: the batch's, or the one sample's."""
        sample = None if self.batch else self.samples[0]
        return self._sym(self._derivative(network_total(self.network), p.name, sample)[0])

    def _updates(self) -> None:
        network = self.network
        eta = self._sym(identifiers.ETA)
        for p in network.params:
            if not p.trainable:
                continue
            old, g = self._sym(p.name), self.gradient_symbol(p)
            claim = f"{p.name}@1"
            if network.spec.training.optimizer.plain:
                wrong = slips.update(self.mistakes, old, eta, g, p.kind == "bias")
                self._add(claim, claim, "update", old - eta * g, p.name, None, p.layer,
                          ((old,), (Integer(-1), eta, g)), wrong)
            else:
                expr = slips.optimizer_update(network, p, old, g, {n: self._sym(n) for n in self._constants()})
                self._add(claim, claim, "update", expr, p.name, None, p.layer)

    def _constants(self) -> list[str]:
        return [identifiers.ETA, *optimizer_constants(self.network)]

    def _after(self) -> None:
        """The error over every sample at the updated parameters, as the iterations report it; under the
        mistake of the frozen biases, at the parameters it leaves (frozen biases moved, trainable ones not)."""
        network = self.network
        params = {p.symbol: self._sym(f"{p.name}@1" if p.trainable else p.name) for p in network.params}
        flipped = dict(params)
        eta = self._sym(identifiers.ETA)
        for p in network.params:
            if p.kind == "bias":
                flipped[p.symbol] = self._sym(p.name) - (0 if p.trainable else eta * self._bias_gradient(p))
        wrong = [(m.name, self._error_at(flipped)) for m in self.mistakes if m.flip_biases
                 and network.spec.training.optimizer.plain]
        claim = f"{network.e_total.name}@1"
        self._add(claim, claim, "after", self._error_at(params), network.e_total.name, None, -1, mistakes=wrong)

    def _bias_gradient(self, p: Param) -> Expr:
        """A frozen bias's gradient (no step asks for it), from the deltas of the update's samples."""
        network = self.network
        usages = network.usages[network.params.index(p)]
        total = Add(*[self._sym(self._derivative(network_total(network), u.neuron.net.name, s)[0]) * u.dnet
                      for s in self.samples for u in usages])
        mean = self.batch and network.spec.training.reduction == "mean"
        return total / len(self.samples) if mean else total

    def _error_at(self, params: dict[Symbol, Expr]) -> Expr:
        """The dataset error with the parameters' symbols put in as `params` says."""
        network = self.network
        total: Expr = Integer(0)
        for sample in network.spec.samples:
            values: dict[Symbol, Expr] = dict(params)
            values.update((x, self._sym(given_name(x.name, sample.name, self.several))) for x in network.inputs)
            values.update((o.target, self._sym(given_name(o.target.name, sample.name, self.several)))
                          for o in network.outputs)
            for layer in network.layers:
                nets = {n.net: n.net_expr().xreplace(values) for n in layer}
                values.update(nets)
                names = tuple(k.net for k in layer)
                values.update((n.out, n.activation.forward(names, n.position).xreplace(nets)) for n in layer)
            total += Add(*[o.loss_expr.xreplace(values) for o in network.outputs])
        return total / len(network.spec.samples) if network.spec.training.reduction == "mean" else total


def network_total(network: Network) -> str:
    return network.e_total.name


def _sum(terms: tuple[tuple[Expr, ...], ...]) -> Expr:
    return Add(*[Mul(*t) for t in terms])


def replay(chain: Chain, mistake: str | None = None, own: Mapping[str, Real] | None = None) -> list[Real]:
    """Every step's value worked out in order from the given numbers: with `mistake` made at each step it
    touches, and a student's `own` answers (by claim) in place of the steps they answered."""
    world = dict(chain.given)
    found = []
    for s in chain.steps:
        formula = dict(s.mistakes).get(mistake, s.expr) if mistake is not None else s.expr
        value = (own or {}).get(s.claim)
        world[s.symbol] = value if value is not None else evaluate(formula, world)
        found.append(world[s.symbol])
    return found
