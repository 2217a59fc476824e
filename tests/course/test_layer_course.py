"""`derive exercise` and `derive grade` for the cnn and rnn presets: every key answer against the layer
oracle (mpmath loops, central differences), the layer mistakes' values against a backward pass written
here by hand (plain mpmath loops from the textbook formulas), and hand-ins graded back: the truth gets
full marks, each layer mistake loses the questions it changes and is named."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from derive.cli import main
from derive.course import grading, handins
from derive.model import spec as spec_module
from tests import layer_oracle as oracle
from tests.course import keys
from tests.course.test_exercise import rounded
from tests.helpers import run

mp = oracle.mp
VARIANTS = 3
IMAGE = [f"x1_{r}{c}" for r in range(1, 5) for c in range(1, 5)]
SEQUENCE = [f"i{i}_t{t}" for t in range(1, 4) for i in (1, 2)]
LAYER_MISTAKES = {"cnn": ("one position only", "gradient to every pooled entry"),
                  "rnn": ("one step only", "BPTT truncated to one step")}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    found = {}
    for name in ("cnn", "rnn"):
        out = tmp_path_factory.mktemp(name) / "ex"
        assert main(["exercise", name, "--variants", str(VARIANTS), "--seed", "3", "--out", str(out)]) == 0
        found[name] = out
    return found


def _key(out: Path) -> dict:
    return json.loads((out / "key.json").read_text(encoding="utf-8"))


def _spec_of(name: str, values: dict[str, str]) -> tuple[spec_module.Spec, dict[str, Any]]:
    """The preset with the variant's sample, and the variant's parameters by name."""
    base = spec_module.load_preset(name)
    inputs = tuple(Decimal(values[n]) for n in (IMAGE if name == "cnn" else SEQUENCE))
    sample = spec_module.SampleSpec("s1", inputs, (Decimal(values["target_o1"]),))
    s = dataclasses.replace(base, samples=(sample,))
    params = oracle.params_of(s)
    assert set(params) <= set(values)
    return s, {p: mp.mpf(values[p]) for p in params}


def _oracle_answers(name: str, values: dict[str, str]) -> dict[str, Any]:
    s, p = _spec_of(name, values)
    named = oracle.forward(s, p)
    grad = lambda w: oracle.finite_difference(s, w, p)  # noqa: E731
    found = {"out_o1": named["o1"], "E_total": oracle.loss(s, p)}
    if name == "cnn":
        found.update({"out_c1_11": named["c1_11"], "out_p1_11": named["p1_11"], "dE_total/dw1": grad("w1"),
                      "dE_total/dk1_12": grad("k1_12"), "dE_total/db1": grad("b1"),
                      "k1_12@1": p["k1_12"] - mp.mpf(values["eta"]) * grad("k1_12")})
    else:
        found.update({"h1[t=1]": named["h1_t1"], "h_2[t=3]": named["h2_t3"], "dE_total/dw1": grad("w1"),
                      "dE_total/dwh12": grad("wh12"), "dE_total/dwx11": grad("wx11"),
                      "wx11@1": p["wx11"] - mp.mpf(values["eta"]) * grad("wx11")})
    return found


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_the_key_holds_the_oracles_values(made: dict[str, Path], name: str) -> None:
    key = _key(made[name])
    assert key["network"] == name and len(key["variants"]) == VARIANTS
    for variant in key["variants"]:
        truth = _oracle_answers(name, variant["values"])
        asked = spec_module.load_preset(name).exercise.ask
        assert [q["claim"] for q in variant["questions"]] == list(asked)
        for q in variant["questions"]:
            value = truth[q["claim"]]
            assert q["answer"] == rounded(value, 9), (name, variant["id"], q)
            shown = rounded(value, q["digits"], True) if value else "0"  # every digit asked written
            assert q["shown"] == shown, (name, variant["id"], q)
            if q["claim"].startswith("dE_total/d"):
                assert value != 0  # a draw where a relu cuts every path to an asked parameter is not kept


def _cnn_by_hand(v: dict[str, Any], route_all: bool = False) -> tuple[Any, Any]:
    """The kernel's error map of the cnn preset (one 4x4 input, a 2x2 kernel, relu, 2x2 max pool with stride 1,
    a sigmoid output), each pooled error to its window's largest entry or (`route_all`) to every entry."""
    x = [[v[f"x1_{r + 1}{c + 1}"] for c in range(4)] for r in range(4)]
    k = [[v[f"k1_{a + 1}{b + 1}"] for b in range(2)] for a in range(2)]
    net = [[mp.fsum(k[a][b] * x[r + a][c + b] for a in range(2) for b in range(2)) + v["b1"] for c in range(3)]
           for r in range(3)]
    out = [[max(n, mp.mpf(0)) for n in row] for row in net]
    pooled = [max(out[r + a][c + b] for a in range(2) for b in range(2)) for r in range(2) for c in range(2)]
    o = 1 / (1 + mp.exp(-(mp.fsum(v[f"w{j + 1}"] * pooled[j] for j in range(4)) + v["b2"])))
    d_o = (o - v["target_o1"]) * o * (1 - o)
    error = [[mp.mpf(0)] * 3 for _ in range(3)]
    for j, (r, c) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        window = [(r + a, c + b) for a in range(2) for b in range(2)]
        winner = max(window, key=lambda rc: out[rc[0]][rc[1]])
        top = sorted((out[a][b] for a, b in window), reverse=True)
        assert top[0] - top[1] >= mp.mpf("0.02")  # a kept variant has no tie nor near tie to decide
        for rc in window if route_all else [winner]:
            error[rc[0]][rc[1]] += d_o * v[f"w{j + 1}"]
    delta = [[error[r][c] * (1 if net[r][c] > 0 else 0) for c in range(3)] for r in range(3)]
    return delta, x


