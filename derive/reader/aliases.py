"""Written names mapped to the network's: the textbook's letters, a course's own `[aliases]`, labels on a
document's own names (`z^{(2)}` is z_L2), and a chain or claim rewritten in those names."""

from __future__ import annotations

import re
import copy
from collections.abc import Callable
from dataclasses import replace

from derive.check.claims import FUNCTIONS, OPERATOR, Binary, Call, Claim, Name, Node, Unary
from derive.check.truth import Truth
from derive.reader.arrays import ArrayError
from derive.reader.arrays import tokens as array_tokens
from derive.reader.conventions import instance_in_rule, mixed_index
from derive.reader.counts import per_example
from derive.reader.index_rules import forgotten_index
from derive.reader.maths import Chain, NotUnderstood
from derive.reader.plain import function_named
from derive.reader.samples import about_optimizer
from derive.reader.spans import Span
from derive.reader.sums import summed


def renamed(node: Node, name: Callable[[str], str]) -> Node:
    if isinstance(node, Name):
        return Name(name(node.name))
    if isinstance(node, Unary):
        return Unary(node.op, renamed(node.arg, name))
    if isinstance(node, Call):
        function = node.function  # d/dX of an expression: X renamed as well
        if function.startswith(OPERATOR):
            function = OPERATOR + name(function[len(OPERATOR):])
        return Call(function, renamed(node.arg, name))
    if isinstance(node, Binary):
        return Binary(node.op, renamed(node.left, name), renamed(node.right, name))
    return node


def renamed_chain(chain: Chain, name: Callable[[str], str]) -> Chain:
    """The chain in the claims grammar's own spelling (`W_1` is W1, `d(L)/d(W_2)` dL/dW2, `sigma'(z)` the
    sigmoid's slope), each name as the aliases read it (`W@1`, for W^{(1)}, is the label W_L1)."""
    try:
        tokens = array_tokens(chain.text)
    except ArrayError:
        return chain
    pieces = []
    for k, (kind, word) in enumerate(tokens):
        following = tokens[k + 1][1] if k + 1 < len(tokens) else ""
        if kind == "name" and following == "(" and function_named(word) != word:
            pieces.append(function_named(word))
        elif kind == "name" and word.startswith("d:"):
            top, _, bottom = word[2:].partition("/")
            pieces.append(f"d({name(top)})/d({name(bottom)})")
        elif kind == "name" and not word.startswith("ARRAY__") and word not in FUNCTIONS:
            pieces.append(name(word))
        else:
            pieces.append({"transpose": "^T"}.get(kind, word))
    return replace(chain, text=" ".join(pieces))


