"""Optimizers: the rules against their own formulas, an independent computation and torch.optim."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import pytest

from derive.code import verify
from derive.maths import derivation, optimizers
from derive.maths.numeric import Trainer, evaluate
from derive.model import network, spec
from derive.model.precision import CTX
from tests.code.test_codegen import torch_loss
from tests.helpers import oracle_net, param_values
from tests.oracle import loss, mp

PRESETS = ("mazur", "gender", "xor3", "textbook")
# (optimizer, its keys): every rule, L2 and decoupled decay, decayed biases
CONFIGS = {
    "sgd-l2": {"optimizer": "sgd", "weight_decay": Decimal("0.01")},
    "momentum": {"optimizer": "momentum", "momentum": Decimal("0.9")},
    "nesterov": {"optimizer": "nesterov", "momentum": Decimal("0.8"), "weight_decay": Decimal("0.01")},
    "adam": {"optimizer": "adam"},
    "adam-l2": {"optimizer": "adam", "weight_decay": Decimal("0.01"), "decay_biases": True},
    "adamw": {"optimizer": "adam", "beta1": Decimal("0.8"), "beta2": Decimal("0.99"),
              "weight_decay": Decimal("0.1"), "decay": "decoupled"},
}


def with_optimizer(base: spec.Spec, keys: dict, rate: Decimal | None = None) -> spec.Spec:
    """`base` with its [training] table's optimizer keys replaced (validated as a spec file is)."""
    opt = spec.OptimizerSpec(**{("name" if k == "optimizer" else k): v for k, v in keys.items()})
    training = dataclasses.replace(base.training, optimizer=opt,
                                   learning_rate=rate if rate is not None else base.training.learning_rate)
    return dataclasses.replace(base, training=training)


def test_numeric_rules_follow_their_formulas() -> None:
    """Each rule's numbers are its stated formulas evaluated, at t = 1 and t = 3 from a non-zero state."""
    h = optimizers.Settings(*(CTX.mpf(x) for x in ("0.1", "0.9", "0.8", "0.95", "1e-3", "0")), False)
    S = optimizers.SYMBOLS
    for opt in optimizers.OPTIMIZERS.values():
        for t, state in ((1, (CTX.zero,) * len(opt.state)), (3, tuple(CTX.mpf(x) for x in ("0.3", "0.04")[:len(opt.state)]))):
            g = CTX.mpf("-0.7")
            values = {S["g"]: g, S["eta"]: h.eta, S["mu"]: h.momentum, S["beta1"]: h.beta1, S["beta2"]: h.beta2,
                      S["epsilon"]: h.epsilon, S["t"]: CTX.mpf(t)}
            values.update({S[f"{name}_prev"]: v for name, v in zip(opt.state, state)})
            for name, formula in opt.formulas:
                values[S[name]] = evaluate(formula, values)
            new_state, corrected, step = opt.advance(h, state, g, t)
            formula_values = [values[S[n]] for n in opt.state + opt.corrected + ("step",)]
            for a, b in zip(formula_values, [*new_state, *corrected, step], strict=True):
                assert abs(a - b) < CTX.mpf(10) ** -45


def hand_adam(rate: object, grads: list, beta1="0.9", beta2="0.999", eps="1e-8") -> tuple:
    """Adam on one parameter, written from Kingma and Ba's algorithm 1: (m, v, mhat, vhat, step) per update."""
    b1, b2, e = mp.mpf(beta1), mp.mpf(beta2), mp.mpf(eps)
    m = v = mp.mpf(0)
    rows = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        rows.append((m, v, mhat, vhat, rate * mhat / (mp.sqrt(vhat) + e)))
    return tuple(rows)


def oracle_gradient(s: spec.Spec, values: dict, name: str) -> object:
    """Central difference of the oracle's loss of the first sample (error ~1e-40)."""
    h = mp.mpf(10) ** -20
    up, down = dict(values), dict(values)
    up[name] += h
    down[name] -= h
    sample = s.samples[0]
    return (loss(oracle_net(s, up), sample.inputs, sample.targets)
            - loss(oracle_net(s, down), sample.inputs, sample.targets)) / (2 * h)


def test_first_two_adam_updates_of_mazur_by_hand() -> None:
    """w5's first two Adam updates: gradients from the oracle, the rule from the paper, written out here."""
    s = with_optimizer(spec.load_preset("mazur"), {"optimizer": "adam"}, Decimal("0.01"))
    d = derivation.build(network.build(s), (1,))
    values = param_values(s)
    names = [p.name for p in d.network.params]
    g1 = {n: oracle_gradient(s, values, n) for n in names if n.startswith("w")}
    first = {n: hand_adam(mp.mpf("0.01"), [g1[n]])[0] for n in g1}
    after = dict(values)
    after.update({n: values[n] - first[n][4] for n in g1})
    g2 = oracle_gradient(s, after, "w5")
    rows = hand_adam(mp.mpf("0.01"), [g1["w5"], g2])
    moves = [d.moves[k][names.index("w5")] for k in range(2)]
    for row, move in zip(rows, moves):
        got = (*move.state, *move.corrected, move.step)
        assert all(abs(a - b) <= mp.mpf(10) ** -30 * max(abs(b), 1) for a, b in zip(got, row))
    assert abs(moves[1].new - (values["w5"] - rows[0][4] - rows[1][4])) < mp.mpf(10) ** -30
    # the first step of Adam is eta times the sign of the gradient, to within epsilon
    assert abs(moves[0].step - mp.mpf("0.01")) < mp.mpf("0.01") * mp.mpf("1e-8") / abs(g1["w5"])


