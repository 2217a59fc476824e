"""A spec is validated once: bad input is one line naming the file and the key, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import MAZUR, run, write_spec

BAD_SPECS = {
    "malformed TOML": (MAZUR.replace('loss = "half_sse"', 'loss = "half_sse'), ["malformed TOML", "line"]),
    "missing key": (MAZUR.replace('loss = "half_sse"\n', ""), ["loss", "missing"]),
    "weight count": (MAZUR.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[0.15, 0.20, 0.1], [0.25, 0.30]]"),
                     ["layers[0].weights[0]", "expected 2 entries"]),
    "weight rows": (MAZUR.replace("[[0.15, 0.20], [0.25, 0.30]]", "[[0.15, 0.20]]"), ["layers[0].weights", "2 neurons"]),
    "unknown activation": (MAZUR.replace('activation = "sigmoid"', 'activation = "swish"', 1),
                           ["layers[0].activation", "swish"]),
    "unknown loss": (MAZUR.replace('"half_sse"', '"hinge"'), ["loss", "hinge"]),
    "nan": (MAZUR.replace("0.15", "nan"), ["layers[0].weights[0][0]", "finite"]),
    "inf": (MAZUR.replace("targets = [0.01, 0.99]", "targets = [inf, 0.99]"), ["samples[0].targets[0]", "finite"]),
    "zero learning rate": (MAZUR.replace("learning_rate = 0.5", "learning_rate = 0"), ["training.learning_rate", "positive"]),
    "negative learning rate": (MAZUR.replace("learning_rate = 0.5", "learning_rate = -0.5"), ["training.learning_rate"]),
    "code in a name": (MAZUR.replace('"h1", "h2"', '"h1", "__import__(\'os\')"'), ["layers[0].neurons[1]", "name"]),
    "latex in a name": (MAZUR.replace('"h1", "h2"', '"h1", "h\\\\2"'), ["layers[0].neurons[1]"]),
    "duplicate name": (MAZUR.replace('"h1", "h2"', '"h1", "i1"'), ["used twice"]),
    "reserved name": (MAZUR.replace('"o1", "o2"', '"o1", "total"'), ["layers[1].neurons[1]"]),
    "softmax inside": (MAZUR.replace('activation = "sigmoid"', 'activation = "softmax"', 1), ["softmax"]),
    "bad title": (MAZUR.replace('title = "The classic 2-2-2 example"', 'title = "\\\\input{/etc/passwd}"'), ["title"]),
    "wrong type": (MAZUR.replace("learning_rate = 0.5", 'learning_rate = "fast"'), ["training.learning_rate", "number"]),
    "bad steps": (MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [10, 1]"), ["training.steps"]),
    "no steps": (MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = []"), ["training.steps"]),
    "unknown key": (MAZUR.replace("values = [0.35]", "value = [0.35]"), ["layers[0].bias.value", "unknown key"]),
    "unknown top key": ("learning_rat = 0.5\n" + MAZUR, ["learning_rat", "unknown key"]),
    "huge number": (MAZUR.replace("0.15", "1e1000001"), ["layers[0].weights[0][0]", "in size"]),
    "tiny number": (MAZUR.replace("0.15", "1e-999999999"), ["layers[0].weights[0][0]", "in size"]),
    "Greek title": (MAZUR.replace("The classic 2-2-2 example", "\u03a9mega"), ["title", "ASCII"]),
    "Chinese in the English title": (MAZUR.replace("The classic 2-2-2 example", "经典"), ["title", "ASCII"]),
    "Greek in the Chinese title": (MAZUR.replace("经典的 2-2-2 网络示例", "\u03a9"), ["titles.zh", "Chinese"]),
    "markup in a title": (MAZUR.replace("The classic 2-2-2 example", "a_b $x$ <i>"), ["title", "letters"]),
    "unknown title language": (MAZUR.replace('titles = { zh', 'titles = { fr = "Exemple", zh'),
                               ["titles.fr", "unknown language"]),
    "builtin as a name": (MAZUR.replace('"h1", "h2"', '"h1", "len"'), ["layers[0].neurons[1]"]),
    "generated-code name": (MAZUR.replace('"o1", "o2"', '"o1", "params"'), ["layers[1].neurons[1]"]),
    "init overflow": (MAZUR.replace("weights = [[0.15, 0.20], [0.25, 0.30]]\n", "") + "\n[init]\nstd = 1e300\nseed = 1\n",
                      ["init.std", "spread"]),
    "too many parameters": (MAZUR.replace('neurons = ["h1", "h2"]', "neurons = 4096").replace(
        "weights = [[0.15, 0.20], [0.25, 0.30]]\n", "").replace('neurons = ["o1", "o2"]', "neurons = 4096")
        .replace("weights = [[0.40, 0.45], [0.50, 0.55]]\n", "").replace("targets = [0.01, 0.99]", "targets = [0.5]")
        .replace("[[samples]]", "[init]\nseed = 1\n\n[[samples]]"), ["neurons", "parameters"]),
    "saturated cross-entropy": (MAZUR.replace('loss = "half_sse"', 'loss = "cross_entropy"').replace(
        "[[0.40, 0.45], [0.50, 0.55]]", "[[4000, 4500], [5000, 5500]]"), ["saturates"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_is_one_line_exit_2_nothing_written(case: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = BAD_SPECS[case]
    path = write_spec(tmp_path, text)
    out_dir = tmp_path / "out"
    code, out, err = run(["render", str(path), "--out", str(out_dir)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(path) in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert not out_dir.exists()


def test_unknown_preset(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["render", "nosuch", "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.count("\n") == 1 and "nosuch" in err and "mazur" in err
    assert not (tmp_path / "o").exists()


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["render", str(tmp_path / "none.toml")], capsys)
    assert code == 2 and "none.toml" in err and err.count("\n") == 1
