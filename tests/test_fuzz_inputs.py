"""Fuzzed as a careful attacker and a careless user would: documents (line endings, encodings,
notebooks), hand-in folders (names, special files, symbolic links), the CSV written from them, output
folders, and signals while the command loads and writes.

Every case ends in a report, or in one line on stderr with exit status 2 (never a traceback); no file
is damaged (an earlier output, a hand-in, a file outside the output folder); nothing is run: a canary
(a file a payload would create, a variable it would set) shows any evaluation. Run with `-s` to see
how many cases each part ran.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from derive import writing
from derive.api.results import others as _others
from derive.cli import main
from derive.course import files as exercise_files
from derive.course import report
from derive.maths import derivation
from derive.model import network, spec
from derive.notes.files import RenderFiles
from derive.reader import annotate
from derive.reader.document import DocumentError, check_document
from derive.reader.report import to_text
from tests.helpers import MAZUR

ROOT = Path(__file__).resolve().parents[1]
COUNTS: Counter[str] = Counter()
# The same cases on every run (a failure is reproduced by running again), no time limit per case.
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
                database=None, derandomize=True)

# What would show that something was run: a file created in the working directory, a variable set.
CANARY_FILE = "DERIVE_CANARY"
PAYLOADS = [
    f"__import__('os').system('touch {CANARY_FILE}')",
    "__import__('builtins').__setattr__('DERIVE_CANARY', 1)",
    f"open('{CANARY_FILE}', 'w')",
    f"exec(\"open('{CANARY_FILE}', 'w')\")",
    "lambda: __import__('builtins').__setattr__('DERIVE_CANARY', 1)",
    f"\\immediate\\write18{{touch {CANARY_FILE}}}",
    f"\\input{{{CANARY_FILE}}}",
    "{{ self.__init__.__globals__ }}",
    "${__import__('os').getcwd()}$",
]


def _alive_canary() -> list[str]:
    found = []
    if Path(CANARY_FILE).exists():
        found.append("a file was created")
    if hasattr(builtins, "DERIVE_CANARY"):
        found.append("a variable was set")
    return found


@pytest.fixture(scope="module", autouse=True)
def _summary(tmp_path_factory: pytest.TempPathFactory):
    """Work in a scratch directory (the canary's file would appear there); print the counts at the end."""
    saved = Path.cwd()
    os.chdir(tmp_path_factory.mktemp("fuzz-cwd"))
    try:
        yield
    finally:
        os.chdir(saved)
        print("\nfuzz cases: " + ", ".join(f"{name} {count}" for name, count in sorted(COUNTS.items())))


def _one_line(code: int, err: str) -> None:
    assert code == 2 and err.count("\n") == 1 and err.startswith("derive: ") and "Traceback" not in err, err


def _cli(argv: list[str]) -> tuple[int, str, str]:
    """main() in-process; any exception it lets out is a traceback a user would have seen."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    assert not _alive_canary()
    return code, out.getvalue(), err.getvalue()


_MAZUR: list[derivation.Derivation] = []


def _mazur() -> derivation.Derivation:
    if not _MAZUR:
        _MAZUR.append(derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,)))
    return _MAZUR[0]


# 1. Documents: line endings, encodings, notebooks

FRAGMENTS = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "{", "}", "\\begin{equation}", "\\end{equation}", "\\begin{align}",
             "\\end{align}", "\\\\", "&", "=", " = ", "0.593269992", "0.75136507", "-0.3775", "out_{h1}", "out_{o1}",
             "E_{total}", "w_5", "\\frac{\\partial E_{total}}{\\partial w_5}", "\\sigma(", ")", "\\text{", "\n", "\n",
             "\n\n", "```", "    ", "# ", "## Updating the weights", "> ", "- ", "\t", "\x00", "\ufeff", "\u2028",
             "π", "∂", "中文", "<!--", "-->", "\\newenvironment{e}{\\begin{equation}}{\\end{equation}}",
             "\\newcommand{\\x}{", "\\def\\y#1{", "\\section{Forward}", "% comment", "![x](http://t.example/p.png)",
             "variant: 1", "**variant: 2**", *PAYLOADS]
NOISE = st.lists(st.sampled_from(FRAGMENTS), max_size=6).map("".join)
# Whole blocks a homework is made of (claims right and wrong, inline and displayed, over several lines),
# so that verdicts and their lines are there to compare; and noise between them.
BLOCKS = ["The hidden neuron: $out_{h1} = 0.593269992$ and $out_{h2} = 0.6$.",
          "$$\nout_{o1} = 0.75136507\n$$", "$$\nE_{total} =\n0.298371109\n$$",
          "\\[\n\\frac{\\partial E_{total}}{\\partial w_5} = 0.082167041\n\\]",
          "\\begin{align}\nout_{h1} &= \\sigma(net_{h1}) \\\\\n&= 0.593269992 \\\\\nout_{o1} &= 0.7\n\\end{align}",
          "\\begin{equation} out_{h2} = 0.596884378 \\end{equation}", "## Updating the weights",
          "and in the same way $w_4 = 0.29950299$.", "- a list: $w_5^{+} = 0.35891648$", "> quoted $out_{h1} = 0.5$",
          "```\n$out_{h1} = 12$\n```", "", "", "Prose with no maths."]
DOCUMENT = st.lists(st.one_of(st.sampled_from(BLOCKS), NOISE), max_size=16).map("\n".join)
HOMEWORK = (ROOT / "examples" / "homework" / "mazur.md").read_text(encoding="utf-8")


def _endings(text: str, rng: random.Random) -> dict[str, str]:
    """`text` (with \\n) saved with CRLF, CR and mixed breaks; a mixed \\r never meets the next line's
    \\n (a \\r followed by \\n is one Windows break, not two lines)."""
    lines = text.split("\n")
    mixed = []
    for k, line in enumerate(lines[:-1]):
        nxt = lines[k + 1]
        choice = rng.choice(["\n", "\r\n", "\r"])
        mixed.append(line + ("\r\n" if choice == "\r" and nxt == "" else choice))
    mixed.append(lines[-1])
    return {"crlf": text.replace("\n", "\r\n"), "cr": text.replace("\n", "\r"), "mixed": "".join(mixed)}


def _read(kind: str, text: str):
    try:
        return check_document(_mazur(), kind, text)
    except DocumentError:
        return None


@settings(FAST, max_examples=150)
@given(DOCUMENT, st.sampled_from(["md", "tex"]), st.randoms(use_true_random=False))
@example(HOMEWORK, "md", random.Random(1))
def test_a_document_saved_on_any_machine_reads_the_same(text: str, kind: str, rng: random.Random) -> None:
    text = text.replace("\r", "")  # the fragments' own breaks are \n; the endings below add the others
    lf = _read(kind, text)
    COUNTS["claims judged (line endings)"] += 0 if lf is None else len(lf.found)
    for ending, saved in _endings(text, rng).items():
        COUNTS["documents (line endings)"] += 1
        got = _read(kind, saved)
        assert (got is None) == (lf is None), ending
        if lf is None:
            continue
        assert to_text(got, 9) == to_text(lf, 9), ending
        written = annotate.annotated(kind, saved, got, 9)
        assert re.sub(r"\r\n?", "\n", written) == annotate.annotated(kind, text, lf, 9), ending
        for s in got.spans:
            assert 0 <= s.span.start <= s.span.end <= len(s.text.text)
            assert 1 <= s.line <= s.end_line <= len(re.findall(r"\r\n|\r|\n", saved)) + 1
    assert not _alive_canary()


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1", "gb18030", "cp1252"]


@settings(FAST, max_examples=60)
@given(DOCUMENT, st.sampled_from(["md", "tex", "txt", "claims"]), st.sampled_from(ENCODINGS),
       st.binary(max_size=8), st.booleans())
def test_a_document_in_any_encoding(tmp_path_factory: pytest.TempPathFactory, text: str, suffix: str, encoding: str,
                                    junk: bytes, annotated: bool) -> None:
    COUNTS["documents (encodings, bytes)"] += 1
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    path = folder / f"hw.{suffix}"
    path.write_bytes(text.encode(encoding, errors="replace") + junk)
    out = folder / f"annotated.{'md' if suffix in ('txt', 'claims') else suffix}"
    argv = ["check", "mazur", str(path)] + (["--annotate", str(out)] if annotated else [])
    code, _, err = _cli(argv)
    if code == 2:
        _one_line(code, err)
        assert not out.exists()
    else:
        assert code in (0, 1) and err == ""


JSON = st.recursive(st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=12)
CELL = st.one_of(JSON, st.fixed_dictionaries({"cell_type": st.sampled_from(["markdown", "code", "raw", 3]),
                                              "source": st.one_of(DOCUMENT, st.lists(DOCUMENT, max_size=3), JSON)}))
NOTEBOOK = st.one_of(
    JSON,
    st.fixed_dictionaries({"nbformat": st.sampled_from([4, 4.0, 3, 1, "4", None, True]),
                           "cells": st.one_of(st.lists(CELL, max_size=4), JSON)}),
    st.integers(1, 150_000).map(lambda n: "[" * n + "]" * n),
)


@settings(FAST, max_examples=80)
@given(NOTEBOOK)
def test_any_notebook(tmp_path_factory: pytest.TempPathFactory, notebook: object) -> None:
    COUNTS["notebooks"] += 1
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    path = folder / "hw.ipynb"
    path.write_text(notebook if isinstance(notebook, str) else json.dumps(notebook), encoding="utf-8")
    code, _, err = _cli(["check", "mazur", str(path), "--annotate", str(folder / "out.ipynb")])
    if code == 2:
        _one_line(code, err)
        assert not (folder / "out.ipynb").exists()
    else:
        assert code in (0, 1) and err == ""
        json.loads((folder / "out.ipynb").read_text(encoding="utf-8"))  # the annotated copy is a notebook


# 2. Hand-in folders (names, special files, symbolic links) and the CSV written from them

SECRET = "the teacher's private key: 7f3a9c"


@pytest.fixture(scope="module")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz-exercise") / "ex"
    assert main(["exercise", "mazur", "--variants", "2", "--seed", "1", "--out", str(folder)]) == 0
    return folder


NAME = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=16).filter(
    lambda n: n not in (".", "..") and len(n.encode()) < 200)
PREFIX = st.sampled_from(["", "=", "+", "-", "@", " ", "\t", "=HYPERLINK(\"e.example\")", "=cmd|' -C calc'!A0"])
SUFFIX = st.sampled_from([".claims", ".md", ".txt", ".tex", ".ipynb", ".csv", ""])
KINDS = ["right", "wrong", "markdown", "notebook", "payload", "junk", "empty", "crlf", "fifo", "link to the secret",
         "dangling link", "link to a folder", "folder"]


def _entry(folder: Path, name: str, kind: str, outside: Path) -> None:
    path = folder / name
    if kind == "right":
        path.write_text("variant: 1\nout_o1 = 0.7513650696\n", encoding="utf-8")
    elif kind == "wrong":
        path.write_text("variant: 2\nstudent: =1+1\nout_o1 = 0.5\nE_total = 3\n", encoding="utf-8")
    elif kind == "markdown":
        path.write_text("# HW\n\nvariant: 1\n\n$out_{o1} = 0.75$ ![p](http://t.example/p.png)\n", encoding="utf-8")
    elif kind == "notebook":
        cells = [{"cell_type": "markdown", "metadata": {}, "source": ["variant: 2\n", "$E_{total} = 0.3$"]},
                 {"cell_type": "code", "metadata": {}, "source": PAYLOADS[0], "outputs": [], "execution_count": None}]
        path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}),
                        encoding="utf-8")
    elif kind == "payload":
        path.write_text("variant: 1\n" + "".join(f"out_o1 = {p}\n" for p in PAYLOADS), encoding="utf-8")
    elif kind == "junk":
        path.write_bytes(bytes(random.Random(name).randrange(256) for _ in range(64)))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "crlf":
        path.write_bytes(b"variant: 1\r\nout_o1 = 0.75\r\n")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to the secret":
        path.symlink_to(outside / "secret.txt")
    elif kind == "dangling link":
        path.symlink_to(outside / "nowhere")
    elif kind == "link to a folder":
        path.symlink_to(outside, target_is_directory=True)
    else:
        path.mkdir()


def _state(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry under `root`: its kind and a regular file's bytes, links not followed."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            mode = path.lstat().st_mode
            kind = stat.S_IFMT(mode)
            data = path.read_bytes() if stat.S_ISREG(mode) else os.readlink(path).encode() if stat.S_ISLNK(mode) else b""
            found[path.relative_to(root).as_posix()] = (str(kind), data)
    return found


@settings(FAST, max_examples=30)
@given(st.lists(st.tuples(PREFIX, NAME, SUFFIX, st.sampled_from(KINDS)), min_size=1, max_size=6,
                unique_by=lambda e: e[0] + e[1] + e[2]))
def test_any_handin_folder(tmp_path_factory: pytest.TempPathFactory, key_dir: Path,
                           entries: list[tuple[str, str, str, str]]) -> None:
    COUNTS["hand-in folders"] += 1
    COUNTS["hand-ins"] += len(entries)
    base = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    handins, outside, out = base / "handins", base / "outside", base / "grades"
    handins.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(f"variant: 1\n{SECRET}\n", encoding="utf-8")
    for prefix, name, suffix, kind in entries:
        _entry(handins, prefix + name + suffix, kind, outside)
    before, beside = _state(handins), _state(outside)
    code, stdout, err = _cli(["grade", str(key_dir), str(handins), "--jobs", "1", "--out", str(out)])
    assert _state(handins) == before and _state(outside) == beside  # a FIFO stays a FIFO, links untouched
    visible = [e for e in entries if not (e[0] + e[1]).startswith(".") and e[3] != "folder"]
    if code == 2:  # no hand-in to grade: every entry hidden, a folder, or a file that is no hand-in
        _one_line(code, err)
        assert "no hand-ins" in err and not out.exists()
        return
    assert code == 0 and err == "" and stdout.strip().endswith("report.html")
    rows = list(__import__("csv").reader(io.StringIO((out / "grades.csv").read_text(encoding="utf-8"), newline="")))
    skipped = json.loads((out / "grades.json").read_text(encoding="utf-8"))["skipped"]
    assert len(rows) - 1 + len(skipped) == len(visible)  # every entry a row, or said to be left out
    COUNTS["CSV cells"] += sum(len(r) for r in rows)
    for row in rows:
        for cell in row:
            _spreadsheet_safe(cell)
    for path in out.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def _spreadsheet_safe(cell: str) -> None:
    """Nothing a spreadsheet evaluates: a formula's sign first (but in a plain number), or a control character."""
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in cell), cell
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cell):
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), cell


