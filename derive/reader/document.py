"""A document checked span by span: every math span with `=` becomes claims judged by the checker, or is
listed as not understood with its reason; spans without `=` are not claims.

A bare parameter name may stand for the value after an update (`w_4 = 0.29950299` under "updating the
weights"): both readings are judged and the one the value matches is taken, and the verdict says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from derive.check import instances, latex, layer_rules
from derive.check.claims import FUNCTIONS, Claim, ClaimError, Name, Node, names_in, parse_line
from derive.check.truth import BudgetSpent, Truth
from derive.check.values import Evaluator, OwnNames
from derive.check.verdicts import Verdict
from derive.maths.derivation import Derivation
from derive.reader.aliases import Aliases, renamed
from derive.reader.array_names import ArrayNames, listed, names_its_entries, written_links
from derive.reader.array_names import Statement as ArrayStatement
from derive.reader import arrays, unread_names
from derive.reader.arrays import ArrayError, entry_claims
from derive.reader.conventions import RuleWithInstance, other_sign
from derive.reader.counters import counted
from derive.reader.counts import COUNT
from derive.reader.layer_labels import labelled_letters
from derive.reader.chains import chain_texts, chains, one_claim, row_chains, stepped_chain
from derive.reader.maths import Chain, NotUnderstood
from derive.reader.names import Alignment, Reading, align
from derive.reader.other_examples import conditions, offered, other_examples, predicted, turned_rates
from derive.reader.other_losses import about_other_loss
from derive.reader.plain import LostSign
from derive.reader.samples import Context, SampleNames, about_optimizer
from derive.reader.sizes import size_verdict
from derive.reader.quantities import shown_name
from derive.reader.softmax import softmax_outputs
from derive.reader.spans import (DocumentError, Outline, Span, Text, just_before, latex_spans, markdown_spans,
                                 notebook_cells)
from derive.reader.steps import is_step, step_sign, stepped, unsigned
from derive.reader.symbols import decimal_points, uses_decimal_commas
from derive.reader.ties import Tie, Ties, bare
from derive.reader import update_rules
from derive.reader.updates import judge_readings, judged_target

JUDGED, NOT_UNDERSTOOD, NOT_CLAIM = "judged", "not understood", "not a claim"


@dataclass(frozen=True)
class Found:
    """One verdict of a document: the checker's verdict (with the document's line) and where it is."""

    verdict: Verdict
    cell: int | None
    span: int  # index of the span in the document
    reading: str  # which reading of an ambiguous name was taken, or ""
    target: str = ""  # the quantity the claim is about, as the checker names it (`d:E_total/w5`, `w4@1`)


@dataclass(frozen=True)
class SpanResult:
    span: Span
    text: Text
    status: str  # judged | not understood | not a claim
    reason: str  # why a span is not understood
    found: tuple[Found, ...]

    @property
    def line(self) -> int:
        return self.text.line(self.span.start)

    @property
    def end_line(self) -> int:
        return self.text.line(max(self.span.end - 1, self.span.start))


@dataclass(frozen=True)
class DocumentReport:
    spans: tuple[SpanResult, ...]
    names: Alignment = field(default_factory=Alignment)  # how the document's own names were read

    @property
    def found(self) -> tuple[Found, ...]:
        return tuple(f for s in self.spans for f in s.found)

    @property
    def wrong(self) -> int:
        return sum(f.verdict.status == "wrong" for f in self.found)

    def count(self, status: str) -> int:
        return sum(s.status == status for s in self.spans)


# how a document writes the prediction ŷ (beside which y is the target, as the textbook writes them)
_HATS = ("hat{y}", "hat y", "haty", "ŷ", "y\u0302", "y_hat", "yhat", "y\\_hat", "hat{\\mathbf{y}}",
         "hat{\\boldsymbol{y}}")


def texts(kind: str, document: str) -> list[Text]:
    """The texts spans are read from: the document, or every Markdown cell of a notebook."""
    if kind == "ipynb":
        return [Text.read(source, 1, number) for number, source in notebook_cells(document)]
    return [Text.read(document)]


def spans_of(kind: str, text: Text, outline: Outline | None = None) -> list[Span]:
    if kind == "tex":
        return latex_spans(text.text)
    return markdown_spans(text.text, text.cell, outline)


def check_document(d: Derivation, kind: str, document: str, aliases: dict[str, str] | None = None,
                   notation: str = "classic") -> DocumentReport:
    """Every math span of `document` (md, tex or ipynb) judged against `d`; a notation other than the
    classic one (as `derive render --notation` prints it) is read in its own glyphs first, so the
    textbook's `b_h` is a hidden output, not the classic bias b1. The document's own names are read as
    the network's quantities by what the whole document says of them (`derive.reader.names`) first."""
    truth = Truth(d)
    if uses_decimal_commas(document):  # 0,777 throughout: decimal commas (the same length: lines stay)
        document = decimal_points(document)
    names = Aliases(truth, aliases or {}, hatted=any(h in document for h in _HATS))
    names.layered = bool(_LAYER_LABELLED.search(document))
    glyphs = _glyph_tables(truth)
    own = [] if notation == "classic" else [latex.glyph_names(d.network, notation)]
    samples = SampleNames(truth.samples, tuple(d.network.spec.inputs),
                          tuple(tuple(Decimal(str(v)) for v in s.inputs) for s in d.network.spec.samples))
    outline = Outline()  # one walk through the document: a notebook's headings rule the cells after them
    spans = [(text, span) for text in texts(kind, document) for span in spans_of(kind, text, outline)]
    sign, labels = step_sign(document), labelled_letters(document)
    contexts = samples.along([(span, chain_texts(span.source, vectors=True)) for _, span in spans])
    reading = [(text, span, _tables_for(span, own, glyphs, sign, labels), context)
               for (text, span), context in zip(spans, contexts, strict=True)]
    claims = [c for text, span, tables, sample in reading for c in _claims_of(span, text, truth, names, tables, sample)]
    if COUNT not in {c.target.name for c in claims}:  # the document's own m is its own
        names.examples = len(truth.samples)
    found = [s for text, span, tables, sample in reading for s in _array_statements(span, text, truth, names,
                                                                                      tables, sample)]
    alignment, arrays = _aligned(truth, claims, names, found, {})
    placed = arrays.placed([s for s in found if s.chain.about_arrays])
    if placed:  # the names of a parameter's entries, read at their places: the document's names read again
        alignment, arrays = _aligned(truth, claims, names, found, placed)
    evaluator = Evaluator(truth, OwnNames())
    reader = Reader(names, alignment, arrays)
    if any(bare(c.text) for _, span, tables, _ in reading for c in _found_chains(span, truth, tables)[1]):
        reader = replace(reader, ties=Ties(truth, [c for r in reading for c in _stated(*r, truth, reader)]))
    results: list[SpanResult] = []
    for text, span, tables, sample in reading:
        results.append(_check_span(span, text, len(results), truth, evaluator, reader, tables, sample))
    results = other_examples(results, [(r.span.cell or 0, r.line) for r in results], truth.network.givens)
    results = turned_rates(offered(results, [(r.text.text, r.span.start) for r in results], truth.network.givens))
    results = conditions(results, [(r.text.text, r.span.start, r.span.end) for r in results])
    inputs = frozenset(x.name for x in truth.network.inputs)
    results = predicted(results, [(r.text.text, r.span.start) for r in results], inputs)
    return DocumentReport(tuple(counted(results, truth.network)), alignment)  # l = 1: by the lines after it


