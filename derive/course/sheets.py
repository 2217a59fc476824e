"""Exercise sheets: a variant's network (figure and layers), its numbers, the questions with the digits
expected, the variant's id and room to answer, as Markdown, LaTeX (for the PDF) or HTML, in en or zh.

Python prints every string (numbers once from the working precision, symbols by the notation's printer);
the templates `sheet.md.j2` and `sheet.tex.j2` only place them.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from derive import templating
from derive.course.exercise import Exercise, Variant
from derive.course.questions import Question
from derive.model import identifiers
from derive.notes import figures, layer_files, layer_walkthrough, messages, svg, tikz
from derive.notes.notation import notation_for
from derive.notes.printers import NotationPrinter

SHEET_DIR = "sheets"
FIGURE_DIR = "figures"
FIGURE_DIGITS = 6  # enough for any drawn number (at most 6 decimals) on the figure
ROOM = {"md": 12, "tex": 20}  # blank lines (Markdown) or baselines (LaTeX) left to work in


@cache
def catalogue(lang: str) -> messages.Catalogue:
    """The sheets' sentences in `lang` (templates/course/<lang>.toml)."""
    path = resources.files("derive.templates").joinpath("course", f"{lang}.toml")
    return messages.Catalogue(lang, MappingProxyType(tomllib.loads(path.read_text(encoding="utf-8"))))


def question_latex(q: Question, pr: NotationPrinter) -> str:
    """The question's quantity in the notation: a derivative as a fraction, a value after N updates as ^{(N)}."""
    name, _, sample = q.name.partition("[")
    base, at, step = name.partition("@")
    if base.startswith("d:"):
        top, _, wrt = base[2:].partition("/")
        text = rf"\frac{{\partial {pr.name(top)}}}{{\partial {pr.name(wrt)}}}"
    else:
        text = pr.name(base)
    if at:
        text = rf"{{{text}}}^{{({step})}}"
    return text + (rf"\ [\mathrm{{{sample.rstrip(']')}}}]" if sample else "")


def _rows(v: Variant, pr: NotationPrinter) -> list[dict[str, str]]:
    """Every number of the variant: inputs and targets (per sample), weights, biases, learning rate."""
    net = v.derivation.network
    rows = []
    for sample in net.spec.samples:
        named = f"\\ [\\mathrm{{{sample.name}}}]" if len(net.spec.samples) > 1 else ""
        rows += [{"symbol": pr.name(n) + named, "value": str(x)} for n, x in zip(net.spec.inputs, sample.inputs)]
        rows += [{"symbol": pr.name(o.target.name) + named, "value": str(x)}
                 for o, x in zip(net.outputs, sample.targets)]
    rows += [{"symbol": pr.name(p.name), "value": str(p.initial)} for p in net.params]
    rows.append({"symbol": pr.name(identifiers.ETA), "value": str(net.spec.training.learning_rate)})
    return rows


def layers_line(v: Variant, t: messages.Catalogue) -> str:
    """The layers (size and activation) and the loss, in a sentence."""
    spec = v.derivation.network.spec
    if spec.structure is not None:  # convolution, pooling or recurrent layers: their kinds in order
        return t("layers", layers=layer_walkthrough.shape_text(v.derivation.network), loss=t(spec.loss))
    shown = t("separator").join(f"{len(layer.neurons)} {t(layer.activation)}" for layer in spec.layers)
    return t("layers", layers=shown, loss=t(spec.loss))


def rules(v: Variant, t: messages.Catalogue) -> str:
    """What an answer depends on beyond the numbers (rounding, the digits kept, which biases the update
    changes), after a sentence gap."""
    layers = v.derivation.network.spec.layers
    trainable = [n for layer in layers if layer.bias.trainable for n in layer.bias.names]
    fixed = [n for layer in layers if not layer.bias.trainable for n in layer.bias.names]
    if not trainable and not fixed:
        return t("gap") + t("rounding")
    which = t("biases_fixed") if not trainable else t("biases_updated") if not fixed else \
        t("biases_some", names=t("separator").join(trainable))
    return t("gap") + t("rounding") + t("gap") + which


def _view(ex: Exercise, v: Variant, lang: str, notation: str, fmt: str) -> dict[str, Any]:
    t = catalogue(lang)
    net = v.derivation.network
    pr = NotationPrinter(notation_for(net, notation))
    # the form of an answer without its number: an example number would be question 1's answer, or a
    # number a copied sheet would hand in
    example = f"{v.questions[0].claim} = ..."
    shown_example, shown_line = (_code(text, fmt) for text in (example, f"variant: {v.id}"))
    rows = _rows(v, pr)
    return {
        "lang": lang, "title": t("title", title=net.spec.title_in(lang)), "variant": t("variant", id=v.id),
        "name_line": t("name_line"), "intro": t("intro", digits=ex.digits), "rules": rules(v, t),
        "layers": layers_line(v, t),
        "numbers": t("numbers"), "col_quantity": t("col_quantity"), "col_value": t("col_value"),
        "rows": rows, "questions": t("questions"), "col_question": t("col_question"),
        "col_write": t("col_write"), "col_digits": t("col_digits"), "col_answer": t("col_answer"),
        "asked": [{"latex": question_latex(q, pr), "claim": q.claim, "claim_tex": _tt(q.claim), "digits": q.digits}
                  for q in v.questions],
        "handin": t("handin", line=shown_line, example=shown_example), "working": t("working"), "room": ROOM[fmt],
        "rows_table": _table(len(rows) > PAGE_ROWS), "asked_table": _table(len(v.questions) > PAGE_QUESTIONS),
    }


