"""Notation of networks with convolution, pooling and recurrent layers: every quantity's glyph in each
profile, as `derive.model.notation` decides them for dense networks (the notes print them, the checker
reads them back).

An entry of a map is named by its map and its place: classic `\\mathrm{out}_{c1,23}` (map c1, row 2,
column 3), `x_{1,23}`, `k_{1,12}` (kernel 1's entry (1, 2)); a quantity at step t of a sequence carries
`\\langle t \\rangle` above: `\\mathrm{out}^{\\langle 3\\rangle}_{h2}` (the textbook's
`b^{\\langle 3\\rangle}_{2}`, the matrix notation's `h^{\\langle 3\\rangle}_{2}`). The textbook names
what the book names (x, the hidden layer's alpha, b and e, the output's beta, y-hat, w_hj, theta and g,
error terms with the book's sign) and keeps the others' classic letters (k, p); the matrix notation
gives each [[layers]] table its superscript [l] (z, a, delta, K, W, b).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import derive.model.identifiers as identifiers
import derive.model.kinds as k
import derive.model.notation as notations
from derive.model.network import Network, Neuron, Param
from derive.model.notation import Glyph, Notation, name_glyph
from derive.model.wiring import ConvPlan, DensePlan, PoolPlan, RecurrentPlan, Wiring

Glyphs = dict[str, Glyph]


def step_of(name: str) -> tuple[str, int | None]:
    """`h1_t3` -> (`h1`, 3); a name without a step -> (name, None)."""
    base, sep, step = name.rpartition("_t")
    if sep and step.isdigit() and base:
        return base, int(step)
    return name, None


def at_step(step: int | None) -> str:
    """The superscript of a quantity at step t: \\langle t\\rangle (empty without a step), written without
    spaces, as the checker's reader of LaTeX reads it back."""
    return "" if step is None else rf"\langle{step}\rangle"


def entry_sub(name: str) -> str:
    """`c1_23` -> `c1,23`, `c1_2_13` -> `c1,2,13`: the map, then the entry."""
    head, _, rest = name.partition("_")
    return f"{head},{rest.replace('_', ',')}"


def _map_entry(base: str, name: str, **extra: Any) -> Glyph:
    """An entry glyph of map `name` (`c1_23`), its map's letters dropped for `base` (`x_{1,23}`)."""
    head, _, rest = name.partition("_")
    return Glyph(base, f"{head[len(_letters(head)):]},{rest.replace('_', ',')}", **extra)


