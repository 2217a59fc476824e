"""What the Python API raises: one class per kind of unusable input, and one per finding.

The text of each is the one line `derive` prints after `derive: error: ` (naming the file, the key or
the option, and what was expected). An unusable input is exit status 2 on the command line, a finding 1.
Every class derives from `DeriveError`, so `except derive.DeriveError` catches them all.
"""

from __future__ import annotations


class DeriveError(Exception):
    """Anything derive refuses or finds; `str()` is one line."""


class SpecError(DeriveError):
    """A spec that cannot be read: no such preset or file, malformed TOML, a key outside its rules."""


class OptionError(DeriveError):
    """An option outside its choices (format, language, notation, digits, style, steps, a plot's file
    type), or one the network cannot take (a notation that cannot name it, a title the PDF's font lacks)."""


class DocumentError(DeriveError):
    """A claims file, document or aliases file that cannot be read (not UTF-8, too large, not a notebook)."""


class DerivationError(DeriveError):
    """The spec's numbers leave a quantity undefined or out of range, or ask for too much work."""


class ExerciseError(DeriveError):
    """An `[exercise]` table that cannot give the variants asked for."""


class GradingError(DeriveError):
    """A key (key.json) or a set of hand-ins that cannot be graded as a whole."""


class ToolMissing(DeriveError):
    """A system tool the output needs is not installed (latexmk and XeLaTeX for a PDF)."""


class WriteError(DeriveError):
    """A file that could not be written; `path` and `reason` say which and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


class Finding(DeriveError):
    """Not bad input: derive found something wrong with what it made (exit status 1 on the command line)."""


class CodeDisagrees(Finding):
    """Generated code whose gradients differ from the closed forms; it is not handed out."""


class TypesetError(Finding):
    """TeX could not typeset a document; `log` is TeX's log (empty when there is none)."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


class InconsistentDerivation(Finding):
    """Two routes to one number disagree beyond what the working precision resolves; nothing is shown."""
