"""The Jinja environment every output's templates share: strict, trimmed, keeping the final newline.

Imports nothing from derive; imported by the outputs (notes and code) and by nothing upstream: the
model and the maths never produce text through templates.
"""

from __future__ import annotations

from importlib import resources

import jinja2

TEMPLATE_PACKAGE = "derive.templates"


def _bytecode_cache(kind: str) -> jinja2.BytecodeCache | None:
    """Compiling the walkthrough's templates takes longer than rendering them: Jinja keeps the compiled
    code in its bytecode cache (a directory of the user's own in the temporary directory), keyed by
    the template's name and a checksum of its source, so an edited template is compiled afresh and
    the output never changes. One set of files per `kind` of environment (their delimiters differ).
    Without a usable temporary directory, templates are compiled every time."""
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"derive-{kind}-%s.cache")
    except (OSError, RuntimeError):
        return None


def environment(kind: str = "text") -> jinja2.Environment:
    """Jinja set up as the templates expect: strict, trimmed, keeping the final newline."""
    root = resources.files(TEMPLATE_PACKAGE)
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text(encoding="utf-8")),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, autoescape=False, bytecode_cache=_bytecode_cache(kind),
    )


def tex_environment() -> jinja2.Environment:
    """The same, with delimiters that do not clash with LaTeX's braces and percent signs."""
    env = environment("tex")
    # LaTeX is full of braces and percent signs: its templates use other delimiters.
    env.block_start_string, env.block_end_string = "<%", "%>"
    env.variable_start_string, env.variable_end_string = "<<", ">>"
    env.comment_start_string, env.comment_end_string = "<#", "#>"
    env.line_comment_prefix = None
    return env
