"""Display maths closed as people type it: `$$ where:` ends a display and goes on with prose on its line
(Obsidian and MathJax read it so). The Markdown parser's `$$` rule closes a display only at a line that ends
in `$$`; it would close this one at the next display's opening and read every display after it the wrong
way round (their prose as maths). The closing `$$` is moved to the end of the line before it, which keeps
the text's length and its lines."""

from __future__ import annotations

import re

_FENCE = re.compile(r"\s*(```|~~~)")


def closings_moved(text: str) -> str:
    """`text` with each `$$` that closes a display at the start of a line holding more text moved to the
    end of the line before it (`X\\n$$ where:` is `X$$\\n where:`)."""
    chars, inside, fenced, start = list(text), False, False, 0
    for line in text.splitlines(keepends=True):
        body = line.strip()
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and "$$" in body:
            early = body != "$$" and line.startswith("$$") and "$$" not in body[2:]
            if inside and early and start > 0 and text[start - 1] == "\n":
                chars[start - 1:start + 2] = ["$", "$", "\n"]
                inside = False
            elif body.count("$$") % 2:  # `$$`, `$$ z = ...` or `... $$`: one opening or one closing
                inside = not inside
        start += len(line)
    return "".join(chars)
