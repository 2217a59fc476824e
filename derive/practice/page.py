"""The practice page: one offline HTML file in which a student works through a variant step by step.

Python prepares every string here (the steps' labels and hints in the notation, the variants' numbers,
figures and truths, the sentences in the page's language) and the printed formulas (`jscode`); the
template `practice/page.html.j2` places them, with KaTeX and the page's script (`assets/practice.js`)
inside, so the page asks for nothing from the network. The script judges each answer against the
truth, the student's own earlier answers and the catalogued mistakes (see its header).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

from derive import templating
from derive.check.truth import Truth
from derive.course import questions, sheets
from derive.course.exercise import Exercise, Variant
from derive.model.notation import Notation
from derive.model.precision import show
from derive.notes import html, messages, svg
from derive.notes.notation import notation_for
from derive.notes.printers import NotationPrinter
from derive.practice import hints, jscode, spec_text, steps

TEMPLATE = "practice/page.html.j2"
TRUTH_DIGITS = 40  # the truth as the page holds it: rounded or truncated to any digits a student writes
# Above this many steps the page works out one neuron and one parameter of each layer in full and gives
# the others as a table to fill, as the compact notes do.
COMPACT_STEPS = 60
# The messages of the page's catalogue the script uses.
SCRIPT_MESSAGES = ("said_right", "said_short", "said_carried", "said_rounded", "said_mistake", "said_slip",
                   "said_wrong", "said_invalid", "said_comma", "said_shown", "line", "and", "one_digit", "two_swapped",
                   "progress", "variant_line", "export_head", "export_shown", "hint_more", "hint")


@dataclass(frozen=True)
class Block:
    """Steps of one kind under a heading: the ones worked out in full, then the others as a table."""

    worked: tuple[int, ...]  # step indices
    table: tuple[int, ...]


@dataclass(frozen=True)
class Group:
    heading: str
    level: int  # 2 or 3
    blocks: tuple[Block, ...]


def page(ex: Exercise, lang: str, profile: str) -> str:
    """The practice page of every variant of `ex`, in `lang` and the notation `profile`."""
    chains = [steps.build(v.derivation) for v in ex.variants]
    first = chains[0]
    notation = notation_for(first.network, profile)
    levels = [hints.hints(c, notation, lang) for c in chains]
    groups = _groups(first, lang)
    data = _data(ex, chains, levels, groups, lang, notation)
    key = hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()[:16]
    data["page"] = f"{ex.network}/{key}"
    view = _view(ex, first, levels[0], groups, notation, lang, data)
    return templating.environment().get_template(TEMPLATE).render(view)


def _view(ex: Exercise, chain: steps.Chain, levels: Sequence[hints.Hint], groups: list[Group], notation: Notation,
          lang: str, data: dict[str, Any]) -> dict[str, Any]:
    t, own = messages.catalogue(lang), hints.catalogue(lang)
    course = sheets.catalogue(lang)
    title = chain.network.spec.title_in(lang)
    pr = NotationPrinter(notation)
    return {
        "lang": html.HTML_LANGS[lang], "title": own("title", title=title), "intro": own("intro", digits=ex.digits),
        "katex_version": html.KATEX_VERSION, "katex_css": Markup(html.katex_css()), "katex_js": Markup(html.katex_js()),
        "script": Markup(_script()), "formulas": _formulas(chain), "said": own, "t": t, "course": course,
        "layers": sheets.layers_line(ex.variants[0], course),
        "steps": [{"claim": s.claim, "label": _label(s, pr, chain, notation), "rule": _text(h.rule), "names": h.names,
                   "line": step["line"]} for s, h, step in zip(chain.steps, levels, data["steps"])],
        "groups": groups, "variants": [{"id": v.id} for v in ex.variants],
        "data": Markup(_json(data)),
    }


def _formulas(chain: steps.Chain) -> list[dict[str, Any]]:
    """The printed functions, for the page's script element as they are (they hold no `</`: names are
    validated identifiers and the printer writes no comparison)."""
    found = []
    for p in jscode.printed(chain):
        codes = [p.value] + [code for _, code in p.mistakes]
        if any("</" in code for code in codes):
            raise AssertionError(f"printed JavaScript of {p.claim} holds '</'")
        found.append({"value": Markup(p.value), "mistakes": [(m, Markup(code)) for m, code in p.mistakes]})
    return found


def _label(s: steps.Step, pr: NotationPrinter, chain: steps.Chain, notation: Notation) -> str:
    """The step's quantity in the notation (the delta with its glyph, as the walkthrough names it)."""
    quantity = hints.quantity(s.name, pr)
    if s.kind == "delta":
        glyph = hints.delta_glyph(chain.network, s, notation)
        sample = s.name.partition("[")[2]
        glyph += rf"\ [\mathrm{{{sample.rstrip(']')}}}]" if sample else ""
        return quantity if glyph == quantity else f"{glyph} = {quantity}"
    return quantity


