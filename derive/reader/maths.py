"""LaTeX maths as people type it, turned into the checker's claims grammar, node by node.

A math span is parsed by pylatexenc's walker into macros, groups and characters; each node is mapped to
the plain grammar of `derive.check.claims` (names such as `net_h1`, `E_total`, `w5@1`, derivatives
`d(E_total)/d(w5)`, numbers and operators). Anything without a mapping raises `NotUnderstood` with the
reason: it is never guessed. Rows of `align`/`aligned` (split at `\\\\`, a row starting with `&=`
continuing the chain above) become one chain each. Nothing is evaluated here.
"""

from __future__ import annotations

import functools

import re
from dataclasses import dataclass

from pylatexenc import latexwalker as lw, macrospec

from derive.reader.layer_labels import LABEL
from derive.reader.nodes import (TRANSPOSES, args_of, children, column_spec, cut_number, labelled_transpose, piecewise,
                                 set_apart, shape_stated, transposed, update_mark, verbatim, visible, what)
from derive.reader.steps import STEP
from derive.reader.plain import (ARRAY, OVER_OUTPUTS, UNREAD_SUM, NotUnderstood, claims_in, comma_rows, expanded_sum,
                                 explicit_products, lists, loss_calls, matching, over_examples, over_outputs,
                                 powers_of_calls, relu)

MAX_SPAN = 4_000  # characters of one math span; longer ones are not read
NAME_MACROS = frozenset({"text", "mathrm", "mathit", "operatorname", "textrm", "textit", "mathbf", "vec",
                         "boldsymbol", "mathsf", "textnormal", "bm", "mathnormal", "mathcal", "mathscr", "textbf",
                         "overrightarrow"})  # \vec{x}, \overrightarrow{x}: the vector x, its arrow a typeface
# A mark over a letter that makes a name of its own: \hat{y} is yhat, \bar{e} ebar
DECORATIONS = {"hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar"}
ARROWED = frozenset({"vec", "overrightarrow", "mathbf", "boldsymbol", "bm"})  # typefaces of a vector
TIMES = frozenset({"cdot", "times", "ast"})
FRAMES = frozenset({"boxed", "fbox", "framebox"})  # a result framed: what it holds is read as written
SPACES = frozenset({";", ":", "!", "quad", "qquad", " ", "\n", "\t", "enspace"})  # `\` before a line break: a space
IGNORED = frozenset({"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
                     "Biggl", "Biggr", "bigm", "Bigm",
                     "displaystyle", "textstyle", "limits", "nonumber", "notag", "middle"})
GREEK = frozenset({"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eta", "theta", "lambda",
                   "mu", "sigma", "tau", "phi", "varphi", "omega", "rho", "kappa", "nu", "xi", "psi", "zeta"})
ARROWS = {"to": "\u2192", "rightarrow": "\u2192"}  # between a subscript's two ends, as _flat writes them
FUNCTION_MACROS = {"exp": "exp", "ln": "ln", "log": "log", "tanh": "tanh", "max": "max"}
# A condition after an equation (`net_y = 5.05 > 0`): the equation is the claim.
COMPARISONS = {"le": "<", "leq": "<", "ge": ">", "geq": ">", "lt": "<", "gt": ">", "neq": "!", "ne": "!"}
FRACS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
EQUALS = frozenset({"approx", "simeq", "equiv"})  # a rounded value is judged to the digits written anyway
UPDATE_ARROWS = frozenset({"leftarrow", "gets", "longleftarrow"})
ROW_ENVS = frozenset({"aligned", "align", "align*", "split", "gathered", "gather", "gather*", "eqnarray",
                      "eqnarray*", "equation", "equation*", "multline", "multline*", "alignat", "alignat*",
                      "alignedat", "flalign", "flalign*"})
