"""PDF: the LaTeX walkthrough compiled with XeLaTeX (ctex sets the Chinese edition), run until what it
writes for its next pass (contents, column widths) settles, as latexmk would, then xdvipdfmx.

Compilation runs in a temporary directory with a fixed SOURCE_DATE_EPOCH, so the same document gives
the same PDF bytes with the same TeX installation. Many documents with one preamble (a class's exercise
sheets) are typeset in one TeX run and cut apart page by page, each into the very PDF it would have
been alone (see `compile_many`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

TOOLS = ("xelatex", "xdvipdfmx")  # xdvipdfmx: XeTeX's own PDF writer
TIMEOUT = 600
INSTALL_HINT = ("install TeX Live: apt-get install texlive-xetex texlive-lang-chinese texlive-latex-recommended "
                "texlive-latex-extra texlive-pictures latexmk")


class PdfToolsMissing(RuntimeError):
    """xelatex or xdvipdfmx is not installed."""


class PdfFailed(RuntimeError):
    """TeX stopped on an error in the document; `log` is TeX's log (empty when there is none)."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def compile_tex(tex: str, name: str = "walkthrough") -> bytes:
    """The PDF of the LaTeX document `tex`."""
    return typeset(tex, name)[0]


def typeset(tex: str, name: str = "walkthrough") -> tuple[bytes, str]:
    """The PDF of the LaTeX document `tex` and TeX's log (where overfull boxes are reported)."""
    _check_tools()
    with tempfile.TemporaryDirectory(prefix="derive-pdf-") as tmp:
        folder = Path(tmp)
        # the passes decided here, by the .aux file (which carries the contents' page numbers), rather
        # than by latexmk, once seen under load to leave a contents page one page behind its text
        _xelatex(folder, name, tex)
        return _xdvipdfmx(folder, name, []), _read_log(folder / f"{name}.log")


def _check_tools() -> None:
    missing = missing_tools()
    if missing:
        raise PdfToolsMissing(f"{', '.join(missing)} not found ({INSTALL_HINT})")