# 3. Output folders: whatever is in them, a run replaces its own files only, or changes nothing

PLACES = ["walkthrough.md", "walkthrough.pdf", "walkthrough.tex", "figures", "figures/network.svg", "figures/old.svg",
          "key.json", "grades.json", "grades.csv", "sheets", "sheets/variant-1.md", "sheets/0001-a.txt",
          "sheets/notes.txt", "keys", "keys/variant-1.md", "notes.txt", "sub", "sub/deep.txt", ".hidden"]
PLACE_KINDS = ["file", "file", "file", "folder", "fifo", "link to an outside file", "link to an outside folder",
               "link inside", "dangling link"]
COMMANDS = {
    "render md": ({"walkthrough.md": "new md", "figures/network.svg": "<svg/>", "figures/loss.svg": "<svg/>"},
                  RenderFiles(("md",)), _others("derive render")),
    "render tex": ({"walkthrough.tex": "new tex"}, RenderFiles(("tex",)), _others("derive render")),
    "exercise": ({"key.json": "{}", "key.csv": "variant\n", "sheets/variant-1.md": "sheet",
                  "sheets/figures/variant-1.svg": "<svg/>", "keys/variant-1.md": "key"},
                 exercise_files.is_exercise_file, _others("derive exercise")),
    "grade": ({"grades.csv": "student\n", "grades.json": "{}", "report.html": "<p>", "sheets/0001-b.txt": "b"},
              report.is_report_file, _others("derive grade")),
}


