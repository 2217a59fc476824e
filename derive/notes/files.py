"""The files of one render: one derivation written out in every format a reader asks for, with figures.

`files(d, request)` returns each file's path (relative to the output directory) and content; nothing is
written here, so the command line writes all of them or none. A format's own modules (PDF, HTML, the
notebook and the update code it carries) are imported only when that format is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

from derive.maths.derivation import Derivation
from derive.model.network import Network, Param
from derive.model.spec import Spec
from derive.notes import figures, graph, messages, remarks, svg, walkthrough
from derive.notes.notation import notation_for
from derive.notes.request import NotesRequest

# Number of points of the loss curve (log-spaced), on top of the spec's own steps.
CURVE_POINTS = 40
# Significant digits of the loss curve's errors as the LaTeX figure writes them (see derive.notes.tikz):
# the iterations are proven to these digits at least.
CURVE_DIGITS = 6
# Digits of the weights written on the figures (the text shows the requested digits).
FIGURE_DIGITS = 4


# The files of each format (a PDF's with TeX's log of a failed one): a render replaces the files of the
# formats it writes and keeps the others, so a teacher's earlier PDF stays beside new Markdown.
FORMAT_FILES = {"md": ("walkthrough.md",), "tex": ("walkthrough.tex",), "pdf": ("walkthrough.pdf", "walkthrough.log"),
                "html": ("walkthrough.html",), "ipynb": ("walkthrough.ipynb",)}
FIGURE_FORMATS = frozenset({"md", "ipynb"})  # the formats whose figures are SVG files beside them
RENDER_FILES = frozenset(name for names in FORMAT_FILES.values() for name in names)
# A render's figures (figures/network.svg, paths-<weight>.svg, loss.svg), no other SVG of the folder: an
# exercise's sheets/figures/variant-1.svg beside a render in sheets/ is the exercise's.
_FIGURE = re.compile(r"(?:network|loss|paths-[A-Za-z0-9_]+)\.svg")


@dataclass(frozen=True)
class RenderFiles:
    """The files a render of `formats` writes, and so replaces (paths relative to the output directory)."""

    formats: tuple[str, ...]

    def __call__(self, path: PurePosixPath) -> bool:
        parts = path.parts
        if len(parts) == 1:
            return any(parts[0] in FORMAT_FILES[f] for f in self.formats)
        return (len(parts) == 2 and parts[0] == walkthrough.FIGURE_DIR and _FIGURE.fullmatch(parts[1]) is not None
                and not FIGURE_FORMATS.isdisjoint(self.formats))


is_render_file = RenderFiles(tuple(FORMAT_FILES))  # a file of some render


class CodeDisagrees(RuntimeError):
    """The generated code's gradients differ from the closed forms: nothing is written."""


def curve_steps(steps: tuple[int, ...]) -> tuple[int, ...]:
    """The spec's steps and log-spaced ones up to the last, for a smooth loss curve."""
    last = max(steps)
    spaced = {max(1, round(last ** (k / CURVE_POINTS))) for k in range(CURVE_POINTS + 1)}
    return tuple(sorted(spaced | set(steps)))


def history_steps(spec: Spec) -> tuple[int, ...]:
    """The update counts a render's derivation trains to: the spec's steps, the loss curve's points, and
    those a remark on a published source needs."""
    return tuple(sorted(set(curve_steps(spec.training.steps)) | set(remarks.extra_steps(spec.name))))


def figure_set(d: Derivation, request: NotesRequest) -> walkthrough.FigureSet:
    """The network, the backward paths of every hidden-layer weight, and the loss curve."""
    t = messages.catalogue(request.lang)
    notation = notation_for(d.network, request.notation)
    values = d.first.values
    network = d.network
    shown = shown_paths(network, request) if walkthrough.per_weight(network, notation) else []
    paths = {p.name: figures.paths_figure(network, notation, p, values, FIGURE_DIGITS) for p in shown}
    drawn = {0, *curve_steps(network.spec.training.steps)}  # not the steps only a remark needs
    points = [(s, e) for s, e in figures.history_points(d) if s in drawn]
    curve = figures.loss_curve(points, t("axis_updates"), t("axis_error"))
    worked = graph.worked_gradient(d) if walkthrough.per_weight(network, notation) else None
    return walkthrough.FigureSet(figures.network_figure(network, notation, values, FIGURE_DIGITS),
                                 MappingProxyType(paths), curve, notation,
                                 graph.graph(d, notation) if worked is not None else None,
                                 worked.param.name if worked is not None else "")


