"""MkDocs hook: the command reference is generated from the command line's own argument parser, so the
options are written once (in derive/cli.py) and the documentation cannot drift from them.

A page holding the line `<!-- derive: commands -->` gets every command there: its usage, what it does,
and a table of its arguments with their choices and defaults.
"""

from __future__ import annotations

import argparse
from typing import Any

MARKER = "<!-- derive: commands -->"


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, help, parser) of every subcommand, in the order the parser defines them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def _cell(text: str) -> str:
    """Text for a table cell: one line, its `|` and angle brackets (`output/<network>`) kept as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def _argument(action: argparse.Action) -> tuple[str, str]:
    """An argument's name as typed, and what it does (with its choices and its default)."""
    name = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.metavar or action.dest.upper()}`"
    if action.option_strings and action.nargs != 0:
        name += f" `{action.metavar or action.dest.upper()}`"
    what = action.help or ""
    if action.choices is not None:
        what += ("; " if what else "") + "one of " + ", ".join(f"`{c}`" for c in action.choices)
    default = action.default
    if action.option_strings and action.nargs != 0 and default not in (None, argparse.SUPPRESS):
        what += f" (default `{default}`)"
    return name, what


def commands_markdown(parser: argparse.ArgumentParser) -> str:
    """Every command of `parser` as Markdown: a section each, usage, help and an argument table."""
    own = [_argument(a) for a in parser._actions
           if a.option_strings and not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    out = ["Before any command: " + ", ".join(f"{arg} ({what.rstrip('.')})" for arg, what in own) + ".", ""]
    for name, help_text, sub in _subcommands(parser):
        out += [f"## derive {name}", "", help_text[:1].upper() + help_text[1:] + ".", "", "```text",
                sub.format_usage().strip().replace("usage: ", ""), "```", ""]
        rows = [_argument(a) for a in sub._actions if not isinstance(a, argparse._HelpAction)]
        if rows:
            out += ["| argument | what it does |", "|---|---|"]
            out += [f"| {_cell(arg)} | {_cell(what)} |" for arg, what in rows]
            out.append("")
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    from derive.cli import _parser

    return markdown.replace(MARKER, commands_markdown(_parser()))
