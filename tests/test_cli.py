"""The command line, called in-process: bad input is one line and exit 2, nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from derive.code import codegen
from tests.helpers import MAZUR, run, write_spec


@pytest.mark.parametrize("argv", [["render", "mazur", "--format", "docx"], ["render", "mazur", "--digits", "0"],
                                  ["render"], ["frobnicate"], []])
def test_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("derive: error:")


def test_list_names_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["list"], capsys)
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["cnn", "gender", "mazur", "mazuradam", "rnn", "textbook",
                                                                    "xor3"]


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
    monkeypatch.setattr(codegen, "generate", lambda d, style, *rest: real(d, style, *rest).replace(
        "dE_dw5 = cse_0*out_h1", "dE_dw5 = 2*cse_0*out_h1"))
    path = write_spec(tmp_path, MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1]"))
    code, _, err = run(["render", str(path), "--format", "ipynb", "--out", str(tmp_path / "nb")], capsys)
    assert code == 1 and "disagrees" in err and "w5" in err and err.count("\n") == 1
    assert not (tmp_path / "nb").exists()


def test_two_routes_that_disagree_end_with_one_line_and_status_1(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    """Numbers that cancel beyond the working precision make the engine's two routes disagree: one line
    on stderr naming the quantity, status 1, no traceback and no file."""
    from derive.maths import derivation

    def disagree(*args: object, **kwargs: object) -> None:
        raise derivation.InconsistentDerivation("updated w1: 2.81e77 by one route,\n2.82e77 by the other")

    monkeypatch.setattr(derivation, "build", disagree)
    out = tmp_path / "update.py"
    assert main(["code", "mazur", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "updated w1" in err and "50 digits" in err
    assert not out.exists()
