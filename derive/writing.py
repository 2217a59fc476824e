"""Writing files: nothing half-written, nothing but a file replaced, the files of one render all at once.

`write_file` writes one file (the update code, a plot) through a temporary file renamed onto a regular
file or a missing path; a character device or a FIFO is written directly, as a shell's `>` would, and
anything else (a directory, a socket, a block device) is refused. `write_tree` writes the files of one
render into a fresh hidden sibling directory and then swaps it into place, so a reader sees the old set
or the new one, never a mixture; it replaces only the files its caller owns, never writes over anything
but a regular file, never through a symbolic link inside the directory, and never into another
command's output. Every failure is a `WriteError` and leaves no temporary behind.

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


def write_file(path: Path, content: str | bytes, follow: bool = True) -> None:
    """Write one file so that it is never seen half-written and nothing but a regular file is replaced.

    A symbolic link the user names is followed (it keeps pointing at the file it names); one that a
    command found in its own output directory is not (`follow=False`): it is refused, as write_tree does.
    """
    if not follow and os.path.islink(path):
        raise WriteError(path, "is a symbolic link, which is never replaced by a file")
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


def write_tree(root: Path, files: Mapping[str, str | bytes], ours: Callable[[PurePosixPath], bool],
               others: Mapping[str, str] | None = None) -> None:
    """Write `files` (paths relative to `root`) so that the whole set appears at once.

    The files are written into a fresh hidden sibling of `root`. A missing `root` is then renamed into
    place; an existing one that holds only files `ours` recognises (an earlier run's) is swapped with it
    and removed, so no file of the earlier set outlives the new one. A directory holding other files too
    (`--out .`, or another format's files) keeps them: the new files are moved in after all of them were
    written, and the earlier set's files that the new one lacks are removed. `others` maps a file that
    marks another command's output to that command: a directory holding one is refused, as is anything
    but a regular file at the place of a new file and anything but a directory on the way to one.
    """
    real = Path(os.path.realpath(root))
    if real.exists() and not real.is_dir():
        raise WriteError(root, "is not a directory")
    check_others(root, others or {})
    _check_targets(root, real, files)
    _make_parent(root, real.parent)
    _sweep(real.parent)
    try:
        staging = Path(tempfile.mkdtemp(dir=real.parent, prefix=_temp_prefix(real.name), suffix=".tmp"))
    except OSError as exc:
        raise WriteError(root, _reason(exc)) from None
    try:
        _fill(root, staging, files)
        _commit(real, staging, files, ours)
    except OSError as exc:
        raise WriteError(root, _reason(exc)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_others(root: Path, others: Mapping[str, str]) -> None:
    """Refuse a directory that holds another command's output (a file of `others`, which maps each such
    mark to its command): its files are not ours to replace. Also called before a long run's work."""
    real = Path(os.path.realpath(root))
    for mark, command in others.items():
        if os.path.lexists(real / mark):
            raise WriteError(root, f"holds the output of {command} ({mark}); write into another directory")


def _kind(path: Path) -> str | None:
    """What is at `path`, its link not followed: None for nothing, else "regular file", "directory", ..."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"place that cannot be read ({exc.strerror or exc})"
    for test, name in ((stat.S_ISREG, "regular file"), (stat.S_ISDIR, "directory"), (stat.S_ISLNK, "symbolic link"),
                       (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device")):
        if test(mode):
            return name
    return "socket"


def _check_targets(root: Path, real: Path, files: Mapping[str, str | bytes]) -> None:
    """Refuse, before anything is written, anything but a regular file where a file goes (a directory, a
    FIFO, a device, a symbolic link: never replaced) and anything but a directory on the way to one (a
    symbolic link there would lead the file outside `root`)."""
    seen: dict[PurePosixPath, str | None] = {}
    for relative in files:
        place = PurePosixPath(relative)
        for folder in reversed(place.parents[:-1]):  # from the top down
            kind = seen[folder] if folder in seen else seen.setdefault(folder, _kind(real / folder))
            if kind is None:
                break
            if kind != "directory":
                why = f" (files are written only inside {root})" if kind == "symbolic link" else ""
                raise WriteError(root / folder, f"is a {kind}, not a directory{why}")
        else:
            kind = _kind(real / relative)
            if kind == "directory":
                raise WriteError(root / relative, "is a directory (expected a file name)")
            if kind not in (None, "regular file"):
                raise WriteError(root / relative, f"is a {kind}, which is never replaced by a file")


def _fill(root: Path, staging: Path, files: Mapping[str, str | bytes]) -> None:
    mode = _mode()
    for relative, content in files.items():
        path = staging / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(as_bytes(content))
        os.chmod(path, mode)
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes the directory private


# How deep the listing of an existing directory goes: deeper than any file a command writes, so a
# directory nested deeper (1,200 levels) is someone else's and makes the directory one to merge into.
MAX_DEPTH = 8


def _listing(real: Path) -> tuple[list[tuple[PurePosixPath, str]], bool] | None:
    """Every entry under `real` (relative, with its kind), and whether the listing is whole; None when
    there is no directory. Iterative and bounded in depth: no recursion limit, no endless walk."""
    if _kind(real) != "directory":
        return None
    found: list[tuple[PurePosixPath, str]] = []
    whole, stack = True, [PurePosixPath()]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(real / folder) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError:
            whole = False
            continue
        for name in names:
            relative = folder / name
            kind = _kind(real / relative) or "gone"
            found.append((relative, kind))
            if kind == "directory" and len(relative.parts) < MAX_DEPTH:
                stack.append(relative)
            elif kind == "directory":
                whole = False
    return sorted(found), whole


def _commit(real: Path, staging: Path, files: Mapping[str, str | bytes],
            ours: Callable[[PurePosixPath], bool]) -> None:
    for attempt in range(3):
        listing = _listing(real)
        if listing is None:
            try:
                os.rename(staging, real)
                return
            except OSError as exc:  # another run made the directory first: replace its set or merge
                if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == 2:
                    raise
                continue
        entries, whole = listing
        mine = {p for p, kind in entries if kind == "regular file" and ours(p)}
        folders = {parent for p, _ in entries for parent in p.parents}
        if whole and _swappable(real) and all(p in mine or (kind == "directory" and p in folders)
                                              for p, kind in entries):
            _swap(staging, real)
            return
        _merge(real, staging, files, sorted(p for p in mine if p.as_posix() not in files))
        return


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
        if _kind(real / old) == "regular file":
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
