"""Rendering: the derivation turned into printed strings, then placed by a Jinja template.

Everything mathematical is printed here, by the printers; the templates hold the prose and only loop
over and place these strings.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Mapping

from derive import templating
from derive.maths.derivation import Derivation, HistoryPoint
from derive.model.network import Network
from derive.model.spec import UNNAMED, Spec
from derive.model.precision import WORKING_DIGITS, Real, real
from derive.notes import exercises, general, messages, notation_sections, optimizer_section, remarks, teaching
from derive.notes import update_section
from derive.notes.figures import Curve, Figure
from derive.notes import graph
from derive.notes.graph import FACTOR_COLOURS, Graph
from derive.notes.notation import Glyph, Notation, latex, notation_for
from derive.notes.passes import CLOSED_TERMS, closed_stop, neuron_label, pass_view, path_count  # noqa: F401
from derive.notes.printers import LINE, NotationPrinter, Printers
from derive.notes.request import NotesRequest

FORMATS = {"md": "walkthrough.md.j2", "tex": "walkthrough.tex.j2"}
# The width of a display line per format (see printers.LINE): the Markdown also makes the HTML page and
# the notebook, read on phones as well; the LaTeX is set on A4.
WIDTHS = {"md": 30, "tex": LINE}
# The colours of the chain-rule factors of the worked gradient (as the computational graph has them), as
# each format names a colour: KaTeX reads six hex digits (without the #, which a claims line reads as its
# comment), the LaTeX preamble defines these names.
COLOURS = {"md": {kind: colour.lstrip("#") for kind, colour in FACTOR_COLOURS.items()},
           "tex": {kind: f"factor{kind}" for kind in FACTOR_COLOURS}}
# Where the Markdown walkthrough finds its SVG figures, beside it.
FIGURE_DIR = "figures"
# Symbols listed per row of the notation legend before an ellipsis.
LEGEND_LIMIT = 6
# Above this many parameters the matrix notation gives the vectorised rules without per-weight chains.
PER_WEIGHT_LIMIT = 60

View = dict[str, Any]



def _eta(d: Derivation) -> Real:
    return real(d.network.spec.training.learning_rate)


def _label(pr: Printers, network: Network, name: str) -> str:
    """A neuron's or an input's label in the notation."""
    inputs = {x.name: x for x in network.inputs}
    if name in inputs:
        return pr.tex(inputs[name])
    return neuron_label(pr, next(n for n in network.neurons if n.name == name))


def _connects(pr: Printers, network: Network) -> dict[str, str]:
    """For each weight, `source -> neuron`; for each bias, the neurons it feeds."""
    where: dict[str, str] = {}
    for param, usages in zip(network.params, network.usages):
        neurons = ", ".join(neuron_label(pr, u.neuron) for u in usages)
        if param.kind == "weight":
            link = next(k for k in usages[0].neuron.links if k.weight is param)
            where[param.name] = rf"{_label(pr, network, link.source_name)} \to {neurons}"
        else:
            where[param.name] = neurons
    return where


def _params(pr: Printers, network: Network) -> list[View]:
    where = _connects(pr, network)
    return [{"latex": pr.tex(p.symbol), "kind": p.kind, "trainable": p.trainable, "layer": p.layer + 1,
             "value": pr.num(real(p.initial)), "connects": where[p.name]} for p in network.params]


def _layers(pr: Printers, network: Network) -> list[View]:
    return [{"index": i + 1, "output": i == len(network.layers) - 1, "size": len(layer),
             "neurons": ", ".join(f"${neuron_label(pr, n)}$" for n in layer), "activation": layer[0].activation.name,
             "bias": spec_layer.bias.mode, "threshold": spec_layer.bias.form == "threshold",
             "bias_trainable": spec_layer.bias.trainable}
            for i, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers))]


def _samples(pr: Printers, network: Network) -> list[View]:
    return [{"name": s.name, "inputs": [pr.num(real(v)) for v in s.inputs],
             "targets": [pr.num(real(v)) for v in s.targets]} for s in network.spec.samples]


def _loss(pr: Printers, network: Network) -> View:
    outputs = network.outputs
    total = " + ".join(pr.tex(o.error) for o in outputs)
    return {"name": network.spec.loss, "binary": network.loss.name == "binary_cross_entropy",
            "total": pr.eq(pr.tex(network.e_total), total),
            "terms": [pr.eq(pr.tex(o.error), pr.tex(o.loss_expr)) for o in outputs]}


def _listing(texts: list[str]) -> str:
    """Symbols of one legend row, cut short with an ellipsis."""
    shown = texts[:LEGEND_LIMIT] + ([r"\ldots"] if len(texts) > LEGEND_LIMIT else [])
    return ", ".join(shown)


def _legend(pr: Printers, network: Network) -> list[View]:
    """One row per kind of quantity and layer: its symbols and which message says what they mean."""
    rows: list[dict[str, object]] = [
        {"symbols": _listing([pr.tex(x) for x in network.inputs]), "key": "means_input", "layer": None}]
    last = len(network.layers) - 1
    for i, layer in enumerate(network.layers):
        where = {"key": "of_output" if i == last else "of_hidden", "index": i + 1}
        weights = [link.weight.symbol for n in layer for link in n.links]
        biases = list(dict.fromkeys(n.bias.symbol for n in layer if n.bias is not None))
        threshold = any(n.bias_sign < 0 for n in layer)
        rows += [{"symbols": _listing([pr.tex(n.net) for n in layer]), "key": "means_net", "layer": where},
                 {"symbols": _listing([pr.tex(n.out) for n in layer]), "key": "means_out", "layer": where},
                 {"symbols": _listing([pr.tex(w) for w in weights]), "key": "means_weight", "layer": where}]
        if biases:
            rows.append({"symbols": _listing([pr.tex(b) for b in biases]),
                         "key": "means_threshold" if threshold else "means_bias", "layer": where})
        rows.append({"symbols": _listing([pr.tex(n.delta) for n in layer]),
                     "key": "means_delta" if pr.sign > 0 else "means_delta_negative", "layer": where})
    rows += [{"symbols": _listing([pr.tex(o.target) for o in network.outputs]), "key": "means_target", "layer": None},
             {"symbols": _listing([pr.tex(o.error) for o in network.outputs]), "key": "means_error", "layer": None},
             {"symbols": pr.tex(network.e_total), "key": "means_total", "layer": None},
             {"symbols": pr.tex(network.eta), "key": "means_eta", "layer": None}]
    return rows + optimizer_section.legend(network)


def _generic(pr: Printers, kind: str) -> str:
    """The generic symbols of a kind across layers, once each: net; alpha_h, beta_j; z^[1], z^[2]."""
    glyphs = pr.notation.generic[kind] if pr.notation else ()
    return ", ".join(dict.fromkeys(latex(g) for g in glyphs))


def _model(pr: Printers, network: Network) -> View:
    """The sentences that say what a neuron does: a softmax layer applies no activation of its own."""
    biased = [n for n in network.neurons if n.bias is not None]
    threshold = bool(biased) and all(n.bias_sign < 0 for n in biased)
    softmax = not network.layers[-1][0].activation.elementwise
    return {"net": f"${_generic(pr, 'net')}$", "out": f"${_generic(pr, 'out')}$",
            "key": ("model_threshold" if threshold else "model") + ("_softmax" if softmax else ""),
            "forward_intro": "forward_intro_softmax" if softmax else "forward_intro"}


def per_weight(network: Network, notation: Notation) -> bool:
    """Whether the notes derive each parameter's chain (the matrix notation of a big network does not)."""
    return notation.profile != "matrix" or len(network.params) <= PER_WEIGHT_LIMIT