DIFFERENTIALS = frozenset({"partial", "Delta", "delta"})
# Vectors and matrices: each is written into a chain as ARRAY<k>, its cells kept beside the chain.
MATRIX_ENVS = frozenset({"bmatrix", "pmatrix", "vmatrix", "Bmatrix", "Vmatrix", "matrix", "smallmatrix", "array"})
# What ends one claim and starts the next inside a span: a new row, "hence", "therefore".
ROW_BREAKS = frozenset({"\\", "cr", "Rightarrow", "implies", "Longrightarrow", "therefore", "quad", "qquad"})
UNICODE = {"·": "*", "×": "*", "−": "-", "≈": "=", "∙": "*", "（": "(", "）": ")"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:@\d{1,7})?")
_THOUSANDS = re.compile(r"(?<=\d)[\x00\x01](?=\d{3}(?!\d))")
# (..)^{2-1}, w^{(1-1)}: a small whole-number exponent written unsimplified, bracketed or not
_ARITHMETIC_EXPONENT = re.compile(r"\d{1,2}(?:[-+]\d{1,2})+|\(\d{1,2}(?:[-+]\d{1,2})+\)")
_NEW = re.compile(r"(?<![A-Za-z0-9_@])([A-Za-z][A-Za-z0-9_]*)\s*\(\s*new\s*\)")  # w_{2,3}(new): after the update
_PARTIALS = re.compile(r"(?<![A-Za-z0-9_@])d([A-Za-z][A-Za-z0-9_]*)\s+/\s+d([A-Za-z][A-Za-z0-9_]*)")  # ∂L / ∂a
_NABLA = re.compile(r"\x04\(\s*([A-Za-z][A-Za-z0-9_@]*)\s*\)\s*([A-Za-z][A-Za-z0-9_]*)")  # \nabla_{W} L: dL/dW
# \nabla J(\theta), \nabla loss(scores): a loss's gradient by the one name it is written of
_NABLA_OF = re.compile(r"\bnabla_((?:[JLCE]|[Ll]oss|[Cc]ost)(?:_[A-Za-z0-9]+)?)\s*\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)")
_PLAIN_ALLOWED = re.compile(r"[A-Za-z0-9_@.+\-*/^()=,;<>! \x00\x01]*")


@dataclass(frozen=True)
class Chain:
    """One claim's text in the plain grammar, and where each of its parts starts in the span."""

    text: str
    offsets: tuple[int, ...]  # per part (the left side first): offset in the span's source
    update: bool = False  # written with an update arrow (w <- w - eta dE/dw): the left side is the new value
    entry: str = ""  # of a claim about whole vectors or matrices: the entry this chain is about
    arrays: tuple[tuple[tuple[str, ...], ...], ...] = ()  # the vectors and matrices written in it (ARRAY__k)

    @property
    def about_arrays(self) -> bool:
        """A chain of vectors or matrices: one written out, a transpose or an entry-wise product."""
        return bool(self.arrays) or " ^T" in self.text or " odot " in self.text


@functools.cache
def _context() -> lw.LatexContextDb:
    """pylatexenc's macros, environments and specials, made once: a walker given none builds its own,
    a fifth of the walk's time; \\tfrac and its kin take two arguments as \\frac does (`\\tfrac12`)."""
    db = lw.get_default_latex_context_db()
    db.add_context_category("fractions", prepend=True, macros=[macrospec.MacroSpec(f, "{{") for f in sorted(FRACS)])
    return db


def walk(source: str) -> list[lw.LatexNode]:
    """The nodes of a LaTeX fragment (pylatexenc, tolerant of unbalanced input)."""
    walker = lw.LatexWalker(source, latex_context=_context(), tolerant_parsing=True)
    try:
        nodes, _, _ = walker.get_latex_nodes()
    except RecursionError:
        raise NotUnderstood("nested too deeply") from None
    except lw.LatexWalkerError as exc:
        raise NotUnderstood(f"LaTeX that cannot be parsed ({str(exc).splitlines()[0]})") from None
    return nodes


