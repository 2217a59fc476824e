"""What the Python API returns: the notes, the code, a training run and a check report, each holding the
same data the command line prints or writes, and showing itself in Jupyter.

Nothing here prints or exits. The modules of an output are imported only when it is asked for.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from derive.api import errors

if TYPE_CHECKING:
    from derive.check.checker import Report
    from derive.reader.document import DocumentReport

_IMAGE = re.compile(r"!\[([^\]]*)\]\((figures/[^)\s]+\.svg)\)")


# The files that mark a directory as one command's output: the other commands refuse to write there
# (`derive grade --out KEY_DIR` would mix the report into the exercise's files).
OUTPUT_MARKS = {"derive render": tuple(f"walkthrough.{ext}" for ext in ("md", "tex", "pdf", "html", "ipynb")),
                "derive exercise": ("key.json",), "derive grade": ("grades.json",),
                "derive practice": ("practice.html",)}


def others(command: str) -> dict[str, str]:
    """The marks of every other command's output, each with the command that writes it."""
    return {mark: other for other, marks in OUTPUT_MARKS.items() if other != command for mark in marks}


def write_files(out_dir: str | Path, files: dict[str, str | bytes], ours: Any, command: str = "") -> Path:
    """Every file at once into `out_dir` (see derive.writing), never into another command's output
    directory; the directory written."""
    from derive import writing
    from derive.model.identifiers import escaped

    target = Path(out_dir)
    try:
        writing.write_tree(target, files, ours, others(command))
    except writing.WriteError as exc:
        raise errors.WriteError(escaped(str(exc.path)), exc.reason) from None
    return target


def write_one(path: str | Path, content: str | bytes) -> Path:
    """One file, through a temporary beside it (see derive.writing); the path written."""
    from derive import writing
    from derive.model.identifiers import escaped

    target = Path(path)
    try:
        writing.write_file(target, content)
    except writing.WriteError as exc:
        raise errors.WriteError(escaped(str(exc.path)), exc.reason) from None
    return target


def inline_figures(markdown: str, files: dict[str, str | bytes]) -> str:
    """The walkthrough's Markdown with each SVG figure inside it as a data URI, for a notebook's output."""
    import base64

    def inline(match: re.Match[str]) -> str:
        content = files.get(match.group(2))
        if content is None:
            return match.group(0)
        data = content.encode("utf-8") if isinstance(content, str) else content
        return f"![{match.group(1)}](data:image/svg+xml;base64,{base64.b64encode(data).decode('ascii')})"

    return _IMAGE.sub(inline, markdown)


@dataclass(frozen=True)
class Notes:
    """The walkthrough of one network in one format: `text` is the walkthrough itself (bytes for a PDF),
    `files` every file of the render (figures too) by path, as `derive render` writes them."""

    format: str
    files: dict[str, str | bytes]

    @property
    def text(self) -> str | bytes:
        """The walkthrough (`walkthrough.<format>`); for `all`, the Markdown one."""
        name = f"walkthrough.{'md' if self.format == 'all' else self.format}"
        return self.files[name]

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write every file into `out_dir` at once, replacing the files of this format of an earlier render
        there and keeping the other formats' (a teacher's PDF); the walkthroughs' paths."""
        from derive.notes.files import RenderFiles
        from derive.notes.request import formats_of

        target = write_files(out_dir, self.files, RenderFiles(formats_of(self.format)), "derive render")
        return [target / name for name in self.files if name.startswith("walkthrough.")]

    def __str__(self) -> str:
        text = self.text
        return text if isinstance(text, str) else f"<{self.format}: {len(text)} bytes>"

    def _repr_markdown_(self) -> str | None:
        markdown = self.files.get("walkthrough.md")
        return inline_figures(markdown, self.files) if isinstance(markdown, str) else None


