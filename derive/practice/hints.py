"""Hints: what the walkthrough says about each step, in three levels, and the step itself.

1. the rule, in the walkthrough's own words: its sentence for the step (the chain rule and which
   factors, the paths that add up, the update rule) and, for a local derivative, the rules its
   narration applies (`derive.maths.steps`: sum, power, chain rule, the sigmoid identity ...);
2. the formula in names, in the notation of the page;
3. the formula with the variant's numbers in (the truth of the earlier steps, as the walkthrough
   writes them);
then the step shown: its value. Everything is printed here by the notes' printers; a message's maths
stands between dollars, as in the walkthrough's Markdown.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from sympy import Add, Expr, Symbol

from derive.check.mistakes import catalogue as mistake_catalogue
from derive.course import questions as course_questions
from derive.course import sheets
from derive.maths import steps as narration
from derive.maths.numeric import Trainer
from derive.model.network import Network, Neuron
from derive.model.notation import Notation, latex
from derive.model.precision import show
from derive.notes import messages
from derive.notes.printers import NotationPrinter, ValuePrinter
from derive.practice.steps import Chain, Step

SHOWN_DIGITS = 9  # the walkthrough's digits: a step shown, and the numbers of a hint


@dataclass(frozen=True)
class Hint:
    """The three levels of one step and the step shown; `rule` is text with $maths$, the others LaTeX."""

    rule: str
    names: str
    numbers: str
    shown: str


class NamePrinter(NotationPrinter):
    """LaTeX of a step's formula: every given number and earlier step by its label in the notation."""

    def __init__(self, notation: Notation, labels: Mapping[Symbol, str]) -> None:
        super().__init__(notation)
        self.labels = labels

    def _print_Symbol(self, expr: Symbol, style: str = "plain") -> str:
        found = self.labels.get(expr)
        return found if found is not None else self.name(expr.name)

    def _print_Pow(self, expr: Expr) -> str:
        """A power of a quantity printed as a fraction (dE/dw)^2 is bracketed; other powers as LaTeX prints them."""
        label = self.labels.get(expr.base) if expr.base.is_Symbol else None
        if label is not None and "\\frac" in label and expr.exp.is_Integer:
            return rf"\left({label}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr)


def quantity(name: str, pr: NotationPrinter) -> str:
    """A quantity's LaTeX (`d:E_total/w5` as a fraction of partials, `w5@1` with ^{(1)}), as the sheets
    print their questions."""
    return sheets.question_latex(course_questions.Question(name, name, 0, (), 1), pr)


def labels(chain: Chain, notation: Notation, within: str | None) -> dict[Symbol, str]:
    """The LaTeX of every given number and step in a formula of sample `within` (its own quantities
    without the sample's name; on a network of several samples, the others' with it)."""
    pr = NotationPrinter(notation)
    found = {}
    for symbol, _ in chain.given:
        base, _, sample = symbol.name.partition("[")
        found[symbol] = quantity(symbol.name if sample and sample.rstrip("]") != within else base, pr)
    for s in chain.steps:
        own = s.sample is None or s.sample == within
        name = s.name.partition("[")[0] if own else s.name
        found[s.symbol] = delta_glyph(chain.network, s, notation) if s.kind == "delta" and own else quantity(name, pr)
    return found


def delta_glyph(network: Network, s: Step, notation: Notation) -> str:
    """A delta by the notation's glyph where it means dE/dnet (the textbook's g_j is its negative: there,
    the fraction)."""
    neuron = next(n for n in network.neurons if n.name == s.subject)
    if notation.delta_sign > 0:
        return latex(notation.glyph(neuron.delta.name))
    return quantity(s.name.partition("[")[0], NotationPrinter(notation))


def hints(chain: Chain, notation: Notation, lang: str) -> tuple[Hint, ...]:
    """Every step's hints, in the page's order."""
    t = messages.catalogue(lang)
    extra = _Extra(chain, notation, lang)
    world = chain.world()
    found = []
    printers: dict[str | None, NamePrinter] = {}  # one per sample: the labels are the same for its steps
    for s, truth in zip(chain.steps, chain.truths):
        if s.sample not in printers:
            printers[s.sample] = NamePrinter(notation, labels(chain, notation, s.sample))
        names = printers[s.sample]
        values = ValuePrinter(world, SHOWN_DIGITS)
        lhs = quantity(s.name, NotationPrinter(notation)) if s.kind != "delta" else _delta_lhs(chain, s, notation)
        formula = extra.formula(s, names, values)
        found.append(Hint(extra.rule(s, t, names), names.equation(lhs, formula[0]), names.equation(lhs, formula[1]),
                          names.equation(lhs, show(truth, SHOWN_DIGITS).latex)))
    return tuple(found)


def _delta_lhs(chain: Chain, s: Step, notation: Notation) -> str:
    own = quantity(s.name.partition("[")[0], NotationPrinter(notation))
    glyph = delta_glyph(chain.network, s, notation)
    return own if glyph == own else f"{glyph} = {own}"


