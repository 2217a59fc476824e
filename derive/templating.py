"""The Jinja environment every output's templates share: strict, trimmed, keeping the final newline.

Imports nothing from derive; imported by the outputs (notes and code) and by nothing upstream: the
model and the maths never produce text through templates.
"""

from __future__ import annotations

import contextlib
from importlib import resources

import jinja2

TEMPLATE_PACKAGE = "derive.templates"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once: each render still builds its own environment (its globals are its
    own), but compiling the walkthrough's template took longer than rendering it. Kept in memory for
    the process, and in Jinja's file cache (a directory of the user's own in the temporary directory)
    for the next command. A template whose source changed is compiled again (Jinja compares the
    source's checksum); without a usable temporary directory, only the memory is used."""

    def __init__(self, kind: str) -> None:
        self.codes: dict[str, bytes] = {}
        try:
            self.files: jinja2.BytecodeCache | None = jinja2.FileSystemBytecodeCache(pattern=f"derive-{kind}-%s.cache")
        except (OSError, RuntimeError):
            self.files = None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])
        elif self.files is not None:
            self.files.load_bytecode(bucket)
            if bucket.code is not None:
                self.codes[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()
        if self.files is not None:
            # a full or read-only temporary directory: the next command compiles again
            with contextlib.suppress(OSError):
                self.files.dump_bytecode(bucket)


# one cache per kind of environment: a template compiled with LaTeX's delimiters is another program
_COMPILED = _CompiledTemplates("text")
_COMPILED_TEX = _CompiledTemplates("tex")


def environment() -> jinja2.Environment:
    """Jinja set up as the templates expect: strict, trimmed, keeping the final newline."""
    root = resources.files(TEMPLATE_PACKAGE)
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: root.joinpath(name).read_text(encoding="utf-8")),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
        lstrip_blocks=True, autoescape=False, bytecode_cache=_COMPILED,
    )


def tex_environment() -> jinja2.Environment:
    """The same, with delimiters that do not clash with LaTeX's braces and percent signs."""
    env = environment()
    # LaTeX is full of braces and percent signs: its templates use other delimiters.
    env.block_start_string, env.block_end_string = "<%", "%>"
    env.variable_start_string, env.variable_end_string = "<<", ">>"
    env.comment_start_string, env.comment_end_string = "<#", "#>"
    env.line_comment_prefix = None
    env.bytecode_cache = _COMPILED_TEX
    return env
