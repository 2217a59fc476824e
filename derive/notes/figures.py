"""Figures from the derivation, never drawn by hand: one geometric model, printed by `derive.notes.svg` and
`derive.notes.tikz`.

- `network_figure`: inputs on the left, one column per layer, outputs on the right. Every weight's
  edge is labelled "name = value". Each bias parameter is one node (a shared bias feeds every neuron
  of its layer), drawn in the column before its layer, below that column's neurons, with its value
  under it; the edges of a threshold, which is subtracted, are labelled "−θ".
- `paths_figure`: the same layout plus an error node right of the outputs. The edges a parameter's
  gradient sums over are highlighted (the parameter's own edge, every edge from its neuron forward to
  the outputs, the outputs' edges to the error); everything else is faint. Only the highlighted edges
  are labelled: they are the factors of the chain rule, and the other labels would hide them.
- `loss_curve`: the error against the number of updates, both axes logarithmic. A log axis has no
  zero, so the curve starts at step 1; the error before any update (step 0), when given, is drawn
  separately, as a dotted level across the plot: the height the curve starts from.

The model holds every coordinate (page units, y downwards, 1 unit = 1 CSS px = 0.75 pt); a printer only
translates it. Layout is arithmetic over ordered tuples, so the same input gives the same figure, and
the printers byte-identical text.

Labels are kept apart by search. A label sits on its own edge, clear of every other edge, node, bias
value and label (the box painted white behind it, plus CLEARANCE): along each edge the positions where
a label fits form intervals, worked out exactly (`_Frame.blocked`), and the free one nearest the
preferred position is taken. The rows (ROWS) and the columns (from MIN_GAP to MAX_GAP) are those
where every "name = value" fits, with the smallest width and height together; where none does (many
crossing edges, long values), the names alone, which are shorter, in columns up to MAX_NAME_GAP (the
caption then points to the table of initial values); past that, or for a big network (more than
COMPACT_NEURONS neurons in a layer or COMPACT_WEIGHTS weights), names that do not fit are left out:
the figure stays readable, and the values are in the text. Every figure of a network writes a label
in the same place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sympy import Symbol

from derive.maths.derivation import Derivation
from derive.model import identifiers
from derive.model.network import Network, Param
from derive.model.precision import CTX, Real, Shown, show
from derive.notes.notation import Glyph, Notation, text

NORMAL, HIGHLIGHT, FAINT = "normal", "highlight", "faint"

# Page units (CSS px). Edge labels are smaller than node glyphs; scripts are SUB_SCALE of their text.
LABEL_SIZE = 12.0
GLYPH_SIZE = 15.0
SUB_SCALE = 0.7
MARGIN = 8.0
MIN_RADIUS = 17.0
CAPTION_GAP = 9.0  # from a bias node's circle to the middle of its value
ROWS = (66.0, 76.0, 86.0, 96.0, 110.0, 125.0, 140.0)  # distance between neighbouring nodes of a column
MIN_GAP, MAX_GAP, GAP_STEP = 170.0, 400.0, 10.0  # distance between columns, tried in turn
MAX_NAME_GAP = 600.0
COARSE = 4  # gaps tried in steps of COARSE * GAP_STEP before the closest is looked for
ERROR_GAP = 0.6  # the error node's distance from the outputs, in the last columns' distance
COMPACT_NEURONS = 12
COMPACT_WEIGHTS = 60
COMPACT_GAP = 240.0


@dataclass(frozen=True)
class Label:
    """[−]glyph, then " = value" when both are given: parts that each printer prints its own way."""

    glyph: Glyph | None = None
    value: Shown | None = None
    minus: bool = False  # a subtracted threshold: −θ1


@dataclass(frozen=True)
class Node:
    key: str  # the input's, neuron's or parameter's name; identifiers.E_TOTAL for the error
    x: float
    y: float
    r: float
    label: Label
    kind: str  # input | neuron | bias | error
    emphasis: str = NORMAL
    caption: Label | None = None  # a bias node's value, centred at (x, caption_y)
    caption_y: float = 0.0


@dataclass(frozen=True)
class EdgeLabel:
    label: Label
    x: float  # the centre of the text, on the edge
    y: float
    angle: float  # degrees, clockwise on the page (y down): the edge's direction
    width: float  # the box kept free for the text (an estimate, with a margin): a printer may
    height: float  # paint it white, so that no edge crosses the text


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # weight | bias | error
    param: str | None  # the parameter it carries; None for an output's edge to the error
    x1: float
    y1: float
    x2: float
    y2: float
    label: EdgeLabel | None
    emphasis: str = NORMAL


@dataclass(frozen=True)
class Figure:
    key: str  # "network", "paths-w1": the caller's file name
    width: float
    height: float
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]  # in drawing order
    label_size: float = LABEL_SIZE
    glyph_size: float = GLYPH_SIZE
    values: bool = True  # the weights' labels show their values (else their names alone)


# --- text widths: an estimate good enough to keep labels apart; the printers never measure text ------

_NARROW = set(".,:;!|ijlrt1()[] ")
_WIDE = set("mwABCDEGHKNOQRUVXYZ=+\u2212")


def text_width(s: str) -> float:
    """The width of `s` in ems of its font, roughly (Latin Modern's widths, rounded up)."""
    return sum(0.32 if c in _NARROW else 1.0 if c in "MW" else 0.78 if c in _WIDE
               else 0.0 if c == "\u0302" else 0.55 for c in s)


def glyph_width(g: Glyph) -> float:
    base, sub, sup = text(g)
    return text_width(base) + SUB_SCALE * max(text_width(sub), text_width(sup)) + (0.1 if sup else 0.0)


def label_width(label: Label) -> float:
    """The label's width in ems of its font."""
    width = glyph_width(label.glyph) if label.glyph is not None else 0.0
    width += text_width("\u2212") if label.minus else 0.0
    if label.value is not None:  # a minus sign is printed 0.23 em wider than this counts: within the box's margin
        width += text_width(label.value.text) + (text_width(" = ") if label.glyph is not None else 0.0)
    return width


# --- the network's nodes and edges -----------------------------------------------------------------


@dataclass(frozen=True)
class _Spot:
    """A node before its column's x is known."""

    key: str
    column: int
    row: float  # in rows from the top
    label: Label
    kind: str
    caption: Label | None = None


@dataclass(frozen=True)
class _Draft:
    """An edge before its label is placed."""

    source: str
    target: str
    kind: str
    param: Param | None
    label: Label | None
    rank: float  # the target's position in its layer, 0..1: staggers the labels of a fan of edges
    layer: int  # the target's layer (the error node's: one past the last)


def is_compact(network: Network) -> bool:
    """Too big for values on the edges: see the module's docstring."""
    weights = sum(1 for p in network.params if p.kind == "weight")
    return weights > COMPACT_WEIGHTS or max(network.sizes()) > COMPACT_NEURONS


def _bias_params(network: Network) -> list[list[Param]]:
    """Per layer, its bias parameters in order: one for a shared bias, one per neuron, or none."""
    result = []
    for layer in network.layers:
        seen: dict[str, Param] = {}
        for n in layer:
            if n.bias is not None:
                seen.setdefault(n.bias.name, n.bias)
        result.append(list(seen.values()))
    return result


def _spots(network: Network, notation: Notation, values: Mapping[Symbol, Real], digits: int) -> list[_Spot]:
    """Every column centred on the tallest; bias nodes below the neurons of the column before their
    layer, where their edges leave from as the weights' do."""
    columns = [[(str(x), notation.glyph(str(x)), "input") for x in network.inputs]]
    columns += [[(n.name, notation.neuron(n), "neuron") for n in layer] for layer in network.layers]
    tallest = max(len(c) for c in columns)
    spots = [_Spot(key, c, (tallest - len(column)) / 2 + i, Label(glyph), kind)
             for c, column in enumerate(columns) for i, (key, glyph, kind) in enumerate(column)]
    for c, biases in enumerate(_bias_params(network)):
        below = (tallest - len(columns[c])) / 2 + len(columns[c])
        spots += [_Spot(p.name, c, below + i, Label(notation.glyph(p.name)), "bias",
                        Label(None, show(values[p.symbol], digits))) for i, p in enumerate(biases)]
    return spots


def _radius(spots: Sequence[_Spot]) -> float:
    """One radius for every node, wide enough for the widest glyph."""
    widest = max(glyph_width(s.label.glyph) for s in spots if s.label.glyph is not None)
    return max(MIN_RADIUS, widest * GLYPH_SIZE / 2 + 5)


def _nodes(spots: Sequence[_Spot], xs: Sequence[float], row: float, radius: float) -> tuple[Node, ...]:
    def node(s: _Spot) -> Node:
        y = MARGIN + radius + s.row * row
        caption_y = y + radius + CAPTION_GAP if s.caption else 0.0
        return Node(s.key, xs[s.column], y, radius, s.label, s.kind, NORMAL, s.caption, caption_y)

    return tuple(node(s) for s in spots)


def _drafts(network: Network, notation: Notation, values: Mapping[Symbol, Real], digits: int,
            compact: bool) -> list[_Draft]:
    drafts = []
    for layer in network.layers:
        for n in layer:
            rank = n.position / max(len(layer) - 1, 1)
            for link in n.links:
                w = link.weight
                value = None if compact else show(values[w.symbol], digits)
                drafts.append(_Draft(link.source_name, n.name, "weight", w,
                                     Label(notation.glyph(w.name), value), rank, n.layer))
            if n.bias is not None:
                minus = n.bias_sign < 0
                label = Label(notation.glyph(n.bias.name), None, True) if minus else None
                drafts.append(_Draft(n.bias.name, n.name, "bias", n.bias, label, rank, n.layer))
    return drafts


# --- layout: the closest rows and columns where every label fits ------------------------------------


@dataclass(frozen=True)
class _Layout:
    nodes: tuple[Node, ...]
    drafts: tuple[_Draft, ...]  # in the order their labels are placed
    error: Node  # drawn in the paths figures only
    labels: tuple[tuple[int, EdgeLabel], ...]  # by the index of their draft: every figure of the network
    # writes a label in the same place (a paths figure those of its highlighted edges only)
    values: bool  # the weights' labels show their values
    width: float  # of every figure of the network: the paths figures' error node included
    height: float


@dataclass(frozen=True)
class _Sizes:
    """The rows and the columns' distances a layout search tries, closest first."""

    rows: tuple[float, ...]
    gaps: tuple[float, ...]


def _steps(low: float, high: float, step: float) -> tuple[float, ...]:
    return tuple(low + k * step for k in range(int((high - low) / step) + 1))


# Names with values where they fit in a figure a page holds; names alone, which are shorter, in a
# bigger one (the values are in the table of initial values); names alone where they do not fit.
WITH_VALUES = _Sizes(ROWS, _steps(MIN_GAP, MAX_GAP, GAP_STEP))
NAMES_ONLY = _Sizes(ROWS, _steps(MIN_GAP, MAX_NAME_GAP, GAP_STEP))

# The orders labels are placed in, tried in turn (the first placed take the best places): target by
# target, then source by source.
ORDERS: tuple[Callable[[_Draft], float | tuple[str, str]], ...] = (lambda d: d.rank, lambda d: (d.kind, d.source))


def _order(nodes: Sequence[Node], drafts: Sequence[_Draft], before: Sequence[int],
           between: Sequence[int]) -> list[int] | None:
    """The first of ORDERS in which every label of `between` finds a free place after those of
    `before`, as indices; or None."""
    for o in ORDERS:
        order = sorted(between, key=lambda i: o(drafts[i]))
        if _place_labels(nodes, drafts, [*before, *order], stop=True)[1] == 0:
            return order
    return None


def _columns(spots: Sequence[_Spot], row: float, radius: float, drafts: Sequence[_Draft], layers: int,
             gaps: Sequence[float], limit: float = math.inf) -> tuple[list[float], list[int]] | None:
    """Each column's x, as close to the one before as the labels between them allow, and the drafts'
    indices in the order that places those labels; None when some label finds no free place, or
    when the last column would lie beyond `limit` (a layout already found is better).

    The widest gap is tried first, then every COARSE-th, then those just below the first that does:
    a wider gap nearly always leaves more room, and the search stays quick."""
    xs, ordered = [MARGIN + radius], []
    previous: list[int] = []
    for layer in range(layers):
        between = [i for i, d in enumerate(drafts) if d.layer == layer]

        tried: dict[float, list[int] | None] = {}  # a gap is tried once however the search comes back to it

        # bound now: the loop moves on to the next layer only once this one's attempts are done
        def attempt(gap: float, layer: int = layer, previous: list[int] = previous,
                    between: list[int] = between, tried: dict[float, list[int] | None] = tried) -> list[int] | None:
            if gap not in tried:
                nodes = _nodes(spots, xs + [xs[-1] + gap * k for k in range(1, layers - layer + 1)], row, radius)
                tried[gap] = _order(nodes, drafts, previous, between)  # only the layer before reaches this column
            return tried[gap]

        room = limit - xs[-1] - (layers - layer - 1) * gaps[0]  # the widest gap that may still pay
        gaps = [g for g in gaps if g <= room]
        if not gaps or attempt(gaps[-1]) is None:
            return None
        coarse = next(k for k in [*list(range(0, len(gaps), COARSE)), len(gaps) - 1] if attempt(gaps[k]) is not None)
        k = next(k for k in range(max(0, coarse - COARSE + 1), coarse + 1) if attempt(gaps[k]) is not None)
        order = attempt(gaps[k])
        assert order is not None
        xs.append(xs[-1] + gaps[k])
        ordered += order
        previous = order
    return xs, ordered


def _fit(spots: Sequence[_Spot], radius: float, drafts: Sequence[_Draft], layers: int,
         sizes: _Sizes) -> tuple[list[float], float, list[_Draft]] | None:
    """The closest rows and columns of `sizes` where every label fits, or None."""
    # the smallest width and height together: a wide figure is shrunk on a phone's screen, a tall one
    # pushes the text after it onto the next page (height counts double: a page is not shrunk)
    span = max(s.row for s in spots)
    best: tuple[list[float], float, list[_Draft]] | None = None
    cost = (math.inf, 0.0)
    # a middle row first: it usually fits, and its cost bounds the search of the others, whose columns
    # must end closer than that cost allows
    middle = sizes.rows[len(sizes.rows) // 2]
    for row in sorted(sizes.rows, key=lambda r: (abs(r - middle), r)):
        found = _columns(spots, row, radius, drafts, layers, sizes.gaps, cost[0] - 2 * row * span)
        if found is not None and (found[0][-1] + 2 * row * span, row) < cost:
            best, cost = (found[0], row, [drafts[i] for i in found[1]]), (found[0][-1] + 2 * row * span, row)
    return best


def _search(network: Network, notation: Notation, values: Mapping[Symbol, Real], digits: int) -> _Layout:
    spots = _spots(network, notation, values, digits)
    radius = _radius(spots)
    layers = len(network.layers)
    names = _drafts(network, notation, values, digits, True)
    found = None if is_compact(network) else _fit(spots, radius, _drafts(network, notation, values, digits, False),
                                                  layers, WITH_VALUES)
    shown, drop = found is not None, False
    if found is None and not is_compact(network):
        found = _fit(spots, radius, names, layers, NAMES_ONLY)
    if found is None:  # too big for every label: the widest tried, with what fits
        xs = [MARGIN + radius + k * COMPACT_GAP for k in range(layers + 1)]
        found, drop = (xs, ROWS[0], names), True
    xs, row, ordered = found
    nodes = _nodes(spots, xs, row, radius)
    error = _error_node(network, notation, nodes, xs[-1] - xs[-2])
    labels = _place_labels(nodes, ordered, range(len(ordered)), drop=drop)[0]
    bottom = max(n.caption_y + LABEL_SIZE / 2 if n.caption else n.y + n.r for n in nodes)
    return _Layout(nodes, tuple(ordered), error, tuple(sorted(labels.items())), shown,
                   math.ceil(error.x + error.r + MARGIN), math.ceil(bottom + MARGIN))


# The last layout and what it was made from: a paths figure per weight reuses the network's layout.
# The arguments are kept (compared by identity), so that an id is never reused for other objects.
_last: list[tuple[tuple[object, ...], _Layout]] = []


def _layout(network: Network, notation: Notation, values: Mapping[Symbol, Real], digits: int) -> _Layout:
    key = (network, notation, values, digits)
    if _last and all(a is b for a, b in zip(_last[0][0][:3], key[:3])) and _last[0][0][3] == digits:
        return _last[0][1]
    layout = _search(network, notation, values, digits)
    _last[:] = [(key, layout)]
    return layout


def _figure(key: str, layout: _Layout, nodes: Sequence[Node], drafts: Sequence[_Draft],
            emphasis: Mapping[int, str], shift: float = 0.0) -> Figure:
    """The figure of `drafts` (the layout's, then any more) over `nodes`, each labelled draft with the
    label the layout placed for it, moved `shift` to the right as the nodes are."""
    by_key = {n.key: n for n in nodes}
    placed = {i: replace(label, x=round(label.x + shift, 2))
              for i, label in layout.labels if drafts[i].label is not None}
    edges = tuple(
        Edge(d.source, d.target, d.kind, d.param.name if d.param else None,
             by_key[d.source].x, by_key[d.source].y, by_key[d.target].x, by_key[d.target].y,
             placed.get(i), emphasis.get(i, NORMAL))
        for i, d in enumerate(drafts))
    return Figure(key, layout.width, layout.height, tuple(nodes), edges, values=layout.values)


def network_figure(network: Network, notation: Notation, values: Mapping[Symbol, Real], digits: int) -> Figure:
    """Every input, neuron and bias node; every weight labelled with its name and its value in
    `values` (a pass's values: the initial parameters), shown to `digits` significant digits.

    As wide as the paths figures, so that side by side they have one scale: the room their error
    node takes is shared out on both sides."""
    layout = _layout(network, notation, values, digits)
    shift = round((layout.error.x + layout.error.r - max(n.x + n.r for n in layout.nodes)) / 2, 2)
    nodes = [replace(n, x=round(n.x + shift, 2)) for n in layout.nodes]
    return _figure("network", layout, nodes, layout.drafts, {}, shift)


# --- the paths of one gradient ----------------------------------------------------------------------


def _error_node(network: Network, notation: Notation, nodes: Sequence[Node], gap: float) -> Node:
    keys = {o.neuron.name for o in network.outputs}
    outputs = [n for n in nodes if n.key in keys]
    glyph = notation.glyph(identifiers.E_TOTAL)
    radius = max(outputs[0].r, glyph_width(glyph) * GLYPH_SIZE / 2 + 5)
    y = sum(n.y for n in outputs) / len(outputs)
    return Node(identifiers.E_TOTAL, outputs[0].x + ERROR_GAP * gap, y, radius, Label(glyph), "error")


def _reach(drafts: Sequence[_Draft], param: Param) -> set[int]:
    """The edges dE_total/dparam sums over: the parameter's own, then every edge downstream of them."""
    chosen = {i for i, d in enumerate(drafts) if d.param == param}
    frontier = {drafts[i].target for i in chosen}
    while frontier:
        step = {i for i, d in enumerate(drafts) if d.source in frontier} - chosen
        chosen |= step
        frontier = {drafts[i].target for i in step}
    return chosen


def paths_figure(network: Network, notation: Notation, param: Param, values: Mapping[Symbol, Real],
                 digits: int) -> Figure:
    """The network figure's layout plus the error node, with the paths of dE_total/d`param`
    highlighted. Any parameter works; `figure_names` lists the hidden-layer weights."""
    if param not in network.params:
        raise ValueError(f"{param.name} is not a parameter of {network.name}")
    layout = _layout(network, notation, values, digits)
    error = layout.error
    drafts = list(layout.drafts) + [_Draft(o.neuron.name, error.key, "error", None, None, 0.0, len(network.layers))
                                    for o in network.outputs]
    lit = _reach(drafts, param)
    drafts = [d if i in lit else replace(d, label=None) for i, d in enumerate(drafts)]
    touched = {drafts[i].source for i in lit} | {drafts[i].target for i in lit}
    nodes = [replace(n, emphasis=HIGHLIGHT) if n.key in touched else replace(n, emphasis=FAINT, caption=None)
             for n in (*layout.nodes, error)]
    emphasis = {i: HIGHLIGHT if i in lit else FAINT for i in range(len(drafts))}
    return _figure(f"paths-{param.name}", layout, nodes, drafts, emphasis)


def hidden_weights(network: Network) -> list[Param]:
    """The weights of every layer but the last: their gradients sum over paths through later layers."""
    last = len(network.layers) - 1
    return [p for p in network.params if p.kind == "weight" and p.layer < last]


def figure_names(network: Network) -> list[tuple[str, Param | None]]:
    """The figures of a derivation, in order: "network", "paths-<weight>" for each hidden-layer
    weight (with that weight), "loss"."""
    paths: list[tuple[str, Param | None]] = [(f"paths-{p.name}", p) for p in hidden_weights(network)]
    return [("network", None), *paths, ("loss", None)]


# --- label placement -------------------------------------------------------------------------------

Box = tuple[tuple[float, float], ...]  # a convex polygon's corners (a segment has two)
Segment = tuple[tuple[float, float], tuple[float, float]]
FRACTION_STEP_PX = 8.0  # between the positions tried for a label that finds no free one
CLEARANCE = 4.0  # kept between a label and anything else, beyond the box painted for it
TOUCH = 0.01  # boxes that overlap by less touch: the same figure shifted sideways places its labels alike


def _box(x: float, y: float, angle: float, width: float, height: float) -> Box:
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    corners = ((-width / 2, -height / 2), (width / 2, -height / 2), (width / 2, height / 2), (-width / 2, height / 2))
    return tuple((x + dx * c - dy * s, y + dx * s + dy * c) for dx, dy in corners)


def _obstacles(nodes: Sequence[Node]) -> list[Box]:
    boxes = [_box(n.x, n.y, 0.0, 2 * n.r, 2 * n.r) for n in nodes]
    boxes += [_box(n.x, n.caption_y, 0.0, label_width(n.caption) * LABEL_SIZE, LABEL_SIZE)
              for n in nodes if n.caption is not None]
    return boxes


@dataclass(frozen=True)
class _Frame:
    """An edge's own coordinates: u along it from its source, v across it; a label of length
    `length` (clearance included) centred at u covers u ± length/2 and |v| <= half."""

    x: float
    y: float
    cos: float
    sin: float
    half: float
    length: float

    def blocked(self, poly: Box) -> tuple[float, float] | None:
        """The label centres at which a convex polygon (a segment has two corners) touches the
        label: the polygon's part inside the strip |v| < half, widened by half the label's length."""
        x0, y0, cos, sin = self.x, self.y, self.cos, self.sin
        vs = [(y - y0) * cos - (x - x0) * sin for x, y in poly]
        if min(vs) >= self.half or max(vs) <= -self.half:  # beside the strip: the common case, quickly
            return None
        local = list(zip([(x - x0) * cos + (y - y0) * sin for x, y in poly], vs))
        us = [u for u, v in local if abs(v) < self.half]
        for (u1, v1), (u2, v2) in zip(local, local[1:] + local[:1]):
            us += [u1 + (side - v1) * (u2 - u1) / (v2 - v1) for side in (-self.half, self.half)
                   if (v1 - side) * (v2 - side) < 0]
        return (min(us) - self.length / 2, max(us) + self.length / 2) if us else None


def _bounds(poly: Box) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in poly], [y for _, y in poly]
    return min(xs), min(ys), max(xs), max(ys)


def _centre(low: float, high: float, preferred: float, spans: Sequence[tuple[float, float]]) -> tuple[float, int]:
    """The free centre in [low, high] nearest `preferred` (the lower one of two as near), else the
    one on the grid of FRACTION_STEP lengths inside the fewest spans; and how many spans hold it."""
    inner = [(a + TOUCH, b - TOUCH) for a, b in spans]

    def holding(u: float) -> int:  # a centre on a span's end is free: its label only touches (within TOUCH)
        return sum(1 for a, b in inner if a < u < b)

    free = [u for u in [preferred, low, high, *(e for span in spans for e in span)]
            if low <= u <= high and not holding(u)]
    if free:
        return min(free, key=lambda u: (abs(u - preferred), u)), 0
    steps = max(1, int((high - low) / FRACTION_STEP_PX))
    grid = [low + (high - low) * k / steps for k in range(steps + 1)]
    best = min(grid, key=lambda u: (holding(u), abs(u - preferred), u))
    return best, holding(best)


def _place_one(a: Node, b: Node, d: _Draft,
               obstacles: Sequence[tuple[Box, tuple[float, float, float, float]]]) -> tuple[EdgeLabel, int]:
    """The label at the free position on its edge nearest the preferred one (the least crowded one
    when none is free), and how many obstacles (nodes, labels, other edges) it touches there."""
    assert d.label is not None
    width, height = label_width(d.label) * LABEL_SIZE + 10, LABEL_SIZE * 1.25
    length = math.hypot(b.x - a.x, b.y - a.y)
    cos, sin = (b.x - a.x) / length, (b.y - a.y) / length
    frame = _Frame(a.x, a.y, cos, sin, (height + CLEARANCE) / 2, width + 2 * CLEARANCE)
    low, high = a.r + width / 2 + 2, length - (b.r + width / 2 + 2)
    if low > high:
        low = high = length / 2
    # edges leaving one node towards several targets: their labels staggered along them by target;
    # a bias edge's label next to its bias node, below the crowd of weights
    preferred = low if d.kind == "bias" else low + (high - low) * (0.05 + 0.6 * d.rank)
    reach = frame.length / 2 + frame.half
    left, top = min(a.x, b.x) - reach, min(a.y, b.y) - reach
    right, bottom = max(a.x, b.x) + reach, max(a.y, b.y) + reach
    spans = [span for poly, (x1, y1, x2, y2) in obstacles if x2 > left and x1 < right and y2 > top and y1 < bottom
             for span in [frame.blocked(poly)] if span is not None]
    u, crowd = _centre(low, high, preferred, spans)
    x, y = a.x + u * cos, a.y + u * sin
    angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
    return EdgeLabel(d.label, round(x, 2), round(y, 2), round(angle, 2), round(width, 2), round(height, 2)), crowd


def _place_labels(nodes: Sequence[Node], drafts: Sequence[_Draft], order: Iterable[int], drop: bool = False,
                  stop: bool = False) -> tuple[dict[int, EdgeLabel], int]:
    """The labels of the drafts at `order` (indices into `drafts`, every one of which is an edge to
    keep clear of), placed in that order; and how many found no free place: `drop` leaves those
    out, `stop` gives up at the first."""
    by_key = {n.key: n for n in nodes}
    fixed: list[tuple[Box, tuple[float, float, float, float]]] = [(box, _bounds(box)) for box in _obstacles(nodes)]
    ends = [((by_key[d.source].x, by_key[d.source].y), (by_key[d.target].x, by_key[d.target].y)) for d in drafts]
    edges: list[tuple[Box, tuple[float, float, float, float]]] = [(e, _bounds(e)) for e in ends]
    placed: dict[int, EdgeLabel] = {}
    crowded = 0
    for i in order:
        d = drafts[i]
        if d.label is None:
            continue
        # a label sits on its own edge and clear of every other edge, node and label
        label, crowd = _place_one(by_key[d.source], by_key[d.target], d, fixed + edges[:i] + edges[i + 1:])
        crowded += crowd > 0
        if crowd and stop:
            break
        if crowd and drop:
            continue
        box = _box(label.x, label.y, label.angle, label.width, label.height)
        fixed.append((box, _bounds(box)))
        placed[i] = label
    return placed, crowded


# --- the loss curve --------------------------------------------------------------------------------

CURVE_WIDTH, CURVE_HEIGHT = 480.0, 300.0
# the plot box's distance from each side: room for the ticks' labels and the axes' labels
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 70.0, 16.0, 14.0, 52.0
TICK_LENGTH = 5.0
MAX_TICKS = 8


@dataclass(frozen=True)
class Tick:
    exponent: int  # the tick stands at 10**exponent
    position: float  # page coordinate along its axis
    text: str  # "1000"; or "10" with `sup`
    sup: str  # an exponent, "-5" (a printer writes its own minus), or ""
    label_x: float  # the label's anchor: its centre (x axis), its right end (y axis)
    label_y: float
    value: str = ""  # on a linear axis: the number the tick stands at, as a printer writes it


@dataclass(frozen=True)
class Axis:
    label: str  # the caller's (translated) text, as is
    low: int  # the axis spans 10**low .. 10**high
    high: int
    start: float  # the page coordinates of 10**low and 10**high
    end: float
    ticks: tuple[Tick, ...]
    label_x: float  # the centre of the axis label (the y axis's turned a quarter anticlockwise)
    label_y: float
    log: bool = True  # logarithmic; a linear axis spans low .. high itself (see Tick.value)


@dataclass(frozen=True)
class CurvePoint:
    step: int
    error: Real
    log_step: float  # log10 of each: for printers that write the data
    log_error: float  # on a linear error axis: the error itself
    x: float
    y: float


@dataclass(frozen=True)
class Curve:
    width: float
    height: float
    left: float  # the plot box
    top: float
    right: float
    bottom: float
    x: Axis
    y: Axis
    points: tuple[CurvePoint, ...]  # steps >= 1, increasing
    start: CurvePoint | None  # step 0, the error before any update: a level across the plot (x = left)


def history_points(derivation: Derivation) -> list[tuple[int, Real]]:
    """(updates, error) of a derivation: step 0 is the error before any update, then its history."""
    return [(0, derivation.error_before)] + [(h.step, h.error) for h in derivation.history if h.step > 0]


def _log10(x: Real) -> float:
    return float(CTX.log10(x))


def _stride(low: int, high: int) -> int:
    return max(1, math.ceil((high - low) / MAX_TICKS))


def _decades(logs: Sequence[float], low: int | None = None) -> tuple[int, int]:
    """The decades around `logs`: at least one, and a whole number of tick strides."""
    low = math.floor(min(logs)) if low is None else low
    high = max(math.ceil(max(logs)), low + 1)
    stride = _stride(low, high)
    return low, low + math.ceil((high - low) / stride) * stride


def _ticks(low: int, high: int, start: float, end: float, across: float, vertical: bool) -> tuple[Tick, ...]:
    """A tick per decade (per few decades when there are many); the x axis writes 1 to 10000 in full."""
    ticks = []
    for e in range(low, high + 1, _stride(low, high)):
        position = round(start + (end - start) * (e - low) / (high - low), 2)
        plain = not vertical and 0 <= e <= 4
        at = (across - TICK_LENGTH - 4, position) if vertical else (position, across + TICK_LENGTH + 12)
        ticks.append(Tick(e, position, str(10 ** e) if plain else "10", "" if plain else str(e), *at))
    return tuple(ticks)


def loss_curve(points: Sequence[tuple[int, Real]], x_label: str, y_label: str) -> Curve:
    """The error against the number of updates on log-log axes, from (step, error) pairs such as
    `history_points` gives. Step 0 gives the starting level; errors without a logarithm (not positive
    and finite) are left out. An error that is 0 after some update, or the same at every step, has no
    useful logarithm: then the error axis is linear (see `log_scaled`)."""
    finite = sorted((s, e) for s, e in points if CTX.isfinite(e))
    if not [s for s, _ in finite if s >= 1]:
        raise ValueError("a loss curve needs a finite error after at least one update")
    if not log_scaled(points):
        return _linear_curve(finite, x_label, y_label)
    usable = [(s, e) for s, e in finite if e > 0]
    curve = [(s, e) for s, e in usable if s >= 1]
    zero = [e for s, e in usable if s == 0][:1]
    left, top, right, bottom = PLOT_LEFT, PLOT_TOP, CURVE_WIDTH - PLOT_RIGHT, CURVE_HEIGHT - PLOT_BOTTOM
    x_low, x_high = _decades([_log10(s) for s, _ in curve], low=0)
    y_low, y_high = _decades([_log10(e) for _, e in curve] + [_log10(e) for e in zero])

    def point(step: int, error: Real) -> CurvePoint:
        lx, ly = (_log10(step) if step else 0.0), _log10(error)
        x = left + (right - left) * (lx - x_low) / (x_high - x_low)
        y = bottom - (bottom - top) * (ly - y_low) / (y_high - y_low)
        return CurvePoint(step, error, lx, ly, round(x, 2), round(y, 2))

    x_axis = Axis(x_label, x_low, x_high, left, right, _ticks(x_low, x_high, left, right, bottom, False),
                  (left + right) / 2, CURVE_HEIGHT - 12)
    y_axis = Axis(y_label, y_low, y_high, bottom, top, _ticks(y_low, y_high, bottom, top, left, True),
                  16, (top + bottom) / 2)
    return Curve(CURVE_WIDTH, CURVE_HEIGHT, left, top, right, bottom, x_axis, y_axis,
                 tuple(point(s, e) for s, e in curve), point(0, zero[0]) if zero else None)


def log_scaled(points: Sequence[tuple[int, Real]]) -> bool:
    """Whether the errors after updates can be drawn on a logarithmic axis: some are finite, none is
    0 or negative, and they are not all one value (a log axis around one value shows nothing)."""
    after = [e for s, e in points if s >= 1 and CTX.isfinite(e)]
    finite = [e for _, e in points if CTX.isfinite(e)]
    return bool(after) and all(e > 0 for e in after) and len(set(finite)) > 1


def _linear_curve(points: Sequence[tuple[int, Real]], x_label: str, y_label: str) -> Curve:
    """The loss curve with a logarithmic update axis and a linear error axis from 0 (or below)."""
    curve = [(s, e) for s, e in points if s >= 1]
    zero = [e for s, e in points if s == 0][:1]
    left, top, right, bottom = PLOT_LEFT, PLOT_TOP, CURVE_WIDTH - PLOT_RIGHT, CURVE_HEIGHT - PLOT_BOTTOM
    x_low, x_high = _decades([_log10(s) for s, _ in curve], low=0)
    errors = [e for _, e in curve] + zero
    unit, low, high = _linear_span(min(min(errors), CTX.zero), max(max(errors), CTX.zero))

    def point(step: int, error: Real) -> CurvePoint:
        lx = _log10(step) if step else 0.0
        x = left + (right - left) * (lx - x_low) / (x_high - x_low)
        y = bottom - (bottom - top) * float((error - low * unit) / ((high - low) * unit))
        return CurvePoint(step, error, lx, float(error), round(x, 2), round(y, 2))

    x_axis = Axis(x_label, x_low, x_high, left, right, _ticks(x_low, x_high, left, right, bottom, False),
                  (left + right) / 2, CURVE_HEIGHT - 12)
    ticks = tuple(_linear_tick(k, unit, low, high, bottom, top, left) for k in range(low, high + 1))
    y_axis = Axis(y_label, low, high, bottom, top, ticks, 16, (top + bottom) / 2, log=False)
    return Curve(CURVE_WIDTH, CURVE_HEIGHT, left, top, right, bottom, x_axis, y_axis,
                 tuple(point(s, e) for s, e in curve), point(0, zero[0]) if zero else None)


def _linear_span(smallest: Real, largest: Real) -> tuple[Real, int, int]:
    """A tick unit (a power of ten times 1, 2 or 5) and the multiples of it the axis spans: a few ticks
    around [smallest, largest]; the errors 0 everywhere give the axis 0 .. 1."""
    width = largest - smallest
    if width == 0:
        return CTX.mpf("0.25"), 0, 4
    power = CTX.mpf(10) ** int(CTX.floor(CTX.log10(width)))
    for unit in (power / 5, power / 2, power, 2 * power, 5 * power):
        low, high = int(CTX.floor(smallest / unit)), int(CTX.ceil(largest / unit))
        if high - low <= MAX_TICKS:
            return unit, low, high
    return 10 * power, int(CTX.floor(smallest / (10 * power))), int(CTX.ceil(largest / (10 * power)))


def _linear_tick(k: int, unit: Real, low: int, high: int, bottom: float, top: float, left: float) -> Tick:
    position = round(bottom + (top - bottom) * (k - low) / (high - low), 2)
    value = show(k * unit, 6).text
    return Tick(k, position, value, "", left - TICK_LENGTH - 4, position, value)
