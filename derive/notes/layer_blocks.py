"""The walkthrough of a network with convolution, pooling or recurrent layers as a list of blocks: headings,
sentences, displays, tables, figures and narrations, every string printed here (the notation's glyphs,
the numbers rounded once); `walkthrough_layers.md.j2` and `.tex.j2` only place them.

Sentences come from the layer notes' message catalogue (`templates/layers/<lang>.toml`), which adds its
keys to the notes' own catalogue, so a sentence of the dense notes (the rules of the narration, the
table headers) reads the same here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from derive.maths.derivation import Derivation, Gradient, NeuronBackward, Pass
from derive.maths.numeric import evaluate
from derive.model.network import Network, Neuron
from derive.model.wiring import DensePlan
from derive.notes import messages, walkthrough
from derive.notes.notation import latex
from derive.notes.walkthrough import Printers

View = dict[str, Any]


@cache
def catalogue(lang: str) -> messages.Catalogue:
    """The notes' catalogue of `lang` with the layer notes' sentences added."""
    base = messages.catalogue(lang)
    path = resources.files("derive.templates").joinpath("layers", f"{lang}.toml")
    own = tomllib.loads(path.read_text(encoding="utf-8"))
    return messages.Catalogue(lang, MappingProxyType({**base.messages, **own}))


@dataclass
class Blocks:
    """The blocks of the walkthrough as they are written, in order."""

    t: messages.Catalogue
    items: list[View] = field(default_factory=list)

    def heading(self, level: int, text: str, anchor: str = "") -> None:
        self.items.append({"kind": "heading", "level": level, "text": text, "anchor": anchor})

    def say(self, key: str, **values: object) -> None:
        """A paragraph: the message `key` with its placeholders filled."""
        self.items.append({"kind": "text", "text": self.t(key, **values)})

    def text(self, text: str) -> None:
        self.items.append({"kind": "text", "text": text})

    def math(self, tex: str) -> None:
        self.items.append({"kind": "math", "tex": tex})

    def table(self, head: list[str], rows: list[list[str]]) -> None:
        self.items.append({"kind": "table", "head": head, "rows": rows})

    def figure(self, key: str, caption: str) -> None:
        self.items.append({"kind": "figure", "key": key, "caption": caption})

    def narration(self, view: View | None) -> None:
        if view:
            self.items.append({"kind": "narration", "n": view})


def inline(tex: str) -> str:
    """Inline maths in a sentence."""
    return f"${tex}$"


def pmatrix(rows: list[list[str]]) -> str:
    """A matrix of printed entries."""
    return r"\begin{pmatrix} " + r" \\ ".join(" & ".join(row) for row in rows) + r" \end{pmatrix}"


def listing(texts: list[str], limit: int = 6) -> str:
    """Symbols of one legend row, each its own inline maths (a line may break between them), cut short
    with an ellipsis."""
    shown = texts[:limit] + ([r"\ldots"] if len(texts) > limit else [])
    return ", ".join(inline(text) for text in shown)


def neuron_tex(pr: Printers, n: Neuron) -> str:
    """A neuron's label in the notation (c_{1,11}; h^{<2>}_{1})."""
    return latex(pr.notation.neuron(n)) if pr.notation else n.name


# --- printing helpers the layer sections share ----------------------------------------------------


def dense_forward(b: Blocks, pr: Printers, stage: tuple[Neuron, ...], p: Pass) -> None:
    for n in stage:
        view = walkthrough._forward_neuron(pr, n, stage, p.values[n.net], p.values[n.out])
        b.say("forward_neuron", neuron=inline(view["name"]))
        b.math(view["net"])
        b.math(view["out"])


def neuron_backward(b: Blocks, pr: Printers, network: Network, nb: NeuronBackward, narrate: bool,
                    paths: str = "error_hidden") -> None:
    """A neuron's error at its output (from the loss or from the neurons it feeds), its slope and its
    error term, in symbols and numbers; with `narrate`, how each local derivative is obtained."""
    b.say("backward_neuron", neuron=inline(neuron_tex(pr, nb.neuron)))
    b.say(paths if nb.paths else "error_output")
    b.math(walkthrough._error_line(pr, nb))
    errors, slopes = walkthrough._neuron_narration(pr, nb, network) if narrate else ([], [])
    for view in errors:
        b.narration(view)
    if nb.slope is not None:
        b.say("slope_line")
        b.math(walkthrough._factor_line(pr, nb.slope))
        for view in slopes:
            b.narration(view)
    else:
        b.say("softmax_jacobian")
        for term in nb.jacobian:
            b.math(walkthrough._factor_line(pr, term.slope))
    b.say("delta_line", delta=inline(pr.tex(nb.neuron.delta)))
    b.math(walkthrough._delta_line(pr, nb))


