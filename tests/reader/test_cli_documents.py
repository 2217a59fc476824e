"""`derive check NETWORK DOCUMENT`: Markdown, LaTeX and notebooks read in place, verdicts on the document's
own lines, the annotated copy, JSON with spans, and a closed pipe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.helpers import run

# Values of the classic network, as the article prints them (README, Example): out_h1 = 0.593269992,
# dE_total/dw5 = 0.0821670406; 0.593269993 is a slip in the last digit.
HOMEWORK = """# Forward pass

The hidden neuron: $out_{h1} = 0.593269992$ and
$\\text{net}_{h1} = 0.15 \\times 0.05 + 0.2 \\times 0.1 + 0.35 = 0.3775$.

```python
# a code block is not a claim: $out_{h1} = 12$
```

$$
\\frac{\\partial E_{total}}{\\partial w_5} = 0.082167041
$$

\\[ out_{h2} = 0.5968843 \\]

Written with a slip: $out_{h1} = 0.593269993$. And prose with no maths: x = 3.
"""


def homework(tmp_path: Path, name: str = "hw.md", text: str = HOMEWORK) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_verdicts_carry_the_documents_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check", "mazur", str(homework(tmp_path)), "--format", "json"], capsys)
    report = json.loads(out)
    assert code == 1
    by_line = {(c["line"], c["link"]): c["verdict"] for c in report["claims"]}
    assert by_line == {(3, 1): "correct", (4, 1): "correct", (4, 2): "correct", (11, 1): "correct",
                       (14, 1): "correct", (16, 1): "wrong"}
    assert report["summary"]["spans_judged"] == 5 and report["summary"]["wrong"] == 1
    span = next(c["span"] for c in report["claims"] if c["line"] == 16)
    assert HOMEWORK[span["start"]:span["end"]] == "out_{h1} = 0.593269993$"


def test_input_overrides_the_extension(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = homework(tmp_path, "hw.claims")
    code, _, err = run(["check", "mazur", str(path), "--input", "md"], capsys)
    assert code == 1 and err == ""
    code, _, _ = run(["check", "mazur", str(path)], capsys)  # as a claims file its prose is refused
    assert code == 2


def test_annotated_markdown_marks_each_claim_and_changes_nothing_else(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "marked.md"
    code, _, _ = run(["check", "mazur", str(homework(tmp_path)), "--annotate", str(out)], capsys)
    marked = out.read_text(encoding="utf-8")
    assert code == 1
    assert "$out_{h1} = 0.593269992$ **✓**" in marked
    assert "$out_{h1} = 0.593269993$ *✗ truth 0.593269992 (one digit wrong)*" in marked
    assert "\n> ✓\n" in marked.split("\\frac{\\partial E_{total}}", 1)[1]
    stripped = marked.replace(" **✓**", "").replace(" *✗ truth 0.593269992 (one digit wrong)*", "")
    assert stripped.replace("\n\n> ✓", "") == HOMEWORK


def test_annotated_page_is_the_offline_katex_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "marked.html"
    run(["check", "mazur", str(homework(tmp_path)), "--annotate", str(out)], capsys)
    page = out.read_text(encoding="utf-8")
    assert "katex" in page and "✗" in page and 'src="http' not in page and 'href="http' not in page


LATEX = r"""\documentclass{article}
% $out_{h1} = 7$ is a comment
\begin{document}
\section{Forward}
\begin{align}
\mathrm{out}_{h1} &= \sigma(\mathrm{net}_{h1}) \\
  &= 0.593269992 \\
