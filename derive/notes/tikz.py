"""TikZ printer of `derive.notes.figures`: a figure as a `tikzpicture`, a loss curve as a pgfplots `axis`.

The model's page units are CSS px (y downwards); the picture takes them as they are with
x = 0.75pt, y = -0.75pt, so it has the size the SVG has and a figure wider than the text is shrunk
to the line width. Labels are maths from `notation.latex`; the axis labels are the caller's text
(translated: it may be Chinese, for XeLaTeX with ctex), with TeX's special characters escaped.
Needs tikz and pgfplots (compat 1.17 or later) in the preamble.
"""

from __future__ import annotations

import math

from derive.notes.figures import FAINT, HIGHLIGHT, Curve, CurvePoint, Edge, Figure, Label, Node, Tick
from derive.notes.notation import latex
from derive.notes.svg import ACCENT, EDGE_STYLE, FADED, INK, MUTED, NODE_FILL

PT = 0.75  # pt per page unit (a CSS px)
# a figure wider than the line is shrunk to it; a narrower one keeps its size
SHRINK = r"\noindent\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%"
# a network is drawn at NETWORK_SCALE of that: its labels (12 px, 9 pt) then have a footnote's size,
# and the figure, whose labels keep clear of every edge, takes no more of a page than it needs
NETWORK_SCALE = 0.85
SHRINK_NETWORK = SHRINK.replace(r"\width", f"{NETWORK_SCALE}\\width")

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}


def _n(x: float) -> str:
    """A number with at most two decimals, the same text for the same number."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _colour(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"


def _font(px: float) -> str:
    return rf"\fontsize{{{_n(px * PT)}}}{{{_n(px * PT * 1.2)}}}\selectfont"


def escape_text(s: str) -> str:
    """Plain text for TeX: its special characters escaped, everything else (Chinese too) as is."""
    return "".join(_SPECIAL.get(c, c) for c in s)


def label(lab: Label) -> str:
    """[−]glyph[ = value] as inline maths."""
    parts = ["-" if lab.minus else ""]
    if lab.glyph is not None:
        parts.append(latex(lab.glyph))
    if lab.value is not None:
        parts.append((" = " if lab.glyph is not None else "") + lab.value.latex)
    return "$" + "".join(parts) + "$"


def _edge(e: Edge) -> str:
    colour, width = EDGE_STYLE[e.emphasis]
    dash = f", dash pattern=on {_n(5 * PT)}pt off {_n(3 * PT)}pt" if e.kind == "bias" else ""
    return (rf"\draw[draw={_colour(colour)}, line width={_n(width * PT)}pt{dash}] "
            f"({_n(e.x1)},{_n(e.y1)}) -- ({_n(e.x2)},{_n(e.y2)});")


def _edge_label(e: Edge, size: float) -> str:
    """On a white box turned along the edge (TikZ turns anticlockwise, the page's y is flipped)."""
    assert e.label is not None
    at = e.label
    ink = ACCENT if e.emphasis == HIGHLIGHT else INK
    return (rf"\node[rotate={_n(-at.angle)}, fill=white, fill opacity=0.9, text opacity=1, inner sep=1pt, "
            rf"rounded corners=1.5pt, text={_colour(ink)}, font={_font(size)}] at ({_n(at.x)},{_n(at.y)}) "
            f"{{{label(at.label)}}};")


def _node(n: Node, glyph_size: float, label_size: float) -> list[str]:
    stroke, width, ink = {HIGHLIGHT: (ACCENT, 2.4, INK), FAINT: (FADED, 1.0, "#aaaaaa")}.get(
        n.emphasis, ("#333333", 1.4, INK))
    fill = "#ffffff" if n.emphasis == FAINT else NODE_FILL[n.kind]
    dash = f", dash pattern=on {_n(4 * PT)}pt off {_n(2 * PT)}pt" if n.kind == "bias" else ""
    lines = [(rf"\draw[fill={_colour(fill)}, draw={_colour(stroke)}, line width={_n(width * PT)}pt{dash}] "
              f"({_n(n.x)},{_n(n.y)}) circle[radius={_n(n.r)}];"),
             rf"\node[text={_colour(ink)}, font={_font(glyph_size)}] at ({_n(n.x)},{_n(n.y)}) {{{label(n.label)}}};"]
    if n.caption is not None:
        lines.append(rf"\node[text={_colour(MUTED)}, font={_font(label_size)}] at ({_n(n.x)},{_n(n.caption_y)}) "
                     f"{{{label(n.caption)}}};")
    return lines


def figure(fig: Figure) -> str:
    """A network or paths figure: faint edges, the others over them, nodes, then the edge labels."""
    body = [_edge(e) for e in fig.edges if e.emphasis == FAINT]
    body += [_edge(e) for e in fig.edges if e.emphasis != FAINT]
    body += [line for n in fig.nodes for line in _node(n, fig.glyph_size, fig.label_size)]
    body += [_edge_label(e, fig.label_size) for e in fig.edges if e.label is not None]
    return "\n".join([SHRINK_NETWORK, rf"\begin{{tikzpicture}}[x={_n(PT)}pt, y=-{_n(PT)}pt, line cap=round]",
                      *body, r"\end{tikzpicture}}"]) + "\n"


# --- the loss curve --------------------------------------------------------------------------------


def _number(log10: float) -> str:
    """10**log10 in pgfplots' e-notation, from its logarithm: any size, six significant digits."""
    exponent = math.floor(log10)
    mantissa = round(10 ** (log10 - exponent), 5)
    if mantissa >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.5f}e{exponent}"


