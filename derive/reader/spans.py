"""The math spans of a document, with where they are: Markdown (markdown-it-py with the dollarmath,
amsmath and bracket texmath plugins), LaTeX (pylatexenc's walker) and notebooks (their JSON, format 4,
Markdown cells only; code cells are never run).

Code blocks, comments and prose are not spans. Each span keeps its offsets in the text it was read from
(the document, or a notebook cell's source), so verdicts carry the document's own line numbers and the
annotated copy puts its notes right after the equation.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pylatexenc import latexwalker as lw

from derive.reader.latex_definitions import without_definitions
from derive.reader import programs, rendered, symbols
from derive.reader.dollars import closings_moved

if TYPE_CHECKING:
    from collections.abc import Callable

    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

UPDATE_WORDS = ("update", "updated", "updating", "new ", "after", "更新", "新的", "之后", "迭代")
LATEX_ENVS = frozenset({"equation", "equation*", "align", "align*", "eqnarray", "eqnarray*", "gather",
                        "gather*", "multline", "multline*", "flalign", "flalign*", "alignat", "alignat*"})
# Environments whose content is not prose to walk: listings, verbatim text, pictures.
SKIPPED_ENVS = frozenset({"verbatim", "verbatim*", "lstlisting", "minted", "comment", "tikzpicture", "filecontents"})
# A heading's level: a heading closes the ones of its level and below.
HEADINGS = {"chapter": 0, "chapter*": 0, "section": 1, "section*": 1, "subsection": 2, "subsection*": 2,
            "subsubsection": 3, "subsubsection*": 3, "paragraph": 4, "paragraph*": 4}


_BREAK = re.compile(r"\r\n|\r|\n")


class DocumentError(ValueError):
    """A document that cannot be read at all (a notebook that is not JSON ...)."""


@dataclass(frozen=True)
class Span:
    """One math span: its LaTeX source, where it is, and the prose around it."""

    source: str
    start: int  # offset of `source` in the text (the document, or the cell)
    end: int  # offset just after the closing delimiter: where an inline note goes
    block_end: int  # offset of the end of the line (block) holding the span: where a display note goes
    display: bool
    cell: int | None  # notebook cell number (1-based), None outside a notebook
    context: str  # the heading and prose before the span
    headings: tuple[str, ...] = ()  # the headings the span is under, outermost first
    lead: tuple[str, ...] = ()  # the paragraphs (a table: one) of its section before it, its own last

    @property
    def mentions_update(self) -> bool:
        lowered = self.context.lower()
        return any(word in lowered for word in UPDATE_WORDS)


@dataclass(frozen=True)
class Text:
    """A text that spans were read from: the document or one notebook cell, with its first line.

    `text` has every line break as `\\n` (a Windows `\\r\\n`, an old Mac `\\r`; NUL as U+FFFD), as the
    Markdown parser reads it, so that span offsets and line numbers refer to one text; `as_written` maps
    an offset back to the text as written, where the annotated copy puts its notes.
    """

    text: str
    first_line: int  # the document line of the text's first line (1 for a file, 1 for a cell)
    cell: int | None
    written: str | None = None  # the text as written, when it differs from `text`
    dropped: tuple[int, ...] = ()  # offsets in `text` of each `\\n` that was `\\r\\n` (its `\\r` dropped)

    @classmethod
    def read(cls, written: str, first_line: int = 1, cell: int | None = None) -> Text:
        """The text as the parsers read it, with the way back to `written`."""
        text = written.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
        if text == written:
            return cls(text, first_line, cell)
        dropped = tuple(m.start() - k for k, m in enumerate(re.finditer("\r\n", written)))
        return cls(text, first_line, cell, written, dropped)

    @property
    def original(self) -> str:
        return self.text if self.written is None else self.written

    def line(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(_newlines(self.text), offset - 1)

    def as_written(self, offset: int) -> int:
        """The offset in the text as written of `offset` in `text` (before a line break stays before it)."""
        return offset + bisect.bisect_left(self.dropped, offset)

    def break_at(self, offset: int) -> str:
        """The line break as written at `offset` of `text` (the next one, else the first), `\\n` by default."""
        found = _BREAK.search(self.original, self.as_written(offset)) or _BREAK.search(self.original)
        return found.group() if found else "\n"

    def insert(self, notes: list[tuple[int, str]]) -> str:
        """The text as written with each note put at its offset in `text` (stable for equal offsets), the
        notes' own line breaks written as the text writes its line there."""
        pieces, last, original = [], 0, self.original
        for offset, note in sorted(notes, key=lambda item: item[0]):
            at = self.as_written(offset)
            pieces += [original[last:at], note.replace("\n", self.break_at(offset)) if "\n" in note else note]
            last = at
        return "".join(pieces) + original[last:]


