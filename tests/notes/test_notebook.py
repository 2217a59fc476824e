"""The notebook: the walkthrough's Markdown in cells, then the generated code, executed in a real
kernel, printing the first update and the training errors that the 50-digit engine computed."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from derive.code import codegen
from derive.maths import derivation
from derive.model import network, spec
from derive.notes import notebook, walkthrough

RELATIVE = 1e-7  # printed to 9 digits from float64 against the engine's 50-digit values
NOISE = 1e-15  # absolute, for a value that is exactly 0 in the engine
TIMEOUT = 120  # seconds per cell

# (preset, style): None is the preset's default style (scalar for all three)
# (vector gender: per-neuron biases, b<l>[j] in the arrays)
CASES = [("mazur", None), ("mazur", "vector"), ("xor3", None), ("gender", None), ("gender", "vector")]
LABELS = {key: f"<{key}>" for key in notebook.LABEL_KEYS}
CODE_CELLS = 3  # the module, the first update, the training


@pytest.fixture(scope="module")
def derivations() -> dict[str, derivation.Derivation]:
    return {name: derivation.build(network.build(spec.load_preset(name))) for name in {n for n, _ in CASES}}


def build(d: derivation.Derivation, style: str | None) -> tuple[str, str]:
    """The walkthrough Markdown and the notebook text of `d`."""
    markdown = walkthrough.render(d, "md")
    code = codegen.generate(d, style or codegen.default_style(d.network))
    return markdown, notebook.notebook(markdown, code, d, "en", LABELS)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `python3` kernelspec that runs this very interpreter, found before any other on JUPYTER_PATH:
    a user's own `python3` kernel (another Python, without numpy) must not run the notebook."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"}))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(root))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
        yield "python3"


def execute(text: str, cwd: Path, kernel_name: str) -> nbformat.NotebookNode:
    nb = nbformat.reads(text, as_version=4)
    NotebookClient(nb, timeout=TIMEOUT, kernel_name=kernel_name, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def stdout(cell: nbformat.NotebookNode) -> str:
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def printed(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """What the first-update cell and the training cell printed."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == CODE_CELLS
    assert stdout(code[0]) == ""  # the module only defines
    return stdout(code[1]), stdout(code[2])


def _close(got: float, want: float) -> bool:
    return abs(got - want) <= RELATIVE * abs(want) + NOISE


def mismatches(d: derivation.Derivation, update_text: str, train_text: str) -> list[str]:
    """Every printed number that differs from the derivation's, and every line missing or extra."""
    found: list[str] = []
    rows = [line.split() for line in update_text.splitlines()]
    params = rows[:len(d.updates)]
    if [r[0] for r in params] != [u.param.name for u in d.updates] or any(len(r) != 3 for r in params):
        return [f"first update: parameter lines {params!r}"]
    for row, u in zip(params, d.updates):
        for what, got, want in (("gradient", row[1], u.gradient), ("new", row[2], u.new)):
            if not _close(float(got), float(want)):
                found.append(f"{u.param.name} {what}: printed {got}, derived {float(want)!r}")
    errors = {0: d.error_before, 1: d.error_after}
    found += _errors("first update", rows[len(d.updates):], errors)
    history = {h.step: h.error for h in d.history}
    found += _errors("training", [line.split() for line in train_text.splitlines()], history)
    return found


def _errors(where: str, rows: list[list[str]], want: dict[int, object]) -> list[str]:
    if [r[:2] for r in rows] != [["E_total", str(step)] for step in want] or any(len(r) != 3 for r in rows):
        return [f"{where}: error lines {rows!r}, expected E_total after {list(want)} updates"]
    return [f"{where}: E_total after {r[1]} updates: printed {r[2]}, derived {float(want[int(r[1])])!r}"
            for r in rows if not _close(float(r[2]), float(want[int(r[1])]))]  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "style"), CASES, ids=[f"{n}-{s or 'default'}" for n, s in CASES])
def test_executed_notebook_prints_the_derived_numbers(name: str, style: str | None, derivations: dict,
                                                       kernel: str, tmp_path: Path) -> None:
    d = derivations[name]
    _, text = build(d, style)
    update_text, train_text = printed(execute(text, tmp_path, kernel))
    assert len(update_text.splitlines()) == len(d.updates) + 2
    assert len(train_text.splitlines()) == len(d.network.spec.training.steps)
    assert mismatches(d, update_text, train_text) == []


def test_a_wrong_learning_rate_is_reported(derivations: dict, kernel: str, tmp_path: Path) -> None:
    d = derivations["xor3"]
    _, text = build(d, None)
    nb = nbformat.reads(text, as_version=4)
    module = next(c for c in nb.cells if c.cell_type == "code")
    module.source, count = re.subn(r"^LEARNING_RATE = .*$", "LEARNING_RATE = 0.75", module.source, flags=re.MULTILINE)
    assert count == 1
    update_text, train_text = printed(execute(nbformat.writes(nb), tmp_path, kernel))
    found = mismatches(d, update_text, train_text)
    trainable = [u.param.name for u in d.updates if u.param.trainable]
    assert {f.split(":")[0] for f in found} >= {f"{p} new" for p in trainable} | {"first update", "training"}
    assert not [f for f in found if "gradient" in f]  # the gradients do not depend on the rate


