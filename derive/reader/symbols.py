"""Maths as people type it outside LaTeX: Unicode symbols (`δ Δ ∂ σ η × · ⋅ − – ≈ ⊙ ∑ ∇ ⇒ ∴`), subscript and
superscript digits (`w₁`, `x²`), vulgar fractions (`½`), `:=`, full-width punctuation, and decimal commas,
turned into the LaTeX the walker reads, with a map from each position of the result back to the text as
written (so verdicts keep the document's own lines and columns).

The plain equations of prose are found here too: a line that states an equation (`net_h1 = (w₁ · x₁) +
(w₂ · x₂) + b_h`, with the lines below it that start with `=`), written without `$...$`.
"""

from __future__ import annotations

import ast
import re
import unicodedata

GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "Δ": "Delta", "ε": "epsilon", "ϵ": "epsilon",
         "η": "eta", "θ": "theta", "λ": "lambda", "μ": "mu", "σ": "sigma", "τ": "tau", "φ": "phi", "ω": "omega",
         "ρ": "rho", "π": "pi", "∂": "partial", "∑": "sum", "Σ": "sum", "∇": "nabla", "⊙": "odot", "∘": "circ",
         "≈": "approx", "≃": "approx", "≅": "approx", "×": "times", "·": "cdot", "⋅": "cdot", "∙": "cdot", "∗": "ast",
         "⇒": "Rightarrow", "⟹": "Rightarrow", "∴": "therefore", "÷": "div", "ŷ": "hat{y}",
         "←": "leftarrow", "⟵": "longleftarrow"}
PLAIN = {"`": " ", "−": "-", "–": "-", "—": "-", "′": "'", "：": ":", "（": "(", "）": ")", "，": ",", "；": ";",
         "＝": "=", "＋": "+", "＊": "*", "／": "/", "［": "[", "］": "]", "\u00a0": " ", "\u2009": " ",
         "\u202f": " ", "\u200b": "", "½": "\\frac{1}{2}", "¼": "\\frac{1}{4}", "¾": "\\frac{3}{4}",
         "⅓": "\\frac{1}{3}", "⅔": "\\frac{2}{3}"}
SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789aeoxhklmnpst"))
SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿᵀ", "0123456789+-nT"))
COMBINING_HAT = "\u0302"
# what stands before a layer's label typed as `^(1)`: a name (`z_1`, `δ`), not a number (`0.74^(2)`) or e
_LABELLED = re.compile(r"(?<![\w.])(?!e(?:$|_))[A-Za-zα-ωΑ-Ωδ](?:_\{?\w{1,4}\}?)?$")
_MATRIX_PRODUCT = re.compile(r"[\s\])]@[\s\[(]")
_LABEL_IN_BRACKETS = re.compile(r"\^\((\d{1,2})\)")
_RATIO = re.compile(r"[Δ∂]\s*([A-Za-z]\w*)\s*/\s*[Δ∂]\s*([A-Za-z]\w*)")


