"""The README's homework: its annotated copy is what `derive check --annotate` writes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run

HOMEWORK = Path(__file__).resolve().parents[2] / "examples" / "homework"


def test_annotated_homework_is_current(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "annotated.md"
    code, text, _ = run(["check", "mazur", str(HOMEWORK / "mazur.md"), "--annotate", str(out)], capsys)
    assert code == 1 and text.endswith("16 correct, 3 wrong, 0 cannot check; math spans: 11 judged, "
                                       "0 not understood, 0 not claims\n")
    assert out.read_bytes() == (HOMEWORK / "mazur.annotated.md").read_bytes(), (
        "regenerate with: derive check mazur examples/homework/mazur.md --annotate examples/homework/mazur.annotated.md")
