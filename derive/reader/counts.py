"""The number of training examples a rule divides by, written as a letter as course notes write it:
`W := W - \\frac{\\eta}{m} \\frac{\\partial J}{\\partial W}` (the learning rate over m) and
`dW = \\frac{1}{m} dZ A^T` (a parameter's gradient, averaged over m examples). Read only where the document
gives m no value of its own and the network learns from one sample, so that m is 1 however its loss is
reduced; with several samples whether the gradient written already averages is not read, and m stays a name
of no quantity (the rule cannot be checked). Elsewhere (`E = \\frac{1}{m} \\sum ...`, a derivative by an
output) m may count the outputs, and is not read either."""

from __future__ import annotations

from derive.check.claims import Binary, Call, Node, Num, Unary, names_in
from derive.check.claims import Name as NameNode

COUNT = "m"  # the letter course notes give the number of training examples
RATE = "eta"  # the learning rate as the claims name it (\eta, η)


def per_example(node: Node, samples: int, gradient: bool) -> Node:
    """`node` with the learning rate over m read as the rate (and, in a `gradient` by a parameter, 1/m as
    1), where the network learns from one sample; otherwise `node` as it is."""
    return _undivided(node, gradient) if samples == 1 else node


def _undivided(node: Node, gradient: bool) -> Node:
    if isinstance(node, Binary) and node.op == "/" and node.right == NameNode(COUNT) and (
            RATE in names_in(node.left) or (gradient and node.left == Num("1"))):
        return _undivided(node.left, gradient)
    if isinstance(node, Binary):
        return Binary(node.op, _undivided(node.left, gradient), _undivided(node.right, gradient))
    if isinstance(node, Unary):
        return Unary(node.op, _undivided(node.arg, gradient))
    if isinstance(node, Call):
        return Call(node.function, _undivided(node.arg, gradient))
    return node


__all__ = ["COUNT", "per_example"]
