"""`derive.load`: a network from a preset, a spec file or TOML text, and everything made from it.

Each method builds what it needs once (the derivation is cached per digits) and imports only the output it
uses, so loading a network costs the spec and the network, no more. Internal errors are raised again as
the API's (derive.api.errors), with the command line's one-line text.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any

from derive.api import errors
from derive.api.results import CheckReport, Code, Notes, Training
from derive.maths import derivation
from derive.maths.derivation import Derivation
from derive.model import network, reading, spec
from derive.model.data import SUFFIXES, DataSpec
from derive.model.identifiers import escaped
from derive.model.precision import WORKING_DIGITS

DEFAULT_DIGITS = 9
# derive train computes in float64, without the iteration limit of the notes' 50 digits: a bound on its
# steps (and batch size) only so that a typo does not run for years
TRAIN_STEPS = 100_000_000
MAX_CLAIMS_BYTES = 2_000_000
MAX_CLAIMS_LINES = 20_000
DOCUMENT_KINDS = {".md": "md", ".markdown": "md", ".txt": "md", ".tex": "tex", ".ipynb": "ipynb"}
INPUTS = ("md", "tex", "ipynb", "claims")


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """The errors of building a spec, a network or a derivation, raised as the API's."""
    try:
        yield
    except spec.SpecError as exc:
        raise errors.SpecError(str(exc)) from None
    except derivation.DerivationError as exc:
        raise errors.DerivationError(str(exc)) from None
    except derivation.InconsistentDerivation as exc:
        raise errors.InconsistentDerivation(
            f"{' '.join(str(exc).split())} (the two routes differ beyond what {WORKING_DIGITS} digits resolve; "
            "nothing was written)") from None


def list_presets() -> list[tuple[str, str]]:
    """The built-in networks: (name, title) of each, as `derive list` prints them."""
    return [(name, spec.load_preset(name).title) for name in spec.preset_names()]


def load(source: str | Path) -> Network:
    """A network: a preset's name (`"mazur"`), a spec file's path, or a spec as TOML text.

    A `Path` is always a file. A string holding a newline or an `=` is TOML text; otherwise it is read as
    `derive` reads its NETWORK argument (a name with a `/` or ending in `.toml` is a file; a preset's name
    is the preset, and `shadowed` then names a file of that name in the current directory)."""
    with translated():
        if isinstance(source, Path):
            found, text = spec.load_path_with_text(source)
            return Network(found, source=str(source), text=text)
        if "\n" in source or "=" in source:
            return Network(spec.load_text(source), text=source)
        found, text = spec.load_with_text(source)
        return Network(found, spec.shadowed_file(source), source, text)


