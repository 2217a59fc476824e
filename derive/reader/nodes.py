"""What the LaTeX walker's nodes are, before any is read into the plain grammar: whether a node shows
anything, a transpose mark, an array's column specification, a shape stated after `\\in`, a macro's arguments."""

from __future__ import annotations

import re

from pylatexenc import latexwalker as lw

TRANSPOSES = frozenset({"T", "top", "intercal", "\\top", "\\intercal", "tr"})


def shape_stated(nodes: list[lw.LatexNode], i: int) -> int | None:
    """Past `\\in \\mathbb{R}^{m \\times n}` (or `^{n}`, `^3`) at nodes[i]: the index after it, else None."""
    rest = [(k, n) for k, n in enumerate(nodes) if k > i and visible(n)]
    if not rest or not re.fullmatch(r"\\math(bb|bf|cal)\s*\{?\s*R\s*\}?", rest[0][1].latex_verbatim().strip()):
        return None
    after = rest[1:3]
    if after and isinstance(after[0][1], lw.LatexCharsNode) and re.fullmatch(r"\^\s*\d*", after[0][1].chars.strip()):
        if after[0][1].chars.strip() != "^":
            return after[0][0] + 1  # ^3
        if len(after) == 2 and isinstance(after[1][1], lw.LatexGroupNode):
            return after[1][0] + 1  # ^{4 \times 2}
        return None
    return rest[0][0] + 1


def verbatim(nodes: list[lw.LatexNode]) -> str:
    """The nodes' LaTeX as written."""
    return "".join(n.latex_verbatim() for n in nodes if n is not None)


# a layer's label, then the transpose, in one superscript: W^{[2]T}, h^{(1)^\top}, W^{(2)^T}
_LABEL_T = re.compile(r"\{?\s*(\[\d{1,2}\]|\(\d{1,7}\))\s*(?:\^\s*)?\{?\s*(?:T|\\top|\\intercal)\s*\}?\s*\}?")


def labelled_transpose(node: lw.LatexNode | None, flat: str) -> str | None:
    """The layer's label of a superscript that labels a layer and transposes (`{(1)^\\top}`: `(1)`), else None."""
    found = _LABEL_T.fullmatch(node.latex_verbatim() if node is not None else flat)
    return found.group(1) if found else None


def transposed(node: lw.LatexGroupNode) -> bool:
    """Whether a superscript's group is a transpose mark (`^T`, `^{\\top}`)."""
    inner = [c for c in node.nodelist if visible(c)]
    return len(inner) == 1 and ((isinstance(inner[0], lw.LatexMacroNode) and inner[0].macroname in TRANSPOSES)
                                or (isinstance(inner[0], lw.LatexCharsNode) and inner[0].chars.strip() in TRANSPOSES))


def column_spec(env: lw.LatexEnvironmentNode) -> bool:
    """Whether the walker read an array's column specification as its argument: then a braced first cell
    (`{2} & {1}`, as converters write every cell) is a cell, not the specification."""
    args = env.nodeargd.argnlist if env.nodeargd is not None else []
    return any(a is not None for a in args)


def visible(n: lw.LatexNode) -> bool:
    """Whether a node shows anything (not a comment, not blank)."""
    return not (n is None or isinstance(n, lw.LatexCommentNode) or
                (isinstance(n, lw.LatexCharsNode) and not n.chars.strip()))


def args_of(n: lw.LatexMacroNode) -> list[lw.LatexNode]:
    """The arguments the walker parsed for a macro (none for a macro it does not know)."""
    argd = n.nodeargd
    return [a for a in (argd.argnlist if argd is not None else []) if a is not None]


def children(node: lw.LatexNode) -> list[lw.LatexNode]:
    """A group's nodes, or the node itself."""
    return list(node.nodelist) if isinstance(node, lw.LatexGroupNode) else [node]


