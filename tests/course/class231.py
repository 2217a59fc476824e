"""A class of hand-ins of the 2-3-1 sheet (tanh hidden layer, sigmoid output, a trainable bias per
neuron), written the way students write them, each with its truth table: the credit every question
should get, what should be listed as not read, what should be flagged.

Every number comes from the textbook formulas evaluated here with mpmath (`Oracle`), checked against
`tests.oracle`'s forward pass and central differences; nothing is printed by derive's own printers and
no expected mark comes from the grader. The formats are every one the README names (claims files,
Markdown, `.markdown`, `.txt`, LaTeX, notebooks with Markdown cells and printed output, an online text
in HTML, a CSV of rows, a CSV of one answer per row, Moodle's folders and Canvas's names), the answer
forms every one a sheet invites, the mistakes the ones a class makes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, localcontext

from tests.oracle import mp

QUESTIONS = ("out_h1", "out_o1", "E_total", "dE_total/dw7", "dE_total/dw1", "dE_total/db1", "w1@1", "b4@1")
LATEX = {"out_h1": r"\mathrm{out}_{h1}", "out_o1": r"out_{o1}", "E_total": r"E_{total}",
         "dE_total/dw7": r"\frac{\partial E_{total}}{\partial w_7}", "dE_total/dw1": r"\frac{\partial E_{total}}{\partial w_1}",
         "dE_total/db1": r"\frac{\partial E_{total}}{\partial b_1}", "w1@1": r"w_1^{+}", "b4@1": r"b_4^{+}"}


def at(x: object, digits: int, rounding: str = ROUND_HALF_EVEN) -> str:
    """`x` to `digits` significant digits, every digit written (0.0610 at 3)."""
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = digits, rounding
        value = +Decimal(mp.nstr(x, 40, strip_zeros=False))
    return f"{value:f}"


class Oracle:
    """The 2-3-1 network's numbers from the textbook formulas, with a student's own numbers put in
    where they gave them (`own`, by question), as a hand derivation carries them forward."""

    def __init__(self, values: dict[str, str]) -> None:
        self.v = {k: mp.mpf(x) for k, x in values.items()}

    def all(self, own: dict[str, object] | None = None, slope: Callable[[object], object] | None = None) -> dict[str, object]:
        """Every question's value; `own` overrides values the student gave; `slope` replaces tanh's
        derivative in terms of out (a student's own rule, such as out (1 - out))."""
        v, own = self.v, own or {}
        tanh_slope = slope or (lambda h: 1 - h ** 2)
        h = [mp.tanh(v[f"w{2 * k + 1}"] * v["i1"] + v[f"w{2 * k + 2}"] * v["i2"] + v[f"b{k + 1}"]) for k in range(3)]
        h[0] = own.get("out_h1", h[0])
        o = 1 / (1 + mp.exp(-(v["w7"] * h[0] + v["w8"] * h[1] + v["w9"] * h[2] + v["b4"])))
        o = own.get("out_o1", o)
        t = v["target_o1"]
        delta = (o - t) * o * (1 - o)
        found: dict[str, object] = {"out_h1": h[0], "out_o1": o, "E_total": (t - o) ** 2 / 2,
                                    "dE_total/dw7": delta * h[0],
                                    "dE_total/dw1": delta * v["w7"] * tanh_slope(h[0]) * v["i1"],
                                    "dE_total/db1": delta * v["w7"] * tanh_slope(h[0])}
        found.update({k: own.get(k, found[k]) for k in found})
        found["w1@1"] = v["w1"] - v["eta"] * found["dE_total/dw1"]
        found["b4@1"] = v["b4"] - v["eta"] * delta
        return found


@dataclass
class HandIn:
    """One hand-in and its truth table."""

    name: str  # the path in the folder
    content: str | bytes
    credits: dict[str, int] = field(default_factory=dict)  # by question; empty: an unreadable hand-in
    student: str = ""
    not_read: int = 0  # lines or spans about a question that should be listed as not read
    flags: tuple[str, ...] = ()  # words a flag of its row should hold
    platform: tuple[str, str] = ("", "")
    unreadable: bool = False


def _all(credit: int) -> dict[str, int]:
    return dict.fromkeys(QUESTIONS, credit)


@dataclass
class Sheet:
    """One variant of the key as the sheet shows it: its numbers and the digits each question asks."""

    id: str
    values: dict[str, str]
    digits: dict[str, int]

    @property
    def oracle(self) -> Oracle:
        return Oracle(self.values)

    def shown(self, numbers: dict[str, object], extra: int = 0, rounding: str = ROUND_HALF_EVEN) -> dict[str, str]:
        return {q: at(numbers[q], self.digits[q] + extra, rounding) for q in QUESTIONS}


def sheets(key: dict) -> list[Sheet]:
    return [Sheet(str(v["id"]), v["values"], {q["claim"]: q["digits"] for q in v["questions"]}) for v in key["variants"]]


def _claims(variant: str, answers: dict[str, str], head: str = "") -> str:
    return f"{head}variant: {variant}\n" + "".join(f"{q} = {a}\n" for q, a in answers.items())


def _nb(cells: list[dict]) -> str:
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                       "nbformat_minor": 5}, indent=1)


