"""`python -m derive` and the `derive` command: the signal handlers first, then the command line."""

from __future__ import annotations

import os
from typing import NoReturn

from derive import interrupts


def run() -> NoReturn:
    """Run the command line; Ctrl-C or SIGTERM while it loads ends it with one line, as at any time."""
    interrupts.install()
    try:
        # mpmath imports gmpy2 inside a bare `except:`, which would swallow a signal while gmpy2 loads
        # (and leave mpmath without its fast backend): gmpy2 is loaded first, here
        import gmpy2  # noqa: F401

        from derive import cli
    except (KeyboardInterrupt, interrupts.Terminated) as exc:
        # Nothing was written yet; the modules left half-loaded (`threading`, say) are not finalised:
        # Python would then end itself by SIGINT instead of with the status.
        os._exit(interrupts.stopped(exc))
    try:
        status = cli.main()
    except (KeyboardInterrupt, interrupts.Terminated) as exc:  # between loading and main's own handling
        status = interrupts.stopped(exc)
    cli.leave(status)


if __name__ == "__main__":
    run()