class _Emitter:
    """Plain-grammar text of a node list; `script` is a pending `_` or `^` waiting for its argument."""

    def __init__(self, arrays: list[tuple[tuple[str, ...], ...]] | None = None) -> None:
        self.out: list[str] = []
        self.script = ""
        self.drop_dot = False
        self.braced = False  # the last thing written was a subscript in braces
        self.glue = False  # the next name joins the last thing written (\nabla_{1} v)
        self.update = False
        self.arrays = arrays if arrays is not None else []  # shared with the emitters of its parts
        self.norms: list[int] = []  # where each `\\|` was written: a bracket, opening then closing

    def text(self) -> str:
        if self.script:
            raise NotUnderstood(f"a {self.script} without its argument")
        if len(self.norms) % 2:
            raise NotUnderstood("a norm \\|...\\| that is not closed")
        for opening, closing in zip(self.norms[::2], self.norms[1::2]):
            if self.out[closing + 1:closing + 2] != ["^(2)"]:  # |x|^2 is x^2; |x| alone, of one number, is abs(x)
                self.out[opening] = " abs("
        return "".join(self.out)

    def nodes(self, nodes: list[lw.LatexNode]) -> None:
        i = 0
        while i < len(nodes):
            i = self.node(nodes, i)

    def node(self, nodes: list[lw.LatexNode], i: int) -> int:
        """Emit nodes[i]; return the index of the next node not consumed."""
        n = nodes[i]
        if n is None or isinstance(n, lw.LatexCommentNode):
            return i + 1
        if self.script:
            return self._script(nodes, i)
        if isinstance(n, lw.LatexCharsNode):
            self.chars(n.chars)
        elif isinstance(n, lw.LatexGroupNode):
            first = next((c for c in n.nodelist if visible(c)), None)
            if [c.chars for c in n.nodelist if isinstance(c, lw.LatexCharsNode)] == [","] and len(n.nodelist) == 1:
                self.out.append("\x00")  # {,} between digit groups
            elif len(n.nodelist) == 1 and isinstance(first, lw.LatexCharsNode) and first.chars.strip() in ("+", "-"):
                self.chars(first.chars)  # {+}: an operator set in braces for its spacing
            elif isinstance(first, lw.LatexCharsNode) and first.chars.lstrip()[:1] in "_^" and self.out:
                self.nodes(n.nodelist)  # \delta{_2}: a script set in braces of its own
            elif _GLUED_LABEL.fullmatch(n.latex_verbatim()) and _NAME_TAIL.search("".join(self.out[-8:])):
                self._place("_", n.latex_verbatim()[1:-1])  # out{o1}: a neuron's label, its underscore left out
            else:
                self.out.append("(")
                self.nodes(n.nodelist)
                self.out.append(")")
        elif isinstance(n, lw.LatexMacroNode):
            return self.macro(nodes, i)
        elif isinstance(n, lw.LatexEnvironmentNode) and n.environmentname in ROW_ENVS:
            self.nodes(n.nodelist)
        elif isinstance(n, lw.LatexEnvironmentNode) and n.environmentname in MATRIX_ENVS:
            self.out.append(f" {ARRAY}{len(self.arrays)} ")
            self.arrays.append(_cells(n))
        elif isinstance(n, lw.LatexSpecialsNode):
            self.chars(n.specials_chars)
        elif isinstance(n, lw.LatexMathNode) and n.delimiters[0] in ("\\(", "$"):
            self.nodes(n.nodelist)  # `$\( x_1 = 1.1 \), \( x_2 = 2.2 \)$`: delimiters written twice
        elif isinstance(n, lw.LatexEnvironmentNode) and (cases := piecewise(n)) is not None:
            self.chars(f" {cases[0]}(")  # relu's slope or relu written by cases
            self.nodes(walk(cases[1]))
            self.chars(") ")
        else:
            raise NotUnderstood(f"{what(n)} is not understood in an equation")
        return i + 1

    def chars(self, text: str) -> None:
        if self.drop_dot and text.startswith("."):
            text = text[1:]  # \left. is an invisible delimiter
        self.drop_dot = False
        if self.braced and text[:1].isalpha():
            self.out.append(" ")
        if self.glue:  # the name that follows \nabla joins it, written after a space or not
            text = text.lstrip()
        self.braced = self.glue = False
        j = 0
        while j < len(text):
            c = UNICODE.get(text[j], text[j])
            if c in "_^" + LABEL:
                j = self._inline_script(text, j)
                continue
            if c == "'":
                self.out.append("@1")  # w_5' : the value after the update
            elif c == "[":
                self.out.append("(")
            elif c == "]":
                self.out.append(")")
            elif c == "|":  # |0.579 - 1|, \left| t - o \right|
                self._bar()
            elif c in "&~" or c == "\n" or c == "\t":
                self.out.append(" ")
            elif _PLAIN_ALLOWED.fullmatch(c):
                self.out.append(c)
            else:
                raise NotUnderstood(f"unexpected {c!r}")
            j += 1

    def _bar(self) -> None:
        """A bar of a norm or an absolute value: of one number, its square where squared, else abs (`text`)."""
        self.out.append(")" if len(self.norms) % 2 else "(")
        self.norms.append(len(self.out) - 1)

    def _inline_script(self, text: str, j: int) -> int:
        """`_5`, `_h1`, `^2` written without braces: the run of letters and digits that follows."""
        op = text[j]
        k = j + 1
        while k < len(text) and text[k] == " ":
            k += 1
        if k >= len(text):
            self.script = op
            return k
        if op == "^" and text[k] == "(":  # e^(-x) as typed without LaTeX: the bracket is the exponent
            close = matching(text, k)
            if close is None:  # e^(net_{h1}): the bracket closes after the nodes that follow (or never: not read)
                self.out.append("^(")
                self.chars(text[k + 1:])
                return len(text)
            self.out.append("^(")
            self.chars(text[k + 1:close])
            self.out.append(")")
            return close + 1
        end = k
        while end < len(text) and (text[end].isascii() and text[end].isalnum()):
            end += 1
        if op == "^" and text[k] == "T" and end > k + 1 and text[k + 1].isalpha():
            end = k + 1  # w^Tx: the transpose, then the next name (no exponent is spelled Tx)
        digits = re.match(r"\d+(?=[A-Z])", text[k:end])
        if op == "_" and digits:
            end = k + digits.end()  # W_1X: W_1 times X, as LaTeX sets it (a capital starts another name)
        if op == "^" and text[k] in "+*":
            end = k + 1
        if end == k:
            if op == "^" and text[k] == "-":
                end = k + 1
                while end < len(text) and text[end].isdigit():
                    end += 1
            if end == k + (op == "^" and text[k] == "-"):
                raise NotUnderstood(f"{op} followed by {text[k]!r}")
        self._place(op, text[k:end])
        if digits and op == "_":
            self.out.append(" ")
        return end

    def _script(self, nodes: list[lw.LatexNode], i: int) -> int:
        op, self.script = self.script, ""
        n = nodes[i]
        if isinstance(n, lw.LatexCharsNode):
            self._inline_script(op + n.chars, 0)
            return i + 1
        if isinstance(n, lw.LatexMacroNode) and n.macroname in ("prime",) and op == "^":
            self.out.append("@1")
            return i + 1
        if op == "_" and self._annotation(n):
            return i + 1
        if op == "_" and self.out and self.out[-1] == " nabla_" and re.fullmatch(r"\{?\s*\d+\s*\}?", verbatim([n])):
            self.glue = True  # \bigtriangledown_{1} v: the gradient for v at a step the document counts (not read)
            return i + 1
        if op == "_" and self.out and self.out[-1] == " nabla_" and re.search(r"[A-Za-z]", verbatim([n])):
            inner = _Emitter(self.arrays)  # \nabla_{W^{[2]}} L: the gradient of L by W (\nabla_{1}: an index)
            inner.nodes(n.nodelist if isinstance(n, lw.LatexGroupNode) else [n])
            self.out[-1] = " \x04(" + inner.text().strip() + ") "
            return i + 1
        self._place(op, _flat_or(n), node=n)
        self.braced = op == "_" and isinstance(n, lw.LatexGroupNode)  # \delta_{o1}out_{h1}: a name ends at the brace
        return i + 1

    def _annotation(self, n: lw.LatexNode) -> bool:
        """`[...]_{(0.01 and 0.99 are the targets)}`: a bracketed remark set as a subscript of a bracket or
        a fraction, not of a name, is a remark and not maths."""
        inner = n.latex_verbatim()[1:-1].strip() if isinstance(n, lw.LatexGroupNode) else ""
        before = "".join(self.out).rstrip()
        return inner.startswith("(") and inner.endswith(")") and before.endswith(")")

    def _place(self, op: str, flat: str, node: lw.LatexNode | None = None) -> None:
        """A subscript joins the name; a superscript is an update mark or an exponent."""
        if op == LABEL:  # w^2 in a document that writes w^1: layer 2's w (layer_labels.py)
            op, flat = "^", f"[{flat}]"
        if flat in ("old", "(t)") and self.out and _NAME_END.search(self.out[-1]):  # w_{old}, W^{(t)}: before
            return  # the update, the value the name stands for
        if op == "_":
            if re.fullmatch(r"[A-Za-z0-9]+[,-]\s*new", flat):  # w_{5,\text{new}}, w_{5-new}: w_5 after the update
                self._place(op, re.split(r"[,-]", flat)[0])
                self.out.append("@1 ")
                return
            ends = re.fullmatch(r"\(([A-Za-z0-9]+(?:,[A-Za-z0-9]+)+)\)", flat)  # w_{(x_1, 1)}, w_{(1,4)}: a weight
            arrow = re.fullmatch(r"([A-Za-z0-9]+)\u2192([A-Za-z0-9]+)", flat) or re.fullmatch(  # w_{x_1 \to h_1}
                r"([A-Za-z]+\d+)-([A-Za-z]+\d+)", flat)  # W_{X1-H1}: from X1 to H1 (labels, not k-1)
            # w_{11-grad}: a name of the person's, its label a word
            joined = arrow or re.fullmatch(r"([A-Za-z0-9]+)-([A-Za-z]{2,})", flat)
            if joined:
                flat = f"{joined.group(1)}_{joined.group(2)}"
            elif re.fullmatch(r"[A-Za-z0-9](?:,[A-Za-z0-9])+", ends.group(1) if ends else flat):  # named by its ends
                flat = flat.strip("()").replace(",", "")  # w_{1,3}: one index of one character each, written apart
            elif ends:
                flat = ends.group(1).replace(",", "_")  # w_{(x1,1)}: indices of several characters, kept apart
            if not re.fullmatch(r"[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*", flat):
                raise NotUnderstood(f"the subscript {flat!r}")
            marked = re.fullmatch(r"(.*?)(@\d+ ?|_L\d+)", self.out[-1]) if self.out else None
            if marked:  # z^{(2)}_1, w^{[2]}_{11}: the index belongs to the name, the superscript after it
                self.out[-1] = marked.group(1) + "_" + flat + marked.group(2) + " "
            else:
                self.out.append("_" + flat)
            return
        mark = update_mark(flat)
        if flat in TRANSPOSES or (isinstance(node, lw.LatexMacroNode) and node.macroname in TRANSPOSES) or (
                isinstance(node, lw.LatexGroupNode) and transposed(node)):
            self.out.append(" ^T ")
        elif (labelled := labelled_transpose(node, flat)) and self.out and \
                _NAME_END.search(self.out[-1]):  # W^{[2]T}, h^{(1)^\top}: layer 2's W, transposed
            self._place(op, labelled)
            self.out.append(" ^T ")
        elif re.fullmatch(r"\[\d{1,2}\]", flat) and self.out and _NAME_END.search(self.out[-1]):
            # W^{[2]}, w^{[2]}_{11}, a^{[1]}: square brackets count layers (a course's notation), never updates;
            # g'^{[1]}: the layer's g, then its prime
            primed = re.fullmatch(r"(.*?)(@1 ?)", self.out[-1])
            self.out[-1] = f"{primed.group(1)}_L{flat[1:-1]}@1" if primed else self.out[-1] + f"_L{flat[1:-1]}"
        elif mark is not None:
            self.out.append(mark + " ")  # W^{(1)}x: the name ends with its superscript
        elif _ARITHMETIC_EXPONENT.fullmatch(flat):  # folded: never an update count, which is one number
            self.out.append(f"^({eval_small(flat.strip('()'))})")
        else:
            inner = _Emitter()
            if isinstance(node, lw.LatexGroupNode):
                inner.nodes(node.nodelist)
            elif node is not None:
                inner.nodes([node])
            else:
                inner.chars(flat)
            self.out.append("^(" + inner.text() + ")")

    def macro(self, nodes: list[lw.LatexNode], i: int) -> int:
        n = nodes[i]
        name = n.macroname
        args = args_of(n)
        if name in FRACS:
            parts, nxt = _two_args(nodes, i, args)
            self.out.append(_fraction(*parts))
            return nxt
        if name == "sum" and (expanded := expanded_sum(verbatim(nodes[i + 1:]))) is not None:
            inner = _Emitter(self.arrays)
            inner.nodes(walk(expanded))
            self.out.append(" " + inner.text() + " ")
            return len(nodes)
        if name == "sum" and (examples := over_examples(verbatim(nodes[i + 1:]))) is not None:
            summand, tail = _Emitter(self.arrays), _Emitter(self.arrays)  # \sum_{i=1}^{m}: over the examples
            summand.nodes(walk(examples[0]))
            tail.nodes(walk(examples[1]))
            self.out.append(" sum_s(" + summand.text() + ") " + tail.text() + " ")
            return len(nodes)
        if name == "sum" and (outputs := over_outputs(verbatim(nodes[i + 1:]))) is not None:
            summand, tail = _Emitter(self.arrays), _Emitter(self.arrays)
            summand.nodes(walk(outputs[0]))
            tail.nodes(walk(outputs[1]))
            self.out.append(f" ({OVER_OUTPUTS} * (" + summand.text() + ")) " + tail.text() + " ")
            return len(nodes)
        if name == "sum":
            self.out.append(_over_samples(nodes[i + 1:], self.arrays, "".join(self.out).count("=")))
            return len(nodes)
        if name == "sqrt":
            parts, nxt = _one_arg(nodes, i, args)
            self.out.append(" sqrt(" + _emit(parts) + ")")
            return nxt
        if name in NAME_MACROS:
            parts, nxt = _one_arg(nodes, i, args)
            number = verbatim([parts]).strip("{} ")
            if re.fullmatch(r"-?\d+\.\d+", number):  # \mathbf{0.4256}: a result set in bold
                self.out.append(" " + number + " ")
                return nxt
            if isinstance(parts, lw.LatexEnvironmentNode) or [type(c) for c in children(parts) if visible(c)] == [
                    lw.LatexEnvironmentNode]:  # \mathbf{\begin{bmatrix} ... \end{bmatrix}}: a matrix set in bold
                inner = _Emitter(self.arrays)
                inner.nodes(children(parts))
                self.out.append(" " + inner.text() + " ")
                return nxt
            source = verbatim([parts]).strip("{} ")
            if name in ARROWED and re.search(r"[_^]", source):  # \vec{z^{[1]}}: the vector z^{[1]}
                inner = _Emitter(self.arrays)
                inner.nodes(children(parts))
                self.out.append(" " + inner.text() + " ")
                return nxt
            noted = name in ("text", "textrm", "textnormal") and re.search(r"^\([^()]*\)$|[\u3000-\u9fff]", source)
            if noted and set_apart(nodes, i, nxt):
                return nxt  # \quad \text{(Activation)}: a note in brackets or words beside the equation, no part of it
            word = _flat(parts)
            self.out.append(" " + word if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", word) else _bad(f"\\{name}{{{word}}}"))
            return nxt
        if name == "textcolor":  # \textcolor{colour}{x}: x
            parts, nxt = _two_args(nodes, i, args)
            self.out.append(" (" + _emit(parts[1]) + ")")
            return nxt
        if name in FRAMES:  # \boxed{a = b}: a result framed, read as written
            parts, nxt = _one_arg(nodes, i, args)
            self.nodes(children(parts))
            return nxt
        if name == "color":  # \color{colour}: nothing to read
            return _one_arg(nodes, i, args)[1]
        if name in DECORATIONS:  # \hat{y} is yhat, \bar{e} (a mean, an input made of one) ebar
            parts, nxt = _one_arg(nodes, i, args)
            self.out.append(" " + _flat(parts) + DECORATIONS[name])
            return nxt
        if name in TIMES:
            if next((piece for piece in reversed(self.out) if piece.strip()), None) != " * ":
                self.out.append(" * ")  # `a \times \times b`, a sign typed twice, is one product
        elif name in EQUALS:
            self.out.append(" = ")
        elif name == "div":
            self.out.append(" / ")
        elif name in ("odot", "circ", "otimes"):
            self.out.append(" odot ")
        elif name in COMPARISONS:
            self.out.append(f" {COMPARISONS[name]} ")
        elif name in UPDATE_ARROWS:
            self.update = True
            self.out.append(" = ")
        elif name in ("|", "Vert", "lVert", "rVert", "vert", "lvert", "rvert"):  # \|t - o\|^2, \lvert t - o \rvert
            self._bar()
        elif name == ",":
            self.out.append("\x01")  # a thin space: a digit-group separator between digits
        elif name in SPACES:
            self.out.append(" ")
        elif name in IGNORED:
            self.drop_dot = name in ("left", "right", "middle")
        elif name in FUNCTION_MACROS:
            self.out.append(" " + FUNCTION_MACROS[name])
        elif name in GREEK:
            self.out.append(" " + name)
            self.braced = True  # \delta h: the letter after a Greek one's macro starts a name of its own
        elif name == "partial":
            self.out.append("d")  # \partial E/\partial w, written without a fraction: dE/dw
        elif name == "in" and (end := shape_stated(nodes, i)) is not None:
            return end  # X = [...] \in \mathbb{R}^{4 \times 2}: the shape stated, not a claim of its own
        elif name in ("nabla", "bigtriangledown"):
            self.out.append(" nabla_")  # \nabla w: the gradient for w, a name of its own (read by its values)
        elif name in ("ldots", "dots", "cdots") and cut_number(self.out, nodes[i + 1:]):
            pass  # 0.0720083333\ldots: the number cut where it is written
        elif name == "Delta":
            self.out.append(" " + STEP)  # \Delta w: an update's step, read as the document adds it (steps.py)
        else:
            raise NotUnderstood(f"\\{name} is not understood")
        return i + 1


_SUMMAND = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*(?:@\d+)?)\s*(=.*)?", re.S)


