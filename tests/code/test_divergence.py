"""derive train on runs that leave float64: a diverging run says where and exits 1; numbers beyond
float64 are refused with one line; an error that cannot be log-scaled gives a linear plot and a note."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import pytest

from tests.helpers import run, write_spec
from tests.networks import identity_net, single_softmax, toml


def _first_divergence(weight: float, x: list[float], t: list[float], eta: float, limit: int) -> int | None:
    """Plain-float SGD on the 2-2-2 identity network (direct formulas): the first update after which
    the error or a weight is not finite."""
    w1 = [[weight, weight], [weight, weight]]
    w2 = [[weight, weight], [weight, weight]]
    for n in range(1, limit + 1):
        h = [sum(w * xi for w, xi in zip(row, x)) for row in w1]
        out = [sum(w * hi for w, hi in zip(row, h)) for row in w2]
        d2 = [o - ti for o, ti in zip(out, t)]
        dh = [sum(w2[k][j] * d2[k] for k in range(2)) for j in range(2)]
        w2 = [[w2[k][j] - eta * d2[k] * h[j] for j in range(2)] for k in range(2)]
        w1 = [[w1[j][i] - eta * dh[j] * x[i] for i in range(2)] for j in range(2)]
        h = [sum(w * xi for w, xi in zip(row, x)) for row in w1]
        out = [sum(w * hi for w, hi in zip(row, h)) for row in w2]
        error = sum(0.5 * (ti - o) * (ti - o) for ti, o in zip(t, out))
        if not (math.isfinite(error) and all(math.isfinite(w) for row in w1 + w2 for w in row)):
            return n
    return None


def test_a_diverging_run_says_at_which_update_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(identity_net(learning_rate="50")))
    want = _first_divergence(0.5, [1.0, 2.0], [0.5, 0.5], 50.0, 100)
    assert want is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from the generated module
        code, out, err = run(["train", str(path), "--steps", "100"], capsys)
    assert code == 1
    assert err.startswith(f"derive: training diverged at update {want}: the error is ")
    assert err.count("\n") == 1
    assert out.splitlines()[-1].startswith(f"updates {want}: error ")


def test_a_converging_run_is_not_called_diverged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(identity_net(learning_rate="0.01")))
    assert _first_divergence(0.5, [1.0, 2.0], [0.5, 0.5], 0.01, 200) is None
    code, _, err = run(["train", str(path), "--steps", "200"], capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize("doc", [identity_net(inputs=("1e200", "1e200")), identity_net(weights="1e200"),
                                 identity_net(weights="1e160")], ids=["inputs", "weights", "products"])
@pytest.mark.parametrize("command", ["train", "code", "render"])
def test_numbers_beyond_float64_are_refused_with_one_line(doc: dict, command: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(doc))
    argv = [command, str(path)] + ([] if command == "train" else ["--out", str(tmp_path / "out")])
    code, _, err = run(argv, capsys)
    assert code == 2
    assert err.count("\n") == 1 and "beyond the range of float64" in err
    assert not (tmp_path / "out").exists()


def test_a_zero_error_plot_is_linear_with_a_note(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(single_softmax()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's own "cannot be log-scaled" warning is not raised
        code, _, err = run(["train", str(path), "--plot", str(tmp_path / "curve.svg")], capsys)
    assert code == 0
    assert "cannot be log-scaled" in err and err.count("\n") == 1
    assert (tmp_path / "curve.svg").read_bytes().startswith(b"<?xml")
