"""`derive.exercise` and `derive.grade`: a course's sheets, keys and quiz exports, and the grades of a
class, holding the same data as the files `derive exercise` and `derive grade` write."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.api import errors
from derive.api.network import Network, check_notation, check_title, translated
from derive.api.results import write_files
from derive.model import spec
from derive.model.identifiers import escaped

SHEET_FORMATS = ("md", "pdf", "html")
FORMATS = (*SHEET_FORMATS, "prairielearn")  # prairielearn: a PrairieLearn question of the variants, with its key


@dataclass(frozen=True)
class Exercise:
    """Exercise sheets with their own numbers: `files` every file by path (sheets, keys, key.json,
    key.csv, moodle.xml, quiz.gift), `key` the content of key.json."""

    network: str
    seed: int
    files: dict[str, str | bytes] = field(repr=False)
    format: str = "md"

    @property
    def key(self) -> dict[str, Any]:
        """key.json: the variants, their numbers, and each question's answer and catalogued mistakes."""
        text = self.files["key.json"]
        return dict(json.loads(text))

    @property
    def variants(self) -> int:
        """How many variants were drawn."""
        return len(self.key["variants"])

    @property
    def rejected(self) -> int:
        """Draws rejected on the way (a saturated neuron, mistakes a question cannot tell apart, ...)."""
        return int(self.key["rejected"])

    def write(self, out_dir: str | Path) -> Path:
        """Write every file into `out_dir` at once; a later `derive.grade(out_dir, ...)` reads its key."""
        from derive.course.files import is_exercise_file
        from derive.practice.prairielearn import is_question_file

        return write_files(out_dir, self.files, is_question_file if self.format == "prairielearn" else is_exercise_file,
                           "derive exercise")


def exercise(network: str | Network, variants: int = 30, seed: int = 1, lang: str = "en",
             notation: str = "classic", format: str = "md") -> Exercise:
    """`variants` exercise sheets of a network (a preset's name, a spec file's path or a loaded network
    from a file) with numbers drawn from its `[exercise]` table, reproducible from `seed`; with `format`
    "prairielearn", one PrairieLearn question of those variants (info.json, question.html, server.py, and
    the key)."""
    from derive.course import files
    from derive.notes import pdf

    _choice("format", format, FORMATS)
    base, ex = _drawn(network, variants, seed, lang, notation, ("pdf",) if format == "pdf" else (),
                      "--format prairielearn" if format == "prairielearn" else "")
    try:
        with translated():
            if format == "prairielearn":
                from derive.practice import prairielearn

                return Exercise(base.name, seed, dict(prairielearn.question_files(ex, lang, notation)), format)
            return Exercise(base.name, seed, files.files(ex, format, lang, notation), format)
    except pdf.PdfToolsMissing as exc:
        raise errors.ToolMissing(f"--format pdf: {exc}") from None
    except pdf.PdfFailed as exc:
        raise errors.TypesetError(f"LaTeX could not typeset a sheet: {exc}", exc.log) from None


@dataclass(frozen=True)
class Practice:
    """The practice page of a network's variants (`derive practice`): `page` its HTML, one file."""

    network: str
    seed: int
    files: dict[str, str] = field(repr=False)

    @property
    def page(self) -> str:
        """practice.html: offline, with every variant, the formulas that judge the answers, and KaTeX."""
        from derive.practice.files import PAGE

        return self.files[PAGE]

    def write(self, out_dir: str | Path) -> Path:
        """Write the page into `out_dir`; its path (`practice.html`)."""
        from derive.practice.files import PAGE, is_page_file

        return write_files(out_dir, dict(self.files), is_page_file, "derive practice") / PAGE


def practice_page(network: str | Network, variants: int = 20, seed: int = 1, lang: str = "en",
                  notation: str = "classic") -> Practice:
    """The practice page of a network: `variants` variants drawn as `derive.exercise` draws them with
    `seed` (the same numbers and ids as its sheets), each worked through step by step in the browser."""
    from derive.practice import files

    base, ex = _drawn(network, variants, seed, lang, notation, (), "derive practice")
    with translated():
        return Practice(base.name, seed, dict(files.page_files(ex, lang, notation)))


def _dense_only(base: spec.Spec, what: str) -> None:
    """The practice page and the PrairieLearn question work through dense layers' steps only."""
    if base.structure is not None:
        raise errors.OptionError(f"{escaped(base.source)}: {what} works through dense layers step by step; this "
                                 "network has conv2d, pooling or rnn layers (derive exercise writes its sheets)")


