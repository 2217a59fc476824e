"""The command line: a thin layer over model -> maths -> one output (notes, code or check).

`main(argv)` returns the exit status: 0 done, 1 a finding (stale examples), 2 unusable input. Each
command imports only the output it uses: `derive render` never loads the checker, `derive check` never
loads the notes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import NoReturn, Sequence

from derive.code import SCALAR_LIMIT, STYLES
from derive.maths import derivation
from derive.model import network, spec
from derive.notes import ALL, DEFAULT_DIGITS, FORMATS, LANGUAGES, MAX_DIGITS, PROFILES

OK, FINDING, USAGE = 0, 1, 2
# Committed examples: every preset in both languages and every format but PDF (which mazur also has),
# in the classic notation, plus the notations the sources use: the textbook's and the matrix one.
EXAMPLE_FORMATS = ("md", "tex", "html", "ipynb")
EXAMPLE_PDF = ("mazur",)
EXAMPLE_NOTATIONS = (("textbook", "textbook"), ("mazur", "matrix"))
MAX_CLAIMS_BYTES = 2_000_000
MAX_CLAIMS_LINES = 20_000


class UsageError(Exception):
    """Unusable input, reported as one line on stderr with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and exit by itself
        raise UsageError(message)


def _digits(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_DIGITS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_DIGITS}, got {text!r}")
    return int(text)