def test_the_cnn_layer_mistakes_are_the_hand_formulas(made: dict[str, Path]) -> None:
    """dk1_12 and db1: summed over the 3x3 positions of the true error map; from position (1,1) only; summed
    over an error map that got every pooled entry's error."""
    for variant in _key(made["cnn"])["variants"]:
        v = {n: mp.mpf(t) for n, t in variant["values"].items()}
        delta, x = _cnn_by_hand(v)
        every, _ = _cnn_by_hand(v, route_all=True)
        kernel = lambda d, x=x: mp.fsum(d[r][c] * x[r][c + 1] for r in range(3) for c in range(3))  # noqa: E731
        bias = lambda d: mp.fsum(d[r][c] for r in range(3) for c in range(3))  # noqa: E731
        by = {q["claim"]: q for q in variant["questions"]}
        assert by["dE_total/dk1_12"]["answer"] == rounded(kernel(delta), 9)
        assert by["dE_total/db1"]["answer"] == rounded(bias(delta), 9)
        assert by["dE_total/dk1_12"]["mistakes"]["one position only"] == rounded(delta[0][0] * x[0][1], 9)
        assert by["dE_total/db1"]["mistakes"]["one position only"] == rounded(delta[0][0], 9)
        assert by["dE_total/dk1_12"]["mistakes"]["gradient to every pooled entry"] == rounded(kernel(every), 9)
        assert "gradient to every pooled entry" not in by["dE_total/dw1"]["mistakes"]  # before the pool's routing


def _rnn_by_hand(v: dict[str, Any], truncated: bool = False) -> tuple[list[Any], list[Any], list[Any]]:
    """Backpropagation through time of the rnn preset by hand: the states h_0..h_3, the inputs x_1..x_3 and
    the error terms delta_1..delta_3 (`truncated`: nothing carried back through W_h)."""
    wx = [[v[f"wx{j}{i}"] for i in (1, 2)] for j in (1, 2)]
    wh = [[v[f"wh{j}{q}"] for q in (1, 2)] for j in (1, 2)]
    xs = [[v[f"i{i}_t{t}"] for i in (1, 2)] for t in (1, 2, 3)]
    hs = [[mp.mpf(0), mp.mpf(0)]]
    for x in xs:
        hs.append([mp.tanh(mp.fsum(wx[j][i] * x[i] for i in range(2)) + mp.fsum(wh[j][q] * hs[-1][q] for q in range(2))
                           + v[f"b{j + 1}"]) for j in range(2)])
    o = 1 / (1 + mp.exp(-(v["w1"] * hs[3][0] + v["w2"] * hs[3][1] + v["b3"])))
    d_o = (o - v["target_o1"]) * o * (1 - o)
    error, deltas = [d_o * v["w1"], d_o * v["w2"]], [None, None, None]
    for t in (3, 2, 1):
        deltas[t - 1] = [error[j] * (1 - hs[t][j] ** 2) for j in range(2)]
        error = [mp.mpf(0)] * 2 if truncated else [mp.fsum(wh[j][q] * deltas[t - 1][j] for j in range(2))
                                                    for q in range(2)]
    return hs, xs, deltas


