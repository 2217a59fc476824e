"""derive grade: the acceptance of its issue (the truth, each catalogued mistake, an error carried forward,
noise) and its files contract; the expected marks follow from how each hand-in was made, never from
the grader's output."""

from __future__ import annotations

import csv
import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.cli import main
from derive.course import grading, handins
from tests.course import keys
from tests.course.nets import resign
from tests.helpers import run
from tests.oracle import mp

VARIANTS = 20
ASK = ("out_o1", "E_total", "dE_total/dw5", "dE_total/dw1", "w1@1", "E_total@1")  # mazur's default questions


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exercise") / "ex"
    assert main(["exercise", "mazur", "--variants", str(VARIANTS), "--seed", "1", "--out", str(folder)]) == 0
    return folder


def _key(key_dir: Path) -> dict:
    return json.loads((key_dir / "key.json").read_text(encoding="utf-8"))


def _grade(key_dir: Path, texts: dict[str, str], tmp_path: Path, jobs: int = 1) -> dict:
    sub = tmp_path / "handins"
    sub.mkdir()
    for name, text in texts.items():
        (sub / name).write_text(text, encoding="utf-8")
    key = grading.read_key(key_dir)
    results = grading.grade_all(key, handins.sources(sub), jobs)
    return {r.student: r for r in results}


def _truth(variant: dict) -> dict[str, str]:
    """The truth as the key shows it, rounded once to the digits asked."""
    return {q["claim"]: q["shown"] for q in variant["questions"]}


def test_the_truth_gets_full_marks(key_dir: Path, tmp_path: Path) -> None:
    key = _key(key_dir)
    graded = _grade(key_dir, {f"s{v['id']}.claims": keys.handin(v["id"], _truth(v)) for v in key["variants"]}, tmp_path)
    assert len(graded) == VARIANTS
    for r in graded.values():
        assert [m.credit for m in r.marks] == [1] * len(ASK), r
        assert not any(m.mistakes or m.carried_forward for m in r.marks)


def test_each_mistake_loses_exactly_the_questions_it_affects_and_is_named(key_dir: Path, tmp_path: Path) -> None:
    """The other answers are written to the key's nine digits: a mistake's value could otherwise be what
    the student's own rounded answers give (rounding carried forward is right, see below)."""
    key = _key(key_dir)
    texts, expected = {}, {}
    for v in key["variants"]:
        for number, mistake in enumerate(sorted({m for q in v["questions"] for m in q["mistakes"]})):
            answers = {q["claim"]: keys.rounded(q["mistakes"][mistake], q["digits"]) if mistake in q["mistakes"]
                       else q["answer"] for q in v["questions"]}
            student = f"v{v['id']}m{number}"
            texts[f"{student}.claims"] = keys.handin(v["id"], answers)
            expected[student] = (mistake, [mistake in q["mistakes"] for q in v["questions"]])
    graded = _grade(key_dir, texts, tmp_path, jobs=2)
    assert len(graded) == len(expected) > VARIANTS * 5
    for student, (mistake, affected) in expected.items():
        marks = graded[student].marks
        assert [m.credit == 0 for m in marks] == affected, (student, mistake, marks)
        assert all(mistake in m.mistakes for m, lost in zip(marks, affected) if lost), (student, mistake, marks)


def test_an_error_carried_forward_loses_only_its_first_question(key_dir: Path, tmp_path: Path) -> None:
    key = _key(key_dir)
    texts = {}
    for v in key["variants"]:
        truth = mp.mpf(v["questions"][0]["answer"])
        slip = mp.nstr(truth + (mp.mpf("0.05") if truth < mp.mpf("0.9") else mp.mpf("-0.05")), 4)
        texts[f"cf{v['id']}.claims"] = keys.handin(v["id"], keys.carried_answers(v["values"], slip))
    graded = _grade(key_dir, texts, tmp_path)
    for student, r in graded.items():
        assert [m.credit for m in r.marks] == [0] + [1] * (len(ASK) - 1), (student, r.marks)
        assert r.marks[1].carried_forward and "carried forward" in r.marks[1].verdict
        assert "out_o1" in r.marks[1].verdict
        # the annotated sheet agrees with the marks: the slip ✗, every answer carried forward from it ✓
        notes = [line.partition("  # ")[2] for line in r.sheet.split("\n") if "=" in line]
        assert notes[0].startswith("✗") and all(n.startswith("✓") for n in notes[1:]), notes
        assert sum("carried forward" in n for n in notes) == sum(m.carried_forward for m in r.marks) >= 1


