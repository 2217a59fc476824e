"""Which sample of a batch a span speaks of, as the headings and paragraphs before it name it (`Sample s2:
The forward pass`, `样本 s2：前向传播`), in the wordings the walkthroughs print; and whether a span stands
under the walkthroughs' heading of the optimizer's update."""

from __future__ import annotations

import contextlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from derive.check.verdicts import Verdict
from derive.reader.spans import Span


@dataclass(frozen=True)
class Context:
    """The sample a span's claims are read at (None: the default reading), and the text that named it."""

    name: str | None = None
    where: str = ""

    def said(self, v: Verdict) -> str:
        """The reading judged, said where a heading or paragraph chose it and the checker took it."""
        if self.name is None or not v.reading.startswith("at sample"):
            return ""
        return f"{v.reading}, as {self.where!r} says"


@cache
def wordings(key: str) -> tuple[str, ...]:
    """How the walkthroughs word the message `key` in every language they are written in (`sample @name`,
    `样本 @name`): read from their message catalogues, so the reader follows what the notes print."""
    folder = resources.files("derive.templates").joinpath("messages")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            found.append(tomllib.loads(entry.read_text(encoding="utf-8"))[key])
    return tuple(found)


def about_optimizer(span: Span) -> bool:
    """A span under the walkthroughs' heading of the optimizer's update (`The update: Adam`), where the
    textbook's beta_1 is the optimizer's decay rate, not an output's weighted sum."""
    starts = [w.partition("@name")[0].strip() for w in wordings("optimizer_heading")]
    titles = [re.sub(r"^\\[A-Za-z]+\*?\s*\{", "", h.strip()) for h in span.headings]  # \section{...}: its title
    return any(t.startswith(s) for t in titles for s in starts)


class SampleNames:
    """Which sample a span is about: named by the last paragraph of its section that names samples, else
    by the innermost heading that does (`Sample s2: The forward pass`, `样本 s2：前向传播`, or a heading
    that is the sample's own name); a text that names several samples names none."""

    def __init__(self, samples: tuple[str, ...], inputs: tuple[str, ...] = (),
                 values: tuple[tuple[Decimal, ...], ...] = ()) -> None:
        self.samples = samples if len(samples) > 1 else ()
        self.inputs, self.values = inputs, values  # the network's input names, and each sample's inputs
        self.patterns = [(name, re.compile("|".join(_wording(w, name) for w in wordings("col_sample_named")), re.I))
                         for name in self.samples]

    def named(self, text: str, heading: bool = False) -> list[str]:
        found = [name for name, pattern in self.patterns if pattern.search(text)]
        bare = text.strip(" #:：.").lower()
        if heading and not found:
            found = [name for name in self.samples if bare == name.lower()]
        return found

    def of(self, span: Span) -> Context:
        if not self.samples:
            return Context()
        for texts, heading in ((span.lead, False), (span.headings, True)):
            for text in reversed(texts):
                named = self.named(text, heading)
                if named:
                    return Context(named[0] if len(named) == 1 else None, _quoted(text))
        return Context()


    def along(self, spans: list[tuple[Span, list[str]]]) -> list[Context]:
        """Each span's sample (with its chains as read): as `of` finds it; where no heading or paragraph names
        one, the sample whose inputs a span before it in the same section states (`x_1 = 1, x_2 = 2` under
        `Add another training example`), from that span on."""
        contexts: list[Context] = []
        stated: tuple[str, tuple[str, ...], str] | None = None  # the sample, its section, the span that said it
        for span, texts in spans:
            context = self.of(span)
            found = self.by_inputs(texts)
            if found is not None:
                stated = (found, span.headings, _quoted(span.source))
            if context == Context() and stated is not None and _within(stated, span.headings):
                context = Context(stated[0], stated[2])
            contexts.append(context)
        return contexts

    def by_inputs(self, texts: list[str]) -> str | None:
        """The one sample whose every input chains `x1 = 1` state, at its value; None where they state not all
        of them, or values of no sample, or of several."""
        said: dict[str, Decimal] = {}
        for text in texts:
            parts = [p.strip() for p in text.split(" = ")]
            if len(parts) == 2 and (row := _VECTOR.fullmatch(parts[1])) and _root(parts[0]) == _root(self.inputs):
                inner = row.group(1).replace("\\,", ",")
                entries = [e.strip() for e in re.split(r"[,;]" if re.search(r"[,;]", inner) else r"\s+", inner)
                           if e.strip()]
                if len(entries) == len(self.inputs):  # `x = [0, 1]`: every input, in order
                    parts = []
                    with contextlib.suppress(InvalidOperation):
                        said.update((n, Decimal(e.replace(" ", ""))) for n, e in zip(self.inputs, entries, strict=True))
            if len(parts) == 2 and parts[0] in self.inputs:
                try:
                    said[parts[0]] = Decimal(parts[1].replace(" ", ""))
                except InvalidOperation:
                    continue
        if not self.samples or not self.inputs or set(said) != set(self.inputs):
            return None
        matching = [name for name, values in zip(self.samples, self.values, strict=True)
                    if all(said[n] == v for n, v in zip(self.inputs, values, strict=True))]
        return matching[0] if len(matching) == 1 else None


def _within(stated: tuple[str, tuple[str, ...], str], headings: tuple[str, ...]) -> bool:
    """Whether a span under `headings` is in the section where a span stated a sample's inputs: its own, or the
    one a heading holding that span opens (`### 输入样本 $x = [0, 1]$ 的快速验证`)."""
    _, section, said = stated
    opened = bool(headings) and said in headings[-1] and headings[:-1] == section[:len(headings) - 1]
    return headings == section or opened


_VECTOR = re.compile(r"[\[(]\s*([-\d.,;\s\\]+?)\s*[\])]")  # `[0, 1]`, `(1, 0)`: a row of numbers


def _root(names: str | tuple[str, ...]) -> str | None:
    """The letters the inputs' names share (`x` of x1, x2), or a name's own (`x`); None where they differ."""
    roots = {n.rstrip("0123456789_") for n in ((names,) if isinstance(names, str) else names)}
    return roots.pop() if len(roots) == 1 else None


def _quoted(text: str) -> str:
    """The words that named a sample, without the maths that may follow them in their paragraph."""
    words = " ".join(text.split("$")[0].split())
    return words if len(words) <= 60 else words[:57] + "..."


def _wording(wording: str, name: str) -> str:
    """A catalogue's `sample @name` as a pattern for one sample, not the start of another's name (s1, s10)."""
    before, _, after = wording.partition("@name")
    return re.escape(before).replace("\\ ", "\\s+") + re.escape(name) + r"(?![\w])" + re.escape(after)


__all__ = ["Context", "SampleNames", "about_optimizer", "wordings"]