def _title(spec: Spec, network: Network, lang: str) -> str:
    """The spec's title; a spec with neither a title nor a usable name is called by its shape."""
    title = spec.title_in(lang)
    if title == spec.name == UNNAMED:
        return messages.catalogue(lang)("untitled", sizes="-".join(str(k) for k in network.sizes()))
    return title


def view(d: Derivation, request: NotesRequest, figures: View | None = None, width: float = LINE,
         fmt: str = "md") -> View:
    """Every string the walkthrough templates place, displays broken to `width` (see printers.LINE)."""
    network = d.network
    spec = network.spec
    notation = notation_for(network, request.notation)
    digits, lang = request.digits, request.lang
    pr = Printers(None, digits, notation, width=width)
    precision = d.before.digits if d.before is not None else WORKING_DIGITS  # the passes' working digits
    # a batch's passes take the same steps: the first is derived and narrated, the others are tables
    # (or, in full, derived again without narration)
    shown = d.passes if request.full else d.passes[:1]
    worked = graph.worked_gradient(d) if figures and figures.get("graph") else None
    colours = COLOURS[fmt] if worked is not None else {}
    narrations: dict[Any, Any] = {}
    passes = [pass_view(network, p, d.closed,
                        Printers(p, digits, notation, request.narrate and k == 0, width, colours if k == 0 else {},
                                 narrations, identity=request.full),
                        precision, worked.param.name if worked is not None and k == 0 else "", request.full)
              for k, p in enumerate(shown)]
    _mark_repeats(passes, request.full)
    return {
        "name": spec.name, "named": spec.name != UNNAMED, "title": _title(spec, network, lang),
        "digits": digits, "profile": notation.profile,
        "sizes": "-".join(str(k) for k in network.sizes()),
        "inputs": ", ".join(f"${pr.tex(x)}$" for x in network.inputs),
        "input_latex": [pr.tex(x) for x in network.inputs],
        "target_latex": [pr.tex(o.target) for o in network.outputs], "legend": _legend(pr, network),
        "model": _model(pr, network),
        "layers": _layers(pr, network), "loss": _loss(pr, network), "params": _params(pr, network),
        "samples": _samples(pr, network), "eta": pr.num(_eta(d)), "eta_symbol": pr.tex(network.eta),
        "update": spec.training.update, "reduction": spec.training.reduction,
        "init": _init(spec), "e_total": pr.tex(network.e_total),
        "update_rule": update_section.rule(d, notation), "batch": update_section.batch_view(d, notation, width),
        "passes": passes, "several": update_section.is_batch(d),
        "others": update_section.samples_view(d, notation, digits),
        "updates": update_section.update_rows(d, notation, digits),
        "worked": update_section.worked(d, notation, digits, width) if network.spec.training.optimizer.plain else [],
        "frozen": any(not p.trainable for p in network.params),
        "error_before": _history_error(pr, d.before) if d.before else pr.num(d.error_before),
        "error_after": _history_error(pr, d.after) if d.after else pr.num(d.error_after),
        # the table keeps the spec's steps; a derivation may hold more points for the loss curve
        "precision_note": _precision_note(d, messages.catalogue(lang)),
        "history": [{"step": h.step, "error": _history_error(pr, h)} for h in d.history
                    if h.step in spec.training.steps],
        "sign": notation.delta_sign, "figures": figures, "param_count": len(network.params),
        "full": request.full,
        "general": general.rules(network, notation, width) if general.applies(network, notation) else [],
        "remark": remarks.classic_article(d, digits),
        "per_weight": per_weight(network, notation),
        "textbook": notation_sections.textbook_rules(d, notation, digits),
        "matrix": notation_sections.matrix_section(d, notation, digits, width),
        "optimizer": optimizer_section.optimizer_section(d, notation, digits, request.narrate, request.full, width),
        "graph_param": worked.param.name if worked is not None else "",
        "factor_colours": {kind: colour.lstrip("#") for kind, colour in FACTOR_COLOURS.items()},
        "check": teaching.finite_difference(d, notation, width) if per_weight(network, notation) else None,
        "reading": teaching.reading(d, notation, digits), "summary": teaching.summary(d, notation, width),
        "exercises": exercises.exercises(network, notation),
    }


