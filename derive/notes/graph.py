"""The computational graph of one sample, along the path of one output weight: the operations from that
neuron's inputs to the total error, each wire with its value going forward (above it) and the gradient of
the error coming back (below it). The local derivatives the chain rule multiplies are written under their
nodes in the colours the notes give the same factors in the text (`FACTOR_COLOURS`).

A model like `derive.notes.figures`: page units (CSS px, y downwards), printed by `derive.notes.svg` and
`derive.notes.tikz`. Every number is the derivation's, rounded once for display.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.maths.derivation import Derivation, Gradient, NeuronBackward, Pass
from derive.model.network import Neuron
from derive.model.precision import Real, show
from derive.notes.notation import Glyph, Notation

# The colour of each kind of chain-rule factor, in the graph and in the text: the loss's derivative
# (dE/dout, or dE/dnet for a softmax under cross-entropy), the activation's slope (dout/dnet), and the
# weighted sum's derivative (dnet/dw).
FACTOR_COLOURS = {"loss": "#D55E00", "slope": "#0072B2", "sum": "#009E73"}
GREY = "#666666"
DIGITS = 4  # significant digits on the wires, as the network figure's
ROW, COLUMN, MARGIN, RADIUS = 46.0, 118.0, 14.0, 15.0
LOCAL_RISE = 30.0  # a node's local derivative stands this far above it, clear of the wires' labels
STAGGER = 20.0  # and every other node's that much higher again, clear of its neighbour's
INPUT_AT = 0.3  # an input wire's gradient stands this far along it, where the wires are still apart
TIMES_AT = 0.35  # a product's wire's labels, before the wires meet at the weighted sum
LABEL_SIZE, GLYPH_SIZE = 11.0, 14.0


@dataclass(frozen=True)
class GraphNode:
    key: str
    x: float
    y: float
    label: Glyph | None  # a quantity's glyph (an input), or None for an operation
    operation: str  # "", "×", "+", "σ", "tanh", "E", ... the operation's sign
    local: tuple[Glyph, Glyph, str] | None = None  # d num / d den = value, written above the node
    colour: str = GREY
    value: str = ""  # an input's value, written after its glyph
    rise: float = 0.0  # how far above the node its local derivative stands


@dataclass(frozen=True)
class Wire:
    x1: float
    y1: float
    x2: float
    y2: float
    value: str  # forward, above the wire ("" for an input's wire: its value is at the input)
    gradient: str  # backward, below the wire ("" for a constant: a target)
    colour: str = GREY
    at: float = 0.5  # where along the wire its labels stand, from its start


@dataclass(frozen=True)
class Graph:
    key: str
    width: float
    height: float
    nodes: tuple[GraphNode, ...]
    wires: tuple[Wire, ...]
    label_size: float = LABEL_SIZE
    glyph_size: float = GLYPH_SIZE


def worked_gradient(d: Derivation) -> Gradient | None:
    """The gradient the graph follows: the output layer's first weight's, in the first sample's pass."""
    last = len(d.network.layers) - 1
    return next((g for g in d.first.gradients if g.param.layer == last and g.param.kind == "weight"), None)


def factor_kind(num: str, den: str, neuron: Neuron) -> str:
    """Which kind of chain-rule factor d num / d den is (see FACTOR_COLOURS)."""
    if num == neuron.net.name:
        return "sum"
    if num == neuron.out.name:
        return "slope"
    return "loss"


def _n(x: Real) -> str:
    return show(x, DIGITS).text.replace("-", "\u2212")


def graph(d: Derivation, notation: Notation) -> Graph | None:
    """The graph of the worked output weight's path for the first sample."""
    g = worked_gradient(d)
    if g is None:
        return None
    p = d.first
    neuron = g.chains[0].neuron
    backward = next(b for b in p.backward if b.neuron is neuron)
    delta = backward.delta.value
    rows = 2 * len(neuron.links) + (1 if neuron.bias is not None else 0)
    top = MARGIN + RADIUS + LOCAL_RISE + 10
    mid = top + (rows - 1) * ROW / 2
    xs = [MARGIN + 90 + k * COLUMN for k in range(7)]
    nodes, wires = _inputs(notation, p, neuron, g, delta, xs, top, mid)
    tail_nodes, tail_wires = _tail(d, notation, neuron, backward, xs, mid)
    height = max(top + rows * ROW, mid + 3 * ROW) + MARGIN
    return Graph("graph", xs[-1] + 60 + MARGIN, height, tuple(nodes + tail_nodes), tuple(wires + tail_wires))


def _inputs(notation: Notation, p: Pass, neuron: Neuron, g: Gradient, delta: Real, xs: list[float], top: float,
            mid: float) -> tuple[list[GraphNode], list[Wire]]:
    """Each link's weight and source into its × node, then the + node of the weighted sum (with the bias)."""
    nodes: list[GraphNode] = []
    wires: list[Wire] = []
    colours = FACTOR_COLOURS
    for k, link in enumerate(neuron.links):
        yw, yx = top + 2 * k * ROW, top + (2 * k + 1) * ROW
        times = (yw + yx) / 2
        worked = link.weight is g.param
        w_value, x_value = p.values[link.weight.symbol], p.values[link.source]
        nodes += [GraphNode(link.weight.name, xs[0], yw, notation.glyph(link.weight.name), "", value=_n(w_value)),
                  GraphNode(link.source_name, xs[0], yx, notation.glyph(link.source.name), "", value=_n(x_value)),
                  GraphNode(f"times-{k}", xs[1], times, None, "\u00d7",
                            (notation.glyph(neuron.net.name), notation.glyph(link.weight.name), _n(x_value))
                            if worked else None, colours["sum"] if worked else GREY, rise=LOCAL_RISE)]
        wires += [Wire(xs[0] + RADIUS, yw, xs[1] - RADIUS, times, "", _n(delta * x_value),
                       colours["sum"] if worked else GREY, INPUT_AT),
                  Wire(xs[0] + RADIUS, yx, xs[1] - RADIUS, times, "", _n(delta * w_value), GREY, INPUT_AT),
                  Wire(xs[1] + RADIUS, times, xs[2] - RADIUS, mid, _n(w_value * x_value), _n(delta), GREY, TIMES_AT)]
    if neuron.bias is not None:
        yb = top + 2 * len(neuron.links) * ROW
        value = _n(neuron.bias_sign * p.values[neuron.bias.symbol])
        nodes.append(GraphNode(neuron.bias.name, xs[0], yb, notation.glyph(neuron.bias.name), "",
                               value=_n(p.values[neuron.bias.symbol])))
        wires.append(Wire(xs[0] + RADIUS, yb, xs[2] - RADIUS, mid, value if neuron.bias_sign < 0 else "",
                          _n(neuron.bias_sign * delta), GREY, INPUT_AT))
    nodes.append(GraphNode("net", xs[2], mid, None, "+"))
    return nodes, wires


