"""Figures: the model's structure against the spec, what the SVG shows, the loss curve's geometry,
byte-identical output, and TikZ that compiles."""

from __future__ import annotations

import functools
import itertools
import math
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import real, show
from derive.notes import figures, svg, tikz
from derive.notes.notation import Notation, notation_for

SVG = "{http://www.w3.org/2000/svg}"
DIGITS = 4
PRESETS = ["mazur", "textbook", "gender", "xor3"]


def initial_values(net: network.Network) -> dict:
    """Every parameter's value, straight from the spec (what a pass's values hold for parameters)."""
    return {p.symbol: real(p.initial) for p in net.params}


def build(preset: str, profile: str = "classic") -> tuple[network.Network, figures.Figure, str]:
    net = network.build(spec.load_preset(preset))
    fig = figures.network_figure(net, notation_for(net, profile), initial_values(net), DIGITS)
    return net, fig, svg.figure(fig)


def texts(svg_text: str) -> list[str]:
    """The text of every <text> element, its <tspan>s joined: what a reader sees and searches."""
    root = ET.fromstring(svg_text)
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


# --- what the spec says the figure must hold, counted from the spec alone ---------------------------


def spec_counts(s: spec.Spec) -> tuple[int, int]:
    """(nodes, edges): inputs, neurons and one node per bias parameter; weights and bias connections."""
    nodes, edges, fan_in = len(s.inputs), 0, len(s.inputs)
    for layer in s.layers:
        n = len(layer.neurons)
        nodes += n + {"none": 0, "shared": 1, "per_neuron": n}[layer.bias.mode]
        edges += n * fan_in + (0 if layer.bias.mode == "none" else n)
        fan_in = n
    return nodes, edges


def spec_weights(s: spec.Spec) -> list[tuple[str, object]]:
    return [(name, value) for layer in s.layers for names_row, values_row in zip(layer.weight_names, layer.weights)
            for name, value in zip(names_row, values_row)]


def gradient_paths(s: spec.Spec, weight: str) -> set[tuple[str, str]]:
    """The edges dE_total/dweight sums over, by a walk over the spec's layers: the weight's edge, then
    every edge forward from its neuron, then the outputs' edges to E_total."""
    sources = [list(s.inputs)] + [list(layer.neurons) for layer in s.layers]
    forward: dict[str, list[str]] = {}
    for k, layer in enumerate(s.layers):
        for src in sources[k]:
            forward[src] = list(layer.neurons)
    for out in s.layers[-1].neurons:
        forward[out] = ["E_total"]
    for k, layer in enumerate(s.layers):
        for neuron, names_row in zip(layer.neurons, layer.weight_names):
            if weight in names_row:
                start = (sources[k][names_row.index(weight)], neuron)
    edges, frontier = {start}, [start[1]]
    while frontier:
        node = frontier.pop()
        for nxt in forward.get(node, []):
            if (node, nxt) not in edges:
                edges.add((node, nxt))
                frontier.append(nxt)
    return edges


# --- the network figure ----------------------------------------------------------------------------


@pytest.mark.parametrize("preset", PRESETS)
def test_network_svg_has_a_node_per_unit_and_an_edge_per_connection(preset: str) -> None:
    net, fig, text = build(preset)
    root = ET.fromstring(text)
    nodes, edges = spec_counts(net.spec)
    assert len(list(root.iter(SVG + "circle"))) == nodes
    assert len(list(root.iter(SVG + "line"))) == edges
    assert (len(fig.nodes), len(fig.edges)) == (nodes, edges)
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "id=" not in text  # several figures share one HTML page


@pytest.mark.parametrize("preset", PRESETS)
def test_every_weight_is_labelled_with_its_name_and_value(preset: str) -> None:
    net, _, text = build(preset)
    shown = texts(text)
    for name, value in spec_weights(net.spec):
        # a negative value with a minus sign, never a hyphen
        minus = show(real(value), DIGITS).text.replace("-", "\u2212")
        assert f"{name} = {minus}" in shown
    assert not any("= -" in t for t in shown)