def test_the_checker_reads_the_lines_it_expects(derivations: dict) -> None:
    d = derivations["gender"]
    update = "".join(f"{u.param.name} {float(u.gradient):.9g} {float(u.new):.9g}\n" for u in d.updates)
    update += f"E_total 0 {float(d.error_before):.9g}\nE_total 1 {float(d.error_after):.9g}\n"
    train = "".join(f"E_total {h.step} {float(h.error):.9g}\n" for h in d.history)
    assert mismatches(d, update, train) == []
    assert mismatches(d, update, train.replace(f"E_total {d.history[-1].step} ", "E_total 7 ")) != []
    assert mismatches(d, update.split("\n", 1)[1], train) != []  # a parameter's line missing
    first = d.updates[0]
    assert mismatches(d, update.replace(f"{float(first.new):.9g}", f"{float(first.new) * (1 + 1e-6):.9g}", 1), train) \
        == [f"{first.param.name} new: printed {float(first.new) * (1 + 1e-6):.9g}, derived {float(first.new)!r}"]


@pytest.mark.parametrize(("name", "style"), CASES, ids=[f"{n}-{s or 'default'}" for n, s in CASES])
def test_cells_follow_the_walkthrough_then_the_code(name: str, style: str | None, derivations: dict) -> None:
    d = derivations[name]
    markdown, text = build(d, style)
    assert text == build(d, style)[1]  # deterministic, byte for byte
    assert text.endswith("}\n")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.kernelspec.name == "python3" and nb.metadata.language_info.name == "python"
    assert [c.id for c in nb.cells] == [f"cell-{i}" for i in range(1, len(nb.cells) + 1)]
    kinds = [c.cell_type for c in nb.cells]
    walk = kinds.index("code") - 1  # the Markdown cells before the code section's heading
    assert kinds[walk:] == ["markdown", "code"] * CODE_CELLS and set(kinds[:walk]) == {"markdown"}
    cells = [c.source for c in nb.cells[:walk]]
    assert cells[0].startswith(markdown.splitlines()[0]) and markdown.startswith("# ")
    assert all(re.match(r"#{1,3} ", c) for c in cells)
    lines = [line for line in markdown.splitlines() if line.strip()]
    assert [line for c in cells for line in c.splitlines() if line.strip()] == lines  # all of it, in order
    for c in cells:  # never cut inside display math
        assert c.count("$$") % 2 == 0
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "__main__" not in code[0].source and code[0].source.startswith('"""Update code for the network')
    assert f'STYLE = "{style or codegen.default_style(d.network)}"' in code[0].source
    headings = [nb.cells[i].source for i in range(walk, len(nb.cells), 2)]
    assert headings == ["## <code_heading>\n\n<code_intro>", "### <update_heading>\n\n<update_intro>",
                        "### <train_heading>\n\n<train_intro>"]


def test_split_markdown_at_headings_only_outside_math_fences_and_tables() -> None:
    lines = ["Before any heading.", "", "# Title", "text", "", "$$", "# not a heading in math", "$$", "",
             "## Section", "| a | b |", "|---|---|", "| # | 1 |", "", "#### Deep heading stays", "", "```python",
             "# a comment", "```", "### Sub", "$$ x $$", "#no space is no heading", "", ""]
    text = "\n".join(lines)
    assert notebook.split_markdown(text) == [
        "Before any heading.",
        "# Title\ntext\n\n$$\n# not a heading in math\n$$",
        "## Section\n| a | b |\n|---|---|\n| # | 1 |\n\n#### Deep heading stays\n\n```python\n# a comment\n```",
        "### Sub\n$$ x $$\n#no space is no heading",
    ]
    assert notebook.split_markdown("![loss](figures/loss.svg)\n# A\n![x](figures/x.svg)") == [
        "![loss](figures/loss.svg)", "# A\n![x](figures/x.svg)"]


def test_strip_main_keeps_definitions_and_code_after_the_guard() -> None:
    code = 'import numpy as np\n\nX = 1\n\n\nif __name__ == "__main__":\n    main()\n\n    print(X)\n'
    assert notebook.strip_main(code) == "import numpy as np\n\nX = 1"
    assert notebook.strip_main(code + "Y = 2\n") == "import numpy as np\n\nX = 1\n\n\nY = 2"
    assert notebook.strip_main("X = 1\n") == "X = 1"


def test_labels_are_required_and_the_style_must_be_known(derivations: dict) -> None:
    d = derivations["gender"]
    code = codegen.generate(d, "scalar")
    with pytest.raises(ValueError, match="labels missing: train_intro"):
        notebook.notebook("# A", code, d, "en", {k: v for k, v in LABELS.items() if k != "train_intro"})
    with pytest.raises(ValueError, match="STYLE"):
        notebook.notebook("# A", "import numpy as np\n", d, "en", LABELS)
    translated = {key: f"第{i}节" for i, key in enumerate(notebook.LABEL_KEYS)}
    text = notebook.notebook("# 标题\n\n正文", code, d, "zh", translated)
    nb = nbformat.reads(text, as_version=4)
    assert "第0节" in text and nb.metadata.derive.lang == "zh"  # written as UTF-8, not escaped
    assert [c.source for c in nb.cells][:2] == ["# 标题\n\n正文", "## 第0节\n\n第1节"]