@lru_cache(maxsize=8)
def _newlines(text: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(text) if c == "\n")


def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.texmath import texmath_plugin

    # admonitions (`!!! note`, `??? note`, as MkDocs sites write them): their indented body is text, not code
    md = (MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
          .use(texmath_plugin, delimiters="brackets").use(admon_plugin))
    md.inline.ruler.before("escape", DISPLAY_IN_TEXT, _display_in_text)
    # `$$` on the line after a paragraph's text opens a display, as it does for `\begin{align}` (and as
    # the renderers people write for show it): otherwise the `$$` closing it would open the next one
    dollars = next(r for r in md.block.ruler.__rules__ if r.name == "math_block")  # texmath's \[ rule: next
    md.block.ruler.at("math_block", _interrupting(dollars.fn), {"alt": ["paragraph", "blockquote", "list"]})
    ams = next(r for r in md.block.ruler.__rules__ if r.name == "amsmath")
    md.block.ruler.at("amsmath", _outside_inline(ams.fn), {"alt": list(ams.alt)})
    return md


def _outside_inline(rule: Callable[[StateBlock, int, int, bool], bool]) -> Callable[[StateBlock, int, int, bool], bool]:
    """The `\\begin{bmatrix}` block rule, but not on a line inside a `$ ... $` the paragraph has opened over
    several lines (`$` alone on a line, as notebooks write): that line is the inline maths' own."""
    def block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if not state.src.startswith("\\begin", state.bMarks[start] + state.tShift[start]):
            return False  # the rule opens only at `\begin{`: no line before it need be read (a long paragraph)
        first = start
        while first > 0 and not state.isEmpty(first - 1):
            first -= 1
        before = state.src[state.bMarks[first]:state.bMarks[start]].replace("\\$", "").replace("$$", "")
        return before.count("$") % 2 == 0 and rule(state, start, end, silent)
    return block


def _interrupting(rule: Callable[[StateBlock, int, int, bool], bool]) -> Callable[[StateBlock, int, int, bool], bool]:
    """The `$$` block rule, also ending a paragraph at a line holding `$$` alone (asked silently, which the
    rule itself does not honour: it would add its tokens twice)."""
    def block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        if silent:
            line = state.src[state.bMarks[start] + state.tShift[start]:state.eMarks[start]]
            return line.strip() == "$$"
        return rule(state, start, end, silent)
    return block


DISPLAY_IN_TEXT = "math_display_in_text"


def _display_in_text(state: StateInline, silent: bool) -> bool:
    """`\\[ ... \\]` continuing a paragraph or a list item (the block rule only sees it on a line of its
    own after a blank line): a display span all the same."""
    if not state.src.startswith("\\[", state.pos):
        return False
    end = state.src.find("\\]", state.pos + 2)
    if end < 0:
        return False
    if not silent:
        token = state.push(DISPLAY_IN_TEXT, "math", 0)
        token.content, token.markup = state.src[state.pos + 2:end], "\\["
    state.pos = end + 2
    return True


INLINE = ("math_inline", "math_inline_double", DISPLAY_IN_TEXT)
BLOCK = ("math_block", "math_block_eqno", "amsmath")


_MATRIX_ROWS = re.compile(r"\s*\[[-+.\d\s]+\]\s*(?:\[[-+.\d\s]+\]\s*)*")  # a line of rows of numbers only
_TRANSPOSED = re.compile(r"(?<=\w)\.T\b")
_COMMENT = re.compile(r"\s*#")  # a comment's line, in a block of maths or of a program
PYTHON_FENCES = ("python", "py", "python3")  # a fence whose block may hold maths in Python's syntax
PLAIN_FENCES = ("", "text", "txt", "plain", "plaintext", "math")  # a fence's language where it holds no program