class Aliases:
    """Written names mapped to the network's: the textbook's letters where the network has those
    quantities, and a course's own (`[aliases]`: a whole name, or a head such as `z` for `net`)."""

    def __init__(self, truth: Truth, table: dict[str, str], hatted: bool = True) -> None:
        self.truth = truth
        self.labels = True  # a superscript on a name of the document's own labels it
        self.layered = False  # the document labels its layers so (`z^{(2)}`): on the network's names too
        self.examples = 0  # the samples an undefined m counts (counts.py); 0: m is not read
        self.table = dict(textbook_aliases(truth, hatted))
        self.table.update(table)
        self.chains: dict[tuple[Chain, bool], Chain] = {}  # each chain renamed once: read, then judged

    def name(self, name: str) -> str:
        base, at, step = name.partition("@")
        if base.startswith("d:"):  # d(L)/d(u@2): the mark is the bottom's (u^{(2)}, a label of its own)
            top, _, bottom = base[2:].partition("/")
            return f"d:{self.name(top)}/{self.name(bottom + at + step)}"
        if base in self.table:
            return self.table[base] + at + step
        head, sep, rest = base.partition("_")
        if sep and head in self.table:
            return f"{self.table[head]}_{rest}" + at + step
        plain, bracket, sample = base.partition("[")
        if "_" in plain and not self._known(plain) and self._known(plain.replace("_", "")):
            return self.name(plain.replace("_", "") + bracket + sample + at + step)  # w_{h1} is wh1
        if at and self.labels and (bias := self._layer_bias(base, step)) is not None:
            return bias  # b_2^{(1)}: layer 1's second bias
        if at and self.labels and not self._known(base.partition("[")[0]):
            # z^{(2)}, a^{[1]}: on a name of the document's own, a superscript labels (a layer, a sample);
            # the name is read as a whole (if it is a value after an update, its value says so)
            count, bracket, named = step.partition("[")
            return f"{base}_L{count}" + (f"[{named}" if bracket else "")
        return name

    def _layer_bias(self, base: str, step: str) -> str | None:
        """`b_2^{(1)}` in a document that labels its layers so: the bias of neuron 2 of layer 1 (a bias's update
        is rarely written as a superscript count, a layer's label often); None for any other name."""
        found = re.fullmatch(r"b(\d{1,2})", base)
        layers = self.truth.network.layers
        if not self.layered or found is None or not step.isdigit() or not 1 <= int(step) <= len(layers):
            return None
        layer, index = layers[int(step) - 1], int(found.group(1))
        bias = layer[index - 1].bias if 1 <= index <= len(layer) else None
        return bias.name if bias is not None else None

    def _known(self, base: str) -> bool:
        return self.truth.knows(base)

    def for_span(self, span: Span) -> Aliases:
        """These aliases for one span: under the optimizer's heading, `m^{(t)}` is its state at update t
        (the notes' rule), not a name with a label."""
        if not about_optimizer(span):
            return self
        found = copy.copy(self)
        found.labels = found.layered = False
        return found

    def renamed(self, chain: Chain, span: Span) -> Chain:
        """`renamed_chain` by these aliases for `span` (what they read depends on the chain alone)."""
        aliases = self.for_span(span)
        key = (chain, aliases.labels)
        if key not in self.chains:
            self.chains[key] = renamed_chain(chain, aliases.name)
        return self.chains[key]

    def node(self, node: Node) -> Node:
        return renamed(node, self.name)

    def rename(self, claim: Claim | None) -> Claim | None:
        if claim is None:
            return claim
        gradient = self.name(claim.target.name).partition("/")[2] in {p.name for p in self.truth.network.params}
        claim = replace(claim, links=tuple(per_example(summed(link, self.truth.network), self.examples, gradient)
                                           for link in claim.links),
                        left=None if claim.left is None else summed(claim.left, self.truth.network))
        # y_j = F(a_j) = 1/(1 + e^{-a_1}): wrong for every j but 1; dw_ij = eta delta_j O_j: no i on the right
        slip = instance_in_rule(claim, self._known) or forgotten_index(claim, self.truth)
        if slip is not None:
            raise slip
        why = mixed_index(claim, self._known)  # y_j = ... = 1/(1 + e^{-a_1}): which j is meant is not read
        if why is not None:
            raise NotUnderstood(why)
        return replace(claim, target=Name(self.name(claim.target.name)),
                       links=tuple(self.node(link) for link in claim.links),
                       left=None if claim.left is None else self.node(claim.left))


def textbook_aliases(truth: Truth, hatted: bool = True) -> list[tuple[str, str]]:
    """The textbook's letters (ŷ_j, y_j, b_h, β_j, α_h) for a network named as the textbook names it,
    only where the written name is not already one of the network's quantities. y_j is the target only
    beside a ŷ (`hatted`): a document that never writes one means the output y_j by y_j."""
    known = set(truth.values)
    found = []
    for o in truth.network.outputs:
        n = o.neuron.name
        suffix = n[1:] if len(n) > 1 and n[0] == "y" else None
        if suffix is None:
            continue
        found += [(f"yhat{suffix}", f"out_{n}"), (f"beta{suffix}", f"net_{n}")]
        found += [(f"y{suffix}", f"target_{n}")] if hatted else []
    for layer in truth.network.layers[:-1]:
        for neuron in layer:
            n = neuron.name
            if len(n) > 1 and n[0] == "h":
                found += [(f"b{n[1:]}", f"out_{n}"), (f"alpha{n[1:]}", f"net_{n}")]
    return [(a, b) for a, b in found if a not in known and b in known]