def to_latex(text: str) -> tuple[str, tuple[int, ...]]:
    """The text with its Unicode maths in LaTeX, and for each character of the result the position of the
    character it came from (one past the end for the end)."""
    out: list[str] = []
    back: list[int] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in SUBSCRIPTS or c in SUPERSCRIPTS:
            table, mark = (SUBSCRIPTS, "_") if c in SUBSCRIPTS else (SUPERSCRIPTS, "^")
            j = i
            while j < len(text) and text[j] in table:
                j += 1
            piece = mark + "{" + "".join(table[x] for x in text[i:j]) + "}"
        elif i + 1 < len(text) and text[i + 1] == COMBINING_HAT:  # y + ̂ : ŷ
            piece, j = "\\hat{" + c + "}", i + 2
        elif c in "Δ∂" and (ratio := _RATIO.match(text, i)):  # ΔE/Δw5, ∂E/∂w5, ∂L/∂w₂: the derivative
            # its names' Unicode sub- and superscripts as LaTeX's (`w₂` is `w_{2}`), as for any name
            piece, j = f"d{to_latex(ratio.group(1))[0]}/d{to_latex(ratio.group(2))[0]}", ratio.end()
        elif c == "=" and text.startswith("=>", i):  # => : hence (the next claim)
            piece, j = "\\Rightarrow ", i + 2
        elif c in GREEK:
            piece, j = "\\" + GREEK[c] + " ", i + 1
            digits = re.match(r"\d+", text[j:]) if c.isalpha() else None
            if digits:  # δ2, η1: the letter's index, as w1 is w's
                piece, j = piece.rstrip() + "_{" + digits.group() + "} ", j + digits.end()
        elif c in PLAIN:
            piece, j = PLAIN[c], i + 1
        elif c == "[" and i and text[i - 1].isalpha() and (layer := re.match(r"\[(\d{1,2})\]", text[i:])):
            piece, j = "^{[" + layer.group(1) + "]}", i + layer.end()  # W[1], Z[2]: a layer's count, as W^{[1]}
        elif c == "^" and (label := _LABEL_IN_BRACKETS.match(text, i)) and _LABELLED.search(text, max(0, i - 16), i):
            piece, j = "^{(" + label.group(1) + ")}", label.end()  # z_1^(1), δ^(2): a layer's label, ^{(1)}
        elif c == "@" and _MATRIX_PRODUCT.match(text, max(0, i - 1)):  # `W1 @ X`: Python's matrix product (w5@1 stays)
            piece, j = " \\cdot ", i + 1
        elif c == "\\" and text.startswith("\\_", i):  # d\_logits: Markdown's escaped underscore, a name's own
            piece, j = "_", i + 2
        elif c == ":" and text.startswith(":=", i):  # w := w - eta g: an assignment, the update's arrow
            piece, j = "\\leftarrow ", i + 2
        else:
            piece, j = c, i + 1
        out.append(piece)
        back += [i] * len(piece)
        i = j
    back.append(len(text))
    return "".join(out), tuple(back)


# A decimal comma: a digit, a comma and digits that are not a list's next number (`0,777`, not `(0.2, 0.4)`).
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_DECIMAL_POINT = re.compile(r"\d\.\d")


def uses_decimal_commas(text: str) -> bool:
    """A document that writes its decimals with commas throughout (`0,777`; no `0.777` anywhere)."""
    return bool(_DECIMAL_COMMA.search(text)) and not _DECIMAL_POINT.search(text)


def decimal_points(text: str) -> str:
    return _DECIMAL_COMMA.sub(".", text)


# --- equations in prose --------------------------------------------------------------------------------

# Words that may stand in an equation written in prose: functions and the names people give quantities.
MATH_WORDS = frozenset({"sigma", "sigmoid", "exp", "log", "ln", "tanh", "sqrt", "relu", "softmax", "max", "min",
                        "net", "out", "total", "target", "delta", "eta", "new", "old", "loss", "error", "cost",
                        "sum", "frac", "partial", "cdot", "times", "approx", "hat", "text", "mathrm", "left",
                        "right", "pred", "true", "output", "input", "hidden", "grad", "alpha", "beta", "gamma",
                        "theta", "lambda", "epsilon", "Delta", "nabla", "odot", "circ", "Rightarrow",
                        "therefore", "div", "bias", "dot", "tau", "phi", "omega", "rho", "mu", "pi", "in", "lr"})
_WORD = re.compile(r"(?<![\\A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]+")
_DERIVATIVE = re.compile(r"(?<![A-Za-z])d[A-Za-z]\w*\s*/\s*d[A-Za-z]\w*")
_LABEL = re.compile(r"^[^=]*?[:：](?!=)(?:\*\*|__)?\s*(?=[^:：]*=)")  # `**Answer:** y = 22`: its bold closed
_MARKER = re.compile(r"^\s*(?:(?:[-*+>•→⇒]|=>|\d{1,2}[.)])\s+)?(?:\*\*|__)?")  # and bold opened: `**y = 22**`
_END = re.compile(r"[\s.,;:。，；：!?！？]*(?:\*\*|__)?[\s.,;:。，；：!?！？]*$")