def shown_paths(network: Network, request: NotesRequest) -> list[Param]:
    """The hidden-layer weights whose backward paths the notes draw: the first weight into each neuron the
    notes derive (every neuron in full, the first of each hidden layer otherwise), and in full every
    other weight at its own gradient."""
    weights = figures.hidden_weights(network)
    if request.full:
        return weights
    firsts = {network.layers[p.layer][0].links[0].weight.name for p in weights}
    return [p for p in weights if p.name in firsts]


def svg_files(fs: walkthrough.FigureSet) -> dict[str, str]:
    """Each figure as an SVG file, by its path beside the Markdown walkthrough."""
    printed = fs.printed(svg.figure, svg.curve, svg.graph)
    return {f"{walkthrough.FIGURE_DIR}/{key}.svg": text for key, text in printed.items()}


def files(d: Derivation, request: NotesRequest) -> dict[str, str | bytes]:
    """Every requested file of the walkthrough of `d`, by path relative to the output directory."""
    if d.network.graph is not None:  # convolution, pooling or recurrent layers: notes of their own
        from derive.notes import layer_files  # imported by the networks that have such layers only

        try:
            return layer_files.files(d, request)
        except layer_files.CodeDisagrees as exc:
            raise CodeDisagrees(str(exc)) from None
    fs = figure_set(d, request)
    found: dict[str, str | bytes] = {}
    wants = set(request.formats)
    if wants & {"md", "html", "ipynb"}:
        pictures = svg_files(fs)
        markdown = walkthrough.render(d, "md", request, walkthrough.figure_views(fs, "md", request))
        if "md" in wants:
            found["walkthrough.md"] = markdown
            found.update(pictures)
        if "html" in wants:
            found["walkthrough.html"] = _html(d, request, markdown, pictures)
        if "ipynb" in wants:
            found.update(pictures)
            found["walkthrough.ipynb"] = _notebook(d, request, markdown)
    if wants & {"tex", "pdf"}:
        from derive.notes import tikz

        pictures_tex = fs.printed(tikz.figure, tikz.curve, tikz.graph)
        tex = walkthrough.render(d, "tex", request, walkthrough.figure_views(fs, "tex", request, pictures_tex))
        if "tex" in wants:
            found["walkthrough.tex"] = tex
        if "pdf" in wants:
            from derive.notes import pdf

            found["walkthrough.pdf"] = pdf.compile_tex(tex)
    return dict(sorted(found.items()))


def _html(d: Derivation, request: NotesRequest, markdown: str, pictures: dict[str, str]) -> str:
    from derive.notes import html

    return html.page(markdown, d.network.spec.title_in(request.lang), request.lang, pictures)


def _notebook(d: Derivation, request: NotesRequest, markdown: str) -> str:
    """The walkthrough as a notebook, with the update code, checked first (the notebook says it was)."""
    from derive.code import codegen, verify
    from derive.notes import notebook

    style = codegen.default_style(d.network)
    # the scalar code of a notation other than classic names every quantity as the walkthrough does
    renamed = walkthrough.code_identifiers(d, request) if style == "scalar" else {}
    code = codegen.generate(d, style, renamed, request.lang)
    problems = verify.disagreements(d, code, names=renamed)
    if problems:
        raise CodeDisagrees(problems[0])
    t = messages.catalogue(request.lang)
    labels = {key: t(f"nb_{key}") for key in notebook.LABEL_KEYS}
    rows = walkthrough.code_names(d, request, renamed)
    names = ""
    if rows:
        table = "\n".join(f"| `{name}` | ${tex}$ |" for name, tex in rows)
        intro = t("nb_names_intro_renamed" if renamed else "nb_names_intro")
        names = f"{intro}\n\n| {t('nb_col_code')} | {t('nb_col_notes')} |\n|---|---|\n{table}"
    total = d.network.e_total.name
    return notebook.notebook(markdown, code, d, request.lang, labels, names, renamed.get(total, total))
