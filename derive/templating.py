"""The Jinja environment every output's templates share: strict, trimmed, keeping the final newline.

Imports nothing from derive; imported by the outputs (notes and code) and by nothing upstream: the
model and the maths never produce text through templates.
"""

from __future__ import annotations

from importlib import resources

import jinja2

TEMPLATE_PACKAGE = "derive.templates"


def environment() -> jinja2.Environment:
    """Jinja set up as the templates expect: strict, trimmed, keeping the final newline."""
    root = resources.files(TEMPLATE_PACKAGE)
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text(encoding="utf-8")),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, autoescape=False,
    )


def tex_environment() -> jinja2.Environment:
    """The same, with delimiters that do not clash with LaTeX's braces and percent signs."""
    env = environment()
    # LaTeX is full of braces and percent signs: its templates use other delimiters.
    env.block_start_string, env.block_end_string = "<%", "%>"
    env.variable_start_string, env.variable_end_string = "<<", ">>"
    env.comment_start_string, env.comment_end_string = "<#", "#>"
    env.line_comment_prefix = None
    return env
