"""The key folder alone decides: the spec as it was is inside key.json, a changed folder is refused,
it works from any directory, and every field of a tampered key.json is checked with the spec's
bounds (one line, exit 2, at once)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from derive.cli import main
from tests.course import keys
from tests.course.nets import NET231, resign
from tests.helpers import run


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A teacher's 2-3-1 spec in spec/net231.toml, 4 variants made from the folder above it."""
    root = tmp_path_factory.mktemp("course")
    (root / "spec").mkdir()
    (root / "spec" / "net231.toml").write_text(NET231, encoding="utf-8")
    here = Path.cwd()
    os.chdir(root)
    try:
        assert main(["exercise", "spec/net231.toml", "--variants", "4", "--seed", "3", "--out", "ex"]) == 0
    finally:
        os.chdir(here)
    return root


def _copy(made: Path, tmp_path: Path) -> Path:
    shutil.copytree(made / "ex", tmp_path / "ex")
    return tmp_path / "ex"


def _truth_handins(key_dir: Path, folder: Path) -> None:
    folder.mkdir()
    for v in json.loads((key_dir / "key.json").read_text(encoding="utf-8"))["variants"]:
        answers = {q["claim"]: q["shown"] for q in v["questions"]}
        (folder / f"s{v['id']}.claims").write_text(keys.handin(v["id"], answers), encoding="utf-8")


def _totals(report: Path) -> list[str]:
    return [line.split(",")[2] for line in (report / "grades.csv").read_text(encoding="utf-8").splitlines()[1:]]


def test_the_key_keeps_the_spec_so_editing_the_spec_file_changes_nothing(made: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    key_dir = _copy(made, tmp_path)
    _truth_handins(key_dir, tmp_path / "in")
    spec_file = made / "spec" / "net231.toml"
    original = spec_file.read_text(encoding="utf-8")
    spec_file.write_text(original.replace('activation = "tanh"', 'activation = "sigmoid"'), encoding="utf-8")
    try:
        code, _, err = run(["grade", str(key_dir), str(tmp_path / "in"), "--out", str(tmp_path / "r"), "--jobs", "1"], capsys)
    finally:
        spec_file.write_text(original, encoding="utf-8")
    assert (code, err) == (0, "")
    assert _totals(tmp_path / "r") == ["8"] * 4
    data = json.loads((key_dir / "key.json").read_text(encoding="utf-8"))
    assert data["network"] == "net231" and data["spec"] == original


def test_the_key_works_from_any_directory(made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _truth_handins(made / "ex", tmp_path / "in")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    here = Path.cwd()
    os.chdir(elsewhere)
    try:
        code, _, err = run(["grade", str(made / "ex"), str(tmp_path / "in"), "--out", "r", "--jobs", "1"], capsys)
    finally:
        os.chdir(here)
    assert (code, err) == (0, "")
    assert _totals(elsewhere / "r") == ["8"] * 4


@pytest.mark.parametrize("change", ["key.json", "sheets/variant-2.md", "moodle.xml", "removed", "checksums"])
def test_a_key_folder_changed_after_it_was_written_is_refused(made: Path, tmp_path: Path, change: str,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    key_dir = _copy(made, tmp_path)
    _truth_handins(key_dir, tmp_path / "in")
    if change == "removed":
        (key_dir / "key.csv").unlink()
    elif change == "checksums":
        (key_dir / "checksums.sha256").unlink()
    else:
        target = key_dir / change
        target.write_text(target.read_text(encoding="utf-8").replace("0.", "0.0", 1), encoding="utf-8")
    code, out, err = run(["grade", str(key_dir), str(tmp_path / "in"), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert ("changed after" in err or "missing" in err) and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def _tampered(made: Path, tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    key_dir = _copy(made, tmp_path)
    data = json.loads((key_dir / "key.json").read_text(encoding="utf-8"))
    edit(data)
    (key_dir / "key.json").write_text(json.dumps(data), encoding="utf-8")
    resign(key_dir)
    return key_dir


def _set_value(value: str):  # type: ignore[no-untyped-def]
    return lambda d: d["variants"][0]["values"].__setitem__("w1", value)


EDITS = {
    "huge exponent": (_set_value("1e999999999"), "values.w1"),
    "100,000 digits": (_set_value("1" * 100_000), "values.w1"),
    "out of the table's range": (_set_value("7.5"), "values.w1"),
    "more decimals than drawn": (_set_value("0.125"), "values.w1"),
    "a mistake named in LaTeX": (lambda d: d["variants"][0]["questions"][3]["mistakes"].__setitem__(r"$\frac{$", "0.1"),
                                 "mistakes"),
    "feedback named in LaTeX": (lambda d: d["feedback"].__setitem__(r"$\frac{$", "x"), "feedback"),
    "network a path": (lambda d: d.__setitem__("network", "../../elsewhere/net"), "network"),
    "no spec": (lambda d: d.pop("spec"), "spec"),
    "a spec with a bad key": (lambda d: d.__setitem__("spec", d["spec"].replace("loss =", "los =")), "spec"),
    "a question not asked": (lambda d: d["variants"][1]["questions"][0].__setitem__("claim", "w9@99999"), "questions"),
    "digits": (lambda d: d["variants"][0]["questions"][0].__setitem__("digits", 10**9), "digits"),
    "answer": (lambda d: d["variants"][0]["questions"][0].__setitem__("answer", "1e999999999"), "answer"),
    "an unknown value": (lambda d: d["variants"][0]["values"].__setitem__("zz", "0.5"), "values"),
    "format": (lambda d: d.pop("format"), "format"),
    "the id": (lambda d: d["variants"][0].__setitem__("id", "../1"), "id"),
}


@pytest.mark.parametrize("case", list(EDITS))
def test_every_field_of_a_tampered_key_is_checked_at_once(made: Path, tmp_path: Path, case: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    edit, field = EDITS[case]
    key_dir = _tampered(made, tmp_path, edit)
    _truth_handins(made / "ex", tmp_path / "in")
    start = time.perf_counter()
    code, out, err = run(["grade", str(key_dir), str(tmp_path / "in"), "--out", str(tmp_path / "r")], capsys)
    assert time.perf_counter() - start < 20
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert field in err and "key.json" in err and "Traceback" not in err and len(err) < 600, err
    assert not (tmp_path / "r").exists()


def test_a_number_literal_of_100000_digits_in_key_json_is_refused(made: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    key_dir = _copy(made, tmp_path)
    text = (key_dir / "key.json").read_text(encoding="utf-8").replace('"seed": 3', '"seed": ' + "9" * 100_000)
    (key_dir / "key.json").write_text(text, encoding="utf-8")
    resign(key_dir)
    _truth_handins(made / "ex", tmp_path / "in")
    code, _, err = run(["grade", str(key_dir), str(tmp_path / "in"), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "key.json" in err and "Traceback" not in err, err
