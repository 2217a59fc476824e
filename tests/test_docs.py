"""The documentation is run: every command and code block of README.md and docs/ is executed, so that no
example goes stale, and the site builds with `mkdocs build --strict`.

Each page runs in a fresh directory holding a copy of examples/, its blocks in order:
- ```sh: each line a command (`&&` joins commands; `#` starts a comment; a trailing `# exit N` expects
  that exit status, else 0). `derive ...` runs in-process, `python ...` as a child process; `pip ...`
  and `python -m pytest` are set-up, left to CI, which runs them before the tests.
- ```console: `$ command` lines, each followed by the standard output it prints (a line `...` stands
  for any number of lines).
- ```python: run in one namespace per page.
- ```ipython: a notebook cell: `%load_ext derive`, or a `%%derive` cell magic run on the cell's text.
- ```toml: must be TOML.
- a block with a title names a file (```toml title="net.toml"): a file that is not there yet is written
  with the block (the reader writes it too); one that is (```markdown title="output/mazur/en/walkthrough.md",
  made by a command above) must hold each part of the block between `...` lines.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from derive.cli import main

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)
TITLE = re.compile(r'title="([^"]+)"')
EXIT = re.compile(r"\s+#\s*exit (\d+)\s*$")
SETUP = ("pip ", "python -m pytest")


@dataclass(frozen=True)
class Block:
    lang: str
    title: str | None
    body: str
    line: int

    def where(self, page: Path) -> str:
        return f"{page.relative_to(ROOT)}:{self.line}"


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page, in order, with the line each opens on."""
    found = []
    for m in FENCE.finditer(text):
        indent = len(m.group("indent"))
        body = "\n".join(line[indent:] for line in m.group("body").splitlines()) + "\n"
        title = TITLE.search(m.group("attrs"))
        line = text.count("\n", 0, m.start()) + 1
        found.append(Block(m.group("lang"), title.group(1) if title else None, body, line))
    return found


def commands(body: str) -> list[tuple[str, int]]:
    """(command, expected exit status) of each command of an sh block."""
    found = []
    for line in body.replace("\\\n", " ").splitlines():
        status = EXIT.search(line)
        line = EXIT.sub("", line).strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("&&")]
        found += [(p, 0) for p in parts[:-1]] + [(parts[-1], int(status.group(1)) if status else 0)]
    return found


def run_command(command: str) -> tuple[int, str, str]:
    """Run one documented command in the current directory: exit status, stdout, stderr."""
    argv = shlex.split(command, comments=True)
    if argv[0] == "derive":
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv[1:])
        return status, out.getvalue(), err.getvalue()
    if argv[0] == "python":
        result = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, check=False)
        return result.returncode, result.stdout, result.stderr
    raise AssertionError(f"a documented command runs derive or python, not {argv[0]!r}")


def matches(expected: list[str], got: list[str]) -> bool:
    """The printed lines against the documented ones, where `...` stands for any number of lines."""
    if not expected:
        return not got
    if expected[0] == "...":
        return any(matches(expected[1:], got[k:]) for k in range(len(got) + 1))
    return bool(got) and got[0] == expected[0] and matches(expected[1:], got[1:])


def console(body: str) -> list[tuple[str, list[str]]]:
    """($ command, the lines it prints) of a console block."""
    found: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif found:
            found[-1][1].append(line)
    return found


def run_block(block: Block, page: Path, namespace: dict[str, object]) -> None:
    where = block.where(page)
    if block.title:
        file_block(block, where)
    elif block.lang in ("sh", "bash"):
        for command, status in commands(block.body):
            if command.startswith(SETUP):
                continue
            code, _, err = run_command(command)
            assert code == status, f"{where}: {command}: exit {code}, expected {status}\n{err}"
    elif block.lang == "console":
        for command, lines in console(block.body):
            code, out, err = run_command(command)
            assert code in (0, 1), f"{where}: {command}: exit {code}\n{err}"
            assert matches(lines, out.splitlines()), f"{where}: {command} printed\n{out}"
    elif block.lang == "python":
        exec(compile(block.body, where, "exec"), namespace)
    elif block.lang == "ipython":
        notebook_cell(block.body, where)
    elif block.lang == "toml":
        tomllib.loads(block.body)


def notebook_cell(body: str, where: str) -> None:
    """`%load_ext derive` (nothing to run outside a kernel) or a `%%derive` cell, run as the magic runs it."""
    from derive.api.jupyter import derive_magic

    first, _, cell = body.partition("\n")
    if first.strip() == "%load_ext derive":
        assert not cell.strip(), where
        return
    assert first.startswith("%%derive "), f"{where}: a notebook cell of the docs is `%load_ext derive` or `%%derive`"
    derive_magic(first.removeprefix("%%derive "), cell)


def file_block(block: Block, where: str) -> None:
    """A block naming a file: written when the file is not there yet, else each of its parts found in it."""
    assert block.title is not None
    if block.lang == "toml":
        tomllib.loads(block.body)
    path = Path(block.title)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.body, encoding="utf-8")
        return
    text = path.read_text(encoding="utf-8")
    for part in re.split(r"^[ \t]*\.\.\.[ \t]*\n", block.body, flags=re.M):
        assert part.strip("\n") in text, f"{where}: not in {block.title}:\n{part}"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_example_of_the_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks(page.read_text(encoding="utf-8")):
        run_block(block, page, namespace)


def test_the_runner_reads_blocks_commands_and_output() -> None:
    page = ("text\n\n```sh\nderive list && derive render mazur  # exit 1\n# a comment\n```\n\n"
            "  ```python\n  x = 1\n  ```\n")
    found = blocks(page)
    assert [(b.lang, b.line) for b in found] == [("sh", 3), ("python", 8)] and found[1].body == "x = 1\n"
    assert commands(found[0].body) == [("derive list", 0), ("derive render mazur", 1)]
    assert matches(["a", "...", "z"], ["a", "b", "c", "z"]) and not matches(["a", "z"], ["a", "b", "z"])
    assert console("$ derive list\nmazur\n$ derive x\n") == [("derive list", ["mazur"]), ("derive x", [])]


def test_the_runner_fails_a_stale_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    stale = Block("console", None, "$ derive list\nmazur\tThe classic example\n", 1)
    with pytest.raises(AssertionError, match="printed"):
        run_block(stale, ROOT / "README.md", {})
    with pytest.raises(AssertionError, match="exit 2, expected 0"):
        run_block(Block("sh", None, "derive render nope\n", 1), ROOT / "README.md", {})


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs is a test extra")
def test_the_site_builds_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            capture_output=True, text=True, cwd=ROOT, check=False,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr
    reference = (tmp_path / "site" / "reference" / "commands" / "index.html").read_text(encoding="utf-8")
    assert all(f"derive {name}" in reference for name in ("render", "code", "train", "check", "exercise", "grade"))
    assert "--time-limit" in reference  # generated from the parser, not written twice
    api = (tmp_path / "site" / "reference" / "python" / "index.html").read_text(encoding="utf-8")
    assert "derive.api.network.Network.check" in api  # from the docstrings
