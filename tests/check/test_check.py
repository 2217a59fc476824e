"""derive check: claims parsed safely, judged against an independent computation."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.check import checker, claims
from derive.check.truth import Truth, Unknown
from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.oracle import Net, forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


def verdicts(d: derivation.Derivation, text: str) -> list[str]:
    report = checker.check_text(d, text)
    return [v.status for v in report.verdicts] + ["refused"] * len(report.refused)


def hand_values() -> dict[str, object]:
    """The classic network's forward pass, written by hand in the test's own mpmath."""
    w = [mp.mpf(x) for x in ["0.15", "0.20", "0.25", "0.30", "0.40", "0.45", "0.50", "0.55"]]
    net = Net([2, 2, 2], ["sigmoid", "sigmoid"], [[[w[0], w[1]], [w[2], w[3]]], [[w[4], w[5]], [w[6], w[7]]]],
              [[mp.mpf("0.35")] * 2, [mp.mpf("0.60")] * 2], "half_sse")
    outs = forward(net, ["0.05", "0.10"])
    t = [mp.mpf("0.01"), mp.mpf("0.99")]
    e = [(t[k] - outs[2][k]) ** 2 / 2 for k in range(2)]
    return {"out_h1": outs[1][0], "out_h2": outs[1][1], "out_o1": outs[2][0], "out_o2": outs[2][1],
            "E_o1": e[0], "E_o2": e[1], "E_total": e[0] + e[1],
            "d:E_total/w5": (outs[2][0] - t[0]) * outs[2][0] * (1 - outs[2][0]) * outs[1][0]}


def nine(x: object) -> str:
    return mp.nstr(x, 9, strip_zeros=False)


def test_true_numbers_are_correct_and_one_wrong_digit_is_wrong(mazur: derivation.Derivation) -> None:
    values = hand_values()
    names = {"d:E_total/w5": "dE_total/dw5"}
    lines = [f"{names.get(k, k)} = {nine(v)}" for k, v in values.items()]
    assert verdicts(mazur, "\n".join(lines)) == ["correct"] * len(lines)
    for line in lines:
        head, _, number = line.partition(" = ")
        broken = number[:-2] + str((int(number[-2]) + 3) % 10) + number[-1]
        assert verdicts(mazur, f"{head} = {broken}") == ["wrong"], line


def test_truncated_digits_count_as_correct(mazur: derivation.Derivation) -> None:
    truth = hand_values()["out_o1"]  # 0.7513650695...
    truncated = mp.nstr(mp.floor(truth * 10**8) / 10**8, 8)
    assert verdicts(mazur, f"out_o1 = {truncated}\nout_o1 = 0.75136507\nout_o1 = 0.7513651") == ["correct"] * 3


def test_every_link_of_a_chain_is_checked(mazur: derivation.Derivation) -> None:
    text = "dE_total/dw5 = 0.74136507*0.186815602*0.593269992 = 0.082167041 = 0.0821671"
    assert verdicts(mazur, text) == ["correct", "correct", "wrong"]


def test_own_names_of_seed_002(mazur: derivation.Derivation) -> None:
    text = """
    R1 = -(target_o1 - out_o1)   # dE/dout_o1
    R3 = out_o1*(1 - out_o1)
    R5 = out_h1
    dE_total/dw5 = R1 * R3 * R5
    R9 = w5
    R2 = -(target_o2 - out_o2)
    R4 = out_o2*(1 - out_o2)
    R10 = w7
    R13 = R1 * R3 * R9 + R2 * R4 * R10
    dE_total/dout_h1 = R13
    dE_total/dw1 = R13 * out_h1*(1 - out_h1) * i1
    """
    assert verdicts(mazur, text).count("wrong") == 0
    assert verdicts(mazur, text.replace("R5 = out_h1", "R5 = out_h2")).count("wrong") == 1


def test_latex_claims(mazur: derivation.Derivation) -> None:
    text = r"""
    \frac{\partial E_{total}}{\partial w_5} = 0.082167041
    w_5^{+} = 0.35891648
    \mathrm{out}_{h1} = \frac{1}{1 + e^{-0.3775}} = 0.593269992
    \frac{\partial E_{total}}{\partial out_{o1}} = -(0.01 - 0.75136507) = 0.74136507
    """
    assert verdicts(mazur, text) == ["correct"] * 6


def test_values_after_training(mazur: derivation.Derivation) -> None:
    text = "E_total@1 = 0.291027774\nw5_new = 0.35891648\nE_total@1 = 0.291027924\nE_total@10 = 0.220918592"
    assert verdicts(mazur, text) == ["correct", "correct", "wrong", "correct"]


def test_unknown_names_cannot_be_checked(mazur: derivation.Derivation) -> None:
    text = "out_h9 = 1\ndE_total/dw99 = 2\nw9@1 = 3\nR1 = 2"
    assert verdicts(mazur, text) == ["cannot check", "cannot check", "cannot check", "defined"]


HOSTILE = [
    "x = __import__('os').system('touch /tmp/derive-pwned')",
    "x = ().__class__.__bases__[0].__subclasses__()",
    "x = 9**9**9**9",
    "x = 2^(10^10)",
    "x = " + "(" * 10_000 + "1" + ")" * 10_000,
    "x = " + "1+" * 5_000_000 + "1",
    "x = exp(exp(exp(1000)))",
    "x = lambda: 0",
    "x = 1; import os",
    "x = {}".format("\\input{/etc/passwd}"),
]


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_lines_are_refused_quickly_and_nothing_runs(mazur: derivation.Derivation, line: str) -> None:
    start = time.perf_counter()
    report = checker.check_text(mazur, line)
    assert time.perf_counter() - start < 1.0
    assert not Path("/tmp/derive-pwned").exists()
    statuses = [v.status for v in report.verdicts]
    assert report.refused or statuses in (["cannot check"], ["wrong"]), (report.refused, statuses)


LINE = st.text(alphabet=st.sampled_from(list("w5out_h1E_total@ d/.0123456789+-*/^()=eR\\frac{}partial#_[]'\"xπ∂")),
               max_size=80)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, min_size=20, max_size=20))
def test_fuzz_no_crash_other_than_a_clean_refusal(lines: list[str]) -> None:
    """500 examples of 20 lines: 10,000 generated lines, each parsed and judged or refused."""
    d = _cached()
    report = checker.check_text(d, "\n".join(lines))
    assert len(report.refused) + len({v.line for v in report.verdicts}) <= len(lines)


_CACHE: list[derivation.Derivation] = []


def _cached() -> derivation.Derivation:
    if not _CACHE:
        _CACHE.append(derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,)))
    return _CACHE[0]


def test_parser_limits() -> None:
    with pytest.raises(claims.ClaimError):
        claims.parse_line("x = " + "-" * 100 + "1", 1)
    with pytest.raises(claims.ClaimError):
        claims.parse_line("x = 2^17", 1)
    assert claims.parse_line("x = 2^-2 # a comment", 1) is not None
    assert claims.parse_line("   # only a comment", 1) is None


def test_cli_exit_codes_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text("out_h1 = 0.593269992\n", encoding="utf-8")
    bad.write_text("out_h1 = 0.593269992\nE_total@1 = 0.291027924\n", encoding="utf-8")
    assert main(["check", "mazur", str(good)]) == 0
    assert main(["check", "mazur", str(bad), "--format", "json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{"):])
    assert data["summary"] == {"correct": 1, "wrong": 1, "carried": 0, "cannot_check": 0}
    assert main(["check", "mazur", str(tmp_path / "none.txt")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def _wrong_values() -> dict[str, tuple[str, str]]:
    """Each mistake made by hand on the classic network (the test's own mpmath), as a claim."""
    v = hand_values()
    o1, o2, h1, h2 = v["out_o1"], v["out_o2"], v["out_h1"], v["out_h2"]
    t1, t2 = mp.mpf("0.01"), mp.mpf("0.99")
    eta = mp.mpf("0.5")
    d1 = (o1 - t1) * o1 * (1 - o1)
    d2 = (o2 - t2) * o2 * (1 - o2)
    g5 = d1 * h1
    net_o1 = mp.mpf("0.4") * h1 + mp.mpf("0.45") * h2 + mp.mpf("0.6")
    net_h1 = mp.mpf("0.3775")
    slope_h1 = h1 * (1 - h1)
    w = {"w5": mp.mpf("0.4"), "w6": mp.mpf("0.45"), "w7": mp.mpf("0.5")}
    g_b1 = (d1 * w["w5"] + d2 * w["w7"]) * slope_h1 + (d1 * w["w6"] + d2 * mp.mpf("0.55")) * h2 * (1 - h2)
    return {
        "sign of the update": ("w5@1", nine(w["w5"] + eta * g5)),
        "learning rate left out": ("w5@1", nine(w["w5"] - g5)),
        "learning rate twice": ("w5@1", nine(w["w5"] - eta * eta * g5)),
        "missing activation derivative": ("dE_total/dw5", nine((o1 - t1) * h1)),
        "derivative at net": ("dE_total/dw5", nine((o1 - t1) * net_o1 * (1 - net_o1) * h1)),
        "net instead of out": ("dE_total/dw5", nine(d1 * net_h1)),
        "factor 2 added": ("dE_total/dw5", nine(2 * g5)),
        "factor 2 dropped": ("dE_total/dw5", nine(g5 / 2)),
        "frozen biases updated": ("b1@1", nine(mp.mpf("0.35") - eta * g_b1)),
        "path through o2 left out": ("dE_total/dw1", nine(d1 * w["w5"] * slope_h1 * mp.mpf("0.05"))),
        "weights transposed": ("dE_total/dw1", nine((d1 * w["w5"] + d2 * w["w6"]) * slope_h1 * mp.mpf("0.05"))),
        "stale weights": ("E_total@1", "0.291027924"),  # seed 003's own number
        "weight paired with the wrong input": ("w6@1", nine(w["w6"] - eta * g5)),  # w6 given w5's gradient
        "two digits swapped": ("w4@1", "0.29950292"),  # truth 0.29950229
        "one digit wrong": ("w4@1", "0.29950299"),  # seed 003's own number
    }


@pytest.mark.parametrize("mistake", sorted(_wrong_values()))
def test_each_mistake_is_named(mazur: derivation.Derivation, mistake: str) -> None:
    name, number = _wrong_values()[mistake]
    report = checker.check_text(mazur, f"{name} = {number}")
    (verdict,) = report.verdicts
    assert verdict.status == "wrong"
    assert any(e.startswith(mistake + ":") for e in verdict.explanations), verdict.explanations


def test_a_formula_must_hold_in_general_not_only_at_the_spec_values(mazur: derivation.Derivation) -> None:
    right = "dE_total/dw5 = (out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1"
    # equal at the spec's values (w8 = 0.55 there) but not as a formula
    lucky = "dE_total/dw5 = (out_o1 - target_o1)*out_o1*(1 - out_o1)*out_h1*(1 + w8 - 0.55)"
    report = checker.check_text(mazur, right + "\n" + lucky)
    first, second = report.verdicts
    assert first.status == "correct" and "closed form" in first.reason
    assert second.status == "wrong" and "not in general" in second.reason and "out_h1" in second.reason


def test_more_quantities_of_the_seeds(mazur: derivation.Derivation) -> None:
    v = hand_values()
    slope_o1 = v["out_o1"] * (1 - v["out_o1"])
    text = (f"delta_o1 = {nine((v['out_o1'] - mp.mpf('0.01')) * slope_o1)}\n"
            f"dout_o1/dout_h1 = {nine(slope_o1 * mp.mpf('0.4'))}\n"
            f"dout_o1/dw5 = {nine(slope_o1 * v['out_h1'])}\n"
            f"E_o1@0 = {nine(v['E_o1'])}")
    assert verdicts(mazur, text) == ["correct"] * 4


def test_non_real_values_cycles_and_growth_are_handled(mazur: derivation.Derivation) -> None:
    text = "a = sqrt(-1)\nb = log(-1)\nc = (-8)^(0.5)\nd = relu(sqrt(-1))\nz = 1/0\nx1 = 2\nx2 = x1\nx1 = x2"
    report = checker.check_text(mazur, text)
    statuses = [v.status for v in report.verdicts]
    assert statuses == ["cannot check"] * 5 + ["defined", "defined", "cannot check"]
    assert "defined in terms of itself (its definition on line 6)" in report.verdicts[-1].reason
    doubling = "r0 = 2\n" + "\n".join(f"r{k} = r{k - 1} + r{k - 1}" for k in range(1, 40)) + "\nout_h1 = r39"
    chain = "s0 = out_h1\n" + "\n".join(f"s{k} = s{k - 1}" for k in range(1, 1200)) + "\nout_h1 = s1199"
    start = time.perf_counter()
    assert verdicts(mazur, doubling)[-1] == "wrong"
    assert verdicts(mazur, chain)[-1] == "correct"
    assert time.perf_counter() - start < 5


def test_one_digit_numbers_are_not_exact_enough_to_pass(mazur: derivation.Derivation) -> None:
    assert verdicts(mazur, "out_h1 = 0*1\nE_total = 0+0\nout_h1 = 1-1") == ["wrong"] * 3


def test_line_numbers_and_byte_order_mark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.txt"
    path.write_bytes("\ufeffout_h1 = 0.593269992\r\n# a\x0cb\u2028c\nE_total@1 = 0.291027924\n".encode("utf-8"))
    assert main(["check", "mazur", str(path)]) == 1
    assert "line 3: wrong" in capsys.readouterr().out


ONE_TO_ONE = """title = "One input, one output"
inputs = ["i1"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.3]]
bias = { mode = "per_neuron", trainable = true, values = [0.2] }

[[samples]]
inputs = [1]
targets = [0]

[training]
learning_rate = 0.5
"""


@pytest.mark.parametrize(("document", "verdicts"), [
    # the target stated as 0 first: the formula is the loss for that case (1/2 out^2 with out = sigmoid(0.5))
    ("Since $target_{o1} = 0$, $E_{total} = \\frac{1}{2} out_{o1}^2$.\n", ["correct", "correct"]),
    # not stated: right at the spec's numbers only
    ("Here $E_{total} = \\frac{1}{2} out_{o1}^2$.\n", ["wrong"]),
    # an input stated as 1 stays random: dropping it from net is the missing-input mistake
    ("With $i_1 = 1$: $net_{o1} = w_1 + b_1$.\n", ["correct", "wrong"]),
])
def test_a_target_stated_as_0_or_1_specialises_the_formulas_after_it(
        document: str, verdicts: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "net.toml").write_text(ONE_TO_ONE, encoding="utf-8")
    (tmp_path / "hw.md").write_text(document, encoding="utf-8")
    main(["check", str(tmp_path / "net.toml"), str(tmp_path / "hw.md"), "--format", "json"])
    found = json.loads(capsys.readouterr().out)["claims"]
    assert [c["verdict"] for c in found] == verdicts
    loss = mp.mpf(1) / 2 / (1 + mp.exp(-mp.mpf("0.5"))) ** 2  # independent: 1/2 sigmoid(0.3 + 0.2)^2
    if verdicts == ["correct", "correct"]:
        assert mp.almosteq(mp.mpf(found[1]["truth"]), loss, 1e-9) and "target_o1 = 0 as stated" in found[1]["reason"]


NEURON = """inputs = ["x"]
loss = "mse"
[[layers]]
neurons = ["y"]
activation = "identity"
weights = [[0.5]]
weight_names = [["w"]]
bias = { mode = "per_neuron", values = [0.0], names = ["b"] }
[[samples]]
inputs = [3.0]
targets = [6.0]
[training]
learning_rate = 0.01
"""


def test_derivatives_after_an_update_are_taken_at_the_new_parameters() -> None:
    # By hand: y = w x + b, L = (y - 6)^2 at x = 3, w = 0.5, b = 0, rate 0.01. The first update gives
    # dL/dy = 2 (1.5 - 6) = -9, w = 0.5 + 0.01 * 27 = 0.77, b = 0 + 0.01 * 9 = 0.09; at those,
    # y = 2.4, dL/dy = -7.2, dL/dw = -21.6, dL/db = -7.2, dy/db = 1.
    d = derivation.build(network.build(spec.load_text(NEURON)), history_steps=(1,))
    right = ["dE_total/dout_y@1 = -7.2", "dE_total/dw@1 = -21.6", "dE_total/db@1 = -7.2", "dout_y/db = 1"]
    assert verdicts(d, "\n".join(right)) == ["correct"] * len(right)
    # the first update's values are not the second update's
    assert verdicts(d, "dE_total/dout_y@1 = -9\ndE_total/dw@1 = -27") == ["wrong", "wrong"]
    # a walkthrough's second iteration, its names marked after the first update's by the reader
    text = """    y_pred = (0.5 × 3.0) + 0.0 = 1.5
    dLoss/dy_pred = 2 × (1.5 − 6.0) = −9.0
    dLoss/dw = −9.0 × 3.0 = −27.0
    w_new = 0.5 − (0.01 × −27.0) = 0.77
    b_new = 0.0 − (0.01 × −9.0) = 0.09

We repeat the process with the updated weights:

    y_pred = (0.77 × 3.0) + 0.09 = 2.40
    dLoss/dy_pred = 2 × (2.40 − 6.0) = −7.1
    dLoss/dw = −7.2 × 3.0 = −21.6
"""
    spans = check_document(d, "md", text).spans
    last = [f.verdict.status for s in spans[-2:] for f in s.found]
    assert last == ["correct", "wrong", "correct", "correct"], [(s.span.source, s.found) for s in spans[-2:]]


def test_a_formula_for_a_named_sample_right_only_at_the_spec_values(mazur: derivation.Derivation) -> None:
    """`out_h1[s1] = σ(net) · w8 / 0.55` holds where w8 = 0.55 only: wrong, its closed form shown (by the
    sample's name too), never a crash."""
    report = checker.check_text(mazur, "out_h1[s1] = 1/(1+exp(-(w1*i1+w2*i2+b1))) * w8/0.55")
    assert [v.status for v in report.verdicts] == ["wrong"]
    assert "not in general" in report.verdicts[0].reason and "w1" in report.verdicts[0].reason


@pytest.mark.parametrize("stated, status", [("b = 0", "correct"), ("", "wrong"), ("b = 0.5", "wrong")])
def test_a_formula_without_a_bias_stated_as_its_zero(stated: str, status: str) -> None:
    """`y = w x` where the neuron's bias b is 0 and the document says so: the network's formula here (by hand,
    1.5 = 0.5 x 3 + 0), not one dropping the bias; without b stated, or b stated wrongly, it drops it."""
    d = derivation.build(network.build(spec.load_text(NEURON)), history_steps=(1,))
    text = f"$w = 0.5$, ${stated}$\n\n$$\\hat y = w x = 0.5 \\times 3 = 1.5$$\n" if stated else \
        "$w = 0.5$\n\n$$\\hat y = w x = 0.5 \\times 3 = 1.5$$\n"
    said = [f.verdict.status for s in check_document(d, "md", text).spans for f in s.found if f.target == "out_y"]
    assert said[0] == status
    assert said[1:] == ["correct", "correct"]


def test_a_derivative_marked_after_the_update_on_either_side_is_one_name() -> None:
    """`d:E_total@1/out_y` (the loss read as its value after the update) is `d:E_total/out_y@1`: one spelling
    every part of the checker reads; marks on both sides stay as written, and no part of it fails on them."""
    assert claims.Name("d:E_total@1/out_y").name == "d:E_total/out_y@1"
    assert claims.Name("d:E_total@1/out_y[s2]").name == "d:E_total/out_y@1[s2]"
    assert claims.Name("d:E_total@1/w@2").name == "d:E_total@1/w@2"
    truth = Truth(derivation.build(network.build(spec.load_text(NEURON)), history_steps=(1,)))
    for name in ("d:E_total@1/w@2", "d:E_total/out_y@1"):
        try:
            truth.explain(name, "-21.7")
        except Unknown:
            pass  # a name it cannot look up: refused as such, never a crash