# A table at most this long fits a page as a plain tabular, which TeX sets in one pass; a longer one is a
# longtable, which may break across pages and needs a second pass for its column widths.
PAGE_ROWS = 30
PAGE_QUESTIONS = 12


def _table(long: bool) -> dict[str, str]:
    """The LaTeX around a table's rows: a longtable (its head repeated on every page) or a centred tabular."""
    if long:
        return {"begin": r"\begin{longtable}", "head": "\\endhead", "end": r"\end{longtable}"}
    return {"begin": r"\begin{center}\begin{tabular}", "head": "", "end": r"\end{tabular}\end{center}"}


def _code(text: str, fmt: str) -> str:
    """Text to be typed as it is (a claim, the variant line), in code type."""
    return f"`{text}`" if fmt == "md" else rf"\texttt{{{_tt(text)}}}"


def _tt(text: str) -> str:
    """Plain text (a claim) inside LaTeX's \\texttt: the characters TeX reads as commands escaped."""
    return text.replace("\\", r"\textbackslash{}").replace("_", r"\_").replace("^", r"\^{}")


def network_figure(v: Variant, notation: str) -> figures.Figure:
    net = v.derivation.network
    return figures.network_figure(net, notation_for(net, notation), v.derivation.first.values, FIGURE_DIGITS)


def figure_svg(v: Variant, notation: str) -> str:
    """The sheet's figure as SVG: the network with its weights; for convolution, pooling or recurrent
    layers, the figure their notes open with (the kernel over the input, or the unrolled network)."""
    if v.derivation.network.graph is not None:
        return layer_files.sheet_figure(v.derivation, notation, "svg")
    return svg.figure(network_figure(v, notation))


def figure_caption(v: Variant, lang: str) -> str:
    network = v.derivation.network
    if network.graph is None:
        return catalogue(lang)("figure")
    return catalogue(lang)(f"figure_{layer_files.sheet_figure_kind(v.derivation)}")


def figure_tikz(v: Variant, notation: str) -> str:
    if v.derivation.network.graph is not None:
        return layer_files.sheet_figure(v.derivation, notation, "tikz")
    return tikz.figure(network_figure(v, notation))


def figure_path(v: Variant) -> str:
    """The sheet's figure, relative to the sheets' folder."""
    return f"{FIGURE_DIR}/variant-{v.id}.svg"


def markdown(ex: Exercise, v: Variant, lang: str, notation: str) -> str:
    view = _view(ex, v, lang, notation, "md")
    view["figure"] = {"caption": figure_caption(v, lang), "path": figure_path(v)}
    return templating.environment().get_template("sheet.md.j2").render(view)


def latex(ex: Exercise, v: Variant, lang: str, notation: str) -> str:
    view = _view(ex, v, lang, notation, "tex")
    view["figure"] = {"caption": figure_caption(v, lang), "tikz": figure_tikz(v, notation)}
    return templating.tex_environment().get_template("sheet.tex.j2").render(view)


def files(ex: Exercise, fmt: str, lang: str, notation: str) -> dict[str, str | bytes]:
    """Every sheet in `fmt` (md, html or pdf), by path relative to the exercise's folder."""
    if fmt == "pdf":
        from derive.notes import pdf

        # every sheet typeset in one TeX run (per core), each cut out as the PDF it would be alone
        pdfs = pdf.compile_many([(f"variant-{v.id}", latex(ex, v, lang, notation)) for v in ex.variants])
        return {f"{SHEET_DIR}/variant-{v.id}.pdf": data for v, data in zip(ex.variants, pdfs)}
    found: dict[str, str | bytes] = {}
    for v in ex.variants:
        stem = f"{SHEET_DIR}/variant-{v.id}"
        picture = figure_svg(v, notation)
        text = markdown(ex, v, lang, notation)
        if fmt == "md":
            found[f"{stem}.md"] = text
            found[f"{SHEET_DIR}/{figure_path(v)}"] = picture
        else:
            from derive.notes import html

            found[f"{stem}.html"] = html.page(text, catalogue(lang)("variant", id=v.id), lang,
                                              {figure_path(v): picture})
    return found