# The same time in every PDF (and in the XeTeX output it is written from), so the bytes repeat.
ENVIRONMENT = {"SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, cwd=cwd, env=dict(os.environ, **ENVIRONMENT), capture_output=True, text=True,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PdfFailed(f"{argv[0]} took longer than {TIMEOUT} s") from None
    except OSError as exc:
        raise PdfFailed(f"{argv[0]} could not run ({exc.strerror or exc})") from None


# Each batch of documents typeset together is one TeX run; the batches run side by side, one per core.
BATCH_MIN = 8
BEGIN, END = "\\begin{document}", "\\end{document}"


def compile_many(documents: Sequence[tuple[str, str]]) -> list[bytes]:
    """The PDFs of many LaTeX documents, (name, text) each, as `compile_tex` makes them one by one.

    Documents that share their preamble are typeset as one document, each starting on a fresh page,
    in as many batches as there are cores; XeTeX's output of a batch is then cut at each document's
    pages by xdvipdfmx, under the document's own file name, which gives the bytes its own run would
    (the tests compare). Where a batch cannot be typeset, its documents are compiled one by one, so
    that the error names the document and keeps its log."""
    _check_tools()
    found: dict[int, bytes] = {}
    groups: dict[str, list[int]] = {}
    for i, (_, tex) in enumerate(documents):
        preamble, begin, rest = tex.partition(BEGIN)
        if begin and rest.count(END) == 1 and rest.rstrip().endswith(END):
            groups.setdefault(preamble, []).append(i)
        else:
            found[i] = compile_tex(tex, documents[i][0])
    batches = [b for group in groups.values() for b in _batches(group)]
    from concurrent.futures import ThreadPoolExecutor  # here: every render imports this module, few typeset

    with ThreadPoolExecutor(max_workers=max(1, min(len(batches), os.cpu_count() or 1))) as pool:
        for batch, pdfs in zip(batches, pool.map(lambda b: _batch(documents, b), batches)):
            found.update(zip(batch, pdfs))
    return [found[i] for i in range(len(documents))]


def _batches(indices: list[int]) -> list[list[int]]:
    """`indices` in consecutive runs, one per core, of at least BATCH_MIN documents."""
    count = max(1, min(os.cpu_count() or 1, len(indices) // BATCH_MIN))
    size = -(-len(indices) // count)
    return [indices[k:k + size] for k in range(0, len(indices), size)]


def _batch(documents: Sequence[tuple[str, str]], batch: list[int]) -> list[bytes]:
    texts = [documents[i][1] for i in batch]
    with tempfile.TemporaryDirectory(prefix="derive-pdf-") as tmp:
        folder = Path(tmp)
        try:
            _xelatex(folder, "batch", _combined(texts))
        except PdfFailed:
            return [compile_tex(documents[i][1], documents[i][0]) for i in batch]
        ends = [int(line) for line in (folder / "batch.pages").read_text(encoding="ascii").split()]
        starts = [1, *ends[:-1]]
        cuts = [(documents[i][0], first, end - 1) for i, first, end in zip(batch, starts, ends)]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            return list(pool.map(lambda cut: _cut(folder, *cut), cuts))


PASSES = 5  # XeTeX runs of a document (or a batch) at most, until its .aux file stops changing


def _xelatex(folder: Path, name: str, tex: str) -> None:
    """`name`.tex typeset into `name`.xdv, run again while the .aux file it writes changes (a longtable's
    column widths, contents), and not at all where it holds nothing a page reads back: latexmk's rule for
    these documents, without its bookkeeping of every input file's checksum."""
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    aux, previous = folder / f"{name}.aux", None
    for _ in range(PASSES):
        result = _run(["xelatex", "-no-pdf", "-interaction=batchmode", "-halt-on-error", f"{name}.tex"], folder)
        if result.returncode != 0 or not (folder / f"{name}.xdv").is_file():
            log = _read_log(folder / f"{name}.log") or result.stdout + result.stderr
            raise PdfFailed(first_error(log), log)
        written = aux.read_bytes() if aux.is_file() else b""
        if written == previous or (previous is None and _inert(written)):
            return
        previous = written


# What the LaTeX kernel writes into every .aux file; nothing in these documents reads it back onto a page
INERT_AUX = ("\\relax", "\\gdef \\@abspage@last{")


def _inert(aux: bytes) -> bool:
    """The .aux file holds nothing a second pass would set differently (no column widths, labels or
    contents), so the first pass's pages are already those of the last."""
    return all(not line.strip() or line.strip().startswith(INERT_AUX) for line in aux.decode("latin-1").splitlines())


# What each document after the first starts with in a batch, so that its pages are what its own run
# would make: PGF defines its PDF resources (the opacities of a figure, its colour spaces) once per
# document, on the page that first uses them, so they are forgotten and defined again; and the colour
# that \begin{document} pushes is pushed again. (PGF's names of PGF 3.1; where they do not exist the
# batch fails on them and its documents are compiled one by one.)
ISOLATION = r"""\makeatletter
\def\derive@forget{}
\def\derive@remember#1{\expandafter\ifx\csname pgf@sys@pdf@#1\endcsname\relax
  \expandafter\g@addto@macro\expandafter\derive@forget\expandafter{\expandafter\global
  \expandafter\let\csname pgf@sys@pdf@#1\endcsname\relax}\fi}
\let\derive@fillopacity\pgfsys@fill@opacity
\let\derive@strokeopacity\pgfsys@stroke@opacity
\def\pgfsys@fill@opacity#1{\derive@remember{fo@#1}\derive@fillopacity{#1}}
\def\pgfsys@stroke@opacity#1{\derive@remember{so@#1}\derive@strokeopacity{#1}}
\def\derivenewdocument{\derive@forget\global\let\derive@forget\@empty
  \global\pgf@sys@pdf@extgs@existsfalse\global\pgf@sys@pdf@extgs@createdfalse
  \global\pgf@sys@pdf@colorspaces@existsfalse\global\pgf@sys@pdf@colorspaces@createdfalse
  \global\pgf@sys@pdf@patterns@existsfalse\global\pgf@sys@pdf@patterns@createdfalse
  \pgfutil@addpdfresource@colorspaces{ /pgfprgb [/Pattern /DeviceRGB] }%
  \special{color push gray 0}}
\makeatother
\newwrite\derivepages
"""


def _combined(texts: list[str]) -> str:
    """One document of `texts` (one preamble), each begun on a fresh page as if it were alone (see
    ISOLATION); batch.pages gets the number of the page after each one's last."""
    preamble = texts[0].partition(BEGIN)[0]
    bodies = [t.partition(BEGIN)[2].rpartition(END)[0] for t in texts]
    end = "\\clearpage\\immediate\\write\\derivepages{\\the\\value{page}}\n"
    return (preamble + ISOLATION + BEGIN + "\n\\immediate\\openout\\derivepages=\\jobname.pages\n"
            + (end + "\\derivenewdocument\n").join(bodies) + end + END + "\n")


def _cut(folder: Path, name: str, first: int, last: int) -> bytes:
    """Pages `first` to `last` of the batch's XeTeX output as the PDF of the document `name`: the file
    names go into the PDF's id, so the output is read under the document's own."""
    own = folder / name
    own.mkdir()
    (own / f"{name}.xdv").symlink_to(folder / "batch.xdv")
    return _xdvipdfmx(own, name, ["-s", f"{first}-{last}"])


def _xdvipdfmx(folder: Path, name: str, options: list[str]) -> bytes:
    """`name`.xdv in `folder` written as `name`.pdf (with xdvipdfmx's `options`, such as a page range)."""
    result = _run(["xdvipdfmx", "-E", "-q", *options, "-o", f"{name}.pdf", f"{name}.xdv"], folder)
    pdf = folder / f"{name}.pdf"
    if result.returncode != 0 or not pdf.is_file():
        raise PdfFailed(f"xdvipdfmx could not write {name}.pdf: {(result.stderr or result.stdout).strip()}")
    return pdf.read_bytes()


def _read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def first_error(log: str) -> str:
    """TeX's first error line, for a one-line message."""
    for line in log.splitlines():
        if line.startswith("!"):
            return line[1:].strip()
    return "XeLaTeX failed without a TeX error"