def _tail(d: Derivation, notation: Notation, neuron: Neuron, backward: NeuronBackward, xs: list[float],
          mid: float) -> tuple[list[GraphNode], list[Wire]]:
    """From the weighted sum to the total error: the activation and the loss (one node for a softmax under
    cross-entropy, whose error term is one factor), then the sum over the outputs."""
    p = d.first
    if backward.slope is not None:
        nodes, wires = _activation(d, notation, neuron, backward, xs, mid)
    else:  # softmax with cross-entropy: dE/dnet is one factor, out - target; the other nets come in too
        nodes = [GraphNode("loss", xs[4], mid, None, "E",
                           (notation.glyph(d.network.e_total.name), notation.glyph(neuron.net.name),
                            _n(backward.delta.value)), FACTOR_COLOURS["loss"], rise=LOCAL_RISE)]
        wires = [Wire(xs[2] + RADIUS, mid, xs[4] - RADIUS, mid, _n(p.values[neuron.net]), _n(backward.delta.value),
                      FACTOR_COLOURS["loss"])]
        for k, other in enumerate(n for n in d.network.layers[-1] if n is not neuron):
            y = mid - (1.6 + k) * ROW
            nodes.append(GraphNode(other.net.name, xs[3], y, notation.glyph(other.net.name), "",
                                   value=_n(p.values[other.net])))
            wires.append(Wire(xs[3] + RADIUS, y, xs[4] - RADIUS, mid, "", ""))
    total_nodes, total_wires = _total(d, notation, neuron, xs, mid)
    return nodes + total_nodes, wires + total_wires


def _activation(d: Derivation, notation: Notation, neuron: Neuron, backward: NeuronBackward, xs: list[float],
                mid: float) -> tuple[list[GraphNode], list[Wire]]:
    """The activation (its slope, coloured) and the output's loss (its derivative, coloured)."""
    p, colours = d.first, FACTOR_COLOURS
    assert backward.slope is not None
    nodes = [GraphNode("act", xs[3], mid, None, _operation(neuron),
                       (notation.glyph(neuron.out.name), notation.glyph(neuron.net.name), _n(backward.slope.value)),
                       colours["slope"], rise=LOCAL_RISE),
             GraphNode("loss", xs[4], mid, None, "E",
                       (notation.glyph(d.network.e_total.name), notation.glyph(neuron.out.name),
                        _n(backward.error.value)), colours["loss"], rise=LOCAL_RISE + STAGGER)]
    wires = [Wire(xs[2] + RADIUS, mid, xs[3] - RADIUS, mid, _n(p.values[neuron.net]), _n(backward.delta.value),
                  colours["slope"]),
             Wire(xs[3] + RADIUS, mid, xs[4] - RADIUS, mid, _n(p.values[neuron.out]), _n(backward.error.value),
                  colours["loss"])]
    return nodes, wires


def _total(d: Derivation, notation: Notation, neuron: Neuron, xs: list[float],
           mid: float) -> tuple[list[GraphNode], list[Wire]]:
    """The target into the loss, the other outputs' errors and this one's into their sum, E_total out."""
    p, network = d.first, d.network
    output = network.outputs[neuron.position]
    below = mid + 2.6 * ROW
    term = next(t.value for t in p.losses if t.output is neuron)
    nodes = [GraphNode(output.target.name, xs[4], below, notation.glyph(output.target.name), "",
                       value=_n(p.values[output.target])),
             GraphNode("total", xs[5], mid, None, "+"),
             GraphNode(network.e_total.name, xs[6], mid, notation.glyph(network.e_total.name), "")]
    wires = [Wire(xs[4], below - RADIUS, xs[4], mid + RADIUS, "", ""),
             Wire(xs[4] + RADIUS, mid, xs[5] - RADIUS, mid, _n(term), "1"),
             Wire(xs[5] + RADIUS, mid, xs[6] - RADIUS, mid, _n(p.total), "1")]
    others = [o for o in network.outputs if o is not output]
    if others:  # the other outputs' errors, added in
        glyph = notation.glyph(others[0].error.name) if len(others) == 1 else Glyph("\u2026")
        nodes.append(GraphNode("others", xs[5], below, glyph, "", value=_n(p.total - term)))
        wires.append(Wire(xs[5], below - RADIUS, xs[5], mid + RADIUS, "", "1"))
    return nodes, wires


def _operation(neuron: Neuron) -> str:
    return {"sigmoid": "\u03c3", "tanh": "tanh", "relu": "relu", "identity": "id"}.get(neuron.activation.name, "f")