def _place(root: Path, relative: str, kind: str, outside: Path) -> None:
    path = root / relative
    if path.parent.is_symlink() or not _is_real_dir(root, path.parent):
        return  # a place under a link or a file: left as it is
    if os.path.lexists(path):
        return
    if kind == "file":
        path.write_text(f"earlier {relative}", encoding="utf-8")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "link to an outside file":
        path.symlink_to(outside / "precious.txt")
    elif kind == "link to an outside folder":
        path.symlink_to(outside, target_is_directory=True)
    elif kind == "link inside":
        path.symlink_to(root / "notes.txt")
    else:
        path.symlink_to(root / "gone")


def _is_real_dir(root: Path, folder: Path) -> bool:
    """`folder` is a directory reached from `root` through directories only (no link on the way)."""
    if folder == root:
        return True
    if not folder.is_relative_to(root):
        return False
    for part in [folder, *folder.parents]:
        if part == root:
            return True
        if part.is_symlink() or not part.is_dir():
            return False
    return False


@settings(FAST, max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(PLACES), st.sampled_from(PLACE_KINDS)), max_size=8),
       st.sampled_from(sorted(COMMANDS)), st.booleans())
def test_any_output_folder(tmp_path_factory: pytest.TempPathFactory, places: list[tuple[str, str]], command: str,
                           exists: bool) -> None:
    COUNTS["output folders"] += 1
    base = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    out, outside = base / "out", base / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("precious", encoding="utf-8")
    if exists or places:
        out.mkdir()
    for relative, kind in places:
        if not os.path.lexists((out / relative).parent):
            (out / relative).parent.mkdir()
        _place(out, relative, kind, outside)
    new, ours, others = COMMANDS[command]
    before, beside = _state(out) if out.exists() else {}, _state(outside)
    try:
        writing.write_tree(out, new, ours, others)
    except writing.WriteError as exc:
        COUNTS["output folders refused"] += 1
        assert "\n" not in str(exc)
        assert (_state(out) if out.exists() else {}) == before
    else:
        COUNTS["output folders written"] += 1
        after = _state(out)
        for relative, content in new.items():
            assert after[relative] == (str(stat.S_IFREG), content.encode()), relative
        for relative, (kind, data) in before.items():
            mine = kind == str(stat.S_IFREG) and ours(PurePosixPath(relative))
            if relative in new or mine or kind == str(stat.S_IFDIR):
                continue
            assert after.get(relative) == (kind, data), relative  # another's file, a link, a FIFO: as it was
        for relative, (kind, _) in before.items():
            if kind == str(stat.S_IFREG) and ours(PurePosixPath(relative)) and relative not in new:
                assert relative not in after, relative  # the earlier run's own file that the new set lacks
    assert _state(outside) == beside
    assert [p.name for p in base.iterdir() if ".derive-" in p.name] == []


