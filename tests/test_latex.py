"""The LaTeX walkthroughs are complete documents that TeX compiles without an error."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted((ROOT / "output").glob("*/walkthrough.tex"))


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (CI installs it)")
@pytest.mark.parametrize("document", DOCUMENTS, ids=[d.parent.name for d in DOCUMENTS])
def test_walkthrough_compiles(document: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={tmp_path}", str(document)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    errors = [line for line in result.stdout.splitlines() if line.startswith("!")]
    assert result.returncode == 0 and not errors, errors or result.stdout[-2000:]
    assert (tmp_path / "walkthrough.pdf").stat().st_size > 10_000


def test_there_is_a_document_per_preset() -> None:
    assert [d.parent.name for d in DOCUMENTS] == ["gender", "mazur", "textbook", "xor3"]