def _tick_label(t: Tick) -> str:
    return f"${t.text}^{{{t.sup}}}$" if t.sup else f"${t.text}$"


def _ticks(axis: str, ticks: tuple[Tick, ...]) -> list[str]:
    return [f"{axis}tick={{{','.join(t.value or f'1e{t.exponent}' for t in ticks)}}},",
            f"{axis}ticklabels={{{','.join(_tick_label(t) for t in ticks)}}},"]


def _error(p: CurvePoint, log: bool) -> str:
    """An error as pgfplots reads it: from its logarithm on a log axis, else the value itself."""
    return _number(p.log_error) if log else f"{p.log_error:.6e}"


def _coordinates(points: tuple[CurvePoint, ...], log: bool = True) -> str:
    return " ".join(f"({p.step},{_error(p, log)})" for p in points)


def curve(c: Curve) -> str:
    """The loss curve: a log-log pgfplots axis the size of the model's plot box, its ticks at the
    model's decades, the level of step 0 dotted, the curve with a mark per point."""
    grid, line, level = _colour("#e4e4e4"), _colour("#1f5fa8"), _colour(MUTED)
    options = [
        "scale only axis,",
        f"width={_n((c.right - c.left) * PT)}pt, height={_n((c.bottom - c.top) * PT)}pt,",
        "xmode=log, ymode=log, log basis x=10, log basis y=10," if c.y.log else "xmode=log, log basis x=10,",
        f"xmin=1e{c.x.low}, xmax=1e{c.x.high}, " + (f"ymin=1e{c.y.low}, ymax=1e{c.y.high}," if c.y.log else
                                                     f"ymin={c.y.ticks[0].value}, ymax={c.y.ticks[-1].value},"),
        *_ticks("x", c.x.ticks), *_ticks("y", c.y.ticks),
        "xminorticks=false, yminorticks=false,",
        f"grid=major, major grid style={{draw={grid}}}, tick style={{draw={_colour(INK)}}},",
        rf"tick label style={{font={_font(11)}}}, label style={{font={_font(13)}}},",
        f"xlabel={{{escape_text(c.x.label)}}}, ylabel={{{escape_text(c.y.label)}}},",
    ]
    body = []
    if c.start is not None:
        y = _error(c.start, c.y.log)
        body.append(rf"\draw[draw={level}, line width={_n(1.2 * PT)}pt, dotted] "
                    f"(axis cs:1e{c.x.low},{y}) -- (axis cs:1e{c.x.high},{y});")
    body.append(rf"\addplot[draw={line}, line width={_n(2 * PT)}pt, mark=*, mark size={_n(3 * PT)}pt, "
                rf"mark options={{fill={line}, draw={line}}}] coordinates {{{_coordinates(c.points, c.y.log)}}};")
    return "\n".join([SHRINK, r"\begin{tikzpicture}", r"\begin{axis}[", *options, "]", *body,
                      r"\end{axis}", r"\end{tikzpicture}}"]) + "\n"
