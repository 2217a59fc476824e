"""Every activation and loss, SGD and full batch: the engine's gradients and its errors after a few
updates equal an independent reference, training at 120 digits by central differences of the oracle's
loss (tests/oracle.py), which shares no code with the engine."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from tests.helpers import oracle_net, param_values
from tests.networks import HIDDEN, OUTPUTS, kind
from tests.oracle import loss, mp

CASES = [(h, o, l, u) for h in HIDDEN for o, l in OUTPUTS for u in ("sgd", "batch")]


def _oracle_errors(s: spec.Spec, steps: int) -> list[object]:
    """The dataset error after 1..`steps` updates, by the spec's update rule, at 120 digits."""
    samples = [(x.inputs, x.targets) for x in s.samples]
    mean = s.training.reduction == "mean"
    with mp.workdps(120):
        values = {k: mp.mpf(str(v)) for k, v in param_values(s).items()}
        eta, h = mp.mpf(str(s.training.learning_rate)), mp.mpf(10) ** -40

        def total(vals: dict, rows: list) -> object:
            e = mp.fsum(loss(oracle_net(s, vals), x, t) for x, t in rows)
            return e / len(rows) if mean else e

        errors = []
        for n in range(1, steps + 1):
            rows = samples if s.training.update == "batch" else [samples[(n - 1) % len(samples)]]
            grads = {}
            for name in values:
                up, down = dict(values), dict(values)
                up[name] += h
                down[name] -= h
                grads[name] = (total(up, rows) - total(down, rows)) / (2 * h)
            values = {k: v - eta * grads[k] for k, v in values.items()}
            errors.append(total(values, samples))
        return errors


@pytest.mark.parametrize("hidden,output,loss_name,update", CASES)
def test_each_kind_agrees_with_a_120_digit_reference(hidden: str, output: str, loss_name: str, update: str) -> None:
    doc = kind(hidden, output, loss_name, update, "mean" if update == "batch" else "sum")
    s = spec.from_mapping(doc, "<kind>", "kind")
    d = derivation.build(network.build(s))
    want = _oracle_errors(s, 3)
    for h, w in zip(d.history, want):
        assert abs(h.error - w) <= abs(w) * mp.mpf(10) ** -30, (h.step, h.error, w)
