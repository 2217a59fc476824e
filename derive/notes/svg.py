"""SVG printer of `derive.notes.figures`: a figure or a loss curve as a standalone SVG document.

Text stays text (searchable, selectable, no embedded fonts): glyphs are written with
`notation.text`, subscripts and superscripts as smaller `<tspan>`s shifted with `dy`. (`dy` rather
than `baseline-shift`, which Firefox ignores.) The SVG is written into HTML pages next to others, so
it declares no ids and no stylesheet: every style is an attribute of its element.
"""

from __future__ import annotations

from derive.notes.figures import FAINT, HIGHLIGHT, SUB_SCALE, Curve, Edge, Figure, Label, Node, Tick, text_width
from derive.notes.graph import GREY as GRAPH_GREY
from derive.notes.graph import Graph, GraphNode, Wire
from derive.model.precision import Shown
from derive.notes.graph import RADIUS as GRAPH_RADIUS
from derive.notes.notation import GREEK_LETTERS, Glyph, text

MATH_FONT = "Latin Modern Math, STIX Two Math, Cambria Math, serif"
SANS_FONT = ("Helvetica Neue, Arial, Noto Sans CJK SC, Source Han Sans SC, PingFang SC, "
             "Hiragino Sans GB, Microsoft YaHei, sans-serif")
MINUS = "\u2212"

INK, MUTED, ACCENT, FADED = "#222222", "#666666", "#b83227", "#c8c8c8"
# stroke colour and width of an edge, by emphasis
EDGE_STYLE = {"normal": (MUTED, 1.2), HIGHLIGHT: (ACCENT, 2.6), FAINT: ("#dddddd", 1.0)}
NODE_FILL = {"input": "#eef3fa", "neuron": "#ffffff", "bias": "#f3f3f3", "error": "#fbeae8"}


def escape(text: str) -> str:
    """Text as XML character data (`xml.sax.saxutils.escape`, which costs a network stack to import)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    """Text as a quoted XML attribute value, quoted as `xml.sax.saxutils.quoteattr` quotes it."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    return f"'{text}'" if "'" not in text else '"{}"'.format(text.replace('"', "&quot;"))


def _n(x: float) -> str:
    """A coordinate with at most two decimals, the same text for the same number."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _italic(g: Glyph) -> bool:
    """TeX's math italic: single letters and lowercase Greek; words by their own style."""
    if g.word:
        return g.word == "it"
    return (len(g.base) == 1 and g.base.isalpha()) or (g.base in GREEK_LETTERS and g.base.islower())


def _glyph(g: Glyph, size: float) -> tuple[str, float]:
    """A glyph's tspans, and how far the last one leaves the baseline (the text after moves back).

    A subscript and a superscript are stacked as in TeX, the superscript clear of an italic letter's
    slanted top: the one reaching further right is written second, moved back over the other by its
    estimated width, so that the text after starts clear of both."""
    base, sub, sup = text(g)
    small = size * SUB_SCALE
    italic = _italic(g)
    parts = [f'<tspan font-style="italic">{escape(base)}</tspan>' if italic else f"<tspan>{escape(base)}</tspan>"]
    # (text, start after the base, height above the baseline)
    scripts = [(s, x, h) for s, x, h in ((sub, 0.0, -0.25 * size), (sup, 0.1 * size if italic else 0.0, 0.38 * size))
               if s]
    scripts.sort(key=lambda script: script[1] + text_width(script[0]) * small)
    cursor, shift = 0.0, 0.0
    for script, start, height in scripts:
        move = f' dx="{_n(start - cursor)}"' if start != cursor else ""
        parts.append(f'<tspan{move} dy="{_n(-height - shift)}" font-size="{_n(small)}">{escape(script)}</tspan>')
        cursor, shift = start + text_width(script) * small, -height
    return "".join(parts), shift


def label(lab: Label, size: float) -> str:
    """[−]glyph[ = value] as the content of a <text>."""
    parts, shift = [], 0.0
    if lab.minus:
        parts.append(MINUS)
    if lab.glyph is not None:
        tspans, shift = _glyph(lab.glyph, size)
        parts.append(tspans)
    if lab.value is not None:
        rest = (" = " if lab.glyph is not None else "") + lab.value.text.replace("-", MINUS)
        back = f' dy="{_n(-shift)}"' if shift else ""
        parts.append(f"<tspan{back}>{escape(rest)}</tspan>")
    return "".join(parts)


def _text(x: float, y: float, content: str, size: float, fill: str, extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" fill="{fill}" text-anchor="middle" '
            f'dominant-baseline="central"{extra}>{content}</text>')


