"""Writing files: nothing half-written, nothing but a file replaced, the files of one render all at once.

`write_file` writes one file (the update code, a plot) through a temporary file renamed onto a regular
file or a missing path; a character device or a FIFO is written directly, as a shell's `>` would, and
anything else (a directory, a socket, a block device) is refused. `write_tree` writes the files of one
render into a fresh hidden sibling directory and then swaps it into place, so a reader sees the old set
or the new one, never a mixture. Every failure is a `WriteError` and leaves no temporary behind.

This module imports no other part of derive: the command line and every output may use it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath

# Temporaries carry the writing process's id, so a later run can tell a dead process's leftovers
# (after a SIGKILL, which no program can clean up after) from a live one's and remove them.
_TEMP = re.compile(r"\.(?P<name>.+)\.derive-(?P<pid>\d+)-[^.]+\.tmp\Z")


class WriteError(Exception):
    """A file could not be written: `path` and a short reason, for a one-line message."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


def _reason(exc: OSError) -> str:
    return f"cannot write ({exc.strerror or exc})"


def _temp_prefix(name: str) -> str:
    return f".{name}.derive-{os.getpid()}-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode() -> int:
    """The permissions of a new file under the current umask (mkstemp would make it private)."""
    return 0o666 & ~_umask()


def as_bytes(content: str | bytes) -> bytes:
    """The bytes a file's content is written as (text in UTF-8)."""
    return content.encode("utf-8") if isinstance(content, str) else content


def write_file(path: Path, content: str | bytes) -> None:
    """Write one file so that it is never seen half-written and nothing but a regular file is replaced."""
    data = as_bytes(content)
    target = Path(os.path.realpath(path))  # a symbolic link keeps pointing at the file it names
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WriteError(path, _reason(exc)) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise WriteError(path, "is a directory (expected a file name)")
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        return _write_special(path, target, data)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteError(path, "is neither a regular file nor a character device or FIFO")
    _make_parent(path, target.parent)
    _replace(path, target, data, stat.S_IMODE(info.st_mode) if info is not None else _mode())


def _make_parent(shown: Path, parent: Path) -> None:
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(shown, f"cannot create the directory {parent} ({exc.strerror or exc})") from None


def _replace(shown: Path, target: Path, data: bytes, mode: int) -> None:
    """Write `data` to a temporary file beside `target`, then rename it onto `target`."""
    _sweep(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=_temp_prefix(target.name), suffix=".tmp")
    except OSError as exc:
        raise WriteError(shown, _reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(shown, _reason(exc)) from None
    except BaseException:  # Ctrl-C or a termination signal: no temporary stays behind
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_special(shown: Path, target: Path, data: bytes) -> None:
    """A device or FIFO is written in place: renaming a file onto it would replace the device itself."""
    try:
        # Non-blocking open: a FIFO without a reader is an error now, not a wait forever.
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        reason = "a FIFO without a reader" if exc.errno == errno.ENXIO else _reason(exc)
        raise WriteError(shown, reason) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise WriteError(shown, _reason(exc)) from None
    finally:
        os.close(fd)


def write_tree(root: Path, files: Mapping[str, str | bytes], ours: Callable[[PurePosixPath], bool]) -> None:
    """Write `files` (paths relative to `root`) so that the whole set appears at once.

    The files are written into a fresh hidden sibling of `root`. A missing `root` is then renamed into
    place; an existing one that holds only files `ours` recognises (an earlier render's) is swapped
    with it and removed, so no file of the earlier set outlives the new one. A directory holding other
    files too (`--out .`) keeps them: the new files are moved in after all of them were written, and
    the earlier set's files that the new one lacks are removed.
    """
    real = Path(os.path.realpath(root))
    if real.exists() and not real.is_dir():
        raise WriteError(root, "is not a directory")
    _check_targets(root, real, files)
    _make_parent(root, real.parent)
    _sweep(real.parent)
    try:
        staging = Path(tempfile.mkdtemp(dir=real.parent, prefix=_temp_prefix(real.name), suffix=".tmp"))
    except OSError as exc:
        raise WriteError(root, _reason(exc)) from None
    try:
        _fill(root, staging, files)
        _commit(root, real, staging, files, ours)
    except OSError as exc:
        raise WriteError(root, _reason(exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_targets(root: Path, real: Path, files: Mapping[str, str | bytes]) -> None:
    """Refuse, before anything is written, a file whose place holds a directory or whose folder is a file."""
    for relative in files:
        place = real / relative
        if place.is_dir():
            raise WriteError(root / relative, "is a directory (expected a file name)")
        for folder in PurePosixPath(relative).parents:
            if str(folder) != "." and (real / folder).exists() and not (real / folder).is_dir():
                raise WriteError(root / folder, "is not a directory")


def _fill(root: Path, staging: Path, files: Mapping[str, str | bytes]) -> None:
    mode = _mode()
    for relative, content in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(as_bytes(content))
        os.chmod(path, mode)
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes the directory private


def _existing(real: Path) -> list[PurePosixPath] | None:
    """Every entry under `real`, relative, or None when there is no directory."""
    if not real.is_dir():
        return None
    return sorted(PurePosixPath(p.relative_to(real).as_posix()) for p in real.rglob("*"))


def _commit(root: Path, real: Path, staging: Path, files: Mapping[str, str | bytes],
            ours: Callable[[PurePosixPath], bool]) -> None:
    existing = _existing(real)
    if existing is None:
        os.rename(staging, real)
        return
    folders = {p for f in existing for p in f.parents}
    if _swappable(real) and all(ours(p) or (p in folders and (real / p).is_dir() and not (real / p).is_symlink())
                                for p in existing):
        _swap(staging, real)
        return
    _merge(real, staging, files, [p for p in existing if ours(p) and p.as_posix() not in files])


def _swappable(real: Path) -> bool:
    """Never move the working directory (or one it lies in) away from under the shell."""
    here = Path(os.path.realpath(Path.cwd()))
    return real != here and real not in here.parents


def _swap(staging: Path, real: Path) -> None:
    """Exchange the two directories: atomically where the system can, else by two renames."""
    if _exchange(staging, real):
        return
    old = staging.with_name(staging.name.removesuffix(".tmp") + "-old.tmp")
    os.rename(real, old)
    try:
        os.rename(staging, real)
    except BaseException:
        os.rename(old, real)
        raise
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE) on Linux; False where it is not available."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _merge(real: Path, staging: Path, files: Mapping[str, str | bytes], stale: list[PurePosixPath]) -> None:
    """Move each written file in (renames only: the writing is over), then drop the earlier set's others."""
    for relative in files:
        (real / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / relative, real / relative)
    for old in stale:
        if (real / old).is_file():
            (real / old).unlink()


def _sweep(folder: Path) -> None:
    """Remove temporaries left in `folder` by a derive process that no longer runs."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None or _alive(int(match["pid"])):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: not ours to judge
    return True
