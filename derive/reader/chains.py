"""A maths span as chains `a = b = c` in the plain grammar: its rows (a row that starts with `=` carries on
the chain above), each link where it is written in the source. The rows' text is the maths walker's
(maths.py); Unicode maths is read as the LaTeX it stands for."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from pylatexenc import latexwalker as lw

from derive.reader import symbols
from derive.reader.layer_labels import marked
from derive.reader.steps import stepped
from derive.reader.maths import (ARRAY, EQUALS, MAX_SPAN, ROW_BREAKS, ROW_ENVS, SPACES, Chain, NotUnderstood, plain,
                                 visible, walk)


# Environments whose rows hold equations side by side: `a &= 1 & b &= 2`, every second `&` starting the next.
_COLUMNS = frozenset({"align", "align*", "aligned", "alignat", "alignat*", "alignedat", "flalign", "flalign*"})


def _rows(nodes: list[lw.LatexNode]) -> list[list[lw.LatexNode]]:
    """Rows split at `\\\\` (one level into an align-like environment that fills the span); in an align,
    the equations a row sets side by side are rows of their own."""
    body = [n for n in nodes if not (isinstance(n, lw.LatexCharsNode) and not n.chars.strip())
            and not isinstance(n, lw.LatexCommentNode) and not (isinstance(n, lw.LatexMacroNode) and
                                                                  n.macroname in SPACES)]
    columns = False
    if len(body) == 1 and isinstance(body[0], lw.LatexEnvironmentNode) and body[0].environmentname in ROW_ENVS:
        nodes, columns = body[0].nodelist, body[0].environmentname in _COLUMNS
    elif len(body) == 1 and isinstance(body[0], lw.LatexEnvironmentNode) and body[0].environmentname == "array":
        nodes = _equation_rows(body[0].nodelist) or nodes
    rows: list[list[lw.LatexNode]] = [[]]
    ampersands = 0  # in the row so far
    for n in nodes:
        ampersand = columns and isinstance(n, lw.LatexSpecialsNode) and n.specials_chars == "&"
        if isinstance(n, lw.LatexMacroNode) and n.macroname in ROW_BREAKS:
            rows.append([])
            ampersands = 0
        elif ampersand and ampersands % 2:  # the row's second (fourth...) `&`: the next equation starts
            ampersands += 1
            rows.append([])
        else:
            ampersands += ampersand
            rows[-1].append(n)
    return [r for r in rows if any(visible(n) for n in r)]


def _separator(n: lw.LatexNode) -> bool:
    return (isinstance(n, lw.LatexMacroNode) and n.macroname in ROW_BREAKS) or \
        (isinstance(n, lw.LatexSpecialsNode) and n.specials_chars == "&")


def _equation_rows(nodes: list[lw.LatexNode]) -> list[lw.LatexNode]:
    """An `array` that fills the span and whose rows are equations (`{z_1 = w_1 x_1 + b} \\\\ {= 2 * 1 + 1}
    \\\\ {= 3}`, as converters write a display): its rows, each cell's braces taken off; a row starting with `=`
    carries on the chain above, as in `aligned`. A matrix never holds `=`, so an array that does is no
    matrix; one that does not stays one (empty list)."""
    seen = [n for n in nodes if visible(n)]
    flat: list[lw.LatexNode] = []
    for k, n in enumerate(seen):
        alone = (k == 0 or _separator(seen[k - 1])) and (k + 1 == len(seen) or _separator(seen[k + 1]))
        flat.extend(n.nodelist if alone and isinstance(n, lw.LatexGroupNode) else [n])
    equals = any(isinstance(n, lw.LatexCharsNode) and "=" in n.chars for n in flat) or \
        any(isinstance(n, lw.LatexMacroNode) and n.macroname in EQUALS for n in flat)
    return flat if equals else []


def chains(source: str, labels: frozenset[str] = frozenset()) -> list[Chain]:
    """Every chain `a = b = c` of a math span (rows continuing with `=` join the chain above); `labels`, the
    letters whose one-digit superscripts label layers in this document (layer_labels.py)."""
    return list(_cached_chains(source, labels))


_SYSTEM = re.compile(r"\A(\s*\\left\s*\\\{)(.*)(\\right\s*\.\s*)\Z", re.S)
_INDICATOR = re.compile(r"(\\math(?:bf|bb)\s*\{\s*1\s*\}\s*[\[(])([^<>=\n]*?)(\s*>\s*0\s*[\])])")
_CJK_LABEL = re.compile(r"^\s*[^=$]{0,40}?[\u3000-\u9fff][^=$]{0,40}?[:：]")


@lru_cache(maxsize=4096)
def _cached_chains(source: str, labels: frozenset[str]) -> tuple[Chain, ...]:
    """A span's chains, read once: a document is read for its names and then judged. Unicode maths is
    read as the LaTeX it stands for; each chain's offsets are the source's own."""
    if len(source) > MAX_SPAN:
        raise NotUnderstood(f"longer than {MAX_SPAN} characters")
    latex, back = symbols.to_latex(source)
    latex = marked(latex, labels)  # w^2 where w^1 is written: layer 2's w (the same length: offsets stay)
    latex = _CJK_LABEL.sub(lambda m: " " * len(m.group()), latex)  # 对w_5进行更新：w_5^+ = ...: a label
    latex = _INDICATOR.sub(_step, latex)  # \mathbf{1}[Z_2 > 0]: the relu's slope at Z_2, step(Z_2)
    # \left\{ ... \right. around the whole span: a brace gathering a system of equations, each row its own
    latex = _SYSTEM.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " " * len(m.group(3)), latex)
    try:
        found = _chains(latex)
    except RecursionError:
        raise NotUnderstood("nested too deeply") from None
    return tuple(replace(c, offsets=tuple(back[min(o, len(back) - 1)] for o in c.offsets)) for c in found)


_ENVIRONMENT = re.compile(r"\\(?:begin|end)\{(?:aligned|align\*?|split|gathered|gather\*?|eqnarray\*?)\}")
_ROW_END = re.compile(r"\\\\(?:\[[^\]]*\])?")
_ARRAYS = re.compile(r"\\begin\{([bpvBV]?matrix|array|smallmatrix|cases)\}.*?\\end\{\1\}", re.S)


def row_chains(source: str, labels: frozenset[str] = frozenset()) -> list[Chain]:
    """The chains of each row of a span walked alone, where the span cannot be walked whole (`h^{(1)}_{new,1}`
    in one row of an align): a row that cannot be read is left out, and so is a row carrying on with `&=`,
    whose first step is from the row not read; each chain keeps its offsets in the span."""
    blank = _ENVIRONMENT.sub(lambda m: " " * len(m.group()), source)
    inside = [(m.start(), m.end()) for m in _ARRAYS.finditer(blank)]  # a matrix's rows are its own
    breaks = [(m.start(), m.end()) for m in _ROW_END.finditer(blank) if not any(a <= m.start() < b for a, b in inside)]
    rows: list[list[Chain]] = []
    start = 0
    for end, after in [*breaks, (len(blank), len(blank))] if breaks else []:
        row = blank[start:end]
        try:
            walked = chains(" " * start + row, labels)  # spaces before it: the offsets hold
        except NotUnderstood:
            walked = []
        if re.match(r"\s*&?\s*(?:\\quad|\\qquad|\s)*[-+*/×·=]|\s*&?\s*\\(?:approx|times|cdot)", row):
            # a row carrying on (`&= 1 + 2`, `&\quad + 0.35 = 0.3775`) goes on from the row above: its first
            # step is from there, and the row above is not whole without it
            walked = []
            if rows:
                rows[-1] = []
        rows.append([c for c in walked if c.text.split(" = ")[0].strip() and len(c.offsets) > 1])
        start = after
    return [c for row in rows for c in row]


def _step(m: re.Match[str]) -> str:
    """An indicator `\\mathbf{1}[x > 0]` as `step(x)`, each character where it was (the offsets stay)."""
    opening, closing = m.group(1), m.group(3)
    return " " * (len(opening) - 5) + "step(" + m.group(2) + ")" + " " * (len(closing) - 1)


def _chains(source: str) -> list[Chain]:
    found: list[tuple[list[str], list[int], bool]] = []
    arrays: list[tuple[tuple[str, ...], ...]] = []
    for row in _rows(walk(source)):
        start = next(_first_character(n) for n in row if visible(n))
        pieces, row_arrays = plain(row)
        for text, update in pieces:  # a row's arrays are numbered from those of the rows before it
            _add_row(found, _renumbered(text, len(arrays)), update, start)
        arrays += row_arrays
    if len(found) == 1 and "\n" in source and len(set(found[0][1])) == 1:  # one row over several lines (prose):
        # each link where it is written
        equals = [m.start() for m in re.finditer(r"(?<![<>!:])=|\\approx|≈", source)]
        if len(equals) == len(found[0][0]) - 1:
            found[0] = (found[0][0], [found[0][1][0], *equals], found[0][2])
    return [Chain(" = ".join(parts), tuple(offsets), update, arrays=tuple(arrays) if ARRAY in " ".join(parts) else ())
            for parts, offsets, update in found]


def _first_character(n: lw.LatexNode) -> int:
    """Where a node's first visible character is: a row's text starts with the line break before it."""
    if isinstance(n, lw.LatexCharsNode):
        return n.pos + len(n.chars) - len(n.chars.lstrip())
    return n.pos


def _renumbered(text: str, offset: int) -> str:
    if not offset:
        return text
    return re.sub(ARRAY + r"(\d+)", lambda m: f"{ARRAY}{int(m.group(1)) + offset}", text)


def _add_row(found: list[tuple[list[str], list[int], bool]], text: str, update: bool, start: int) -> None:
    """A row's claim: a chain of its own, or the chain above carried on (a row that starts with `=`)."""
    parts = [p.strip() for p in text.split("=")]
    if found and (not parts[0] or parts[0][:1] in "+-*/") and len(found[-1][0]) > 1:
        head, *rest = parts
        found[-1][0][-1] += " " + head if head else ""
        found[-1][0].extend(rest)
        found[-1][1].extend([start] * len(rest))
    else:
        found.append((parts, [start] * len(parts), update))


