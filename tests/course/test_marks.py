"""The marks a teacher can trust: rounding carried honestly, truncation right, a mistake named only when
it explains the answer, no credit carried from a convenient earlier answer, the teacher's own marks
merged, the grade exports, the report on a phone. Expected marks are worked out here from the key's
numbers by hand (Decimal arithmetic), never from the grader."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_DOWN, Context, Decimal
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
    assert main(["exercise", "mazur", "--variants", "6", "--seed", "1", "--out", str(folder)]) == 0
    return folder


def _variants(key_dir: Path) -> list[dict]:
    return json.loads((key_dir / "key.json").read_text(encoding="utf-8"))["variants"]


def _grade(key_dir: Path, texts: dict[str, str], tmp_path: Path) -> dict[str, grading.Graded]:
    sub = tmp_path / "in"
    sub.mkdir()
    for name, text in texts.items():
        (sub / name).write_text(text, encoding="utf-8")
    return {r.file: r for r in grading.grade_all(grading.read_key(key_dir), handins.sources(sub), 1)}  # type: ignore[misc]


def _digits(text: str) -> int:
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def test_the_update_from_the_students_own_rounded_gradient_is_right(key_dir: Path, tmp_path: Path) -> None:
    """The sheet asks dE_total/dw1 to 3 digits and w1@1 to 6: w1 - eta x (the gradient as written), the
    student's own accepted answer, is right, and so is the error after the update from those numbers."""
    texts = {}
    for v in _variants(key_dir):
        shown = {q["claim"]: q["shown"] for q in v["questions"]}
        digits = {q["claim"]: q["digits"] for q in v["questions"]}
        w1, eta = Decimal(v["values"]["w1"]), Decimal(v["values"]["eta"])
        update = w1 - eta * Decimal(shown["dE_total/dw1"])
        written = Context(prec=digits["w1@1"]).plus(update)
        answers = shown | {"w1@1": f"{v['values']['w1']} - {v['values']['eta']} * {shown['dE_total/dw1']} = {written:f}"}
        texts[f"v{v['id']}.claims"] = keys.handin(v["id"], answers)
    graded = _grade(key_dir, texts, tmp_path)
    first = _variants(key_dir)[0]
    assert first["values"]["w1"] == "0.88" and first["values"]["eta"] == "0.7"  # the variant: 0.878530
    assert "0.88 - 0.7 * 0.00210 = 0.878530" in texts["v1.claims"]
    for name, r in graded.items():
        assert [m.credit for m in r.marks] == [1] * len(ASK), (name, r.marks)
        assert not any(m.mistakes for m in r.marks)
    assert "rounding carried forward" in graded["v1.claims"].marks[4].verdict
    assert "✓" in graded["v1.claims"].sheet.split("\n")[5]


def test_truncated_answers_are_right_and_one_unit_off_is_wrong_without_a_cause(key_dir: Path, tmp_path: Path) -> None:
    texts, off = {}, {}
    for v in _variants(key_dir):
        truncated = {q["claim"]: f"{Context(prec=q['digits'], rounding=ROUND_DOWN).plus(Decimal(q['answer'])):f}"
                     for q in v["questions"]}
        texts[f"t{v['id']}.claims"] = keys.handin(v["id"], truncated)
        # dE_total/dw5 one unit of its last digit away from the truth's rounding, away from 0 (its
        # truncation is toward 0): neither the rounding nor the truncation of the truth
        q = v["questions"][2]
        shown = Decimal(q["shown"])
        unit = Decimal(1).scaleb(shown.adjusted() - q["digits"] + 1)
        wrong = shown + unit.copy_sign(shown)
        near = {m: x for m, x in q["mistakes"].items() if abs(Decimal(x) - wrong) <= unit}
        if not near:  # a number no catalogued mistake gives
            off[f"o{v['id']}.claims"] = v
            texts[f"o{v['id']}.claims"] = keys.handin(v["id"], {c["claim"]: c["answer"] for c in v["questions"][:2]}
                                                      | {q["claim"]: f"{wrong:f}"})
    graded = _grade(key_dir, texts, tmp_path)
    for v in _variants(key_dir):
        assert [m.credit for m in graded[f"t{v['id']}.claims"].marks] == [1] * len(ASK)
    assert off
    for name in off:
        mark = graded[name].marks[2]
        # no mistake of method: at most the checker's copying slip (the last digit is one digit wrong)
        assert mark.credit == 0 and set(mark.mistakes) <= {"one digit wrong"} and mark.verdict.startswith("wrong (truth "), mark