# A line of a program pasted into prose (`w1 -= grad1 * lr`, `L2 = sigmoid(np.dot(L1, w1))`, `a, b = 1, 2` at
# its start): no equation. A list of givens (`Inputs: x₁ = 0.35, x₂ = 0.7`) is none.
_CODE = re.compile(r"[+\-*/%]=|==|!=|\.[A-Za-z_]\w*\(|\b(?:np|torch|math)\.|\bimport\b|\bdef |\bprint\(|\breturn\b|"
                   r"\bfor\b.+\bin\b|:\s*$|^\s*#|^\s*\w+\s*,\s*\w+\s*=|\.T\b|\w\[\w*:")


def code_like(line: str) -> bool:
    return bool(_CODE.search(line))


_LABEL_LINE = re.compile(r"\s*[^\W\d_][^\W_]*(?: [^\W\d_][^\W_]*){0,3}\s*[:：]\s*")
LABEL = 8  # characters of a label line (`损失:`, `Output:`); a longer line ending with a colon may open code


# a heading of prose that ends with a colon: a capitalised word first (Python's keywords are lower case), a
# few words, or a sentence of four words or more (`For the solution you can use the fact that f(Iₖ) = zₖ:`)
_PROSE_LABEL = re.compile(r"\s*[A-Z][a-z]*(?: [\w()]+){1,6}\s*:\s*|\s*[A-Z][a-z]+(?: \S+){3,}\s*:\s*")


def label_line(row: str) -> bool:
    """A line of prose that ends with a colon (`预测值:`, `Loss:`, `For first row (neuron 1):`): a label,
    not a line of a program."""
    return (len(row.strip()) <= LABEL and bool(_LABEL_LINE.fullmatch(row))) or bool(_PROSE_LABEL.fullmatch(row))


# what plain-text maths has and a program has not: ×, −, ², ≈, Greek, subscript and superscript digits, ᵀ
_TYPED_MATHS = re.compile(r"[×−÷·²³≈∂∑σηδΔαβ∇⁰¹⁴-⁹₀-₉ᵀ]")


def plain_maths(block: str) -> bool:
    """Whether a code block holds maths typed as plain text (`z₁ = 1×2 + 0×1 = 2`), not a program: a sign only
    typed maths has, or equations alone, and no line of a program."""
    rows = [r for r in block.split("\n") if r.strip()]
    if any(code_like(r) and not label_line(r) for r in rows):
        return False
    # or, typed with a program's signs, lines that are each an equation, one a chain (`a_1 = tanh(0.3) = 0.2913`)
    # or a power written with ^, as maths writes it and a program does not (`L = (y_real - y_pred)^2`)
    return bool(_TYPED_MATHS.search(block)) or (all(equation_in(r) is not None for r in rows if not label_line(r)) and
                                                any(r.count("=") >= 2 or "^" in r for r in rows))


_CARRIED_ON = re.compile(r"^\s*=\s*\S", re.M)  # a line that carries the equation above it on


def pseudo_maths(block: str) -> bool:
    """Whether a code block marked as a program's (```python) holds maths written in its syntax, not a program:
    no program parses it (`Z1 = W1 @ X + b1` over `   = [[0.1, 0.2], [0.3, 0.4]] @ [[1], [2]] + ...`) and two
    lines or more carry an equation on, or it states numbers alone."""
    try:
        tree = ast.parse(block)
    except (SyntaxError, ValueError):
        return len(_CARRIED_ON.findall(block)) >= 2
    # or givens alone in its syntax: `W1 = [[0.1, 0.2], [0.3, 0.4]]`, `y = 1`, each a number or rows of them
    return len(tree.body) >= 2 and all(isinstance(s, ast.Assign) and len(s.targets) == 1 and
                                       isinstance(s.targets[0], ast.Name) and _numbers(s.value) for s in tree.body)