def _aligned(truth: Truth, claims: list[Claim], names: Aliases, found: list[ArrayStatement],
             placed: dict[str, tuple[str, str]]) -> tuple[Alignment, ArrayNames]:
    """The readings of the document's scalar names, then of its vectors' and matrices' names."""
    alignment = align(truth, claims, placed)
    arrays = ArrayNames(truth, Reader(names, alignment).node)
    heads = {s.chain.text.split(" = ")[0].strip() for s in found if s.chain.about_arrays}
    arrays.align([s for s in found if s.chain.about_arrays or _mentions(s.chain, heads)],
                 tuple(w for s in found for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", s.chain.text)))
    return alignment, arrays


def _stated(text: Text, span: Span, tables: Tables, sample: Context, truth: Truth, reader: Reader) -> list[Claim]:
    """The claims of a span in the network's names, vectors and matrices entry by entry (unjudged)."""
    found: list[Claim] = []
    for chain in _found_chains(span, truth, tables)[1]:
        line = text.line(span.start + chain.offsets[0])
        try:
            if reader.arrays is not None and (chain.about_arrays or reader.arrays.named_in(
                    reader.aliases.renamed(chain, span))):
                found += reader.array_claims(chain, line, span, sample.name)[0]
            elif (claim := reader.claim(chain.text, line, span)[0]) is not None:
                found.append(replace(claim, sample=sample.name))
        except (ArrayError, ClaimError, NotUnderstood):
            continue
    return found


def _array_statements(span: Span, text: Text, truth: Truth, names: Aliases, tables: Tables,
                      sample: Context) -> list[ArrayStatement]:
    """The chains of vectors and matrices a span states, their names as the aliases read them."""
    found = []
    for chain in _found_chains(span, truth, tables)[1]:
        found.append(ArrayStatement(names.renamed(chain, span),
                                    text.line(span.start + chain.offsets[0]), sample.name))
    return found


def _mentions(chain: Chain, heads: set[str]) -> bool:
    """A chain that names an array another chain writes out (`z = W x + b` after `W = [...]`)."""
    return bool(heads) and bool(heads & set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", chain.text)))


# How a span is read: the notation's glyphs (if one was asked for), every notation's, how the document
# adds an update's step \Delta w to the weight (steps.py; "" where it does not say), and the letters whose
# one-digit superscripts label layers (layer_labels.py)
Tables = tuple[list[latex.GlyphTable], list[latex.GlyphTable], str, frozenset[str]]


# a net, an output or an error term with a layer's number in brackets as its superscript (`z^{(2)}`, `a_1^(1)`,
# `\delta^{(2)}`): the document labels layers so, on every name (`b_1^{(1)}` is layer 1's b_1, not b1 after an
# update)
_LAYER_LABELLED = re.compile(r"(?<![A-Za-z\\])(?:[zah]|\\delta|δ)(?:_\{?\w{1,3}\}?)?\s*\^\s*\{?\s*\(\d\)")


def _tables_for(span: Span, own: list[latex.GlyphTable], glyphs: list[latex.GlyphTable], sign: str,
                labels: frozenset[str]) -> Tables:
    """The notation's glyphs first (if one was asked for), then every notation's, for one span."""
    if about_optimizer(span):
        return [t.about_optimizer() for t in own], [t.about_optimizer() for t in glyphs], sign, labels
    return own, glyphs, sign, labels


@dataclass(frozen=True)
class Reader:
    """How a span's claims are named: the aliases (the textbook's letters, a course's table), then the
    readings of the document's own names, and of its vectors and matrices."""

    aliases: Aliases
    alignment: Alignment
    arrays: ArrayNames | None = None
    ties: Ties = field(default_factory=Ties)  # the values stated for quantities, a sum in numbers is tied by

    def claim(self, text: str, line: int, span: Span) -> tuple[Claim | None, tuple[Reading | Tie, ...]]:
        claim = self.aliases.for_span(span).rename(_parsed(text, line))
        if claim is None:
            return None, ()
        if self.arrays is not None:
            claim = _one_by_one(claim, self.arrays)
        renamed, read = self.alignment.rename(claim)
        renamed, tie = self.ties.tie(softmax_outputs(renamed, self.aliases.truth.network))
        return renamed, read + ((tie,) if tie is not None else ())

    def node(self, node: Node) -> Node:
        """An expression in the network's names (its scalars; the arrays are read before)."""
        claim = self.alignment.rename(Claim(0, "", Name("x"), (self.aliases.node(node),)))[0]
        return claim.links[0]

    def array_claims(self, chain: Chain, line: int, span: Span, sample: str | None) -> tuple[list[Claim], str]:
        """The claims of a chain of arrays, entry by entry, and how its arrays were read."""
        assert self.arrays is not None
        renamed = self.aliases.renamed(chain, span)
        found = entry_claims(renamed, line, self.arrays.lookup, self.arrays.target, sample)
        cells = {w for grid in renamed.arrays for row in grid for cell in row
                 for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", cell)}  # h_1 written in a cell: entry 1 of h
        claims = [softmax_outputs(self.alignment.rename(_one_by_one(self.aliases.rename(c), self.arrays,  # type: ignore[arg-type]
                                                                    cells))[0], self.aliases.truth.network)
                  for c in found]
        heads = sorted(set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", renamed.text)))
        return claims, self.arrays.notes(heads)


def _one_by_one(claim: Claim, arrays: ArrayNames, only: set[str] | None = None) -> Claim:
    """A claim in which a name of a 1 x 1 array (`b_2`, the output layer's bias) is its one quantity (of the
    names `only` holds, where it is given)."""
    def name(n: str, read: bool = False) -> str:  # read: a name read as that array counts too (the left side)
        base, at, step = n.partition("@")
        if base.startswith("d:"):
            top, _, bottom = base[2:].partition("/")
            return f"d:{name(top)}/{name(bottom)}" + at + step
        if only is not None and base not in only and not (read and base in arrays.readings):
            return n
        return (arrays.scalar(base) or base) + at + step
    return replace(claim, target=Name(name(claim.target.name, not claim.entry)),
                   links=tuple(renamed(x, name) for x in claim.links),
                   left=None if claim.left is None else renamed(claim.left, name))


def _found_chains(span: Span, truth: Truth, tables: Tables) -> tuple[list[Chain], list[Chain], str]:
    """The chains of a span: in the notation asked for, else by the document's walker, else by the notes'
    glyphs; and the reason when none could be read."""
    first, glyphs, sign, labels = tables
    in_notation = _as_the_notes_print_it(span.source, truth, first) if first and one_claim(span.source) else []
    try:
        walked = [c for found in chains(span.source, labels) if len(found.offsets) > 1
                  for c in _named_last(replace(found, text=stepped(found.text, sign)), truth)]
        return in_notation, in_notation or walked, ""
    except LostSign as exc:  # a reading that guessed the lost sign could call a right step wrong
        return in_notation, in_notation, str(exc)
    except NotUnderstood as exc:  # as the notes print it: one claim; rows of their own, each alone
        notes = _as_the_notes_print_it(span.source, truth, glyphs) if one_claim(span.source) else []
        rows = [r for c in ([] if notes else row_chains(span.source, labels)) if (r := stepped_chain(c, sign))]
        return in_notation, in_notation or notes or rows, str(exc)


def _named_last(chain: Chain, truth: Truth) -> list[Chain]:
    """`dE/dout_o1 = (target - out_o1)(-1) = R1`: a chain ending in a new name of the person's names the
    value before it (R1 stands for it from now on): the chain without it, and the name's definition."""
    parts = chain.text.split(" = ")
    last = parts[-1].strip()
    if len(parts) < 3 or not re.fullmatch(r"[A-Za-z]\w*", last) or truth.knows(last) or last in FUNCTIONS \
            or chain.about_arrays:
        return [chain]
    kept = replace(chain, text=" = ".join(parts[:-1]), offsets=chain.offsets[:-1])
    named = replace(chain, text=f"{last} = {parts[-2].strip()}", offsets=(chain.offsets[-1], chain.offsets[-2]))
    return [kept, named]


@lru_cache(maxsize=4096)
def _parsed(text: str, line: int) -> Claim | None:
    """A chain's claim as written: parsed once, though it is read for the document's names before it is judged."""
    return parse_line(text, line, any_left=True)


def _claims_of(span: Span, text: Text, truth: Truth, names: Aliases, tables: Tables, sample: Context) -> list[Claim]:
    """The claims a span states, named by the aliases only: what the document's own names are read from."""
    found = []
    for chain in _found_chains(span, truth, tables)[1]:
        try:
            claim = names.for_span(span).rename(_parsed(chain.text, text.line(span.start + chain.offsets[0])))
        except (ClaimError, NotUnderstood):
            continue
        if claim is not None:
            found.append(replace(claim, sample=sample.name))
    return found


def _check_span(span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator, names: Reader,
                tables: Tables, sample: Context) -> SpanResult:
    """One span's claims judged: read in the document's notation first when one other than the classic
    is given (the textbook's b_h is no bias), else by the document's own walker, and by the notes' glyphs
    where the walker cannot read it or names nothing of the network (a rule for every index, delta_o)."""
    result = _span_judged(span, text, index, truth, evaluator, names, tables, sample)
    if _wrong(result) and _DOT.search(span.source):  # `(\\delta W) \\cdot a`: a row times a column, entry by entry?
        result = _entrywise(result, span, text, index, truth, evaluator, names, tables, sample)
    if result.status == NOT_UNDERSTOOD and layer_rules.mentions_layers(span.source):
        result = _for_every_layer(span, text, index, truth, evaluator, names, sample) or result
    if result.status == NOT_UNDERSTOOD:  # `W_{new} = W_{old} - \eta \nabla W`: at every weight
        result = _for_every_parameter(span, text, index, truth, evaluator, names, tables, sample) or result
    if _wrong(result):  # a formula of another loss, named before it
        before = just_before(text.text, span.start)
        verdicts = about_other_loss([f.verdict for f in result.found], span.source, before, truth.network.spec.loss)
        verdicts = unread_names.undefined(verdicts, span.source, evaluator.document)
        for f, v in zip(result.found, verdicts, strict=True):  # no slip to carry: it was never called wrong
            if v.status != f.verdict.status and f.verdict.claimed is not None:
                evaluator.document.forget(range(v.line, v.line + 1), f.verdict.claimed)
        result = replace(result, found=tuple(replace(f, verdict=v)
                                             for f, v in zip(result.found, verdicts, strict=True)))
    if result.status == NOT_UNDERSTOOD:  # its numbers, known again where a later step uses them
        evaluator.document.not_read(_NUMBER.findall(span.source), text.line(span.start))
    unread_names.remember(span.source, text.line(span.start), [f.verdict for f in result.found],
                          result.status == NOT_UNDERSTOOD, evaluator.document)
    return result


def _span_judged(span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator, names: Reader,
                 tables: Tables, sample: Context) -> SpanResult:
    """The span's claims by the walker, in the notation asked for, or as the notes print them (see `_check_span`)."""
    first, glyphs, *_ = tables
    in_notation, found_chains, why = _found_chains(span, truth, tables)
    if why and not found_chains:
        status = NOT_UNDERSTOOD if "=" in span.source else NOT_CLAIM
        return SpanResult(span, text, status, why, ())
    if not found_chains:
        return SpanResult(span, text, NOT_CLAIM, "no =", ())
    unsure = not tables[2]  # a step \Delta w read as the notes add it, the document not saying how
    result = _judged(span, text, index, found_chains, truth, evaluator, names, sample, unsure)
    stepped_here = unsure and any(is_step(c.text) for c in found_chains)  # its sign is all the notes would add
    if result.status == NOT_UNDERSTOOD and not in_notation and one_claim(span.source) and not stepped_here:
        again = _as_the_notes_print_it(span.source, truth, first or glyphs)
        retried = _judged(span, text, index, again, truth, evaluator, names, sample, unsure) if again else result
        return retried if retried.status == JUDGED else result
    return result


def _entrywise(result: SpanResult, span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator,
               names: Reader, tables: Tables, sample: Context) -> SpanResult:
    """A span wrong with `\\cdot` between a row and a column read as their matrix product, and right in every
    link read entry by entry: which product is meant is not told, so its wrong verdicts cannot be checked."""
    after = evaluator.document
    with evaluator.apart(), arrays.entrywise():  # the second reading leaves nothing behind
        again = _span_judged(span, text, index, truth, evaluator, names, tables, sample)
    if not again.found or any(f.verdict.status != "correct" for f in again.found):
        return result
    why = ("wrong with \\cdot between a row and a column read as their matrix product, right read entry by entry "
           "(as \\odot): which is meant is not told")
    for f in result.found:
        if f.verdict.status == "wrong" and f.verdict.claimed is not None:
            after.forget(range(f.verdict.line, f.verdict.line + 1), f.verdict.claimed)
    return replace(result, found=tuple(replace(f, verdict=replace(f.verdict, status="cannot check", reason=why,
                                                                   explanations=()))
                                       if f.verdict.status == "wrong" else f for f in result.found))


def _for_every_parameter(span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator, names: Reader,
                         tables: Tables, sample: Context) -> SpanResult | None:
    """Gradient descent stated in a letter of its own (update_rules.py) judged at each parameter it stands for;
    its step read as the document adds it where that holds, else as the notes do with its sign not told (a
    rule for every weight may set the sign the document's own lines do not keep). None where the span states
    no such rule."""
    texts = [pt for c in chain_texts(span.source) for pt in update_rules.instances(c, truth.network)]
    if not texts:
        return None
    judged = []
    for sign in dict.fromkeys((tables[2], "")):
        try:
            chains = [(p, Chain(stepped(t, sign), (0,) * len(t.split(" = ")))) for p, t in texts]
        except NotUnderstood:
            return None
        with evaluator.apart():  # each reading on what was written before the span, kept only if taken
            parts = [(p, _judged(span, text, index, [c], truth, evaluator, names, sample, not sign)) for p, c in chains]
            judged.append((_instances(span, text, parts), evaluator.state()))
        if not _wrong(judged[-1][0]):
            break
    result, state = judged[-1]
    if result.status != JUDGED:
        return None
    evaluator.restore(state)
    return result


def _instances(span: Span, text: Text, parts: list[tuple[str, SpanResult]]) -> SpanResult:
    """The verdicts of a rule's instances as its span's, each said to be for the parameter it is about."""
    found = tuple(replace(f, verdict=replace(f.verdict, entry=f"for {p}")) if p and not f.verdict.entry else f
                  for p, part in parts for f in part.found)
    status = JUDGED if any(part.status == JUDGED for _, part in parts) else NOT_UNDERSTOOD
    return SpanResult(span, text, status, "; ".join(dict.fromkeys(part.reason for _, part in parts if part.reason)),
                      found)


def _wrong(result: SpanResult) -> bool:
    return any(f.verdict.status == "wrong" for f in result.found)


def _for_every_layer(span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator, names: Reader,
                     sample: Context) -> SpanResult | None:
    """A rule stated for every layer (`z_i^{l} = \\sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}`) judged at each of its
    instances, delta read as dE/dnet; where that is wrong and -dE/dnet makes it hold, the document's sign for
    delta is not told. None where it is not read as one."""
    flat = " ".join(span.source.split())
    deltas = {n.delta.name for n in truth.network.neurons}
    try:
        rule = layer_rules.layer_rule(flat, truth.network)
        readings = [rule.instances(sign) for sign in (1, -1)]
    except (latex.LatexError, ClaimError, RecursionError, ValueError, LookupError):
        return None
    settled = evaluator.conventions.get("weight order")
    if rule.order is not None and settled is not None and settled[0] != rule.order:
        why = f"a weight's indices the other way round from line {settled[1]}'s rule: which way is meant is not told"
        return SpanResult(span, text, NOT_UNDERSTOOD, why, ())
    judged = []
    for texts in readings:
        chains = [Chain(t, (0,) * len(t.split(" = "))) for t in texts if " = " in t]
        with evaluator.apart():  # each reading on what was written before the span, kept only if taken
            judged.append((_judged(span, text, index, chains, truth, evaluator, names, sample), evaluator.state()))
        if not _wrong(judged[0][0]) or not any(w in deltas for t in texts for w in _WORD.findall(t)):
            break
    minus = judged[1][0] if len(judged) == 2 else None
    if minus is not None and minus.found and all(f.verdict.status == "correct" for f in minus.found):
        return SpanResult(span, text, NOT_UNDERSTOOD, "a rule for every layer that holds with delta as -dE/dnet, "
                          "not as dE/dnet: the document's sign for delta is not told", ())
    plus, state = judged[0]
    if plus.status != JUDGED:
        return None
    evaluator.restore(state)
    if rule.order is not None and settled is None:
        evaluator.conventions["weight order"] = (rule.order, text.line(span.start))
    return _instances(span, text, [(shown_name(f.target), replace(plus, found=(f,))) for f in plus.found])


def _judged(span: Span, text: Text, index: int, found_chains: list[Chain], truth: Truth, evaluator: Evaluator,
            names: Reader, sample: Context, unsure: bool = False) -> SpanResult:
    found: list[Found] = []
    reasons: list[str] = []
    for chain in found_chains:
        before = len(found)
        found += _chain_judged(chain, span, text, index, truth, evaluator, names, sample, reasons)
        if unsure and is_step(chain.text):  # right but for its sign: cannot check, and no slip to carry
            found[before:] = [replace(f, verdict=_unsigned(f.verdict, evaluator)) for f in found[before:]]
    before_span = just_before(text.text, span.start)
    found = [_unsure(f, other_sign(f.verdict, span.lead, before_span), range(text.line(span.start),
                                                                           f.verdict.line + 1), evaluator)
             for f in found]  # a sign taken the other way
    if any(f.verdict.status in ("correct", "wrong", "carried", "defined") for f in found):  # a definition is understood
        return SpanResult(span, text, JUDGED, "; ".join(reasons), tuple(found))
    why = "; ".join(reasons) or "; ".join(dict.fromkeys(f.verdict.reason for f in found)) or "nothing to judge"
    return SpanResult(span, text, NOT_UNDERSTOOD, why, tuple(found))


def _unsigned(verdict: Verdict, evaluator: Evaluator) -> Verdict:
    softened = unsigned(verdict)
    if softened is not verdict and verdict.claimed is not None:
        evaluator.document.forget(range(verdict.line, verdict.line + 1), verdict.claimed)
    return softened


def _chain_judged(chain: Chain, span: Span, text: Text, index: int, truth: Truth, evaluator: Evaluator,
                  names: Reader, sample: Context, reasons: list[str]) -> list[Found]:
    """One chain's verdicts (its reasons for not being read added to `reasons`)."""
    found: list[Found] = []
    line = text.line(span.start + chain.offsets[0])
    sized = _sized(chain.text, line, truth)
    if sized is not None:  # n_x = 2: a layer's size
        return [Found(replace(sized, text=" ".join(span.source.split())), text.cell, index, "", "")]
    if names.arrays is not None and (chain.about_arrays or names.arrays.named_in(
            names.aliases.renamed(chain, span))):
        if names_its_entries(chain):
            source = " ".join(span.source.split())
            named = Verdict(line, source, 1, "defined", None, None, "your own names for its entries")
            found.append(Found(named, text.cell, index, "", ""))
            return found
        try:
            entries, said = names.array_claims(chain, line, span, sample.name)
        except (ArrayError, ClaimError, NotUnderstood) as exc:
            reasons.append(str(exc))  # a link of names that cannot be worked out: its links written out, alone
            if (chain := written_links(chain)) is None:  # type: ignore[assignment]
                return found
            try:
                entries, said = names.array_claims(chain, line, span, sample.name)
            except (ArrayError, ClaimError, NotUnderstood):
                return found
        found += _judge_entries(entries, said, chain, span, text, index, truth, evaluator, sample, names.arrays)
        turned = names.arrays.turned(names.aliases.renamed(chain, span), line, listed(chain, span.source))  # W: a row
        if turned is not None:
            found.append(Found(replace(turned, text=" ".join(span.source.split())), text.cell, index, said))
        return found
    try:
        claim, read = names.claim(chain.text, line, span)
        claim = replace(claim, entry=chain.entry, sample=sample.name) if claim is not None else None
    except RuleWithInstance as slip:
        source = " ".join(span.source.split())
        link_line = text.line(span.start + chain.offsets[min(slip.link, len(chain.offsets) - 1)])
        wrong = Verdict(link_line, source, slip.link, "wrong", None, None, str(slip), (slip.explanation,))
        return [Found(wrong, text.cell, index, "", "")]
    except (ClaimError, NotUnderstood) as exc:
        reasons.append(str(exc))
        return found
    if claim is None:
        return found
    try:
        truth.budget.check_time()
        verdicts, reading = judge_readings(claim, chain, span, truth, evaluator)
    except BudgetSpent as exc:  # the file's time is spent: the claims left are not checked
        verdicts, reading = [Verdict(claim.line, claim.text, 1, "cannot check", None, None, str(exc))], ""
    if names.arrays is not None:
        verdicts = _no_such_entry(claim, verdicts, names.arrays)
    source = " ".join(span.source.split())
    target = judged_target(claim, reading)
    notes = "; ".join(r.note() for r in read)
    for v in verdicts:
        link_line = text.line(span.start + chain.offsets[min(v.link, len(chain.offsets) - 1)])
        said = "; ".join(r for r in (notes, reading, sample.said(v)) if r)
        found.append(Found(replace(v, line=link_line, text=source), text.cell, index, said, target))
    return found


def _sized(text: str, line: int, truth: Truth) -> Verdict | None:
    try:
        claim = _parsed(text, line)
    except ClaimError:
        return None
    return size_verdict(claim, truth.network) if claim is not None else None


def _unsure(found: Found, verdict: Verdict, lines: range, evaluator: Evaluator) -> Found:
    """A verdict turned "cannot check" after judging: its value leaves the record of what was written, so no
    later step is credited as carrying a slip that was never called wrong."""
    if verdict.status == "cannot check" != found.verdict.status and verdict.claimed is not None:
        evaluator.document.forget(lines, verdict.claimed)
    return replace(found, verdict=verdict)


def _judge_entries(entries: list[Claim], said: str, chain: Chain, span: Span, text: Text, index: int,
                   truth: Truth, evaluator: Evaluator, sample: Context, arrays: ArrayNames) -> list[Found]:
    """The verdicts of an array chain's entries, each as its own claim (a parameter's entry read before or
    after the update, as a scalar's is: `W_1 := W_1 - eta dW_1 = [...]`)."""
    found = []
    source = " ".join(span.source.split())
    for claim in entries:
        try:
            truth.budget.check_time()
            verdicts, reading = judge_readings(claim, chain, span, truth, evaluator)
        except BudgetSpent as exc:
            verdicts, reading = [Verdict(claim.line, claim.text, 1, "cannot check", None, None, str(exc))], ""
        target = judged_target(claim, reading)
        for v in _no_such_entry(claim, verdicts, arrays):  # each link on its own line (a chain over lines)
            at = v.link - (1 if claim.left is not None else 0)  # an entry's left side is its link 1
            line = text.line(span.start + chain.offsets[min(at, len(chain.offsets) - 1)])
            note = "; ".join(r for r in (said, reading, sample.said(v)) if r)
            found.append(Found(replace(v, line=line, text=source), text.cell, index, note, target))
    return found


def _no_such_entry(claim: Claim, verdicts: list[Verdict], arrays: ArrayNames) -> list[Verdict]:
    """A link that writes an index past the end of a vector (`h1_2` of h1_0, h1_1, in a document counting from
    0) is wrong: it names an entry that does not exist, which is a slip, not a value that cannot be checked."""
    links = ((claim.left,) if claim.left is not None else ()) + claim.links
    left = names_in(claim.left) if claim.left is not None else []  # a left side of entries is in every link's
    found = []
    for v in verdicts:
        names = left + names_in(links[v.link - 1]) if v.status == "cannot check" and 0 < v.link <= len(links) else []
        parts = [p for n in names for p in n.removeprefix("d:").partition("@")[0].split("/")]
        slip = next((r for p in parts if (r := arrays.past_end(p)) is not None), None)
        found.append(v if slip is None else replace(v, status="wrong", reason=slip,
                                                    explanations=("an entry that does not exist",)))
    return found


_NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_DOT = re.compile(r"\\cdot|·|⋅")


def _glyph_tables(truth: Truth) -> list[latex.GlyphTable]:
    """The glyphs of every notation the notes print for this network, in the checker's order: built once
    per document for the spans the document reader's own walker does not map."""
    tables = []
    for profile in latex.PROFILES:
        try:
            tables.append(latex.glyph_names(truth.network, profile))
        except latex.LatexError:  # a notation this network has no glyphs in (textbook: one hidden layer)
            continue
    return tables


def _as_the_notes_print_it(source: str, truth: Truth, glyphs: list[latex.GlyphTable]) -> list[Chain]:
    """The span read by the checker's LaTeX reader, which knows every glyph a walkthrough prints (the
    update's step `\\Delta w_{hj}`, the derivative operator, rules for every index): its chains, each
    placed at the span's start, or none when no notation reads it."""
    if "=" not in source:
        return []
    flat = " ".join(source.split())
    readings = []
    for table in glyphs:
        try:
            texts = instances.labelled_instances(flat, table)
        except (latex.LatexError, ClaimError, RecursionError, ValueError):
            continue
        readings.append([Chain(t, (0,) * len(t.split(" = ")), entry=entry) for entry, t in texts if " = " in t])
    # the notation whose names are all the network's (the textbook's e_1 is a hidden error term, the
    # classic reading of it no quantity), else the first that reads
    known = set(truth.values) | {"eta", "e", "pi"}
    for chains_read in readings:
        words = {w for c in chains_read for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*(?=\s*[^\w(]|$)", c.text)}
        if all(w in known or w in FUNCTIONS for w in words):
            return chains_read
    return readings[0] if readings else []


__all__ = ["DocumentError", "DocumentReport", "Found", "SpanResult", "check_document"]