def markdown_spans(text: str, cell: int | None = None, outline: Outline | None = None) -> list[Span]:
    """Every math span of a Markdown text, in order; `outline` carries the headings and paragraphs of the
    cells before this one (a notebook's "Sample s2" cell rules the cells under it, as a heading would)."""
    lines = [0] + [i + 1 for i in _newlines(text)]
    spans: list[Span] = []
    outline = outline if outline is not None else Outline()
    cursor, heading, prose = 0, (outline.headings or ("",))[-1], ""
    tokens = _markdown().parse(closings_moved(text))  # `$$ where:` closes a display
    for k, token in enumerate(tokens):
        if token.map is not None:
            cursor = max(cursor, lines[min(token.map[0], len(lines) - 1)])
        outline.see(token)
        if token.type == "inline":
            # a "heading" underlined by a lone `-` or `=` over several lines is a paragraph of plain text, and
            # so is a line over a lone `-` (an empty item of a list pasted as text)
            opened = tokens[k - 1] if k > 0 else None
            is_heading = opened is not None and opened.type == "heading_open" and not (opened.markup in ("-", "=") and (
                "\n" in token.content or _lone_dash(text, lines, opened)))
            block_end = _line_end(text, lines[min(token.map[1], len(lines) - 1)] - 1) if token.map else len(text)
            lead = outline.lead + (() if is_heading or outline.table is not None else (token.content,))
            context = (heading + " " + prose + " " + token.content[:200])[-600:]
            before = len(spans)
            for child in token.children or []:
                if child.type == "code_inline" and symbols.equation_in(child.content) is not None:
                    at = _locate(text, child.content, cursor)  # `y = w * x + b`: an equation set as code
                    if at is not None:
                        where = symbols.equation_in(child.content)
                        assert where is not None
                        spans.append(Span(where[2], at[0] + where[0], at[0] + where[1] + 1,
                                          block_end, False, cell, context, outline.headings, lead))
                        cursor = at[1]
                    continue
                if child.type in INLINE:
                    at = _locate(text, child.content, cursor)
                    if at is None:
                        continue
                    close = len(child.markup)  # $, $$ or \) closing \(
                    display = child.type == DISPLAY_IN_TEXT
                    spans.append(Span(_source(text, at, child.content), at[0], at[1] + close, block_end, display,
                                      cell, context, outline.headings, lead))
                    cursor = at[1]
            if token.map is not None and not is_heading:
                spans += _image_maths(text, lines, token.map, spans[before:], cell, context, outline.headings, lead)
                prose_spans = _prose_equations(text, lines, token.map, spans[before:], cell, context,
                                               outline.headings, lead)
                spans[before:] = sorted(spans[before:] + prose_spans, key=lambda s: s.start)
            if is_heading:
                heading, prose = token.content, ""
                outline.open(int(tokens[k - 1].tag[1:]), token.content)
            else:
                prose = token.content[-400:]
                outline.read(token.content)
        elif token.type in BLOCK:
            at = _locate(text, token.content, cursor)
            if at is None:
                continue
            found, end = at
            spans.append(Span(_source(text, at, token.content), found, end, _line_end(text, end), True, cell,
                              (heading + " " + prose)[-600:], outline.headings, outline.lead))
            cursor = end
        elif token.type in ("code_block", "html_block") and token.map is not None:
            start, stop = lines[token.map[0]], lines[min(token.map[1], len(lines) - 1)]
            if token.map[1] >= len(lines):
                stop = len(text)
            context = (heading + " " + prose)[-600:]
            block = _delimited(text, start, stop, cell, context, outline)  # and images of formulas (indented)
            block += _image_maths(text, lines, token.map, block, cell, context, outline.headings, outline.lead)
            if token.type == "code_block" and symbols.plain_maths(token.content):  # `    z₁ = 1×2 + 0×1 = 2`
                block += _prose_equations(text, lines, token.map, block, cell, context, outline.headings, outline.lead)
            for span in sorted(block, key=lambda s: s.start):
                spans.append(span)
                cursor = max(cursor, span.end)
        elif token.type == "fence" and token.map is not None and (
                (token.info.strip().lower() in PLAIN_FENCES and symbols.plain_maths(token.content)) or
                (token.info.strip().lower() in PYTHON_FENCES and symbols.pseudo_maths(token.content))):
            # ``` around maths in plain text, set apart to align it, or in a program's syntax
            context = (heading + " " + prose)[-600:]
            spans += _prose_equations(text, lines, token.map, [], cell, context, outline.headings, outline.lead)
        elif token.type == "fence" and token.map is not None and token.info.strip().lower() in (*PYTHON_FENCES, "") \
                and programs.worked(token.content):  # a program that works the example in its comments
            start = lines[min(token.map[0] + 1, len(lines) - 1)]
            if text[start:start + len(token.content)] == token.content:  # (not indented: the offsets hold)
                worked = text[:start] + programs.as_maths(token.content) + text[start + len(token.content):]
                context = (heading + " " + prose)[-600:]
                spans += _prose_equations(worked, lines, token.map, [], cell, context, outline.headings, outline.lead)
    return _carried_on(text, spans)