def _shown_narrations(passes: list[View], full: bool) -> list[View]:
    """The narrations the compact notes show, in the order they are printed."""
    found = []
    for p in passes:
        for layer in p["backward"]:
            for n in layer["neurons"] if full else layer["neurons"][:1]:
                found += n.get("error_steps", []) + n.get("slope_steps", [])  # none in a table's row
            for g in layer["params"] if full else layer["params"][:1]:
                found += g.get("local_steps", [])
    return found


def _mark_repeats(passes: list[View], full: bool) -> None:
    """In the compact notes, a narration that repeats an earlier one rule for rule refers to it instead.
    The full notes derive the sigmoid identity once, where it is first used (the compact ones state it:
    their narrations are made without it)."""
    shown = [n for n in _shown_narrations(passes, True) if n["identity"]]
    for n in shown[1:]:
        n["identity"] = ""
    if full:
        return
    first: dict[tuple[tuple[str, str], ...], str] = {}
    for n in _shown_narrations(passes, full):
        earlier = first.setdefault(n["rules"], n["factor"])
        if earlier != n["factor"]:
            n["same_as"] = earlier


def _history_error(pr: Printers, h: HistoryPoint) -> str:
    """An error of the iterations table: its value, or "< bound" when no working precision resolved it."""
    return pr.num(h.error) if h.resolved else f"< {pr.num(h.error)}"


