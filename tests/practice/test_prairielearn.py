"""`derive exercise --format prairielearn`: info.json valid under PrairieLearn's own schema, one
pl-number-input per question, and server.py run as PrairieLearn runs it (its data dict, `random` seeded
with the variant seed, the standard library alone): generate() gives derive exercise's variants, grade()
gives every answer the mark `derive grade` gives it (the same hand-ins graded both ways)."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from derive.course import carried
from derive.model.precision import CTX, show
from tests.helpers import run
from tests.practice.pages import HERE

SCHEMA = json.loads((HERE / "prairielearn" / "infoQuestion.json").read_text(encoding="utf-8"))
RUNNER = HERE / "plrun.py"
# (network, variants, seed): the sheets' network, a softmax spec of the tests' own, and one of four samples
# (on which derive grade carries nothing forward)
CASES = (("mazur", 6, 1), (str(HERE / "own.toml"), 3, 2), ("gender", 3, 1))


def pl_data(seed: str, params: dict | None = None, raw: dict | None = None) -> dict:
    """A data dict as PrairieLearn hands one to server.py (QuestionData), the elements already run."""
    raw = raw or {}
    return {"params": params or {}, "correct_answers": {}, "submitted_answers": {k: v for k, v in raw.items()},
            "format_errors": {}, "partial_scores": {k: {"score": 0.0, "weight": 1} for k in raw}, "score": 0.0,
            "feedback": {}, "variant_seed": seed, "options": {}, "raw_submitted_answers": raw, "editable": True,
            "panel": "question", "extensions": {}, "num_valid_submissions": 0, "manual_grading": False,
            "answers_names": {}}


def server(folder: Path, calls: list[dict]) -> list[dict]:
    """server.py's functions called as PrairieLearn calls them, in a Python without site-packages."""
    request = json.dumps({"server": str(folder / "server.py"), "calls": calls})
    done = subprocess.run([sys.executable, "-I", "-S", str(RUNNER)], input=request, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=CASES, ids=lambda c: Path(c[0]).stem)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    network, count, seed = request.param
    root = tmp_path_factory.mktemp("pl")
    from derive.cli import main

    for fmt, out in (("prairielearn", root / "question"), ("md", root / "ex")):
        assert main(["exercise", network, "--variants", str(count), "--seed", str(seed), "--format", fmt,
                     "--out", str(out)]) == 0
    key = json.loads((root / "ex" / "key.json").read_text(encoding="utf-8"))
    return root, key


def test_info_json_is_valid_under_prairielearns_schema(made) -> None:
    root, _ = made
    info = json.loads((root / "question" / "info.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(SCHEMA).validate(info)
    assert info["type"] == "v3" and info["partialCredit"] is True
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict enough to catch a slip
        jsonschema.Draft7Validator(SCHEMA).validate({**info, "uuid": "not-a-uuid"})


def test_one_number_input_per_question(made) -> None:
    root, key = made
    found: list[dict[str, str | None]] = []

    class Inputs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "pl-number-input":
                found.append(dict(attrs))

    Inputs().feed((root / "question" / "question.html").read_text(encoding="utf-8"))
    questions = key["variants"][0]["questions"]
    assert [a["answers-name"] for a in found] == [f"q{k + 1}" for k in range(len(questions))]
    assert all(a["label"] == f"{{{{params.labels.{a['answers-name']}}}}}" for a in found)


def test_generate_draws_derive_exercises_variants(made) -> None:
    root, key = made
    seeds = [str(k) for k in range(40)]
    done = server(root / "question", [{"fn": "generate", "data": pl_data(s)} for s in seeds])
    ids = {d["params"]["variant"] for d in done}
    assert ids == {str(v["id"]) for v in key["variants"]}  # every variant, each of the key
    by_id = {str(v["id"]): v for v in key["variants"]}
    for d in done:
        for k, q in enumerate(by_id[d["params"]["variant"]]["questions"]):
            assert d["correct_answers"][f"q{k + 1}"] == float(q["shown"])
            assert d["params"]["digits"][f"q{k + 1}"] == q["digits"]
    again = server(root / "question", [{"fn": "generate", "data": pl_data(s)} for s in seeds])
    assert [d["params"] for d in again] == [d["params"] for d in done]


def _hand_ins(key: dict) -> list[tuple[str, dict[str, str]]]:
    """(variant, answers by question) as students type them: right, right with more digits or truncated,
    each mistake's value, a slip and the answers worked from it, too few digits, noise, blanks."""
    found = []
    for v in key["variants"]:
        qs = v["questions"]
        vid = str(v["id"])
        found.append((vid, {q["claim"]: q["shown"] for q in qs}))
        found.append((vid, {q["claim"]: str(Decimal(q["answer"])) for q in qs}))
        found.append((vid, {q["claim"]: _truncated(q["answer"], q["digits"] + 1) for q in qs}))
        for k, q in enumerate(qs):
            for value in q["mistakes"].values():
                found.append((vid, {**{p["claim"]: p["shown"] for p in qs[:k]}, q["claim"]: show(CTX.mpf(value),
                                                                                               q["digits"]).text}))
        found.append((vid, {qs[0]["claim"]: show(CTX.mpf(qs[0]["answer"]), 2).text}))
        found.append((vid, {q["claim"]: "0.123456" for q in qs[::2]}))
    return found


def _truncated(text: str, digits: int) -> str:
    value = Decimal(text)
    return format(value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1), rounding="ROUND_DOWN"), "f")