class _Extra:
    """What the hints of one chain need beyond the step: the network, the printers, the messages."""

    def __init__(self, chain: Chain, notation: Notation, lang: str) -> None:
        self.chain, self.notation, self.lang = chain, notation, lang
        self.network = chain.network
        self.sym = NotationPrinter(notation)

    def neuron(self, s: Step) -> Neuron:
        return next(n for n in self.network.neurons if n.name == s.subject)

    # --- level 1: the rule ----------------------------------------------------------------------

    def rule(self, s: Step, t: messages.Catalogue, names: NamePrinter) -> str:
        practice = catalogue(self.lang)
        if s.kind in ("net", "out"):
            return t("forward_intro")
        if s.kind in ("loss", "total"):
            return practice("hint_loss", loss=sheets.catalogue(self.lang)(self.network.spec.loss))
        if s.kind == "error" and s.layer == len(self.network.layers) - 1:
            return f"{t('error_output')} {self._rules(s, t)}"
        if s.kind == "error":
            return f"{t('error_hidden')} ${self._hidden_chain(s)}$"
        if s.kind == "slope":
            return f"{t('slope')} {self._rules(s, t)}"
        if s.kind == "delta":
            n = self.neuron(s)
            chain = self.sym.product([self.sym.partial(n.out, n.net)]) if n.activation.elementwise else ""
            lead = self.sym.partial(self.network.e_total, n.out)
            key = "delta" if self.notation.delta_sign > 0 else "delta_negative"
            said = t(key, delta=f"${self.sym.doprint(n.delta)}$")
            return f"{said} ${self._delta_chain(n, lead, chain)}$"
        if s.kind == "gradient":
            return f"{t('chain_rule')} ${self._gradient_chain(s)}$"
        if s.kind == "batch":
            return t("batch_mean" if self.network.spec.training.reduction == "mean" else "batch_sum")
        if s.kind == "update":
            rule = rf"p^{{+}} = p - {self.sym.doprint(self.network.eta)} \, \partial " \
                   rf"{self.sym.doprint(self.network.e_total)} / \partial p"
            return t("update_intro", rule=f"${rule}$")
        return practice("hint_after")

    def _rules(self, s: Step, t: messages.Catalogue) -> str:
        """The rules the walkthrough's narration applies to this local derivative, in its words."""
        n = self.neuron(s)
        if s.kind == "error":
            explanation = narration.explain(Add(*[o.loss_expr for o in self.network.outputs]), n.out)
        else:
            layer = self.network.layers[n.layer]
            nets = tuple(k.net for k in layer)
            back = {k.activation.forward(nets, k.position): k.out for k in layer}
            explanation = narration.explain(n.activation.forward(nets, n.position), n.net, back)
        var = self.sym.doprint(explanation.var)
        said = [_said(step, var, t, self.sym) for step in explanation.steps if step.rule != "substitute"]
        return "; ".join(dict.fromkeys(said)) + "."

    def _hidden_chain(self, s: Step) -> str:
        n = self.neuron(s)
        after = self.network.layers[n.layer + 1]
        paths = " + ".join(self.sym.product([self.sym.partial(self.network.e_total, k.net),
                                             self.sym.partial(k.net, n.out)]) for k in after)
        return f"{self.sym.partial(self.network.e_total, n.out)} = {paths}"

    def _delta_chain(self, n: Neuron, lead: str, slope: str) -> str:
        whole = self.sym.partial(self.network.e_total, n.net)
        if slope:
            return f"{whole} = {self.sym.product([lead, slope])}"
        layer = self.network.layers[n.layer]
        return f"{whole} = " + " + ".join(self.sym.product([self.sym.partial(self.network.e_total, k.out),
                                                            self.sym.partial(k.out, n.net)]) for k in layer)

    def _gradient_chain(self, s: Step) -> str:
        network = self.network
        p = next(q for q in network.params if q.name == s.subject)
        usages = network.usages[network.params.index(p)]
        chains = " + ".join(self.sym.product([self.sym.partial(network.e_total, u.neuron.net),
                                              self.sym.partial(u.neuron.net, p.symbol)]) for u in usages)
        return f"{self.sym.partial(network.e_total, p.symbol)} = {chains}"

    # --- levels 2 and 3: the formula in names and in numbers -------------------------------------

    def formula(self, s: Step, names: NamePrinter, values: ValuePrinter) -> tuple[str, str]:
        if s.kind == "after":
            return self._after(s, names, values)
        if s.terms:
            return _terms(s.terms, names), _terms_numbers(s.terms, values)
        text = names.doprint(s.expr)
        if s.kind == "out":
            explicit = self.neuron(s).activation.explicit
            if explicit is not None:
                net = next(iter(s.expr.free_symbols))
                text = f"{text} = {names.doprint(explicit(net))}"
                return text, values.doprint(explicit(net))
        return text, values.doprint(s.expr)

    def _after(self, s: Step, names: NamePrinter, values: ValuePrinter) -> tuple[str, str]:
        """The loss at the updated parameters: each output's error with its output after the update; in
        numbers, each output's (one sample) or each sample's error at the updated parameters."""
        network = self.network
        after = {o.neuron.out: Symbol(f"{o.neuron.out.name}@1") for o in network.outputs}
        labels = {**names.labels, **{x: quantity(x.name, self.sym) for x in after.values()}}
        printer = NamePrinter(self.notation, labels)
        text = " + ".join(printer.doprint(o.loss_expr.xreplace(after)) for o in network.outputs)
        count = len(network.spec.samples)
        if count > 1:
            mean = network.spec.training.reduction == "mean"
            text = text if len(network.outputs) == 1 else rf"\left({text}\right)"
            text = (rf"\frac{{1}}{{{count}}} \sum_{{s}} " if mean else r"\sum_{s} ") + text
        return text, _after_numbers(self.chain, after, values)


