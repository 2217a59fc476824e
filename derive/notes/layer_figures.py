"""Figures of the layer notes, from the derivation: the kernel sliding over its input (one frame per
position, the window shaded, the entry it gives under the frame), the delta map (the pooled errors
routed to the arg-max of each window, an arrow per route), and the unrolled recurrent network (a column
per step, W_x into each step, W_h from the step before).

The grids are a model of their own (cells, labels, arrows in page units, y downwards), printed here as
SVG and as TikZ; the unrolled network is a `derive.notes.figures.Figure`, printed by `svg` and `tikz`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from derive.maths import convolution
from derive.maths.derivation import Derivation, Pass
from derive.model import kinds as k
from derive.model.precision import Real, show
from derive.model.wiring import ConvPlan, DensePlan, PoolPlan, RecurrentPlan
from derive.notes import figures, svg, tikz
from derive.notes.figures import Edge, EdgeLabel, Figure, Label, Node
from derive.notes.notation import Glyph, Notation

DIGITS = 3  # significant digits of a cell
CELL_HEIGHT = 24.0
FRAME_GAP = 26.0
LABEL_ROOM = 30.0  # under a frame: the entry it gives
MAX_FRAMES = 9
STYLES = {"plain": "#ffffff", "window": "#f6d8d4", "pad": "#f1f1f1", "chosen": "#f6d8d4", "zero": "#ffffff"}
STROKES = {"window": svg.ACCENT, "chosen": svg.ACCENT}


@dataclass(frozen=True)
class Cell:
    x: float
    y: float
    w: float
    h: float
    text: str
    style: str  # plain | window | pad | chosen | zero


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    label: Label | None
    plain: tuple[str, str] = ("", "")  # without a label: the text in SVG and in TeX


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Grids:
    key: str
    width: float
    height: float
    cells: tuple[Cell, ...]
    texts: tuple[Text, ...]
    arrows: tuple[Arrow, ...] = ()
    size: float = 12.0


def _number(x: Real) -> str:
    return show(x, DIGITS).text.replace("-", svg.MINUS)


def _cell_width(texts: list[str]) -> float:
    return max(34.0, 8.0 * max((len(t) for t in texts), default=1) + 10.0)


def sliding(plan: ConvPlan, p: Pass, notation: Notation, valued: bool = True) -> Grids:
    """The kernel over the (padded) input at each position of output channel 1 (input channel 1), each
    frame labelled with the entry it makes and (`valued`) its net: an exercise sheet asks for the nets."""
    source = convolution.conv_maps(plan, p).source[0]
    labels = [(notation.glyph(n.net.name), p.values[n.net] if valued else None) for n in k.flat(plan.neurons[0])]
    window = _Window(plan.spec.kernel, plan.spec.stride, plan.spec.padding, plan.spec.out_shape.width)
    return _frames(f"sliding-{plan.index + 1}", source, labels, window)


def pooling(plan: PoolPlan, p: Pass, notation: Notation, valued: bool = True) -> Grids:
    """A pool's window over the map it reads (channel 1) at each position, labelled as `sliding` does."""
    source = [[p.values[s] for _, s in row] for row in plan.source[0]]
    labels = [(notation.glyph(n.out.name), p.values[n.out] if valued else None) for n in k.flat(plan.neurons[0])]
    window = _Window(plan.spec.size, plan.spec.stride, (0, 0), plan.spec.out_shape.width)
    return _frames(f"pooling-{plan.index + 1}", source, labels, window)


def image(d: Derivation) -> Grids:
    """The input's first channel, one frame: the figure of a network that neither convolves nor pools."""
    network = d.network
    shape = network.spec.structure.image.shape
    names = k.map_names(network.spec.structure.image.name, shape)[0]
    values = {x.name: d.first.values[x] for x in network.inputs}
    source = [[values[name] for name in row] for row in names]
    return _frames("image", source, [], _Window((0, 0), (1, 1), (0, 0), 1))


