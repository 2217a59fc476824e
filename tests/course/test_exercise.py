"""`derive exercise`: variants, keys and exports checked against an independent computation (the mpmath
oracle and central differences), read back with a real XML parser and a strict GIFT grammar, run twice
for byte-identical files, in both languages and every sheet format; bad input exits 2 with one line."""

from __future__ import annotations

import base64
import html
import csv
import io
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from derive.model import spec as spec_module
from tests.helpers import MAZUR, finite_difference, oracle_net, run, write_spec
from tests.oracle import forward, loss, mp

VARIANTS = 8
QUESTIONS = ["out_o1", "E_total", "dE_total/dw5", "dE_total/dw1", "w1@1", "E_total@1"]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Eight mazur variants from seed 1, and what the command printed."""
    from derive.cli import main
    import contextlib

    out = tmp_path_factory.mktemp("ex") / "ex"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["exercise", "mazur", "--variants", str(VARIANTS), "--seed", "1", "--out", str(out)]) == 0
    return out, buffer.getvalue()


def _key(out: Path) -> dict:
    return json.loads((out / "key.json").read_text(encoding="utf-8"))


def rounded(x: object, digits: int, every_digit: bool = False) -> str:
    """`x` (an mpf) to `digits` significant digits, half to even, as plain text: without trailing zeros,
    or (`every_digit`) with every one of the digits written, as the sheets' answers are."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, ROUND_HALF_EVEN
        value = +Decimal(mp.nstr(x, 40, strip_zeros=False))
    text = format(value, "f")
    return text if every_digit or "." not in text else text.rstrip("0").rstrip(".")