def _lone_dash(text: str, lines: list[int], heading: Token) -> bool:
    """Whether a setext heading's underline is one `-` alone."""
    if heading.map is None or heading.map[1] - 1 >= len(lines):
        return False
    start = lines[heading.map[1] - 1]
    return text[start:_line_end(text, start)].strip() == "-"


def _carried_on(text: str, spans: list[Span]) -> list[Span]:
    """Inline maths that carries the span before it on (`$= ...$`, `$+ ...$` in the next paragraph, or the
    next image of a formula, nothing but space between them), or a display that does (`$$= 0.08 + 0.18$$` on
    the line after `$$z_1 = (0.1)(0.8) + (0.2)(0.9)$$`): one span, the delimiters between them blanked, so the
    chain is read whole and each link judged where it is written."""
    joined: list[Span] = []
    for span in spans:
        last = joined[-1] if joined else None
        if last is None or "=" not in last.source or not _carries_on(text, last, span):
            joined.append(span)
            continue
        inner_end = span.start + len(span.source)
        gap = text[last.start + len(last.source):span.start]
        source = last.source + re.sub(r"[^\n]", " ", gap) + span.source
        if len(source) != inner_end - last.start:
            joined.append(span)  # a source not as the text has it (a quote's markers): left apart
            continue
        joined[-1] = Span(source, last.start, span.end, span.block_end, last.display, last.cell, last.context,
                          last.headings, last.lead)
    return joined


# Between two displays, the second carrying the first on: the first's closing delimiter (a LaTeX span ends after
# it), a line break and the second's opening one
_DISPLAYS_APART = re.compile(r"(?:\$\$|\\\])?\s*\n\s*(?:\$\$|\\\[)")


def _carries_on(text: str, last: Span, span: Span) -> bool:
    """Whether `span` goes on with the chain of `last`: inline maths starting with `=`, `+` or `-` after
    nothing but space (and a line break), or a display starting with `=` right below another display (a display
    starting with a sign may be an equation of its own: `$$-0.5 \\cdot 2 = -1$$`)."""
    between, head = text[last.end:span.start], span.source.lstrip()
    if last.display and span.display and _DISPLAYS_APART.fullmatch(between) and head.startswith(
            ("=", "\\approx", "≈")):
        return True
    return head.startswith(("=", "+", "-")) and re.fullmatch(r"\s*(?:\$?\$?|!\[)", between) is not None \
        and "\n" in between


# `$$...$$` and `$...$` where the Markdown saw none: in prose indented with tabs (a code block to it) or
# after an HTML tag's lines that run on to the next blank line
_DELIMITED = re.compile(r"\$\$(.+?)\$\$|(?<![$\\])\$([^$\n]+?)\$(?!\$)", re.S)


def _delimited(text: str, start: int, stop: int, cell: int | None, context: str, outline: Outline) -> list[Span]:
    """The maths of a block the Markdown took for code or HTML, where it is prose with maths in it (no line
    of a program, a span with `=`): each `$$...$$` and `$...$` a span."""
    block = text[start:stop]
    if "$" not in block or any(symbols.code_like(line) for line in _DELIMITED.sub(" ", block).splitlines()):
        return []
    found = []
    for m in _DELIMITED.finditer(block):
        inner, display = (m.group(1), True) if m.group(1) is not None else (m.group(2), False)
        if "=" not in inner or (not display and symbols.code_like(inner)):
            continue
        at = start + m.start() + (2 if display else 1)
        end = start + m.end()
        found.append(Span(inner, at, end, _line_end(text, end), display, cell, context, outline.headings,
                          outline.lead))
    return found