def _edge(e: Edge) -> str:
    colour, width = EDGE_STYLE[e.emphasis]
    dash = ' stroke-dasharray="5 3"' if e.kind == "bias" else ""
    return (f'<line x1="{_n(e.x1)}" y1="{_n(e.y1)}" x2="{_n(e.x2)}" y2="{_n(e.y2)}" stroke="{colour}" '
            f'stroke-width="{_n(width)}"{dash}/>')


def _edge_label(e: Edge, size: float) -> str:
    """The label turned along its edge, on the white box the layout kept for it: a halo drawn with
    paint-order would be painted per <tspan>, and each subscript's halo would erase its base."""
    assert e.label is not None
    at = e.label
    fill = ACCENT if e.emphasis == HIGHLIGHT else INK
    return "".join([
        f'<g transform="rotate({_n(at.angle)} {_n(at.x)} {_n(at.y)})">',
        (f'<rect x="{_n(at.x - at.width / 2)}" y="{_n(at.y - at.height / 2)}" width="{_n(at.width)}" '
         f'height="{_n(at.height)}" rx="3" fill="#ffffff" fill-opacity="0.9"/>'),
        _text(at.x, at.y, label(at.label, size), size, fill),
        "</g>",
    ])


def _node(n: Node, glyph_size: float, label_size: float) -> str:
    stroke, width, ink = {HIGHLIGHT: (ACCENT, 2.4, INK), FAINT: (FADED, 1.0, "#aaaaaa")}.get(
        n.emphasis, ("#333333", 1.4, INK))
    fill = "#ffffff" if n.emphasis == FAINT else NODE_FILL[n.kind]
    dash = ' stroke-dasharray="4 2"' if n.kind == "bias" else ""
    parts = [(f'<circle cx="{_n(n.x)}" cy="{_n(n.y)}" r="{_n(n.r)}" fill="{fill}" stroke="{stroke}" '
              f'stroke-width="{_n(width)}"{dash}/>'),
             _text(n.x, n.y, label(n.label, glyph_size), glyph_size, ink)]
    if n.caption is not None:
        parts.append(_text(n.x, n.caption_y, label(n.caption, label_size), label_size, MUTED))
    return "\n".join(parts)


def _svg(width: float, height: float, font: str, body: list[str]) -> str:
    """The document, at its natural size; a page scales it to fit its column (see derive.notes.html)."""
    return "\n".join([
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
         f'viewBox="0 0 {_n(width)} {_n(height)}" font-family={quoteattr(font)}>'),
        f'<rect width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        *body,
        "</svg>",
    ]) + "\n"


def figure(fig: Figure) -> str:
    """A network or paths figure: edges, then nodes over them, then edge labels over everything."""
    body = [_edge(e) for e in fig.edges if e.emphasis == FAINT]
    body += [_edge(e) for e in fig.edges if e.emphasis != FAINT]  # highlighted paths stay on top
    body += [_node(n, fig.glyph_size, fig.label_size) for n in fig.nodes]
    body += [_edge_label(e, fig.label_size) for e in fig.edges if e.label is not None]
    return _svg(fig.width, fig.height, MATH_FONT, body)


# --- the loss curve --------------------------------------------------------------------------------

TICK_SIZE, AXIS_SIZE = 11.0, 13.0


def _tick_label(t: Tick, anchor: str) -> str:
    power = ""
    if t.sup:
        power = f'<tspan dy="{_n(-0.4 * TICK_SIZE)}" font-size="{_n(TICK_SIZE * SUB_SCALE)}">' \
                f'{escape(t.sup.replace("-", MINUS))}</tspan>'
    return (f'<text x="{_n(t.label_x)}" y="{_n(t.label_y)}" font-size="{_n(TICK_SIZE)}" fill="{INK}" '
            f'text-anchor="{anchor}" dominant-baseline="central">{escape(t.text)}{power}</text>')


def _axes(c: Curve) -> list[str]:
    grid, marks = [], []
    for t in c.x.ticks:
        grid.append(f'<line x1="{_n(t.position)}" y1="{_n(c.top)}" x2="{_n(t.position)}" y2="{_n(c.bottom)}"/>')
        marks.append(f'<line x1="{_n(t.position)}" y1="{_n(c.bottom)}" x2="{_n(t.position)}" '
                     f'y2="{_n(c.bottom + 5)}"/>')
    for t in c.y.ticks:
        grid.append(f'<line x1="{_n(c.left)}" y1="{_n(t.position)}" x2="{_n(c.right)}" y2="{_n(t.position)}"/>')
        marks.append(f'<line x1="{_n(c.left - 5)}" y1="{_n(t.position)}" x2="{_n(c.left)}" '
                     f'y2="{_n(t.position)}"/>')
    box = (f'<rect x="{_n(c.left)}" y="{_n(c.top)}" width="{_n(c.right - c.left)}" '
           f'height="{_n(c.bottom - c.top)}" fill="none" stroke="{INK}" stroke-width="1"/>')
    return ['<g stroke="#e4e4e4" stroke-width="1">', *grid, "</g>", box,
            f'<g stroke="{INK}" stroke-width="1">', *marks, "</g>",
            *[_tick_label(t, "middle") for t in c.x.ticks], *[_tick_label(t, "end") for t in c.y.ticks],
            _text(c.x.label_x, c.x.label_y, escape(c.x.label), AXIS_SIZE, INK),
            _text(c.y.label_x, c.y.label_y, escape(c.y.label), AXIS_SIZE, INK,
                  f' transform="rotate(-90 {_n(c.y.label_x)} {_n(c.y.label_y)})"')]


