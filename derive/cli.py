"""The command line: a thin layer over the Python API (`derive.api`), which does the work.

`main(argv)` returns the exit status: 0 done, 1 a finding (stale examples), 2 unusable input. Each
command imports only the output it uses: `derive render` never loads the checker, `derive check` never
loads the notes.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import NoReturn

from derive import __version__, api, interrupts, writing
from derive.api import results
from derive.code import SCALAR_LIMIT, STYLES
from derive.maths import derivation
from derive.model import spec
from derive.model.identifiers import escaped
from derive.notes import ALL, DEFAULT_DIGITS, FORMATS, LANGUAGES, MAX_DIGITS, PROFILES

OK, FINDING, USAGE = 0, 1, 2
# As a shell reports a program stopped by a signal: 128 + SIGPIPE, SIGINT, SIGTERM.
CLOSED_PIPE, INTERRUPTED, TERMINATED = 141, interrupts.INTERRUPTED, interrupts.TERMINATED
# Committed examples: every preset in both languages and every format but PDF (which mazur also has),
# in the classic notation, plus the notations the sources use: the textbook's and the matrix one.
EXAMPLE_FORMATS = ("md", "tex", "html", "ipynb")
EXAMPLE_PDF = ("mazur",)
EXAMPLE_NOTATIONS = (("textbook", "textbook"), ("mazur", "matrix"), ("cnn", "matrix"), ("rnn", "textbook"))


class UsageError(Exception):
    """Unusable input, reported as one line on stderr with exit status 2."""


class OutputError(Exception):
    """Standard output cannot be written: one line on stderr, exit status 2."""


Terminated = interrupts.Terminated


class _Exit(Exception):
    """argparse is done after printing (--help, --version): the status to return, not to exit with."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and exit by itself
        raise UsageError(escaped(message))  # it quotes an unknown argument as typed

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            raise UsageError(escaped(message.strip()))
        raise _Exit(status)


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
    return _whole(text, api.TRAIN_STEPS)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description="Derive backpropagation symbolically and write it up.")
    parser.add_argument("--version", action="version", version=f"derive {__version__}",
                        help="print the version and stop")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the built-in networks")
    r = commands.add_parser("render", help="write the step-by-step walkthrough of a network")
    r.add_argument("network", help="a preset name (see `derive list`) or the path of a TOML spec")
    r.add_argument("--format", choices=(*FORMATS, ALL), default="md")
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
    t.add_argument("--data", type=Path, metavar="FILE",
                   help="train on the samples of a .csv or .npy file (the spec's [data] table says how its columns "
                        "are laid out; default: inputs then targets)")
    t.add_argument("--batch-size", type=_steps, metavar="N",
                   help="rows each update learns from (default: the [data] table's, else 1 for update = sgd, "
                        "all for batch)")
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
    x.add_argument("network",
                   help="a preset name (see `derive list`) or the path of a TOML spec with an [exercise] table")
    x.add_argument("--variants", type=_variants, default=30, help="number of variants (default 30)")
    x.add_argument("--seed", type=_seed, default=1, help="seed of the draws (default 1): the same seed, the same files")
    x.add_argument("--out", type=Path, help="output directory (default: exercise/<network>)")
    x.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the sheets, keys and quiz")
    x.add_argument("--notation", choices=PROFILES, default="classic", help="notation of the sheets and keys")
    x.add_argument("--format", choices=("md", "pdf", "html", "prairielearn"), default="md",
                   help="format of the sheets; prairielearn: one PrairieLearn question of the variants instead "
                   "(default directory exercise/<network>/prairielearn)")
    p = commands.add_parser("practice", help="one offline page to practise a network step by step, with feedback "
                            "and hints")
    p.add_argument("network",
                   help="a preset name (see `derive list`) or the path of a TOML spec with an [exercise] table")
    p.add_argument("--variants", type=_variants, default=20,
                   help="number of variants (default 20), drawn as `derive exercise` draws them")
    p.add_argument("--seed", type=_seed, default=1,
                   help="seed of the draws (default 1): the same seed, the same variants")
    p.add_argument("--out", type=Path, help="output directory (default: practice/<network>)")
    p.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the page")
    p.add_argument("--notation", choices=PROFILES, default="classic", help="notation of the page")
    g = commands.add_parser("grade", help="grade a class's hand-ins against the key of `derive exercise`")
    g.add_argument("key_dir", type=Path, metavar="KEY_DIR", help="the folder `derive exercise` wrote (its key.json)")
    g.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                   help="a folder of hand-ins (claims, .md, .tex, .ipynb, each with a line `variant: <id>`) or "
                   "one CSV with student, variant and answer columns")
    g.add_argument("--jobs", type=_jobs, default=None, help="processes grading at once (default: the number of cores)")
    g.add_argument("--out", type=Path, default=Path("grades"), metavar="REPORT_DIR",
                   help="where grades.csv, grades.json, report.html and the sheets go (default: grades)")
    g.add_argument("--marks", type=Path, metavar="FILE",
                   help="a CSV of your own marks (student, question, marks from 0 to 1, comment), merged in")
    e = commands.add_parser("examples", help="regenerate the committed examples of every preset")
    e.add_argument("--out", type=Path, default=Path("output"), help="examples directory (default: output)")
    e.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any example but the PDFs (compared by their text in the tests) "
                   "is stale")
    return parser