def test_mazur_bias_nodes_show_their_values_and_add_without_a_minus() -> None:
    _, fig, text = build("mazur")
    shown = texts(text)
    assert {"b1", "b2", "0.35", "0.6"} <= set(shown)
    assert not any(t.startswith("\u2212") for t in shown)
    bias_edges = [(e.source, e.target) for e in fig.edges if e.kind == "bias"]
    assert bias_edges == [("b1", "h1"), ("b1", "h2"), ("b2", "o1"), ("b2", "o2")]


@pytest.mark.parametrize("profile", ["classic", "textbook"])
def test_textbook_thresholds_are_subtracted(profile: str) -> None:
    net, _, text = build("textbook", profile)
    shown = texts(text)
    for label in ["\u2212\u03b31", "\u2212\u03b32", "\u2212\u03b33", "\u2212\u03b81", "\u2212\u03b82"]:
        assert label in shown
    assert r"$-\theta_{1}$" in tikz.figure(figures.network_figure(net, notation_for(net, profile),
                                                                   initial_values(net), DIGITS))


def test_glyphs_follow_the_notation() -> None:
    _, _, text = build("textbook", "textbook")
    shown = set(texts(text))
    assert {"x1", "b1", "b3", "y\u03021", "v11 = 0.2", "w32 = \u22120.1"} <= shown
    _, _, matrix = build("mazur", "matrix")
    assert "a1[2]" in texts(matrix)  # a^[2]_1: the wider script written second


def test_labels_do_not_overlap_each_other_in_the_presets() -> None:
    """Points of each painted label box tested against every other box, in the box's own frame."""
    def inside(px: float, py: float, lab: figures.EdgeLabel) -> bool:
        c, s = math.cos(math.radians(lab.angle)), math.sin(math.radians(lab.angle))
        u, v = (px - lab.x) * c + (py - lab.y) * s, -(px - lab.x) * s + (py - lab.y) * c
        return abs(u) < lab.width / 2 and abs(v) < lab.height / 2

    def points(lab: figures.EdgeLabel) -> list[tuple[float, float]]:
        c, s = math.cos(math.radians(lab.angle)), math.sin(math.radians(lab.angle))
        grid = [(lab.width * (i / 10 - 0.5), lab.height * (j / 4 - 0.5)) for i in range(11) for j in range(5)]
        return [(lab.x + u * c - v * s, lab.y + u * s + v * c) for u, v in grid]

    for preset in PRESETS:
        _, fig, _ = build(preset)
        labels = [e.label for e in fig.edges if e.label is not None]
        for i, a in enumerate(labels):
            for b in labels[i + 1:]:
                assert not any(inside(x, y, b) for x, y in points(a)), (preset, a.label, b.label)


# --- the paths of a gradient -----------------------------------------------------------------------


@functools.cache
def loaded(preset: str) -> tuple[network.Network, Notation, dict]:
    """One network, notation and values per preset: the paths figures of one network share a layout."""
    net = network.build(spec.load_preset(preset))
    return net, notation_for(net), initial_values(net)


def paths(preset: str, weight: str) -> tuple[figures.Figure, str]:
    net, notation, values = loaded(preset)
    param = next(p for p in net.params if p.name == weight)
    fig = figures.paths_figure(net, notation, param, values, DIGITS)
    return fig, svg.figure(fig)


def lit(fig: figures.Figure) -> set[tuple[str, str]]:
    return {(e.source, e.target) for e in fig.edges if e.emphasis == figures.HIGHLIGHT}


def test_mazur_w1_highlights_its_paths_to_the_error() -> None:
    fig, text = paths("mazur", "w1")
    expected = {("i1", "h1"), ("h1", "o1"), ("h1", "o2"), ("o1", "E_total"), ("o2", "E_total")}
    assert gradient_paths(spec.load_preset("mazur"), "w1") == expected
    assert lit(fig) == expected
    root = ET.fromstring(text)
    accent = [line for line in root.iter(SVG + "line") if line.get("stroke") == svg.ACCENT]
    assert len(accent) == len(expected)
    assert {e.emphasis for e in fig.edges if (e.source, e.target) not in expected} == {figures.FAINT}
    # the highlighted weights are the factors of the chain rule: labelled, and nothing else is
    assert {"w1 = 0.15", "w5 = 0.4", "w7 = 0.5"} <= set(texts(text))
    assert {e.param for e in fig.edges if e.label is not None} == {"w1", "w5", "w7"}


