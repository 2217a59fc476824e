"""The classic example: the acceptance numbers, and an independent computation of the update."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from tests.oracle import Net, forward, loss, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")))


def nine(x: object) -> str:
    return show(x, 9).text


def hand_net(w: list) -> Net:
    """The 2-2-2 network written out by hand: w1..w8, b1 = 0.35, b2 = 0.60."""
    return Net([2, 2, 2], ["sigmoid", "sigmoid"], [[[w[0], w[1]], [w[2], w[3]]], [[w[4], w[5]], [w[6], w[7]]]],
               [[mp.mpf("0.35")] * 2, [mp.mpf("0.60")] * 2], "half_sse")


INPUTS, TARGETS = ["0.05", "0.10"], ["0.01", "0.99"]
W0 = [mp.mpf(x) for x in ["0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50", "0.55"]]


def hand_gradients(w: list) -> list:
    """Central differences of the hand-written loss (error ~1e-40, far below 9 digits)."""
    h = mp.mpf(10) ** -20
    grads = []
    for i in range(8):
        up, down = list(w), list(w)
        up[i] += h
        down[i] -= h
        grads.append((loss(hand_net(up), INPUTS, TARGETS) - loss(hand_net(down), INPUTS, TARGETS)) / (2 * h))
    return grads


def test_acceptance_numbers_of_the_forward_pass(mazur: derivation.Derivation) -> None:
    outs = {s.neuron.name: s for s in mazur.first.forward}
    assert nine(outs["h1"].out) == "0.593269992"
    assert nine(outs["h2"].out) == "0.596884378"
    assert nine(outs["o1"].net) == "1.10590597"  # 1.105905967 to 10 digits
    assert nine(outs["o1"].out) == "0.75136507"
    assert nine(outs["o2"].out) == "0.772928465"
    assert nine(mazur.first.total) == "0.298371109"


def written(x: object, claimed: str) -> bool:
    """True when `x` rounds to `claimed` at the significant digits `claimed` was written with."""
    digits = len(claimed.lstrip("-0.").replace(".", ""))
    return show(x, digits).text == claimed.rstrip("0")


def test_acceptance_numbers_of_the_update(mazur: derivation.Derivation) -> None:
    grads = {g.param.name: g.value for g in mazur.first.gradients}
    assert written(grads["w5"], "0.082167041")
    new = {u.param.name: u.new for u in mazur.updates}
    claims = {"w5": "0.35891648", "w6": "0.408666186", "w7": "0.511301270", "w8": "0.561370121",
              "w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114", "w4": "0.29950229"}
    assert {k: written(new[k], v) for k, v in claims.items()} == {k: True for k in claims}
    assert nine(new["b1"]) == "0.35" and nine(new["b2"]) == "0.6"  # frozen biases stay
    assert nine(mazur.error_after) == "0.291027774"  # not the seed's 0.291027924
    assert not written(mazur.error_after, "0.291027924")


def test_everything_agrees_with_a_hand_written_computation(mazur: derivation.Derivation) -> None:
    grads = hand_gradients(W0)
    engine = {g.param.name: g.value for g in mazur.first.gradients}
    for i, g in enumerate(grads):
        assert abs(engine[f"w{i + 1}"] - g) < mp.mpf(10) ** -35
    stepped = [w - mp.mpf("0.5") * g for w, g in zip(W0, grads)]
    assert abs(mazur.error_after - loss(hand_net(stepped), INPUTS, TARGETS)) < mp.mpf(10) ** -35
    outs = forward(hand_net(W0), INPUTS)
    engine_outs = {s.neuron.name: s.out for s in mazur.first.forward}
    assert abs(engine_outs["o2"] - outs[2][1]) < mp.mpf(10) ** -40


def test_iterations_agree_with_hand_written_training(mazur: derivation.Derivation) -> None:
    w = list(W0)
    for _ in range(10):
        w = [x - mp.mpf("0.5") * g for x, g in zip(w, hand_gradients(w))]
    ten = next(h for h in mazur.history if h.step == 10)
    assert abs(ten.error - loss(hand_net(w), INPUTS, TARGETS)) < mp.mpf(10) ** -30
    assert [h.step for h in mazur.history] == [1, 10, 100, 1000, 10000]