def _letters(name: str) -> str:
    """The letters a map's or a kernel's names start with: `c1_23` -> c."""
    return name[:len(name) - len(name.lstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"))]


def _neuron_glyphs(glyphs: Glyphs, n: Neuron, net: Glyph, out: Glyph, delta: Glyph) -> None:
    glyphs.update({n.net.name: net, n.out.name: out, n.delta.name: delta})


def _classic(network: Network, wiring: Wiring) -> Notation:
    glyphs: Glyphs = {}
    neurons: Glyphs = {}
    for x in network.inputs:
        base, step = step_of(x.name)
        glyphs[x.name] = Glyph(name_glyph(base).base, name_glyph(base).sub, at_step(step)) if step else \
            _map_entry(wiring_input_prefix(network), x.name)
    for n in network.neurons:
        base, step = step_of(n.name)
        sub = entry_sub(base) if "_" in base else base
        sup = at_step(step)
        _neuron_glyphs(glyphs, n, Glyph("net", sub, sup, word="rm"), Glyph("out", sub, sup, word="rm"),
                       Glyph("delta", sub, sup))
        neurons[n.name] = _map_entry(_letters(base), base) if "_" in base else \
            Glyph(name_glyph(base).base, name_glyph(base).sub, sup)
    for p in network.params:
        if "_" in p.name:  # a kernel's entry: k1_12 -> k_{1,12}
            glyphs[p.name] = _map_entry(_letters(p.name), p.name)
    _outputs(network, glyphs, lambda o, step: Glyph("target", step_of(o)[0], at_step(step), word="rm"),
             lambda o, step: Glyph("E", step_of(o)[0], at_step(step)))
    return Notation("classic", MappingProxyType(glyphs), MappingProxyType(neurons), 1, _generic(network))


def wiring_input_prefix(network: Network) -> str:
    image = network.spec.structure.image
    return image.name if image is not None else "x"


def _outputs(network: Network, glyphs: Glyphs, target: Any, error: Any) -> None:
    for o in network.outputs:
        _, step = step_of(o.neuron.name)
        glyphs[o.target.name] = target(o.neuron.name, step)
        glyphs[o.error.name] = error(o.neuron.name, step)


def _generic(network: Network) -> Any:
    """Per stage, a generic glyph of each kind (the dense notes' index forms; the layer notes print their own)."""
    kinds = ("source", "net", "out", "delta", "weight", "bias")
    return MappingProxyType({kind: tuple(Glyph(kind) for _ in network.layers) for kind in kinds})


def _textbook(network: Network, wiring: Wiring) -> Notation:
    """The book's letters where it has the quantity: x; a first layer's alpha, b, e, v (W_x) and gamma; the
    output layer's beta, y-hat, y, w_hj, theta and g; error terms with the book's sign."""
    glyphs: Glyphs = {}
    neurons: Glyphs = {}
    _textbook_inputs(network, glyphs)
    for plan in wiring.plans:
        if isinstance(plan, ConvPlan):
            _textbook_conv(plan, glyphs, neurons)
        elif isinstance(plan, PoolPlan):
            for n in k.flat(plan.neurons):
                sub = _map_entry("p", n.name).sub
                _neuron_glyphs(glyphs, n, Glyph("alpha", sub, "p"), Glyph("p", sub), Glyph("e", sub, "p"))
                neurons[n.name] = Glyph("p", sub)
        elif isinstance(plan, RecurrentPlan):
            _textbook_rnn(plan, glyphs, neurons)
        else:
            _textbook_dense(network, plan, glyphs, neurons)
    _common(glyphs)
    return Notation("textbook", MappingProxyType(glyphs), MappingProxyType(neurons), -1, _generic(network))


def _textbook_inputs(network: Network, glyphs: Glyphs) -> None:
    for x in network.inputs:
        base, step = step_of(x.name)
        if step is None:
            glyphs[x.name] = _map_entry("x", x.name)
        else:
            glyphs[x.name] = Glyph("x", str(network.spec.structure.features.index(base) + 1), at_step(step))


def _textbook_conv(plan: ConvPlan, glyphs: Glyphs, neurons: Glyphs) -> None:
    for n in k.flat(plan.neurons):
        sub = _map_entry("c", n.name).sub
        _neuron_glyphs(glyphs, n, Glyph("alpha", sub), Glyph("b", sub), Glyph("e", sub))
        neurons[n.name] = Glyph("b", sub)
    for p in k.flat(plan.kernel):
        glyphs[p.name] = _map_entry("v", p.name)
    for o, b in enumerate(plan.biases):
        if b is not None:
            glyphs[b.name] = Glyph("gamma", str(o + 1))


def _textbook_rnn(plan: RecurrentPlan, glyphs: Glyphs, neurons: Glyphs) -> None:
    for t, stage in enumerate(plan.neurons):
        for j, n in enumerate(stage):
            sup = at_step(t + 1)
            _neuron_glyphs(glyphs, n, Glyph("alpha", str(j + 1), sup), Glyph("b", str(j + 1), sup),
                           Glyph("e", str(j + 1), sup))
            neurons[n.name] = Glyph("b", str(j + 1), sup)
    for j, row in enumerate(plan.input_weights):
        for i, p in enumerate(row):
            glyphs[p.name] = Glyph("v", notations._pair(i + 1, j + 1))  # v_ih: from input i to unit h
    for j, row in enumerate(plan.recurrent_weights):
        for m, p in enumerate(row):
            glyphs[p.name] = Glyph("u", notations._pair(m + 1, j + 1))  # u_h'h: from unit h' a step before
    shared = len({b.name for b in plan.biases if b is not None}) == 1 and len(plan.biases) > 1
    for j, b in enumerate(plan.biases):
        if b is not None:
            glyphs[b.name] = Glyph("gamma", "" if shared else str(j + 1))


def _textbook_dense(network: Network, plan: DensePlan, glyphs: Glyphs, neurons: Glyphs) -> None:
    last = plan.spec is network.spec.layers[-1]
    for stage in plan.neurons:
        for j, n in enumerate(stage):
            _, step = step_of(n.name)
            sub, sup = str(j + 1), at_step(step)
            if last:
                _neuron_glyphs(glyphs, n, Glyph("beta", sub, sup), Glyph("y", sub, sup, hat=True), Glyph("g", sub, sup))
            else:
                _neuron_glyphs(glyphs, n, Glyph("alpha", sub, sup, word=""), Glyph("b", sub, sup), Glyph("e", sub, sup))
            neurons[n.name] = glyphs[n.out.name]
    for j, row in enumerate(plan.weights):
        for h, p in enumerate(row):
            glyphs[p.name] = Glyph("w", notations._pair(h + 1, j + 1))
    shared = plan.spec.bias.mode == "shared" and len(plan.spec.neurons) > 1
    for j, b in enumerate(plan.biases):
        glyphs[b.name] = Glyph("theta" if last else "gamma", "" if shared else str(j + 1))
    if last:
        for o in network.outputs:
            _, step = step_of(o.neuron.name)
            j = o.neuron.position + 1
            glyphs[o.target.name] = Glyph("y", str(j), at_step(step))
            glyphs[o.error.name] = Glyph("E", str(j), at_step(step))


def _common(glyphs: Glyphs) -> None:
    glyphs[identifiers.E_TOTAL] = Glyph("E")
    glyphs[identifiers.ETA] = Glyph("eta")


def _matrix(network: Network, wiring: Wiring) -> Notation:
    """Layer superscripts [l] (the [[layers]] table, from 1): z, a, delta, K, W, b; x for the inputs; a
    step's quantities with \\langle t\\rangle after the layer's."""
    glyphs: Glyphs = {}
    neurons: Glyphs = {}
    _textbook_inputs(network, glyphs)
    for plan in wiring.plans:
        layer = f"[{plan.index + 1}]"
        for n in _plan_neurons(plan):
            base, step = step_of(n.name)
            sub = _map_entry("", base).sub if "_" in base else str(n.position + 1)
            sup = layer + at_step(step)
            _neuron_glyphs(glyphs, n, Glyph("z", sub, sup), Glyph("a", sub, sup), Glyph("delta", sub, sup))
            neurons[n.name] = glyphs[n.out.name]
        for p, glyph in _matrix_params(plan, layer):
            glyphs[p.name] = glyph
    for o in network.outputs:
        _, step = step_of(o.neuron.name)
        glyphs[o.target.name] = Glyph("y", str(o.neuron.position + 1), at_step(step))
        glyphs[o.error.name] = Glyph("E", str(o.neuron.position + 1), at_step(step))
    _common(glyphs)
    return Notation("matrix", MappingProxyType(glyphs), MappingProxyType(neurons), 1, _generic(network))


def _plan_neurons(plan: Any) -> list[Neuron]:
    if isinstance(plan, (ConvPlan, PoolPlan)):
        return list(k.flat(plan.neurons))
    return [n for stage in plan.neurons for n in stage]


def _matrix_params(plan: Any, layer: str) -> list[tuple[Param, Glyph]]:
    found: list[tuple[Param, Glyph]] = []
    if isinstance(plan, ConvPlan):
        found += [(p, _map_entry("K", p.name, sup=layer)) for p in k.flat(plan.kernel)]
        found += [(b, Glyph("b", str(o + 1), layer)) for o, b in enumerate(plan.biases) if b is not None]
    elif isinstance(plan, RecurrentPlan):
        found += [(p, Glyph("W", "x," + notations._pair(j + 1, i + 1), layer))
                  for j, row in enumerate(plan.input_weights) for i, p in enumerate(row)]
        found += [(p, Glyph("W", "h," + notations._pair(j + 1, i + 1), layer))
                  for j, row in enumerate(plan.recurrent_weights) for i, p in enumerate(row)]
        found += _matrix_biases(plan.biases, layer)
    elif isinstance(plan, DensePlan):
        found += [(p, Glyph("W", notations._pair(j + 1, i + 1), layer))
                  for j, row in enumerate(plan.weights) for i, p in enumerate(row)]
        found += _matrix_biases(plan.biases, layer)
    return found


def _matrix_biases(biases: Any, layer: str) -> list[tuple[Param, Glyph]]:
    named = [b for b in biases if b is not None]
    shared = len({b.name for b in named}) == 1 and len(named) > 1
    seen: dict[str, tuple[Param, Glyph]] = {}
    for j, b in enumerate(biases):
        if b is not None:
            seen.setdefault(b.name, (b, Glyph("b", "" if shared else str(j + 1), layer)))
    return list(seen.values())


BUILDERS = {"classic": _classic, "textbook": _textbook, "matrix": _matrix}


def notation_for(network: Network, profile: str) -> Notation:
    """The glyphs `profile` gives a wired network; a neuron's own name (`h2_t3`, as claims name a state at a
    step) prints as its out."""
    found = BUILDERS[profile](network, network.graph)
    glyphs = dict(found.glyphs)
    for n in network.neurons:
        glyphs.setdefault(n.name, glyphs[n.out.name])
    return Notation(found.profile, MappingProxyType(glyphs), found.neurons, found.delta_sign, found.generic)


notations.wired_notation = notation_for  # notation.notation_for names these networks through this module