def oracle_values(values: dict[str, str]) -> dict[str, object]:
    """Every question's value for a variant's numbers, from the oracle alone: forward pass, loss,
    gradients by central differences, the update by hand (mazur's biases are frozen)."""
    base = spec_module.load_preset("mazur")
    params = {name: mp.mpf(values[name]) for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")}
    inputs = [mp.mpf(values["i1"]), mp.mpf(values["i2"])]
    targets = [mp.mpf(values["target_o1"]), mp.mpf(values["target_o2"])]
    sample = spec_module.SampleSpec("s1", tuple(Decimal(values[k]) for k in ("i1", "i2")),
                                    tuple(Decimal(values[k]) for k in ("target_o1", "target_o2")))
    spec = spec_module.Spec(base.name, base.title, base.source, base.inputs, base.layers, base.loss, (sample,),
                            base.training, None)
    eta = mp.mpf(values["eta"])
    grads = {w: finite_difference(spec, 0, w, params) for w in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")}
    after = dict(params, **{w: params[w] - eta * g for w, g in grads.items()})
    return {"out_o1": forward(oracle_net(spec, params), inputs)[-1][0], "E_total": loss(oracle_net(spec, params), inputs, targets),
            "dE_total/dw5": grads["w5"], "dE_total/dw1": grads["w1"], "w1@1": after["w1"],
            "E_total@1": loss(oracle_net(spec, after), inputs, targets), "grads": grads, "eta": eta, "w1": params["w1"]}


def half_unit(shown: str, digits: int) -> Decimal:
    """Half a unit of the last of `digits` significant digits of the number `shown`."""
    return Decimal(5).scaleb(Decimal(shown).adjusted() - digits)


def test_the_key_holds_the_oracles_values(made: tuple[Path, str]) -> None:
    key = _key(made[0])
    assert key["network"] == "mazur" and key["seed"] == 1 and len(key["variants"]) == VARIANTS
    assert [v["id"] for v in key["variants"]] == list(range(1, VARIANTS + 1))
    for variant in key["variants"]:
        truth = oracle_values(variant["values"])
        assert [q["claim"] for q in variant["questions"]] == QUESTIONS
        for q in variant["questions"]:
            assert q["answer"] == rounded(truth[q["claim"]], 9), (variant["id"], q)
            assert q["shown"] == rounded(truth[q["claim"]], q["digits"], True), (variant["id"], q)
            assert Decimal(q["tolerance"]) == half_unit(q["shown"], q["digits"])


def test_drawn_numbers_are_exact_decimals_in_their_ranges(made: tuple[Path, str]) -> None:
    table = spec_module.load_preset("mazur").exercise
    kinds = {"i": "inputs", "t": "targets", "w": "weights", "b": "biases", "e": "learning_rate"}
    for variant in _key(made[0])["variants"]:
        assert list(variant["values"]) == ["i1", "i2", "target_o1", "target_o2", "w1", "w2", "w3", "w4", "w5",
                                           "w6", "w7", "w8", "b1", "b2", "eta"]  # the documented drawing order
        for name, text in variant["values"].items():
            r = table.range_of(kinds[name[0]])
            assert r.low <= Decimal(text) <= r.high and -Decimal(text).as_tuple().exponent == r.decimals, (name, text)


def test_hand_formulas_of_mistakes_match_the_key(made: tuple[Path, str]) -> None:
    """The update's mistakes by hand: w1 + eta g, w1 - g, w1 - eta^2 g; the square's 2 halves or doubles every gradient."""
    for variant in _key(made[0])["variants"]:
        truth = oracle_values(variant["values"])
        g, eta, w1 = truth["grads"]["w1"], truth["eta"], truth["w1"]
        by = {q["claim"]: q["mistakes"] for q in variant["questions"]}
        assert by["w1@1"]["sign of the update"] == rounded(w1 + eta * g, 9)
        assert by["w1@1"]["learning rate left out"] == rounded(w1 - g, 9)
        assert by["w1@1"]["learning rate twice"] == rounded(w1 - eta ** 2 * g, 9)
        assert by["dE_total/dw5"]["factor 2 dropped"] == rounded(truth["dE_total/dw5"] / 2, 9)
        assert by["dE_total/dw5"]["factor 2 added"] == rounded(truth["dE_total/dw5"] * 2, 9)
        assert by["out_o1"] == {} and by["E_total"] == {}  # the forward pass has no catalogued mistake


def test_every_kept_variant_tells_the_mistakes_apart_and_none_saturates(made: tuple[Path, str]) -> None:
    out, printed = made
    key = _key(out)
    for variant in key["variants"]:
        values = {k: mp.mpf(v) for k, v in variant["values"].items()}
        h = [values["w1"] * values["i1"] + values["w2"] * values["i2"] + values["b1"],
             values["w3"] * values["i1"] + values["w4"] * values["i2"] + values["b1"]]
        outs = [1 / (1 + mp.exp(-x)) for x in h]
        o = [values["w5"] * outs[0] + values["w6"] * outs[1] + values["b2"],
             values["w7"] * outs[0] + values["w8"] * outs[1] + values["b2"]]
        assert all(abs(x) < 4 for x in h + o)
        for q in variant["questions"]:
            shown = [q["shown"]] + [rounded(mp.mpf(q["mistakes"][group[0]]), q["digits"], True) for group in q["tells_apart"]]
            assert len(set(shown)) == len(shown), (variant["id"], q["claim"], shown)
            assert sorted(n for group in q["tells_apart"] for n in group) == sorted(q["mistakes"])
    assert key["rejected"] == sum(key["rejected_why"].values())
    assert printed == f"{VARIANTS} variants of mazur (seed 1) in {out}; {key['rejected']} draws rejected\n"


def test_moodle_xml_reads_back_as_the_key(made: tuple[Path, str]) -> None:
    out = made[0]
    key = _key(out)
    root = ET.parse(out / "moodle.xml").getroot()
    assert root.tag == "quiz"
    category, found = None, {}
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        if question.get("type") == "cloze":
            continue
        assert question.get("type") == "numerical"
        variant, claim = question.findtext("idnumber").split(":", 1)
        answers = [(a.get("fraction"), a.findtext("text"), a.findtext("tolerance"), a.findtext("feedback/text") or "")
                   for a in question.findall("answer")]
        found[(int(variant), claim)] = (category, answers)
    assert len(found) == VARIANTS * len(QUESTIONS)
    for variant in key["variants"]:
        truth = oracle_values(variant["values"])
        for index, q in enumerate(variant["questions"]):
            category, answers = found[(variant["id"], q["claim"])]
            assert category == f"$course$/top/derive/mazur/question-{index + 1}"
            assert answers[0][:3] == ("100", rounded(truth[q["claim"]], q["digits"], True), q["tolerance"])
            wrong = {text: (tol, feedback) for fraction, text, tol, feedback in answers[1:] if fraction == "0"}
            assert len(wrong) == len(answers) - 1 == len(q["tells_apart"])
            for group in q["tells_apart"]:
                value = rounded(mp.mpf(q["mistakes"][group[0]]), q["digits"], True)
                assert wrong[value][0] == format(half_unit(value, q["digits"]), "f")
                assert all(f"{name}: {key['feedback'][name]}" in wrong[value][1] for name in group)


# Mazur's wiring, read off the preset's comment (one row per neuron, one column per source) by hand
MAZUR_WIRING = {"w1": "i1 → h1", "w2": "i2 → h1", "w3": "i1 → h2", "w4": "i2 → h2",
                "w5": "h1 → o1", "w6": "h2 → o1", "w7": "h1 → o2", "w8": "h2 → o2",
                "b1": "bias of h1, h2", "b2": "bias of o1, o2"}


def test_every_quiz_question_says_what_each_weight_connects_and_the_sheets_show_the_figure(made: tuple[Path, str]) -> None:
    """A student in the quiz has no sheet: `w5 = 0.69` alone does not say which link it weighs. Every
    question names each weight's link with its drawn value; each whole-sheet question carries the
    sheet's figure as an embedded file, as Moodle's XML holds images."""
    out = made[0]
    values = {v["id"]: v["values"] for v in _key(out)["variants"]}
    root = ET.parse(out / "moodle.xml").getroot()
    gift = (out / "quiz.gift").read_text(encoding="utf-8")
    clozes = 0
    for question in root.findall("question"):
        if question.get("type") == "category":
            continue
        variant = int(question.findtext("idnumber").split(":")[0])
        text = question.findtext("questiontext/text")
        for name, link in MAZUR_WIRING.items():
            assert f"{name} ({link}) = {values[variant][name]}" in text, (variant, name)
            assert f"{name} ({link}) \\= {values[variant][name]}" in gift
        files = question.findall("questiontext/file")
        if question.get("type") == "cloze":
            clozes += 1
            assert [f.get("name") for f in files] == [f"variant-{variant}.svg"]
            assert f'<img src="@@PLUGINFILE@@/variant-{variant}.svg"' in text
            figure = (out / "sheets" / "figures" / f"variant-{variant}.svg").read_bytes()
            assert base64.b64decode(files[0].text, validate=True) == figure
        else:
            assert not files
    assert clozes == VARIANTS


CLOZE_PART = re.compile(r"\{1:NUMERICAL:((?:\\.|[^}\\])*)\}")
# As Moodle's importer reads a part: a feedback runs to the next ~ or }, and its text is shown as HTML
# (Moodle leaves a backslash before any other character as it is: none may be written).
CLOZE_ANSWER = re.compile(r"(?:=|%(?P<fraction>\d+)%)(?P<value>-?[\d.]+(?:e-?\d+)?):(?P<tol>[\d.]+)(?:#(?P<feedback>[^~}\\]*))?(?:~|\Z)")


def test_the_cloze_sheets_hold_each_variants_numerical_answers(made: tuple[Path, str]) -> None:
    """The category of whole sheets: one embedded-answers question per variant, its parts the numerical
    questions' answers in the sheet's order (Cloze's escapes read back strictly)."""
    root = ET.parse(made[0] / "moodle.xml").getroot()
    numerical, cloze, category = {}, {}, None
    for question in root.findall("question"):
        kind = question.get("type")
        if kind == "category":
            category = question.findtext("category/text")
        elif kind == "numerical":
            variant = int(question.findtext("idnumber").split(":")[0])
            numerical.setdefault(variant, []).append(
                [(int(a.get("fraction")), a.findtext("text"), a.findtext("tolerance"), a.findtext("feedback/text") or "")
                 for a in question.findall("answer")])
        else:
            assert kind == "cloze" and category == "$course$/top/derive/mazur/sheets"
            parts = []
            for body in CLOZE_PART.findall(question.findtext("questiontext/text")):
                answers, rest = [], body
                while rest:
                    one = CLOZE_ANSWER.match(rest)
                    assert one is not None, rest[:80]
                    answers.append((int(one["fraction"] or 100), one["value"], one["tol"], html.unescape(one["feedback"] or "")))
                    rest = rest[one.end():]
                parts.append(answers)
            cloze[int(question.findtext("idnumber"))] = parts
    assert sorted(cloze) == list(range(1, VARIANTS + 1)) and cloze == numerical


GIFT_QUESTION = re.compile(r"::(?P<name>(?:\\.|[^:\\])+)::\[html\](?P<text>(?:\\.|[^{}\\])*)\{#(?P<answers>(?:\\.|[^{}\\])*)\}\Z")
GIFT_ANSWER = re.compile(r"=(?:%(?P<fraction>\d+)%)?(?P<value>-?\d+(?:\.\d+)?(?:[eE]-?\d+)?):(?P<tol>\d+(?:\.\d+)?)"
                         r"(?:#(?P<feedback>(?:\\.|[^=\\])*))?\s*")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_gift(text: str) -> list[tuple[str, str, list[tuple[int, str, str, str]]]]:
    """A strict reading of the GIFT this project writes (numerical questions under $CATEGORY lines): any
    other line fails. No maintained GIFT parser is on PyPI for this Python (pygiftparser: last release
    2017; pygiftparserrgmf: 2022, and it installs a top-level `tests` package), so the grammar is here."""
    category, found = None, []
    for block in text.rstrip("\n").split("\n\n"):
        if block.startswith("$CATEGORY: "):
            category = block[len("$CATEGORY: "):]
            continue
        match = GIFT_QUESTION.match(block)
        assert match is not None and category is not None, block[:80]
        answers, rest = [], match["answers"]
        while rest:
            one = GIFT_ANSWER.match(rest)
            assert one is not None, rest[:80]
            answers.append((int(one["fraction"] or 100), one["value"], one["tol"], _unescape(one["feedback"] or "").strip()))
            rest = rest[one.end():]
        found.append((category, _unescape(match["name"]), answers))
    return found


def test_gift_holds_the_same_questions_as_the_xml(made: tuple[Path, str]) -> None:
    out = made[0]
    gift = parse_gift((out / "quiz.gift").read_text(encoding="utf-8"))
    root = ET.parse(out / "moodle.xml").getroot()
    xml, category = [], None
    for question in root.findall("question"):
        if question.get("type") == "category":
            category = question.findtext("category/text")
            continue
        if question.get("type") == "cloze":  # GIFT has no embedded answers
            continue
        answers = [(int(a.get("fraction")), a.findtext("text"), a.findtext("tolerance"), a.findtext("feedback/text") or "")
                   for a in question.findall("answer")]
        xml.append((category, question.findtext("name/text"), answers))
    assert gift == xml


def test_key_csv_is_the_key(made: tuple[Path, str]) -> None:
    out = made[0]
    rows = list(csv.reader(io.StringIO((out / "key.csv").read_text(encoding="utf-8"))))
    assert rows[0] == ["variant", "question", "answer", "tolerance"]
    expected = [[str(v["id"]), q["claim"], q["shown"], q["tolerance"]] for v in _key(out)["variants"] for q in v["questions"]]
    assert rows[1:] == expected


def test_sheets_and_keys_are_written_for_every_variant(made: tuple[Path, str]) -> None:
    out = made[0]
    key = _key(out)
    for variant in key["variants"]:
        sheet = (out / "sheets" / f"variant-{variant['id']}.md").read_text(encoding="utf-8")
        assert f"**Variant {variant['id']}**" in sheet and f"variant: {variant['id']}" in sheet
        assert f"](figures/variant-{variant['id']}.svg)" in sheet
        assert (out / "sheets" / "figures" / f"variant-{variant['id']}.svg").read_text().startswith("<svg")
        for name, value in variant["values"].items():
            assert f"| {value} |" in sheet, name
        for q in variant["questions"]:
            assert f"`{q['claim']}` | {q['digits']} |" in sheet
        walk = (out / "keys" / f"variant-{variant['id']}.md").read_text(encoding="utf-8")
        assert f"](figures/variant-{variant['id']}/network.svg)" in walk
        assert (out / "keys" / "figures" / f"variant-{variant['id']}" / "network.svg").is_file()
        for q in variant["questions"][:4]:  # the walkthrough prints the first pass's numbers to 9 digits
            assert q["answer"] in walk, (variant["id"], q["claim"])


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_same_seed_gives_byte_identical_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        assert run(["exercise", "gender", "--variants", "3", "--seed", "7", "--out", str(tmp_path / name)], capsys)[0] == 0
    assert run(["exercise", "gender", "--variants", "3", "--seed", "8", "--out", str(tmp_path / "c")], capsys)[0] == 0
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert first == second and len(first) > 10
    assert _tree(tmp_path / "c")["key.json"] != first["key.json"]


@pytest.mark.parametrize("preset", ["mazuradam", "textbook", "xor3"])
def test_every_preset_makes_an_exercise(preset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["exercise", preset, "--variants", "2", "--seed", "3", "--out", str(tmp_path / "x")], capsys)
    assert (code, err) == (0, "")
    key = json.loads((tmp_path / "x" / "key.json").read_text(encoding="utf-8"))
    assert len(key["variants"]) == 2 and all(v["questions"] for v in key["variants"])


def test_chinese_sheets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["exercise", "mazur", "--variants", "1", "--lang", "zh", "--out", str(tmp_path / "zh")], capsys)[0] == 0
    sheet = (tmp_path / "zh" / "sheets" / "variant-1.md").read_text(encoding="utf-8")
    assert "练习：经典的 2-2-2 网络示例" in sheet and "第 1 套" in sheet and "有效数字" in sheet
    assert "反向传播" in (tmp_path / "zh" / "keys" / "variant-1.md").read_text(encoding="utf-8")


def test_html_sheet_is_one_page_with_its_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["exercise", "mazur", "--variants", "1", "--format", "html", "--out", str(tmp_path / "h")], capsys)[0] == 0
    page = (tmp_path / "h" / "sheets" / "variant-1.html").read_text(encoding="utf-8")
    assert "<svg" in page and "katex" in page.lower() and "Variant 1" in page
    assert not (tmp_path / "h" / "sheets" / "figures").exists()
    shown = re.sub(r"<[^>]*>", "", page)  # the text a reader sees: the figure's caption once, under it
    assert shown.count("The network and its weights.") == 1


