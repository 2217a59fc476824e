"""derive check with an optimizer: its quantities by name and in LaTeX, and the classic mistakes, each
reproduced by a wrong value computed here by hand and named by the checker."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check import claims
from derive.model import spec
from tests.helpers import MAZUR, param_values, run, write_spec
from tests.maths.test_optimizers import hand_adam, oracle_gradient
from tests.oracle import mp

ETA = mp.mpf("0.01")


def nine(x: object) -> str:
    return mp.nstr(x, 9, strip_zeros=False)


def adam_spec(tmp_path: Path, keys: str = "") -> Path:
    return write_spec(tmp_path, MAZUR.replace("learning_rate = 0.5", 'learning_rate = 0.01\noptimizer = "adam"\n' + keys),
                      "madam.toml")


def mazur_by_hand(path: Path) -> tuple[dict, dict, dict]:
    """Initial values, first gradients (oracle) and the true Adam rows of every weight after update 1."""
    s = spec.load_path(path)
    values = param_values(s)
    g1 = {n: oracle_gradient(s, values, n) for n in values if n.startswith("w")}
    return s, values, g1


def check(path: Path, lines: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    claims_file = path.parent / "hand.claims"
    claims_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(["check", str(path), str(claims_file)], capsys)
    return code, out


def test_state_after_two_updates_by_name_and_in_latex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path)
    s, values, g1 = mazur_by_hand(path)
    after = dict(values)
    after.update({n: values[n] - hand_adam(ETA, [g1[n]])[0][4] for n in g1})
    rows = hand_adam(ETA, [g1["w5"], oracle_gradient(s, after, "w5")])
    m2, v2, mhat2, vhat2, step2 = rows[1]
    w5_2 = after["w5"] - step2
    lines = [f"m_w5@2 = {nine(m2)}", f"v_w5@2 = {nine(v2)}", f"mhat_w5@2 = {nine(mhat2)}",
             f"vhat_w5@2 = {nine(vhat2)}", f"w5@2 = {nine(w5_2)}", f"m_5^{{(2)}} = {nine(m2)}",
             f"\\hat{{m}}_{{w_5}}^{{(2)}} = {nine(mhat2)}", f"{{w_{{5}}}}^{{(2)}} = {nine(w5_2)}",
             f"m_w5@1 = {nine(rows[0][0])}", f"g_w5@2 = {nine(oracle_gradient(s, after, 'w5'))}"]
    code, out = check(path, lines, capsys)
    assert code == 0 and out.count("correct:") == len(lines), out


def test_latex_forms_name_the_quantities() -> None:
    names = [claims.parse_line(f"{text} = 1", 1).target.name for text in
             ("m_5^{(2)}", "\\hat{m}_5^{(2)}", "v_{w_5}^{(3)}", "\\hat{v}_{w5}^{(1)}", "{w_{5}}^{(2)}", "w_5^{(2)}")]
    assert names == ["m5@2", "mhat5@2", "v_w5@3", "vhat_w5@1", "w5@2", "w5@2"]


def test_plain_descent_has_no_state(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = check(write_spec(tmp_path, MAZUR), ["m_w5@1 = 0.1"], capsys)
    assert "cannot check" in out and "keeps no optimizer state" in out


def explained(path: Path, claim: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out = check(path, [claim], capsys)
    assert code == 1 and "wrong" in out, out
    return out


def test_no_bias_correction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path)
    _, values, g1 = mazur_by_hand(path)
    g = g1["w5"]
    m, v = (1 - mp.mpf("0.9")) * g, (1 - mp.mpf("0.999")) * g * g  # used as they are
    wrong = values["w5"] - ETA * m / (mp.sqrt(v) + mp.mpf("1e-8"))
    assert "no bias correction" in explained(path, f"w5@1 = {nine(wrong)}", capsys)


def test_epsilon_inside_the_square_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path)
    _, values, g1 = mazur_by_hand(path)
    g = g1["w1"]
    wrong = values["w1"] - ETA * g / mp.sqrt(g * g + mp.mpf("1e-8"))
    assert "epsilon inside the square root" in explained(path, f"w1@1 = {nine(wrong)}", capsys)


def test_bias_correction_with_the_wrong_power(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path)
    s, values, g1 = mazur_by_hand(path)
    after = dict(values)
    after.update({n: values[n] - hand_adam(ETA, [g1[n]])[0][4] for n in g1})
    m1 = hand_adam(ETA, [g1["w5"]])[0][0]
    g2 = oracle_gradient(s, after, "w5")
    m2 = mp.mpf("0.9") * m1 + mp.mpf("0.1") * g2
    wrong_mhat = m2 / (1 - mp.mpf("0.9"))  # 1 - beta1 where 1 - beta1^2 belongs
    assert "bias correction with the wrong power" in explained(path, f"mhat_w5@2 = {nine(wrong_mhat)}", capsys)


def test_momentum_applied_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.replace("learning_rate = 0.5", 'learning_rate = 0.5\noptimizer = "momentum"'))
    _, values, g1 = mazur_by_hand(path)
    mu = mp.mpf("0.9")
    wrong = values["w6"] - mp.mpf("0.5") * (mu * g1["w6"] + g1["w6"])  # m = mu (mu 0 + g) + g
    assert "momentum applied twice" in explained(path, f"w6@1 = {nine(wrong)}", capsys)


def test_weight_decay_applied_to_biases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = resources_text("textbook").replace("learning_rate = 0.1", "learning_rate = 0.1\nweight_decay = 0.1")
    path = write_spec(tmp_path, text, "tb.toml")
    s = spec.load_path(path)
    values = param_values(s)
    g = oracle_gradient(s, values, "theta1")
    wrong = values["theta1"] - mp.mpf("0.1") * (g + mp.mpf("0.1") * values["theta1"])
    assert "weight decay applied to biases" in explained(path, f"theta1@1 = {nine(wrong)}", capsys)


def test_l2_and_decoupled_confused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path, 'weight_decay = 0.1\ndecay = "decoupled"\n')
    _, values, g1 = mazur_by_hand(path)
    g = g1["w5"] + mp.mpf("0.1") * values["w5"]  # L2: lambda w added to the gradient
    wrong = values["w5"] - ETA * g / (abs(g) + mp.mpf("1e-8"))
    assert "L2 and decoupled decay confused" in explained(path, f"w5@1 = {nine(wrong)}", capsys)


def resources_text(preset: str) -> str:
    from importlib import resources
    return resources.files("derive.presets").joinpath(f"{preset}.toml").read_text(encoding="utf-8")


def test_plain_descent_for_the_optimizer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = adam_spec(tmp_path)
    _, values, g1 = mazur_by_hand(path)
    wrong = values["w5"] - ETA * g1["w5"]  # p - eta dE/dp, as if there were no Adam
    assert "plain gradient descent" in explained(path, f"w5@1 = {nine(wrong)}", capsys)