def set_apart(nodes: list[lw.LatexNode], i: int, nxt: int) -> bool:
    """Whether nodes[i] stands alone in its piece of the span (a wide space, `\\quad`, parts the pieces) or after
    one: set beside the equation, not in it."""
    before = [n for n in nodes[:i] if visible(n) and not _alignment(n)]  # `\\quad &\\text{...}`: a column of notes
    after = [n for n in nodes[nxt:] if visible(n)]
    wide = bool(before) and isinstance(before[-1], lw.LatexMacroNode) and before[-1].macroname in ("quad", "qquad")
    return (not before or wide) and not after


def _alignment(node: lw.LatexNode) -> bool:
    return isinstance(node, lw.LatexSpecialsNode) and node.specials_chars == "&"


def cut_number(out: list[str], rest: list[lw.LatexNode]) -> bool:
    """Whether dots end a decimal number the link ends with (`= 0.0720083333\\ldots`, then `=`, `,` or nothing)."""
    after = next((n for n in rest if visible(n)), None)
    ends = after is None or (isinstance(after, lw.LatexCharsNode) and after.chars.lstrip()[:1] in ("=", ","))
    return ends and re.search(r"(?<![\w.@])\d*\.\d+\s*$", "".join(out)) is not None


def update_mark(flat: str) -> str | None:
    """`+`, `(1)`, `new`, `'`, `*`: the value after one update (or after N, `(N)`)."""
    if flat in ("+", "new", "'", "prime", "*", "(t+1)"):
        return "@1"
    match = re.fullmatch(r"\((\d{1,7})\)|\[(\d{1,2})\]", flat)
    return f"@{match.group(1) or match.group(2)}" if match else None


def what(n: lw.LatexNode) -> str:
    """What a node is, in an error's words."""
    if isinstance(n, lw.LatexEnvironmentNode):
        return f"the environment {n.environmentname!r}"
    if isinstance(n, lw.LatexMathNode):
        return "maths inside maths"
    return type(n).__name__.removeprefix("Latex").removesuffix("Node").lower()


# a row of cases: its value, then its condition (`1 & z > 0`, `0, & \text{otherwise}`)
_ROW = re.compile(r"\s*(?P<value>[^&]*?)\s*,?\s*&\s*(?:\\text\{\s*(?:if|for)\s*\}|if)?\s*(?P<condition>.*?)[\s,.;]*")
_ABOVE = re.compile(r"(?P<var>[^<>=]+?)\s*(?:>|\\gt|\\geq?|\\geqslant|≥)\s*0")
_ELSE = re.compile(r"(?P<var>[^<>=]+?)\s*(?:<|\\lt|\\leq?|\\leqslant|≤)\s*0"
                   r"|\\text\{\s*(?:otherwise|else)\s*\}|otherwise|else")
_SPACING = re.compile(r"(?<!\\)\\(?:quad|qquad|[,;:! ])")  # not the second backslash of a row's end


def piecewise(node: lw.LatexEnvironmentNode) -> tuple[str, str] | None:
    """A `cases` environment that is relu's slope (`1 & z > 0 \\\\ 0 & z \\le 0`: step, of z) or relu (`z & z > 0
    \\\\ 0 & \\text{otherwise}`), as (the function, its argument in LaTeX); None for any other."""
    if node.environmentname != "cases":
        return None
    body = _SPACING.sub(" ", "".join(n.latex_verbatim() for n in node.nodelist if n is not None))
    rows = [r for r in re.split(r"\\\\", body) if r.strip()]
    found = [_ROW.fullmatch(r) for r in rows]
    if len(rows) != 2 or not all(found):
        return None
    (high, low) = (m.groupdict() for m in found if m is not None)
    above, below = _ABOVE.fullmatch(high["condition"].strip()), _ELSE.fullmatch(low["condition"].strip())
    if above is None or below is None or low["value"].strip() != "0":
        return None
    var = above.group("var").strip()
    if below.group("var") is not None and below.group("var").strip() != var:
        return None
    value = high["value"].strip()
    return ("step", var) if value == "1" else ("relu", var) if value == var else None