class Network:
    """A loaded network: its spec (validated), the network built from it, and its outputs."""

    def __init__(self, spec_: spec.Spec, shadowed: str | None = None, source: str | None = None,
                 text: str | None = None) -> None:
        with translated():
            self.network = network.build(spec_)
        self.spec = spec_
        self.shadowed = shadowed  # a file in the current directory that a preset's name also names
        self.source = source  # the preset's name or the file's path it was loaded from; None for TOML text
        self.text = text  # the TOML text the spec was read from (an exercise's key keeps it)
        self._derivations: dict[int, Derivation] = {}

    @property
    def name(self) -> str:
        """The network's name: the preset's, or the spec file's without `.toml`."""
        return self.network.name

    @property
    def title(self) -> str:
        """The spec's title (`titles` may give it in other languages)."""
        return self.spec.title

    def __repr__(self) -> str:
        sizes = "-".join(str(k) for k in self.network.sizes())
        return f"<derive network {self.name!r}: {sizes}, {len(self.network.params)} parameters>"

    def derivation(self, digits: int = DEFAULT_DIGITS) -> Derivation:
        """The derivation the notes are written from: every quantity, chain and closed form, the first
        update and the iterations (with extra points for a smooth loss curve), to be shown with `digits`."""
        _check_digits(digits)
        if digits not in self._derivations:
            from derive.notes.files import CURVE_DIGITS, history_steps

            with translated():
                self._derivations[digits] = derivation.build(
                    self.network, history_steps=history_steps(self.spec), shown_digits=max(digits, CURVE_DIGITS))
        return self._derivations[digits]

    @cached_property
    def _first_update(self) -> Derivation:
        """The derivation with the first update only: what code, training and checking need."""
        with translated():
            return derivation.build(self.network, history_steps=(1,))

    def render(self, format: str = "md", lang: str = "en", notation: str = "classic",
               full: bool = False, brief: bool = False, digits: int = DEFAULT_DIGITS) -> Notes:
        """The walkthrough as `derive render` writes it: `format` md, tex, pdf, html, ipynb or all."""
        from derive.notes import ALL, FORMATS, files, pdf
        from derive.notes.request import NotesRequest, RequestError

        if format not in (*FORMATS, ALL):
            raise errors.OptionError(f"format: expected one of {', '.join((*FORMATS, ALL))}, got {format!r}")
        formats = FORMATS if format == ALL else (format,)
        try:
            request = NotesRequest(formats, lang, notation, digits, brief, full)
        except RequestError as exc:
            raise errors.OptionError(str(exc)) from None
        d = self.derivation(digits)
        check_notation(self.network, notation)
        check_title(self.spec, lang, formats)
        try:
            with translated():
                return Notes(format, files.files(d, request))
        except pdf.PdfToolsMissing as exc:
            raise errors.ToolMissing(f"--format {format}: {exc}") from None
        except pdf.PdfFailed as exc:
            raise errors.TypesetError(f"LaTeX could not typeset the walkthrough: {exc}", exc.log) from None
        except files.CodeDisagrees as exc:
            raise errors.CodeDisagrees(f"generated code disagrees with the closed forms: {exc}") from None

    def code(self, style: str | None = None, verify: bool = True) -> Code:
        """The NumPy update code `derive code` writes, checked against the closed forms first (raises
        CodeDisagrees when it disagrees); `style` scalar or vector (default: by the network's size)."""
        from derive.code import STYLES, codegen

        if style is not None and style not in STYLES:
            raise errors.OptionError(f"style: expected one of {', '.join(STYLES)}, got {style!r}")
        if self.network.graph is not None:  # convolution, pooling or recurrent layers
            return self._layer_code(style, verify)
        chosen = style or codegen.default_style(self.network)
        with translated():
            text, problems = (_vector_code(self.network, verify) if chosen == "vector"
                              else self._scalar_code(verify))
        if problems:
            raise errors.CodeDisagrees(f"generated code disagrees with the closed forms: {problems[0]}")
        return Code(text, chosen)

    def _layer_code(self, style: str | None, verify: bool) -> Code:
        """The layer code of a network with convolution, pooling or recurrent layers: arrays of samples
        through every layer, verified against the closed forms."""
        from derive.code import layer_code, layer_verify

        if style == "scalar":
            raise errors.OptionError(f"{escaped(self.spec.source)}: style: a network with conv2d, pooling or rnn "
                                     "layers has vector code only (its layers over arrays of samples)")
        d = self._first_update
        if not verify:
            return Code(layer_code.generate(d, ("Not verified: written by derive code --no-verify.",)), "vector")
        with translated():
            text = layer_code.generate(d, layer_verify.HEADER)
            problems = layer_verify.disagreements(d, text)
        if problems:
            raise errors.CodeDisagrees(f"generated code disagrees with the closed forms: {problems[0]}")
        return Code(text, "vector")

    def _scalar_code(self, verify: bool) -> tuple[str, list[str]]:
        from derive.code import codegen
        from derive.code import verify as verifying

        d = self._first_update
        text = codegen.generate(d, "scalar")
        return text, ([] if not verify else verifying.disagreements(d, text))

    def train(self, steps: int | None = None, progress: bool = False, data: str | Path | None = None,
              batch_size: int | None = None) -> Training:
        """Train the vector code `code("vector")` writes (float64, verified the same way) for `steps`
        updates (default: the spec's last step count); the errors after 1, 2, 5, 10, 20, 50, ... updates.
        The rows are the spec's samples, or those of a .csv or .npy file: `data` (from the current
        folder) or the spec's [data] table's; each update learns from the next `batch_size` of them
        (default: the [data] table's, else one for update = sgd, all for batch). A diverging run stops."""
        from derive.code import dataset, training
        from derive.code import verify as verifying

        total = _whole("steps", steps, TRAIN_STEPS) if steps is not None else self.spec.training.steps[-1]
        batch = _whole("batch_size", batch_size, TRAIN_STEPS) if batch_size is not None else None
        table, path = _data_table(self.spec, data)
        try:
            rows = dataset.read(self.network, table, path) if table is not None else None
        except dataset.DataError as exc:
            raise errors.OptionError(str(exc)) from None
        if self.network.graph is not None:  # convolution, pooling or recurrent layers: their layer code
            text = self._layer_code(None, True).text
        else:
            with translated():
                text, problems = _vector_code(self.network, True)
            if problems:
                raise errors.CodeDisagrees(f"generated code disagrees with the closed forms: {problems[0]}")
        module = verifying.load(text)
        rows = rows or dataset.spec_rows(module)
        schedule = training.Schedule(total, _batch_size(self.spec, table, batch, rows.count),
                                     self.spec.training.reduction == "mean")
        run = training.train(module, rows, schedule, progress=progress)
        first = run.curve[0][1]  # what `below_float64` asks is only asked where some error is 0
        positive = self._starts_positive(table, first) if any(error == 0 for _, error in run.curve) else first > 0
        return Training(self.spec.title, tuple(run.curve), run.diverged, positive)

    def _starts_positive(self, table: object, first: float) -> bool:
        """The error before any update is positive: for the spec's samples worked at 50 digits and more
        (float64, and float() of a 50-digit number, may round it to 0); a data file's as float64 gives it."""
        if table is not None:
            return first > 0
        from derive.maths.numeric import trainer_for
        from derive.model.precision import CTX

        # 1 - sigmoid(1409) is 0 to 50 digits and about 1e-612 to 1,000: more digits until the error is
        # seen positive, or it is 0 however many (a network that fits its samples exactly)
        size = len(self.network.params) * len(self.spec.samples)
        for digits in (CTX.dps, 200, 1000, 4000):
            if digits > CTX.dps and size * digits > 4_000_000:
                break
            with CTX.workdps(digits):
                trainer = trainer_for(self.network)
                if trainer.dataset_error(trainer.initial()) > 0:
                    return True
        return False

    def check(self, source: str | Path, input: str | None = None, notation: str = "classic",
              aliases: dict[str, str] | str | Path | None = None, digits: int = DEFAULT_DIGITS,
              time_limit: float | None = None) -> CheckReport:
        """Check a hand derivation: a claims text, a document's text, or a file's path.

        A `Path` is a file; a string holding a newline or an `=` is the text itself, any other string a
        path. `input` (md, tex, ipynb, claims) says how to read it; by default a file's extension says,
        and a text is a claims file when every line is a claim, else Markdown. `aliases` maps your names
        to the network's (`{"z": "net"}`), or names a TOML file with an [aliases] table."""
        text, path = _text_of(source)
        return self.check_text(text, input, notation, aliases, digits, time_limit, path)

    def check_text(self, text: str, input: str | None = None, notation: str = "classic",
                   aliases: dict[str, str] | str | Path | None = None, digits: int = DEFAULT_DIGITS,
                   time_limit: float | None = None, path: Path | None = None) -> CheckReport:
        """`check` of a text (never a path); `path`, when given, is the file it came from (its extension
        chooses how to read it, and messages name it)."""
        if input is not None and input not in INPUTS:
            raise errors.OptionError(f"input: expected one of {', '.join(INPUTS)}, got {input!r}")
        _check_digits(digits)
        _profile(notation)
        kind = input or document_kind(path, text)
        if kind == "claims":  # a document keeps its line breaks: its reader maps them, for its annotated copy
            return self._check_claims(reading.one_break(text), notation, digits, time_limit)
        return self._check_document(kind, text, path, notation, digits, _aliases(self.spec, aliases))

    def _check_claims(self, text: str, notation: str, digits: int, time_limit: float | None) -> CheckReport:
        from derive.api.results import claims_report
        from derive.check import checker

        budget = checker.Budget() if time_limit is None else checker.Budget(seconds=time_limit)
        try:
            raw = checker.check_text(self._first_update, text, budget, notation)
        except checker.latex.LatexError as exc:
            raise errors.OptionError(f"--notation {notation}: {exc}") from None
        return claims_report(raw, digits, text)

    def _check_document(self, kind: str, text: str, path: Path | None, notation: str, digits: int,
                        aliases: dict[str, str]) -> CheckReport:
        from derive.api.results import document_report
        from derive.reader.document import DocumentError, check_document

        try:
            raw = check_document(self._first_update, kind, text, aliases, notation)
        except DocumentError as exc:
            raise errors.DocumentError(f"{escaped(str(path or '<text>'))}: {exc}") from None
        return document_report(raw, kind, digits, text)

    def _repr_svg_(self) -> str:
        """The network figure: every weight's name and value, and the bias units."""
        from derive.notes import figures, svg
        from derive.notes.files import FIGURE_DIGITS
        from derive.notes.notation import notation_for

        d = self._first_update
        figure = figures.network_figure(self.network, notation_for(self.network, "classic"), d.first.values,
                                        FIGURE_DIGITS)
        return svg.figure(figure)


