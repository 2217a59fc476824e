"""How a span is meant, where the checker does not follow it: said by the prose before it, or by an index.

A formula stated with a sign taken the other way (`Some sources extract the negative sign from δ, so it
would be written as: ∂E/∂w5 = -δ_o1 out_h1`, `有些资料将 δ 的负号展开写成`) is the negative of the truth in
the document's own signs, but no sign mistake: the paragraph says so. Such a verdict becomes "cannot
check" with the paragraph quoted, never "wrong" (a false alarm) nor "correct" (its other convention is
not read).

A rule for every index written with one instance's index (`y_j = F(a_j) = 1/(1 + e^{-a_1})`: a_j and a_1
in one equation, or y_j equal to a side that names no j) is no claim about one quantity: which j is meant
is not read, so it is not understood, never read as the instance's quantity and called right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from derive.check.claims import Claim, names_in
from derive.check.verdicts import Verdict
from derive.model.precision import CTX, show
from derive.reader.plain import NotUnderstood
from derive.reader.spans import near

# A sign convention said in words, naming the symbol whose sign is moved: "take/extract/pull the negative
# sign out of (from) $\delta$", "absorb the sign into $\delta$", 有些资料将 $\delta$ 的负号展开/提出/提取/并入,
# 将负号从 $\delta$ 中提出来.
# A paragraph that only speaks of a sign ("target minus the output", 注意符号) says no convention: it is the
# very description of the sign mistake, which stays wrong.
SYMBOL = r"\$\s*(\\?[A-Za-z]+|[\u0370-\u03ff])[^$]*\$"
CONVENTION = re.compile(
    r"\b(?:take|takes|taking|took|taken|extract|extracts|extracting|extracted|pull|pulls|pulling|pulled|"
    r"factor|factors|factoring|factored)\s+(?:out\s+)?(?:the\s+|a\s+)?(?:negative\s+|minus\s+)?sign\s+"
    r"(?:out\s+of|from)\s+" + SYMBOL
    + r"|\babsorb(?:s|ed|ing)?\s+(?:the\s+)?(?:negative\s+|minus\s+)?sign\s+into\s+" + SYMBOL
    + r"|将\s*" + SYMBOL + r"\s*的\s*负号\s*(?:提出|提取|展开|并入|移出)"
    + r"|将?\s*负号\s*从\s*" + SYMBOL + r"\s*中?\s*(?:提出|提取|移出|拿出)", re.I)
SAME = CTX.mpf(10) ** -9  # how close -claimed must be to the truth (relative) to be the truth's negative


def _uses(formula: str, symbol: str) -> bool:
    """Whether the formula writes the symbol, in TeX (\\delta) or in Unicode (δ)."""
    bare = symbol.lstrip("\\")
    spellings = {symbol, bare if len(bare) == 1 else "\\" + bare}
    try:
        spellings.add(unicodedata.lookup(f"GREEK SMALL LETTER {bare.upper()}"))
    except KeyError:
        if len(bare) == 1 and unicodedata.name(bare, "").startswith("GREEK"):
            spellings.add("\\" + unicodedata.name(bare).split()[-1].lower())
    return any(s in formula for s in spellings)


def _convention(paragraph: str, formula: str) -> bool:
    """Whether the paragraph states a sign convention for a symbol the formula uses."""
    return any(_uses(formula, next(g for g in m.groups() if g)) for m in CONVENTION.finditer(paragraph))


def other_sign(verdict: Verdict, lead: tuple[str, ...], before: str = "") -> Verdict:
    """A wrong verdict whose value is the truth's negative, under a paragraph (the span's own, the last
    paragraph of prose before it, or the text just `before` it) stating a sign convention for a symbol the
    formula uses: cannot check."""
    if verdict.status != "wrong" or not verdict.truth or verdict.claimed is None or \
            abs(verdict.claimed + verdict.truth) > SAME * abs(verdict.truth):
        return verdict  # (the paragraphs are searched only for the truth's negative: they may be long)
    paragraph = next((p for p in (*near(lead), before) if _convention(p, verdict.text)), "")
    if not paragraph:
        return verdict
    words = " ".join(paragraph.split("$$")[0].split())
    quoted = words if len(words) <= 80 else words[:77] + "..."
    return replace(verdict, status="cannot check", explanations=(), reason=(
        f"the negative of the truth ({show(verdict.truth, 9).text}), with a sign taken the other way as the text "
        f"before it says ({quoted!r}): that convention is not followed here"))


# A name indexed by a letter that counts (x_i, a_j, delta_k), and one indexed by a number (a_1, a1).
LETTER_INDEX = re.compile(r"([A-Za-z]+)_([ijklmn])")
NUMBER_INDEX = re.compile(r"([A-Za-z]+)_?(\d+)")


def mixed_index(claim: Claim, known: Callable[[str], bool]) -> str | None:
    """Why a claim mixes a rule for every index with one instance, or None: a_j beside a1, or y_j equal to a
    side in a1 that names no j; names the network `known` are its own."""
    sides = [n for link in (*claim.links, *((claim.left,) if claim.left else ())) for n in names_in(link)]
    names = [claim.target.name, *sides]
    numbered = [(m.group(1), n) for n in names if (m := NUMBER_INDEX.fullmatch(n))]
    for general in names:
        m = LETTER_INDEX.fullmatch(general)
        if m is None or known(general):
            continue
        head, letter = m.groups()
        same = [n for h, n in numbered if h == head]
        if not same and general == claim.target.name and numbered and \
                not any(re.search(rf"_\w*{letter}", n) for n in sides):
            same = [n for _, n in numbered]  # y_j = 1/(1 + e^{-a1}): the rule for every j names no j
        if same:
            return (f"{general} and {same[0]} in one equation: a rule for every {letter} written with one "
                    f"instance's index; which one is meant is not read")
    return None


class RuleWithInstance(NotUnderstood):
    """A rule for every index whose chain writes one instance for its own index (`y_j = F(a_j) =
    1/(1 + e^{-a_1})`): wrong as written, whichever j is meant, for it holds for one j only."""

    def __init__(self, link: int, general: str, instance: str, letter: str) -> None:
        super().__init__(f"a rule for every {letter} written with {instance} for {general}")
        self.link = link  # 1-based: the first link that names the instance
        self.explanation = (f"notation: {instance} written for {general} in a rule for every {letter}: it holds "
                            f"for one {letter} only")


def instance_in_rule(claim: Claim, known: Callable[[str], bool]) -> RuleWithInstance | None:
    """The slip of a claim that states a rule for every index of its left side (y_j, free: no sum binds it)
    and writes, after a link naming a_j, a_1 of the same family for it; None where it does not."""
    target = LETTER_INDEX.fullmatch(claim.target.name)
    if target is None or known(claim.target.name):
        return None
    letter = target.group(2)
    seen: set[str] = set()
    for k, link in enumerate(claim.links, start=1):
        names = names_in(link)
        for name in names:
            m = NUMBER_INDEX.fullmatch(name)
            general = f"{m.group(1)}_{letter}" if m else ""
            if m and general in seen and not known(general):
                return RuleWithInstance(k, general, name, letter)
        seen.update(n for n in names if LETTER_INDEX.fullmatch(n) and n.endswith(f"_{letter}"))
    return None


__all__ = ["RuleWithInstance", "instance_in_rule", "mixed_index", "other_sign"]
