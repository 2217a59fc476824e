"""A rule for every weight whose right side forgets one of the weight's indices: wrong under any reading.

`Δw_{ij} = η δ_j O_j` states one value for every w_{ij} of one j, whatever i. Whether w_{ij} runs from i
to j or from j to i is the document's convention, but the delta settles which letter is the weight's
receiving neuron: a delta (dE/dnet) is always the neuron whose net the weight feeds. So the rule gives
every weight into one neuron the same value. Where, in every layer, some neuron has two incoming weights
whose gradients differ, the rule is wrong whichever layer it is meant for, and the instance that fails is
named. Where a layer has no such neuron (one weight into each, or equal inputs) the rule could hold there
and is not judged here; nor is a rule naming both letters, nor one whose kept letter is on no delta.
"""

from __future__ import annotations

import re

from sympy import Symbol

from derive.check.claims import Binary, Claim, Name, Node, names_in
from derive.check.truth import Truth, Unknown
from derive.model.precision import CTX, Real, show
from derive.reader.conventions import RuleWithInstance
from derive.reader.plain import NotUnderstood

# The left side of a rule for every weight: w_{ij} stepped (w_ij@1 - w_ij) or its gradient (E/w_ij).
# W^{[2]}_{ij} (W_ij_L2) is one layer's: the rule is still judged in every layer, whichever is meant.
WEIGHT = re.compile(r"(?:.*/)?(?P<weight>[wW]_(?P<i>[a-z])(?P<j>[a-z])(?:_L\d+)?)(?:@\d+)?")
LETTERS = "ijkho"  # the letters that count neurons (l a layer, m and n samples or sizes: never read so here)
SAME = CTX.mpf(10) ** -9  # gradients this close (relative) are one value: the rule could hold


class ForgottenIndex(RuleWithInstance):
    """A rule for every w_{ij} whose right side names no i: one value for weights whose gradients differ."""

    def __init__(self, link: int, letter: str, explanation: str) -> None:
        NotUnderstood.__init__(self, f"a rule for every w whose right side names no {letter}")
        self.link = link
        self.explanation = explanation


def _indexed_by(name: str, letter: str) -> bool:
    """Whether a name of the right side is indexed by the letter (δ_j, O_j, w_jk, Oj, O(j); a sum's k)."""
    head, _, index = name.partition("_")
    return name == letter or letter in index or (not index and len(head) > 1 and head.endswith(letter))


def forgotten_index(claim: Claim, truth: Truth) -> ForgottenIndex | None:
    """The slip of a rule for every w_{ij} (its step or gradient on the left) whose right side names j, on a
    delta (delta_j: the receiving neuron's), and never i, where the network disproves it; None otherwise."""
    lefts = [claim.target.name, *(names_in(claim.left) if claim.left is not None else [])]
    found = next((m for n in lefts if (m := WEIGHT.fullmatch(n))), None)
    if found is None or found["i"] == found["j"] or not {found["i"], found["j"]} <= set(LETTERS):
        return None
    letters, weight = (found["i"], found["j"]), found["weight"]
    stepped = any("@" in n for n in lefts)
    if stepped and not _plain_descent(truth):
        return None  # Adam's first steps are near -eta sign(g): weights into one neuron may step alike
    for k, link in enumerate(claim.links, start=1):
        names = names_in(_step_of(link, weight) if claim.target.name.startswith(weight + "@") else link)
        named = [c for c in letters if any(_indexed_by(n, c) for n in names)]
        deltas = [c for c in named if any(re.fullmatch(rf"delta_{c}(?:_L\d+)?", n) for n in names)]  # the receiver's
        if len(named) == 1 and deltas:
            missing = next(c for c in letters if c not in named)
            return _disproved(truth, claim, k, missing, named[0])
        if named:
            return None  # both letters named: a rule this module does not judge
    return None


def _plain_descent(truth: Truth) -> bool:
    """Whether a step is -eta times the gradient: plain gradient descent, no momentum, no weight decay."""
    optimizer = truth.network.spec.training.optimizer
    return optimizer.name == "sgd" and optimizer.weight_decay == 0


def _step_of(link: Node, weight: str) -> Node:
    """The step of an update `w_ij - step` (or `+ step`): the weight itself names every index, the step
    need not; any other form as it is."""
    if isinstance(link, Binary) and link.op in "+-" and link.left == Name(weight):
        return link.right
    return link


def _disproved(truth: Truth, claim: Claim, link: int, missing: str, kept: str) -> ForgottenIndex | None:
    """The slip where every layer has a neuron two of whose incoming weights differ, in the claim's
    reading and in each sample's (a rule may be meant for one sample, whose inputs may be equal)."""
    readings = [claim.sample] if claim.sample is not None else [None, *truth.samples]
    found = [_differing_everywhere(truth, sample) for sample in readings]
    if any(f is None for f in found):
        return None  # a layer (or a sample) where the rule could hold: it may be the one meant
    (a, b), neuron, grads = found[0]  # type: ignore[misc]
    return ForgottenIndex(link, missing, (
        f"notation: the right side names {kept} (as its delta's neuron, the weight's receiving one) and no "
        f"{missing}: it gives every weight into one neuron the same value, but {a} and {b}, both into {neuron}, "
        f"differ (dE/d{a} = {show(grads[a], 6).text}, dE/d{b} = {show(grads[b], 6).text})"))


def _differing_everywhere(truth: Truth, sample: str | None) -> tuple[tuple[str, str], str, dict[str, Real]] | None:
    """The output layer's differing pair where every layer has one at this sample, else None."""
    grads = _gradients(truth, sample)
    layers = sorted({p.layer for p in truth.network.params if p.kind == "weight"}, reverse=True)
    pairs = [_differing(truth, grads, layer) for layer in layers] if grads is not None and layers else [None]
    if grads is None or pairs[0] is None or any(pair is None for pair in pairs):
        return None
    return (*pairs[0], grads)


def _gradients(truth: Truth, sample: str | None) -> dict[str, Real] | None:
    """dE/dw of each weight of a dense network at the claim's sample, None where one is not known."""
    network = truth.network
    if network.graph is not None:
        return None
    found = {}
    for p in network.params:
        if p.kind == "weight":
            try:
                found[p.name] = truth.value(f"d:{network.e_total.name}/{p.name}", sample)
            except Unknown:
                return None
    return found


def _differing(truth: Truth, grads: dict[str, Real], layer: int) -> tuple[tuple[str, str], str] | None:
    """Two weights of a layer into one neuron whose gradients differ, with that neuron; None if none."""
    groups: dict[str, list[str]] = {}
    for p, usages in zip(truth.network.params, truth.network.usages):
        if p.kind == "weight" and p.layer == layer and len(usages) == 1 and isinstance(usages[0].dnet, Symbol):
            groups.setdefault(usages[0].neuron.name, []).append(p.name)
    for neuron, members in groups.items():
        for a in members:
            for b in members:
                if abs(grads[a] - grads[b]) > SAME * max(abs(grads[a]), abs(grads[b])):
                    return (a, b), neuron
    return None


__all__ = ["ForgottenIndex", "forgotten_index"]