def _after_numbers(chain: Chain, after: Mapping[Symbol, Symbol], values: ValuePrinter) -> str:
    """The error after the update in numbers: with one sample, each output's error with its output after
    the update; with several, each sample's error at the updated parameters, added up."""
    network = chain.network
    world = chain.world()
    params = [world[Symbol(f"{p.name}@1")] if p.trainable else world[Symbol(p.name)] for p in network.params]
    trainer = Trainer(network)
    if len(trainer.samples) == 1:
        inputs, targets = trainer.samples[0]
        outs = trainer.forward(params, inputs)[1][-1]
        numbers = {**values.values, **{after[o.neuron.out]: y for o, y in zip(network.outputs, outs)}}
        numbers.update((o.target, t) for o, t in zip(network.outputs, targets))
        printer = ValuePrinter(numbers, values.digits)
        return " + ".join(printer.doprint(o.loss_expr.xreplace(after)) for o in network.outputs)
    errors = [trainer.error(params, sample) for sample in trainer.samples]
    text = " + ".join(values.number(e, True) for e in errors)
    if network.spec.training.reduction == "mean":
        return rf"\frac{{1}}{{{len(errors)}}} \left({text}\right)"
    return text


def _said(step: narration.Step, var: str, t: messages.Catalogue, pr: NotationPrinter) -> str:
    """One narrated rule in the walkthrough's words (its template's `rule` macro); `var`: the LaTeX of
    the variable of differentiation."""
    var = f"${var}$"
    if step.rule == "chain":
        return t("rule_chain", inner=f"${pr.doprint(step.inner)}$", outer=t(f"rule_{step.outer}", var=var))
    return t(f"rule_{step.rule}", var=var)


def _terms(terms: Sequence[Sequence[Expr]], pr: NotationPrinter) -> str:
    """A sum of ordered products in names: delta_o1 out_h1 + ..., a minus sign joined as one."""
    text = ""
    for k, term in enumerate(terms):
        part = pr.ordered_product(term)
        if k and part.startswith("- "):
            text += " - " + part[2:]
        else:
            text += (" + " if k else "") + part
    return text


def _terms_numbers(terms: Sequence[Sequence[Expr]], pr: ValuePrinter) -> str:
    """The same sum with every factor's number, products with a times sign."""
    text = ""
    for k, term in enumerate(terms):
        sign = sum(1 for f in term if f == -1) % 2
        factors = [f for f in term if not (f.is_Number and abs(f) == 1)]
        parts = [pr.number(pr.values[f], len(factors) > 1 or k > 0) if f.is_Symbol else
                 (rf"\left({pr.doprint(f)}\right)" if f.is_Add else pr.doprint(f)) for f in factors]
        body = pr.product(parts) if parts else "1"
        text += (" - " if sign else " + ") + body if k else ("- " if sign else "") + body
    return text


def meanings(network: Network, lang: str) -> dict[str, str]:
    """Each catalogued mistake's explanation in `lang`: the catalogue's own words in English, else its
    translation (templates/practice/<lang>.toml), or the English where there is none."""
    table: object = catalogue(lang).messages.get("mistakes")
    translated = messages.Catalogue(lang, MappingProxyType(table if isinstance(table, dict) else {}))
    outputs = [o.neuron.name for o in network.outputs]
    found = {}
    for m in mistake_catalogue(network):
        if m.drop_output is not None and "path" in translated.messages:
            found[m.name] = translated("path", neuron=outputs[m.drop_output])
        else:
            found[m.name] = translated.messages.get(m.name, m.meaning)
    return found


@functools.cache
def catalogue(lang: str) -> messages.Catalogue:
    """The page's own sentences (templates/practice/<lang>.toml)."""
    path = resources.files("derive.templates").joinpath("practice", f"{lang}.toml")
    return messages.Catalogue(lang, MappingProxyType(tomllib.loads(path.read_text(encoding="utf-8"))))
