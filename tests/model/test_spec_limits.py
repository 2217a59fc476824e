"""The limits a spec is held to as it is read: each refused with one line naming the key, in well under
a second, however large or deep the input (issue 15, items 5 and 9; issue 16, items 3, 7 and 14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from derive.model import spec
from tests.helpers import MAZUR, run, write_spec

ONE_SAMPLE = "[[samples]]\ninputs = [0.05, 0.10]\ntargets = [0.01, 0.99]\n"
SIGMOID_CE = MAZUR.replace('loss = "half_sse"', 'loss = "cross_entropy"')


def _layers(count: int) -> str:
    """`count` hidden layers of two sigmoid neurons before mazur's output layer."""
    hidden = ('[[layers]]\nneurons = ["n{k}a", "n{k}b"]\nactivation = "sigmoid"\n'
              'weights = [[0.1, 0.2], [0.3, 0.4]]\n')
    head, _, tail = MAZUR.partition("[[layers]]")
    return head + "".join(hidden.format(k=k) for k in range(count)) + "[[layers]]" + tail.split("[[layers]]", 1)[1]


LIMITS = {
    "nested 5,000 deep": ("x = " + "[" * 5000 + "]" * 5000 + "\n" + MAZUR, ["nested too deeply"]),
    "an integer of 5,000 digits": (MAZUR.replace("0.15", "1" * 5000), ["more than 60 digits"]),
    "a decimal of 5,000 digits": (MAZUR.replace("0.15", "0." + "1" * 5000), ["layers[0].weights[0][0]", "60 digits"]),
    "61 digits": (MAZUR.replace("0.15", "0." + "1" * 61), ["layers[0].weights[0][0]", "60 digits"]),
    "samples": (MAZUR + ONE_SAMPLE * spec.MAX_SAMPLES, ["samples", f"from 1 to {spec.MAX_SAMPLES}", "got 1001"]),
    "layers": (_layers(spec.MAX_LAYERS), ["layers", f"from 1 to {spec.MAX_LAYERS}"]),
    "neurons by name": (MAZUR.replace('neurons = ["h1", "h2"]', "neurons = [" + ", ".join(
        f'"n{k}"' for k in range(spec.MAX_NEURONS + 1)) + "]"), ["layers[0].neurons", f"1 to {spec.MAX_NEURONS}"]),
    "[init] beside weights": (MAZUR + "\n[init]\nseed = 1\n", ["layers[0].weights", "[init]"]),
    "binary cross-entropy target 1.5": (SIGMOID_CE.replace("targets = [0.01, 0.99]", "targets = [0.01, 1.5]"),
                                        ["samples[0].targets[1]", "from 0 to 1"]),
    "negative cross-entropy target": (SIGMOID_CE.replace("targets = [0.01, 0.99]", "targets = [-0.5, 0.99]"),
                                      ["samples[0].targets[0]", "from 0 to 1"]),
    "a blank title": (MAZUR.replace('title = "The classic 2-2-2 example"', 'title = " "'), ["title", "only spaces"]),
    "a blank Chinese title": (MAZUR.replace("经典的 2-2-2 网络示例", "\u3000"), ["titles.zh", "only spaces"]),
    "a control character in a key": ('"a\\u001b]0;x\\u0007\\nb" = 1\n' + MAZUR, ["a\\x1b]0;x\\x07\\nb: unknown key"]),
}


@pytest.mark.parametrize("case", sorted(LIMITS))
def test_a_limit_is_one_line_and_quick(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = LIMITS[case]
    path = write_spec(tmp_path, text)
    start = time.perf_counter()
    code, _, err = run(["code", str(path), "--out", str(tmp_path / "u.py")], capsys)
    assert time.perf_counter() - start < 5
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and "\x1b" not in err, err
    assert all(word in err for word in expected), err
    assert not (tmp_path / "u.py").exists()


def test_the_limits_themselves_are_accepted(tmp_path: Path) -> None:
    at_limit = MAZUR.replace("0.15", "0." + "1" * 60).replace("targets = [0.01, 0.99]", "targets = [0, 1]")
    loaded = spec.load_path(write_spec(tmp_path, at_limit.replace('loss = "half_sse"', 'loss = "cross_entropy"')))
    assert len(loaded.layers[0].weights[0][0].as_tuple().digits) == 60
    assert len(spec.load_path(write_spec(tmp_path, MAZUR + ONE_SAMPLE * (spec.MAX_SAMPLES - 1))).samples) == 1000
    assert len(spec.load_path(write_spec(tmp_path, _layers(20))).layers) == 21


def test_a_50_mb_spec_is_refused_without_reading_it_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "big.toml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(MAZUR)
        for _ in range(50_000_000 // len(ONE_SAMPLE)):
            handle.write(ONE_SAMPLE)
    start = time.perf_counter()
    code, _, err = run(["render", str(path), "--out", str(tmp_path / "o")], capsys)
    assert time.perf_counter() - start < 5
    assert code == 2 and err == f"derive: error: {path}: larger than 4 MB\n"