def check_notation(net: network.Network, notation: str) -> None:
    """Refuse a notation that cannot name this network (the textbook's needs one hidden layer)."""
    from derive.notes import notation as notations

    _profile(notation)
    try:
        notations.notation_for(net, notation)
    except notations.NotationError as exc:
        raise errors.OptionError(f"{escaped(net.spec.source)}: --notation {notation}: {exc}") from None


def check_title(spec_: spec.Spec, lang: str, formats: tuple[str, ...]) -> None:
    """A Chinese title the PDF's font cannot print is refused, not silently dropped by XeLaTeX."""
    if lang != "zh" or not {"tex", "pdf"} & set(formats):
        return
    from derive.notes import glyphs

    missing = glyphs.unprintable(spec_.title_in(lang))
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
        raise errors.OptionError(f"{escaped(spec_.source)}: titles.zh: no glyph for {shown} in the font of the "
                                 f"Chinese PDF ({glyphs.FONT}); choose other characters (Markdown and HTML could "
                                 "show them)")


def _profile(notation: str) -> None:
    from derive.notes import PROFILES

    if notation not in PROFILES:
        raise errors.OptionError(f"notation: expected one of {', '.join(PROFILES)}, got {notation!r}")


def _check_digits(digits: int) -> None:
    from derive.notes import MAX_DIGITS

    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise errors.OptionError(f"digits: expected a whole number from 1 to {MAX_DIGITS}, got {digits!r}")