def _over_samples(rest: list[lw.LatexNode], arrays: list[tuple[tuple[str, ...], ...]], before: int) -> str:
    """`\\sum \\delta_1` (no bounds, one name summed, what follows it an equation): the name added over the
    samples of a batch, as a bias's gradient is (`\\frac{\\partial J}{\\partial b_1} = \\sum \\delta_1`). Over
    more than one name, in a link after the first (`L = -\\sum y \\log a = -(1 \\log 0.53 + ...)`, `before` it
    that many `=`), what it runs over is not told: that link is UNREAD_SUM, which cannot be checked, and the
    chain's other links are judged as they stand (where it has none, the equation is not understood)."""
    inner = _Emitter(arrays)
    inner.nodes(rest)
    summand = _SUMMAND.fullmatch(inner.text())
    if summand is not None:
        return f" sum_s({summand.group(1)}) {summand.group(2) or ''}"
    tail = _from_equals(inner.text())
    if before == 0 or before + tail.count("=") < 2:
        raise NotUnderstood("\\sum without its bounds, over more than one name")
    return f" {UNREAD_SUM} {tail}"


def _from_equals(text: str) -> str:
    """`text` from its first `=` outside brackets on (the links after a sum's summand), or ""."""
    depth = 0
    for k, c in enumerate(text):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(c, 0)
        if c == "=" and depth == 0:
            return text[k:]
    return ""


