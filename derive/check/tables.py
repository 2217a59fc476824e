"""Every value and derivative of one sample's pass by the names claims use (`out_h1`, `E_total/w5`,
`out_h1/net_h1`): the tables the truth looks names up in."""

from __future__ import annotations

from sympy import Symbol

from derive.maths.derivation import Derivation, Pass
from derive.maths.numeric import evaluate
from derive.model.network import Network
from derive.model.precision import CTX, Real
from derive.model.wiring import PoolNeuron


def pass_tables(d: Derivation, p: Pass) -> tuple[dict[str, Real], dict[str, Real]]:
    """Every value and derivative of one sample's pass, by name (`out_h1`, `E_total/w5`)."""
    network = d.network
    values: dict[str, Real] = {s.name: v for s, v in p.values.items() if isinstance(s, Symbol)}
    values[network.e_total.name] = p.total
    for t, o in zip(p.losses, network.outputs):
        values[o.error.name] = t.value
    derivatives: dict[str, Real] = {f"E_total/{g.param.name}": g.value for g in p.gradients}
    for b in p.backward:
        n = b.neuron
        derivatives[f"E_total/{n.out.name}"] = b.error.value
        derivatives[f"E_total/{n.net.name}"] = b.delta.value
        if b.slope is not None:
            derivatives[f"{n.out.name}/{n.net.name}"] = b.slope.value
            for link in n.links:  # through the activation: dout/dw = slope * source, dout/dsource = slope * w
                derivatives[f"{n.out.name}/{link.weight.name}"] = b.slope.value * p.values[link.source]
                derivatives[f"{n.out.name}/{link.source.name}"] = b.slope.value * p.values[link.weight.symbol]
            if n.bias is not None:
                derivatives[f"{n.out.name}/{n.bias.name}"] = b.slope.value * n.bias_sign
        for term in b.jacobian:  # a softmax output: dout_k/dnet of every output k
            derivatives[f"{term.via.out.name}/{n.net.name}"] = term.slope.value
        for link in n.links:
            derivatives[f"{n.net.name}/{link.weight.name}"] = p.values[link.source]
            derivatives[f"{n.net.name}/{link.source.name}"] = p.values[link.weight.symbol]
        if n.bias is not None:
            derivatives[f"{n.net.name}/{n.bias.name}"] = CTX.mpf(n.bias_sign)
    output_paths(d, p, derivatives)
    if network.graph is not None:
        wired_names(network, p, values, derivatives)
    return values, derivatives


def wired_names(network: Network, p: Pass, values: dict[str, Real], derivatives: dict[str, Real]) -> None:
    """A wired network's quantities by the names people write: an entry or a unit at a step by its own name
    for its out (`c1_12`, `h2_t3` written h2[t=3]), and the input gradients (dE_total/dx1_22)."""
    for n in network.neurons:
        values.setdefault(n.name, values[n.out.name])
        derivatives.setdefault(f"E_total/{n.name}", derivatives[f"E_total/{n.out.name}"])
    for x, value in getattr(p, "inputs", {}).items():
        derivatives[f"E_total/{x.name}"] = value
    for n in network.neurons:  # a pooled entry's route: d max / d (an entry of its window)
        if isinstance(n, PoolNeuron):
            for j, (_, source) in enumerate(n.window):
                route = evaluate(n.route(j), p.values)
                derivatives[f"{n.net.name}/{source.name}"] = derivatives[f"{n.out.name}/{source.name}"] = route


def output_paths(d: Derivation, p: Pass, derivatives: dict[str, Real]) -> None:
    """dE_ok/dout_ok, dE_ok/dnet_ok and, one layer back, dE_ok/dout_h (one path, seed 003's split)."""
    by_net = {b.neuron.net.name: b for b in p.backward}
    for o in d.network.outputs:
        b = by_net[o.neuron.net.name]
        derivatives[f"{o.error.name}/{o.neuron.out.name}"] = b.error.value
        if b.slope is None:
            continue
        via = b.error.value * b.slope.value
        derivatives[f"{o.error.name}/{o.neuron.net.name}"] = via
        for link in o.neuron.links:
            derivatives[f"{o.error.name}/{link.source.name}"] = via * p.values[link.weight.symbol]
