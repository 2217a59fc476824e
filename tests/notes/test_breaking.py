"""Displays broken into lines: never inside a bracket that fits a line by itself, and never wider than a
line where a break can be made (products and fractions included)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.notes import printers
from derive.notes.printers import NotationPrinter, width
from derive.notes.walkthrough import WIDTHS

ROOT = Path(__file__).resolve().parents[2]
# a cut inside brackets: the bracket closed at the end of one line and opened again on the next
_CUT = re.compile(r"(?:\s*\\right\.)+\s*\\\\\s*\n\s*&\\q*quad\s*(?:\\cdot\s*)?(?:\\left\.\s*)+")
_DISPLAY = {"md": re.compile(r"\$\$\n(.*?)\n\s*\$\$", re.DOTALL), "tex": re.compile(r"\\\[\n(.*?)\n\\\]", re.DOTALL)}


def cut_brackets(display: str) -> list[str]:
    """The whole text of every bracket a display is broken inside."""
    joined, cuts, last = "", [], 0
    for m in _CUT.finditer(display):
        joined += display[last:m.start()] + " "
        cuts.append(len(joined) - 1)
        last = m.end()
    joined += display[last:]
    found = []
    for cut in cuts:
        opened = [m.start() for m in re.finditer(r"\\left[(\[]", joined[:cut])]
        for start in reversed(opened):
            depth, i = 0, start
            while i < len(joined):
                if joined.startswith("\\left", i) and not joined[i + 5:i + 6].isalpha():
                    depth += 1
                elif joined.startswith("\\right", i) and not joined[i + 6:i + 7].isalpha():
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            if i > cut:
                found.append(joined[start:i + 7])
                break
    return found


def test_a_short_bracket_is_never_broken() -> None:
    pr = NotationPrinter(width=WIDTHS["md"])
    slope = pr.equation(r"\frac{\partial \mathrm{out}_{h1}}{\partial \mathrm{net}_{h1}}",
                        r"\mathrm{out}_{h1} \left(1 - \mathrm{out}_{h1}\right)",
                        r"0.593269992 \times \left(1 - 0.593269992\right)", "0.241300709")
    assert r"\left(1 - 0.593269992\right)" in slope and r"\right." not in slope
    error = pr.equation(r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}}",
                        r"2 \cdot \frac{1}{2} \left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right) \cdot \left(-1\right)",
                        r"\mathrm{out}_{o1} - \mathrm{target}_{o1}")
    assert r"\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)" in error and r"\right." not in error


def test_a_long_product_is_broken_between_its_factors() -> None:
    pr = NotationPrinter(width=WIDTHS["md"])
    factors = r" ".join([r"\left(\mathrm{out}_{o1} - \mathrm{target}_{o1}\right)", r"\mathrm{out}_{o1}",
                         r"\left(1 - \mathrm{out}_{o1}\right)", "w_{25}", r"\mathrm{out}_{hc1}",
                         r"\left(1 - \mathrm{out}_{hc1}\right)", "w_{16}"])
    lines = pr.equation(r"\delta_{hb1}", factors).split("\\\\\n")
    assert len(lines) > 1 and all(r"\right." not in line for line in lines)
    assert lines[1].startswith(r"&\quad \cdot ")
    assert all(width(line) <= WIDTHS["md"] + 1 for line in lines)


def test_a_derivative_operator_stays_with_what_it_differentiates() -> None:
    pr = NotationPrinter(width=WIDTHS["md"])
    text = pr.equation(r"\frac{\partial}{\partial \mathrm{out}_{o1}} \left(\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)^{2}\right)",
                       r"2 \left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right) \frac{\partial}{\partial \mathrm{out}_{o1}} "
                       r"\left(\mathrm{target}_{o1} - \mathrm{out}_{o1}\right)")
    assert r"\frac{\partial}{\partial \mathrm{out}_{o1}} \\" not in text


def test_cut_brackets_finds_the_bracket_a_line_break_falls_in() -> None:
    display = "\\begin{aligned}\nx &= 0.5 \\times \\left(1 \\right. \\\\\n&\\quad \\left. - 0.5\\right) \\\\\n&= 0.25\n\\end{aligned}"
    assert cut_brackets(display) == [r"\left(1 - 0.5\right)"]


COMMITTED = sorted((ROOT / "output").glob("*/*/walkthrough.md")) + sorted((ROOT / "output").glob("*/*/walkthrough.tex"))


@pytest.mark.parametrize("path", COMMITTED, ids=[f"{p.parent.parent.name}-{p.parent.name}-{p.suffix[1:]}" for p in COMMITTED])
def test_no_committed_display_breaks_a_bracket_that_fits_a_line(path: Path) -> None:
    kind = path.suffix[1:]
    line = WIDTHS[kind] - 7.5  # the widest room a continuation line has
    short = [b for display in _DISPLAY[kind].findall(path.read_text(encoding="utf-8"))
             for b in cut_brackets(display) if width(b) <= line]
    assert short == [], short[:3]


def test_the_break_rule_is_the_printers() -> None:
    assert printers.SUM < printers.PRODUCT  # sums are broken first, products only where no sum can be