def test_frozen_and_undecayed_parameters() -> None:
    s = with_optimizer(spec.load_preset("textbook"), {"optimizer": "adam", "weight_decay": Decimal("0.5")})
    net = network.build(s)
    mask = optimizers.decayed(net)
    assert [p.name for p, m in zip(net.params, mask) if m] == [p.name for p in net.params if p.kind == "weight"]
    frozen = network.build(with_optimizer(spec.load_preset("mazur"), {"optimizer": "adam"}))
    moves = Trainer(frozen).trace(2)[1]
    assert [(p.name, m.new) for p, m in zip(frozen.params, moves) if not m.state] == \
        [("b1", CTX.mpf("0.35")), ("b2", CTX.mpf("0.60"))]


def torch_trained(s: spec.Spec, steps: int) -> list[float]:
    """`steps` updates by torch.optim in float64: weight decay in its own parameter group."""
    torch = pytest.importorskip("torch")
    net = network.build(s)
    module_inputs = np.array([[float(x) for x in sm.inputs] for sm in s.samples])
    module_targets = np.array([[float(x) for x in sm.targets] for sm in s.samples])
    flat = [float(p.initial) for p in net.params]
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in verify.to_arrays(net, flat).items()}
    optimizer = _torch_optimizer(torch, s, net, tensors)
    for number in range(1, steps + 1):
        rows = slice(None) if s.training.update == "batch" else slice((number - 1) % len(s.samples),
                                                                      (number - 1) % len(s.samples) + 1)
        optimizer.zero_grad()
        torch_loss(torch, net, tensors, module_inputs[rows], module_targets[rows]).backward()
        optimizer.step()
    return verify.from_arrays(net, {k: t.detach().numpy() for k, t in tensors.items()})


def _torch_optimizer(torch: object, s: spec.Spec, net: network.Network, tensors: dict) -> object:
    opt = s.training.optimizer
    frozen = {f"b{l}" for l, layer in enumerate(s.layers, start=1) if layer.bias.mode != "none" and not layer.bias.trainable}
    decayed = [t for k, t in tensors.items() if k not in frozen and (k.startswith("W") or opt.decay_biases)]
    rest = [t for k, t in tensors.items() if k not in frozen and not (k.startswith("W") or opt.decay_biases)]
    groups = [{"params": decayed, "weight_decay": float(opt.weight_decay)}, {"params": rest, "weight_decay": 0.0}]
    groups = [g for g in groups if g["params"]]
    rate = float(s.training.learning_rate)
    if opt.name in ("sgd", "momentum", "nesterov"):
        momentum = float(opt.momentum) if opt.name != "sgd" else 0.0
        return torch.optim.SGD(groups, lr=rate, momentum=momentum, nesterov=opt.name == "nesterov")
    kind = torch.optim.AdamW if opt.decay == "decoupled" else torch.optim.Adam
    return kind(groups, lr=rate, betas=(float(opt.beta1), float(opt.beta2)), eps=float(opt.epsilon))


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("preset", PRESETS)
def test_agrees_with_torch_optim_for_100_steps(preset: str, config: str) -> None:
    s = with_optimizer(spec.load_preset(preset), CONFIGS[config])
    want = torch_trained(s, 100)
    (_, got), = Trainer(network.build(s)).train(Trainer(network.build(s)).initial(), [100])
    np.testing.assert_allclose([float(x) for x in got], want, rtol=1e-9, atol=1e-12)


def test_decoupled_momentum_by_hand() -> None:
    """Decoupled decay with momentum (no torch counterpart): p - eta lambda p - eta m, by hand."""
    s = with_optimizer(spec.load_preset("mazur"), {"optimizer": "momentum", "weight_decay": Decimal("0.1"),
                                                   "decay": "decoupled"})
    d = derivation.build(network.build(s), (1,))
    names = [p.name for p in d.network.params]
    values = param_values(s)
    eta, mu, lam = mp.mpf("0.5"), mp.mpf("0.9"), mp.mpf("0.1")
    g1 = oracle_gradient(s, values, "w1")
    m1 = g1
    after = dict(values)
    for n in names:
        if n.startswith("w"):
            after[n] = values[n] - eta * lam * values[n] - eta * oracle_gradient(s, values, n)
    m2 = mu * m1 + oracle_gradient(s, after, "w1")
    move = d.moves[1][names.index("w1")]
    assert abs(move.state[0] - m2) < mp.mpf(10) ** -30
    assert abs(move.new - (after["w1"] - eta * lam * after["w1"] - eta * m2)) < mp.mpf(10) ** -30


def test_iterations_follow_the_optimizer() -> None:
    """The derivation's history (the iterations table, the loss curve) is trained by the spec's optimizer."""
    s = spec.load_preset("mazuradam")
    d = derivation.build(network.build(s), (2, 100))
    np.testing.assert_allclose([float(x) for x in d.history[-1].params], torch_trained(s, 100), rtol=1e-9)
    assert [u.new for u in d.updates] == [m.new for m in d.moves[0]]  # the notes' first update is Adam's


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_training_path_equals_the_worked_moves(config: str) -> None:
    """`Stepper.step` (training) and `Stepper.moves` (the notes' working) give the same numbers exactly."""
    net = network.build(with_optimizer(spec.load_preset("textbook"), CONFIGS[config]))
    trainer = Trainer(net)
    moves = trainer.trace(3)
    (_, trained), = trainer.train(trainer.initial(), [3])
    assert [m.new for m in moves[-1]] == trained
