"""The command line when things go wrong: failed and interrupted writes, special files, closed streams.

Every case ends with one line on stderr (or none, for a closed pipe), a stated exit status, no traceback,
and nothing half-written: an earlier render stays exactly as it was, and no temporary file stays behind.
Tests that need a real process (a resource limit, a signal, a closed descriptor) run one.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from derive import writing
from derive.cli import main
from derive.notes import files, pdf
from tests.helpers import MAZUR, run, write_spec

SMALL = MAZUR.replace("steps = [1, 10, 100, 1000, 10000]", "steps = [1, 2]")


def _derive(*argv: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "derive", *argv], capture_output=True, text=True, cwd=cwd,
                          timeout=300, **kwargs)  # type: ignore[call-overload]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".derive-" in p.name)


@pytest.fixture()
def rendered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A spec and an earlier render of it (Markdown and figures) in tmp_path/out."""
    spec = write_spec(tmp_path, SMALL)
    assert main(["render", str(spec), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    return spec, tmp_path / "out"


def _one_line(err: str) -> None:
    assert err.count("\n") == 1 and err.startswith("derive: ") and "Traceback" not in err, err


# Writes (issue 16, items 1, 2, 14; issue 15, item 9)

def test_code_written_to_a_copy_of_dev_null_leaves_the_device(tmp_path: Path) -> None:
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert main(["code", "mazur", "--out", str(node)]) == 0
    assert stat.S_ISCHR(node.stat().st_mode)


def test_code_written_to_a_copy_of_dev_full_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    code, _, err = run(["code", "mazur", "--out", str(node)], capsys)
    assert code == 2 and "No space left" in err and stat.S_ISCHR(node.stat().st_mode)
    _one_line(err)


def test_code_out_naming_a_directory_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "u.py").mkdir()
    code, _, err = run(["code", "mazur", "--out", str(tmp_path / "u.py")], capsys)
    assert code == 2 and "is a directory" in err and list((tmp_path / "u.py").iterdir()) == []
    _one_line(err)


def test_a_plot_is_written_to_a_fifo_without_reader_as_one_line(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "loss.svg"
    os.mkfifo(fifo)
    code, _, err = run(["train", "mazur", "--steps", "2", "--plot", str(fifo)], capsys)
    assert code == 2 and "FIFO without a reader" in err and stat.S_ISFIFO(fifo.stat().st_mode)
    _one_line(err)


def test_render_where_the_walkthrough_is_a_directory_writes_nothing(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "walkthrough.md").mkdir(parents=True)
    code, _, err = run(["render", str(write_spec(tmp_path, SMALL)), "--out", str(out)], capsys)
    assert code == 2 and "walkthrough.md: is a directory" in err
    _one_line(err)
    assert [p.name for p in out.rglob("*")] == ["walkthrough.md"] and _leftovers(tmp_path) == []


def test_a_render_replaces_the_files_of_its_formats_and_keeps_the_others(rendered: tuple[Path, Path],
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = rendered
    markdown = _tree(out)
    assert (out / "walkthrough.md").is_file() and list((out / "figures").iterdir())
    assert main(["render", str(spec), "--out", str(out), "--format", "tex"]) == 0
    assert _tree(out) == markdown | {"walkthrough.tex": (out / "walkthrough.tex").read_bytes()}  # the Markdown stays
    (out / "figures" / "paths-w99.svg").write_text("<svg/>")  # a figure of an earlier Markdown render
    assert main(["render", str(spec), "--out", str(out), "--digits", "4"]) == 0
    assert sorted(_tree(out)) == sorted(markdown) + ["walkthrough.tex"]  # ... which a new one replaces as a set


def test_a_file_size_limit_during_a_render_changes_nothing(rendered: tuple[Path, Path]) -> None:
    spec, out = rendered
    before = _tree(out)
    limit = max(len(b) for b in before.values()) // 2  # the walkthrough fits no longer; figures may

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # as `ulimit -f`, with the error returned, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = _derive("render", str(spec), "--out", str(out), "--digits", "12", cwd=out.parent, preexec_fn=limited)
    assert result.returncode == 2 and "File too large" in result.stderr
    _one_line(result.stderr)
    assert _tree(out) == before and _leftovers(out.parent) == []


_KILLED = """
import os, signal, sys
from derive import cli, writing
real, calls, sent = writing.as_bytes, [], getattr(signal, sys.argv[1])
def dying(content):
    calls.append(1)
    if len(calls) == 3:
        os.kill(os.getpid(), sent)
    return real(content)
writing.as_bytes = dying
sys.argv = ["derive", *sys.argv[2:]]
cli.run()
"""


def test_a_process_killed_inside_the_write_phase_leaves_the_earlier_set(rendered: tuple[Path, Path]) -> None:
    spec, out = rendered
    before = _tree(out)
    argv = ["render", str(spec), "--out", str(out), "--digits", "12"]
    killed = subprocess.run([sys.executable, "-c", _KILLED, "SIGKILL", *argv], capture_output=True, text=True,
                            timeout=300)
    assert killed.returncode == -signal.SIGKILL and _tree(out) == before
    assert len(_leftovers(out.parent)) == 1  # nobody can clean up after SIGKILL ...
    assert main(argv) == 0 and _leftovers(out.parent) == []  # ... so the next run does
    assert _tree(out) != before


def test_sigterm_inside_the_write_phase_cleans_up(rendered: tuple[Path, Path]) -> None:
    spec, out = rendered
    before = _tree(out)
    argv = ["render", str(spec), "--out", str(out), "--digits", "12"]
    result = subprocess.run([sys.executable, "-c", _KILLED, "SIGTERM", *argv], capture_output=True, text=True,
                            timeout=300)
    assert (result.returncode, result.stderr) == (143, "derive: terminated\n")
    assert _tree(out) == before and _leftovers(out.parent) == []


def test_ctrl_c_is_one_line(rendered: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = rendered
    before = _tree(out)

    def interrupted(content: str | bytes) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(writing, "as_bytes", interrupted)
    code, _, err = run(["render", str(spec), "--out", str(out), "--digits", "12"], capsys)
    assert (code, err) == (130, "derive: interrupted\n")
    assert _tree(out) == before and _leftovers(out.parent) == []


# Messages and exit status (issue 16, items 3, 9, 10, 11, 12; issue 15, items 7 and 9)

def test_an_unknown_key_is_escaped_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, '"evil\\u001b[2J\\nkey" = 1\n' + SMALL)
    code, _, err = run(["render", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "\x1b" not in err and "evil\\x1b[2J\\nkey: unknown key" in err
    _one_line(err)


@pytest.mark.parametrize("argv", [["list", "\x1b[2J\nx"], ["train", "mazur", "--plot", "a\x1b]0;t\x07.pdf"]])
def test_arguments_are_escaped_on_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and "\x1b" not in err and "\\x1b" in err
    _one_line(err)


def test_a_superscript_digit_is_refused_without_internal_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["render", "mazur", "--digits", "²"], capsys)
    assert code == 2 and "_digits" not in err and "expected a whole number from 1 to 30, got '²'" in err
    _one_line(err)


def test_with_stderr_closed_an_error_does_not_go_to_stdout(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "derive", "render", "mazur", "--digits", "²"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120,
                            preexec_fn=lambda: os.close(2))
    assert result.returncode == 2 and result.stdout == b""


@pytest.mark.parametrize("argv", [["list"], ["check", "mazur", "claims"]])
def test_standard_output_that_cannot_be_written_is_one_line(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "claims").write_text("out_h1 = 0.593269992\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "derive", *argv], cwd=tmp_path, stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=120)
    assert result.returncode == 2 and "cannot write standard output (No space left on device)" in result.stderr
    _one_line(result.stderr)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    claims = Path(__file__).resolve().parents[1] / "examples" / "claims" / "seed003_mazur.claims"
    process = subprocess.Popen([sys.executable, "-m", "derive", "check", "mazur", str(claims)], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head -0` would
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141 and err == b""


@pytest.mark.parametrize("kind", ["fifo", "zero", "directory"])
def test_a_special_file_as_claims_or_spec_is_refused(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "special"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    for argv in (["check", "mazur", str(path)], ["render", str(path), "--out", str(tmp_path / "o")]):
        result = _derive(*argv, cwd=tmp_path)  # a FIFO must not block, /dev/zero must not be read on
        assert result.returncode == 2 and "not a regular file" in result.stderr
        _one_line(result.stderr)


@pytest.mark.parametrize(("text", "why"), [
    ("", "no claims"), ("# only a comment\n\n", "no claims"),
    ("foo = bar + 1\nE_total[s9] = 2\n", "nothing could be checked"),
    ("out_h1 = sigmoid(q)\n", "nothing could be checked"),
])
def test_nothing_checkable_is_not_success(text: str, why: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    claims = tmp_path / "c.claims"
    claims.write_text(text, encoding="utf-8")
    code, out, err = run(["check", "mazur", str(claims)], capsys)
    assert code == 2 and why in err and "0 correct, 0 wrong" in out
    _one_line(err)


@pytest.mark.parametrize(("second", "why"), [("out_h1 = 0.59 ]]", "1 claim could not be checked (first: line 2)"),
                                            ("zzz@3 = 1\nqqq = out_h1 + r", "2 claims could not be checked (first: line 2)")])
def test_a_right_claim_beside_unchecked_ones_is_not_success(second: str, why: str, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    claims = tmp_path / "c.claims"
    claims.write_text(f"out_h1 = 0.593269992\n{second}\n", encoding="utf-8")
    code, _, err = run(["check", "mazur", str(claims)], capsys)
    assert code == 2 and why in err
    _one_line(err)


def test_a_file_named_like_a_preset_is_named_in_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("mazur").write_text("not = [toml\n", encoding="utf-8")
    code, out, err = run(["code", "mazur", "--out", "u.py"], capsys)
    assert code == 0 and err == ("derive: note: read the preset 'mazur'; to read the file of that name in the "
                                 "current directory, write ./mazur\n")
    code, _, err = run(["code", "./mazur", "--out", "u.py"], capsys)
    assert code == 2 and "mazur: malformed TOML" in err


def test_a_failed_pdf_keeps_its_log_beside_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    log = "This is XeTeX\n! Undefined control sequence.\nl.12 \\oops\n"

    def failing(d: object, request: object) -> dict[str, str]:
        raise pdf.PdfFailed(pdf.first_error(log), log)

    monkeypatch.setattr(files, "files", failing)
    out = tmp_path / "out"
    code, _, err = run(["render", "mazur", "--format", "pdf", "--out", str(out)], capsys)
    assert code == 1 and f"Undefined control sequence. (TeX's log: {out / 'walkthrough.log'})" in err
    _one_line(err)
    assert (out / "walkthrough.log").read_text(encoding="utf-8") == log


@pytest.mark.skipif(not all(map(__import__("shutil").which, pdf.TOOLS)), reason="TeX Live is not installed")
def test_tex_s_log_survives_its_temporary_directory() -> None:
    with pytest.raises(pdf.PdfFailed) as failed:
        pdf.compile_tex("\\documentclass{article}\\begin{document}\\undefinedthing\\end{document}\n")
    assert str(failed.value) == "Undefined control sequence." and "\\undefinedthing" in failed.value.log


def test_a_document_with_nothing_checkable_is_not_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "hw.md"
    doc.write_text("Some prose, and $x + y$ in it, but no claim about the network.\n", encoding="utf-8")
    code, _, err = run(["check", "mazur", str(doc)], capsys)
    assert code == 2 and "nothing could be checked" in err
    _one_line(err)
    doc.write_text("$out_{h1} = 0.593269992$\n", encoding="utf-8")
    assert main(["check", "mazur", str(doc)]) == 0


def test_an_aliases_fifo_is_refused(tmp_path: Path) -> None:
    doc = tmp_path / "hw.md"
    doc.write_text("$out_{h1} = 0.593269992$\n", encoding="utf-8")
    os.mkfifo(tmp_path / "aliases.toml")
    result = _derive("check", "mazur", str(doc), "--aliases", str(tmp_path / "aliases.toml"), cwd=tmp_path)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    _one_line(result.stderr)