def _whole(name: str, value: object, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise errors.OptionError(f"{name}: expected a whole number from 1 to {high:,}, got {value!r}")
    return value


def _data_table(spec_: spec.Spec, given: str | Path | None) -> tuple[DataSpec | None, Path]:
    """The file of samples to train on and its path: `given` (from the current folder) in place of the
    spec's [data] file (from the spec's folder, laid out as its table says), else none."""
    table = spec_.data
    if given is not None and spec_.structure is not None:
        raise errors.OptionError("--data: a network with conv2d, pooling or rnn layers trains on its spec's "
                                 "samples (a data file's rows are flat inputs)")
    if given is not None:
        path = Path(given)
        if path.suffix.lower() not in SUFFIXES:
            raise errors.OptionError(f"{escaped(str(path))}: expected a .csv or .npy file of samples for --data")
        return replace(table or DataSpec(str(path)), file=str(path)), path
    if table is None:
        return None, Path()
    return table, Path(spec_.source).parent / table.file


def _batch_size(spec_: spec.Spec, table: DataSpec | None, given: int | None, count: int) -> int:
    """The rows each update learns from: `given`, the [data] table's, else as the spec's update says."""
    size = given or (table.batch_size if table is not None else None)
    if size is None:
        return 1 if spec_.training.update == "sgd" else count
    if size > count:
        where = "--batch-size" if given else "data.batch_size"
        raise errors.OptionError(f"{where} {size}: more than the {count:,} rows to train on")
    return size


def _vector_code(net: network.Network, check: bool) -> tuple[str, list[str]]:
    """Vector code from the layer rules, without the per-weight derivation of the whole network."""
    from derive.code import codegen, layer_check

    if not check:
        return codegen.generate_vector(net, ("Not verified: written by derive code --no-verify.",)), []
    plan = layer_check.plan(net)
    text = codegen.generate_vector(net, plan.header)
    return text, layer_check.disagreements(net, text, plan)


def read_text(path: Path) -> str:
    """A claims file or document: a regular UTF-8 file of at most 2 MB and 20,000 lines."""
    try:
        text = reading.read_bytes(path, MAX_CLAIMS_BYTES).decode("utf-8-sig")  # a BOM is not part of line 1
    except reading.ReadError as exc:
        raise errors.DocumentError(f"{escaped(str(path))}: {exc}") from None
    except UnicodeDecodeError:
        raise errors.DocumentError(f"{escaped(str(path))}: expected UTF-8 text") from None
    if reading.line_count(text) > MAX_CLAIMS_LINES:
        raise errors.DocumentError(f"{escaped(str(path))}: more than {MAX_CLAIMS_LINES} lines")
    return text


def _text_of(source: str | Path) -> tuple[str, Path | None]:
    if isinstance(source, str) and ("\n" in source or "=" in source):
        too_big = len(source.encode("utf-8", "surrogatepass")) > MAX_CLAIMS_BYTES
        if reading.line_count(source) > MAX_CLAIMS_LINES or too_big:
            raise errors.DocumentError(f"<text>: more than {MAX_CLAIMS_LINES} lines or 2 MB")
        return source, None
    path = Path(source)
    return read_text(path), path


def document_kind(path: Path | None, text: str) -> str:
    """md, tex or ipynb from the extension, claims for any other; a .txt file (or a text without a file)
    every line of which is a claim (or blank, or a comment) is a claims file, any other Markdown."""
    suffix = path.suffix.lower() if path is not None else ".txt"
    kind = DOCUMENT_KINDS.get(suffix, "claims")
    if kind == "md" and suffix == ".txt":
        from derive.check.claims import parse

        claims, refused = parse(reading.one_break(text))
        return "claims" if claims and not refused else "md"
    return kind


def _aliases(spec_: spec.Spec, given: dict[str, str] | str | Path | None) -> dict[str, str]:
    """The spec's [aliases] table, with the ones given added."""
    extra = read_aliases(Path(given)) if isinstance(given, (str, Path)) else dict(given or {})
    return dict(spec_.aliases) | _valid_aliases(extra, "aliases")


def read_aliases(path: Path) -> dict[str, str]:
    """The [aliases] table of a TOML file: each of your names -> a name of the network (or a head)."""
    import tomllib

    shown = escaped(str(path))
    try:
        table: Any = tomllib.loads(reading.read_bytes(path, MAX_CLAIMS_BYTES).decode("utf-8")).get("aliases")
    except reading.ReadError as exc:
        raise errors.DocumentError(f"{shown}: {exc}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise errors.DocumentError(f"{shown}: not a TOML file ({exc})") from None
    except (RecursionError, ValueError):  # nested thousands deep, or an integer of thousands of digits
        raise errors.DocumentError(f"{shown}: not a TOML file this reader can hold") from None
    if not isinstance(table, dict) or not table:
        raise errors.DocumentError(f"{shown}: expected an [aliases] table of your name = \"network name\"")
    return _valid_aliases(table, shown)


def _valid_aliases(table: dict[Any, Any], shown: str) -> dict[str, str]:
    for key, value in table.items():
        if not (isinstance(key, str) and isinstance(value, str) and value.replace("_", "").isalnum()
                and key.replace("_", "").isalnum()):
            raise errors.DocumentError(f"{shown}: aliases.{escaped(str(key))}: expected letters, digits and _ on "
                                       f"both sides, got {value!r}")
    return dict(table)