def _md(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


def _code(source: str, printed: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": source.splitlines(keepends=True),
            "outputs": [{"output_type": "stream", "name": "stdout", "text": printed.splitlines(keepends=True)}]}


# --- the students: each a function of (its number, the sheet, the whole key's sheets) -> hand-ins


def right_claims(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    return [HandIn(f"s{n:02d}.claims", _claims(s.id, t, f"student: Student {n}\n"), _all(1), f"Student {n}")]


def markdown_maths(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    body = "\n\n".join(f"We get ${LATEX[q]} = {a}$." for q, a in t.items())
    return [HandIn(f"s{n:02d}.md", f"# Homework 4\n\n**variant: {s.id}**\n\n{body}\n", _all(1), f"s{n:02d}")]


def latex_document(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    body = "\n".join(f"\\[ {LATEX[q]} = {a} \\]" for q, a in t.items())
    text = (f"\\documentclass{{article}}\n\\begin{{document}}\n% student: Tex {n}\n\\textbf{{variant: {s.id}}}\n\n"
            f"{body}\n\\end{{document}}\n")
    return [HandIn(f"s{n:02d}.tex", text, _all(1), f"Tex {n}")]


def notebook_output(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """The answers printed by the notebook's code (floats, every digit Python prints)."""
    numbers = s.oracle.all()
    printed = "".join(f"{q} = {float(numbers[q])!r}\n" for q in QUESTIONS)
    cells = [_md(f"## Exercise\n\nvariant: {s.id}\n"), _code("for name, value in answers.items():\n    print(name, '=', value)\n", printed)]
    return [HandIn(f"s{n:02d}.ipynb", _nb(cells), _all(1), f"s{n:02d}")]


def colon_comma(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """`out_h1: 0,584` in a text file, Windows line ends."""
    t = s.shown(s.oracle.all())
    text = f"Variant {s.id}\r\nstudent: Komma {n}\r\nvariant: {s.id}\r\n\r\n" + "".join(
        f"{q}: {a.replace('.', ',')}\r\n" for q, a in t.items())
    return [HandIn(f"s{n:02d}.txt", text, _all(1), f"Komma {n}")]


def sheet_table(n: int, s: Sheet, _: list[Sheet], sheet_text: dict[str, str] = {}) -> list[HandIn]:  # noqa: B006
    """The Markdown sheet itself, its answer column filled and the name written on it."""
    t = s.shown(s.oracle.all())
    lines = []
    for line in sheet_text[s.id].split("\n"):
        q = next((q for q in t if f"| `{q}` |" in line), None)
        lines.append(line[:-2] + f" {t[q]} |" if q and line.endswith("| |") else line)
    text = "\n".join(lines).replace("Name: ....", f"Name: Tabea {n} ....")
    return [HandIn(f"s{n:02d}.markdown", text, _all(1), f"Tabea {n}")]


def truncated(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all(), rounding=ROUND_DOWN)
    table = "| quantity | value |\n|---|---|\n" + "".join(f"| {q} | {a} |\n" for q, a in t.items())
    return [HandIn(f"s{n:02d}.md", f"variant: {s.id}\n\n{table}", _all(1), f"s{n:02d}")]


def more_digits(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all(), extra=3)
    return [HandIn(f"s{n:02d}", _claims(s.id, {q: f"{a}" for q, a in t.items()}), _all(1), f"s{n:02d}")]


def slip_carried(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """out_o1 copied wrong (0.04 off), everything after it done right from that number."""
    truth = s.oracle.all()
    slip = mp.mpf(at(truth["out_o1"], s.digits["out_o1"])) + (mp.mpf("0.04") if truth["out_o1"] < 0.5 else mp.mpf("-0.04"))
    own = {"out_h1": mp.mpf(at(truth["out_h1"], s.digits["out_h1"] + 2)), "out_o1": slip}
    t = s.shown(s.oracle.all(own), extra=2)
    t["out_o1"] = at(slip, s.digits["out_o1"])
    credits = _all(1) | {"out_o1": 0}
    return [HandIn(f"s{n:02d}.claims", _claims(s.id, t), credits, f"s{n:02d}")]


def rounding_carried(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """Each answer from the earlier ones as the sheet shows them (rounded to the digits asked): the
    update w1 - eta * (the gradient as written)."""
    truth = s.oracle.all()
    written = s.shown(truth)
    own = {q: mp.mpf(written[q]) for q in ("out_h1", "out_o1", "dE_total/dw1")}
    carried = s.oracle.all(own)
    t = written | {q: at(carried[q], s.digits[q]) for q in ("w1@1", "b4@1")}
    chain = f"w1@1 = {s.values['w1']} - {s.values['eta']} * {written['dE_total/dw1']} = {t['w1@1']}"
    text = _claims(s.id, {q: a for q, a in t.items() if q != "w1@1"}) + chain + "\n"
    return [HandIn(f"s{n:02d}.claims", text, _all(1), f"s{n:02d}")]


def sigmoid_slope_for_tanh(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """tanh' written as out (1 - out): the hidden gradients wrong, a mistake no catalogue names."""
    truth = s.oracle.all()
    wrong = s.oracle.all(slope=lambda h: h * (1 - h))
    t = s.shown(truth) | {q: at(wrong[q], s.digits[q]) for q in ("dE_total/dw1", "dE_total/db1", "w1@1")}
    credits = _all(1) | {"dE_total/dw1": 0, "dE_total/db1": 0}
    # the update from the student's own gradient is carried only when that gradient is an attempt (within half)
    attempt = abs(wrong["dE_total/dw1"] - truth["dE_total/dw1"]) <= abs(truth["dE_total/dw1"]) / 2
    credits["w1@1"] = 1 if attempt else 0
    return [HandIn(f"s{n:02d}.md", f"variant: {s.id}\n\n" + "".join(f"- `{q} = {a}`\n" for q, a in t.items()),
                   credits, f"s{n:02d}")]


def trivial_forward(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """out_h1 = 1 written to carry an easy number forward (tanh' = 0, so every hidden gradient is 0 and
    w1 does not move): no answer is credited from it. out_o1, computed from it, is the student's own
    attempt at out_o1 when it lies within half of the truth: then E_total and b4@1, which follow from
    out_o1 alone, are credited from it; dE_total/dw7 (out_o1's delta times out_h1 = 1) is not."""
    gamed = s.oracle.all({"out_h1": mp.mpf(1)})
    truth = s.oracle.all()
    t = s.shown(gamed) | {"out_h1": "1"}
    attempt = abs(gamed["out_o1"] - truth["out_o1"]) <= truth["out_o1"] / 2
    credits = _all(0) | {"E_total": int(attempt), "b4@1": int(attempt)}
    return [HandIn(f"s{n:02d}.claims", _claims(s.id, t), credits, f"s{n:02d}")]


def partly_answered(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    keep = QUESTIONS[:3]
    text = f"variant: {s.id}\n\nI only got this far:\n\n" + "".join(f"* {q} = {t[q]}\n" for q in keep)
    return [HandIn(f"s{n:02d}.md", text, {q: int(q in keep) for q in QUESTIONS}, f"s{n:02d}")]


def prose(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """Answers in sentences: a value given in words (`out_h1 is ...`) is not read, and its line is listed as
    such; one given with `=` in a clause of the sentence (`and out_o1 = ..., roughly`) is read."""
    t = s.shown(s.oracle.all())
    text = (f"variant: {s.id}\n\nThe hidden output out_h1 is {t['out_h1']} and out_o1 = {t['out_o1']}, roughly.\n\n"
            f"E_total = {t['E_total']}\n")
    return [HandIn(f"s{n:02d}.md", text, {q: int(q in ("E_total", "out_o1")) for q in QUESTIONS}, f"s{n:02d}",
                   not_read=1)]


def online_text(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """Moodle's online text, in the student's folder."""
    t = s.shown(s.oracle.all())
    html = f"<p>variant: {s.id}</p>\n<ul>" + "".join(f"<li>{q} = {a}</li>" for q, a in t.items()) + "</ul>"
    folder = f"Olga Online{n}_{7000000 + n}_assignsubmission_onlinetext_"
    return [HandIn(f"{folder}/onlinetext.html", html, _all(1), f"Olga Online{n}", platform=("moodle", str(7000000 + n)))]


def moodle_file(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    folder = f"Mo Dell{n}_{8000000 + n}_assignsubmission_file_"
    return [HandIn(f"{folder}/answers.claims", _claims(s.id, t), _all(1), f"Mo Dell{n}", platform=("moodle", str(8000000 + n))),
            HandIn(f"{folder}/photo.jpg", b"\xff\xd8\xff\xe0 not read")]


def canvas_file(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    return [HandIn(f"canvasstudent{n}_{900 + n}_{55000 + n}_hw.claims", _claims(s.id, t), _all(1),
                   f"canvasstudent{n}", platform=("canvas", str(900 + n)))]


def wrong_variant(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    return [HandIn(f"s{n:02d}.claims", "variant: 999\nout_h1 = 0.5\n", unreadable=True)]


def binary(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    return [HandIn(f"s{n:02d}.claims", b"\x00\x01\xfe\xff binary", unreadable=True)]


def copied(n: int, s: Sheet, all_sheets: list[Sheet]) -> list[HandIn]:
    """Another variant's answers under this variant's id (copied from a neighbour)."""
    other = next(x for x in all_sheets if x.id != s.id)
    t = other.shown(other.oracle.all())
    truth = s.shown(s.oracle.all())
    return [HandIn(f"s{n:02d}.claims", _claims(s.id, t), {q: int(t[q] == truth[q]) for q in QUESTIONS}, f"s{n:02d}",
                   flags=(f"variant {other.id}",))]


def twice(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    """One student's two hand-ins (a resubmission), both graded and both flagged."""
    t = s.shown(s.oracle.all())
    return [HandIn(f"s{n:02d}a.claims", _claims(s.id, t, "student: Twyla Twice\n"), _all(1), "Twyla Twice", flags=("graded twice",)),
            HandIn(f"s{n:02d}b.claims", _claims(s.id, t, "student: twyla  twice\n"), _all(1), "twyla  twice", flags=("graded twice",))]


def notebook_cells(n: int, s: Sheet, _: list[Sheet]) -> list[HandIn]:
    t = s.shown(s.oracle.all())
    cells = [_md(f"**variant: {s.id}**\n"), _md("".join(f"{q} ≈ {a}\n\n" for q, a in t.items()))]
    return [HandIn(f"s{n:02d}.ipynb", _nb(cells), _all(1), f"s{n:02d}")]


STUDENTS = [right_claims, markdown_maths, latex_document, notebook_output, colon_comma, sheet_table, truncated,
            more_digits, slip_carried, rounding_carried, sigmoid_slope_for_tanh, trivial_forward, partly_answered,
            prose, online_text, moodle_file, canvas_file, wrong_variant, binary, copied, twice, notebook_cells]


def csv_rows(all_sheets: list[Sheet]) -> tuple[str, list[HandIn], str, list[HandIn]]:
    """A spreadsheet of one row per student and one of one answer per row (two students each)."""
    wide = "student,variant," + ",".join(QUESTIONS) + "\n"
    expected_wide, expected_long = [], []
    for k, s in enumerate(all_sheets[:2]):
        t = s.shown(s.oracle.all())
        wide += f"Row {k},{s.id}," + ",".join(f'"{a.replace(".", ",")}"' if q == "E_total" else a for q, a in t.items()) + "\n"
        expected_wide.append(HandIn(f"rows.csv:{k + 2}", "", _all(1), f"Row {k}"))
    long = "student,variant,question,answer\n"
    line = 2
    for k, s in enumerate(all_sheets[2:4]):
        t = s.shown(s.oracle.all())
        expected_long.append(HandIn(f"answers.csv:{line}", "", _all(1) | {"b4@1": 0}, f"Long {k}"))
        for q, a in t.items():
            if q != "b4@1":
                long += f"Long {k},{s.id},{q},{a}\n"
                line += 1
    return wide, expected_wide, long, expected_long


def hand_ins(key: dict, sheet_text: dict[str, str], count: int) -> tuple[dict[str, str | bytes], list[HandIn]]:
    """At least `count` hand-ins: the students in turn, each on the next variant, and the two CSVs."""
    all_sheets = sheets(key)
    files: dict[str, str | bytes] = {}
    expected: list[HandIn] = []
    n = 0
    while len(expected) < count:
        student = STUDENTS[n % len(STUDENTS)]
        s = all_sheets[n % len(all_sheets)]
        made = sheet_table(n, s, all_sheets, sheet_text) if student is sheet_table else student(n, s, all_sheets)
        for h in made:
            files[h.name] = h.content
            if h.credits or h.unreadable:
                expected.append(h)
        n += 1
    wide, expected_wide, long, expected_long = csv_rows(all_sheets)
    files["rows.csv"], files["answers.csv"] = wide, long
    return files, expected + expected_wide + expected_long