def _cells(env: lw.LatexEnvironmentNode) -> tuple[tuple[str, ...], ...]:
    """The rows of a matrix environment, each cell in the plain grammar."""
    nodes = list(env.nodelist)
    if env.environmentname == "array" and nodes and isinstance(nodes[0], lw.LatexGroupNode) and not column_spec(env):
        nodes = nodes[1:]  # the column specification, where the walker left it in the body
    rows: list[list[list[lw.LatexNode]]] = [[[]]]
    # `\ ` written for `\\` (a matrix whose rows lost a backslash): rows all the same, where no `\\` is
    breaks = ("\\", "cr") if any(isinstance(n, lw.LatexMacroNode) and n.macroname in ("\\", "cr") for n in nodes) \
        else ("\\", "cr", " ")
    for n in nodes:
        if isinstance(n, lw.LatexMacroNode) and n.macroname in breaks:
            rows.append([[]])
        elif isinstance(n, lw.LatexCharsNode) and "&" in n.chars:
            parts = n.chars.split("&")
            for k, part in enumerate(parts):
                if k:
                    rows[-1].append([])
                if part.strip():
                    rows[-1][-1].append(lw.LatexCharsNode(parsing_state=n.parsing_state, chars=part, pos=n.pos,
                                                          len=len(part)))
        elif isinstance(n, lw.LatexSpecialsNode) and n.specials_chars == "&":
            rows[-1].append([])
        else:
            rows[-1][-1].append(n)
    texts = [tuple(relu(_emit(lw.LatexGroupNode(nodelist=cell))).strip() or "0" for cell in row) for row in rows
             if any(visible(c) for cell in row for c in cell)]
    found = [tuple(explicit_products(cell) for cell in row) for row in comma_rows(texts)]  # {a, b} \\ {c, d}
    if not found or len({len(r) for r in found}) != 1:
        raise NotUnderstood("a matrix whose rows have different lengths")
    return tuple(found)


