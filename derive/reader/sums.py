"""A sum over the output layer written without bounds (`E = \\sum \\frac{1}{2}(target - output)^2`,
`\\sum_o \\frac{1}{2}(t_o - out_o)^2`), written out over the network's output neurons: in each term the
generic `target` and `output` are that neuron's target and value, and a name carrying the sum's index
carries the neuron's number. What the sum then states is judged as any formula is, at random points."""

from __future__ import annotations

import re

from derive.check.claims import Binary, Call, Node, Unary, names_in
from derive.check.claims import Name as NameNode
from derive.model.network import Network
from derive.reader.plain import EACH, OVER_OUTPUTS, NotUnderstood


def summed(node: Node, network: Network) -> Node:
    """`node` with every sum over the outputs written out term by term."""
    if isinstance(node, Unary):
        return Unary(node.op, summed(node.arg, network))
    if isinstance(node, Binary) and node.op == "*" and node.left == NameNode(OVER_OUTPUTS):
        _one_index(names_in(node.right), network)
        terms = [_of_output(_term(summed(node.right, network), o.neuron.name, k), node.right, o.neuron.name)
                 for k, o in enumerate(network.outputs, start=1)]
        total = terms[0]
        for term in terms[1:]:
            total = Binary("+", total, term)
        return total
    if isinstance(node, Binary):
        return Binary(node.op, summed(node.left, network), summed(node.right, network))
    if isinstance(node, Call):
        return Call(node.function, summed(node.arg, network))
    return node


def _one_index(names: list[str], network: Network) -> None:
    """Refuses a summand naming an output by the sum's index and one output by its own (`target_o` beside
    `out_{o1}`, `y_i` beside `y_1`): which is meant is not read, as for a rule for every index written with
    one instance's."""
    outputs = {o.neuron.name for o in network.outputs}
    indexed = {re.sub(rf"[A-Za-z]*{EACH}.*", "", n) for n in names if EACH in n}
    for name in (n for n in names if EACH not in n):
        head = re.sub(r"[A-Za-z]*\d+$", "", name)
        if (head != name and head in indexed) or outputs.intersection(re.split(r"[_/:@]", name)):
            raise NotUnderstood(f"{name} names one output in a sum over every output: which output is meant "
                                f"is not read")


def _of_output(term: Node, summand: Node, neuron: str) -> Node:
    """The term, where every name the sum's index runs through is a quantity of the output neuron (its
    label ends a part of the name: out_o1, w_ho1, d:E_total/out_o1): a sum
    over other neurons (`\\sum_i w_{ij} x_i`, over the inputs) is not read as one over the outputs."""
    for written, name in zip(names_in(summand), names_in(term)):
        if written != name and not any(part.endswith(neuron) for part in re.split(r"[_/:@]", name)):
            raise NotUnderstood(f"a sum without bounds over {written.replace(EACH, '')}, which is no quantity of "
                                f"an output neuron: not read")
    return term


def _term(node: Node, neuron: str, number: int) -> Node:
    """The summand for the output neuron `neuron`, the `number`-th of its layer."""
    if isinstance(node, NameNode):
        return NameNode(_named(node.name, neuron, number))
    if isinstance(node, Unary):
        return Unary(node.op, _term(node.arg, neuron, number))
    if isinstance(node, Binary):
        return Binary(node.op, _term(node.left, neuron, number), _term(node.right, neuron, number))
    if isinstance(node, Call):
        return Call(node.function, _term(node.arg, neuron, number))
    return node


def _named(name: str, neuron: str, number: int) -> str:
    if name == "target":
        return f"target_{neuron}"
    if name == "output":
        return f"out_{neuron}"
    # out_oNth: out_o1 (the neuron, where the index is its letter); y_iNth, out_oiNth: y_1, out_o1 (its number)
    return re.sub(rf"([A-Za-z]){EACH}", lambda m: neuron if re.fullmatch(rf"{m.group(1)}\d+", neuron)
                  else str(number), name)


__all__ = ["summed"]