def _load(name: str) -> api.Network:
    """A preset or a spec file; a file named like a preset is named in a note, with how to read it."""
    net = api.load(name)
    if net.shadowed is not None:
        _say(f"derive: note: read the preset {net.shadowed!r}; to read the file of that name in the current "
             f"directory, write ./{escaped(net.shadowed)}")
    return net


def render_dir(name: str, lang: str, profile: str) -> str:
    """output/<network>/<lang>, with the notation appended when it is not the classic one."""
    return f"{name}/{lang}" + ("" if profile == "classic" else f"-{profile}")


def _emit(text: str) -> None:
    """One line on standard output; a closed pipe or a full disk there is not a traceback."""
    if sys.stdout is None:
        raise OutputError("standard output is closed")
    try:
        print(_encodable(text, sys.stdout))
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write standard output ({exc.strerror or exc})") from None


def _encodable(text: str, stream: object) -> str:
    """`text` with what the stream's encoding cannot write (a non-ASCII path under PYTHONIOENCODING=ascii, a
    file name's undecodable byte) as Python's escapes (`\\xe9`, `\\udce9`), as messages show it."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: it could not have been set
        pass
    return text


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
        print(_encodable(text, sys.stderr), file=sys.stderr)
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
    for name, title in api.list_presets():
        _emit(f"{name}\t{title}")
    return OK


def _cmd_render(args: argparse.Namespace) -> int:
    net = _load(args.network)
    out_dir = args.out if args.out is not None else Path("output") / render_dir(net.name, args.lang, args.notation)
    try:
        notes = net.render(args.format, args.lang, args.notation, args.full, args.brief, args.digits)
    except api.TypesetError as exc:
        _say(f"derive: {exc}{_kept_log(out_dir, exc.log)}")
        return FINDING
    for path in notes.write(out_dir):
        _emit(str(path))
    return OK


def _cmd_exercise(args: argparse.Namespace) -> int:
    from derive.api import course

    net = _load(args.network)
    out_dir = args.out if args.out is not None else Path("exercise") / net.name
    if args.out is None and args.format == "prairielearn":  # beside the sheets, which keep their own files
        out_dir = out_dir / "prairielearn"
    writing.check_others(out_dir, results.others("derive exercise"))  # before the variants are drawn
    ex = course.exercise(net, args.variants, args.seed, args.lang, args.notation, args.format)
    ex.write(out_dir)
    count, rejected = ex.variants, ex.rejected
    _emit(f"{count} variant{'s' * (count != 1)} of {ex.network} (seed {args.seed}) in {out_dir}; "
          f"{rejected} draw{'s' * (rejected != 1)} rejected")
    return OK


def _cmd_practice(args: argparse.Namespace) -> int:
    from derive.api import course

    page = course.practice_page(_load(args.network), args.variants, args.seed, args.lang, args.notation)
    out_dir = args.out if args.out is not None else Path("practice") / page.network
    _emit(str(page.write(out_dir)))
    return OK


def _kept_log(out_dir: Path, log: str) -> str:
    """Keep TeX's log of a failed PDF beside where the PDF would be; the words that say where."""
    if not log:
        return ""
    path = out_dir / "walkthrough.log"
    try:
        writing.write_file(path, log, follow=False)  # in the render's directory: never through a link
    except writing.WriteError as exc:
        return f" (its log could not be kept: {exc.reason})"
    return f" (TeX's log: {escaped(str(path))})"