def test_the_rnn_layer_mistakes_are_the_hand_formulas(made: dict[str, Path]) -> None:
    """dwx11 and dwh12: summed over the three steps; at the first step each is used at (h_0 = 0, so W_h's
    first use is step 2); with the error stopped at W_h, only the last step's delta."""
    for variant in _key(made["rnn"])["variants"]:
        v = {n: mp.mpf(t) for n, t in variant["values"].items()}
        hs, xs, deltas = _rnn_by_hand(v)
        _, _, cut = _rnn_by_hand(v, truncated=True)
        by = {q["claim"]: q for q in variant["questions"]}
        assert by["dE_total/dwx11"]["answer"] == rounded(mp.fsum(deltas[t][0] * xs[t][0] for t in range(3)), 9)
        assert by["dE_total/dwh12"]["answer"] == rounded(mp.fsum(deltas[t][0] * hs[t][1] for t in range(3)), 9)
        assert by["dE_total/dwx11"]["mistakes"]["one step only"] == rounded(deltas[0][0] * xs[0][0], 9)
        assert by["dE_total/dwh12"]["mistakes"]["one step only"] == rounded(deltas[1][0] * hs[1][1], 9)
        assert cut[0] == cut[1] == [0, 0]
        assert by["dE_total/dwx11"]["mistakes"]["BPTT truncated to one step"] == rounded(cut[2][0] * xs[2][0], 9)
        assert by["dE_total/dwh12"]["mistakes"]["BPTT truncated to one step"] == rounded(cut[2][0] * hs[2][1], 9)
        assert "BPTT truncated to one step" not in by["dE_total/dw1"]["mistakes"]


def _grade(key_dir: Path, texts: dict[str, str], tmp_path: Path) -> dict:
    sub = tmp_path / "handins"
    sub.mkdir()
    for student, text in texts.items():
        (sub / f"{student}.claims").write_text(text, encoding="utf-8")
    results = grading.grade_all(grading.read_key(key_dir), handins.sources(sub), 1)
    return {r.student: r for r in results}


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_grading_gives_the_truth_full_marks_and_names_each_layer_mistake(made: dict[str, Path], name: str,
                                                                        tmp_path: Path) -> None:
    texts, expected = {}, {}
    for v in _key(made[name])["variants"]:
        texts[f"v{v['id']}"] = keys.handin(v["id"], {q["claim"]: q["shown"] for q in v["questions"]})
        expected[f"v{v['id']}"] = (None, [False] * len(v["questions"]))
        for number, mistake in enumerate(LAYER_MISTAKES[name]):
            answers = {q["claim"]: keys.rounded(q["mistakes"][mistake], q["digits"]) if mistake in q["mistakes"]
                       else q["shown"] for q in v["questions"]}
            texts[f"v{v['id']}m{number}"] = keys.handin(v["id"], answers)
            expected[f"v{v['id']}m{number}"] = (mistake, [mistake in q["mistakes"] for q in v["questions"]])
    graded = _grade(made[name], texts, tmp_path)
    assert {mistake for mistake, affected in expected.values() if any(affected)} == set(LAYER_MISTAKES[name])
    for student, (mistake, affected) in expected.items():
        marks = graded[student].marks
        assert [m.credit == 0 for m in marks] == affected, (student, mistake, marks)
        assert all(mistake in m.mistakes for m, lost in zip(marks, affected) if lost), (student, mistake, marks)


def test_the_sheets_draw_the_kernel_and_the_unrolled_network(made: dict[str, Path]) -> None:
    for name, caption in (("cnn", "The kernel over the input"), ("rnn", "unrolled")):
        sheet = (made[name] / "sheets" / "variant-1.md").read_text(encoding="utf-8")
        assert caption in sheet and "](figures/variant-1.svg)" in sheet, name
        figure = (made[name] / "sheets" / "figures" / "variant-1.svg").read_text(encoding="utf-8")
        assert figure.startswith("<svg") and " = " not in figure, name  # no net the sheet asks for
    assert " = " in (made["cnn"] / "keys" / "figures" / "variant-1" / "sliding-1.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", [["practice", "cnn"], ["exercise", "rnn", "--format", "prairielearn"]])
def test_what_is_for_dense_networks_only_says_so(command: list[str], tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*command, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.count("\n") == 1 and "dense" in err and not (tmp_path / "o").exists(), err