@dataclass(frozen=True)
class Code:
    """Generated NumPy update code: `text` is the module's source, `style` scalar or vector."""

    text: str
    style: str

    def module(self, name: str = "generated_update") -> ModuleType:
        """The code as an imported module (`forward`, `loss`, `gradients`, `step`, `train`, ...)."""
        from derive.code import verify

        return verify.load(self.text, name)

    def write(self, path: str | Path) -> Path:
        """Write the module to `path` (through a temporary beside it); the path written."""
        return write_one(path, self.text)

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}```\n"


@dataclass(frozen=True)
class Training:
    """A run of the generated vector code: `curve` holds (updates, error) from 0 updates on; `diverged` is
    the update after which the error or a parameter stopped being finite, or None."""

    title: str
    curve: tuple[tuple[int, float], ...]
    diverged: int | None
    # the 50-digit error before any update is positive: a float64 error printed as 0 is then below float64
    starts_positive: bool = field(default=False, repr=False)

    @property
    def final_error(self) -> float:
        """The error after the last update run (the first error that is not finite, if it diverged)."""
        return self.curve[-1][1]

    @property
    def below_float64(self) -> bool:
        """Some error is 0 in float64 while the exact error is positive (below about 4.9e-324)."""
        return self.starts_positive and any(error == 0 for _, error in self.curve)

    @property
    def log_scaled(self) -> bool:
        """Whether the plot's error axis is logarithmic (not when an error is 0 or all are the same)."""
        from derive.code import training

        return training.log_scaled(list(self.curve))

    def plot(self, fmt: str = "svg") -> bytes:
        """The loss curve as an SVG or PNG file's bytes (the same bytes for the same run)."""
        from derive.code import training

        if fmt not in training.PLOT_FORMATS:
            raise errors.OptionError(f"plot: expected one of {', '.join(training.PLOT_FORMATS)}, got {fmt!r}")
        found: list[bytes] = []
        training.plot(list(self.curve), Path(f"curve.{fmt}"), self.title, lambda _, data: found.append(data))
        return found[0]

    def write_plot(self, path: str | Path) -> Path:
        """Save the loss curve as PNG or SVG, by the file's extension."""
        return write_one(path, self.plot(plot_format(path)))

    def _repr_svg_(self) -> str:
        return self.plot("svg").decode("utf-8")


def plot_format(path: str | Path) -> str:
    """The format of a plot file from its extension, refused unless PNG or SVG."""
    from derive.code import training
    from derive.model.identifiers import escaped

    fmt = Path(path).suffix.lstrip(".").lower()
    if fmt not in training.PLOT_FORMATS:
        raise errors.OptionError(f"{escaped(str(path))}: expected a .png or .svg file for the plot")
    return fmt


@dataclass(frozen=True)
class Verdict:
    """One claim's verdict. `status` is correct, wrong, carried (right from an earlier wrong step), cannot
    check or defined (your own name);
    `truth` and `claimed` are shown to the report's digits; `mistakes` are the catalogued mistakes
    that reproduce a wrong number."""

    line: int
    claim: str
    status: str
    reason: str
    truth: str | None = None
    claimed: str | None = None
    mistakes: tuple[str, ...] = ()
    link: int = 1
    cell: int | None = None
    reading: str = ""
    entry: str = ""

    @property
    def ok(self) -> bool:
        """Whether the claim was judged right."""
        return self.status == "correct"


@dataclass(frozen=True)
class NotUnderstood:
    """A math span of a document that was not read as claims, with the reason."""

    line: int
    source: str
    reason: str
    cell: int | None = None


@dataclass(frozen=True)
class CheckReport:
    """The verdicts on a claims file or a document, as `derive check` gives them.

    `kind` is claims, md, tex or ipynb; `verdicts` one per judged link; `refused` the lines of a claims
    file that could not be read (line, reason); `not_understood` a document's unread math spans."""

    kind: str
    digits: int
    verdicts: tuple[Verdict, ...]
    refused: tuple[tuple[int, str], ...] = ()
    not_understood: tuple[NotUnderstood, ...] = ()
    source: str = field(default="", repr=False)  # the text checked, for annotate()
    _raw: Any = field(default=None, repr=False, compare=False)

    @property
    def correct(self) -> int:
        """How many links were judged right (and so on for `wrong` and `cannot_check`)."""
        return sum(v.status == "correct" for v in self.verdicts)

    @property
    def wrong(self) -> int:
        return sum(v.status == "wrong" for v in self.verdicts)

    @property
    def carried(self) -> int:
        """Links right from an earlier wrong step (the slip carried forward, no new error)."""
        return sum(v.status == "carried" for v in self.verdicts)

    @property
    def cannot_check(self) -> int:
        return sum(v.status == "cannot check" for v in self.verdicts) + len(self.refused)

    @property
    def problem(self) -> str | None:
        """Why a report without a wrong claim is still not a pass (nothing judged, lines refused), or None."""
        if self.wrong:
            return None
        if self.kind != "claims":
            judged = any(v.status in ("correct", "wrong", "carried") for v in self.verdicts)
            return None if judged else ("nothing could be checked "
                                        "(no claim of the document was found correct or wrong)")
        from derive.check.checker import unchecked

        return unchecked(self._raw)

    def text(self) -> str:
        """The report as `derive check` prints it."""
        if self.kind == "claims":
            from derive.check import checker

            return checker.to_text(self._raw, self.digits)
        from derive.reader import report

        return report.to_text(self._raw, self.digits)

    def json(self) -> str:
        """The report as `derive check --format json` prints it."""
        if self.kind == "claims":
            from derive.check import checker

            return checker.to_json(self._raw, self.digits)
        from derive.reader import report

        return report.to_json(self._raw, self.digits)

    def annotated(self, page: bool = False, title: str = "document") -> str:
        """The document written back with every judged span marked (`page`: the annotated Markdown on
        the notes' offline KaTeX page)."""
        from derive.reader import annotate

        if self.kind == "claims":
            raise errors.OptionError("annotate: needs a document (Markdown, LaTeX or a notebook), not a claims file")
        if page:
            if self.kind == "tex":
                raise errors.OptionError("annotate: the annotated page is made from Markdown or a notebook "
                                         "(annotate a .tex document as .tex)")
            return annotate.html(self.kind, self.source, self._raw, self.digits, title)
        return annotate.annotated(self.kind, self.source, self._raw, self.digits)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        rows = "".join(_row(v) for v in self.verdicts)
        rows += "".join(f"<tr><td>{n}</td><td></td><td>?</td><td>cannot check: refused: {html.escape(why)}</td></tr>"
                        for n, why in self.refused)
        rows += "".join(f"<tr><td>{u.line}</td><td><code>{html.escape(u.source)}</code></td><td>?</td>"
                        f"<td>not understood: {html.escape(u.reason)}</td></tr>" for u in self.not_understood)
        summary = f"{self.correct} correct, {self.wrong} wrong, {self.cannot_check} cannot check"
        return ("<table><thead><tr><th>line</th><th>claim</th><th></th><th>verdict</th></tr></thead>"
                f"<tbody>{rows}</tbody></table><p>{summary}</p>")


_MARKS = {"correct": "✓", "wrong": "✗", "carried": "→", "defined": "="}


def _row(v: Verdict) -> str:
    diagnosis = v.reason + (f" (truth {v.truth})" if v.status == "wrong" and v.truth is not None else "")
    diagnosis += "".join(f"<br>most likely: {html.escape(m)}" for m in v.mistakes)
    where = str(v.line) + (f" (cell {v.cell})" if v.cell is not None else "")
    return (f"<tr><td>{where}</td><td><code>{html.escape(v.claim)}</code></td><td>{_MARKS.get(v.status, '?')}</td>"
            f"<td>{v.status}: {html.escape(diagnosis).replace('&lt;br&gt;', '<br>')}</td></tr>")


def claims_report(raw: Report, digits: int, text: str) -> CheckReport:
    """The API's report of a claims file's checker report."""
    return CheckReport("claims", digits, tuple(_verdict(v, digits) for v in raw.verdicts), tuple(raw.refused),
                       (), text, raw)


def document_report(raw: DocumentReport, kind: str, digits: int, text: str) -> CheckReport:
    """The API's report of a document's report."""
    from derive.reader.document import NOT_UNDERSTOOD

    verdicts = tuple(_verdict(f.verdict, digits, f.cell, f.reading) for f in raw.found)
    unread = tuple(NotUnderstood(s.line, s.span.source, s.reason, s.text.cell)
                   for s in raw.spans if s.status == NOT_UNDERSTOOD)
    return CheckReport(kind, digits, verdicts, (), unread, text, raw)


def _verdict(v: Any, digits: int, cell: int | None = None, reading: str = "") -> Verdict:
    from derive.model.precision import show

    def shown(x: Any) -> str | None:
        return None if x is None else show(x, digits).text

    return Verdict(v.line, v.text, v.status, v.reason, shown(v.truth), shown(v.claimed), tuple(v.explanations),
                   v.link, cell, reading or v.reading, v.entry)