@pytest.mark.parametrize("preset", PRESETS)
def test_every_hidden_weight_highlights_what_a_walk_over_the_spec_finds(preset: str) -> None:
    s = spec.load_preset(preset)
    hidden = [name for layer in s.layers[:-1] for row in layer.weight_names for name in row]
    for weight in hidden:
        assert lit(paths(preset, weight)[0]) == gradient_paths(s, weight)


def test_xor3_first_layer_weight_has_one_path() -> None:
    net, _, _ = loaded("xor3")
    for p in figures.hidden_weights(net):
        assert len(lit(paths("xor3", p.name)[0])) == 1 + 1 + 1  # the weight's edge, its neuron to y1, y1 to E_total


def test_paths_figure_keeps_the_network_layout() -> None:
    _, fig, _ = build("textbook")
    fig_paths, _ = paths("textbook", "v12")
    assert fig_paths.width == fig.width and fig_paths.height == fig.height
    shift = {round(b.x - a.x, 6) for a, b in zip(fig.nodes, fig_paths.nodes)}
    assert len(shift) == 1 and {a.y for a in fig.nodes} == {b.y for b in fig_paths.nodes[:len(fig.nodes)]}
    assert fig_paths.nodes[-1].key == "E_total" and fig_paths.nodes[-1].x > max(n.x for n in fig.nodes)


def test_figure_names() -> None:
    mazur = network.build(spec.load_preset("mazur"))
    assert [k for k, _ in figures.figure_names(mazur)] == ["network", "paths-w1", "paths-w2", "paths-w3",
                                                           "paths-w4", "loss"]
    xor3 = network.build(spec.load_preset("xor3"))
    names = figures.figure_names(xor3)
    assert len(names) == 1 + 15 + 1 and names[1] == ("paths-w1", xor3.params[0])


def test_a_big_network_keeps_names_and_drops_values() -> None:
    data = {"inputs": 3, "loss": "half_sse", "init": {"kind": "normal", "mean": 0, "std": Decimal("0.1"), "seed": 2},
            "layers": [{"neurons": 20, "activation": "sigmoid"}, {"neurons": 4, "activation": "sigmoid"}],
            "samples": [{"inputs": [0, 1, 0], "targets": [1, 0, 0, 1]}],
            "training": {"learning_rate": Decimal("0.5"), "steps": [1]}}
    net = network.build(spec.from_mapping(data, "big.toml", "big"))
    assert figures.is_compact(net)
    fig = figures.network_figure(net, notation_for(net), initial_values(net), DIGITS)
    root = ET.fromstring(svg.figure(fig))
    assert len(list(root.iter(SVG + "line"))) == 3 * 20 + 20 * 4
    labels = [e.label.label for e in fig.edges if e.label is not None]
    assert labels and all(lab.value is None for lab in labels)
    assert not any(" = " in t for t in texts(svg.figure(fig)))


# --- the loss curve --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")))


