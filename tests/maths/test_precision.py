"""Errors far below the working precision: trained again at higher precision and right to the digits
shown, or given as a bound; never noise printed as a number. Checked against independent computations:
an exact formula, and a 400-digit training by finite differences of the oracle's loss."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import CTX
from tests.helpers import oracle_net, param_values, run, write_spec
from tests.networks import one_weight, relu_chain, toml
from tests.oracle import loss, mp


def _derive(doc: dict) -> derivation.Derivation:
    return derivation.build(network.build(spec.from_mapping(doc, "<net>", "net")))


def _exact_one_weight(n: int) -> Fraction:
    """0.5 (t - w x)^2 after n updates of w <- w - 0.9 x (w x - t), x = 1: 0.02 * 0.1^(2n)."""
    return Fraction(1, 2) * (Fraction(2, 10) * Fraction(1, 10) ** n) ** 2


def _agrees(value: object, exact: Fraction, digits: int = 12) -> bool:
    return abs(Fraction(str(CTX.nstr(value, 30, min_fixed=1, max_fixed=0))) - exact) <= exact * Fraction(10) ** -digits


def test_an_error_below_the_working_precision_is_computed_at_more_digits() -> None:
    d = _derive(one_weight([1, 30, 80]))
    by_step = {h.step: h for h in d.history}
    for step in (1, 30, 80):
        assert by_step[step].resolved and _agrees(by_step[step].error, _exact_one_weight(step)), step
    assert by_step[80].digits > 50 and by_step[1].digits == 50


def test_an_error_no_precision_resolves_is_an_upper_bound() -> None:
    d = _derive(one_weight([400]))
    h = d.history[-1]
    assert not h.resolved
    exact = _exact_one_weight(400)  # 2e-802
    bound = Fraction(str(CTX.nstr(h.error, 5, min_fixed=1, max_fixed=0)))
    assert exact < bound < exact * Fraction(10) ** 100  # a bound, and not a vacuous one


def _oracle_training(doc: dict, steps: int) -> object:
    """The error after `steps` updates, trained at 400 digits with central differences of the
    oracle's loss (step 1e-150): no code shared with the engine."""
    s = spec.from_mapping(doc, "<net>", "net")
    sample = s.samples[0]
    eta = mp.mpf(str(s.training.learning_rate))
    with mp.workdps(400):
        values = {k: mp.mpf(str(v)) for k, v in param_values(s).items()}
        h = mp.mpf(10) ** -150

        def error(vals: dict) -> object:
            return loss(oracle_net(s, vals), sample.inputs, sample.targets)

        for _ in range(steps):
            grads = {}
            for name in values:
                up, down = dict(values), dict(values)
                up[name] += h
                down[name] -= h
                grads[name] = (error(up) - error(down)) / (2 * h)
            values = {k: v - eta * grads[k] for k, v in values.items()}
        return error(values)


def test_a_relu_chain_far_below_1e_50_agrees_with_a_400_digit_training() -> None:
    d = _derive(relu_chain([50, 100]))
    by_step = {h.step: h for h in d.history}
    for step in (50, 100):
        want = _oracle_training(relu_chain([step]), step)
        assert want < mp.mpf(10) ** -90
        assert by_step[step].resolved
        assert abs(by_step[step].error - want) <= abs(want) * mp.mpf(10) ** -12, (step, by_step[step].error, want)


def test_the_notes_and_the_checker_say_what_the_precision_cannot_resolve(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(one_weight([80, 400])))
    code, _, err = run(["render", str(path), "--format", "md", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    assert r"| 80 | $2 \times 10^{-162}$ |" in text  # 0.02 * 0.1^160, exactly
    assert "| 400 | $< " in text and "only the bound $b$ is known" in text
    claims = write_spec(tmp_path, "E_total@80 = 2e-162\nE_total@80 = 0\nE_total@400 = 0\n", "c.claims")
    code, out, _ = run(["check", str(path), str(claims)], capsys)
    lines = out.splitlines()
    assert lines[0].startswith("line 1: correct") and lines[1].startswith("line 2: wrong")
    assert lines[2].startswith("line 3: cannot check: below the working precision")
    assert code != 0
