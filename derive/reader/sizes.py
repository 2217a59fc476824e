"""A layer's size stated by the names courses give it (`n_x = 2`, `n_h = 2`, `n_y = 1`, `n_0 = 2`, `n^{[1]} = 3`):
judged against the network's layers. The inputs count as layer 0 (`n_0`, `n^{[0]}`, as the courses that write
`n^{[l]}` count); a numbered size that does not fit that count may count another way, so it cannot be checked.
(`m = 1`, the number of samples, is judged as a name of the person's that later steps use: check/judging.py.)"""

from __future__ import annotations

import re

from derive.check.claims import Claim, Num
from derive.check.verdicts import Verdict
from derive.model.network import Network
from derive.model.precision import CTX

# The letters after `n_` that name one layer whatever the network: the inputs and the outputs.
NAMED = {"x": 0, "in": 0, "input": 0, "inputs": 0, "y": -1, "out": -1, "output": -1, "outputs": -1}
HIDDEN = ("h", "hidden")  # the hidden layer, where there is one
_NUMBERED = re.compile(r"n_?(?:L)?(\d{1,2})")


def size_verdict(claim: Claim, network: Network) -> Verdict | None:
    """The verdict on `n_x = 2` and its kin (a claim of one whole number about a layer's size), else None."""
    if claim.left is not None or len(claim.links) != 1 or not isinstance(claim.links[0], Num) or \
            not re.fullmatch(r"\d{1,4}", claim.links[0].text):
        return None
    sizes, name, written = network.sizes(), claim.target.name, int(claim.links[0].text)
    layer, numbered = _layer(name, len(sizes))
    if layer is None:
        return None
    right = sizes[layer]
    what = f"layer {layer} of the network has {right} neuron{'s' * (right != 1)} (the inputs counting as layer 0)"
    if written == right:
        return _verdict(claim, "correct", right, written, what)
    if numbered:  # n_1 may count the inputs as layer 1: which count is meant is not told
        return _verdict(claim, "cannot check", right, written, f"{what}; {name} may count the layers otherwise")
    return _verdict(claim, "wrong", right, written, what)


def _layer(name: str, count: int) -> tuple[int | None, bool]:
    """The layer a size's name says (its index into the network's sizes), and whether it says so by a number."""
    if name.startswith("n_") and name[2:] in NAMED:
        return NAMED[name[2:]] % count, False
    if name.startswith("n_") and name[2:] in HIDDEN:
        return (1 if count == 3 else None), False  # n_h of a network of several hidden layers names none
    numbered = _NUMBERED.fullmatch(name)
    if numbered is not None and int(numbered.group(1)) < count:
        return int(numbered.group(1)), True
    return None, False


def _verdict(claim: Claim, status: str, right: int, written: int, reason: str) -> Verdict:
    return Verdict(claim.line, claim.text, 1, status, CTX.mpf(right), CTX.mpf(written), reason)
