"""Documents: one derivation written out in every format a reader asks for, with its figures.

`documents(d, request)` returns each file's path (relative to the output directory) and content;
nothing is written here, so the command line writes all of them or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from derive import codegen, figures, html, messages, notebook, pdf, render, svg, tikz, verify
from derive.derivation import Derivation
from derive.notation import Notation

FORMATS = ("md", "tex", "pdf", "html", "ipynb")
ALL = "all"
# Number of points of the loss curve (log-spaced), on top of the spec's own steps.
CURVE_POINTS = 40
# Digits of the weights written on the figures (the text shows the requested digits).
FIGURE_DIGITS = 4


class CodeDisagrees(RuntimeError):
    """The generated code's gradients differ from the closed forms: nothing is written."""


@dataclass(frozen=True)
class Request:
    formats: tuple[str, ...]
    lang: str = "en"
    notation: Notation | None = None
    brief: bool = False
    digits: int = 9


def curve_steps(steps: tuple[int, ...]) -> tuple[int, ...]:
    """The spec's steps and log-spaced ones up to the last, for a smooth loss curve."""
    last = max(steps)
    spaced = {max(1, round(last ** (k / CURVE_POINTS))) for k in range(CURVE_POINTS + 1)}
    return tuple(sorted(spaced | set(steps)))


def figure_set(d: Derivation, notation: Notation, lang: str, digits: int) -> render.FigureSet:
    """The network, the backward paths of every hidden-layer weight, and the loss curve."""
    t = messages.catalogue(lang)
    values = d.first.values
    network = d.network
    shown = figures.hidden_weights(network) if render.per_weight(network, notation) else []
    paths = {p.name: figures.paths_figure(network, notation, p, values, digits) for p in shown}
    curve = figures.loss_curve(figures.history_points(d), t("axis_updates"), t("axis_error"))
    return render.FigureSet(figures.network_figure(network, notation, values, digits),
                            MappingProxyType(paths), curve)


def svg_files(fs: render.FigureSet) -> dict[str, str]:
    return {f"{render.FIGURE_DIR}/{key}.svg": text for key, text in fs.printed(svg.figure, svg.curve).items()}


def documents(d: Derivation, request: Request) -> dict[str, str | bytes]:
    """Every requested file of the walkthrough of `d`, by path relative to the output directory."""
    notation = request.notation
    assert notation is not None
    fs = figure_set(d, notation, request.lang, FIGURE_DIGITS)
    files: dict[str, str | bytes] = {}
    options = {"digits": request.digits, "lang": request.lang, "notation": notation, "brief": request.brief}
    wants = set(request.formats)
    if wants & {"md", "html", "ipynb"}:
        pictures = svg_files(fs)
        markdown = render.render(d, "md", **options, figures=render.figure_views(fs, "md", request.lang, notation))
        if "md" in wants:
            files["walkthrough.md"] = markdown
            files.update(pictures)
        if "html" in wants:
            files["walkthrough.html"] = html.page(markdown, d.network.spec.title_in(request.lang), request.lang,
                                                  pictures)
        if "ipynb" in wants:
            files.update(pictures)
            code = codegen.generate(d, codegen.default_style(d.network))
            problems = verify.disagreements(d, code)  # the notebook says its code was checked: check it
            if problems:
                raise CodeDisagrees(problems[0])
            labels = {key: messages.catalogue(request.lang)(f"nb_{key}") for key in notebook.LABEL_KEYS}
            files["walkthrough.ipynb"] = notebook.notebook(markdown, code, d, request.lang, labels)
    if wants & {"tex", "pdf"}:
        pictures_tex = fs.printed(tikz.figure, tikz.curve)
        tex = render.render(d, "tex", **options,
                            figures=render.figure_views(fs, "tex", request.lang, notation, pictures_tex))
        if "tex" in wants:
            files["walkthrough.tex"] = tex
        if "pdf" in wants:
            files["walkthrough.pdf"] = pdf.compile_tex(tex)
    return dict(sorted(files.items()))


def formats_of(choice: str) -> tuple[str, ...]:
    return FORMATS if choice == ALL else (choice,)