def _bad(what: str) -> str:
    raise NotUnderstood(f"{what} is not a name")


def eval_small(text: str) -> int:
    """A sum of small whole numbers such as `2-1` (exponents written unsimplified)."""
    total, sign, digits = 0, 1, ""
    for c in text + "+":
        if c.isdigit():
            digits += c
        else:
            total += sign * int(digits)
            sign, digits = (1 if c == "+" else -1), ""
    return total


def _flat_or(node: lw.LatexNode | None) -> str:
    try:
        return _flat(node) if node is not None else ""
    except NotUnderstood:
        return ""


_NAME_END = re.compile(r"[A-Za-z0-9]$")
# A neuron's label in braces straight after a word (`out{o1}`, `net{h1}`), and the word it follows.
_GLUED_LABEL = re.compile(r"\{[A-Za-z]{1,2}\d{1,2}\}")
_NAME_TAIL = re.compile(r"(?<![A-Za-z0-9_@\\])[A-Za-z]+$")


def _one_arg(nodes: list[lw.LatexNode], i: int, args: list[lw.LatexNode]) -> tuple[lw.LatexNode, int]:
    if args:
        return args[-1], i + 1
    if i + 1 < len(nodes):
        return nodes[i + 1], i + 2
    raise NotUnderstood(f"\\{nodes[i].macroname} without its argument")


