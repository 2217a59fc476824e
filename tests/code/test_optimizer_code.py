"""Generated optimizer code: both styles against torch.optim and against the engine's 50-digit training."""

from __future__ import annotations

import numpy as np
import pytest

from derive.code import STYLES, codegen, verify
from derive.maths import derivation
from derive.maths.numeric import Trainer
from derive.model import network, spec
from derive.model.precision import show
from tests.helpers import run
from tests.maths.test_optimizers import CONFIGS, PRESETS, torch_trained, with_optimizer

STEPS = 100


def generated_trained(s: spec.Spec, style: str, steps: int) -> list[float]:
    """The generated module's own `train`, `steps` updates from its initial parameters, flat."""
    net = network.build(s)
    d = derivation.build(net, (1,)) if style == "scalar" else None
    source = codegen.generate(d, style) if d is not None else codegen.generate_vector(net)
    module = verify.load(source)
    params = module.train(module.initial_params(), steps)
    if style == "scalar":
        return [float(params[p.name]) for p in net.params]
    return verify.from_arrays(net, params)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("preset", PRESETS)
def test_generated_optimizer_agrees_with_torch_and_the_engine(preset: str, config: str, style: str) -> None:
    s = with_optimizer(spec.load_preset(preset), CONFIGS[config])
    got = generated_trained(s, style, STEPS)
    np.testing.assert_allclose(got, torch_trained(s, STEPS), rtol=1e-9, atol=1e-12)
    trainer = Trainer(network.build(s))
    (_, engine), = trainer.train(trainer.initial(), [STEPS])
    np.testing.assert_allclose(got, [float(x) for x in engine], rtol=1e-9, atol=1e-12)


def test_rules_printed_from_the_registry() -> None:
    s = with_optimizer(spec.load_preset("mazur"), CONFIGS["adamw"])
    code = codegen.generate_vector(network.build(s))
    for line in ('m[name] = BETA1*state["m"][name] + g*(1 - BETA1)', "vhat = v[name]/(1 - BETA2**t)",
                 "move = LEARNING_RATE*mhat/(EPSILON + np.sqrt(vhat))", 'DECAYED = ("W1", "W2", )',
                 "value = value - LEARNING_RATE * WEIGHT_DECAY * value", "BETA1 = 0.8"):
        assert line in code, line
    nesterov = codegen.generate_vector(network.build(with_optimizer(spec.load_preset("mazur"), CONFIGS["nesterov"])))
    assert "move = LEARNING_RATE*(g + m[name]*MOMENTUM)" in nesterov
    assert "g = grads[name] + WEIGHT_DECAY * value if name in DECAYED else grads[name]" in nesterov


def test_plain_descent_code_has_no_state() -> None:
    code = codegen.generate_vector(network.build(spec.load_preset("mazur")))
    assert "def step(params, X, Y):" in code and "initial_state" not in code and "OPTIMIZER" not in code


def test_a_wrong_generated_rule_is_refused() -> None:
    """The check `derive code` runs before writing: a generated rule with a slip in it is found."""
    net = network.build(with_optimizer(spec.load_preset("mazur"), CONFIGS["adam"]))
    d = derivation.build(net, (1,))
    source = codegen.generate_vector(net)
    assert verify.disagreements(d, source) == []
    slipped = source.replace("mhat = m[name]/(1 - BETA1**t)", "mhat = m[name]")
    assert slipped != source
    problems = verify.disagreements(d, slipped)
    assert problems and all("after 5 updates" in p for p in problems)


def test_derive_train_carries_the_state(capsys: pytest.CaptureFixture[str]) -> None:
    """`derive train` with Adam: its error after 100 updates is the engine's, to the 9 digits printed."""
    code, out, _ = run(["train", "mazuradam", "--steps", "100"], capsys)
    d = derivation.build(network.build(spec.load_preset("mazuradam")), (100,))
    assert code == 0 and f"updates 100: error {show(d.history[-1].error, 9).text}" in out