@dataclass(frozen=True)
class _Window:
    size: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    across: int  # positions per row of the output


def _frames(key: str, source: list[list[Real]], labels: list[tuple[Glyph, Real | None]], w: _Window) -> Grids:
    """One frame of `source` per label (at most MAX_FRAMES; one frame without labels), the window of
    each position shaded, its label under it."""
    rows, cols = len(source), len(source[0])
    cell = _cell_width([_number(v) for row in source for v in row])
    count = max(1, min(len(labels), MAX_FRAMES))
    per_row = min(count, 3)
    frame_w, frame_h = cols * cell, rows * CELL_HEIGHT
    cells, texts = [], []
    pr, pc = w.padding
    for f in range(count):
        r, s = divmod(f, w.across)
        x0 = figures.MARGIN + (f % per_row) * (frame_w + FRAME_GAP)
        y0 = figures.MARGIN + (f // per_row) * (frame_h + LABEL_ROOM + FRAME_GAP)
        for a in range(rows):
            for b in range(cols):
                inside = (r * w.stride[0] <= a < r * w.stride[0] + w.size[0]
                          and s * w.stride[1] <= b < s * w.stride[1] + w.size[1])
                pad = a < pr or a >= rows - pr or b < pc or b >= cols - pc
                style = "window" if inside else ("pad" if pad else "plain")
                cells.append(Cell(x0 + b * cell, y0 + a * CELL_HEIGHT, cell, CELL_HEIGHT, _number(source[a][b]), style))
        if labels:
            glyph, value = labels[f]
            shown = show(value, DIGITS) if value is not None else None
            texts.append(Text(x0 + frame_w / 2, y0 + frame_h + LABEL_ROOM / 2, Label(glyph, shown)))
    lines = math.ceil(count / per_row)
    width = 2 * figures.MARGIN + per_row * frame_w + (per_row - 1) * FRAME_GAP
    height = 2 * figures.MARGIN + lines * (frame_h + LABEL_ROOM) + (lines - 1) * FRAME_GAP
    return Grids(key, width, height, tuple(cells), tuple(texts))


def deltas(plan: ConvPlan, after: PoolPlan | None, p: Pass, notation: Notation) -> Grids:
    """The delta map of channel 1 (right) and, where a pool follows, each pooled output's error (a list on the
    left) with an arrow to the entry its window routes it to."""
    maps = convolution.conv_maps(plan, p)
    delta = maps.deltas[0]
    sign = notation.delta_sign
    cells, texts, arrows = [], [], []
    width = _cell_width([_number(sign * v) for row in delta for v in row])
    top = figures.MARGIN + 30.0
    x_delta = figures.MARGIN
    if after is not None:
        by_neuron = {nb.neuron.name: nb for nb in p.backward}
        place = {n.name: (r, s) for r, row in enumerate(plan.neurons[0]) for s, n in enumerate(row)}
        routes = [w for w in convolution.windows(after, p) if w.neuron in list(k.flat(after.neurons[0]))]
        item_w = 150.0
        heading = ("∂E/∂out", r"$\partial E/\partial \mathrm{out}$")
        texts.append(Text(figures.MARGIN + item_w / 2, figures.MARGIN + 10.0, None, heading))
        x_delta = figures.MARGIN + item_w + 70.0
        for i, w in enumerate(routes):
            y = top + (i + 0.5) * CELL_HEIGHT * 1.2
            value = show(by_neuron[w.neuron.name].error.value, DIGITS)
            texts.append(Text(figures.MARGIN + item_w / 2, y, Label(notation.glyph(w.neuron.out.name), value)))
            if w.chosen >= 0:
                tr, ts = place[w.entries[w.chosen][0]]
                end = (x_delta + ts * width, top + (tr + 0.5) * CELL_HEIGHT)
                arrows.append(Arrow(figures.MARGIN + item_w + 4, y, *end))
    for r, row in enumerate(delta):
        for s, v in enumerate(row):
            style = "chosen" if v != 0 else "zero"
            cells.append(Cell(x_delta + s * width, top + r * CELL_HEIGHT, width, CELL_HEIGHT, _number(sign * v), style))
    texts.append(Text(x_delta + len(delta[0]) * width / 2, figures.MARGIN + 10.0,
                      Label(_map_glyph(notation.glyph(plan.neurons[0][0][0].delta.name)))))
    rows = max(len(delta), math.ceil(len(k.flat(after.neurons[0])) * 1.2) if after else 0)
    return Grids(f"deltas-{plan.index + 1}", x_delta + len(delta[0]) * width + figures.MARGIN,
                 top + rows * CELL_HEIGHT + figures.MARGIN, tuple(cells), tuple(texts), tuple(arrows))


def _map_glyph(g: Glyph) -> Glyph:
    """A map's name from an entry's glyph: the entry's place dropped (delta_{c1,11} -> delta_{c1})."""
    return Glyph(g.base, g.sub.split(",")[0], g.sup, g.hat, g.word)


def unrolled(plan: RecurrentPlan, d: Derivation, notation: Notation) -> Figure:
    """The recurrent layer unrolled, a node per vector: each step's inputs below its state, the states
    left to right linked by W_h, the dense layers' outputs above the states that feed them."""
    network = d.network
    steps = len(plan.neurons)
    dense = [q for q in network.graph.plans if isinstance(q, DensePlan)]
    gap, row, r = 120.0, 78.0, figures.MIN_RADIUS + 5
    height = 2 * figures.MARGIN + 2 * r + (1 + len(dense)) * row
    bottom = height - figures.MARGIN - r
    nodes, edges = [], []
    for t in range(steps):
        x = figures.MARGIN + r + 10 + t * gap
        nodes.append(Node(f"x{t}", x, bottom, r, Label(_vector(notation.glyph(plan.inputs[t][0][1].name))), "input"))
        nodes.append(Node(f"h{t}", x, bottom - row, r, Label(_vector(notation.neuron(plan.neurons[t][0]))), "neuron"))
        edges.append(_edge(nodes[-2], nodes[-1], plan.input_weights[0][0].name, Glyph("W", "x"), t == 0))
        if t:
            edges.append(_edge(nodes[-3], nodes[-1], plan.recurrent_weights[0][0].name, Glyph("W", "h"), t == 1))
    by_key = {n.key: n for n in nodes}
    for level, q in enumerate(dense, start=2):
        for i, stage in enumerate(q.neurons):
            t = steps - 1 if len(q.neurons) == 1 else i
            below = by_key[f"h{t}"] if level == 2 else by_key[f"d{level - 1}_{t}"]
            node = Node(f"d{level}_{t}", below.x, bottom - level * row, r, Label(_vector(notation.neuron(stage[0]))),
                        "neuron")
            nodes.append(node)
            by_key[node.key] = node
            edges.append(_edge(below, node, q.weights[0][0].name, _vector(notation.glyph(q.weights[0][0].name), "W"),
                               i == 0))
    width = 2 * figures.MARGIN + 2 * r + 20 + (steps - 1) * gap
    return Figure("unrolled", width, height, tuple(nodes), tuple(edges))


def _vector(g: Glyph, base: str = "") -> Glyph:
    """The vector an entry's glyph belongs to: its index dropped (h^{<2>}_{1} -> h^{<2>}); `base` replaces
    the letter (a weight's matrix: W)."""
    return Glyph(base or g.base, "", g.sup, g.hat, "" if base else g.word)


def _edge(a: Node, b: Node, param: str, glyph: Glyph, labelled: bool) -> Edge:
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    x1, y1 = a.x + dx / length * a.r, a.y + dy / length * a.r
    x2, y2 = b.x - dx / length * b.r, b.y - dy / length * b.r
    label = None
    if labelled:
        text = Label(glyph)
        w, h = figures.label_width(text) * figures.LABEL_SIZE + 8, figures.LABEL_SIZE + 6
        label = EdgeLabel(text, (x1 + x2) / 2, (y1 + y2) / 2, math.degrees(math.atan2(dy, dx)), w, h)
    return Edge(a.key, b.key, "weight", param, x1, y1, x2, y2, label, figures.NORMAL)


# --- printing the grids ---------------------------------------------------------------------------------


def grids_svg(g: Grids) -> str:
    body = [f'<line x1="{svg._n(a.x1)}" y1="{svg._n(a.y1)}" x2="{svg._n(a.x2)}" y2="{svg._n(a.y2)}" '
            f'stroke="{svg.ACCENT}" stroke-width="1.4"/>' for a in g.arrows]  # under the cells: only the gaps show
    for c in g.cells:
        stroke, width = (STROKES.get(c.style, "#888888"), 1.6 if c.style in STROKES else 0.8)
        body.append(f'<rect x="{svg._n(c.x)}" y="{svg._n(c.y)}" width="{svg._n(c.w)}" height="{svg._n(c.h)}" '
                    f'fill="{STYLES[c.style]}" stroke="{stroke}" stroke-width="{svg._n(width)}"/>')
        ink = svg.MUTED if c.style in ("pad", "zero") else svg.INK
        body.append(svg._text(c.x + c.w / 2, c.y + c.h / 2, svg.escape(c.text), g.size, ink))
    body += [f'<polygon points="{_head(a)}" fill="{svg.ACCENT}"/>' for a in g.arrows]
    for t in g.texts:
        content = svg.label(t.label, g.size + 1) if t.label is not None else svg.escape(t.plain[0])
        body.append(svg._text(t.x, t.y, content, g.size + 1, svg.INK))
    return svg._svg(g.width, g.height, svg.MATH_FONT, body)


def _head_points(a: Arrow) -> list[tuple[float, float]]:
    """The arrowhead's corners, its tip at the arrow's end."""
    angle = math.atan2(a.y2 - a.y1, a.x2 - a.x1)
    return [(a.x2, a.y2)] + [(a.x2 - 9 * math.cos(angle + s), a.y2 - 9 * math.sin(angle + s)) for s in (0.4, -0.4)]


def _head(a: Arrow) -> str:
    return " ".join(f"{svg._n(x)},{svg._n(y)}" for x, y in _head_points(a))


def grids_tikz(g: Grids) -> str:
    lines = [tikz.SHRINK, r"\begin{tikzpicture}[x=0.75pt,y=-0.75pt]"]
    lines += [rf"\draw[draw={tikz._colour(svg.ACCENT)},line width=1pt] ({tikz._n(a.x1)},{tikz._n(a.y1)}) -- "
              rf"({tikz._n(a.x2)},{tikz._n(a.y2)});" for a in g.arrows]
    for c in g.cells:
        fill = tikz._colour(STYLES[c.style])
        draw = tikz._colour(STROKES.get(c.style, "#888888"))
        lines.append(rf"\draw[fill={fill},draw={draw}] ({tikz._n(c.x)},{tikz._n(c.y)}) rectangle "
                     rf"({tikz._n(c.x + c.w)},{tikz._n(c.y + c.h)});")
        text = c.text.replace(svg.MINUS, "-")
        lines.append(rf"\node[font={tikz._font(g.size)}] at ({tikz._n(c.x + c.w / 2)},{tikz._n(c.y + c.h / 2)}) "
                     rf"{{${text}$}};")
    for a in g.arrows:
        lines.append(rf"\fill[fill={tikz._colour(svg.ACCENT)}] " + " -- ".join(
            f"({tikz._n(x)},{tikz._n(y)})" for x, y in _head_points(a)) + " -- cycle;")
    for t in g.texts:
        content = tikz.label(t.label) if t.label is not None else t.plain[1]
        lines.append(rf"\node[font={tikz._font(g.size + 1)}] at ({tikz._n(t.x)},{tikz._n(t.y)}) {{{content}}};")
    lines += [r"\end{tikzpicture}", "}"]
    return "\n".join(lines)
