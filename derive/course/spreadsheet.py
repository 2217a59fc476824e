"""CSV files a spreadsheet opens safely: every CSV derive writes (grades.csv, key.csv, the learning
platforms' grade files) goes through here.

A spreadsheet evaluates a cell that starts with `=`, `+`, `-` or `@` as a formula (CSV injection, OWASP):
a student named `=HYPERLINK(...)` or a file named `=cmd|' /C calc'!A0` would run in the teacher's
spreadsheet. As OWASP recommends, such a cell gets a leading `'`, which a spreadsheet takes as "text"
and does not show; spaces before the sign count too. A cell that is a plain decimal number (`-0.0137`,
`1e-5`) is written as it is: a spreadsheet reads it as a number, never as a formula. A control character
(a tab, a carriage return, ESC, BEL, NUL) is written as its escape (`\\t`, `\\x1b`), so no cell starts with
one and none reaches a terminal that prints the file.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

FORMULA_SIGNS = ("=", "+", "-", "@")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\Z")


def _visible(c: str) -> str:
    """A control character as its escape (`\\x1b`, `\\t`); any other as it is."""
    return repr(c)[1:-1] if unicodedata.category(c) == "Cc" else c


def cell(value: object) -> str:
    """A cell as written: control characters escaped, a formula's sign behind a `'`, a number as it is
    (and a lone `-`, Moodle's "no date": a spreadsheet shows it as text)."""
    text = "".join(map(_visible, str(value)))
    if _NUMBER.match(text) or text == "-":
        return text
    return "'" + text if text.lstrip(" ").startswith(FORMULA_SIGNS) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """A CSV file (RFC 4180 quoting, `\\n` line ends) of `rows` (the header first), every cell made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
