"""A PDF's page layout read back with `pdftotext -bbox` (poppler-utils): its words with their boxes, the
words outside the text block, and the headings left at the foot of a page with nothing of their section
under them."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# A4 with 2 cm margins (the notes' geometry): the text block's left and right edges, in pt
PAGE_WIDTH = 595.28
MARGIN = 56.69
SLACK = 1.0  # a glyph's side bearing may reach this far past the block
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
_NUMBER = re.compile(r"\d+(\.\d+)*")
_TITLE = re.compile(r"\\(?:sub)*section\{(.*)\}\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[list[Word]]:
    """Every word of every page, in pdftotext's reading order."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, timeout=120, check=True)
    pages = out.stdout.decode("utf-8").split("<page ")[1:]
    return [[Word(k, *map(float, m.groups()[:4]), html.unescape(m.group(5))) for m in _WORD.finditer(page)]
            for k, page in enumerate(pages, start=1)]


def outside(pages: list[list[Word]]) -> list[Word]:
    """The words that run past the text block's left or right edge."""
    return [w for page in pages for w in page if w.x1 > PAGE_WIDTH - MARGIN + SLACK or w.x0 < MARGIN - SLACK]


def lines(page: list[Word]) -> list[list[Word]]:
    """The page's words grouped into lines, top to bottom (a subscript joins the line it hangs from)."""
    found: list[list[Word]] = []
    for w in sorted(page, key=lambda w: (w.y1, w.x0)):
        if found and w.y0 < max(v.y1 for v in found[-1]) - 2:
            found[-1].append(w)
        else:
            found.append([w])
    return [sorted(line, key=lambda w: w.x0) for line in found]


def _plain(text: str) -> str:
    """Letters, digits and CJK characters only: a heading's text as the PDF and as the LaTeX give it."""
    text = re.sub(r"\\[A-Za-z]+", "", text)
    return "".join(c for c in text if c.isalnum())


def titles(tex: str) -> set[str]:
    """The numbered headings' titles of a LaTeX document, in plain text."""
    return {_plain(t) for t in _TITLE.findall(tex)}


def _body(page: list[Word]) -> list[list[Word]]:
    """The page's lines without its page number."""
    return [line for line in lines(page) if not (len(line) == 1 and line[0].text.isdigit() and line[0].y0 > 760)]


def _is_heading(line: list[Word], known: set[str]) -> bool:
    return len(line) > 1 and bool(_NUMBER.fullmatch(line[0].text)) and _plain("".join(w.text for w in line[1:])) in known


def orphans(pages: list[list[Word]], tex: str, below: int = 4) -> list[tuple[int, str]]:
    """(page, heading) of every numbered heading with fewer than `below` lines of its section under it on
    its page while the section goes on at the top of the next page: a heading left at a page's foot."""
    known = titles(tex)
    bodies = [_body(page) for page in pages]
    found = []
    for index, body in enumerate(bodies):
        following = bodies[index + 1] if index + 1 < len(bodies) else []
        continues = bool(following) and not _is_heading(following[0], known)
        for k, line in enumerate(body):
            if not _is_heading(line, known):
                continue
            rest = body[k + 1:]
            if continues and len(rest) < below and not any(_is_heading(r, known) for r in rest):
                found.append((line[0].page, " ".join(w.text for w in line)))
    return found
