"""The fully expanded loss: E_total written in the inputs, targets and parameters alone.

This is the direct route the engine avoids: differentiating it once per parameter costs about the
square of the network's size. It serves as the independent oracle of the tests and as the naive
baseline of the benchmark.
"""

from __future__ import annotations

from sympy import Add, Expr, Symbol, diff

from derive.model.network import Network


def substitutions(network: Network) -> dict[Symbol, Expr]:
    """net_n and out_n of every neuron in the inputs and parameters, layer by layer."""
    full: dict[Symbol, Expr] = {}
    for layer in network.layers:
        for n in layer:
            full[n.net] = n.net_expr().xreplace(full)
        nets = tuple(full[k.net] for k in layer)
        for n in layer:
            full[n.out] = n.activation.forward(nets, n.position)
    return full


def expanded_loss(network: Network) -> Expr:
    """E_total with every intermediate quantity substituted."""
    full = substitutions(network)
    return Add(*[o.loss_expr.xreplace(full) for o in network.outputs])


def naive_gradients(network: Network) -> tuple[Expr, ...]:
    """dE_total/dp by `sympy.diff` of the expanded loss, once per parameter."""
    loss = expanded_loss(network)
    return tuple(diff(loss, p.symbol) for p in network.params)