def one_claim(source: str) -> bool:
    """A span the notes' reader takes as one line: its rows (`\\\\`) after the first all continue the
    first's chain (`&= ...`), as the walkthroughs print them; rows with left sides of their own are
    claims of their own, which the document's walker splits."""
    outside = _MATRIX.sub(" ", source)  # a matrix's rows are its own, not the span's
    rows = re.split(r"\\\\(?:\[[^\]]*\])?", outside)
    ends = re.compile(r"\s*(\\end\{\w+\*?\}\s*)*$")
    return all(r.lstrip().startswith("&") or ends.fullmatch(r) for r in rows[1:])


_MATRIX = re.compile(r"\\begin\{([bpvBV]?matrix|array|smallmatrix)\}.*?\\end\{\1\}", re.S)


def stepped_chain(chain: Chain, sign: str) -> Chain | None:
    """A chain with its steps read as the document adds them, None where a step is of no one quantity."""
    try:
        return replace(chain, text=stepped(chain.text, sign))
    except NotUnderstood:
        return None


def chain_texts(source: str, vectors: bool = False) -> list[str]:
    """A span's chains as the walker reads them (none where it cannot); with `vectors`, a vector written out
    (`x = [0, 1]`) in place of its placeholder."""
    try:
        return [_vectors_written(c) if vectors else c.text for c in chains(source)]
    except NotUnderstood:
        return []


def _vectors_written(chain: Chain) -> str:
    return re.sub(r"ARRAY__(\d+)", lambda m: _vector(chain.arrays[int(m.group(1))]), chain.text)


def _vector(array: tuple[tuple[str, ...], ...]) -> str:
    entries = [e for row in array for e in row] if min(len(array), len(array[0])) == 1 else []
    return f"[{', '.join(entries)}]" if entries else "ARRAY"
