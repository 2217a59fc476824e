"""The files of one render of a network with convolution, pooling or recurrent layers: the walkthrough in
every format asked for (Markdown with SVG figures, LaTeX with TikZ, PDF, the HTML page, the notebook with
the verified layer code), as `derive.notes.files` writes a dense network's."""

from __future__ import annotations

from typing import Any

from derive.maths.derivation import Derivation
from derive.model.wiring import ConvPlan, PoolPlan, RecurrentPlan
from derive.notes import figures, layer_figures, layer_walkthrough, svg
from derive.notes.layer_blocks import catalogue
from derive.notes.notation import notation_for
from derive.notes.request import NotesRequest

FIGURE_DIR = "figures"


class CodeDisagrees(RuntimeError):
    """The layer code's gradients differ from the closed forms: nothing is written."""


def figure_models(d: Derivation, request: NotesRequest) -> dict[str, Any]:
    """Each figure of the walkthrough by its key: the sliding kernel and the delta map of every convolution
    (of the first pass), the unrolled network of a recurrent layer."""
    notation = notation_for(d.network, request.notation)
    found: dict[str, Any] = {}
    plans = d.network.graph.plans
    for i, plan in enumerate(plans):
        if isinstance(plan, ConvPlan):
            after = plans[i + 1] if i + 1 < len(plans) and isinstance(plans[i + 1], PoolPlan) else None
            found[f"sliding-{plan.index + 1}"] = layer_figures.sliding(plan, d.first, notation)
            found[f"deltas-{plan.index + 1}"] = layer_figures.deltas(plan, after, d.first, notation)
        elif isinstance(plan, RecurrentPlan):
            found["unrolled"] = layer_figures.unrolled(plan, d, notation)
    return found


def _svg(model: Any) -> str:
    return layer_figures.grids_svg(model) if isinstance(model, layer_figures.Grids) else svg.figure(model)


def _tikz(model: Any) -> str:
    from derive.notes import tikz

    return layer_figures.grids_tikz(model) if isinstance(model, layer_figures.Grids) else tikz.figure(model)


def files(d: Derivation, request: NotesRequest) -> dict[str, str | bytes]:
    """Every requested file of the walkthrough of `d`, by path relative to the output directory."""
    t = catalogue(request.lang)
    models = figure_models(d, request)
    curve = figures.loss_curve(figures.history_points(d), t("axis_updates"), t("axis_error"))
    caption = t("figure_loss" if curve.y.log else "figure_loss_linear")
    wants = set(request.formats)
    found: dict[str, str | bytes] = {}
    if wants & {"md", "html", "ipynb"}:
        pictures = {f"{FIGURE_DIR}/{key}.svg": _svg(m) for key, m in models.items()}
        pictures[f"{FIGURE_DIR}/loss.svg"] = svg.curve(curve)
        places = {key.split("/")[1][:-4]: {"path": key} for key in pictures}
        markdown = layer_walkthrough.render(d, "md", request, places, caption)
        if "md" in wants:
            found["walkthrough.md"] = markdown
            found.update(pictures)
        if "html" in wants:
            from derive.notes import html

            title = d.network.spec.title_in(request.lang)
            found["walkthrough.html"] = html.page(markdown, title, request.lang, pictures)
        if "ipynb" in wants:
            found.update(pictures)
            found["walkthrough.ipynb"] = notebook(d, request, markdown)
    if wants & {"tex", "pdf"}:
        from derive.notes import tikz

        pictures_tex = {key: {"tikz": _tikz(m)} for key, m in models.items()}
        pictures_tex["loss"] = {"tikz": tikz.curve(curve)}
        tex = layer_walkthrough.render(d, "tex", request, pictures_tex, caption)
        if "tex" in wants:
            found["walkthrough.tex"] = tex
        if "pdf" in wants:
            from derive.notes import pdf

            found["walkthrough.pdf"] = pdf.compile_tex(tex)
    return dict(sorted(found.items()))


