"""The `%%derive` cell magic: `%load_ext derive`, then a cell

    %%derive check mazur
    $$\\mathrm{out}_{h1} = 0.593269992$$

checks the cell's Markdown (or claims, or LaTeX: `--input tex`) against the network and shows the
report as a table, ✓ or ✗ per claim with the diagnosis. The report is the cell's value.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from derive.api import errors
from derive.api.network import INPUTS, load
from derive.api.results import CheckReport

USAGE = "%%derive check NETWORK [--input md|tex|ipynb|claims] [--notation classic|textbook|matrix] [--digits N]"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # never exit the kernel
        raise errors.OptionError(f"{message} (usage: {USAGE})")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%%derive", add_help=False)
    parser.add_argument("command", choices=("check",))
    parser.add_argument("network")
    parser.add_argument("--input", choices=INPUTS, default="md")
    parser.add_argument("--notation", default="classic")
    parser.add_argument("--digits", type=int, default=9)
    return parser


def derive_magic(line: str, cell: str) -> CheckReport:
    """Check the cell against the network the line names; the report (shown as a table)."""
    args = _parser().parse_args(shlex.split(line))
    net = load(args.network)
    # a one-line cell without "=" would be taken for a path: the cell is always text
    text = cell if "\n" in cell else cell + "\n"
    return net.check(text, input=args.input, notation=args.notation, digits=args.digits)


def load_ipython_extension(ipython: Any) -> None:
    """Register the `%%derive` cell magic (IPython calls this for `%load_ext derive`)."""
    ipython.register_magic_function(derive_magic, magic_kind="cell", magic_name="derive")
