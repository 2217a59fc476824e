"""The Python API: the same results as the command line (its committed output, its printed reports), the
same one-line messages as exceptions, nothing printed, and `import derive` light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from tests.helpers import run

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "output"
HOMEWORK = ROOT / "examples" / "homework" / "mazur.md"
CLAIMS = ROOT / "examples" / "claims" / "seed003_mazur.claims"


@pytest.fixture(scope="module")
def mazur() -> derive.Network:
    return derive.load("mazur")


def test_import_derive_loads_no_part_and_no_sympy() -> None:
    code = "import sys, derive; print(sorted(m for m in sys.modules if m.startswith(('derive', 'sympy', 'numpy'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['derive']"


def test_loading_reads_a_preset_a_path_or_toml_text(tmp_path: Path) -> None:
    text = (ROOT / "derive" / "presets" / "mazur.toml").read_text(encoding="utf-8")
    (tmp_path / "net.toml").write_text(text, encoding="utf-8")
    for source in ("mazur", str(tmp_path / "net.toml"), tmp_path / "net.toml", text):
        net = derive.load(source)
        assert [p.name for p in net.network.params] == ["w1", "w2", "w3", "w4", "b1", "w5", "w6", "w7", "w8", "b2"]
    assert derive.load(text).source is None and derive.load("mazur").source == "mazur"
    assert dict(derive.list_presets())["mazur"] == "The classic 2-2-2 example"


def test_the_walkthrough_is_the_committed_example(mazur: derive.Network, capsys: pytest.CaptureFixture[str]) -> None:
    notes = mazur.render()
    assert notes.text == (OUTPUT / "mazur" / "en" / "walkthrough.md").read_text(encoding="utf-8")
    assert notes.files["figures/network.svg"] == (OUTPUT / "mazur" / "en" / "figures" / "network.svg").read_text(
        encoding="utf-8")
    tex = mazur.render(format="tex", lang="zh")
    assert tex.text == (OUTPUT / "mazur" / "zh" / "walkthrough.tex").read_text(encoding="utf-8")
    assert capsys.readouterr() == ("", "")


def test_notes_are_written_as_the_command_writes_them(mazur: derive.Network, tmp_path: Path) -> None:
    written = mazur.render(format="html").write(tmp_path / "out")
    assert written == [tmp_path / "out" / "walkthrough.html"]
    assert written[0].read_text(encoding="utf-8") == (OUTPUT / "mazur" / "en" / "walkthrough.html").read_text(
        encoding="utf-8")


def test_the_derivation_holds_the_numbers_of_the_notes(mazur: derive.Network) -> None:
    d = mazur.derivation(digits=4)
    assert d is mazur.derivation(digits=4)  # built once
    assert abs(float(d.error_before) - 0.298371109) < 1e-9  # the classic article's error before the update


def test_the_code_is_the_committed_module_and_runs(mazur: derive.Network) -> None:
    code = mazur.code()
    assert code.style == "scalar"
    assert code.text == (OUTPUT / "mazur" / "update.py").read_text(encoding="utf-8")
    module = code.module()
    params = module.initial_params()
    grads = module.gradients(params, module.INPUTS, module.TARGETS)
    assert abs(grads["w5"] - 0.0821670406) < 1e-9  # the classic article's gradient of w5


def test_training_gives_the_errors_the_command_prints(mazur: derive.Network,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    trained = mazur.train(steps=100)
    assert capsys.readouterr() == ("", "")
    code, out, _ = run(["train", "mazur", "--steps", "100"], capsys)
    assert code == 0
    assert out.splitlines() == [f"updates {n}: error {e:.9g}" for n, e in trained.curve]
    assert [n for n, _ in trained.curve] == [0, 1, 2, 5, 10, 20, 50, 100] and trained.diverged is None
    assert trained.plot("svg").startswith(b"<?xml") and trained.plot("svg") == trained.plot("svg")


def test_a_claims_report_holds_verdicts_as_objects(mazur: derive.Network, capsys: pytest.CaptureFixture[str]) -> None:
    report = mazur.check("out_h1 = 0.593269992\ndE_total/dw5 = 0.74136507*0.186815602*0.6 = 0.0821670406\n")
    first, *links = report.verdicts
    assert (first.line, first.claim, first.status, first.ok) == (1, "out_h1 = 0.593269992", "correct", True)
    assert [(v.line, v.link, v.status) for v in links] == [(2, 1, "wrong"), (2, 2, "correct")]
    assert links[0].truth == "0.0821670406"
    assert (report.correct, report.wrong, report.cannot_check, report.problem) == (2, 1, 0, None)
    assert capsys.readouterr() == ("", "")


def test_a_report_reads_as_the_command_prints_it(mazur: derive.Network, capsys: pytest.CaptureFixture[str]) -> None:
    for path in (CLAIMS, HOMEWORK):
        report = mazur.check(path)
        code, out, _ = run(["check", "mazur", str(path)], capsys)
        assert out == report.text() + "\n" and code == (1 if report.wrong else 0)
        code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
        assert json.loads(out) == json.loads(report.json())


def test_a_document_report_names_the_mistakes_and_annotates(mazur: derive.Network) -> None:
    report = mazur.check(HOMEWORK)
    assert (report.kind, report.correct, report.wrong) == ("md", 16, 3)
    wrong = [v for v in report.verdicts if v.status == "wrong"]
    assert wrong[0].mistakes[0].startswith("missing activation derivative")
    assert report.annotated() == (ROOT / "examples" / "homework" / "mazur.annotated.md").read_text(encoding="utf-8")
    assert "<html" in report.annotated(page=True)


def test_a_check_report_shows_as_a_table_with_marks(mazur: derive.Network) -> None:
    table = mazur.check("out_h1 = 0.593269992\nout_h2 = 0.7 # <b>\n")._repr_html_()
    assert table.count("<tr>") == 3 and "✓" in table and "✗" in table
    assert "&lt;b&gt;" not in table  # a comment is no claim; nothing of the line is placed unescaped
    assert "<b>" not in table


@pytest.mark.parametrize(("argv", "call"), [
    (["render", "nope"], lambda: derive.load("nope")),
    (["check", "mazur", "."], lambda: derive.load("mazur").check(Path("."))),
    (["check", "mazur", "missing.md"], lambda: derive.load("mazur").check(Path("missing.md"))),
    (["train", "mazur", "--plot", "curve.gif"], lambda: derive.load("mazur").train(1).write_plot("curve.gif")),
])
def test_errors_carry_the_command_lines_message(argv: list[str], call: object, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    with pytest.raises(derive.DeriveError) as raised:
        call()  # type: ignore[operator]
    assert code == 2 and err == f"derive: error: {raised.value}\n"
    assert not isinstance(raised.value, derive.Finding)


def test_each_kind_of_bad_input_has_its_own_exception(mazur: derive.Network, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe")
    kinds = [(derive.SpecError, lambda: derive.load("title = 1\n")),
             (derive.OptionError, lambda: mazur.render(lang="fr")),
             (derive.OptionError, lambda: mazur.render(digits=0)),
             (derive.OptionError, lambda: mazur.code(style="matrix")),
             (derive.DocumentError, lambda: mazur.check(bad)),
             (derive.GradingError, lambda: derive.grade(tmp_path / "nokey", tmp_path)),
             (derive.WriteError, lambda: mazur.code().write(tmp_path / "bad.md" / "x.py"))]
    for kind, call in kinds:
        with pytest.raises(kind) as raised:
            call()
        assert "\n" not in str(raised.value) and str(raised.value)


def test_an_exercise_and_its_grades_hold_the_data_of_their_files(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sheets = derive.exercise("mazur", variants=2, seed=3)
    assert sheets.variants == 2 and sheets.key == json.loads(sheets.files["key.json"])
    sheets.write(tmp_path / "ex")
    code, _, _ = run(["exercise", "mazur", "--variants", "2", "--seed", "3", "--out", str(tmp_path / "cli")], capsys)
    assert code == 0 and (tmp_path / "cli" / "key.json").read_text(encoding="utf-8") == sheets.files["key.json"]
    variant = sheets.key["variants"][0]
    answers = "".join(f"{q['claim']} = {q['shown']}\n" for q in variant["questions"])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ada.claims").write_text(f"variant: {variant['id']}\n{answers}", encoding="utf-8")
    grades = derive.grade(tmp_path / "ex", tmp_path / "in")
    student = grades.results["students"][0]
    assert (student["student"], student["total"]) == ("ada", len(variant["questions"]))
    assert grades.write(tmp_path / "grades") == tmp_path / "grades" / "report.html"
    assert capsys.readouterr() == ("", "")


def test_the_version_is_the_packages(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, err = run(["--version"], capsys)
    assert (code, out, err) == (0, f"derive {version('derive')}\n", "")
    assert derive.__version__ == version("derive")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {derive.__version__}" in changelog  # every version says what it brought
