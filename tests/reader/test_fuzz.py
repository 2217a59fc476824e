"""Hostile and random documents: no code is run, no file is read but the one named, every outcome is a
report or one line on stderr (exit 0, 1 or 2), never a traceback."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import DocumentReport, check_document
from derive.reader.spans import DocumentError
from tests.helpers import run

FRAGMENTS = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "{", "}", "\\begin{align}", "\\end{align}", "\\begin{equation}",
             "\\end{aligned}", "\\\\", "&", "=", "&=", " = ", "0.593269992", "-0.3775", "1{,}000", "w_5", "out_{h1}",
             "E_{total}", "\\frac{\\partial E_{total}}{\\partial w_5}", "\\frac{", "}{", "\\sigma(", ")", "^{+}", "^{(",
             "_{", "\\input{/etc/passwd}", "\\include{secret}", "\\def\\x{1}", "\\newcommand{\\y}{2}",
             "\\write18{touch PWNED}", "%", "\n", "\n\n", "```", "    ", "# ", "> ", "- ", "\\text{", "π", "∂", "中文",
             "\\left(", "\\right)", "\\verb|$x=1$|", "<!--", "-->", "\\section{更新}", "\\", "'", "\\eta", "\\Delta"]
DOCUMENT = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)

_MAZUR: list[derivation.Derivation] = []


def mazur() -> derivation.Derivation:
    if not _MAZUR:
        _MAZUR.append(derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,)))
    return _MAZUR[0]


class Opened(AssertionError):
    """A file was opened while a document was read."""


@contextlib.contextmanager
def no_files():
    """Every way of opening a file refused while the block runs."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise Opened(f"opened {args[:1]!r}")

    saved = builtins.open, io.open, os.open
    builtins.open = io.open = os.open = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        builtins.open, io.open, os.open = saved


def guarded(kind: str, text: str) -> DocumentReport | None:
    """Check `text` with no file opened: the document is all there is to read."""
    with no_files():
        try:
            return check_document(mazur(), kind, text)
        except DocumentError:
            return None


def test_the_guard_catches_a_read() -> None:
    with pytest.raises(Opened), no_files():
        Path(__file__).read_text()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT, st.sampled_from(["md", "tex"]))
def test_random_documents(text: str, kind: str) -> None:
    check_document(mazur(), kind, "$out_{h1} = 0.593269992$\n")  # every lazy import done before the guard
    check_document(mazur(), "tex", "$out_{h1} = 0.593269992$\n")
    report = guarded(kind, text)
    if report is not None:
        for s in report.spans:
            assert s.status in ("judged", "not understood", "not a claim")
            assert 0 <= s.span.start <= s.span.end <= len(text)


HOSTILE = {
    "unbalanced dollars": "$a = 1\n$$ b = $ 2 $$$ $",
    "input and include": "\\input{/etc/passwd}\n\\include{/etc/shadow}\n$\\input{/etc/passwd} = 1$\n",
    "definitions": "\\def\\w{out_{h1}}\\newcommand{\\v}{0.59}\n\\[ \\w = \\v \\]\n",
    "shell escape": "\\immediate\\write18{touch PWNED}\n$\\write18{touch PWNED} = 1$\n",
    "deep braces": "$x = " + "{" * 20_000 + "1" + "}" * 20_000 + "$\n",
    "deep brackets": "$$x = " + "(" * 20_000 + "1" + ")" * 20_000 + "$$\n",
    "many spans": "$w_5 = 0.4$ " * 20_000,
    "long span": "$x = " + "1+" * 100_000 + "1$",
}


@pytest.mark.parametrize("kind", ["md", "tex", "ipynb"])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                           kind: str, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    text = HOSTILE[name]
    if kind == "ipynb":
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell("open('PWNED', 'w')")]
        text = nbformat.writes(nb)
    path = tmp_path / f"doc.{kind}"
    path.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    code, _, err = run(["check", "mazur", str(path), "--annotate", str(tmp_path / f"out.{kind}")], capsys)
    assert code in (0, 1, 2) and "Traceback" not in err and err.count("\n") <= 1
    assert not (tmp_path / "PWNED").exists()
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize("kind", ["md", "tex", "ipynb"])
def test_ten_megabytes(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = tmp_path / f"big.{kind}"
    path.write_text("$w_5 = 0.4$ and prose\n" * 500_000, encoding="utf-8")  # 11 MB
    start = time.perf_counter()
    code, out, err = run(["check", "mazur", str(path)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "big." in err
    assert time.perf_counter() - start < 5