def _carried_hand_ins(root: Path, key: dict, network: str) -> list[tuple[str, dict[str, str]]]:
    """A slip in the first answer (one digit wrong), then every later answer worked from it, as derive grade
    carries it forward (derive.course.carried)."""
    from derive.course import grading

    graded_key = grading.read_key(root / "ex")
    found = []
    for v in graded_key.variants:
        grading._start(graded_key)
        d = grading._derived(v)
        first = v.questions[0]
        shown = show(CTX.mpf(first.answer), first.digits).text
        k = len(shown) - 1
        slipped = shown[:k] + str((int(shown[k]) + 3) % 10 or 1)
        own = {first.name: CTX.mpf(slipped)}
        answers = {first.claim: slipped}
        for q in v.questions[1:]:
            value = carried.carried(d, q.name, own)
            if value is None:
                break
            answers[q.claim] = show(value, q.digits).text
            own[q.name] = CTX.mpf(answers[q.claim])
        found.append((v.id, answers))
    return found


def test_grade_gives_derive_grades_marks(made, capsys: pytest.CaptureFixture[str]) -> None:
    root, key = made
    network = key["network"]
    cases = _hand_ins(key) + _carried_hand_ins(root, key, network)
    folder = root / "hand-ins"
    folder.mkdir(exist_ok=True)
    for n, (vid, answers) in enumerate(cases):
        lines = [f"variant: {vid}"] + [f"{claim} = {text}" for claim, text in answers.items()]
        (folder / f"h{n:04d}.claims").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(["grade", str(root / "ex"), str(folder), "--out", str(root / "grades"), "--jobs", "1"], capsys)[0] == 0
    graded = json.loads((root / "grades" / "grades.json").read_text(encoding="utf-8"))["students"]
    by_id = {str(v["id"]): v for v in key["variants"]}
    calls = []
    for vid, answers in cases:
        raw = {f"q{k + 1}": answers.get(q["claim"], "") for k, q in enumerate(by_id[vid]["questions"])}
        calls.append({"fn": "grade", "data": pl_data("0", {"variant": vid}, raw)})
    done = server(root / "question", calls)
    carried_forward = 0
    for student, data, (vid, _) in zip(graded, done, cases):
        assert student["variant"] == vid
        for k, q in enumerate(student["questions"]):
            name = f"q{k + 1}"
            assert data["partial_scores"][name]["score"] == q["credit"], (vid, q)
            assert data["feedback"][name].startswith(q["verdict"]), (vid, q["verdict"], data["feedback"][name])
            carried_forward += q["carried_forward"]
        assert data["score"] == pytest.approx(sum(q["credit"] for q in student["questions"]) / len(student["questions"]))
    assert carried_forward >= (len(key["variants"]) if network != "gender" else 0)


def test_the_question_runs_without_derive_and_says_why_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["exercise", "mazur", "--variants", "2", "--format", "prairielearn", "--lang", "zh", "--out",
                str(tmp_path)], capsys)[0] == 0
    text = (tmp_path / "server.py").read_text(encoding="utf-8")
    assert "import derive" not in text and "from derive" not in text
    data = server(tmp_path, [{"fn": "generate", "data": pl_data("7")}])[0]
    assert "第" in data["params"]["title"]
    graded = server(tmp_path, [{"fn": "grade", "data": pl_data("7", data["params"], {"q1": "abc"})}])[0]
    assert graded["partial_scores"]["q1"]["score"] == 0 and graded["feedback"]["q1"] == "not answered"