def test_a_notebook_in_another_notation_names_the_codes_quantities_as_its_walkthrough() -> None:
    import json

    from derive.maths import derivation as derivation_module
    from derive.model import network as network_module
    from derive.model import spec as spec_module
    from derive.notes import files as files_module
    from derive.notes.request import NotesRequest as Request

    d = derivation_module.build(network_module.build(spec_module.load_preset("mazur")), history_steps=(1, 10))
    for lang, words in (("en", "as these notes do"), ("zh", "本讲义的记号")):
        nb = json.loads(files_module.files(d, Request(("ipynb",), lang, "matrix"))["walkthrough.ipynb"])
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert words in text
        assert "| `W2_11` | $W^{[2]}_{11}$ |" in text
        assert "| `dE_dW2_11` | $\\frac{\\partial E}{\\partial W^{[2]}_{11}}$ |" in text
    classic = json.loads(files_module.files(d, Request(("ipynb",), "en"))["walkthrough.ipynb"])
    assert "as these notes do" not in json.dumps(classic)


# mazur's quantities in the matrix notation, W^{[l]}_{jk} written W<l>_<jk>, by hand from the notation
MATRIX_NAMES = {"w1": "W1_11", "w2": "W1_12", "w3": "W1_21", "w4": "W1_22", "b1": "b1",
                "w5": "W2_11", "w6": "W2_12", "w7": "W2_21", "w8": "W2_22", "b2": "b2", "E_total": "E"}


def test_a_notebook_in_the_matrix_notation_runs_under_its_names(derivations: dict, kernel: str,
                                                                tmp_path: Path) -> None:
    from derive.notes import files as files_module
    from derive.notes.request import NotesRequest as Request

    d = derivations["mazur"]
    text = files_module.files(d, Request(("ipynb",), "en", "matrix"))["walkthrough.ipynb"]
    module = "".join(json.loads(text)["cells"][-5]["source"])
    for name in ("z1_1 = ", "a1_1 = sigmoid(z1_1)", "a2_2 = sigmoid(z2_2)", "dE_dW2_11 = ", '"W1_11": ', "y1 = Y[:, 0]"):
        assert name in module, name
    assert not re.search(r"\b(out_h1|net_o1|w5|dE_dw5|E_total)\b", module.split('"""', 2)[2])
    update_text, train_text = printed(execute(text, tmp_path, kernel))
    back = {code: name for name, code in MATRIX_NAMES.items()}

    def spec_names(lines: str) -> str:
        return "\n".join(" ".join([back[line.split()[0]], *line.split()[1:]]) for line in lines.splitlines())

    assert mismatches(d, spec_names(update_text), spec_names(train_text)) == []


def test_a_chinese_notebook_explains_its_code_in_chinese_under_the_textbook_names() -> None:
    from derive.notes import files as files_module
    from derive.notes.request import NotesRequest as Request

    d = derivation.build(network.build(spec.load_preset("textbook")), history_steps=(1,))
    nb = json.loads(files_module.files(d, Request(("ipynb",), "zh", "textbook"))["walkthrough.ipynb"])
    module = "".join(nb["cells"][-5]["source"])
    docstrings = re.findall(r'"""(.*?)"""', module, re.DOTALL)
    assert len(docstrings) >= 8
    # every docstring is Chinese: none is an English sentence (four Latin words in a row)
    assert [text for text in docstrings if re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+", text)] == []
    assert "网络描述中的初始值" in module and "每一行的 E。" in module
    # the textbook's names: alpha_h, b_h, beta_j, y-hat_j, y_j and E
    for line in ("alpha1 = -gamma1 + v11*x1 + v21*x2", "b1 = sigmoid(alpha1)", "yhat1 = sigmoid(beta1)",
                 "y1 = Y[:, 0]", "return E1 + E2"):
        assert line in module, line
    assert "E_total" not in module and "net_h1" not in module and "out_y1" not in module


def test_a_chinese_notebook_with_an_optimizer_explains_it_in_chinese() -> None:
    from derive.notes import files as files_module
    from derive.notes.request import NotesRequest as Request

    d = derivation.build(network.build(spec.load_preset("mazuradam")), history_steps=(1,))
    nb = json.loads(files_module.files(d, Request(("ipynb",), "zh"))["walkthrough.ipynb"])
    module = "".join(nb["cells"][-5]["source"])
    english = re.compile(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+ [A-Za-z]+")
    assert [t for t in re.findall(r'"""(.*?)"""', module, re.DOTALL) if english.search(t)] == []
    assert [line for line in module.splitlines() if "# " in line and english.search(line.split("# ", 1)[1])] == []
    assert "# 更新规则：Adam" in module and "按 Adam 用当前梯度做一次更新" in module