def _precision_note(d: Derivation, t: messages.Catalogue) -> str:
    """Which errors needed more than the working precision, and which only have a bound."""
    steps = {0, *d.network.spec.training.steps}
    shown = list({h.step: h for h in (d.before, d.after, *d.history) if h is not None and h.step in steps}.values())
    raised = [h for h in shown if h.digits > WORKING_DIGITS]
    if not raised:
        return ""
    note = t("precision_raised", steps=", ".join(str(h.step) for h in raised), digits=max(h.digits for h in raised),
             working=WORKING_DIGITS)
    if any(not h.resolved for h in shown):
        note += " " + t("precision_bound", digits=max(h.digits for h in raised))
    return note


def _init(spec: Any) -> View | None:
    if spec.init is None:
        return None
    i = spec.init
    return {"kind": i.kind, "seed": i.seed, "mean": str(i.mean), "std": str(i.std),
            "low": str(i.low), "high": str(i.high)}


@dataclass(frozen=True)
class FigureSet:
    """The figures of one walkthrough, as models in one notation; each format prints them its own way."""

    network: Figure
    paths: Mapping[str, Figure]  # hidden-layer weight name -> its backward paths
    loss: Curve
    notation: Notation
    graph: Graph | None = None  # the computational graph of the worked output weight's path
    graph_param: str = ""  # the weight it follows

    def printed(self, figure: Callable[[Figure], str], curve: Callable[[Curve], str],
                graph: Callable[[Graph], str]) -> dict[str, str]:
        """Each figure by its key (network, paths-<weight>, graph, loss), printed by one target's printers."""
        found = {self.network.key: figure(self.network)}
        found.update({f.key: figure(f) for f in self.paths.values()})
        if self.graph is not None:
            found[self.graph.key] = graph(self.graph)
        found["loss"] = curve(self.loss)
        return found


def figure_views(fs: FigureSet, fmt: str, request: NotesRequest, pictures: Mapping[str, str] | None = None) -> View:
    """Caption and, per format, the SVG file's path (Markdown) or the TikZ picture (LaTeX) of each figure."""
    t = messages.catalogue(request.lang)
    pr = NotationPrinter(fs.notation)

    def one(key: str, caption: str) -> View:
        if fmt == "tex":
            return {"caption": caption, "tikz": (pictures or {})[key]}
        return {"caption": caption, "path": f"{FIGURE_DIR}/{key}.svg"}

    paths = {name: one(f.key, t("figure_paths", param=f"${pr.name(name)}$")) for name, f in fs.paths.items()}
    network = t("figure_network" if fs.network.values else "figure_network_names")
    views = {"network": one(fs.network.key, network), "paths": paths,
             "loss": one("loss", t("figure_loss" if fs.loss.y.log else "figure_loss_linear")), "graph": None}
    if fs.graph is not None:
        views["graph"] = one(fs.graph.key, t("figure_graph", param=f"${pr.name(fs.graph_param)}$"))
    return views


def render(d: Derivation, fmt: str, request: NotesRequest | None = None, figures: View | None = None) -> str:
    """The walkthrough of `d` in format `fmt` (md or tex), with the options of `request` (the defaults).

    `figures` (see `figure_views`) places the figures, which are left out without it.
    """
    request = request if request is not None else NotesRequest()
    env = templating.tex_environment() if fmt == "tex" else templating.environment()
    env.globals["t"] = messages.catalogue(request.lang)
    env.filters["quoted"] = _quoted
    env.globals["lang"] = request.lang
    context = view(d, request, figures, WIDTHS[fmt], fmt)
    if fmt == "tex":
        context["title"] = tex_verbatim(context["title"])
    return env.get_template(FORMATS[fmt]).render(context)


