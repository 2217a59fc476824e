"""Writing files: devices stay devices, a failed write changes nothing, one render's files appear at once."""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

import pytest

from derive import writing


def _ours(path: PurePosixPath) -> bool:
    return path.name.startswith("walkthrough.") or path.parts[0] == "figures"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".derive-" in p.name)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _device(path: Path, minor: int) -> None:
    """A copy of /dev/null (minor 3) or /dev/full (minor 7); skips the test without the right to make one."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs root")


def test_a_copy_of_dev_null_stays_a_device(tmp_path: Path) -> None:
    node = tmp_path / "null"
    _device(node, 3)
    writing.write_file(node, "print('hello')\n")
    assert stat.S_ISCHR(node.stat().st_mode) and os.major(node.stat().st_rdev) == 1
    assert _leftovers(tmp_path) == []


def test_a_copy_of_dev_full_reports_no_space(tmp_path: Path) -> None:
    node = tmp_path / "full"
    _device(node, 7)
    with pytest.raises(writing.WriteError, match="No space left"):
        writing.write_file(node, "x" * 10)
    assert stat.S_ISCHR(node.stat().st_mode)


def test_a_fifo_is_written_in_place_and_one_without_reader_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(writing.WriteError, match="FIFO without a reader"):
        writing.write_file(fifo, "x")
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader; the pipe's buffer holds the short text
    try:
        writing.write_file(fifo, "through the pipe")
        assert os.read(fd, 100) == b"through the pipe"
    finally:
        os.close(fd)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_directory_is_never_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "update.py"
    (folder / "inside").mkdir(parents=True)
    with pytest.raises(writing.WriteError, match="is a directory"):
        writing.write_file(folder, "x")
    assert (folder / "inside").is_dir() and _leftovers(tmp_path) == []


def test_a_file_is_replaced_keeping_its_mode_and_a_link_keeps_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    writing.write_file(link, "new")
    assert link.is_symlink() and real.read_text() == "new" and stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_write_failing_part_way_leaves_the_old_file_and_no_temporary(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "update.py"
    path.write_text("old")
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.handle.write(data[:3])  # type: ignore[attr-defined]
            raise OSError(27, "File too large")

    monkeypatch.setattr(writing.os, "fdopen", lambda fd, mode: Failing(real_fdopen(fd, mode)))
    with pytest.raises(writing.WriteError, match="File too large"):
        writing.write_file(path, "new content")
    assert path.read_text() == "old" and _leftovers(tmp_path) == []


def test_a_tree_replaces_an_earlier_render_as_a_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writing.write_tree(out, {"walkthrough.md": "old", "walkthrough.pdf": b"%PDF", "figures/a.svg": "<svg/>"}, _ours)
    writing.write_tree(out, {"walkthrough.md": "new", "figures/b.svg": "<svg/>"}, _ours)
    assert _tree(out) == {"figures/b.svg": b"<svg/>", "walkthrough.md": b"new"}
    assert _leftovers(tmp_path) == []


def test_a_tree_failing_part_way_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    writing.write_tree(out, {"walkthrough.md": "old", "figures/a.svg": "old figure"}, _ours)
    before = _tree(out)
    calls = []
    real = writing.as_bytes

    def failing(content: str | bytes) -> bytes:
        calls.append(content)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(content)

    monkeypatch.setattr(writing, "as_bytes", failing)
    with pytest.raises(writing.WriteError, match="No space left"):
        writing.write_tree(out, {"figures/a.svg": "new figure", "walkthrough.md": "new"}, _ours)
    assert len(calls) == 2 and _tree(out) == before and _leftovers(tmp_path) == []


def test_ctrl_c_inside_the_write_phase_leaves_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"

    def interrupted(content: str | bytes) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(writing, "as_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writing.write_tree(out, {"walkthrough.md": "new"}, _ours)
    assert not out.exists() and _leftovers(tmp_path) == []


def test_a_shared_directory_keeps_its_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "walkthrough.pdf").write_bytes(b"%PDF old")
    writing.write_tree(tmp_path, {"walkthrough.md": "new"}, _ours)
    assert _tree(tmp_path) == {"notes.txt": b"mine", "walkthrough.md": b"new"}


def test_the_working_directory_is_never_moved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "walkthrough.md").write_text("old")
    inode = tmp_path.stat().st_ino
    monkeypatch.chdir(tmp_path)
    writing.write_tree(Path("."), {"walkthrough.md": "new"}, _ours)
    assert tmp_path.stat().st_ino == inode and (tmp_path / "walkthrough.md").read_text() == "new"


def test_a_directory_where_a_file_goes_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "walkthrough.md").mkdir(parents=True)
    with pytest.raises(writing.WriteError, match="walkthrough.md: is a directory"):
        writing.write_tree(out, {"figures/a.svg": "<svg/>", "walkthrough.md": "x"}, _ours)
    assert sorted(p.name for p in out.rglob("*")) == ["walkthrough.md"] and _leftovers(tmp_path) == []


def test_a_dead_process_s_temporaries_are_swept(tmp_path: Path) -> None:
    dead = 2**22 + 12345  # above the default pid_max: no process has it
    (tmp_path / f".out.derive-{dead}-abc.tmp").mkdir()
    (tmp_path / f".out.derive-{dead}-abc.tmp" / "walkthrough.md").write_text("half")
    (tmp_path / f".u.py.derive-{dead}-xyz.tmp").write_text("half")
    (tmp_path / f".keep.derive-{os.getpid()}-live.tmp").write_text("a live writer's")
    writing.write_tree(tmp_path / "out", {"walkthrough.md": "x"}, _ours)
    assert _leftovers(tmp_path) == [f".keep.derive-{os.getpid()}-live.tmp"]


def test_without_an_atomic_exchange_two_renames_swap_the_directories(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writing, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    writing.write_tree(out, {"walkthrough.md": "old", "figures/a.svg": "a"}, _ours)
    writing.write_tree(out, {"walkthrough.md": "new"}, _ours)
    assert _tree(out) == {"walkthrough.md": b"new"} and _leftovers(tmp_path) == []