@pytest.mark.parametrize("lang, words", [("en", "Variant 1"), ("zh", "第 1 套")])
def test_the_pdf_sheet_compiles(lang: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil
    import subprocess

    if shutil.which("latexmk") is None or shutil.which("xelatex") is None or shutil.which("pdftotext") is None:
        pytest.skip("latexmk, xelatex and pdftotext are needed")
    code, _, err = run(["exercise", "mazur", "--variants", "1", "--format", "pdf", "--lang", lang,
                        "--out", str(tmp_path / "p")], capsys)
    assert (code, err) == (0, "")
    pdf = tmp_path / "p" / "sheets" / "variant-1.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert words.replace(" ", "") in text.replace(" ", "") and "dE_total/dw5" in text  # ctex sets no space beside digits


BAD_TABLES = [
    ("weights = { low = 1, high = -1, decimals = 2 }", "net.toml: exercise.weights.high: expected a number from low (1) up, got -1"),
    ("weights = { low = 0.011, high = 0.019, decimals = 2 }", "exercise.weights.decimals: no number with 2 decimals"),
    ("wieghts = { low = 0, high = 1 }", "exercise.wieghts: unknown key"),
    ("learning_rate = { low = 0, high = 1 }", "exercise.learning_rate.low: expected a positive number"),
    ("weights = { low = -1, high = 1 }\nask = [\"dE_total/dw99\"]", "exercise.ask[0]: 'dE_total/dw99'"),
    ("weights = { low = -1, high = 1 }\nask = [\"w1@1000\"]", "exercise.ask[0]: 'w1@1000': expected a value after 1 to 100"),
    ("weights = { low = -1, high = 1 }\nask = [\"\\\\frac{a}{b}\"]", "exercise.ask[0]: expected a quantity as a plain claim names it"),
    ("weights = { low = -1, high = 1 }\ndigits = 0", "exercise.digits: expected a whole number from 1 to 9"),
    ("weights = { low = 9, high = 9, decimals = 0 }", "exercise: no valid draw for variant 1 in 200 draws"),
]


@pytest.mark.parametrize("table, message", BAD_TABLES)
def test_a_bad_exercise_table_is_one_line_and_status_2(table: str, message: str, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    base = MAZUR.split("[exercise]")[0]
    path = write_spec(tmp_path, base + "\n[exercise]\n" + table + "\n")
    code, out, err = run(["exercise", str(path), "--variants", "2", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("argv, message", [
    (["--variants", "0"], "--variants: expected a whole number from 1 to 1000"),
    (["--seed", "-1"], "--seed"),
    (["--format", "docx"], "--format"),
])
def test_bad_options_are_one_line_and_status_2(argv: list[str], message: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["exercise", "mazur", "--out", str(tmp_path / "x"), *argv], capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_a_spec_without_an_exercise_table_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.split("[exercise]")[0])
    code, _, err = run(["exercise", str(path), "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and "net.toml: exercise: missing [exercise] table" in err and err.count("\n") == 1


def test_the_checker_agrees_with_the_key(made: tuple[Path, str]) -> None:
    """A hand-in of the key's answers is right claim by claim; each mistake's value is wrong and named."""
    from derive.check.checker import check_text
    from derive.course.variants import variant_spec
    from derive.maths import derivation
    from derive.model import network

    base = spec_module.load_preset("mazur")
    for variant in _key(made[0])["variants"][:3]:
        d = derivation.build(network.build(variant_spec(base, variant["values"])))
        report = check_text(d, "\n".join(f"{q['claim']} = {q['shown']}" for q in variant["questions"]))
        assert [v.status for v in report.verdicts] == ["correct"] * len(QUESTIONS)
        for q in variant["questions"]:
            for group in q["tells_apart"]:
                value = rounded(mp.mpf(q["mistakes"][group[0]]), q["digits"], True)
                [verdict] = check_text(d, f"{q['claim']} = {value}").verdicts
                named = [e.split(":")[0] for e in verdict.explanations]
                assert verdict.status == "wrong" and set(group) <= set(named), (q["claim"], group, named)


@pytest.mark.parametrize("activation, weights, expected", [
    ("tanh", "[[2.5, 2.5]]", "h1 saturates (|net| >= 4)"),  # net = 2.5 + 2.5 = 5
    ("relu", "[[1, -1]]", "the relu of h1 is at its kink (|net| < 0.05)"),  # net = 1 - 1 = 0
    ("sigmoid", "[[1, 1]]", None),  # net = 2
])
def test_saturation_is_judged_on_the_forward_pass(activation: str, weights: str, expected: str | None,
                                                  tmp_path: Path) -> None:
    from derive.course.variants import saturation
    from derive.model import network

    text = (f'inputs = 2\nloss = "half_sse"\n[[layers]]\nneurons = 1\nactivation = "{activation}"\nweights = {weights}\n'
            '[[layers]]\nneurons = 1\nactivation = "identity"\nweights = [[1]]\n'
            '[[samples]]\ninputs = [1, 1]\ntargets = [0]\n[training]\nlearning_rate = 0.1\n')
    assert saturation(network.build(spec_module.load_path(write_spec(tmp_path, text)))) == expected


@pytest.mark.parametrize("ask", ["out_o1@1[s1]", "E_total@1[s1]"])
def test_a_value_after_updates_asked_of_a_sample_is_one_line(ask: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, MAZUR.split("[exercise]")[0] + f'\n[exercise]\nweights = {{ low = -1, high = 1 }}\nask = ["{ask}"]\n')
    code, out, err = run(["exercise", str(path), "--variants", "1", "--out", str(tmp_path / "x")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "exercise.ask[0]" in err and "Traceback" not in err, err


def test_no_number_on_the_sheet_is_an_answer_and_it_says_what_the_answers_depend_on(made: tuple[Path, str]) -> None:
    """The hand-in example shows the form without a number (it was question 1's answer); the sheet says
    to round, that truncation counts, to keep more digits, and which biases the update changes."""
    out = made[0]
    for v in _key(out)["variants"]:
        sheet = (out / "sheets" / f"variant-{v['id']}.md").read_text(encoding="utf-8")
        table = sheet.split("## Questions")[0]
        assert "`out_o1 = ...`" in sheet
        for q in v["questions"]:  # no answer in any form: as shown, at 9 digits, rounded to 2 or 4
            for digits in (2, 3, 4):
                assert rounded(mp.mpf(q["answer"]), digits, True) not in sheet.split("## Questions")[1], (q, digits)
        assert "truncated answer counts too" in table and "more digits than you write" in table
        assert "the biases stay as they are" in table


def test_the_sheet_says_which_biases_are_updated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.course.nets import NET231

    path = write_spec(tmp_path, NET231)
    assert run(["exercise", str(path), "--variants", "1", "--out", str(tmp_path / "x"), "--lang", "zh"], capsys)[0] == 0
    sheet = (tmp_path / "x" / "sheets" / "variant-1.md").read_text(encoding="utf-8")
    assert "所有权重和偏置都要更新" in sheet and "截断亦可" in sheet


@pytest.mark.parametrize("preset", ["mazur", "textbook", "gender"])
def test_no_draw_is_degenerate(preset: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No weight, bias or input drawn as 0 (a gradient of 0, an update that changes nothing), no two
    inputs of a sample drawn equal (a weight paired with the wrong input would go unseen)."""
    assert run(["exercise", preset, "--variants", "12", "--seed", "5", "--out", str(tmp_path / "x")], capsys)[0] == 0
    key = json.loads((tmp_path / "x" / "key.json").read_text(encoding="utf-8"))
    base = spec_module.load_preset(preset)
    for v in key["variants"]:
        drawn = {name: Decimal(value) for name, value in v["values"].items()}
        assert all(value != 0 for name, value in drawn.items() if not name.startswith(("target", "eta"))), drawn
        for sample in base.samples:
            suffix = f"[{sample.name}]" if len(base.samples) > 1 else ""
            inputs = [drawn[f"{i}{suffix}"] for i in base.inputs if f"{i}{suffix}" in drawn]
            assert len(set(inputs)) == len(inputs), inputs
    assert key["rejected_why"].get("a weight, bias or input drawn as 0", 0) > 0


def test_chinese_quiz_feedback_is_in_chinese_and_cloze_writes_no_backslash(tmp_path: Path,
                                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["exercise", "mazur", "--variants", "2", "--lang", "zh", "--out", str(tmp_path / "zh")], capsys)[0] == 0
    root = ET.parse(tmp_path / "zh" / "moodle.xml").getroot()
    feedback = [a.findtext("feedback/text") for a in root.iter("answer") if a.findtext("feedback/text")]
    assert feedback and all(re.search(r"[\u4e00-\u9fff]", f) for f in feedback)
    assert not any(re.search(r"\b(the|was|of)\b", f) for f in feedback), feedback[:3]
    clozes = [q.findtext("questiontext/text") for q in root.findall("question") if q.get("type") == "cloze"]
    assert clozes and not any("\\/" in c or "\\#" in c or '\\"' in c for c in clozes)
    english = ET.parse(made_quiz(tmp_path, capsys)).getroot()
    cloze = next(q.findtext("questiontext/text") for q in english.findall("question") if q.get("type") == "cloze")
    assert "dout/dnet" in cloze and "\\/" not in cloze


def made_quiz(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(["exercise", "mazur", "--variants", "2", "--out", str(tmp_path / "en")], capsys)[0] == 0
    return tmp_path / "en" / "moodle.xml"


def test_the_chinese_pdf_sheet_repeats_its_table_headers_on_every_page(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import shutil
    import subprocess

    if shutil.which("latexmk") is None or shutil.which("xelatex") is None or shutil.which("pdftotext") is None:
        pytest.skip("latexmk, xelatex and pdftotext are needed")
    from tests.course.nets import NET231

    path = write_spec(tmp_path, NET231)
    code, _, err = run(["exercise", str(path), "--variants", "1", "--format", "pdf", "--lang", "zh",
                        "--out", str(tmp_path / "p")], capsys)
    assert (code, err) == (0, "")
    pdf = tmp_path / "p" / "sheets" / "variant-1.pdf"
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    with_rows = [p for p in pages if re.search(r"w\s*\d", p)]
    assert len(with_rows) >= 2  # the table of numbers runs over a page
    assert all("数值" in p for p in with_rows[:2]), [p[:300] for p in with_rows]
