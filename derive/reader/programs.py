"""A NumPy program that works an example by hand in its comments, read as the maths it states.

```python
z2 = W2 @ a1 + b2                  # (1,1)
# z2 = 0.5*0.5275 + 0.6*0.5671 = 0.6040
dL_da2 = -(y_true - a2[0,0])        # -0.3535
```

Each line is rewritten in place, the same length (offsets and lines stay): a formula's program syntax as the
plain-text reader takes it (`np.array(` a bracket, `np.maximum(0, x)` relu, `**` a power, `a2[0,0]` the one
entry of a 1x1 array), a comment that states an equation or carries one on (`#     = [[0.11], [0.27]]`) as
that line, and a value a line's comment gives (`# -0.3535`, `# ReLU: [0.5, 1.1]`) as its last link. Every
other line (a definition, a print, an import, a shape or a word in a comment) is blanked: nothing is run.
"""

from __future__ import annotations

import ast
import functools
import re

from derive.reader.symbols import code_like

# the words a comment's value is labelled with that say what the line's value is (`# ReLU: [0.5, 1.1]`, `# MSE:`),
# not another quantity's (`# target: 0.01`)
_LABEL = re.compile(r"(?i)^\s*(?:relu|sigmoid|tanh|softmax|linear|mse|loss|cost|output|result|value|结果|输出|值)"
                    r"\s*[:：]\s*")
# a comment's value: a number, a bracket of them, or a computation in numbers
_VALUE = re.compile(r"^[-−+(\[]*\s*\d*\.\d")
_SHAPE = re.compile(r"^\s*\(\d+\s*,\s*\d*\)\s*$")  # (2,1): a shape, no value
_DOT = re.compile(r"\bnp\.(?:dot|matmul)\(")
_REWRITES: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"\bnp\.(?:array|asarray)\b"), ""),
    (re.compile(r"\bnp\.zeros\(\(?\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)?\)"), None),  # zeros, as the list they are
    (re.compile(r"\bnp\.maximum\(\s*0(?:\.0)?\s*,"), "relu("),  # max(0, x): relu
    (re.compile(r"\bnp\.(?=exp\b|log\b|tanh\b|sqrt\b)"), ""),
    (re.compile(r"\*\*"), "^"),
    (re.compile(r"(?<=\w)(?:\[\s*0\s*,\s*0\s*\]|\[0\]\[0\])"), ""),  # the one entry of a 1x1 array: the value
    (re.compile(r"\.(?:ravel|flatten)\(\)|\.reshape\([^()]*\)"), ""),
)


def worked(block: str) -> bool:
    """Whether a block is a program (Python parses it) that works an example in its comments: a comment
    that states an equation in numbers, or gives a line's value."""
    try:
        tree = ast.parse(block)
    except (SyntaxError, ValueError):
        return False
    if not _one_meaning(tree) or '"""' in block or "\'\'\'" in block:
        return False
    lines = block.split("\n")
    return any(_stated(line) is not None or _equation_line(line) for line in lines) or _formula_sheet(tree)


_MATHS = frozenset({"relu", "sigmoid", "tanh", "exp", "log", "sqrt", "softmax", "maximum", "array", "zeros"})
_NODES = (ast.Name, ast.Constant, ast.List, ast.Tuple, ast.BinOp, ast.UnaryOp, ast.Load, ast.operator, ast.unaryop,
          ast.Call, ast.Attribute, ast.Subscript)


def _one_meaning(tree: ast.Module) -> bool:
    """Whether each name of the program stands for one value: no loop (a comment there is a value after it),
    no name assigned twice or from itself (`h = sigmoid(h)`, `W1 = W1 - 0.1 * dW1`: a name the reader takes
    for one quantity would mean two)."""
    if any(isinstance(n, (ast.For, ast.While, ast.AsyncFor, ast.AugAssign)) for n in ast.walk(tree)):
        return False
    assigned: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            used = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            if names & (assigned | used):
                return False
            assigned |= names
    return True