def test_a_convenient_earlier_answer_earns_nothing_later(key_dir: Path, tmp_path: Path) -> None:
    """out_o1 = 1 (no sigmoid gives 1; then out (1 - out) = 0 and every gradient is 0, w1 does not
    move): nothing is credited from it."""
    texts = {}
    for v in _variants(key_dir):
        w1 = v["values"]["w1"]
        target = Decimal(v["values"]["target_o1"])
        error = (1 - target) ** 2 / 2 + (Decimal(v["questions"][1]["answer"]) * 0)  # the student's own E from out_o1 = 1
        answers = {"out_o1": "1", "E_total": f"{error:f}", "dE_total/dw5": "0", "dE_total/dw1": "0", "w1@1": w1}
        texts[f"g{v['id']}.claims"] = keys.handin(v["id"], answers)
    graded = _grade(key_dir, texts, tmp_path)
    for name, r in graded.items():
        assert [m.credit for m in r.marks][:5] == [0] * 5, (name, r.marks)
        assert not any(m.carried_forward for m in r.marks)


@pytest.fixture(scope="module")
def class_dir(key_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    v = _variants(key_dir)
    for k, variant in enumerate(v[:3]):
        (folder / f"s{k}.claims").write_text(keys.handin(variant["id"], {q["claim"]: q["shown"] for q in variant["questions"][:2]},
                                                         f"Student {k}"), encoding="utf-8")
    (folder / "scan.claims").write_bytes(b"\x00\x01 a scan")
    # a platform's long names, and a hand-in with many answers lost: the widest row a report has
    long = folder / "Maximilian Mustermann-Schmidt_12345678_assignsubmission_file_"
    long.mkdir()
    (long / "hausaufgabe_backpropagation_endfassung_version2.claims").write_text(
        keys.handin(v[3]["id"], {q["claim"]: "0.123456789" for q in v[3]["questions"]}), encoding="utf-8")
    return folder


def test_the_teachers_own_marks_are_merged(key_dir: Path, class_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text("student,question,marks,comment\nstudent 1,dE_total/dw5,0.5,\"sign right, value off\"\n"
                     "Student 2,E_total,0,copied\nscan,out_o1,1,graded on paper\nscan,E_total,\"0,5\",\n",
                     encoding="utf-8")
    code, _, err = run(["grade", str(key_dir), str(class_dir), "--out", str(tmp_path / "r"), "--jobs", "1",
                        "--marks", str(marks)], capsys)
    assert (code, err) == (0, "")
    table = {r["student"]: r for r in csv.DictReader((tmp_path / "r" / "grades.csv").open(encoding="utf-8"))}
    assert (table["Student 1"]["dE_total/dw5"], table["Student 1"]["total"]) == ("0.5", "2.5")
    assert (table["Student 2"]["E_total"], table["Student 2"]["total"]) == ("0", "1")
    assert (table["scan"]["out_o1"], table["scan"]["E_total"], table["scan"]["total"]) == ("1", "0.5", "1.5")
    grades = json.loads((tmp_path / "r" / "grades.json").read_text(encoding="utf-8"))
    verdict = next(q["verdict"] for s in grades["students"] if s["student"] == "Student 1" for q in s["questions"]
                   if q["claim"] == "dE_total/dw5")
    assert verdict == "marked by hand: sign right, value off"


@pytest.mark.parametrize("row, message", [
    ("Nobody,out_o1,1,", "names no hand-in"),
    ("Student 0,w99@1,1,", "question: expected one of the key's questions"),
    ("Student 0,out_o1,2,", "marks: expected a number from 0 to 1"),
    ("Student 0,out_o1,=1+1,", "marks: expected a number from 0 to 1"),
])
def test_a_bad_marks_row_is_one_line_and_status_2(key_dir: Path, class_dir: Path, tmp_path: Path, row: str,
                                                  message: str, capsys: pytest.CaptureFixture[str]) -> None:
    marks = tmp_path / "marks.csv"
    marks.write_text(f"student,question,marks,comment\n{row}\n", encoding="utf-8")
    code, out, err = run(["grade", str(key_dir), str(class_dir), "--out", str(tmp_path / "r"), "--jobs", "1",
                          "--marks", str(marks)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "line 2" in err and message in err, err
    assert not (tmp_path / "r").exists()


def test_the_report_is_readable_on_a_phone(key_dir: Path, class_dir: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """At 420 CSS pixels nothing is wider than the screen: the students table becomes labelled lines."""
    from tests.notes import browser

    if browser.missing() is not None:
        pytest.skip(str(browser.missing()))
    assert run(["grade", str(key_dir), str(class_dir), "--out", str(tmp_path / "r"), "--jobs", "1"], capsys)[0] == 0
    page = tmp_path / "r" / "report.html"
    with browser.chromium(tmp_path / "profile") as chromium:
        driver = chromium.driver
        for width in (420, 1200):
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600})
            driver.get(page.resolve().as_uri())
            found = driver.execute_script(
                "const d = document.documentElement;"
                "const t = document.querySelector('table.students');"
                "return [Math.max(d.scrollWidth, document.body.scrollWidth), d.clientWidth, t.scrollWidth];")
            assert found[0] <= found[1] and found[2] <= found[1], (width, found)
