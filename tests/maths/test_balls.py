"""The arb-ball route of the iterations against independent trainings: its balls hold a 150-digit
training's values at every reported step, and where it is taken the notes are the 50-digit route's
byte for byte."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from flint import arb, ctx

from derive.maths import balls, derivation
from derive.maths.balls import PRECISION, BallTrainer, ball_errors
from derive.maths.enclosure import fast_errors
from derive.maths.numeric import Trainer, precise_errors
from derive.model import network, spec
from derive.model.precision import CTX, show
from derive.notes.files import CURVE_DIGITS, curve_steps
from tests.helpers import random_spec_data
from tests.networks import layer, one_weight
from tests.networks import network as network_doc

REFERENCE_DIGITS = 150


def _inside(ball: arb, value: object) -> bool:
    """Whether an mpf lies in the ball: its binary value, exactly, as an arb (at a precision that
    holds every bit of it)."""
    sign, man, exp, _ = value._mpf_
    with ctx.workprec(max(int(man).bit_length(), 1) + 64):
        exact = (-1) ** sign * arb(int(man)) * arb(2) ** exp
        assert exact.is_exact()
        return bool(ball.contains(exact))


def _held(net: network.Network, steps: list[int]) -> None:
    """Every reported error and parameter of the balls holds a 150-digit training's."""
    with CTX.workdps(REFERENCE_DIGITS):
        reference = Trainer(net)
        wanted = [(step, params, reference.dataset_error(params))
                  for step, params in reference.train(reference.initial(), steps)]
    with ctx.workprec(PRECISION):
        trainer = BallTrainer(net)
        for (step, params), (_, want, error) in zip(trainer.train(steps), wanted):
            assert all(_inside(p, w) for p, w in zip(params, want)), step
            try:
                ball = trainer.dataset_error(params)
            except balls.Unproven:  # an output within the 50-digit route's noise: no claim
                continue
            assert _inside(ball, error), step


@pytest.mark.parametrize("name", [n for n in spec.preset_names() if spec.load_preset(n).structure is None])
def test_every_preset_is_proven_and_held_at_every_reported_step(name: str) -> None:
    net = network.build(spec.load_preset(name))
    steps = [s for s in curve_steps(net.spec.training.steps) if s > 1]
    found = ball_errors(net, steps, 9)
    assert found is not None
    exact = precise_errors(net, steps)
    for f, e in zip(found, exact):
        assert show(f.error, 9) == show(e.error, 9) and (f.step, f.resolved, f.digits) == (e.step, e.resolved, e.digits)
    _held(net, steps)


@pytest.mark.parametrize("name", ["gender", "xor3", "mazuradam"])
def test_notes_from_the_balls_are_the_50_digit_notes_byte_for_byte(name: str) -> None:
    from derive.notes import files
    from derive.notes.request import NotesRequest

    net = network.build(spec.load_preset(name))
    history = curve_steps(net.spec.training.steps)
    assert fast_errors(net, [s for s in history if s > 1], 9) is None  # the float64 route gives up on them
    request = NotesRequest(("md", "tex", "html"))
    proven = derivation.build(net, history_steps=history, shown_digits=max(9, CURVE_DIGITS))
    exact = derivation.build(net, history_steps=history)
    assert [h.error for h in proven.history] != [h.error for h in exact.history]  # not the 50-digit route
    assert files.files(proven, request) == files.files(exact, request)


def _random(seed: int, optimizer: dict | None = None) -> network.Network:
    data = random_spec_data(random.Random(seed))
    data["training"]["steps"] = [1, 2, 5, 20]
    data["training"].update(optimizer or {})
    return network.build(spec.from_mapping(data, "<random>", "random"))


OPTIMIZERS = [None, {"optimizer": "momentum"}, {"optimizer": "nesterov", "weight_decay": Decimal("0.01")},
              {"optimizer": "adam"}, {"optimizer": "adam", "weight_decay": Decimal("0.1"), "decay": "decoupled"}]


@pytest.mark.parametrize("seed", range(15))
def test_random_networks_of_every_kind_are_held_by_their_balls(seed: int) -> None:
    net = _random(seed, OPTIMIZERS[seed % len(OPTIMIZERS)])
    try:
        _held(net, [1, 2, 5, 20])
    except balls.Unproven:  # a relu input within its radius of 0: the route says nothing
        pass


def test_a_first_precision_too_low_is_raised_to_what_the_loss_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    net = network.build(spec.load_preset("xor3"))
    steps = [s for s in curve_steps(net.spec.training.steps) if s > 1]
    monkeypatch.setattr(balls, "PRECISION", 120)  # xor3 loses about 180 bits
    found = ball_errors(net, steps, 9)
    assert found is not None
    assert [show(r.error, 9) for r in found] == [show(r.error, 9) for r in precise_errors(net, steps)]
    monkeypatch.setattr(balls, "MAX_PRECISION", 150)
    assert ball_errors(net, steps, 9) is None


def test_an_error_within_the_working_precision_is_left_to_the_50_digit_route() -> None:
    # 0.1^(2n) of the error left after n updates: at 30 updates below what 50 digits resolve
    net = network.build(spec.from_mapping(one_weight([1, 30]), "<net>", "net"))
    assert ball_errors(net, [30], 9) is None
    assert precise_errors(net, [30])[0].digits > 50


def test_a_relu_at_its_kink_proves_nothing() -> None:
    # net = 0.1 - 0.1 = 0 exactly, but 0.1 is no binary number: its ball holds 0 without being it
    doc = network_doc(["1", "1"], ["0.5"], [layer(1, "relu", [["0.1", "-0.1"]], bias="none"),
                                            layer(1, "identity", [["1"]], bias="none")], steps=[1, 2, 3])
    net = network.build(spec.from_mapping(doc, "<net>", "net"))
    with ctx.workprec(PRECISION), pytest.raises(balls.Unproven):
        BallTrainer(net).dataset_error(BallTrainer(net).initial())
    assert ball_errors(net, [2, 3], 9) is None


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_networks_of_other_layer_kinds_take_the_50_digit_route(name: str) -> None:
    assert ball_errors(network.build(spec.load_preset(name)), [2, 10], 9) is None


def test_inputs_targets_and_a_learning_rate_of_exactly_0_or_1_are_left_out_of_the_code_but_not_the_values() -> None:
    from derive.maths import ballsource

    net = network.build(spec.load_preset("xor3"))  # inputs and targets 0 or 1, learning rate 1
    with ctx.workprec(PRECISION):
        trainer = BallTrainer(net)
        (update, given), params = trainer.updates[0], trainer.initial()
        plain = [([None] * len(x), [None] * len(t)) for x, t in trainer.samples]
        text = ballsource.update_text(net, plain, trainer.mean, "eta")
        assert "* x0_s0" in text and "* x0_s0" not in ballsource.update_text(
            net, [([balls._literal(v) for v in x], [balls._literal(v) for v in t]) for x, t in trainer.samples],
            trainer.mean, "1")
        folded, full = update(params, trainer.eta, *given), ballsource.compiled(text, balls.HELPERS)(
            params, trainer.eta, *given)
    assert all(a.mid() == b.mid() and a.rad() <= b.rad() for a, b in zip(folded, full))
