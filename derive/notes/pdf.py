"""PDF: the LaTeX walkthrough compiled by latexmk with XeLaTeX (ctex sets the Chinese edition).

Compilation runs in a temporary directory with a fixed SOURCE_DATE_EPOCH, so the same document gives
the same PDF bytes with the same TeX installation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TOOLS = ("latexmk", "xelatex")
TIMEOUT = 600
INSTALL_HINT = ("install TeX Live: apt-get install texlive-xetex texlive-lang-chinese texlive-latex-recommended "
                "texlive-latex-extra texlive-pictures latexmk")


class PdfToolsMissing(RuntimeError):
    """latexmk or xelatex is not installed."""


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
    missing = missing_tools()
    if missing:
        raise PdfToolsMissing(f"{', '.join(missing)} not found ({INSTALL_HINT})")
    with tempfile.TemporaryDirectory(prefix="derive-pdf-") as tmp:
        source = Path(tmp) / f"{name}.tex"
        source.write_text(tex, encoding="utf-8")
        env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
        try:
            result = subprocess.run(
                ["latexmk", "-xelatex", "-interaction=nonstopmode", "-halt-on-error", "-quiet", source.name],
                cwd=tmp, env=env, capture_output=True, text=True, timeout=TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"latexmk took longer than {TIMEOUT} s") from None
        except OSError as exc:
            raise PdfFailed(f"latexmk could not run ({exc.strerror or exc})") from None
        pdf = Path(tmp) / f"{name}.pdf"
        if result.returncode != 0 or not pdf.is_file():
            log = _read_log(Path(tmp) / f"{name}.log") or result.stdout + result.stderr
            raise PdfFailed(first_error(log), log)  # the log is read now: the directory goes away
        return pdf.read_bytes(), _read_log(Path(tmp) / f"{name}.log")


def _read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def first_error(log: str) -> str:
    """TeX's first error line, for a one-line message."""
    for line in log.splitlines():
        if line.startswith("!"):
            return line[1:].strip()
    return "latexmk failed without a TeX error"
