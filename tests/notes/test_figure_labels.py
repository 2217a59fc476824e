"""The network figures' labels, read back from the SVG: none overlaps another label, a node, an edge
other than its own or the figure's border, for every shape from 1-1-1 to 4-6-3 and for the presets.

The boxes are estimated here, apart from the layout's own estimate: a label's text is EM of its font
size per character (Latin Modern's digits are 0.5 em wide, "=" 0.78, a space 0.33) and HEIGHT of its
size high, turned with its <g>; an edge is the segment its <line> draws; a node is its circle."""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from derive.model import network, spec
from derive.model.precision import real
from derive.notes import figures, svg
from derive.notes.notation import notation_for

SVG = "{http://www.w3.org/2000/svg}"
EM = 0.55
HEIGHT = 1.3
DIGITS = 4  # as the notes draw them
SHAPES = list(itertools.product(range(1, 5), range(1, 7), range(1, 4)))
SOFTMAX = Path(__file__).with_name("softmax_342.toml")

Point = tuple[float, float]


def corners(x: float, y: float, angle: float, width: float, height: float) -> list[Point]:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [(x + dx * c - dy * s, y + dx * s + dy * c)
            for dx, dy in ((-width / 2, -height / 2), (width / 2, -height / 2), (width / 2, height / 2), (-width / 2, height / 2))]


def separated(a: list[Point], b: list[Point]) -> bool:
    """Whether a line separates two convex polygons (a segment is one with two corners)."""
    for poly in (a, b):
        for p, q in zip(poly, poly[1:] + poly[:1]):
            nx, ny = p[1] - q[1], q[0] - p[0]
            pa, pb = [nx * x + ny * y for x, y in a], [nx * x + ny * y for x, y in b]
            if max(pa) <= min(pb) + 1e-9 or max(pb) <= min(pa) + 1e-9:
                return True
    return False


def on_circle(box: list[Point], cx: float, cy: float, r: float) -> bool:
    if not separated(box, [(cx, cy), (cx + 1e-6, cy)]):
        return True  # the centre is inside the box

    def distance(p: Point, q: Point) -> float:
        dx, dy = q[0] - p[0], q[1] - p[1]
        t = max(0.0, min(1.0, ((cx - p[0]) * dx + (cy - p[1]) * dy) / (dx * dx + dy * dy)))
        return math.hypot(p[0] + t * dx - cx, p[1] + t * dy - cy)

    return min(distance(p, q) for p, q in zip(box, box[1:] + box[:1])) < r


def extent(text: ET.Element) -> tuple[float, float]:
    size = float(text.get("font-size", "0"))
    width = len(text.text or "") * EM * size
    width += sum(len(t.text or "") * EM * float(t.get("font-size", size)) for t in text.iter(SVG + "tspan"))
    return width, HEIGHT * size


def read(svg_text: str) -> dict:
    """The figure's size, its edges, its nodes and its labels: (text, box, (x, y, angle) of an edge's
    label or None for a bias node's value)."""
    root = ET.fromstring(svg_text)
    lines = [tuple(float(line.get(k, "0")) for k in ("x1", "y1", "x2", "y2")) for line in root.iter(SVG + "line")]
    circles = [tuple(float(c.get(k, "0")) for k in ("cx", "cy", "r")) for c in root.iter(SVG + "circle")]
    labels = []
    for g in root.iter(SVG + "g"):
        turned = re.fullmatch(r"rotate\(([-\d.]+) ([-\d.]+) ([-\d.]+)\)", g.get("transform", ""))
        text = g.find(SVG + "text")
        if turned and text is not None:
            angle, x, y = map(float, turned.groups())
            labels.append(("".join(text.itertext()), corners(x, y, angle, *extent(text)), (x, y, angle)))
    for text in root.findall(SVG + "text"):  # the glyphs in the circles are the nodes'; the rest bias values
        x, y = float(text.get("x", "0")), float(text.get("y", "0"))
        if not any(math.hypot(x - cx, y - cy) < r for cx, cy, r in circles):
            labels.append(("".join(text.itertext()), corners(x, y, 0.0, *extent(text)), None))
    return {"width": float(root.get("width", "0")), "height": float(root.get("height", "0")),
            "lines": lines, "circles": circles, "labels": labels}


def own_edge(line: tuple[float, ...], at: tuple[float, float, float]) -> bool:
    """The edge a label is written along: its centre on the segment, turned as the segment is."""
    x, y, angle = at
    x1, y1, x2, y2 = line
    off = abs((x2 - x1) * (y1 - y) - (x1 - x) * (y2 - y1)) / math.hypot(x2 - x1, y2 - y1)
    return off < 0.05 and abs(math.degrees(math.atan2(y2 - y1, x2 - x1)) - angle) < 0.05 \
        and min(x1, x2) <= x <= max(x1, x2)


