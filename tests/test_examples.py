"""The committed output/ is exactly what the tool renders now."""

from __future__ import annotations

from pathlib import Path

from derive.cli import as_bytes, example_files, example_requests, render_dir

ROOT = Path(__file__).resolve().parent.parent


def test_committed_examples_are_current() -> None:
    files = example_files(ROOT / "output", with_pdf=False)
    stale = [str(p.relative_to(ROOT)) for p, content in files.items()
             if not p.is_file() or p.read_bytes() != as_bytes(content)]
    assert not stale, f"regenerate with `derive examples`: {stale}"
    # the PDFs are compared by their text in test_pdf (their bytes follow the TeX installation)
    pdfs = {ROOT / "output" / render_dir(name, lang, profile) / "walkthrough.pdf"
            for name, lang, profile, formats in example_requests() if "pdf" in formats}
    committed = sorted(p for p in (ROOT / "output").rglob("*") if p.is_file())
    assert committed == sorted(set(files) | pdfs), "output/ holds files the tool no longer writes, or lacks one"


def test_every_preset_in_both_languages_and_every_format() -> None:
    requests = example_requests()
    for name in ("gender", "mazur", "textbook", "xor3"):
        for lang in ("en", "zh"):
            assert (name, lang, "classic", ("md", "tex", "html", "ipynb") + (("pdf",) if name == "mazur" else ())) \
                in requests