def sheet_figure(d: Derivation, notation: str, fmt: str) -> str:
    """The figure an exercise sheet shows (svg or tikz), without the values the sheet asks for: the first
    kernel (or pool) sliding over its input, the unrolled network, or the input alone."""
    glyphs = notation_for(d.network, notation)
    plan = _sheet_plan(d)
    model: Any
    if isinstance(plan, ConvPlan):
        model = layer_figures.sliding(plan, d.first, glyphs, valued=False)
    elif isinstance(plan, PoolPlan):
        model = layer_figures.pooling(plan, d.first, glyphs, valued=False)
    elif isinstance(plan, RecurrentPlan):
        model = layer_figures.unrolled(plan, d, glyphs)
    else:
        model = layer_figures.image(d)
    return _svg(model) if fmt == "svg" else _tikz(model)


def _sheet_plan(d: Derivation) -> Any:
    return next((p for p in d.network.graph.plans if isinstance(p, (ConvPlan, PoolPlan, RecurrentPlan))), None)


def sheet_figure_kind(d: Derivation) -> str:
    """What the sheet's figure shows: sliding (a kernel), pooling, unrolled or image."""
    plan = _sheet_plan(d)
    return {ConvPlan: "sliding", PoolPlan: "pooling", RecurrentPlan: "unrolled"}.get(type(plan), "image")


def keyed_markdown(d: Derivation, request: NotesRequest, folder: str) -> tuple[str, dict[str, str]]:
    """The walkthrough in Markdown with its figures in `folder` (an exercise key's own), and the figures by path."""
    t = catalogue(request.lang)
    curve = figures.loss_curve(figures.history_points(d), t("axis_updates"), t("axis_error"))
    pictures = {f"{folder}/{key}.svg": _svg(m) for key, m in figure_models(d, request).items()}
    pictures[f"{folder}/loss.svg"] = svg.curve(curve)
    places = {path.rpartition("/")[2][:-4]: {"path": path} for path in pictures}
    caption = t("figure_loss" if curve.y.log else "figure_loss_linear")
    return layer_walkthrough.render(d, "md", request, places, caption), pictures


def notebook(d: Derivation, request: NotesRequest, markdown: str) -> str:
    """The walkthrough as a notebook with the layer code (checked first), one update and the training."""
    import nbformat  # only a notebook needs it: the other formats do not pay for its import
    from nbformat import v4

    from derive.code import layer_code, layer_verify
    from derive.notes import notebook as notebooks

    code = layer_code.generate(d, layer_verify.HEADER)
    problems = layer_verify.disagreements(d, code)
    if problems:
        raise CodeDisagrees(problems[0])
    t = catalogue(request.lang)
    sources = [("markdown", cell) for cell in notebooks.split_markdown(markdown)]
    sources += [("markdown", f"## {t('nb_code_heading')}\n\n{t('nb_code_intro')}"),
                ("code", notebooks.strip_main(code)),
                ("markdown", f"### {t('nb_update_heading')}\n\n{t('nb_update_intro')}"), ("code", _update_cell(d)),
                ("markdown", f"### {t('nb_train_heading')}\n\n{t('nb_train_intro')}"), ("code", notebooks.train_cell())]
    cells = [v4.new_markdown_cell(text, id=f"cell-{i}") if kind == "markdown" else
             v4.new_code_cell(text, id=f"cell-{i}") for i, (kind, text) in enumerate(sources, start=1)]
    metadata = {"kernelspec": dict(notebooks.KERNELSPEC), "language_info": {"name": "python"},
                "derive": {"lang": request.lang, "network": d.network.name, "style": "layers"}}
    nb = v4.new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _update_cell(d: Derivation) -> str:
    """Code printing the first update of every parameter (gradient, new value) and the error before and after."""
    from derive.code import layer_verify

    places = layer_verify.places(d.network)
    lines = ["params = initial_params()", "X, Y = batch(1)", "grads = gradients(params, X, Y)",
             "updated = step(params, X, Y)", "PLACES = {"]
    lines += [f'    "{name}": ("{array}", {index!r}),' for name, (array, index) in places.items()]
    lines += ["}", "for name, (array, index) in PLACES.items():",
              '    print(name, f"{grads[array][index]:.9g}", f"{updated[array][index]:.9g}")',
              'print("E_total", 0, f"{loss(params, INPUTS, TARGETS):.9g}")',
              'print("E_total", 1, f"{loss(updated, INPUTS, TARGETS):.9g}")']
    return "\n".join(lines)