def problems(svg_text: str) -> list[str]:
    f = read(svg_text)
    found = []
    for name, box, at in f["labels"]:
        if any(not (0 <= x <= f["width"] and 0 <= y <= f["height"]) for x, y in box):
            found.append(f"{name}: past the figure's border")
        found += [f"{name}: on the node at {cx}, {cy}" for cx, cy, r in f["circles"] if on_circle(box, cx, cy, r)]
        found += [f"{name}: crosses the edge {line}" for line in f["lines"]
                  if not (at is not None and own_edge(line, at)) and not separated(box, [line[:2], line[2:]])]
        if at is not None:
            assert sum(own_edge(line, at) for line in f["lines"]) == 1, name
    found += [f"{a} / {b}: overlap" for (a, box_a, _), (b, box_b, _) in itertools.combinations(f["labels"], 2)
              if not separated(box_a, box_b)]
    return found


def shaped(sizes: tuple[int, ...], bias: str) -> network.Network:
    """A network of `sizes` with random weights (four digits each: long labels)."""
    data = {"inputs": sizes[0], "loss": "half_sse",
            "init": {"kind": "normal", "mean": 0, "std": Decimal("0.5"), "seed": 3},
            "layers": [{"neurons": n, "activation": "sigmoid", "bias": {"mode": bias}} for n in sizes[1:]],
            "samples": [{"inputs": [Decimal("0.5")] * sizes[0], "targets": [Decimal("0.5")] * sizes[-1]}],
            "training": {"learning_rate": Decimal("0.5"), "steps": [1]}}
    return network.build(spec.from_mapping(data, "shape.toml", "shape"))


def drawn(net: network.Network, profile: str = "classic") -> figures.Figure:
    return figures.network_figure(net, notation_for(net, profile), {p.symbol: real(p.initial) for p in net.params}, DIGITS)


def weight_names(net: network.Network) -> list[str]:
    return [p.name for p in net.params if p.kind == "weight"]


def test_the_checker_sees_an_overlap_and_a_crossing() -> None:
    """Two labels on one spot and an edge through a label: what the tests below must never find."""
    def label(x: float, y: float, angle: float) -> str:
        return (f'<g transform="rotate({angle} {x} {y})"><rect/><text x="{x}" y="{y}" font-size="12">'
                f'<tspan>w</tspan><tspan font-size="8.4">1</tspan><tspan> = 0.15</tspan></text></g>')

    head = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
    edges = '<line x1="10" y1="100" x2="290" y2="100"/><line x1="150" y1="10" x2="150" y2="190"/>'
    assert problems(head + edges + label(80, 100, 0) + "</svg>") == []
    assert [p.split(":")[1] for p in problems(head + edges + label(150, 100, 0) + "</svg>")] == [
        " crosses the edge (150.0, 10.0, 150.0, 190.0)"]
    assert problems(head + edges + label(80, 100, 0) + label(100, 100, 0) + "</svg>")[-1].endswith("overlap")
    assert problems(head + edges + label(15, 100, 0) + "</svg>") == ["w1 = 0.15: past the figure's border"]


@pytest.mark.parametrize("sizes", SHAPES, ids=["-".join(map(str, s)) for s in SHAPES])
def test_every_label_is_clear_of_every_other_thing(sizes: tuple[int, int, int]) -> None:
    for bias in ("per_neuron", "shared"):
        net = shaped(sizes, bias)
        fig = drawn(net)
        text = svg.figure(fig)
        assert problems(text) == [], bias
        # every weight keeps its name (and its value where the figure has room for values)
        shown = [t for t, _, at in read(text)["labels"] if at is not None]
        assert sorted(t.split(" = ")[0] for t in shown if not t.startswith("\u2212")) == sorted(weight_names(net))
        assert all((" = " in t) == fig.values for t in shown if not t.startswith("\u2212"))


@pytest.mark.parametrize("preset", ["mazur", "textbook", "gender", "xor3", "softmax"])
def test_the_presets_figures_are_clear_with_every_value(preset: str) -> None:
    s = spec.load(str(SOFTMAX)) if preset == "softmax" else spec.load_preset(preset)
    net = network.build(s)
    values = {p.symbol: real(p.initial) for p in net.params}
    for profile in ("classic", "textbook" if preset == "textbook" else "matrix"):
        notation = notation_for(net, profile)
        fig = figures.network_figure(net, notation, values, DIGITS)
        assert fig.values, profile  # the presets' short values fit beside their names
        assert problems(svg.figure(fig)) == [], profile
        for param in figures.hidden_weights(net):
            assert problems(svg.figure(figures.paths_figure(net, notation, param, values, DIGITS))) == [], param.name


def test_mazur_bias_edges_pass_clear_of_w3_and_w7() -> None:
    text = svg.figure(drawn(network.build(spec.load_preset("mazur"))))
    dashed = [tuple(float(line.get(k, "0")) for k in ("x1", "y1", "x2", "y2"))
              for line in ET.fromstring(text).iter(SVG + "line") if line.get("stroke-dasharray")]
    boxes = {t.split(" = ")[0]: box for t, box, at in read(text)["labels"] if at is not None}
    assert len(dashed) == 4 and len(boxes) == 8
    for name in ("w3", "w7"):
        assert all(separated(boxes[name], [line[:2], line[2:]]) for line in dashed), name
