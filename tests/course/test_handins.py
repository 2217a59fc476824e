"""Hand-ins as students and platforms save them: every answer form the sheet invites is read (and says
how), what is not read is listed, line ends of every machine, file names that are not UTF-8, malformed
notebooks, links, Moodle's and Canvas's "download all submissions" layouts, a CSV inside the folder.
Expected marks come from the key's truth, never from the grader."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from derive.cli import main
from derive.course import grading, handins
from tests.course import keys
from tests.helpers import run

ASK = ("out_o1", "E_total", "dE_total/dw5", "dE_total/dw1", "w1@1", "E_total@1")


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exercise") / "ex"
    assert main(["exercise", "mazur", "--variants", "4", "--seed", "2", "--out", str(folder)]) == 0
    return folder


def _variant(key_dir: Path, index: int = 0) -> dict:
    return json.loads((key_dir / "key.json").read_text(encoding="utf-8"))["variants"][index]


def _truth(v: dict) -> dict[str, str]:
    return {q["claim"]: q["shown"] for q in v["questions"]}


def _grade_folder(key_dir: Path, folder: Path) -> dict[str, grading.Graded | grading.Unreadable]:
    results = grading.grade_all(grading.read_key(key_dir), handins.sources(folder), 1)
    return {r.file: r for r in results}


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return folder


def _credits(r: grading.Graded | grading.Unreadable) -> list[int]:
    assert isinstance(r, grading.Graded), r
    return [int(m.credit) for m in r.marks]


def test_every_answer_form_the_sheet_invites_is_read_and_says_how(key_dir: Path, tmp_path: Path) -> None:
    v = _variant(key_dir)
    t = _truth(v)
    comma = {c: a.replace(".", ",") for c, a in t.items()}
    sheet = (key_dir / "sheets" / f"variant-{v['id']}.md").read_text(encoding="utf-8")
    filled = "\n".join(line[:-2] + f" {t[c]} |" if (c := next((c for c in t if f"| `{c}` |" in line), None))
                       and line.endswith("| |") else line for line in sheet.split("\n"))
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"variant: {v['id']}\n"]},
             {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["print(out_o1)"],
              "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"{c} = {a}\n" for c, a in t.items()]}]}]
    files = {
        "sheet.md": filled.replace("Name: ....", "Name: Ada Lovelace ...."),
        "colon.md": f"**Variant {v['id']}**\n\n" + "\n".join(f"{c}: {a}" for c, a in t.items()) + "\n",
        "approx.md": f"variant: {v['id']}\n\n" + "\n".join(f"- {c} ≈ {a}" for c, a in comma.items()) + "\n",
        "table.md": f"variant: {v['id']}\n\n| quantity | value |\n|---|---|\n"
                    + "".join(f"| `{c}` | {a} |\n" for c, a in t.items()),
        "zh.md": f"**第 {v['id']} 套** · 姓名： 张三\n\n" + "\n".join(f"{c}：{a}" for c, a in t.items()) + "\n",
        "nb.ipynb": json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        "code.md": f"variant: {v['id']}\n\n```\n" + "".join(f"{c} = {a}\n" for c, a in t.items()) + "```\n",
    }
    graded = _grade_folder(key_dir, _write(tmp_path / "in", files))
    for name in files:
        assert _credits(graded[name]) == [1] * len(ASK), (name, graded[name])
    assert graded["sheet.md"].student == "Ada Lovelace" and graded["zh.md"].student == "张三"
    assert graded["approx.md"].marks[0].read == f'read "out_o1 ≈ {comma["out_o1"]}" as out_o1 = {t["out_o1"]}'
    assert graded["colon.md"].marks[1].read == f'read "E_total: {t["E_total"]}" as E_total = {t["E_total"]}'
    assert graded["table.md"].marks[0].read.startswith("read from its table row")
    assert graded["nb.ipynb"].marks[0].read.startswith("read from the printed output of cell 2")
    # the annotated sheet says how each answer was read, inside a table row's last cell
    assert f'- out_o1 ≈ {comma["out_o1"]} *✓; read "out_o1 ≈ {comma["out_o1"]}" as out_o1 = {t["out_o1"]}*' \
        in graded["approx.md"].sheet
    row = next(line for line in graded["sheet.md"].sheet.split("\n") if "| `out_o1` |" in line)
    assert row.endswith(f"{t['out_o1']} *✓; read from its table row* |") and row.count("|") == 6
    assert all(not r.unread for r in graded.values())


def test_what_is_not_read_is_listed_and_the_sheets_example_is_no_answer(key_dir: Path, tmp_path: Path) -> None:
    v = _variant(key_dir)
    t = _truth(v)
    sheet = (key_dir / "sheets" / f"variant-{v['id']}.md").read_text(encoding="utf-8")  # handed in unfilled
    prose = (f"variant: {v['id']}\n\nout_o1 = {t['out_o1']}, roughly\n\nE_total is about {t['E_total']}\n\n"
             f"$$ out_{{o1}} = \\mathcal{{Q}}({t['out_o1']}) $$\n\nw1@1 = 0.88 - 0.7*0.002 (about)\n")
    graded = _grade_folder(key_dir, _write(tmp_path / "in", {"blank.md": sheet, "prose.md": prose}))
    assert _credits(graded["blank.md"]) == [0] * len(ASK) and not graded["blank.md"].unread
    assert all(m.verdict == "not answered" for m in graded["blank.md"].marks)
    unread = graded["prose.md"].unread
    assert [u.where for u in unread] == ["line 7", "line 3", "line 5", "line 9"], unread
    assert unread[1].text == f"out_o1 = {t['out_o1']}, roughly" and all(u.reason for u in unread)


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_windows_and_old_mac_line_ends_are_read(key_dir: Path, tmp_path: Path, ending: str) -> None:
    v = _variant(key_dir, 1)
    t = _truth(v)
    claims = keys.handin(v["id"], t, "Ann Ending")
    markdown = f"# Homework\n\n**variant: {v['id']}**\n\n" + "".join(f"- {c} = {a}\n" for c, a in t.items())
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"variant: {v['id']}\n" + "".join(
        f"{c} = {a}\n" for c, a in t.items())}]
    notebook = json.dumps({"cells": [dict(c, source=c["source"].replace("\n", ending)) for c in cells],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 4})
    files = {"a.claims": claims.replace("\n", ending), "b.md": markdown.replace("\n", ending), "c.ipynb": notebook}
    graded = _grade_folder(key_dir, _write(tmp_path / "in", files))
    for name in files:
        assert _credits(graded[name]) == [1] * len(ASK), (name, graded[name])
    assert graded["a.claims"].student == "Ann Ending"
    # the annotated claims file keeps its variant and student lines
    assert graded["a.claims"].sheet.split("\n")[:2] == [f"variant: {v['id']}", "student: Ann Ending"]
    # every answer line of the annotated Markdown has its mark
    sheet = graded["b.md"].sheet
    assert [line.endswith("**✓**") for line in sheet.splitlines() if line.startswith("- ")] == [True] * len(ASK)


NOTEBOOKS = {
    "no cells": {"nbformat": 4, "metadata": {}},
    "a cell that is not an object": {"cells": [1, "x"], "nbformat": 4},
    "nbformat 1": {"cells": [], "nbformat": 1},
    "a float nbformat": {"cells": [], "nbformat": 4.0},
    "a source that is a number": {"cells": [{"cell_type": "markdown", "source": 5}], "nbformat": 4},
}


def test_malformed_notebooks_are_one_row_each_and_never_stop_the_class(key_dir: Path, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    v = _variant(key_dir)
    files: dict[str, str | bytes] = {f"nb{k}.ipynb": json.dumps(nb) for k, nb in enumerate(NOTEBOOKS.values())}
    files["nested.ipynb"] = "[" * 100_000 + "]" * 100_000
    files["binary.ipynb"] = b"\x89PNG\r\n\x1a\n\x00\x00"
    files["good.claims"] = keys.handin(v["id"], _truth(v))
    folder = _write(tmp_path / "in", files)
    code, _, err = run(["grade", str(key_dir), str(folder), "--out", str(tmp_path / "r"), "--jobs", "2"], capsys)
    assert (code, err) == (0, "")
    table = {row["student"]: row["total"] for row in csv.DictReader((tmp_path / "r" / "grades.csv").open(encoding="utf-8"))}
    assert table.pop("good") == str(len(ASK))
    assert len(table) == len(NOTEBOOKS) + 2 and all(total.startswith("unreadable: ") for total in table.values()), table


def test_names_that_are_not_utf8_links_and_special_files(key_dir: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    v = _variant(key_dir)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(b"caf\xe9.claims")).write_text(keys.handin(v["id"], _truth(v)), encoding="utf-8")
    outside = tmp_path / "secret.md"
    outside.write_text(f"variant: {v['id']}\n\nout_o1 = {_truth(v)['out_o1']}\n\nTOP SECRET\n", encoding="utf-8")
    (folder / "link.md").symlink_to(outside)
    (folder / "inside.md").symlink_to(folder / os.fsdecode(b"caf\xe9.claims"))
    os.mkfifo(folder / "pipe.md")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / ".hidden.md").write_text("variant: 1\n", encoding="utf-8")
    code, _, err = run(["grade", str(key_dir), str(folder), "--out", str(tmp_path / "r"), "--jobs", "1"], capsys)
    assert (code, err) == (0, "")
    grades = json.loads((tmp_path / "r" / "grades.json").read_text(encoding="utf-8"))
    assert [s["file"] for s in grades["students"]] == ["caf\\xe9.claims"] and grades["students"][0]["total"] == 6
    assert [(k["file"], k["reason"].split(" (")[0]) for k in grades["skipped"]] == [
        ("inside.md", "a symbolic link"), ("link.md", "a symbolic link"), ("pipe.md", "not a regular file"),
        ("scan.pdf", "a .pdf file: derive reads claims, Markdown, LaTeX, notebooks, HTML and CSV")]
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "r").rglob("*") if p.is_file())
    assert "TOP SECRET" not in written
    assert "link.md" in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")


def test_moodle_and_canvas_downloads_and_a_csv_inside_the_folder(key_dir: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    v, w = _variant(key_dir, 0), _variant(key_dir, 1)
    tv, tw = _truth(v), _truth(w)
    files = {
        "Ada Lovelace_1234567_assignsubmission_file_/homework.md": f"variant: {v['id']}\n\n"
        + "".join(f"- {c} = {a}\n" for c, a in tv.items()),
        "Ada Lovelace_1234567_assignsubmission_file_/working.pdf": b"%PDF-1.4",
        "Alan Turing_7654321_assignsubmission_onlinetext_/onlinetext.html":
            f"<p>variant: {w['id']}</p>" + "".join(f"<p>{c} = {a}</p>" for c, a in tw.items()),
        "hoppergrace_4321_98765_answers.claims": keys.handin(v["id"], tv),
        "hoppergrace_late_4321_98766_answers-1.claims": keys.handin(v["id"], tv),
        "sheet.csv": 'student,variant,out_o1,E_total\nZed,{},"{}",{}\n'.format(w["id"], tw["out_o1"].replace(".", ","),
                                                                              tw["E_total"]),
    }
    folder = _write(tmp_path / "in", files)
    code, _, err = run(["grade", str(key_dir), str(folder), "--out", str(tmp_path / "r"), "--jobs", "1"], capsys)
    assert (code, err) == (0, "")
    grades = json.loads((tmp_path / "r" / "grades.json").read_text(encoding="utf-8"))
    rows = {(s["student"], s["platform"], s["platform_id"]): s["total"] for s in grades["students"]}
    assert rows == {("Ada Lovelace", "moodle", "1234567"): 6, ("Alan Turing", "moodle", "7654321"): 6,
                    ("hoppergrace", "canvas", "4321"): 6, ("Zed", "", ""): 2}
    late = [s for s in grades["students"] if s["student"] == "hoppergrace"]
    assert all(any("graded twice" in f for f in s["flags"]) for s in late) and len(late) == 2
    assert grades["skipped"][0]["file"].endswith("working.pdf")
    moodle = list(csv.DictReader((tmp_path / "r" / "moodle-grades.csv").open(encoding="utf-8")))
    assert list(moodle[0])[:3] == ["Identifier", "Full name", "Grade"]
    assert {"Last modified (grade)", "Feedback comments"} <= set(moodle[0])
    assert [(m["Identifier"], m["Grade"]) for m in moodle[:2]] == [("Participant 1234567", "6"), ("Participant 7654321", "6")]
    canvas = list(csv.reader((tmp_path / "r" / "canvas-grades.csv").open(encoding="utf-8")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "derive mazur"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][-1] == "6"
    assert ["hoppergrace", "4321", "", "", "", "6"] in canvas