def _quoted(text: str) -> str:
    """Markdown text as a block quote (the summary's box): every line behind `> `."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip("\n").split("\n")) + "\n"


# TeX turns -- and --- into dashes, ,, into a low quote and ' into a curly quote (font ligatures and
# XeTeX's TeX mapping): a kern between two such characters, and a straight quote's own command, keep
# the title as written.
_LIGATURES = "-,"


def tex_verbatim(text: str) -> str:
    """A title's text for LaTeX, typeset character for character (the title rule admits no TeX specials),
    an equation in it kept on one line: a space beside "=" is a tie (l = 2 is never broken at l)."""
    out = []
    for before, c, after in zip(" " + text, text, text[1:] + " "):
        tie = c == " " and "=" in (before, after)
        out.append(r"\textquotesingle{}" if c == "'" else "~" if tie else c)
        if c in _LIGATURES and after == c:
            out.append(r"\kern0pt{}")
    return "".join(out)


def code_names(d: Derivation, request: NotesRequest, names: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The generated code's names beside the walkthrough's symbols, for a notation whose symbols differ
    from the spec's names: (code name, LaTeX) of every parameter, its gradient and the total error;
    the code names are the spec's, or the notation's identifiers in `names` (see `code_identifiers`)."""
    notation = notation_for(d.network, request.notation)
    if notation.profile == "classic":
        return []
    pr = Printers(None, request.digits, notation)
    network = d.network
    nm = (names or {}).get
    rows = [(nm(p.name, p.name), pr.tex(p.symbol)) for p in network.params]
    rows += [(f"dE_d{nm(p.name, p.name)}", pr.partial(network.e_total, p.symbol)) for p in network.params]
    rows.append((nm(network.e_total.name, network.e_total.name), pr.tex(network.e_total)))
    return rows


# Names the generated module defines or uses itself: no quantity may be renamed to one of them.
_MODULE_NAMES = frozenset({
    "np", "X", "Y", "params", "values", "outs", "lse", "grads", "updated", "state", "name", "number",
    "sigmoid", "softmax", "logsumexp", "relu", "forward", "loss", "gradients", "step", "train", "batch",
    "initial_params", "initial_state", "sample_errors", "report", "trained", "array", "index",
})


def code_identifier(glyph: Glyph) -> str:
    """A notation's glyph as a Python name: W^{[1]}_{11} -> W1_11, a^{[2]}_{1} -> a2_1, b^{[1]} -> b1,
    alpha_1 -> alpha1, y-hat_1 -> yhat1, E -> E."""
    layer = "".join(c for c in glyph.sup if c.isalnum())
    base = glyph.base + ("hat" if glyph.hat else "")
    return f"{base}{layer}_{glyph.sub}" if layer and glyph.sub else f"{base}{layer}{glyph.sub}"


def code_identifiers(d: Derivation, request: NotesRequest) -> dict[str, str]:
    """Each quantity's name in the code of a notebook in a notation other than classic (spec name ->
    the notation's identifier), so that the code reads as its walkthrough; empty for the classic
    notation, or when the identifiers would not be distinct plain Python names."""
    notation = notation_for(d.network, request.notation)
    if notation.profile == "classic":
        return {}
    network = d.network
    symbols = ([p.symbol for p in network.params] + list(network.inputs)
               + [s for n in network.neurons for s in (n.net, n.out)]
               + [o.target for o in network.outputs] + [o.error for o in network.outputs] + [network.e_total])
    found = {s.name: code_identifier(notation.glyph(s.name)) for s in symbols}
    names = list(found.values())
    if len(set(names)) != len(names) or any(
            not (n.isascii() and n.isidentifier()) or keyword.iskeyword(n) or n in _MODULE_NAMES
            or n.startswith(("cse_", "dE_d")) for n in names):
        return {}
    return found

