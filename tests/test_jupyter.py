"""derive in Jupyter: a notebook run in a real kernel shows the network as SVG, the walkthrough as
Markdown with its figures inside, a check report as a table of ✓ and ✗, a training run's loss curve,
and the %%derive cell magic checks a Markdown answer."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

CELLS = [
    'import derive\nnet = derive.load("mazur")\nnet',
    "net.render()",
    'net.check("out_h1 = 0.593269992\\nout_o1 = 0.74\\n")',
    "net.train(steps=100)",
    "net.code()",
    "%load_ext derive",
    "%%derive check mazur\nThe hidden output is $\\mathrm{out}_{h1} = 0.593269992$, "
    "the first output $out_{o1} = 0.74$.",
    "%%derive check nope\nx",
]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `python3` kernelspec that runs this very interpreter, found before any other on JUPYTER_PATH."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
        yield "python3"


@pytest.fixture(scope="module")
def outputs(kernel: str, tmp_path_factory: pytest.TempPathFactory) -> list[list[nbformat.NotebookNode]]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    cwd = tmp_path_factory.mktemp("run")
    NotebookClient(nb, timeout=300, kernel_name=kernel, allow_errors=True,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return [list(cell.outputs) for cell in nb.cells]


def shown(cell: list[nbformat.NotebookNode], mime: str) -> str:
    found = [o.data[mime] for o in cell if o.output_type == "execute_result" and mime in o.data]
    assert len(found) == 1, cell
    return str(found[0])


def test_a_network_shows_its_figure(outputs: list[list[nbformat.NotebookNode]]) -> None:
    svg = shown(outputs[0], "image/svg+xml")
    assert "<svg" in svg and "w_{5}" not in svg and "0.4" in svg  # the weights' values on their edges


def test_the_walkthrough_shows_as_markdown_with_its_figures(outputs: list[list[nbformat.NotebookNode]]) -> None:
    markdown = shown(outputs[1], "text/markdown")
    assert markdown.startswith("# Backpropagation, step by step: The classic 2-2-2 example") and "$$" in markdown
    assert "](data:image/svg+xml;base64," in markdown and "](figures/" not in markdown


def test_a_check_report_shows_as_a_table(outputs: list[list[nbformat.NotebookNode]]) -> None:
    table = shown(outputs[2], "text/html")
    assert table.count("✓") == 1 and table.count("✗") == 1
    assert "truth 0.75136507" in table and "1 correct, 1 wrong" in table


def test_a_training_run_shows_its_loss_curve(outputs: list[list[nbformat.NotebookNode]]) -> None:
    assert "<svg" in shown(outputs[3], "image/svg+xml")


def test_the_code_shows_as_python(outputs: list[list[nbformat.NotebookNode]]) -> None:
    assert shown(outputs[4], "text/markdown").startswith("```python\n")


def test_the_cell_magic_checks_a_markdown_answer(outputs: list[list[nbformat.NotebookNode]]) -> None:
    assert not [o for o in outputs[5] if o.output_type == "error"]
    table = shown(outputs[6], "text/html")
    assert table.count("✓") == 1 and table.count("✗") == 1


def test_the_cell_magic_reports_bad_input_as_the_command_does(outputs: list[list[nbformat.NotebookNode]]) -> None:
    (error,) = [o for o in outputs[7] if o.output_type == "error"]
    assert error.ename == "SpecError" and error.evalue.startswith("nope: no such preset or file")


def test_the_notebook_takes_what_nbformat_validates(outputs: list[list[nbformat.NotebookNode]],
                                                      tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s, outputs=o) for s, o in zip(CELLS, outputs)])
    nbformat.validate(nb)
