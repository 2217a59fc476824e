"""The command line: a thin layer over model -> maths -> one output (notes, code or check).

`main(argv)` returns the exit status: 0 done, 1 a finding (stale examples), 2 unusable input. Each
command imports only the output it uses: `derive render` never loads the checker, `derive check` never
loads the notes.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NoReturn, Sequence

from derive import writing
from derive.code import SCALAR_LIMIT, STYLES
from derive.maths import derivation
from derive.model import network, reading, spec
from derive.model.identifiers import escaped
from derive.model.precision import WORKING_DIGITS
from derive.notes import ALL, DEFAULT_DIGITS, FORMATS, LANGUAGES, MAX_DIGITS, PROFILES

if TYPE_CHECKING:
    from derive.check.checker import Report

OK, FINDING, USAGE = 0, 1, 2
# As a shell reports a program stopped by a signal: 128 + SIGPIPE, SIGINT, SIGTERM.
CLOSED_PIPE, INTERRUPTED, TERMINATED = 141, 130, 143
# Committed examples: every preset in both languages and every format but PDF (which mazur also has),
# in the classic notation, plus the notations the sources use: the textbook's and the matrix one.
EXAMPLE_FORMATS = ("md", "tex", "html", "ipynb")
EXAMPLE_PDF = ("mazur",)
EXAMPLE_NOTATIONS = (("textbook", "textbook"), ("mazur", "matrix"))
MAX_CLAIMS_BYTES = 2_000_000
MAX_CLAIMS_LINES = 20_000


class UsageError(Exception):
    """Unusable input, reported as one line on stderr with exit status 2."""


class OutputError(Exception):
    """Standard output cannot be written: one line on stderr, exit status 2."""


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so temporaries are cleaned as for Ctrl-C."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and exit by itself
        raise UsageError(escaped(message))  # it quotes an unknown argument as typed


def _whole(text: str, high: int) -> int:
    """A whole number from 1 to `high` written in ASCII digits (`str.isdigit` also accepts "²")."""
    if not (text.isascii() and text.isdigit() and len(text) <= 9 and 1 <= int(text) <= high):
        # ArgumentTypeError: argparse shows this message, not the converter's name.
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {high}, got {escaped(repr(text))}")
    return int(text)


def _digits(text: str) -> int:
    return _whole(text, MAX_DIGITS)


def _seconds(text: str) -> float:
    """A time limit: a positive number of seconds, at most a day."""
    try:
        value = float(text) if text.strip().replace(".", "", 1).isdigit() else -1.0
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0 and at most 86400, got {text!r}")
    return value


def _variants(text: str) -> int:
    return _whole(text, 1000)


def _seed(text: str) -> int:
    """A seed: a whole number from 0 to 2^32 - 1."""
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= 2**32 - 1):
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to {2**32 - 1}, got {escaped(repr(text))}")
    return int(text)


def _jobs(text: str) -> int:
    return _whole(text, 1024)


def _steps(text: str) -> int:
    return _whole(text, spec.MAX_STEPS)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description="Derive backpropagation symbolically and write it up.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the built-in networks")
    r = commands.add_parser("render", help="write the step-by-step walkthrough of a network")
    r.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec")
    r.add_argument("--format", choices=FORMATS + (ALL,), default="md")
    r.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the notes")
    r.add_argument("--notation", choices=PROFILES, default="classic",
                   help="classic (net_h1, out_h1, w5), textbook (x_i, b_h, v_ih, w_hj) or matrix (W^[l], a^[l])")
    r.add_argument("--brief", action="store_true", help="leave out how each local derivative is obtained")
    r.add_argument("--full", action="store_true",
                   help="every neuron and parameter in full (default: one of each per layer, the others in a table)")
    r.add_argument("--out", type=Path, help="output directory (default: output/<network>/<lang>[-<notation>])")
    r.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS, help="significant digits shown")
    c = commands.add_parser("code", help="write NumPy update code for a network, verified against the maths")
    c.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec")
    c.add_argument("--out", type=Path, help="output file (default: output/<network>/update.py)")
    c.add_argument("--style", choices=STYLES, help=f"scalar (default up to {SCALAR_LIMIT} parameters) or vector")
    c.add_argument("--no-verify", action="store_true", help="skip checking the code against the closed forms")
    t = commands.add_parser("train", help="train with the generated vector code and print the error")
    t.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec")
    t.add_argument("--steps", type=_steps, help="number of updates (default: the spec's last step count)")
    t.add_argument("--plot", type=Path, help="save the loss curve (.png or .svg)")
    k = commands.add_parser("check", help="check a hand derivation, claim by claim")
    k.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec")
    k.add_argument("claims", type=Path, help="a Markdown (.md, .markdown, .txt), LaTeX (.tex) or notebook (.ipynb) "
                   "document, or a file of claims, one per line (NAME = VALUE = ...)")
    k.add_argument("--input", choices=("md", "tex", "ipynb", "claims"),
                   help="how to read the file (default: from its extension; claims for any other)")
    k.add_argument("--annotate", type=Path, metavar="OUT",
                   help="write the document back with every judged claim marked (.html: the annotated page)")
    k.add_argument("--aliases", type=Path, metavar="FILE",
                   help="a TOML file whose [aliases] table maps your names to the network's (z = \"net\")")
    k.add_argument("--format", choices=("text", "json"), default="text")
    k.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS, help="significant digits shown")
    k.add_argument("--notation", choices=PROFILES, default="classic",
                   help="the notation LaTeX claims are written in, as `derive render --notation` prints it")
    k.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                   help="seconds of checking for the whole file (default 60); the lines left then cannot be checked")
    x = commands.add_parser("exercise", help="exercise sheets with their own numbers, answer keys and quiz exports")
    x.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec with an [exercise] table")
    x.add_argument("--variants", type=_variants, default=30, help="number of variants (default 30)")
    x.add_argument("--seed", type=_seed, default=1, help="seed of the draws (default 1): the same seed, the same files")
    x.add_argument("--out", type=Path, help="output directory (default: exercise/<network>)")
    x.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the sheets, keys and quiz")
    x.add_argument("--notation", choices=PROFILES, default="classic", help="notation of the sheets and keys")
    x.add_argument("--format", choices=("md", "pdf", "html"), default="md", help="format of the sheets")
    g = commands.add_parser("grade", help="grade a class's hand-ins against the key of `derive exercise`")
    g.add_argument("key_dir", type=Path, metavar="KEY_DIR", help="the folder `derive exercise` wrote (its key.json)")
    g.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                   help="a folder of hand-ins (claims, .md, .tex, .ipynb, each with a line `variant: <id>`) or "
                   "one CSV with student, variant and answer columns")
    g.add_argument("--jobs", type=_jobs, default=None, help="processes grading at once (default: the number of cores)")
    g.add_argument("--out", type=Path, default=Path("grades"), metavar="REPORT_DIR",
                   help="where grades.csv, grades.json, report.html and the sheets go (default: grades)")
    e = commands.add_parser("examples", help="regenerate the committed examples of every preset")
    e.add_argument("--out", type=Path, default=Path("output"), help="examples directory (default: output)")
    e.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any example but the PDFs (compared by their text in the tests) is stale")
    return parser


def _load(name: str) -> spec.Spec:
    """A preset or a spec file; a file named like a preset is named in a note, with how to read it."""
    shadowed = spec.shadowed_file(name)
    if shadowed is not None:
        _say(f"derive: note: read the preset {shadowed!r}; to read the file of that name in the current "
             f"directory, write ./{escaped(shadowed)}")
    return spec.load(name)


def _derive(name: str, digits: int) -> derivation.Derivation:
    """The derivation of a preset or spec file, with extra iterations for a smooth loss curve; its
    errors will be shown with `digits` significant digits."""
    from derive.notes.files import CURVE_DIGITS, curve_steps

    net = network.build(_load(name))
    return derivation.build(net, history_steps=curve_steps(net.spec.training.steps),
                            shown_digits=max(digits, CURVE_DIGITS))


def _check_notation(d: derivation.Derivation, profile: str) -> None:
    """A one-line error when the notation `profile` cannot name this network (the textbook's, say)."""
    from derive.notes import notation

    try:
        notation.notation_for(d.network, profile)
    except notation.NotationError as exc:
        raise UsageError(f"{escaped(d.network.spec.source)}: --notation {profile}: {exc}") from None


def _check_title(d: derivation.Derivation, lang: str, formats: tuple[str, ...]) -> None:
    """A Chinese title the PDF's font cannot print is refused, not silently dropped by XeLaTeX."""
    if lang != "zh" or not {"tex", "pdf"} & set(formats):
        return
    from derive.notes import glyphs

    missing = glyphs.unprintable(d.network.spec.title_in(lang))
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
        raise UsageError(f"{escaped(d.network.spec.source)}: titles.zh: no glyph for {shown} in the font of the "
                         f"Chinese PDF ({glyphs.FONT}); choose other characters (Markdown and HTML could show them)")


def render_dir(name: str, lang: str, profile: str) -> str:
    """output/<network>/<lang>, with the notation appended when it is not the classic one."""
    return f"{name}/{lang}" + ("" if profile == "classic" else f"-{profile}")


def _emit(text: str) -> None:
    """One line on standard output; a closed pipe or a full disk there is not a traceback."""
    if sys.stdout is None:
        raise OutputError("standard output is closed")
    try:
        print(text)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write standard output ({exc.strerror or exc})") from None


def _flush() -> None:
    """Flush standard output now, while a failure can still be reported (at exit it would be lost)."""
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write standard output ({exc.strerror or exc})") from None


def _say(text: str) -> None:
    """One line on standard error, dropped when there is none (never sent to standard output instead)."""
    if sys.stderr is None:
        return
    try:
        print(text, file=sys.stderr)
        sys.stderr.flush()
    except OSError:
        pass


def _detach_stdout() -> None:
    """Point a failed standard output at /dev/null, so the interpreter's last flush has nothing to say."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, AttributeError, ValueError):  # in-process callers capture stdout without a descriptor
        pass


def _cmd_list(args: argparse.Namespace) -> int:
    for name in spec.preset_names():
        _emit(f"{name}\t{spec.load_preset(name).title}")
    return OK


def _cmd_render(args: argparse.Namespace) -> int:
    from derive.notes import files, pdf
    from derive.notes.request import NotesRequest, formats_of

    d = _derive(args.network, args.digits)
    _check_notation(d, args.notation)
    request = NotesRequest(formats_of(args.format), args.lang, args.notation, args.digits, args.brief, args.full)
    _check_title(d, request.lang, request.formats)
    out_dir = args.out if args.out is not None else Path("output") / render_dir(d.network.name, args.lang,
                                                                                 args.notation)
    try:
        written = files.files(d, request)
    except pdf.PdfToolsMissing as exc:
        raise UsageError(f"--format {args.format}: {exc}") from None
    except pdf.PdfFailed as exc:
        _say(f"derive: LaTeX could not typeset the walkthrough: {exc}{_kept_log(out_dir, exc.log)}")
        return FINDING
    except files.CodeDisagrees as exc:
        _say(f"derive: generated code disagrees with the closed forms: {exc}")
        return FINDING
    writing.write_tree(out_dir, written, files.is_render_file)
    for relative in written:
        if relative.startswith("walkthrough."):
            _emit(str(out_dir / relative))
    return OK


def _cmd_exercise(args: argparse.Namespace) -> int:
    from derive.course import exercise, files
    from derive.notes import pdf

    base = _load(args.network)
    try:
        ex = exercise.build(base, args.network, args.variants, args.seed)
        _check_notation(ex.variants[0].derivation, args.notation)
        _check_title(ex.variants[0].derivation, args.lang, ("pdf",) if args.format == "pdf" else ())
        written = files.files(ex, args.format, args.lang, args.notation)
    except exercise.ExerciseError as exc:
        raise UsageError(str(exc)) from None
    except pdf.PdfToolsMissing as exc:
        raise UsageError(f"--format pdf: {exc}") from None
    except pdf.PdfFailed as exc:
        _say(f"derive: LaTeX could not typeset a sheet: {exc}")
        return FINDING
    out_dir = args.out if args.out is not None else Path("exercise") / base.name
    writing.write_tree(out_dir, written, files.is_exercise_file)
    count, rejected = len(ex.variants), ex.rejected_count
    _emit(f"{count} variant{'s' * (count != 1)} of {base.name} (seed {args.seed}) in {out_dir}; "
          f"{rejected} draw{'s' * (rejected != 1)} rejected")
    return OK


def _kept_log(out_dir: Path, log: str) -> str:
    """Keep TeX's log of a failed PDF beside where the PDF would be; the words that say where."""
    if not log:
        return ""
    path = out_dir / "walkthrough.log"
    try:
        writing.write_file(path, log)
    except writing.WriteError as exc:
        return f" (its log could not be kept: {exc.reason})"
    return f" (TeX's log: {escaped(str(path))})"


def _cmd_code(args: argparse.Namespace) -> int:
    from derive.code import codegen, verify

    net = network.build(_load(args.network))
    style = args.style or codegen.default_style(net)
    if style == "vector":
        text, problems = _vector_code(net, not args.no_verify)
    else:
        d = derivation.build(net, history_steps=(1,))
        text = codegen.generate(d, style)
        problems = [] if args.no_verify else verify.disagreements(d, text)
    if problems:
        _say(f"derive: generated code disagrees with the closed forms: {problems[0]}")
        return FINDING
    path = args.out if args.out is not None else Path("output") / net.name / "update.py"
    writing.write_file(path, text)
    _emit(str(path))
    return OK


def _vector_code(net: network.Network, check: bool) -> tuple[str, list[str]]:
    """Vector code from the layer rules, without the per-weight derivation of the whole network."""
    from derive.code import codegen, layer_check

    if not check:
        return codegen.generate_vector(net, ("Not verified: written by derive code --no-verify.",)), []
    plan = layer_check.plan(net)
    text = codegen.generate_vector(net, plan.header)
    return text, layer_check.disagreements(net, text, plan)


def _cmd_train(args: argparse.Namespace) -> int:
    from derive.code import training

    if args.plot is not None and args.plot.suffix.lstrip(".").lower() not in training.PLOT_FORMATS:
        raise UsageError(f"{escaped(str(args.plot))}: expected a .png or .svg file for the plot")
    d = derivation.build(network.build(_load(args.network)), history_steps=(1,))
    total = args.steps if args.steps is not None else d.network.spec.training.steps[-1]
    run = training.train(d, total, progress=sys.stderr is not None and sys.stderr.isatty())
    for number, error in run.curve:
        _emit(f"updates {number}: error {error:.9g}")
    if d.error_before > 0 and any(error == 0 for _, error in run.curve):
        _say("derive: note: an error printed as 0 is below the smallest float64 (about 4.9e-324), "
             "in which the generated code computes, not 0")
    if args.plot is not None:
        if not training.log_scaled(run.curve):
            _say("derive: note: the error is 0 or the same at every step and cannot be log-scaled: "
                 "the plot's error axis is linear")
        training.plot(run.curve, args.plot, d.network.spec.title, writing.write_file)
        _emit(str(args.plot))
    return OK if run.diverged is None else _diverged(run.curve[-1])


def _diverged(last: tuple[int, float]) -> int:
    """One line on stderr for a run whose error or parameters stopped being finite; exit status 1."""
    number, error = last
    if number == 0:
        _say(f"derive: the error is {error} before any update: the spec's numbers overflow the float64 "
             "arithmetic of the generated code")
    else:
        _say(f"derive: training diverged at update {number}: the error is {error} "
             "(a smaller learning_rate may help)")
    return FINDING


def _read_claims(path: Path) -> str:
    try:
        text = reading.read_bytes(path, MAX_CLAIMS_BYTES).decode("utf-8-sig")  # a BOM is not part of line 1
    except reading.ReadError as exc:
        raise UsageError(f"{escaped(str(path))}: {exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{escaped(str(path))}: expected UTF-8 text") from None
    if text.count("\n") >= MAX_CLAIMS_LINES:
        raise UsageError(f"{escaped(str(path))}: more than {MAX_CLAIMS_LINES} lines")
    return text


DOCUMENT_KINDS = {".md": "md", ".markdown": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb"}


def _cmd_check(args: argparse.Namespace) -> int:
    from derive.check import checker as checking

    text = _read_claims(args.claims)
    kind = args.input or _kind(args.claims, text)
    if kind == "claims" and args.annotate is not None:
        raise UsageError(f"{escaped(str(args.claims))}: --annotate needs a document (Markdown, LaTeX or a notebook)")
    d = derivation.build(network.build(_load(args.network)), history_steps=(1,))
    aliases = dict(d.network.spec.aliases) | (_read_aliases(args.aliases) if args.aliases is not None else {})
    if kind != "claims":
        return _check_document(args, kind, text, d, aliases)
    budget = checking.Budget() if args.time_limit is None else checking.Budget(seconds=args.time_limit)
    try:
        report = checking.check_text(d, text, budget, args.notation)
    except checking.latex.LatexError as exc:
        raise UsageError(f"--notation {args.notation}: {exc}") from None
    _emit(checking.to_json(report, args.digits) if args.format == "json" else checking.to_text(report, args.digits))
    if report.wrong:
        return FINDING
    problem = _unchecked(report)
    if problem:
        _say(f"derive: error: {escaped(str(args.claims))}: {problem}")
        return USAGE
    return OK


def _unchecked(report: Report) -> str | None:
    """Why a report without a wrong claim is still not a pass: nothing judged, or lines refused."""
    verdicts, refused = report.verdicts, report.refused
    if not verdicts and not refused:
        return "no claims (the file is empty or holds only comments)"
    if not any(v.status in ("correct", "wrong", "carried") for v in verdicts):
        return "nothing could be checked (no claim was found correct or wrong)"
    unchecked = sorted([n for n, _ in refused] + [v.line for v in verdicts if v.status == "cannot check"])
    if unchecked:
        count = len(unchecked)
        return f"{count} claim{'s' if count > 1 else ''} could not be checked (first: line {unchecked[0]})"
    return None


def _kind(path: Path, text: str) -> str:
    """md, tex or ipynb from the extension, claims for any other; a .txt file every line of which is a
    claim (or blank, or a comment) is a claims file, any other .txt is Markdown."""
    kind = DOCUMENT_KINDS.get(path.suffix.lower(), "claims")
    if kind == "md" and path.suffix.lower() == ".txt":
        from derive.check.claims import parse

        claims, refused = parse(text)
        return "claims" if claims and not refused else "md"
    return kind


def _check_document(args: argparse.Namespace, kind: str, text: str, d: derivation.Derivation,
                    aliases: dict[str, str]) -> int:
    """A Markdown, LaTeX or notebook document checked span by span, and written back annotated."""
    from derive.reader import annotate, report
    from derive.reader.document import DocumentError, check_document

    try:
        found = check_document(d, kind, text, aliases, args.notation)
    except DocumentError as exc:
        raise UsageError(f"{escaped(str(args.claims))}: {exc}") from None
    if args.annotate is not None:
        if args.annotate.suffix.lower() in (".html", ".htm"):
            if kind == "tex":
                raise UsageError(f"{escaped(str(args.annotate))}: the annotated page is made from Markdown or a notebook "
                                 "(annotate a .tex document as .tex)")
            content = annotate.html(kind, text, found, args.digits, args.claims.name)
        else:
            content = annotate.annotated(kind, text, found, args.digits)
        writing.write_file(args.annotate, content)
    _emit(report.to_json(found, args.digits) if args.format == "json" else report.to_text(found, args.digits))
    if found.wrong:
        return FINDING
    if not any(f.verdict.status in ("correct", "wrong", "carried") for f in found.found):
        _say(f"derive: error: {escaped(str(args.claims))}: nothing could be checked "
             "(no claim of the document was found correct or wrong)")
        return USAGE
    return OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from derive.course import grading, handins, report

    try:
        key = grading.read_key(args.key_dir)
        sources = handins.sources(args.submissions, key.claims)
    except (grading.KeyFileError, handins.SubmissionsError) as exc:
        raise UsageError(escaped(str(exc))) from None
    results = grading.grade_all(key, sources, args.jobs or grading.default_jobs())
    writing.write_tree(args.out, report.files(key, results), report.is_report_file)
    _emit(str(args.out / "report.html"))
    return OK


def _read_aliases(path: Path) -> dict[str, str]:
    """The [aliases] table of a TOML file: each of your names -> a name of the network (or a head)."""
    import tomllib

    shown = escaped(str(path))
    try:
        table = tomllib.loads(reading.read_bytes(path, MAX_CLAIMS_BYTES).decode("utf-8")).get("aliases")
    except reading.ReadError as exc:
        raise UsageError(f"{shown}: {exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{shown}: not a TOML file ({exc})") from None
    except (RecursionError, ValueError):  # nested thousands deep, or an integer of thousands of digits
        raise UsageError(f"{shown}: not a TOML file this reader can hold") from None
    if not isinstance(table, dict) or not table:
        raise UsageError(f"{shown}: expected an [aliases] table of your name = \"network name\"")
    for key, value in table.items():
        if not (isinstance(value, str) and value.replace("_", "").isalnum() and key.replace("_", "").isalnum()):
            raise UsageError(f"{shown}: aliases.{escaped(key)}: expected letters, digits and _ on both sides, "
                             f"got {value!r}")
    return dict(table)


def example_requests() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(preset, language, notation, formats) of every committed example."""
    found = []
    for name in spec.preset_names():
        for lang in LANGUAGES:
            extra = ("pdf",) if name in EXAMPLE_PDF else ()
            found.append((name, lang, "classic", EXAMPLE_FORMATS + extra))
    for name, profile in EXAMPLE_NOTATIONS:
        for lang in LANGUAGES:
            found.append((name, lang, profile, EXAMPLE_FORMATS))
    return found


def example_files(out_dir: Path, with_pdf: bool = True) -> dict[Path, str | bytes]:
    """Every committed example (PDFs only `with_pdf`), by path."""
    from derive.code import codegen
    from derive.notes import files
    from derive.notes.request import NotesRequest

    found: dict[Path, str | bytes] = {}
    derived = {name: _derive(name, DEFAULT_DIGITS) for name in spec.preset_names()}
    for name, lang, profile, formats in example_requests():
        wanted = formats if with_pdf else tuple(f for f in formats if f != "pdf")
        request = NotesRequest(wanted, lang, profile)
        target = out_dir / render_dir(name, lang, profile)
        found.update({target / relative: content for relative, content in files.files(derived[name], request).items()})
    for name, d in derived.items():
        found[out_dir / name / "update.py"] = codegen.generate(d, codegen.default_style(d.network))
    return found


def _cmd_examples(args: argparse.Namespace) -> int:
    if not args.check:
        found = example_files(args.out)
        writing.write_tree(args.out, {path.relative_to(args.out).as_posix(): content for path, content in found.items()},
                           _is_example_file)
        return OK
    # PDF bytes depend on the TeX installation: the PDFs are checked by their text, in the tests.
    files = example_files(args.out, with_pdf=False)
    stale = [p for p, content in files.items() if not p.is_file() or p.read_bytes() != as_bytes(content)]
    for path in stale:
        _say(f"stale: {path}")
    return FINDING if stale else OK


def _is_example_file(path: PurePosixPath) -> bool:
    """A file `derive examples` writes: a preset's update code or a file of one of its renders."""
    from derive.notes.files import is_render_file

    parts = path.parts
    return (len(parts) == 2 and parts[1] == "update.py") or (len(parts) >= 3 and is_render_file(PurePosixPath(*parts[2:])))


as_bytes = writing.as_bytes


COMMANDS = {"list": _cmd_list, "render": _cmd_render, "code": _cmd_code, "train": _cmd_train,
            "check": _cmd_check, "exercise": _cmd_exercise, "grade": _cmd_grade, "examples": _cmd_examples}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (without the program name); return the exit status."""
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        status = COMMANDS[args.command](args)
        _flush()
        return status
    except (UsageError, OutputError, spec.SpecError, derivation.DerivationError) as exc:
        _say(f"derive: error: {exc}")
    except writing.WriteError as exc:
        _say(f"derive: error: {escaped(str(exc.path))}: {exc.reason}")
    except derivation.InconsistentDerivation as exc:
        # two routes to one number disagree (numbers that cancel beyond the working precision): a finding
        # stated on one line, never a number printed as if it were exact
        _say(f"derive: error: {' '.join(str(exc).split())} (the two routes differ beyond what "
             f"{WORKING_DIGITS} digits resolve; nothing was written)")
        _detach_stdout_if_failed()
        return FINDING
    except BrokenPipeError:  # the reader went away (`derive check ... | head -1`): stop quietly
        _detach_stdout()
        return CLOSED_PIPE
    except KeyboardInterrupt:
        _say("derive: interrupted")
        return INTERRUPTED
    except Terminated:
        _say("derive: terminated")
        return TERMINATED
    _detach_stdout_if_failed()
    return USAGE


def _detach_stdout_if_failed() -> None:
    """After an error, output that cannot be flushed any more is dropped, not reported at exit."""
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except OSError:
            _detach_stdout()


def _terminate(signum: int, frame: object) -> NoReturn:
    raise Terminated


def run() -> NoReturn:
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())