def test_a_documents_answers_carried_forward_are_marked_right_on_its_sheet(key_dir: Path, tmp_path: Path) -> None:
    key = _key(key_dir)
    v = key["variants"][0]
    truth = mp.mpf(v["questions"][0]["answer"])
    slip = mp.nstr(truth + (mp.mpf("0.05") if truth < mp.mpf("0.9") else mp.mpf("-0.05")), 4)
    answers = keys.carried_answers(v["values"], slip)
    body = "\n\n".join(f"We find ${c} = {a}$." for c, a in answers.items())
    r = _grade(key_dir, {"cf.md": f"# Homework\n\nvariant: {v['id']}\n\n{body}\n"}, tmp_path)["cf"]
    assert [m.credit for m in r.marks] == [0] + [1] * (len(ASK) - 1), r.marks
    marked = [line for line in r.sheet.split("\n") if line.startswith("We find")]
    assert "✗" in marked[0] and all("✓" in line and "✗" not in line for line in marked[1:]), marked


def test_random_noise_is_graded_without_a_crash(key_dir: Path, tmp_path: Path) -> None:
    key = _key(key_dir)
    rng = random.Random(3)
    texts = {}
    for v in key["variants"]:
        answers = {q["claim"]: f"{rng.uniform(-5, 5):.4f}" for q in v["questions"]}
        texts[f"n{v['id']}.claims"] = keys.handin(v["id"], answers)
    graded = _grade(key_dir, texts, tmp_path)
    assert len(graded) == VARIANTS
    for r in graded.values():
        assert all(m.credit == 0 and not m.carried_forward for m in r.marks[:1])
        assert 0 <= r.total <= len(ASK)


def test_a_chain_earns_partial_credit_per_link(key_dir: Path, tmp_path: Path) -> None:
    v = _key(key_dir)["variants"][0]
    values = {k: mp.mpf(x) for k, x in v["values"].items()}
    sig = lambda x: 1 / (1 + mp.exp(-x))
    h1 = sig(values["w1"] * values["i1"] + values["w2"] * values["i2"] + values["b1"])
    h2 = sig(values["w3"] * values["i1"] + values["w4"] * values["i2"] + values["b1"])
    o1 = sig(values["w5"] * h1 + values["w6"] * h2 + values["b2"])
    # the formula is right, the number after it is not: half the credit
    text = f"variant: {v['id']}\nout_o1 = sigmoid(net_o1) = {mp.nstr(o1 + mp.mpf('0.1'), 4)}\n"
    graded = _grade(key_dir, {"p.claims": text}, tmp_path)
    assert graded["p"].marks[0].credit == grading.Fraction(1, 2)


def test_documents_and_a_csv_are_graded(key_dir: Path, tmp_path: Path) -> None:
    v = _key(key_dir)["variants"][1]
    truth = _truth(v)
    markdown = (f"# Homework\n\nstudent: Ada L\n\nvariant: {v['id']}\n\nThe output is $out_{{o1}} = {truth['out_o1']}$ "
                f"and the error\n\n$$E_{{total}} = {truth['E_total']}$$\n")
    markdown = markdown.replace(f"variant: {v['id']}", f"variant: 0{v['id']}")  # 02 is variant 2
    graded = _grade(key_dir, {"ada.md": markdown}, tmp_path)
    assert graded["Ada L"].variant == str(v["id"])
    assert [m.credit for m in graded["Ada L"].marks][:3] == [1, 1, 0]
    rows = tmp_path / "answers.csv"
    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "variant", *truth])
        writer.writerow(["Bea", v["id"], *truth.values()])
        writer.writerow(["Cy", v["id"], "0.5", *list(truth.values())[1:]])
        writer.writerow(["Di", "", *truth.values()])
    results = grading.grade_all(grading.read_key(key_dir), handins.sources(rows), 1)
    assert [r.total for r in results[:2]] == [6, 5]
    assert results[2] == grading.Unreadable("answers.csv:4", "no variant in its row", "Di")  # the header is line 1


