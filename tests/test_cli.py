"""The command line, called in-process: bad input is one line and exit 2, nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive import codegen, spec
from derive.cli import main

MAZUR = (Path(spec.__file__).parent / "presets" / "mazur.toml").read_text(encoding="utf-8")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_spec(tmp_path: Path, text: str, name: str = "net.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


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


@pytest.mark.parametrize("argv", [["render", "mazur", "--format", "docx"], ["render", "mazur", "--digits", "0"],
                                  ["render"], ["frobnicate"], []])
def test_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("derive: error:")


def test_list_names_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list"], capsys)
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["gender", "mazur", "textbook", "xor3"]


def test_render_a_user_spec_is_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1, 5]"), "mine.toml")
    outputs = []
    for fmt in ("md", "tex"):
        for attempt in range(2):
            out_dir = tmp_path / f"{fmt}{attempt}"
            code, out, _ = run(["render", str(path), "--format", fmt, "--out", str(out_dir), "--digits", "6"], capsys)
            assert code == 0
            outputs.append((out_dir / f"walkthrough.{fmt}").read_bytes())
    assert outputs[0] == outputs[1] and outputs[2] == outputs[3]
    assert b"0.593270" not in outputs[0] and b"0.59327" in outputs[0]  # six digits, trailing zero dropped
    assert b"\n\\documentclass" in outputs[2][:200] and outputs[2].rstrip().endswith(b"\\end{document}")


def test_default_output_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1]"), "small.toml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["render", str(path)], capsys)
    assert code == 0 and (tmp_path / "output" / "small" / "en" / "walkthrough.md").is_file()


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    path = write_spec(tmp_path, MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1]"))
    code, _, err = run(["render", str(path), "--out", str(blocker / "sub")], capsys)
    assert code == 2 and err.count("\n") == 1


def test_a_spec_path_never_reaches_generated_code(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_spec(tmp_path, MAZUR, 'x"""if __import__("os").system("touch PWNED") else """.toml')
    assert main(["code", str(path), "--out", str(tmp_path / "u.py")]) == 0
    assert main(["train", str(path), "--steps", "2"]) == 0
    assert not (tmp_path / "PWNED").exists()
    assert "__import__" not in (tmp_path / "u.py").read_text(encoding="utf-8")


def test_a_notebook_is_not_written_with_code_that_disagrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The notebook says its code was checked against the closed forms: a wrong gradient stops it."""
    real = codegen.generate
    monkeypatch.setattr(codegen, "generate", lambda d, style: real(d, style).replace(
        "dE_dw5 = cse_0*out_h1", "dE_dw5 = 2*cse_0*out_h1"))
    path = write_spec(tmp_path, MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1]"))
    code, _, err = run(["render", str(path), "--format", "ipynb", "--out", str(tmp_path / "nb")], capsys)
    assert code == 1 and "disagrees" in err and "w5" in err and err.count("\n") == 1
    assert not (tmp_path / "nb").exists()