# An image of a formula drawn by a LaTeX service, its source as the alt text (`![net_{1}=w^Tx+b_{1}](https://
# latex.codecogs.com/gif.latex?...)`): how blogs showed maths before their pages could typeset it.
LATEX_IMAGE = re.compile(r"!\[([^\n]*?)\]\(\s*(?:https?:)?//[^)\s]*(?:codecogs\.com|math\.now\.sh|quicklatex\.com|"
                         r"render\.githubusercontent\.com/render/math|chart\.apis\.google\.com)[^)\s]*\)")


def _image_maths(text: str, lines: list[int], rows: list[int], maths: list[Span], cell: int | None, context: str,
                 headings: tuple[str, ...], lead: tuple[str, ...]) -> list[Span]:
    """The formulas a paragraph shows as images of a LaTeX service, each its alt text as a span."""
    start, stop = lines[rows[0]], lines[min(rows[1], len(lines) - 1)] if rows[1] < len(lines) else len(text)
    taken = [(s.start, s.end) for s in maths]
    found = []
    for m in LATEX_IMAGE.finditer(text, start, stop):
        if "=" in m.group(1) and not any(a < m.end() and b > m.start() for a, b in taken):
            found.append(Span(m.group(1), m.start(1), m.end(), _line_end(text, m.end()), True, cell, context,
                              headings, lead))
    return found


def _prose_equations(text: str, lines: list[int], rows: list[int], maths: list[Span], cell: int | None,
                     context: str, headings: tuple[str, ...], lead: tuple[str, ...]) -> list[Span]:
    """The equations a paragraph states without maths delimiters, each a span: a line of prose that is an
    equation, with the lines below it that carry it on (`= 0.3775`); lines holding a math span are not."""
    found: list[Span] = []
    taken = [(s.start, s.end) for s in maths]
    rows_text = [text[lines[r]:_line_end(text, lines[r])] for r in range(rows[0], min(rows[1], len(lines)))]
    program = [r for r in rows_text if symbols.code_like(r) and not symbols.label_line(r) and not _COMMENT.match(r)]
    if len(program) >= max(2, len(rows_text) // 4):
        return found  # a program pasted as prose: its lines are no equations
    joined = 0  # where the last list written over lines ends
    stop_at = lines[rows[1]] if rows[1] < len(lines) else len(text)
    for row in range(rows[0], min(rows[1], len(lines))):
        start = lines[row]
        end = _line_end(text, start)
        line = text[start:end]
        if any(a < end and b > start for a, b in taken) or start < joined:
            continue
        if "=" in line and (closed := _closed_below(text, start, end, stop_at)) is not None:
            # `W1 = [[0.1, 0.2],   # a comment` over `      [0.3, 0.4]]`: one list, written over lines
            end = joined = closed
            line = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), text[start:end]).replace("\n", " ")
        if found and found[-1].block_end == start - 1 and symbols.continues(line):
            last = found[-1]
            stop = start + len(line.rstrip())
            found[-1] = Span(last.source + text[last.end:stop], last.start, stop, end, False, cell, context,
                             headings, lead)
            continue
        copy = rendered.latex_copy(line)
        if copy is not None:  # a formula a rendered page holds several times: its LaTeX copy
            found.append(Span(line[copy[0]:copy[1]], start + copy[0], start + copy[1], end, False, cell, context,
                              headings, lead))
            continue
        if _MATRIX_ROWS.fullmatch(text[end + 1:_line_end(text, end + 1)]):  # `W₁ = [1  0  2]` over `[0  1  1]`
            continue  # a matrix typed over lines: its first row alone is not it
        line = _TRANSPOSED.sub(" ᵀ", line)  # `A1.T`: a transpose, in a program's syntax (the same length)
        for where in symbols.equations_in(line) if not _goes_on(text, end) else []:
            # no display: its note goes right after it on its line, as after inline maths
            found.append(Span(where[2], start + where[0], start + where[1], end, False, cell, context, headings,
                              lead))
    return found


