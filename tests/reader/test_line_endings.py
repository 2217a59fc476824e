"""Documents as real machines save them: Windows (CRLF), old Mac (CR) and mixed line endings give the
verdicts, lines and annotated copy of the same document saved with LF; an unterminated display keeps its
last characters; a malformed notebook is one line, exit 2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run

HOMEWORK = Path(__file__).resolve().parents[2] / "examples" / "homework" / "mazur.md"
ENDINGS = {"crlf": lambda k: "\r\n", "cr": lambda k: "\r", "mixed": lambda k: ("\r\n", "\n", "\r\n", "\r")[k % 4]}


def _saved(text: str, ending: str) -> str:
    """`text` with its k-th line break written as ENDINGS[ending](k)."""
    parts = text.split("\n")
    pick = ENDINGS[ending]
    return "".join(part + pick(k) for k, part in enumerate(parts[:-1])) + parts[-1]


def _as_lf(text: str) -> str:
    return re.sub(r"\r\n?", "\n", text)


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))  # bytes: no newline translation on the way
    return path


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_the_readme_homework_saved_on_any_machine(ending: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    lf = HOMEWORK.read_bytes().decode("utf-8")
    assert "\r" not in lf
    saved = _write(tmp_path / "hw.md", _saved(lf, ending))
    want = run(["check", "mazur", str(HOMEWORK), "--annotate", str(tmp_path / "lf.md")], capsys)
    got = run(["check", "mazur", str(saved), "--annotate", str(tmp_path / "saved.md")], capsys)
    assert got == want and want[0] == 1
    assert "11 judged" in want[1] and "3 wrong" in want[1]
    annotated = (tmp_path / "saved.md").read_bytes().decode("utf-8")
    assert _as_lf(annotated) == (tmp_path / "lf.md").read_text(encoding="utf-8")
    if ending != "mixed":  # every line break of the annotated copy is the document's own
        assert annotated.count("\n" if ending == "crlf" else "\r") == len(re.findall(r"\r\n?|\n", annotated))


def test_json_offsets_index_the_file_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _saved(HOMEWORK.read_text(encoding="utf-8"), "crlf")
    code, out, _ = run(["check", "mazur", str(_write(tmp_path / "hw.md", text)), "--format", "json"], capsys)
    claims = json.loads(out)["claims"]
    assert code == 1 and len(claims) == 19
    for claim in claims:
        span = claim["span"]
        assert _as_lf(text[span["start"]:span["end"]]).startswith(span["source"])
        assert text[:span["start"]].count("\n") + 1 in (span["line"], span["line"] - 1)  # a display's opening $$


@pytest.mark.parametrize("opening", ["\\[", "$", "$$", "\\("])
def test_an_unterminated_display_at_the_end_keeps_its_last_characters(opening: str, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "hw.tex", f"The output:\n\n{opening} out_{{o1}} = 0.75136507")
    code, out, _ = run(["check", "mazur", str(path), "--format", "json"], capsys)
    (claim,) = json.loads(out)["claims"]
    assert code == 0 and claim["verdict"] == "correct" and claim["claim"].endswith("0.75136507")


NOTEBOOKS = {
    "no cells": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
    "a cell that is no object": '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [1, "x"]}',
    "a source that is no text": '{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "markdown", "source": 3}]}',
    "nbformat 1": '{"nbformat": 1, "nbformat_minor": 0, "metadata": {}, "cells": []}',
    "a float nbformat": '{"nbformat": 4.0, "nbformat_minor": 5, "metadata": {}, "cells": []}',
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "cells nested 100,000 deep": '{"nbformat": 4, "cells": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "a number of 100,000 digits": '{"nbformat": ' + "4" * 100_000 + "}",
    "a list": "[]",
    "not JSON": "{",
}


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_a_malformed_notebook_is_one_line(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "hw.ipynb", NOTEBOOKS[name])
    code, out, err = run(["check", "mazur", str(path), "--annotate", str(tmp_path / "out.ipynb")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("derive: error: ")
    assert "not a notebook" in err and not (tmp_path / "out.ipynb").exists()


def test_a_notebook_cell_saved_with_crlf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cell = "# Forward pass\r\n\r\n$$\r\nout_{o1} = 0.76\r\n$$\r\n\r\nand $out_{h1} = 0.593269992$.\r\n"
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [{"cell_type": "markdown", "metadata": {}, "source": cell.splitlines(keepends=True)}]}
    path = _write(tmp_path / "hw.ipynb", json.dumps(notebook))
    code, out, _ = run(["check", "mazur", str(path), "--annotate", str(tmp_path / "out.ipynb")], capsys)
    assert code == 1 and "line 4 (cell 1): wrong" in out and "line 7 (cell 1): correct" in out
    marked = "".join(json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))["cells"][0]["source"])
    assert marked.startswith(cell[:cell.index("$$\r\n\r\n") + 4]) and "\r\n\r\n> ✗ truth" in marked


DEFINITIONS = [
    r"\newenvironment{myeq}{\begin{equation}}{\end{equation}}",
    r"\renewenvironment*{proof}[1][Proof]{\begin{align*} #1}{\end{align*}}",
    r"\newcommand{\beq}{\begin{equation}}",
    r"\newcommand\eeq{\end{equation}}",
    r"\providecommand{\half}[1][x]{\frac{#1}{2}}",
    r"\def\bal#1{\begin{align} #1}",
    r"\DeclareMathOperator{\sig}{\sigma}",
]


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_a_definition_does_not_swallow_the_document(definition: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    text = (f"\\documentclass{{article}}\n{definition}\n\\begin{{document}}\n\\section{{Forward}}\n"
            "The output $out_{o1} = 0.75136507$.\n\\begin{equation} out_{h1} = 0.58 \\end{equation}\n\\end{document}\n")
    code, out, _ = run(["check", "mazur", str(_write(tmp_path / "hw.tex", text))], capsys)
    lines = out.splitlines()
    assert code == 1 and lines[0] == "line 5: correct: agrees to the digits written (truth 0.75136507)"
    assert lines[1].startswith("line 6: wrong: does not agree to the 2 digits written (truth 0.593269992")
    assert out.splitlines()[-1].endswith("math spans: 2 judged, 0 not understood, 0 not claims")