def _two_args(nodes: list[lw.LatexNode], i: int,
              args: list[lw.LatexNode]) -> tuple[tuple[lw.LatexNode, lw.LatexNode], int]:
    """The numerator and denominator, parsed as arguments or (for macros the walker does not know) the
    two groups that follow."""
    if len(args) >= 2:
        return (args[-2], args[-1]), i + 1
    following = list(nodes[i + 1:i + 3])
    if len(following) == 2 and all(isinstance(n, lw.LatexGroupNode) for n in following):
        return (following[0], following[1]), i + 3
    raise NotUnderstood(f"\\{nodes[i].macroname} without its two arguments")


def _emit(node: lw.LatexNode) -> str:
    e = _Emitter()
    e.nodes(children(node))
    return e.text()


def _fraction(num: lw.LatexNode, den: lw.LatexNode) -> str:
    """A derivative (∂, Δ, d on top and below) or a quotient."""
    top, bottom = _differentiated(num), _differentiated(den, operand=False)
    if top == "" and bottom:
        return f" d/d({bottom}) "
    if top is not None and bottom is not None:
        return f" d({top})/d({bottom}) "
    return f" (({_emit(num)})/({_emit(den)})) "


def _differentiated(node: lw.LatexNode, operand: bool = True) -> str | None:  # operand: a numerator
    """The name after ∂, Δ, d or \\mathrm{d} (`\\partial E_{total}` -> E_total), else None."""
    nodes = [n for n in children(node) if not (isinstance(n, lw.LatexCharsNode) and not n.chars.strip())]
    if not nodes:
        return None
    first = nodes[0]
    named_d = isinstance(first, lw.LatexMacroNode) and first.macroname in NAME_MACROS \
        and _flat(args_of(first)[-1] if args_of(first) else first) == "d"
    if isinstance(first, lw.LatexMacroNode) and (first.macroname in DIFFERENTIALS or named_d):
        rest = nodes[1:]
    elif isinstance(first, lw.LatexCharsNode) and first.chars.strip() == "d" and len(nodes) > 1 and \
            isinstance(nodes[1], lw.LatexMacroNode) and nodes[1].macroname in (*NAME_MACROS, *GREEK, "hat", "widehat"):
        rest = nodes[1:]  # d\hat{y}, d\sigma: d, then a name that is a macro
    elif isinstance(first, lw.LatexCharsNode) and re.match(r"\s*d\s*[A-Za-z]", first.chars):
        head = first.chars.lstrip()[1:]
        rest = [lw.LatexCharsNode(parsing_state=first.parsing_state, chars=head, pos=first.pos, len=len(head)),
                *nodes[1:]]
    else:
        return None
    if len(rest) == 1 and isinstance(rest[0], lw.LatexGroupNode):
        rest = list(rest[0].nodelist)  # \partial{loss}: the name in braces of its own
    e = _Emitter()
    e.nodes(rest)
    name = loss_calls(e.text().strip())
    if not name and operand:
        return ""  # \frac{\partial}{\partial w}(...): the operator, applied to what follows it
    if not _NAME.fullmatch(name):
        raise NotUnderstood(f"a derivative of {name!r}, which is not one quantity")
    return name