def _closed_below(text: str, start: int, end: int, stop: int) -> int | None:
    """Where the brackets a line leaves open (its comments aside) close on the lines below it, before `stop`:
    the end of the line that closes them; None where the line closes its own, or nothing closes them."""
    depth, k = 0, start
    while k < stop:
        c = text[k]
        if c == "#":
            k = _line_end(text, k)
            continue
        depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(c, 0)
        if depth <= 0 and (k >= end or c == "\n"):
            return _line_end(text, k) if k > end and depth == 0 else None
        k += 1
    return None


def _goes_on(text: str, end: int) -> bool:
    """Whether the line ending at `end` goes on in the next, a list item to the Markdown (`+ \\frac{1}{2}...`)."""
    following = text[end + 1:_line_end(text, end + 1)].lstrip(" >")
    return following[:2] in ("+ ", "- ") and "\\" in following and "$" not in following




class Outline:
    """Where a walk through a document is: the headings open (each closes those of its level and
    below) and the paragraphs read since the last one (a table counts as one paragraph)."""

    def __init__(self) -> None:
        self.levels: list[tuple[int, str]] = []
        self.lead: tuple[str, ...] = ()
        self.table: list[str] | None = None  # the cells of the table being read

    @property
    def headings(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.levels)

    def open(self, level: int, text: str) -> None:
        while self.levels and self.levels[-1][0] >= level:
            self.levels.pop()
        self.levels.append((level, text))
        self.lead = ()

    def read(self, paragraph: str) -> None:
        if self.table is not None:
            self.table.append(paragraph)
        else:
            self.lead += (paragraph,)

    def see(self, token: Token) -> None:
        """A Markdown token that starts or ends a table."""
        if token.type == "table_open":
            self.table = []
        elif token.type == "table_close" and self.table is not None:
            table, self.table = " | ".join(self.table), None
            self.read(table)


def _locate(text: str, content: str, cursor: int) -> tuple[int, int] | None:
    """Where a parsed span's content starts and ends in the text. The parser keeps it verbatim, unless it
    runs over quoted lines (`> $$ ...`), whose markers it leaves out: those are matched line by line."""
    if not content.strip():
        return None
    found = text.find(content, cursor)
    if found >= 0:
        return found, found + len(content)
    if "\n" not in content:
        return None
    lines = content.split("\n")
    pattern = _QUOTE_BREAK.join(re.escape(line.strip()) for line in lines)
    match = re.compile(pattern).search(text, cursor)
    return (match.start(), match.end()) if match else None


# A line break inside a quote as the text has it: the next line's quote markers and indent
_QUOTE_BREAK = r"[ \t]*\n[ \t>]*"


def _source(text: str, at: tuple[int, int], content: str) -> str:
    """A span's source as the text has it, quote markers blanked, so that each offset into it is the
    same offset into the text (a verdict's line, a note's place)."""
    found = text[at[0]:at[1]]
    return content if found == content else re.sub(r"(?m)^[ \t>]+", lambda m: " " * len(m.group()), found)


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", max(offset, 0))
    return len(text) if end < 0 else end


def latex_spans(text: str) -> list[Span]:
    """Every math span of a LaTeX document: inline and display maths and the equation environments.
    Nothing is expanded: `\\input`, `\\def` or `\\write18` are only nodes of the walk."""
    text = without_definitions(text)
    walker = lw.LatexWalker(text, tolerant_parsing=True)
    try:
        nodes, _, _ = walker.get_latex_nodes()
    except RecursionError:
        raise DocumentError("the LaTeX is nested too deeply to read") from None
    except lw.LatexWalkerError as exc:
        raise DocumentError(f"the LaTeX cannot be parsed ({str(exc).splitlines()[0]})") from None
    spans: list[Span] = []
    state = {"heading": "", "prose": "", "section": ""}
    _walk_latex(text, nodes, spans, state, Outline())
    return _carried_on(text, spans)


def _paragraphs(outline: Outline, prose: str) -> tuple[str, ...]:
    """The section's paragraphs before a span: those read, and the prose since (split at blank lines)."""
    return outline.lead + tuple(p for p in prose.split("\n\n") if p.strip())