def test_loss_curve_is_log_log_and_starts_at_step_one(mazur: derivation.Derivation) -> None:
    points = figures.history_points(mazur)
    assert points[0] == (0, mazur.error_before) and [s for s, _ in points[1:]] == [1, 10, 100, 1000, 10000]
    c = figures.loss_curve(points, "updates", "error")
    assert [p.step for p in c.points] == [1, 10, 100, 1000, 10000]
    xs = [p.x for p in c.points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert xs[0] == c.left and xs[-1] <= c.right
    # a decade is the same distance everywhere on both axes
    assert len({round(b - a, 1) for a, b in itertools.pairwise(xs)}) == 1
    per_decade = (c.top - c.bottom) / (c.y.high - c.y.low)
    for p in c.points:  # coordinates have two decimals
        assert p.y == pytest.approx(c.bottom + per_decade * (math.log10(float(p.error)) - c.y.low), abs=0.006)
    # a smaller error is lower on the page (y grows downwards)
    for a in c.points:
        for b in c.points:
            if a.error < b.error:
                assert a.y > b.y
    assert c.start is not None and c.start.error == mazur.error_before and c.start.y < c.points[-1].y
    assert 10 ** c.y.low <= float(min(p.error for p in c.points)) and float(mazur.error_before) <= 10 ** c.y.high


def test_loss_curve_svg_has_the_callers_labels(mazur: derivation.Derivation) -> None:
    c = figures.loss_curve(figures.history_points(mazur), "更新次数", "误差 <E> & co")
    text = svg.curve(c)
    shown = texts(text)
    assert "更新次数" in shown and "误差 <E> & co" in shown
    assert "1000" in shown and "10\u22125" in shown  # x written in full, y as powers of ten
    root = ET.fromstring(text)
    assert len(list(root.iter(SVG + "circle"))) == 5
    assert "CJK" in root.get("font-family", "")


def test_loss_curve_needs_an_update() -> None:
    with pytest.raises(ValueError):
        figures.loss_curve([(0, real("0.5"))], "updates", "error")


# --- determinism -----------------------------------------------------------------------------------


def test_the_same_input_gives_byte_identical_output() -> None:
    def outputs() -> list[str]:
        net = network.build(spec.load_preset("textbook"))
        notation, values = notation_for(net, "textbook"), initial_values(net)
        param = figures.hidden_weights(net)[0]
        network_fig = figures.network_figure(net, notation, values, DIGITS)
        paths_fig = figures.paths_figure(net, notation, param, values, DIGITS)
        curve = figures.loss_curve([(0, real("0.3")), (1, real("0.29")), (10, real("0.01"))], "u", "e")
        return [svg.figure(network_fig), svg.figure(paths_fig), svg.curve(curve),
                tikz.figure(network_fig), tikz.figure(paths_fig), tikz.curve(curve)]

    assert outputs() == outputs()


# --- TikZ compiles ---------------------------------------------------------------------------------

PREAMBLE = r"\documentclass{article}%s\usepackage{tikz}\usepackage{pgfplots}\pgfplotsset{compat=1.17}"


def tex_ready(engine: str, *packages: str) -> bool:
    if shutil.which(engine) is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", *packages], check=False, capture_output=True, text=True).stdout.split()
    return len(found) == len(packages)


def compile_tex(tmp_path: Path, engine: str, body: str, extra: str = "") -> None:
    source = tmp_path / "figures.tex"
    source.write_text(PREAMBLE % extra + "\n\\begin{document}\n" + body + "\\end{document}\n", encoding="utf-8")
    run = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error", source.name],
                         check=False, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "figures.pdf").stat().st_size > 0


def tikz_body(mazur: derivation.Derivation, x_label: str, y_label: str) -> str:
    parts = []
    for preset, profile in [("mazur", "classic"), ("textbook", "textbook"), ("gender", "matrix")]:
        net = network.build(spec.load_preset(preset))
        notation, values = notation_for(net, profile), initial_values(net)
        parts.append(tikz.figure(figures.network_figure(net, notation, values, DIGITS)))
        parts.append(tikz.figure(figures.paths_figure(net, notation, figures.hidden_weights(net)[0], values, DIGITS)))
    parts.append(tikz.curve(figures.loss_curve(figures.history_points(mazur), x_label, y_label)))
    return "\n\\bigskip\n".join(parts)


@pytest.mark.skipif(not tex_ready("pdflatex", "tikz.sty", "pgfplots.sty"), reason="pdflatex, TikZ or pgfplots absent")
def test_tikz_compiles_with_pdflatex(tmp_path: Path, mazur: derivation.Derivation) -> None:
    compile_tex(tmp_path, "pdflatex", tikz_body(mazur, "updates", "error (50% of $1 & #2_3)"))


@pytest.mark.skipif(not tex_ready("xelatex", "tikz.sty", "pgfplots.sty", "ctex.sty"),
                    reason="xelatex, TikZ, pgfplots or ctex absent")
def test_tikz_compiles_with_xelatex_and_chinese_labels(tmp_path: Path, mazur: derivation.Derivation) -> None:
    compile_tex(tmp_path, "xelatex", tikz_body(mazur, "更新次数", "误差"), r"\usepackage{ctex}")


def test_svg_escapes_text_and_attributes_as_the_standard_library_does() -> None:
    from xml.sax import saxutils

    from derive.notes import svg

    for text in ["a&b<c>", 'x"y', "x'y", "x'\"y", "a\nb\tc\r", "Latin Modern Math, serif", "加权 & <w>"]:
        assert svg.escape(text) == saxutils.escape(text)
        assert svg.quoteattr(text) == saxutils.quoteattr(text)