def _drawn(network: str | Network, variants: int, seed: int, lang: str, notation: str,
           formats: tuple[str, ...], dense_only: str = "") -> tuple[spec.Spec, Any]:
    """The options checked and the variants drawn, as `derive exercise` draws them; `dense_only` names
    what cannot take convolution, pooling or rnn layers."""
    from derive.course import exercise as drawing
    from derive.notes import LANGUAGES, PROFILES

    _choice("lang", lang, LANGUAGES)
    _choice("notation", notation, PROFILES)
    if isinstance(variants, bool) or not 1 <= variants <= 1000:
        raise errors.OptionError(f"variants: expected a whole number from 1 to 1000, got {variants!r}")
    if isinstance(seed, bool) or not 0 <= seed <= 2**32 - 1:
        raise errors.OptionError(f"seed: expected a whole number from 0 to {2**32 - 1}, got {seed!r}")
    with translated():
        base, text = spec.load_with_text(network) if isinstance(network, str) else (network.spec, network.text)
    if text is None:  # a network built from a Spec: its key keeps the spec's text, which this one lacks
        raise errors.OptionError("exercise: a network without its TOML text; load it with derive.load")
    if dense_only:
        _dense_only(base, dense_only)
    try:
        with translated():
            ex = drawing.build(base, base.name, variants, seed, text)
            check_notation(ex.variants[0].derivation.network, notation)
            check_title(ex.variants[0].derivation.network.spec, lang, formats)
    except drawing.ExerciseError as exc:
        raise errors.ExerciseError(str(exc)) from None
    return base, ex


@dataclass(frozen=True)
class Grades:
    """A class graded against a key: `files` every file of REPORT_DIR by path (grades.csv, grades.json,
    report.html, the annotated sheets), `results` the content of grades.json."""

    files: dict[str, str] = field(repr=False)

    @property
    def results(self) -> dict[str, Any]:
        """grades.json: each student's total and question by question credit, verdict and mistakes."""
        return dict(json.loads(self.files["grades.json"]))

    @property
    def csv(self) -> str:
        """grades.csv: one row per hand-in, one column per question."""
        return self.files["grades.csv"]

    def write(self, out_dir: str | Path) -> Path:
        """Write every file into `out_dir` at once; the report's path (`report.html`)."""
        from derive.course.report import is_report_file

        return write_files(out_dir, dict(self.files), is_report_file, "derive grade") / "report.html"

    def _repr_html_(self) -> str:
        import html

        rows = "".join(f"<tr><td>{html.escape(str(s['student']))}</td><td>{html.escape(str(s['variant']))}</td>"
                       f"<td>{html.escape(str(s['total']))}</td></tr>" for s in self.results["students"])
        head = "<tr><th>student</th><th>variant</th><th>total</th></tr>"
        return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def grade(key_dir: str | Path, submissions: str | Path, jobs: int = 1, marks: str | Path | None = None) -> Grades:
    """Grade a class's hand-ins (a folder of claims files, Markdown, LaTeX, notebooks or online texts, each
    naming its variant, as it is or as Moodle or Canvas download them, or one CSV of answers) against the
    key in `key_dir` (and only it), in `jobs` processes; `marks`, a CSV of your own marks (student,
    question, marks, comment), is merged in."""
    from derive.course import grading, handins, manual, report

    if isinstance(jobs, bool) or not 1 <= jobs <= 1024:
        raise errors.OptionError(f"jobs: expected a whole number from 1 to 1024, got {jobs!r}")
    try:
        with translated():
            key = grading.read_key(Path(key_dir))
            submitted = handins.collect(Path(submissions), key.claims)
    except (grading.KeyFileError, handins.SubmissionsError) as exc:
        raise errors.GradingError(escaped(str(exc))) from None
    with translated():
        results = grading.grade_all(key, submitted.sources, jobs)
    if marks is not None:
        try:
            results = manual.merged(key, results, Path(marks))
        except manual.MarksError as exc:
            raise errors.GradingError(escaped(str(exc))) from None
    return Grades(report.files(key, results, submitted.skipped))


def _choice(what: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise errors.OptionError(f"{what}: expected one of {', '.join(choices)}, got {value!r}")
