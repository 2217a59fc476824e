"""Reading a user's file: a regular file only, and never more than a stated number of bytes.

A FIFO would block the reader forever and a device such as /dev/zero never ends; the size a file
reports is not trusted either (a device reports 0), the reading itself stops at the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class ReadError(ValueError):
    """The file cannot be read: `str()` says why, in a few words."""


def size_text(limit: int) -> str:
    """A byte limit as people say it: 2 MB, 500 kB."""
    return f"{limit // 1_000_000} MB" if limit % 1_000_000 == 0 else f"{limit // 1000} kB"


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, refused when it holds more than `limit` of them."""
    try:
        # Non-blocking: opening a FIFO must not wait for a writer before the type check refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ReadError("not a regular file (a directory, FIFO or device is not read)")
        os.set_blocking(fd, True)
        data = _read_at_most(fd, limit + 1)
    except OSError as exc:
        raise ReadError(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ReadError(f"larger than {size_text(limit)}")
    return data


def _read_at_most(fd: int, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def line_count(text: str) -> int:
    """The lines of a text as an editor counts them: each ends at \\r\\n, \\r or \\n, or at the end."""
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (not text.endswith(("\n", "\r")) and text != "")


def one_break(text: str) -> str:
    """A text with Windows (\\r\\n) and old Mac (\\r) line breaks written as \\n."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