def _walk_latex(text: str, nodes: list, spans: list[Span], state: dict[str, str], outline: Outline) -> None:
    for n in nodes:
        if n is None or isinstance(n, lw.LatexCommentNode):
            continue
        if isinstance(n, lw.LatexMathNode):
            open_, close = n.delimiters
            inner_start, end = n.pos + len(open_), n.pos + n.len
            # an unterminated `\[` runs to the end of the file: no closing delimiter to leave out there
            source = text[inner_start:end - len(close) if text.startswith(close, end - len(close)) else end]
            display = n.displaytype == "display"
            spans.append(Span(source, inner_start, n.pos + n.len, _line_end(text, n.pos + n.len), display, None,
                              (state["heading"] + " " + state["prose"])[-600:], outline.headings,
                              _paragraphs(outline, state["section"])))
        elif isinstance(n, lw.LatexEnvironmentNode):
            if n.environmentname in LATEX_ENVS:
                source = text[n.pos:n.pos + n.len]
                spans.append(Span(source, n.pos, n.pos + n.len, _line_end(text, n.pos + n.len), True, None,
                                  (state["heading"] + " " + state["prose"])[-600:], outline.headings,
                                  _paragraphs(outline, state["section"])))
            elif n.environmentname not in SKIPPED_ENVS:
                _walk_latex(text, n.nodelist, spans, state, outline)
        elif isinstance(n, lw.LatexMacroNode):
            if n.macroname in HEADINGS:
                state["heading"], state["prose"], state["section"] = text[n.pos:n.pos + n.len], "", ""
                outline.open(HEADINGS[n.macroname], state["heading"])
        elif isinstance(n, lw.LatexGroupNode):
            _walk_latex(text, n.nodelist, spans, state, outline)
        elif isinstance(n, lw.LatexCharsNode):
            state["prose"] = (state["prose"] + n.chars)[-400:]
            state["section"] = _last_paragraphs(state["section"] + n.chars)


def _last_paragraphs(prose: str, keep: int = 4) -> str:
    """The last few paragraphs of a section's prose: those a sample could be named in before a span."""
    parts = prose.split("\n\n")
    return "\n\n".join(parts[-keep:])


def notebook_cells(text: str) -> list[tuple[int, str]]:
    """(cell number, source) of every Markdown cell of a notebook (format 4, as Jupyter has written since
    2015); code cells are never run nor read. Anything else is a DocumentError, one line."""
    found = []
    for number, cell in enumerate(_cells(_notebook(text)), start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise DocumentError(f"not a notebook: cell {number} is not an object with a cell_type")
        if cell["cell_type"] != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise DocumentError(f"not a notebook: the source of cell {number} is not text")
        found.append((number, source))
    return found


def _notebook(text: str) -> dict:
    """The notebook's JSON object, read without recursion limits or number limits ending in a traceback."""
    import json

    try:
        notebook = json.loads(text)
    except RecursionError:
        raise DocumentError("not a notebook (its JSON is nested too deeply to read)") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of thousands of digits
        raise DocumentError(f"not a notebook ({str(exc).splitlines()[0] if str(exc) else 'not JSON'})") from None
    if not isinstance(notebook, dict):
        raise DocumentError("not a notebook (expected a JSON object)")
    return notebook


def _cells(notebook: dict) -> list:
    version = notebook.get("nbformat")
    if type(version) is not int or version != 4:  # a float 4.0, a bool, or format 1 to 3
        shown = repr(version)[:40] if isinstance(version, (int, float, str, type(None))) else type(version).__name__
        raise DocumentError(f"not a notebook of format 4 (nbformat is {shown}, expected the whole number 4; "
                            "Jupyter saves an older notebook in format 4)")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise DocumentError("not a notebook (no list of cells)")
    return cells

MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
PROSE = re.compile(r"[A-Za-z]{3,}|[\u4e00-\u9fff]")  # a word, not a bare equation


def near(lead: tuple[str, ...]) -> tuple[str, ...]:
    """A span's own paragraph and the last paragraph of prose before it (a list of bare equations, `- y3 =
    0.57`, `- y4 = 0.56`, stands under the sentence that introduces it)."""
    for paragraph in reversed(lead[:-1]):  # from the span back: a long section is not searched whole
        if PROSE.search(MATH.sub(" ", paragraph)):
            return (*lead[-1:], paragraph)
    return lead[-1:]


def just_before(text: str, start: int) -> str:
    """The few lines just before a span: a sentence introducing it, wherever Markdown put it (a quote's lazy
    lines, a paragraph the span's display maths interrupts)."""
    return "\n".join(text[max(0, start - 400):start].split("\n")[-5:])


