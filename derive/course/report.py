"""The grades of a class as files: grades.csv, grades.json (every verdict), report.html (offline: the
score histogram, the success rate per question, the most frequent mistakes per question, each
student's annotated sheet linked) and the annotated sheets themselves.

The charts are drawn by matplotlib as SVG, written into the page; a fixed hash salt and no date make
the same grades give the same bytes.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePosixPath

from markupsafe import escape

from derive.course import gradebooks, spreadsheet
from derive.course.cells import credit_text
from derive.course.grading import Graded, Key, Unreadable
from derive.course.handins import Skipped
from derive.templating import environment

SHEET_SUFFIX = {"md": ".md", "tex": ".tex", "ipynb": ".ipynb", "claims": ".txt"}
TOP_MISTAKES = 5
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sheet_paths(results: Sequence[Graded | Unreadable]) -> dict[int, str]:
    """The annotated sheet of each graded hand-in (by position): sheets/<n>-<file name><suffix>."""
    return {i: f"sheets/{i + 1:04d}-{_UNSAFE.sub('_', r.file)[:60]}{SHEET_SUFFIX[r.kind]}"
            for i, r in enumerate(results) if isinstance(r, Graded) and r.sheet}


def files(key: Key, results: Sequence[Graded | Unreadable], skipped: Sequence[Skipped] = ()) -> dict[str, str]:
    """Every file of REPORT_DIR, by relative path."""
    sheets = sheet_paths(results)
    found = {"grades.csv": grades_csv(key, results), "grades.json": grades_json(results, sheets, skipped),
             "report.html": report_html(key, results, sheets, skipped)}
    found.update(gradebooks.files(key, results))
    found.update({path: results[i].sheet for i, path in sheets.items()})  # type: ignore[union-attr]
    return found


def is_report_file(path: PurePosixPath) -> bool:
    """A file `derive grade` writes into REPORT_DIR (an earlier run's, replaced as a whole)."""
    if path.parts[:1] == ("sheets",):  # sheets/<n>-<file>: never an exercise's sheets/variant-<id>
        return len(path.parts) == 2 and re.fullmatch(r"\d{4,}-[^/]+", path.parts[1]) is not None
    return path.as_posix() in ("grades.csv", "grades.json", "report.html", *gradebooks.FILES)


def grades_csv(key: Key, results: Sequence[Graded | Unreadable]) -> str:
    """grades.csv; names and file names as a spreadsheet shows them, never as formulas (see spreadsheet)."""
    rows: list[list[str]] = [["student", "variant", "total", *key.claims]]
    for r in results:
        if isinstance(r, Unreadable):
            rows.append([r.student or r.file, r.variant, f"unreadable: {r.reason}"] + [""] * len(key.claims))
            continue
        by_claim = {m.claim: credit_text(m.credit) for m in r.marks}
        rows.append([r.student, r.variant, credit_text(r.total)] + [by_claim.get(c, "") for c in key.claims])
    return spreadsheet.csv_text(rows)


def grades_json(results: Sequence[Graded | Unreadable], sheets: dict[int, str], skipped: Sequence[Skipped] = ()) -> str:
    students = [{"student": r.student, "variant": r.variant, "file": r.file, "sheet": sheets.get(i, ""),
                 "total": float(round(r.total, 4)),
                 "questions": [{"claim": m.claim, "credit": float(round(m.credit, 4)), "verdict": m.verdict,
                                "mistakes": list(m.mistakes), "carried_forward": m.carried_forward,
                                "answer": m.answer, "where": m.where, "read": m.read} for m in r.marks],
                 "not_read": [{"where": u.where, "text": u.text, "reason": u.reason} for u in r.unread],
                 "flags": list(r.flags), "platform": r.platform, "platform_id": r.platform_id}
                for i, r in enumerate(results) if isinstance(r, Graded)]
    unreadable = [{"file": r.file, "reason": r.reason} for r in results if isinstance(r, Unreadable)]
    left_out = [{"file": k.file, "reason": k.reason} for k in skipped]
    return json.dumps({"students": students, "unreadable": unreadable, "skipped": left_out}, indent=2,
                      ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class QuestionStats:
    claim: str
    rate: str  # the share of full credit, in percent
    answered: int
    mistakes: tuple[tuple[str, int], ...]  # the most frequent named mistakes, most frequent first
    chart: str  # their bar chart, SVG ("" when no mistake was named)


def question_stats(key: Key, graded: Sequence[Graded]) -> list[QuestionStats]:
    found = []
    for claim in key.claims:
        marks = [m for g in graded for m in g.marks if m.claim == claim]
        full = sum(m.credit == 1 for m in marks)
        counts = Counter(name for m in marks for name in m.mistakes)
        top = tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_MISTAKES])
        rate = credit_text(Fraction(100 * full, len(marks))) if marks else "0"
        chart = _bars([n for n, _ in top], [c for _, c in top], "students", horizontal=True) if top else ""
        found.append(QuestionStats(claim, rate, len(marks), top, chart))
    return found