def _steps(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= spec.MAX_STEPS:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {spec.MAX_STEPS}, got {text!r}")
    return int(text)


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
    e = commands.add_parser("examples", help="regenerate the committed examples of every preset")
    e.add_argument("--out", type=Path, default=Path("output"), help="examples directory (default: output)")
    e.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 if any example but the PDFs (compared by their text in the tests) is stale")
    return parser


def _derive(name: str) -> derivation.Derivation:
    """The derivation of a preset or spec file, with extra iterations for a smooth loss curve."""
    from derive.notes.files import curve_steps

    net = network.build(spec.load(name))
    return derivation.build(net, history_steps=curve_steps(net.spec.training.steps))


def _check_notation(d: derivation.Derivation, profile: str) -> None:
    """A one-line error when the notation `profile` cannot name this network (the textbook's, say)."""
    from derive.notes import notation

    try:
        notation.notation_for(d.network, profile)
    except notation.NotationError as exc:
        raise UsageError(f"{d.network.spec.source}: --notation {profile}: {exc}") from None


def render_dir(name: str, lang: str, profile: str) -> str:
    """output/<network>/<lang>, with the notation appended when it is not the classic one."""
    return f"{name}/{lang}" + ("" if profile == "classic" else f"-{profile}")


def _write_all(files: dict[Path, str | bytes]) -> None:
    """Write every file through a temporary file and a rename, so none is ever half-written."""
    for path in files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{path.parent}: cannot create the directory ({exc.strerror or exc})") from None
    for path, text in files.items():
        _write(path, text)


def _write(path: Path, content: str | bytes) -> None:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise UsageError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(as_bytes(content))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes the file private; a written note is not
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cmd_list(args: argparse.Namespace) -> int:
    for name in spec.preset_names():
        print(f"{name}\t{spec.load_preset(name).title}")
    return OK


def _cmd_render(args: argparse.Namespace) -> int:
    from derive.notes import files, pdf
    from derive.notes.request import NotesRequest, formats_of

    d = _derive(args.network)
    _check_notation(d, args.notation)
    request = NotesRequest(formats_of(args.format), args.lang, args.notation, args.digits, args.brief)
    out_dir = args.out if args.out is not None else Path("output") / render_dir(d.network.name, args.lang,
                                                                                 args.notation)
    try:
        written = files.files(d, request)
    except pdf.PdfToolsMissing as exc:
        raise UsageError(f"--format {args.format}: {exc}") from None
    except pdf.PdfFailed as exc:
        print(f"derive: LaTeX could not typeset the walkthrough: {exc}", file=sys.stderr)
        return FINDING
    except files.CodeDisagrees as exc:
        print(f"derive: generated code disagrees with the closed forms: {exc}", file=sys.stderr)
        return FINDING
    _write_all({out_dir / relative: content for relative, content in written.items()})
    for relative in written:
        if relative.startswith("walkthrough."):
            print(out_dir / relative)
    return OK


def _cmd_code(args: argparse.Namespace) -> int:
    from derive.code import codegen, verify

    d = derivation.build(network.build(spec.load(args.network)), history_steps=(1,))
    text = codegen.generate(d, args.style or codegen.default_style(d.network))
    if not args.no_verify:
        problems = verify.disagreements(d, text)
        if problems:
            print(f"derive: generated code disagrees with the closed forms: {problems[0]}", file=sys.stderr)
            return FINDING
    path = args.out if args.out is not None else Path("output") / d.network.name / "update.py"
    _write_all({path: text})
    print(path)
    return OK


def _cmd_train(args: argparse.Namespace) -> int:
    from derive.code import training

    if args.plot is not None and args.plot.suffix.lstrip(".").lower() not in training.PLOT_FORMATS:
        raise UsageError(f"{args.plot}: expected a .png or .svg file for the plot")
    d = derivation.build(network.build(spec.load(args.network)), history_steps=(1,))
    total = args.steps if args.steps is not None else d.network.spec.training.steps[-1]
    curve = training.train(d, total, progress=sys.stderr.isatty())
    for number, error in curve:
        print(f"updates {number}: error {error:.9g}")
    if args.plot is not None:
        training.plot(curve, args.plot, d.network.spec.title, lambda path, data: _write_all({path: data}))
        print(args.plot)
    return OK


def _read_claims(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_CLAIMS_BYTES:
            raise UsageError(f"{path}: larger than {MAX_CLAIMS_BYTES // 1_000_000} MB")
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of line 1
        if text.count("\n") >= MAX_CLAIMS_LINES:
            raise UsageError(f"{path}: more than {MAX_CLAIMS_LINES} lines")
        return text
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: expected UTF-8 text") from None


DOCUMENT_KINDS = {".md": "md", ".markdown": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb"}


def _cmd_check(args: argparse.Namespace) -> int:
    from derive.check import checker as checking

    text = _read_claims(args.claims)
    kind = args.input or _kind(args.claims, text)
    if kind == "claims" and args.annotate is not None:
        raise UsageError(f"{args.claims}: --annotate needs a document (Markdown, LaTeX or a notebook)")
    aliases = _read_aliases(args.aliases) if args.aliases is not None else {}
    d = derivation.build(network.build(spec.load(args.network)), history_steps=(1,))
    if kind != "claims":
        return _check_document(args, kind, text, d, aliases)
    report = checking.check_text(d, text)
    _print(checking.to_json(report, args.digits) if args.format == "json" else checking.to_text(report, args.digits))
    if report.wrong:
        return FINDING
    return USAGE if report.refused or not report.verdicts else OK


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
        found = check_document(d, kind, text, aliases)
    except DocumentError as exc:
        raise UsageError(f"{args.claims}: {exc}") from None
    if args.annotate is not None:
        if args.annotate.suffix.lower() in (".html", ".htm"):
            if kind == "tex":
                raise UsageError(f"{args.annotate}: the annotated page is made from Markdown or a notebook "
                                 "(annotate a .tex document as .tex)")
            content = annotate.html(kind, text, found, args.digits, args.claims.name)
        else:
            content = annotate.annotated(kind, text, found, args.digits)
        _write_all({args.annotate: content})
    _print(report.to_json(found, args.digits) if args.format == "json" else report.to_text(found, args.digits))
    return FINDING if found.wrong else OK


def _read_aliases(path: Path) -> dict[str, str]:
    """The [aliases] table of a TOML file: each of your names -> a name of the network (or a head)."""
    import tomllib

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("aliases")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: not a TOML file ({exc})") from None
    if not isinstance(table, dict) or not table:
        raise UsageError(f"{path}: expected an [aliases] table of your name = \"network name\"")
    for key, value in table.items():
        if not (isinstance(value, str) and value.replace("_", "").isalnum() and key.replace("_", "").isalnum()):
            raise UsageError(f"{path}: aliases.{key}: expected letters, digits and _ on both sides, got {value!r}")
    return dict(table)


def _print(text: str) -> None:
    """Print the report; a reader that closed the pipe (`| head -1`) ends the output quietly."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on a closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


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
    derived = {name: _derive(name) for name in spec.preset_names()}
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
        _write_all(example_files(args.out))
        return OK
    # PDF bytes depend on the TeX installation: the PDFs are checked by their text, in the tests.
    files = example_files(args.out, with_pdf=False)
    stale = [p for p, content in files.items() if not p.is_file() or p.read_bytes() != as_bytes(content)]
    for path in stale:
        print(f"stale: {path}", file=sys.stderr)
    return FINDING if stale else OK


def as_bytes(content: str | bytes) -> bytes:
    """The bytes a file's content is written as (text in UTF-8)."""
    return content.encode("utf-8") if isinstance(content, str) else content


COMMANDS = {"list": _cmd_list, "render": _cmd_render, "code": _cmd_code, "train": _cmd_train,
            "check": _cmd_check, "examples": _cmd_examples}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (without the program name); return the exit status."""
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return COMMANDS[args.command](args)
    except BrokenPipeError:  # the reader of stdout went away (`| head -1`): the output ends there, quietly
        _silence_stdout()
        return OK
    except (UsageError, spec.SpecError, derivation.DerivationError) as exc:
        print(f"derive: error: {exc}", file=sys.stderr)
        return USAGE


def run() -> NoReturn:
    sys.exit(main())
