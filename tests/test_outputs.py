"""Outputs never eat each other's files: a render keeps the other formats' files, one command never writes
into another's folder, nothing but a regular file is replaced and nothing is written through a symbolic
link; and the command line's rough edges: start-up signals, encodings, limits, races, the offline page."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

from derive import writing
from derive.cli import main
from tests.helpers import MAZUR, run, write_spec

SMALL = MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1, 2]")
ROOT = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry under `root`, its kind and (for a file) its bytes, links not followed."""
    found = {}
    for path in sorted(root.rglob("*")):
        mode = path.lstat().st_mode
        kind = "link" if stat.S_ISLNK(mode) else "fifo" if stat.S_ISFIFO(mode) else "dir" if stat.S_ISDIR(mode) else "file"
        found[path.relative_to(root).as_posix()] = (kind, path.read_bytes() if kind == "file" else b"")
    return found


def _one_line(code: int, err: str) -> None:
    assert code == 2 and err.count("\n") == 1 and err.startswith("derive: error: ") and "Traceback" not in err, err


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".derive-" in p.name)


@pytest.fixture(scope="module")
def exercise(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("course") / "ex"
    assert main(["exercise", "mazur", "--variants", "2", "--seed", "1", "--out", str(folder)]) == 0
    return folder


@pytest.fixture(scope="module")
def handins(exercise: Path) -> Path:
    folder = exercise.parent / "handins"
    folder.mkdir(exist_ok=True)
    (folder / "ann.claims").write_text("variant: 1\nout_o1 = 0.7\n", encoding="utf-8")
    (folder / "bob.md").write_text("variant: 2\n\n$E_{total} = 0.3$\n", encoding="utf-8")
    return folder


# A render keeps the files of the formats it does not write

def test_a_teachers_earlier_pdf_stays(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = write_spec(tmp_path, SMALL), tmp_path / "out"
    out.mkdir()
    for name in ("walkthrough.pdf", "walkthrough.html", "walkthrough.ipynb", "walkthrough.tex"):
        (out / name).write_bytes(b"the teacher's own " + name.encode())
    before = _tree(out)
    assert main(["render", str(spec), "--out", str(out)]) == 0
    after = _tree(out)
    assert {k: v for k, v in after.items() if k in before} == before
    assert "walkthrough.md" in after and any(k.startswith("figures/") for k in after)


# One command never writes into another's folder

@pytest.mark.parametrize(("argv", "owner"), [
    (["grade", "{ex}", "{handins}", "--jobs", "1", "--out", "{ex}"], "derive exercise"),
    (["render", "mazur", "--out", "{ex}"], "derive exercise"),
    (["exercise", "mazur", "--variants", "1", "--out", "{grades}"], "derive grade"),
    (["render", "mazur", "--out", "{grades}"], "derive grade"),
    (["exercise", "mazur", "--variants", "1", "--out", "{notes}"], "derive render"),
    (["grade", "{ex}", "{handins}", "--jobs", "1", "--out", "{notes}"], "derive render"),
])
def test_another_commands_folder_is_refused(argv: list[str], owner: str, exercise: Path, handins: Path,
                                            tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    grades, notes = tmp_path / "grades", tmp_path / "notes"
    assert main(["grade", str(exercise), str(handins), "--jobs", "1", "--out", str(grades)]) == 0
    assert main(["render", "mazur", "--out", str(notes)]) == 0
    capsys.readouterr()
    before = {p: _tree(p) for p in (exercise, grades, notes)}
    places = {"ex": str(exercise), "handins": str(handins), "grades": str(grades), "notes": str(notes)}
    code, out, err = run([a.format(**places) for a in argv], capsys)
    _one_line(code, err)
    assert f"holds the output of {owner}" in err and out == ""
    assert {p: _tree(p) for p in before} == before


def test_a_render_inside_an_exercise_folder_is_not_eaten_by_the_next_exercise(handins: Path, tmp_path: Path) -> None:
    ex = tmp_path / "ex"
    assert main(["exercise", "mazur", "--variants", "2", "--out", str(ex)]) == 0
    assert main(["render", "mazur", "--out", str(ex / "sheets")]) == 0  # nor does it eat the sheets' figures
    assert main(["grade", str(ex), str(handins), "--jobs", "1", "--out", str(ex / "keys")]) == 0
    mine = {p: _tree(p) for p in (ex / "sheets", ex / "keys")}
    assert main(["exercise", "mazur", "--variants", "1", "--out", str(ex)]) == 0
    for folder, before in mine.items():
        after = _tree(folder)
        assert {k: v for k, v in before.items() if "variant-" not in k} == {k: v for k, v in after.items()
                                                                            if "variant-" not in k}
    assert not (ex / "sheets" / "variant-2.md").exists()  # the exercise's own earlier sheet is replaced


# Nothing but a regular file is replaced; nothing is written through a symbolic link

def _special(place: Path, kind: str, outside: Path) -> None:
    place.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(place)
    elif kind == "link to a file":
        (outside / "target.txt").write_text("not derive's")
        place.symlink_to(outside / "target.txt")
    elif kind == "link to a folder":
        place.symlink_to(outside, target_is_directory=True)
    elif kind == "device":
        try:
            os.mknod(place, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")


@pytest.mark.parametrize("kind", ["fifo", "link to a file", "device"])
@pytest.mark.parametrize("command", ["render", "exercise", "grade"])
def test_a_special_file_where_a_file_goes_is_refused(command: str, kind: str, exercise: Path, handins: Path,
                                                      tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    place = {"render": "walkthrough.md", "exercise": "sheets/variant-1.md", "grade": "grades.csv"}[command]
    _special(out / place, kind, outside)
    before, beside = _tree(out), _tree(outside)
    argv = {"render": ["render", "mazur"], "exercise": ["exercise", "mazur", "--variants", "1"],
            "grade": ["grade", str(exercise), str(handins), "--jobs", "1"]}[command]
    code, _, err = run(argv + ["--out", str(out)], capsys)
    _one_line(code, err)
    assert f"{place}: is a " in err and "never replaced" in err
    assert _tree(out) == before and _tree(outside) == beside and _leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["render", "exercise", "grade"])
def test_nothing_is_written_through_a_linked_folder(command: str, exercise: Path, handins: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    outside.mkdir()
    folder = {"render": "figures", "exercise": "sheets", "grade": "sheets"}[command]
    _special(out / folder, "link to a folder", outside)
    argv = {"render": ["render", "mazur"], "exercise": ["exercise", "mazur", "--variants", "1"],
            "grade": ["grade", str(exercise), str(handins), "--jobs", "1"]}[command]
    code, _, err = run(argv + ["--out", str(out)], capsys)
    _one_line(code, err)
    assert f"{folder}: is a symbolic link" in err and list(outside.iterdir()) == []


def _nest(top: Path, depth: int) -> None:
    """`top/d/d/.../d`, `depth` folders deep."""
    path = top
    for _ in range(depth):
        path = path / "d"
        path.mkdir(parents=True)


def _unnest(top: Path, depth: int) -> None:
    """Remove what _nest made, from the bottom up (a recursive removal would exceed Python's stack)."""
    for level in range(depth, 0, -1):
        (top / "/".join(["d"] * level)).rmdir()


def test_a_folder_nested_1200_deep_in_the_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    _nest(out, 1200)
    try:
        code, _, err = run(["render", "mazur", "--out", str(out)], capsys)
        assert (code, err) == (0, "") and (out / "walkthrough.md").is_file() and (out / "d" / "d").is_dir()
    finally:
        _unnest(out, 1200)


def test_two_runs_into_one_new_folder_both_finish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run finds the folder the first made between its look and its rename (as two `derive
    grade` runs started together do): it replaces the first's set, as a later run would."""
    out = tmp_path / "grades"
    first = {"grades.csv": "first\n", "grades.json": "{}\n", "sheets/0001-a.txt": "a"}
    second = {"grades.csv": "second\n", "grades.json": "{}\n", "report.html": "<p>"}
    real_listing, calls = writing._listing, []

    def late(real: Path):
        calls.append(real)
        if len(calls) == 1:  # the other run commits right after this one looked
            writing.write_tree(out, first, lambda p: True)
            return None
        return real_listing(real)

    monkeypatch.setattr(writing, "_listing", late)
    writing.write_tree(out, second, lambda p: True)
    assert {p: v[1].decode() for p, v in _tree(out).items() if v[0] == "file"} == second
    assert _leftovers(tmp_path) == []


def test_two_grade_processes_into_one_new_folder(exercise: Path, handins: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades"
    argv = [sys.executable, "-m", "derive", "grade", str(exercise), str(handins), "--jobs", "1", "--out", str(out)]
    results: list[subprocess.CompletedProcess[str]] = []
    threads = [threading.Thread(target=lambda: results.append(subprocess.run(argv, capture_output=True, text=True,
                                                                             timeout=300, cwd=ROOT)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [(r.returncode, r.stderr) for r in results] == [(0, ""), (0, "")]
    assert sorted(p for p, v in _tree(out).items() if v[0] == "file") == [
        "canvas-grades.csv", "grades.csv", "grades.json", "moodle-grades.csv", "report.html",
        "sheets/0001-ann.claims.txt", "sheets/0002-bob.md.md"]
    assert _leftovers(tmp_path) == []


# --annotate writes nothing when the check ends in exit 2

@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_annotate_writes_nothing_when_nothing_could_be_checked(suffix: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "hw.md"
    doc.write_text("Prose, and $x + y = z$, nothing about the network.\n", encoding="utf-8")
    code, _, err = run(["check", "mazur", str(doc), "--annotate", str(tmp_path / f"out{suffix}")], capsys)
    _one_line(code, err)
    assert not (tmp_path / f"out{suffix}").exists()


# The line limit: 20,000 lines of a claims file or a document, counted as an editor counts them

@pytest.mark.parametrize(("kind", "ending"), [("claims", "\n"), ("md", "\n"), ("md", "\r\n"), ("claims", "\r")])
def test_the_line_limit(kind: str, ending: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    filler = "# a comment" if kind == "claims" else "prose"
    claim = "out_h1 = 0.593269992" if kind == "claims" else "$out_{h1} = 0.593269992$"
    path = tmp_path / f"hw.{kind}"
    path.write_bytes(ending.join([filler] * 19_999 + [claim, ""]).encode())  # 20,000 lines, the last ended
    assert main(["check", "mazur", str(path)]) == 0
    path.write_bytes(ending.join([filler] * 20_000 + [claim]).encode())  # 20,001
    code, _, err = run(["check", "mazur", str(path)], capsys)
    _one_line(code, err)
    assert "more than 20000 lines" in err


# Encodings of the output

def test_a_non_ascii_output_path_under_an_ascii_stdout(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "derive", "render", str(write_spec(tmp_path, SMALL)), "--out", "é"],
                            cwd=tmp_path, capture_output=True, timeout=300,
                            env={**os.environ, "PYTHONIOENCODING": "ascii"})
    assert (result.returncode, result.stderr, result.stdout) == (0, b"", b"\\xe9/walkthrough.md\n")
    assert (tmp_path / "é" / "walkthrough.md").is_file()


def test_too_few_open_files_for_the_jobs_is_one_line(exercise: Path, tmp_path: Path) -> None:
    hand = tmp_path / "handins"
    hand.mkdir()
    for k in range(8):
        (hand / f"s{k}.claims").write_text("variant: 1\nout_o1 = 0.7\n", encoding="utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (12, 12))

    result = subprocess.run([sys.executable, "-m", "derive", "grade", str(exercise), str(hand), "--jobs", "4", "--out",
                             str(tmp_path / "g")], capture_output=True, text=True, timeout=300, preexec_fn=limited,
                            cwd=ROOT)
    if result.returncode == 0:
        pytest.skip("this system leaves enough descriptors for a pool of 4")
    _one_line(result.returncode, result.stderr)
    assert "Too many open files" in result.stderr and "--jobs" in result.stderr
    assert not (tmp_path / "g").exists() and _leftovers(tmp_path) == []


# Signals while the command loads

# Loaded before anything else (as sitecustomize): sends the signal to its own process when the command
# first looks for `module`, while it loads.
_TRIP = """
import importlib.abc, os, signal, sys, time
module, sent = os.environ["DERIVE_TRIP_MODULE"], getattr(signal, os.environ["DERIVE_TRIP_SIGNAL"])
class Trip(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == module:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), sent)
            time.sleep(0.05)
        return None
sys.meta_path.insert(0, Trip())
"""


def _entry() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["derive"]


@pytest.mark.parametrize("module", ["derive.cli", "sympy", "gmpy2", "threading", "importlib.metadata", "mpmath",
                                    "derive.maths.derivation"])
@pytest.mark.parametrize(("sent", "expected"), [("SIGINT", (130, "derive: interrupted\n")),
                                                ("SIGTERM", (143, "derive: terminated\n"))])
def test_a_signal_while_the_command_loads(module: str, sent: str, expected: tuple[int, str], tmp_path: Path) -> None:
    """The installed command (pyproject's entry point), signalled while it loads `module`: one line, and
    the status of the signal (not a traceback, not the process killed, not the signal swallowed)."""
    (tmp_path / "sitecustomize.py").write_text(_TRIP, encoding="utf-8")
    target, _, function = _entry().partition(":")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "DERIVE_TRIP_MODULE": module,
           "DERIVE_TRIP_SIGNAL": sent}
    argv = ([sys.executable, "-m", "derive", "list"] if target == "derive.__main__" else
            [sys.executable, "-c", f"import {target} as m; m.{function}()", "list"])
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == expected and result.stdout == ""


# The offline page of an annotated document loads nothing

DOCUMENT = "# Homework\n\n![pixel](http://tracker.example/p.png) and ![](//cdn.example/x.svg)\n\n$out_{h1} = 0.593269992$\n"


def test_the_annotated_page_names_a_remote_image_and_never_loads_it(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "hw.md"
    doc.write_text(DOCUMENT, encoding="utf-8")
    assert main(["check", "mazur", str(doc), "--annotate", str(tmp_path / "hw.html")]) == 0
    page = (tmp_path / "hw.html").read_text(encoding="utf-8")
    assert "<img" not in page.replace("<img src=\"'+", "")  # KaTeX's own script writes the one it names
    assert "[image not loaded: pixel (http://tracker.example/p.png)]" in page
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in page


def test_the_offline_page_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.notes import browser

    if browser.missing() is not None:
        pytest.skip(str(browser.missing()))
    doc = tmp_path / "hw.md"
    doc.write_text(DOCUMENT, encoding="utf-8")
    assert main(["check", "mazur", str(doc), "--annotate", str(tmp_path / "hw.html")]) == 0
    page = (tmp_path / "hw.html").read_text(encoding="utf-8")
    sneaked = tmp_path / "sneaked.html"  # an image that got into the page all the same: the policy blocks it
    sneaked.write_text(page.replace("<main>", '<main><img src="http://tracker.example/q.png">'), encoding="utf-8")
    with browser.chromium(tmp_path / "profile") as chromium:
        clean = chromium.open(tmp_path / "hw.html")
        blocked = chromium.open(sneaked)
    assert clean.problems() == [] and clean.katex == clean.maths == 1
    assert blocked.katex == 1 and blocked.console_errors == [  # Chromium logs the request, then refuses it
        f"{sneaked.as_uri()} {blocked.console_errors[0].split()[1]} Loading the image 'http://tracker.example/q.png' "
        "violates the following Content Security Policy directive: \"img-src data:\". The action has been blocked."]


def test_a_failed_pdfs_log_is_never_written_through_a_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from derive.notes import files, pdf

    def failing(d: object, request: object) -> dict[str, str]:
        raise pdf.PdfFailed(pdf.first_error("! Undefined control sequence.\n"), "the log\n")

    monkeypatch.setattr(files, "files", failing)
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (outside / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "walkthrough.log").symlink_to(outside / "notes.txt")
    code, _, err = run(["render", "mazur", "--format", "pdf", "--out", str(out)], capsys)
    assert code == 1 and err.count("\n") == 1 and "its log could not be kept: is a symbolic link" in err
    assert (outside / "notes.txt").read_text(encoding="utf-8") == "mine" and (out / "walkthrough.log").is_symlink()


# Loaded before anything else (as sitecustomize): once the command line is loaded, its ending (after the
# work, its output flushed) first sends the signal to its own process.
_LATE = """
import importlib.abc, importlib.machinery, os, signal, sys, time
class Late(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "derive.cli":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module
        def exec_module(module):
            run(module)
            leave = module._leave
            def late(status):
                os.kill(os.getpid(), getattr(signal, os.environ["DERIVE_LATE_SIGNAL"]))
                time.sleep(0.05)
                leave(status)
            module._leave = late
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Late())
"""


@pytest.mark.parametrize("sent", ["SIGINT", "SIGTERM"])
def test_a_signal_after_the_work_leaves_its_status(sent: str, tmp_path: Path) -> None:
    """Ctrl-C as the command ends, the work done: the status and the output stand."""
    (tmp_path / "sitecustomize.py").write_text(_LATE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "DERIVE_LATE_SIGNAL": sent}
    result = subprocess.run([sys.executable, "-m", "derive", "list"], capture_output=True, text=True, timeout=120,
                            cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (0, "") and "\nmazur\t" in result.stdout