def curve(c: Curve) -> str:
    """The loss curve: grid, axes, the level of step 0 (dotted), the curve with a mark per point."""
    body = _axes(c)
    if c.start is not None:
        body.append(f'<line x1="{_n(c.left)}" y1="{_n(c.start.y)}" x2="{_n(c.right)}" y2="{_n(c.start.y)}" '
                    f'stroke="{MUTED}" stroke-width="1.2" stroke-dasharray="2 3"/>')
    points = " ".join(f"{_n(p.x)},{_n(p.y)}" for p in c.points)
    body.append(f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2" '
                'stroke-linejoin="round"/>')
    body += [f'<circle cx="{_n(p.x)}" cy="{_n(p.y)}" r="3" fill="#1f5fa8"/>' for p in c.points]
    return _svg(c.width, c.height, SANS_FONT, body)


# --- the computational graph ------------------------------------------------------------------------


def _graph_node(n: GraphNode, g: Graph) -> list[str]:
    """An input's glyph and value (at the start of its wire, or under it for a target), or an operation
    in a circle with its local derivative (d num / d den = value, in its factor's colour) above it."""
    if n.label is not None:
        lab = Label(n.label, Shown(n.value, n.value, False) if n.value else None)
        text = label(lab, g.glyph_size if not n.value else g.label_size + 1)
        first = n.x <= min(m.x for m in g.nodes)
        anchor = "end" if first else "start" if n.key == g.nodes[-1].key else "middle"
        x = n.x + GRAPH_RADIUS if first else n.x - GRAPH_RADIUS if anchor == "start" else n.x
        y = n.y + (4 if anchor == "middle" else 0)
        return [_text(x, y, text, g.label_size + 1, INK).replace('"middle"', f'"{anchor}"')]
    parts = [f'<circle cx="{_n(n.x)}" cy="{_n(n.y)}" r="{_n(GRAPH_RADIUS)}" fill="#ffffff" stroke="{n.colour}" '
             f'stroke-width="{_n(2 if n.local else 1.2)}"/>',
             _text(n.x, n.y, escape(n.operation), g.glyph_size, INK)]
    if n.local is not None:
        num, den, value = n.local
        parts.append(_text(n.x, n.y - n.rise, _local(num, den, value, g.label_size), g.label_size, n.colour))
    return parts


def _local(num: Glyph, den: Glyph, value: str, size: float) -> str:
    """∂num/∂den = value, on one line."""
    top, shift = _glyph(num, size)
    bottom, shift2 = _glyph(den, size)
    back = f' dy="{_n(-shift)}"' if shift else ""
    back2 = f' dy="{_n(-shift2)}"' if shift2 else ""
    return f"<tspan>\u2202</tspan>{top}<tspan{back}>/\u2202</tspan>{bottom}<tspan{back2}> = {escape(value)}</tspan>"


def _wire(w: Wire, size: float) -> list[str]:
    """The wire, its value above it (forward) and the error's gradient below it (backward, coloured)."""
    parts = [f'<line x1="{_n(w.x1)}" y1="{_n(w.y1)}" x2="{_n(w.x2)}" y2="{_n(w.y2)}" stroke="{MUTED}" '
             f'stroke-width="1.2"/>']
    mx, my = w.x1 + (w.x2 - w.x1) * w.at, w.y1 + (w.y2 - w.y1) * w.at
    if w.x1 == w.x2:  # a wire from below: its gradient, if any, on its left
        if w.gradient:
            parts.append(_text(mx - 5, my, escape(w.gradient), size, w.colour).replace('"middle"', '"end"'))
        return parts
    if w.value:
        parts.append(_text(mx, my - 8, escape(w.value), size, INK))
    if w.gradient:
        parts.append(_text(mx, my + 9, escape(w.gradient), size, w.colour, ' font-weight="bold"'
                           if w.colour != GRAPH_GREY else ""))
    return parts


def graph(g: Graph) -> str:
    """The computational graph: wires with their values and gradients, then the nodes over them."""
    body = [part for w in g.wires for part in _wire(w, g.label_size)]
    body += [part for n in g.nodes for part in _graph_node(n, g)]
    return _svg(g.width, g.height, MATH_FONT, body)
