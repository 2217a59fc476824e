"""A class of 68 hand-ins of a teacher's 2-3-1 sheet, written as students write them, in every format the
README names: every readable answer is graded as the class's truth table says (made by hand from the
textbook formulas, `tests.course.class231`), every unread one is listed, every unreadable hand-in is one
row, and the flags are where the table puts them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.cli import main
from tests.course import class231
from tests.course.nets import NET231
from tests.helpers import finite_difference, oracle_net
from tests.oracle import forward, loss, mp

VARIANTS = 8
CLASS = 64


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[class231.HandIn], dict]:
    root = tmp_path_factory.mktemp("class")
    spec = root / "net231.toml"
    spec.write_text(NET231, encoding="utf-8")
    assert main(["exercise", str(spec), "--variants", str(VARIANTS), "--seed", "7", "--out", str(root / "ex")]) == 0
    key = json.loads((root / "ex" / "key.json").read_text(encoding="utf-8"))
    sheets = {str(v["id"]): (root / "ex" / "sheets" / f"variant-{v['id']}.md").read_text(encoding="utf-8")
              for v in key["variants"]}
    files, expected = class231.hand_ins(key, sheets, CLASS)
    folder = root / "in"
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    assert main(["grade", str(root / "ex"), str(folder), "--out", str(root / "r"), "--jobs", "2"]) == 0
    return key, expected, json.loads((root / "r" / "grades.json").read_text(encoding="utf-8"))


def test_the_oracle_agrees_with_the_forward_pass_and_finite_differences(graded: tuple) -> None:
    """The class's truth table rests on formulas written by hand: checked here against tests.oracle."""
    from derive.model import spec as spec_module

    key = graded[0]
    base = spec_module.load_text(NET231, "net231", "net231")
    for v in key["variants"]:
        values = {k: mp.mpf(x) for k, x in v["values"].items()}
        params = {k: x for k, x in values.items() if k[0] in "wb"}
        variant = spec_module.SampleSpec("s1", (v["values"]["i1"], v["values"]["i2"]), (v["values"]["target_o1"],))
        spec = spec_module.Spec(base.name, base.title, base.source, base.inputs, base.layers, base.loss, (variant,),
                                base.training, None)
        mine = class231.Oracle(v["values"]).all()
        outs = forward(oracle_net(spec, params), [values["i1"], values["i2"]])
        assert abs(mine["out_h1"] - outs[1][0]) < mp.mpf(10) ** -40 and abs(mine["out_o1"] - outs[-1][0]) < mp.mpf(10) ** -40
        assert abs(mine["E_total"] - loss(oracle_net(spec, params), [values["i1"], values["i2"]], [values["target_o1"]])) < mp.mpf(10) ** -40
        for name in ("w7", "w1", "b1"):
            assert abs(mine[f"dE_total/d{name}"] - finite_difference(spec, 0, name, params)) < mp.mpf(10) ** -30
        assert abs(mine["b4@1"] - (values["b4"] - values["eta"] * finite_difference(spec, 0, "b4", params))) < mp.mpf(10) ** -30


def test_the_class_is_big_and_holds_every_format(graded: tuple) -> None:
    _, expected, grades = graded
    assert len(expected) >= 60
    suffixes = {Path(h.name.partition(":")[0]).suffix for h in expected}
    assert {".claims", ".md", ".markdown", ".txt", ".tex", ".ipynb", ".html", ".csv", ""} <= suffixes


def test_every_readable_answer_is_graded_as_the_truth_table_says(graded: tuple) -> None:
    _, expected, grades = graded
    rows = {s["file"]: s for s in grades["students"]}
    wrong = []
    for h in (h for h in expected if not h.unreadable):
        row = rows[h.name]
        got = {q["claim"]: q["credit"] for q in row["questions"]}
        if got != {q: float(c) for q, c in h.credits.items()}:
            wrong.append((h.name, {q: (got[q], c) for q, c in h.credits.items() if got[q] != c},
                          [q["verdict"] for q in row["questions"]]))
    assert not wrong, wrong


def test_students_platforms_flags_and_what_was_not_read(graded: tuple) -> None:
    _, expected, grades = graded
    rows = {s["file"]: s for s in grades["students"]}
    for h in (h for h in expected if not h.unreadable):
        row = rows[h.name]
        assert row["student"] == h.student, (h.name, row["student"])
        assert len(row["not_read"]) == h.not_read, (h.name, row["not_read"])
        assert all(any(word in f for f in row["flags"]) for word in h.flags), (h.name, row["flags"])
        assert bool(row["flags"]) == bool(h.flags), (h.name, row["flags"])
        if h.platform[0]:
            assert (row["platform"], row["platform_id"]) == h.platform


def test_unreadable_hand_ins_are_rows_and_other_files_are_listed(graded: tuple) -> None:
    _, expected, grades = graded
    unreadable = {u["file"] for u in grades["unreadable"]}
    assert unreadable == {h.name for h in expected if h.unreadable}
    assert [k["file"].rpartition("/")[2] for k in grades["skipped"]] == ["photo.jpg"] * len(grades["skipped"])
    assert grades["skipped"]


def test_no_mistake_is_named_that_does_not_explain_the_answer(graded: tuple) -> None:
    """tanh' written as out (1 - out) is no catalogued mistake: its gradients are wrong without a cause."""
    _, expected, grades = graded
    rows = {s["file"]: s for s in grades["students"]}
    slope = [h for h in expected if "dE_total/dw1" in h.credits and h.credits["dE_total/dw1"] == 0
             and h.credits["out_h1"] == 1 and h.credits["dE_total/dw7"] == 1]
    assert slope
    for h in slope:
        marks = {q["claim"]: q for q in rows[h.name]["questions"]}
        assert marks["dE_total/dw1"]["mistakes"] == [] and marks["dE_total/dw1"]["verdict"].startswith("wrong ("), marks
