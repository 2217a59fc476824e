"""`softmax(z_k)`, as people write the k-th output of a softmax layer: the softmax of the layer's nets, taken at
entry k. Written of one net of a softmax layer, it is that neuron's output; of anything else (one number, a
name not read) it is left as written, for it has no value of its own (the softmax of one number is 1)."""

from __future__ import annotations

from dataclasses import replace

from derive.check.claims import Binary, Call, Claim, Name, Node, Unary
from derive.model.network import Network


def softmax_outputs(claim: Claim, network: Network) -> Claim:
    """The claim with each `softmax(net)` of a softmax layer's net read as that neuron's output."""
    outs = {n.net.name: n.out.name for n in network.neurons if not n.activation.elementwise}
    if not outs:
        return claim
    return replace(claim, links=tuple(_read(x, outs) for x in claim.links),
                   left=None if claim.left is None else _read(claim.left, outs))


def _read(node: Node, outs: dict[str, str]) -> Node:
    if isinstance(node, Binary) and node.op == "*" and node.left == Name("softmax") and \
            isinstance(node.right, Name) and node.right.name in outs:
        return Name(outs[node.right.name])
    if isinstance(node, Unary):
        return Unary(node.op, _read(node.arg, outs))
    if isinstance(node, Call):
        return Call(node.function, _read(node.arg, outs))
    if isinstance(node, Binary):
        return Binary(node.op, _read(node.left, outs), _read(node.right, outs))
    return node


__all__ = ["softmax_outputs"]
