"""Ctrl-C and SIGTERM as exceptions, from the first moment of the `derive` command.

The handler is installed before the command line is loaded (SymPy takes a second or two), so a signal
while it loads ends the command as at any other time: one line on stderr, status 130 or 143, temporaries
removed on the way out. This module imports nothing heavy, and no other part of derive.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn

# As a shell reports a program stopped by a signal: 128 + SIGINT, SIGTERM.
INTERRUPTED, TERMINATED = 130, 143


class Terminated(BaseException):
    """SIGTERM, raised where the program is, so temporaries are cleaned as for Ctrl-C."""


def _terminate(signum: int, frame: object) -> NoReturn:
    raise Terminated


def install() -> None:
    """SIGTERM raises Terminated from now on (Ctrl-C raises KeyboardInterrupt, as Python's default)."""
    signal.signal(signal.SIGTERM, _terminate)


def stopped(exc: BaseException) -> int:
    """The one line and the status of a command stopped by `exc` (KeyboardInterrupt or Terminated)."""
    interrupted = isinstance(exc, KeyboardInterrupt)
    if sys.stderr is not None:
        try:
            print("derive: interrupted" if interrupted else "derive: terminated", file=sys.stderr)
            sys.stderr.flush()
        except OSError:
            pass
    return INTERRUPTED if interrupted else TERMINATED


def finishing() -> None:
    """The work is done or stopped and its status decided: a signal from now on is ignored, so the
    status stands."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