def test_the_command_writes_the_files_contract(key_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    v = _key(key_dir)["variants"][2]
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "ann.claims").write_text(keys.handin(v["id"], _truth(v)), encoding="utf-8")
    (sub / "bo.claims").write_text("out_o1 = 0.5\n", encoding="utf-8")
    (sub / "cid.claims").write_text("variant: 999\nout_o1 = 0.5\n", encoding="utf-8")
    (sub / "dee.claims").write_bytes(b"variant: 1\n\xff\xfe\n")
    (sub / "eli.ipynb").write_text("variant: 1\n{not json", encoding="utf-8")
    out = tmp_path / "report"
    code, stdout, err = run(["grade", str(key_dir), str(sub), "--out", str(out), "--jobs", "2"], capsys)
    assert (code, err) == (0, "")
    assert stdout.strip() == str(out / "report.html")
    table = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    assert list(table[0]) == ["student", "variant", "total", *ASK]
    assert [(r["student"], r["total"]) for r in table][:1] == [("ann", "6")]
    reasons = {r["student"]: r["total"] for r in table[1:]}
    assert reasons["bo"].startswith("unreadable: no line `variant: <id>`")
    assert reasons["cid"].startswith("unreadable: unknown variant 999")
    assert reasons["dee"] == "unreadable: expected UTF-8 text"
    assert reasons["eli"].startswith("unreadable: ")
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    assert [s["student"] for s in grades["students"]] == ["ann"]
    assert set(grades["students"][0]["questions"][0]) >= {"claim", "credit", "verdict", "mistakes", "carried_forward"}
    assert [u["file"] for u in grades["unreadable"]] == ["bo.claims", "cid.claims", "dee.claims", "eli.ipynb"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 2  # the histogram and the success rates: one right answer names no mistake
    # matplotlib writes each tick's label as a comment: students are counted in whole numbers
    assert re.findall(r"<!-- (.*?) -->", page)[:8] == ["0", "1", "2", "3", "4", "5", "6", "total (points)"]
    assert not re.search(r"<!-- \d+\.\d+ -->", page)
    assert not any(tag in page for tag in ('src="http', 'href="http', "<script", "<link", "@import"))  # offline
    sheet = grades["students"][0]["sheet"]
    assert f'href="{sheet}"' in page and (out / sheet).read_text(encoding="utf-8").count("✓") == len(ASK)


def test_the_same_hand_ins_give_the_same_bytes(key_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = _key(key_dir)
    sub = tmp_path / "sub"
    sub.mkdir()
    for v in key["variants"][:4]:
        m = next(iter(v["questions"][2]["mistakes"]))
        answers = {q["claim"]: keys.rounded(q["mistakes"][m]) if m in q["mistakes"] else q["shown"]
                   for q in v["questions"]}
        (sub / f"s{v['id']}.claims").write_text(keys.handin(v["id"], answers), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"r{jobs}"
        assert run(["grade", str(key_dir), str(sub), "--out", str(out), "--jobs", jobs], capsys)[0] == 0
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    page = outputs[0]["report.html"].decode()
    assert "<svg" in page and "<dc:date>" not in page
    named = {next(iter(v["questions"][2]["mistakes"])) for v in key["variants"][:4]}
    assert all(f"<tr><td>{m}</td><td>" in page for m in named)  # each chart's mistakes, as text beside it


def test_unusable_input_is_one_line_and_status_2(key_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["grade", str(key_dir), str(empty), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "no hand-ins" in err
    code, _, err = run(["grade", str(tmp_path), str(key_dir), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "key.json" in err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "key.json").write_text('{"network": "mazur", "variants": [{"id": 1}]}', encoding="utf-8")
    code, _, err = run(["grade", str(tmp_path / "bad"), str(key_dir), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "checksums.sha256: missing" in err
    resign(tmp_path / "bad")
    code, _, err = run(["grade", str(tmp_path / "bad"), str(key_dir), "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and err.count("\n") == 1 and "format" in err
    # a spreadsheet whose answer columns name none of the sheet's questions would grade everyone 0
    for name, text in (("wide.csv", "student,variant,Q1,Q2\nAnn,1,0.777,0.0295\n"),
                       ("long.csv", "student,variant,question,answer\nAnn,1,Q1,0.777\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, _, err = run(["grade", str(key_dir), str(tmp_path / name), "--out", str(tmp_path / "r")], capsys)
        assert code == 2 and err.count("\n") == 1 and "names a question of the key" in err and "out_o1" in err
    assert not (tmp_path / "r").exists()


def test_latex_and_notebook_hand_ins_name_their_variant_in_their_own_markup(key_dir: Path, tmp_path: Path) -> None:
    v = _key(key_dir)["variants"][3]
    truth = _truth(v)
    tex = (f"\\documentclass{{article}}\n\\begin{{document}}\n% student: Tex Writer\n% variant: {v['id']}\n"
           f"The output is $out_{{o1}} = {truth['out_o1']}$ and\n\\[ E_{{total}} = {truth['E_total']} \\]\n"
           "\\end{document}\n")
    cells = [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": [f"**variant:** {v['id']}\n"]},
             {"cell_type": "markdown", "id": "b", "metadata": {}, "source": [f"$$out_{{o1}} = {truth['out_o1']}$$\n"]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    graded = _grade(key_dir, {"t.tex": tex, "nb.ipynb": json.dumps(notebook)}, tmp_path)
    assert [m.credit for m in graded["Tex Writer"].marks][:3] == [1, 1, 0]
    assert [m.credit for m in graded["nb"].marks][:2] == [1, 0]
    assert graded["nb"].marks[1].verdict == "not answered"
    assert "✓" in graded["Tex Writer"].sheet and json.loads(graded["nb"].sheet)["cells"][1]["source"]


@pytest.mark.parametrize(("signal_number", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_grading_writes_nothing(key_dir: Path, tmp_path: Path, signal_number: int, status: int) -> None:
    v = _key(key_dir)["variants"][0]
    sub = tmp_path / "many"
    sub.mkdir()
    for n in range(2_000):  # seconds of work: the signal comes while the pool grades
        (sub / f"s{n:04d}.claims").write_text(keys.handin(v["id"], _truth(v)), encoding="utf-8")
    out = tmp_path / "report"
    command = [sys.executable, "-m", "derive", "grade", str(key_dir), str(sub), "--out", str(out), "--jobs", "2"]
    # Ctrl-C as a terminal sends it, whatever the suite was started under (a background job ignores SIGINT,
    # and a program started with it ignored keeps ignoring it)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(3)
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=120)
    assert process.returncode == status and err.count("\n") == 1, err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if ".derive-" in p.name]


def test_hand_ins_written_as_the_sheet_asks_are_graded_in_markdown_and_notebooks(key_dir: Path, tmp_path: Path) -> None:
    """The sheet asks for `variant: <id>` and one line per answer in its form (`out_o1 = 0.777`): in a
    Markdown file (bold variant line, a list, backticks) or a notebook's Markdown cell, those lines are
    the answers; prose around them is not."""
    v = _key(key_dir)["variants"][4]
    truth = _truth(v)
    markdown = (f"# Homework 3\n\n**variant: {v['id']}**\n\nForward pass, worked by hand: out_o1 = 0.5, roughly.\n\n"
                f"- out_o1 = {truth['out_o1']}\n- `E_total = {truth['E_total']}`\n\n"
                f"1. dE_total/dw5 = {truth['dE_total/dw5']}\n")
    lines = [f"{claim} = {value}\n" for claim, value in truth.items()]
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"variant: {v['id']}\n"]},  # no cell ids
             {"cell_type": "markdown", "metadata": {}, "source": lines},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": ["E_total = 1"]}]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    graded = _grade(key_dir, {"ann.md": markdown, "nb.ipynb": json.dumps(notebook), "eve.md": "out_o1 = 0.5\n"}, tmp_path)
    assert [m.credit for m in graded["ann"].marks] == [1, 1, 1, 0, 0, 0]
    assert [m.credit for m in graded["nb"].marks] == [1] * len(ASK)
    assert isinstance(graded["eve"], grading.Unreadable)  # named as a graded hand-in would be: no extension
    assert f"- out_o1 = {truth['out_o1']} **✓**" in graded["ann"].sheet.split("\n")  # the lines are marked
    assert "roughly.\n" in graded["ann"].sheet
    assert "".join(json.loads(graded["nb"].sheet)["cells"][1]["source"]).count("**✓**") == len(ASK)


@pytest.mark.parametrize(("name", "line"), [("a.md", "**variant: 12**"), ("b.md", "**variant:** 12"),
                                            ("c.tex", "\\textbf{variant: 12}"), ("d.tex", "\\emph{variant: 12} \\\\"),
                                            ("e.tex", "% variant: 12")])
def test_the_variant_line_may_be_bold_or_emphasised(tmp_path: Path, name: str, line: str) -> None:
    (tmp_path / name).write_text(f"Homework\n\n{line}\n\nanswers\n", encoding="utf-8")
    assert handins.read(handins.Source(name, str(tmp_path / name))).variant == "12"