# 4. Signals while the command loads, works and writes

def _handler_installed(pid: int) -> bool:
    """SIGTERM is caught by the process: the command's handlers are in place."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = int(re.search(r"^SigCgt:\s*([0-9a-f]+)$", status, re.MULTILINE).group(1), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc to see the handlers installed")
def test_signals_at_random_moments(tmp_path: Path) -> None:
    spec_path = tmp_path / "net.toml"
    spec_path.write_text(MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1, 2]"), encoding="utf-8")
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "derive", "render", str(spec_path), "--out", str(out), "--format", "all"]
    if shutil.which("latexmk") is None:
        argv[-1] = "html"
    assert subprocess.run(argv[:-2], cwd=tmp_path, capture_output=True, timeout=300).returncode == 0
    earlier = _state(out)
    rng = random.Random(26)
    outcomes: Counter[str] = Counter()
    for k in range(10):
        sent = (signal.SIGINT, signal.SIGTERM)[k % 2]
        process = subprocess.Popen(argv + ["--digits", str(4 + k % 5)], cwd=tmp_path, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        while not _handler_installed(process.pid) and process.poll() is None and time.monotonic() - started < 30:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 2.5))
        process.send_signal(sent)
        _, err = process.communicate(timeout=300)
        COUNTS["signals"] += 1
        if process.returncode == 0:
            outcomes["finished"] += 1
            assert err == "" and _state(out) != earlier  # a whole new render
            earlier = _state(out)
            continue
        outcomes["stopped"] += 1
        expected = (130, "derive: interrupted\n") if sent == signal.SIGINT else (143, "derive: terminated\n")
        assert (process.returncode, err) == expected
        assert _state(out) == earlier  # the earlier render exactly as it was
        assert [p.name for p in tmp_path.iterdir() if ".derive-" in p.name] == []
    COUNTS.update({f"signals {outcome}": count for outcome, count in outcomes.items()})
    assert outcomes["stopped"] >= 3, outcomes
