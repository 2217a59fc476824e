"""Gradient descent stated for every parameter in a letter of its own (`W_{new} = W_{old} - \\eta \\nabla W`,
`\\theta \\leftarrow \\theta - \\eta \\nabla_\\theta L`, `\\Delta w = -\\eta \\partial E / \\partial w`): the claims of
its instances, one for each trainable parameter of the kind its letter names (w, W: the weights; b: the
biases; theta: every parameter), the letter alone or with index letters (`w_{ij}`, `W_i`: each of them). A
rule is read only where its letter is no name of the network, it writes the gradient by that letter, and the
letter (or its step) stands on the left: `W_{new} = W_{old} - \\eta \\delta_O H`, which names no gradient, is
not one."""

from __future__ import annotations

import re

from derive.model.network import Network

# a generic parameter's letter, and the kinds of parameter it stands for
LETTERS = {"w": ("weight",), "W": ("weight",), "theta": ("weight", "bias"), "b": ("bias",)}
MAX_PARAMETERS = 64  # a rule is shown at each instance: more would bury the document's own lines


def _alone(letter: str) -> str:
    return rf"(?<![A-Za-z0-9_]){letter}(?![A-Za-z0-9_(])"


# the loss as people name it on top of a gradient: E, L, J, C, loss, cost, E_total (never net, out or E_o1)
LOSS = r"(?:[ELJC]|E_total|[Ll]oss|[Cc]ost|[Ee]rror)"


def _gradient(letter: str) -> re.Pattern[str]:
    """`d(L)/d(W)` (the loss on top), or `nabla_ * W`, `nabla_W` (`\\nabla W`: the loss's gradient by W)."""
    return re.compile(rf"d\({LOSS}\)/d\({letter}\)|nabla_\s*(?:\*\s*)?{letter}(?![A-Za-z0-9_(])")


def letter_of(text: str, network: Network) -> str | None:
    """The one generic letter a chain states gradient descent for (with index letters for every entry, `w_ij`,
    `W_i`, or none), else None."""
    own = {p.name for p in network.params} | {str(s) for s in network.inputs}
    left = text.split(" = ")[0].strip()
    head = re.fullmatch(r"(?:Delta_)?([A-Za-z]+(?:_[ijklmn]{1,2})?)(?:@1)?", left)
    letter = head.group(1) if head else ""
    if letter.partition("_")[0] not in LETTERS or letter in own or not _gradient(letter).search(text):
        return None
    return letter


def instances(text: str, network: Network) -> list[tuple[str, str]]:
    """The chain's claims at every parameter its letter stands for, each with that parameter; none where it
    states no such rule."""
    letter = letter_of(text, network)
    if letter is None:
        return []
    params = [p.name for p in network.params if p.trainable and p.kind in LETTERS[letter.partition("_")[0]]]
    if not params or len(params) > MAX_PARAMETERS:
        return []
    left, _, right = text.partition(" = ")
    if left.strip() == letter and re.search(_alone(letter), right):
        left = f"{letter}@1"  # W = W - eta dL/dW: written in place, the left side is the value after
    general = _gradient(letter).sub(f"d(E_total)/d({letter})", f"{left.strip()} = {right}")
    return [(p, re.sub(_alone(letter), p, general.replace(f"Delta_{letter}", f"Delta_{p}"))) for p in params]