def _cmd_code(args: argparse.Namespace) -> int:
    net = _load(args.network)
    code = net.code(args.style, verify=not args.no_verify)
    path = args.out if args.out is not None else Path("output") / net.name / "update.py"
    code.write(path)
    _emit(str(path))
    return OK


def _cmd_train(args: argparse.Namespace) -> int:
    from derive.api.results import plot_format

    if args.plot is not None:
        plot_format(args.plot)  # refused before any training
    net = _load(args.network)
    run = net.train(args.steps, progress=sys.stderr is not None and sys.stderr.isatty(), data=args.data,
                    batch_size=args.batch_size)
    for number, error in run.curve:
        _emit(f"updates {number}: error {error:.9g}")
    if run.below_float64:
        _say("derive: note: an error printed as 0 is below the smallest float64 (about 4.9e-324), "
             "in which the generated code computes, not 0")
    if args.plot is not None:
        if not run.log_scaled:
            _say("derive: note: the error is 0 or the same at every step and cannot be log-scaled: "
                 "the plot's error axis is linear")
        run.write_plot(args.plot)
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


def _cmd_check(args: argparse.Namespace) -> int:
    from derive.api import network as checking

    text = checking.read_text(args.claims)
    kind = args.input or checking.document_kind(args.claims, text)
    shown = escaped(str(args.claims))
    if kind == "claims" and args.annotate is not None:
        raise UsageError(f"{shown}: --annotate needs a document (Markdown, LaTeX or a notebook)")
    page = args.annotate is not None and args.annotate.suffix.lower() in (".html", ".htm")
    if page and kind == "tex":
        raise UsageError(f"{escaped(str(args.annotate))}: the annotated page is made from Markdown or "
                         "a notebook (annotate a .tex document as .tex)")
    net = _load(args.network)
    aliases = checking.read_aliases(args.aliases) if args.aliases is not None else None
    report = net.check_text(text, kind, args.notation, aliases, args.digits, args.time_limit, args.claims)
    if args.annotate is not None and (report.wrong or not report.problem):  # exit 2 writes nothing
        writing.write_file(args.annotate, report.annotated(page, args.claims.name))
    _emit(report.json() if args.format == "json" else report.text())
    if report.wrong:
        return FINDING
    if report.problem:
        _say(f"derive: error: {shown}: {report.problem}")
        return USAGE
    return OK


def _cmd_grade(args: argparse.Namespace) -> int:
    from derive.api import course
    from derive.course.grading import default_jobs

    writing.check_others(args.out, results.others("derive grade"))  # before the class is graded
    grades = course.grade(args.key_dir, args.submissions, args.jobs or default_jobs(), args.marks)
    _emit(str(grades.write(args.out)))
    return OK


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
    derived = {name: api.load(name).derivation(DEFAULT_DIGITS) for name in spec.preset_names()}
    for name, lang, profile, formats in example_requests():
        wanted = formats if with_pdf else tuple(f for f in formats if f != "pdf")
        request = NotesRequest(wanted, lang, profile)
        target = out_dir / render_dir(name, lang, profile)
        found.update({target / relative: content for relative, content in files.files(derived[name], request).items()})
    for name, d in derived.items():
        if d.network.graph is not None:  # convolution, pooling or recurrent layers: their verified layer code
            found[out_dir / name / "update.py"] = api.load(name).code().text
            continue
        found[out_dir / name / "update.py"] = codegen.generate(d, codegen.default_style(d.network))
    return found