def report_html(key: Key, results: Sequence[Graded | Unreadable], sheets: dict[int, str],
                skipped: Sequence[Skipped] = ()) -> str:
    graded = [r for r in results if isinstance(r, Graded)]
    stats = question_stats(key, graded)
    most = max((len(g.marks) for g in graded), default=len(key.claims))
    rows = [_row(i, r, sheets) for i, r in enumerate(results)]
    return environment().get_template("grade_report.html.j2").render(
        title=escape(f"Grades: {key.network}"),
        summary=escape(f"{len(graded)} hand-ins graded, {len(results) - len(graded)} not, against "
                       f"{len(key.variants)} variants of {key.network}; {len(key.claims)} questions."),
        histogram=_histogram([g.total for g in graded], most),
        rates=_bars([s.claim for s in stats], [float(s.rate) for s in stats], "full credit (%)", horizontal=False),
        questions=[{"claim": escape(s.claim), "rate": s.rate, "answered": s.answered, "chart": s.chart,
                    "mistakes": [{"name": escape(n), "count": c} for n, c in s.mistakes]} for s in stats],
        rows=rows,
        skipped=[{"file": escape(k.file), "reason": escape(k.reason)} for k in skipped],
    )


def _row(index: int, r: Graded | Unreadable, sheets: dict[int, str]) -> dict[str, object]:
    if isinstance(r, Unreadable):
        return {"student": escape(r.student or r.file), "variant": escape(r.variant), "total": "",
                "sheet": "", "file": escape(r.file), "notes": [escape(f"unreadable: {r.reason}")], "flags": []}
    notes = [f"{m.claim}: {m.verdict}" for m in r.marks if m.credit < 1 or m.carried_forward]
    notes += [f"not read ({u.where}): {u.text} ({u.reason})" for u in r.unread]
    return {"student": escape(r.student), "variant": escape(r.variant), "total": credit_text(r.total),
            "sheet": escape(sheets.get(index, "")), "file": escape(r.file), "notes": [escape(n) for n in notes],
            "flags": [escape(f) for f in r.flags]}


def _svg(fig: object) -> str:
    """The figure as inline SVG: no date, fixed ids, no XML prologue."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "derive"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _figure(width: float, height: float) -> object:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _histogram(totals: Sequence[Fraction], most: int) -> str:
    """How many students reached each total (whole points; a part-point total in the bar below it)."""
    fig = _figure(6, 3)
    ax = fig.add_subplot()  # type: ignore[attr-defined]
    counts = Counter(int(t) for t in totals)
    points = list(range(most + 1))
    ax.bar(points, [counts.get(p, 0) for p in points], color="#4c72b0")
    ax.set_xticks(points)
    ax.set_xlabel("total (points)")
    ax.set_ylabel("students")
    _whole(ax.yaxis)
    return _svg(fig)


def _whole(axis: object) -> None:
    """Ticks at whole numbers only: the axis counts students (no 0.5 student)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))  # type: ignore[attr-defined]


def _bars(labels: Sequence[str], values: Sequence[float], unit: str, horizontal: bool) -> str:
    height = 0.4 * len(labels) + 0.8 if horizontal else 3
    fig = _figure(6, height)
    ax = fig.add_subplot()  # type: ignore[attr-defined]
    places = list(range(len(labels)))
    if horizontal:
        ax.barh(places, values, color="#c44e52")
        ax.set_yticks(places, labels)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        _whole(ax.xaxis)
    else:
        ax.bar(places, values, color="#55a868")
        ax.set_xticks(places, labels, rotation=20, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel(unit)
    return _svg(fig)
