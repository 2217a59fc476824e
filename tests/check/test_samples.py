"""Claims on a network of several samples: which sample (or the batch) a name means, and saying so."""

from __future__ import annotations

import pytest

from derive.check import checker
from derive.maths import derivation
from derive.model import network, spec
from tests.oracle import Net, forward, mp


@pytest.fixture(scope="module")
def xor3() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("xor3")), history_steps=(1,))


def hand(d: derivation.Derivation) -> list[dict[str, object]]:
    """Per sample: out_h1, out_y1, E_total and dE_total/dw16, from the test's own forward pass (3-5-1 sigmoid,
    no biases, half the squared error); only the drawn weights are taken from the network."""
    w = [mp.mpf(str(p.initial)) for p in d.network.params]
    net = Net([3, 5, 1], ["sigmoid", "sigmoid"], [[w[3 * h:3 * h + 3] for h in range(5)], [w[15:20]]],
              [[0] * 5, [0]], "half_sse")
    found = []
    for s in d.network.spec.samples:
        outs = forward(net, list(s.inputs))
        o, t = outs[2][0], mp.mpf(str(s.targets[0]))
        found.append({"out_h1": outs[1][0], "out_y1": o, "E_total": (t - o) ** 2 / 2,
                      "dw16": (o - t) * o * (1 - o) * outs[1][0]})
    return found


def nine(x: object) -> str:
    return mp.nstr(x, 9, strip_zeros=False)


def statuses(d: derivation.Derivation, text: str) -> list[str]:
    return [v.status for v in checker.check_text(d, text).verdicts]


def test_a_sample_is_named_in_brackets(xor3: derivation.Derivation) -> None:
    values = hand(xor3)
    lines = [f"out_y1[s{k + 1}] = {nine(v['out_y1'])}\ndE_total/dw16[s{k + 1}] = {nine(v['dw16'])}\n"
             f"E_total[s{k + 1}] = {nine(v['E_total'])}" for k, v in enumerate(values)]
    assert statuses(xor3, "\n".join(lines)) == ["correct"] * 12
    # the second sample's number is wrong for the third
    assert statuses(xor3, f"out_y1[s3] = {nine(values[1]['out_y1'])}") == ["wrong"]


def test_a_line_naming_a_sample_sets_it_for_the_lines_after(xor3: derivation.Derivation) -> None:
    s2 = hand(xor3)[1]
    text = (f"[s2]\nout_y1 = {nine(s2['out_y1'])}\ndE_total/dw16 = {nine(s2['dw16'])}\n"
            f"dE_total/dw16 = (out_y1 - target_y1)*out_y1*(1 - out_y1)*out_h1\n[]\nout_y1 = {nine(s2['out_y1'])}")
    report = checker.check_text(xor3, text)
    assert [v.status for v in report.verdicts] == ["correct", "correct", "correct", "wrong"]
    assert [v.reading for v in report.verdicts][:3] == ["at sample s2"] * 3


def test_the_default_readings_on_a_batch_network(xor3: derivation.Derivation) -> None:
    values = hand(xor3)
    batch_gradient = mp.fsum(v["dw16"] for v in values)  # reduction = "sum"
    batch_error = mp.fsum(v["E_total"] for v in values)
    text = "\n".join([
        f"dE_total/dw16 = {nine(batch_gradient)}",
        f"E_total = {nine(batch_error)}",
        f"E_total@0 = {nine(batch_error)}",
        f"out_y1 = {nine(values[0]['out_y1'])}",
        # formulas in one sample's quantities for a batch quantity: taken at every sample and summed
        "dE_total/dw16 = (out_y1 - target_y1)*out_y1*(1 - out_y1)*out_h1",
        "dE_total/dw16 = delta_y1*out_h1",
        "E_total = 1/2*(target_y1 - out_y1)^2",
        "E_total = E_y1",
    ])
    report = checker.check_text(xor3, text)
    assert [v.status for v in report.verdicts] == ["correct"] * 8
    readings = [v.reading for v in report.verdicts]
    assert readings[0] == "the batch's, summed over its 4 samples (name one: dE_total/dw16[s1])"
    assert readings[1].startswith("the batch's")
    assert readings[3] == "at sample s1, the first (name another: out_y1[s4])"
    assert "reading: the batch's, summed over its 4 samples" in checker.to_text(report, 9)


def test_a_sample_the_network_does_not_have(xor3: derivation.Derivation) -> None:
    report = checker.check_text(xor3, "out_y1[s5] = 0.5\nw16[s1] = 1")
    assert report.verdicts[0].status == "cannot check" and "no sample 's5'" in report.verdicts[0].reason
    assert report.verdicts[1].status == "wrong"


def test_one_sample_networks_say_nothing_of_samples() -> None:
    mazur = derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))
    report = checker.check_text(mazur, "out_o1 = 0.75136507\nout_o1[s1] = 0.75136507\nE_total@1 = 0.291027774")
    assert [v.status for v in report.verdicts] == ["correct"] * 3
    assert [v.reading for v in report.verdicts] == ["", "", ""]