def delta_form(pr: Printers, network: Network, index: int) -> tuple[str, str]:
    """dE/dp as the sum over its uses of the error term times what it multiplies, in symbols and numbers
    (the textbook's error terms with their sign)."""
    symbols, numbers = [], []
    for u in network.usages[index]:
        factors = [pr.sign * u.neuron.delta] + ([] if u.dnet == 1 else [u.dnet])
        symbols.append(pr.sym.ordered_product(factors))
        parts = [pr.val.number(pr.val.values[u.neuron.delta], True)]  # the value of (sign * error term)
        if u.dnet != 1:
            parts.append(pr.val.number(evaluate(u.dnet, pr.val.values), True))
        numbers.append(pr.val.product(parts))
    return _joined(symbols), " + ".join(numbers)


def _joined(terms: list[str]) -> str:
    text = ""
    for i, term in enumerate(terms):
        if term.startswith("- "):
            text += ("- " if i == 0 else " - ") + term[2:]
        else:
            text += term if i == 0 else f" + {term}"
    return text


def gradient_rows(b: Blocks, pr: Printers, network: Network, gradients: list[Gradient]) -> list[list[str]]:
    """One row per parameter: its symbol, its sum over the error terms in numbers, its value."""
    rows = []
    for g in gradients:
        index = network.params.index(g.param)
        symbols, numbers = delta_form(pr, network, index)
        name = inline(pr.tex(g.param.symbol)) + ("" if g.param.trainable else b.t("frozen_short"))
        rows.append([name, inline(f"{symbols} = {numbers}"), inline(pr.num(g.value))])
    return rows


def gradient_in_full(b: Blocks, pr: Printers, network: Network, g: Gradient) -> None:
    """One parameter's gradient: the chain rule along each of its uses, summed, then in error terms."""
    lhs = pr.partial(network.e_total, g.param.symbol)
    chains = " + ".join(pr.sym.product([pr.partial(f.num, f.den) for f in c.factors]) for c in g.chains)
    numbers = " + ".join(pr.val.product([pr.val.number(f.value, True) for f in c.factors]) for c in g.chains)
    b.say("chain_rule" if len(g.chains) == 1 else "chain_rule_uses", count=len(g.chains))
    b.math(pr.eq(lhs, chains))
    b.math(pr.eq(lhs, numbers, pr.num(g.value)))
    symbols, values = delta_form(pr, network, network.params.index(g.param))
    b.say("in_terms_of_error_terms")
    b.math(pr.eq(lhs, symbols, values, pr.num(g.value)))


def matrix_of(pr: Printers, grid: Any) -> str:
    """A grid of reals as a matrix of numbers."""
    return pmatrix([[pr.num(v) for v in row] for row in grid])


def symbol_matrix(pr: Printers, grid: Any) -> str:
    """A grid of symbols as a matrix of glyphs."""
    return pmatrix([[pr.tex(s) for s in row] for row in grid])


def layer_name(b: Blocks, network: Network, plan: Any) -> str:
    """`layer 1 (conv2d)`, `the output layer`."""
    if isinstance(plan, DensePlan) and plan.spec is network.spec.layers[-1]:
        return b.t("the_output_layer")
    return b.t("layer_n", index=plan.index + 1, kind=network.spec.structure.kind_name(plan.index))


def dense_backward(b: Blocks, pr: Printers, d: Derivation, p: Pass, plan: DensePlan, full: bool) -> None:
    network = d.network
    by_neuron = {nb.neuron.name: nb for nb in p.backward}
    for stage in reversed(plan.neurons):
        shown = stage if full else stage[:1]
        for n in shown:
            neuron_backward(b, pr, network, by_neuron[n.name], pr.narrate)
        if len(stage) > len(shown):
            b.say("similarly_neurons")
            b.table([b.t("col_neuron"), b.t("col_delta")],
                    [[inline(neuron_tex(pr, n)), inline(f"{pr.tex(n.delta)} = {pr.num(pr.sign * p.values[n.delta])}")]
                     for n in stage])
    params = {q.name for row in plan.weights for q in row} | {q.name for q in plan.biases}
    gradients = [g for g in p.gradients if g.param.name in params]
    b.heading(4, b.t("gradients_of", layer=layer_name(b, network, plan)))
    if plan.stages and len(plan.stages) > 1:
        b.say("shared_over_steps")
    gradient_in_full(b, pr, network, gradients[0])
    b.say("similarly_params")
    b.table([b.t("col_parameter"), b.t("col_in_delta"), b.t("col_gradient")], gradient_rows(b, pr, network, gradients))