def _formula_sheet(tree: ast.Module) -> bool:
    """A program of assignments alone (`x = [1, 0]`, `h = W1 @ x + b1`, `a = relu(h)`), two or more, one of
    numbers, and no call but of a function of maths: the example's givens and formulas, in a program's syntax."""
    body = tree.body
    if len(body) < 2 or not all(isinstance(s, ast.Assign) and len(s.targets) == 1 and
                                isinstance(s.targets[0], ast.Name) for s in body):
        return False
    values = [s.value for s in body if isinstance(s, ast.Assign)]
    nodes = [n for v in values for n in ast.walk(v)]
    calls = [n.func for n in nodes if isinstance(n, ast.Call)]
    named = all(isinstance(f, (ast.Name, ast.Attribute)) and (f.id if isinstance(f, ast.Name) else f.attr) in _MATHS
                for f in calls)
    numbers = any(isinstance(v, (ast.List, ast.Constant)) for v in values)
    return named and numbers and all(isinstance(n, _NODES) for n in nodes)


def as_maths(block: str) -> str:
    """The block, each line rewritten as the maths it states (the same length), or blanked."""
    found, depth = [], 0
    for line in block.split("\n"):
        code, hash_, comment = line.partition("#")
        if depth > 0:  # a list written over lines: its rows
            found.append(_rewritten(code) + _blank(hash_ + comment))
        else:
            found.append(_line(line))
        kept = found[-1].partition("#")[0] if depth > 0 or found[-1].strip() else ""
        depth = max(0, depth + kept.count("[") + kept.count("(") - kept.count("]") - kept.count(")"))
    return "\n".join(found)


def _line(line: str) -> str:
    code, hash_, comment = line.partition("#")
    if not code.strip():  # a comment's line: an equation, a line carried on, or words
        if not _equation_line(line):
            return _blank(line)
        line = line.replace("#", " ", 1)  # `# a2 ≈ sigmoid(0.6040) ≈ 0.6465`: its first ≈ an equation's =
        return line if "=" in line else line.replace("≈", "=", 1)
    plain = _rewritten(code)
    if "=" not in code or code_like(plain.replace(".T", "")) or "np." in plain:
        return _blank(line)
    value = _stated(line)
    return plain + (_blank(hash_ + comment) if value is None else "=" + " " * value + comment[value:])


def _stated(line: str) -> int | None:
    """Where the value a code line's comment gives starts in the comment (after a label), or None."""
    code, hash_, comment = line.partition("#")
    if not hash_ or not code.strip() or "=" not in code or _SHAPE.match(comment):
        return None
    label = _LABEL.match(comment)
    start = label.end() if label else len(comment) - len(comment.lstrip())
    return start if _VALUE.match(comment[start:]) else None


def _equation_line(line: str) -> bool:
    """A comment's line that states an equation with a number in it, or carries one on (`#  = [[0.11]]`)."""
    code, hash_, comment = line.partition("#")
    body = comment.strip()
    return not code.strip() and bool(hash_) and bool(re.search(r"\d", body)) and (
        "=" in body or "≈" in body) and not code_like(body)


def _rewritten(code: str) -> str:
    for pattern, by in _REWRITES:
        code = pattern.sub(functools.partial(_replaced, by), code)
    return _dots(code)


def _dots(code: str) -> str:
    """`np.dot(W1, x)` as `(W1 @ x)`: the call's comma (outside brackets within it) a matrix product."""
    while (call := _DOT.search(code)) is not None:
        depth, comma = 0, None
        for k in range(call.end(), len(code)):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(code[k], 0)
            if depth == 0 and code[k] == "," and comma is None:
                comma = k
            if depth < 0:
                break
        else:
            return code
        if comma is None:
            return code
        # `np.dot(` is one character longer than `( ` and `, ` one shorter than ` @ `: the first factor moves over
        code = (code[:call.start()] + _padded("(", len(call.group()) - 1) + code[call.end():comma] + " @" +
                code[comma + 1:])
    return code


def _replaced(by: str | None, match: re.Match[str]) -> str:
    return _padded(by if by is not None else _zeros(match), len(match.group()))


def _zeros(match: re.Match[str]) -> str:
    """`np.zeros((2, 1))` as `[[0], [0]]`, `np.zeros(2)` as `[0, 0]` (where it fits in as many characters)."""
    rows, columns = int(match.group(1)), match.group(2)
    if columns is None:
        return "[" + ", ".join(["0"] * rows) + "]"
    return "[" + ", ".join("[" + ", ".join(["0"] * int(columns)) + "]" for _ in range(rows)) + "]"


def _padded(text: str, width: int) -> str:
    return text + " " * (width - len(text)) if len(text) <= width else " " * width


def _blank(text: str) -> str:
    return " " * len(text)