def _flat(node: lw.LatexNode) -> str:
    """Letters and digits of a subscript or superscript (`{h_1}` -> h1, `{\\text{total}}` -> total)."""
    if isinstance(node, lw.LatexCharsNode):
        return node.chars.replace("_", "").replace(" ", "").replace("{", "").replace("}", "")
    if isinstance(node, lw.LatexGroupNode):
        return "".join(_flat(c) for c in node.nodelist if c is not None)
    if isinstance(node, lw.LatexMacroNode):
        if node.macroname in NAME_MACROS and args_of(node):
            return _flat(args_of(node)[-1])
        if node.macroname in GREEK:
            return node.macroname
        if node.macroname == "prime":
            return "'"
        if node.macroname in ARROWS:
            return ARROWS[node.macroname]  # w_{x_1 \to h_1}: a weight named by its two ends
        if node.macroname in (",", " ", ";") or node.macroname in IGNORED:
            return ""  # w_{\left(x_{1}, 1\right)}: sizing brackets are brackets
    if isinstance(node, lw.LatexCommentNode):
        return ""
    raise NotUnderstood(f"{_describe(node)} in a subscript or superscript")


def _describe(node: lw.LatexNode) -> str:
    return f"\\{node.macroname}" if isinstance(node, lw.LatexMacroNode) else what(node)


def plain(nodes: list[lw.LatexNode]) -> tuple[list[tuple[str, bool]], tuple[tuple[tuple[str, ...], ...], ...]]:
    """The plain-grammar text of each claim of one row (`x_1 = 1, x_2 = 2` holds two), with digit groups
    joined, implicit products made explicit and the punctuation that ends a sentence left out."""
    e = _Emitter()
    e.nodes(nodes)
    text = _THOUSANDS.sub("", e.text()).replace("\x00", " ").replace("\x01", " ")
    text = _PARTIALS.sub(r"d\1/d\2", _NEW.sub(r"\1@1", text))
    text = _NABLA_OF.sub(r" d(\1)/d(\2) ", _NABLA.sub(r" d(\2)/d(\1) ", loss_calls(text)))
    text = powers_of_calls(text)
    found = []
    for piece in claims_in(lists(text, e.arrays)):
        arrays = ARRAY in piece or " ^T " in piece or " odot " in piece
        found.append((" ".join(piece.split()) if arrays else explicit_products(piece), e.update))
    return found, tuple(e.arrays)