def _data(ex: Exercise, chains: Sequence[steps.Chain], levels: Sequence[Sequence[hints.Hint]], groups: list[Group],
          lang: str, notation: Notation) -> dict[str, Any]:
    """What the script reads: the sentences, the steps' dependencies and mistakes, and every variant."""
    own = hints.catalogue(lang)
    first = chains[0]
    claims = [s.claim for s in first.steps]
    index = {c: i for i, c in enumerate(claims)}
    for c in chains[1:]:
        if [s.claim for s in c.steps] != claims:
            raise AssertionError("the variants of one exercise have the same steps")
    printed = jscode.printed(first)
    order = [i for g in groups for b in g.blocks for i in b.worked + b.table]
    line = {i: k + 1 for k, i in enumerate(order)}  # the lines are numbered as the page shows the steps
    after = dict(zip(order, [*order[1:], -1]))
    return {
        "network": ex.network, "file": first.network.spec.name, "title": first.network.spec.title_in(lang),
        "seed": ex.seed, "count": len(ex.variants),
        "messages": {k: own.messages[k] for k in SCRIPT_MESSAGES},
        "mistakes": hints.meanings(first.network, lang),
        "steps": [{"claim": p.claim, "line": line[i], "next": after[i], "deps": [index[d] for d in p.deps],
                   "mistakes": [m for m, _ in p.mistakes]} for i, p in enumerate(printed)],
        "variants": [_variant(ex, v, c, h, notation) for v, c, h in zip(ex.variants, chains, levels)],
    }


def _variant(ex: Exercise, v: Variant, chain: steps.Chain, levels: Sequence[hints.Hint],
             notation: Notation) -> dict[str, Any]:
    truth = Truth(v.derivation)
    pr = NotationPrinter(notation)
    return {
        "id": v.id,
        "given": {symbol.name: show(value, TRUTH_DIGITS).text for symbol, value in chain.given},
        "truth": [show(x, TRUTH_DIGITS).text for x in chain.truths],
        "digits": [questions.asked_digits(truth, s.name, x, ex.digits) for s, x in zip(chain.steps, chain.truths)],
        "shown": [show(x, hints.SHOWN_DIGITS).text for x in chain.truths],
        "numbers": [h.numbers for h in levels], "step": [h.shown for h in levels],
        "values": [[hints.quantity(symbol.name, pr), show(value, TRUTH_DIGITS).text] for symbol, value in chain.given],
        "figure": html.inline_svg(svg.figure(sheets.network_figure(v, notation.profile))),
        "spec": spec_text.variant_toml(ex.spec, dict(v.values)),
    }


def _groups(chain: steps.Chain, lang: str) -> list[Group]:
    """The page's headings and, under each, its blocks of steps."""
    t, own = messages.catalogue(lang), hints.catalogue(lang)
    network = chain.network
    compact = len(chain.steps) > COMPACT_STEPS
    several = len(chain.samples) > 1
    last = len(network.layers) - 1
    found: list[Group] = []

    def heading(layer: int) -> str:
        return t("layer_heading_output") if layer == last else t("layer_heading_hidden", index=layer + 1)

    def add(title: str, level: int, *kinds: Sequence[int]) -> None:
        blocks = tuple(_block(chain, list(indices), compact) for indices in kinds if indices)
        if blocks or level == 2:
            found.append(Group(title, level, blocks))

    def pick(sample: str | None, kinds: tuple[str, ...], layer: int | None = None) -> list[int]:
        return [i for i, s in enumerate(chain.steps) if s.sample == sample and s.kind in kinds
                and (layer is None or s.layer == layer)]

    for sample in chain.samples:
        prefix = t("sample_prefix", name=sample) if several else ""
        add(prefix + t("forward_pass"), 2)
        for layer in range(len(network.layers)):
            add(heading(layer), 3, pick(sample, ("net", "out"), layer))
        add(prefix + t("error"), 2, pick(sample, ("loss", "total")))
        add(prefix + t("backward_pass"), 2)
        for layer in range(last, -1, -1):
            add(heading(layer), 3, pick(sample, ("error", "slope", "delta"), layer), pick(sample, ("gradient",), layer))
    for kind, title in (("batch", own("batch")), ("update", t("update")), ("after", t("after_update"))):
        if pick(None, (kind,)):
            add(title, 2, pick(None, (kind,)))
    return found


def _block(chain: steps.Chain, indices: list[int], compact: bool) -> Block:
    """The first subject's steps worked in full, the others in a table (all worked when not compact); a
    total is always worked."""
    if not compact:
        return Block(tuple(indices), ())
    first = chain.steps[indices[0]].subject
    worked = tuple(i for i in indices if chain.steps[i].subject == first or chain.steps[i].kind in ("total", "after"))
    return Block(worked, tuple(i for i in indices if i not in worked))


_MATH = re.compile(r"\$([^$]+)\$")


def _text(message: str) -> Markup:
    """A sentence with $maths$ as HTML: the text escaped, each formula a span KaTeX typesets."""
    out, at = [], 0
    for match in _MATH.finditer(message):
        out.append(str(escape(message[at:match.start()])))
        out.append(f'<span class="math inline">{escape(match.group(1))}</span>')
        at = match.end()
    out.append(str(escape(message[at:])))
    return Markup("".join(out))


def _json(data: dict[str, Any]) -> str:
    """The page's data as JSON inside a script element: `<` written as its escape, so no `</script>` ends it."""
    return json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":")).replace("<", "\\u003c")


@cache
def _script() -> str:
    return resources.files("derive.practice").joinpath("assets", "practice.js").read_text(encoding="utf-8")