def _numbers(node: ast.expr) -> bool:
    """A number, or a list of numbers or of such lists."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    return isinstance(node, ast.List) and bool(node.elts) and all(_numbers(e) for e in node.elts)


def equation_in(line: str) -> tuple[int, int, str] | None:
    """Where the equation a line of prose states is, and its text ((start, end, text) in the line, the text
    as long as the slice, a remark in brackets blanked out), or None: the line holds `=`, and what remains
    after a leading label (`Output of h1: ...`) and trailing punctuation is maths, with no word of prose."""
    if "=" not in line or "$" in line or "\\(" in line or "\\[" in line or code_like(line):
        return None
    line = _TIMES.sub(" × ", _prose_brackets(_REMARK.sub(_blanked, line)))  # the same length: the offsets hold
    start = 0
    marker = _MARKER.match(line)
    if marker:
        start = marker.end()
    label = _LABEL.match(line[start:])
    if label:
        start += label.end()
    stripped = line.rstrip()
    end = len(stripped)
    tail = _END.search(stripped[start:])
    if tail:
        end = start + tail.start()
    body = line[start:end].strip()
    if _CJK.search(body):  # 学习率η=0.1，即...: the equation is the part between the words
        parts = [p for p in _CJK.split(body) if "=" in p]
        if len(parts) != 1:
            return None
        body = _END.sub("", parts[0]).strip()
    if "=" not in body:
        return None
    if body.lstrip().startswith(("=", "≈")):
        numbers = _arithmetic_carried_on(body)  # `=0.67(1−0.67)(−0.17)=−0.0376` below `δ_5 = ...`
        if numbers is None:
            return None  # a line carrying an equation on, without the one it carries on
        body = numbers
    if body.rstrip().endswith(("=", "≈")):
        return None  # `out_o1 =`: a blank left to fill in
    latex, _ = to_latex(unicodedata.normalize("NFC", body))
    # dL/dy_pred: a derivative's letters are no words of prose
    words = [w for w in _WORD.findall(_DERIVATIVE.sub(" ", latex)) if w.lower() not in MATH_WORDS]
    if words or not re.search(r"[0-9A-Za-z]", latex):
        return None
    offset = line.index(body, start)
    return offset, offset + len(body), body


# where a line of prose parts its clauses, outside brackets: a sentence's end, a semicolon, a comma, or a word
# that joins two statements (`y = w₂ · a₁, so ∂y/∂w₂ = a₁ = 0.622`, `∂L/∂w₁ = 0.115. Notice: ...`)
_NAMED = r"(?=[^\W\d][\w₀-₉ᵀ'^{}()\[\],]{0,20}\s*=)"  # a name, then `=`: an equation starts there
_CLAUSE_END = re.compile(r"[.。;；，,!?！？](?=\s)\s*|\s*\b(?:so|where|hence|thus|then|therefore|and|giving)\s+"
                         r"|(?<=\S)\s{3,}" + _NAMED)  # or a column's gap: `W₂ = [2  1]     b₂ = 1`, side by side


_WORKED = re.compile(r"[0-9·×*+\-−/^(²₀-₉]")  # a number, a script digit or an operation


_SIDE_BY_SIDE = re.compile(r"=[^=]*\S\s{3,}" + _NAMED)  # two equations a column's gap apart


# words that make a sentence's equations supposed, not claimed (`if out_o1 = 1 and ..., then E = 0`)
_SUPPOSED = re.compile(r"(?i)\b(?:if|suppose|supposing|assume|assuming|say|imagine|e\.g\.|for example|when|whenever|"
                       r"would|could|might)\b"
                       r"|假设|假如|如果|若|例如|比如")


_CONCLUDED = re.compile(r"[.。;；!?！？]|therefore|hence|thus")  # where a supposition ends


def equations_in(line: str) -> list[tuple[int, int, str]]:
    """The equations a line of prose states (`equation_in`): the line as one, else each of its clauses that is
    one, with no word of prose; the words between them are prose."""
    whole = equation_in(line) if not _SIDE_BY_SIDE.search(line) else None
    if whole is not None or "=" not in line or code_like(line) or "\\" in line:  # LaTeX left in a page's text:
        return [whole] if whole is not None else []  # a rendered formula's copies (rendered.py), no prose
    found, start, depth, supposed = [], 0, 0, False
    for k, c in enumerate(line + " . "):
        depth = max(0, depth + {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(c, 0))
        end = _CLAUSE_END.match(line + " . ", k) if depth == 0 and k >= start else None
        if end is None:
            continue
        # from `if`, `suppose`, ... to the sentence's end or its conclusion (`therefore`), equations are supposed
        supposed = supposed or bool(_SUPPOSED.search(line[start:k]))
        where = _stated(line[start:k]) if "=" in line[start:k] and not supposed else None
        if where is not None and _WORKED.search(where[2]):  # not a legend's `δ = error`
            found.append((start + where[0], start + where[1], where[2]))
        supposed = supposed and not _CONCLUDED.match(end.group().strip() or " ")
        start = end.end()
    return found


# the words that lead into an equation a sentence states at its end (`So we get out_o1 = 0.7514`, `Let the target
# be y_real = 0.5`, `Supongamos y_real = 0.5`): a verb that states or gives, then a name and its `=`
_LEAD_IN = re.compile(r"(?i)^(?:.*\s)?(?:be|is|are|get|gets|gives?|obtain|have|has|let|set|take|then|now|so|thus|"
                      r"hence|rate|using|with|supongamos|sea|tenemos|obtenemos|es)\s+" + _NAMED)


def _stated(clause: str) -> tuple[int, int, str] | None:
    """The equation a clause of prose states: the clause, or what follows the words that lead into it."""
    where = equation_in(clause)
    lead = _LEAD_IN.match(clause) if where is None else None
    words = clause[:lead.end()] if lead is not None else ""
    if lead is None or "=" in words or words.count("(") != words.count(")"):  # `(So w would be w = 2, ...)`
        return where
    rest = equation_in(clause[lead.end():])
    return None if rest is None else (lead.end() + rest[0], lead.end() + rest[1], rest[2])


def _arithmetic_carried_on(body: str) -> str | None:
    """What follows the `=` (or `=>`) a line starts with, where it is a chain of numbers alone (two links or
    more, no name): arithmetic judged link by link, whatever it carried on; else None."""
    rest = re.sub(r"^\s*(?:=>|⇒|=|≈)\s*", "", body)
    if "=" not in rest or re.search(r"[A-Za-zα-ωΑ-Ω]", rest) or not re.search(r"\d", rest):
        return None
    return rest


# a remark a column's gap after the equation (`L = 2        ← 预测 3`, `= 3.0     (because y = wx + b, so ...)`,
# `z = 0.5   # the net input`): to the line's end
_REMARK = re.compile(r"(?<=\S)\s{2,}(?:(?:←|<-+|#|//|--|—).*|\((?=[^)]*(?:[A-Za-z]{3,}|[\u4e00-\u9fff]))[^()]*\)\s*)$")


def _blanked(match: re.Match[str]) -> str:
    """A remark blanked, the same length; an arrow or a comment sign only after the equation's `=` (before it,
    `w5  ←  0.4 - ...` assigns), a bracket of words only where nothing follows it."""
    return " " * len(match.group()) if "=" in match.string[:match.start()] else match.group()


_BRACKET = re.compile(r"\s+\(([^()=]*)\)")  # after a space: `f(Ik)` is a call
_TIMES = re.compile(r"(?<=[\d\])]) x (?=[\d\[(])")  # `[0.1, 0.2] x [[0.1, 0.2], [0.3, 0.4]]`, `2 x 0.5`: times


def _prose_brackets(body: str) -> str:
    """`y (true label) = 1.0`: a remark in brackets, of words, left out (the same length, in spaces)."""
    def blank(match: re.Match[str]) -> str:
        words = [w for w in _WORD.findall(match.group(1)) if w.lower() not in MATH_WORDS]
        return " " * len(match.group()) if words else match.group()
    return _BRACKET.sub(blank, body)


def continues(line: str) -> bool:
    """A line that carries the equation above it on (`= 0.3775`, `+ 0.35`)."""
    body = line.strip()
    return body[:1] in ("=", "≈") and equation_in("x " + body) is not None