def _cmd_examples(args: argparse.Namespace) -> int:
    if not args.check:
        found = example_files(args.out)
        relative = {path.relative_to(args.out).as_posix(): content for path, content in found.items()}
        writing.write_tree(args.out, relative, _is_example_file, results.others(""))
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
    return ((len(parts) == 2 and parts[1] == "update.py")
            or (len(parts) >= 3 and is_render_file(PurePosixPath(*parts[2:]))))


as_bytes = writing.as_bytes


COMMANDS = {"list": _cmd_list, "render": _cmd_render, "code": _cmd_code, "train": _cmd_train,
            "check": _cmd_check, "exercise": _cmd_exercise, "practice": _cmd_practice, "grade": _cmd_grade,
            "examples": _cmd_examples}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (without the program name); return the exit status."""
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        status = COMMANDS[args.command](args)
        _flush()
        return status
    except _Exit as done:  # --help, --version: printed, nothing else to do
        _flush()
        return done.status
    except api.InconsistentDerivation as exc:
        # two routes to one number disagree (numbers that cancel beyond the working precision): a finding
        # stated on one line, never a number printed as if it were exact
        _say(f"derive: error: {exc}")
        _detach_stdout_if_failed()
        return FINDING
    except api.Finding as exc:  # generated code that disagrees, a document TeX could not typeset
        _say(f"derive: {exc}")
        _detach_stdout_if_failed()
        return FINDING
    except (UsageError, OutputError, api.DeriveError, spec.SpecError, derivation.DerivationError) as exc:
        _say(f"derive: error: {exc}")
    except writing.WriteError as exc:
        _say(f"derive: error: {escaped(str(exc.path))}: {exc.reason}")
    except BrokenPipeError:  # the reader went away (`derive check ... | head -1`): stop quietly
        _detach_stdout()
        return CLOSED_PIPE
    except OSError as exc:  # the system refused a resource: too many open files (`ulimit -n`), no memory ...
        _say(f"derive: error: {_system(exc)}")
    except (KeyboardInterrupt, Terminated) as exc:
        return interrupts.stopped(exc)
    _detach_stdout_if_failed()
    return USAGE


def _system(exc: OSError) -> str:
    """One line for an error of the system, with what to do where there is something to do."""
    where = f"{escaped(str(exc.filename))}: " if exc.filename is not None else ""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        return f"{where}{reason} (raise the limit, `ulimit -n`, or use fewer --jobs)"
    return f"{where}{reason}"


def _detach_stdout_if_failed() -> None:
    """After an error, output that cannot be flushed any more is dropped, not reported at exit."""
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except OSError:
            _detach_stdout()


def run() -> NoReturn:
    """The command line as a program (see derive.__main__.run, which installs the handlers earlier)."""
    interrupts.install()
    leave(main())


def leave(status: int) -> NoReturn:
    """End the process with `status` once the command is over."""
    interrupts.finishing()  # a signal now changes nothing: the status is decided
    _leave(status)


def _leave(status: int) -> NoReturn:
    """End the process once its output is flushed, without tearing the interpreter down: freeing SymPy's
    and NumPy's objects one by one takes a command about 0.2 s, and nothing of derive's waits for it
    (files are written, temporaries removed and a grading pool's workers stopped before `main` returns).
    Nor can the interpreter's exit then turn an interrupted command's 130 into "killed by SIGINT", as it
    does when the Ctrl-C met a library running code from a string (a validator generated with `exec`)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a reader gone or a stream closed: what main could report, it has
            pass
    os._exit(status)