\mathrm{out}_{o1} &= 0.75136507
\end{align}
\begin{verbatim}
$out_{o2} = 1$
\end{verbatim}
Inline \(E_{total} = 0.298371109\).
\end{document}
"""


def test_latex_rows_and_environments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = homework(tmp_path, "hw.tex", LATEX)
    marked = tmp_path / "marked.tex"
    code, out, _ = run(["check", "mazur", str(path), "--format", "json", "--annotate", str(marked)], capsys)
    claims = json.loads(out)["claims"]
    assert code == 0
    assert [(c["line"], c["link"], c["verdict"]) for c in claims] == [
        (6, 1, "correct"), (7, 2, "correct"), (8, 1, "correct"), (13, 1, "correct")]
    text = marked.read_text(encoding="utf-8")
    assert "\\end{align}\n\\par\\noindent{\\small ✓}\\par" in text and "\\(E_{total} = 0.298371109\\)\\,{\\small [✓]}" in text


def notebook(tmp_path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Homework\n\n$out_{h1} = 0.593269992$"),
                nbformat.v4.new_code_cell("import os\nos.system('touch PWNED')  # $out_{h1} = 1$"),
                nbformat.v4.new_markdown_cell("Then\n\n$$out_{o1} = 0.7513660$$")]
    path = tmp_path / "hw.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def test_notebook_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "marked.ipynb"
    code, text, _ = run(["check", "mazur", str(notebook(tmp_path)), "--format", "json", "--annotate", str(out)], capsys)
    claims = json.loads(text)["claims"]
    assert code == 1 and not (tmp_path / "PWNED").exists()
    assert [(c["cell"], c["line"], c["verdict"]) for c in claims] == [(1, 3, "correct"), (3, 3, "wrong")]
    marked = nbformat.reads(out.read_text(encoding="utf-8"), as_version=4)
    assert "✓" in marked.cells[0].source and "✗" in marked.cells[2].source and "✓" not in marked.cells[1].source


@pytest.mark.parametrize("text, name", [("{not json", "hw.ipynb"), ('{"cells": 3}', "hw.ipynb")])
def test_unreadable_notebook(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str) -> None:
    code, out, err = run(["check", "mazur", str(homework(tmp_path, name, text))], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "hw.ipynb" in err


def test_aliases_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = homework(tmp_path, "course.md", "$a_{h1} = 0.593269992$ and $z_{h1} = 0.3775$ and $L = 0.298371109$\n")
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[aliases]\na = "out"\nz = "net"\nL = "E_total"\n', encoding="utf-8")
    code, out, _ = run(["check", "mazur", str(doc), "--aliases", str(aliases), "--format", "json"], capsys)
    assert code == 0 and [c["verdict"] for c in json.loads(out)["claims"]] == ["correct"] * 3
    # without the table, the names are read by their values, and the JSON says how
    code, out, _ = run(["check", "mazur", str(doc), "--format", "json"], capsys)
    data = json.loads(out)
    assert code == 0 and [c["verdict"] for c in data["claims"]] == ["correct"] * 3
    assert {n["written"]: n["quantity"] for n in data["names"]["names"]} == {"a_h1": "out_h1", "z_h1": "net_h1",
                                                                           "L": "E_total"}


def test_bad_aliases_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aliases = homework(tmp_path, "aliases.toml", '[aliases]\na = "out; rm"\n')
    code, _, err = run(["check", "mazur", str(homework(tmp_path)), "--aliases", str(aliases)], capsys)
    assert code == 2 and err.count("\n") == 1 and "aliases.a" in err


def test_closed_pipe_is_quiet(tmp_path: Path) -> None:
    path = homework(tmp_path, "long.md", HOMEWORK * 200)
    derive = Path(sys.executable).with_name("derive")
    for argv in ([str(derive), "check", "mazur", str(path)], [str(derive), "list"]):
        done = subprocess.run(" ".join(argv) + " | head -1", shell=True, capture_output=True, text=True, timeout=120)
        assert done.stderr == "" and done.stdout.count("\n") == 1


def test_aliases_in_the_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import MAZUR, write_spec

    net = write_spec(tmp_path, MAZUR + '\n[aliases]\na = "out"\nz = "net"\n', "course.toml")
    doc = homework(tmp_path, "course.md", "$a_{h1} = 0.593269992$ and $z_{h1} = 0.3775$\n")
    code, out, _ = run(["check", str(net), str(doc), "--format", "json"], capsys)
    assert code == 0 and [c["verdict"] for c in json.loads(out)["claims"]] == ["correct", "correct"]
    bad = write_spec(tmp_path, MAZUR + '\n[aliases]\na = "out; rm"\n', "bad.toml")
    code, _, err = run(["check", str(bad), str(doc)], capsys)
    assert code == 2 and "aliases.a" in err and err.count("\n") == 1
