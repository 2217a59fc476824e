"""The committed output/ is exactly what the tool renders now."""

from __future__ import annotations

from pathlib import Path

from derive.cli import example_files

ROOT = Path(__file__).resolve().parent.parent


def test_committed_examples_are_current() -> None:
    files = example_files(ROOT / "output")
    stale = [str(p.relative_to(ROOT)) for p, text in files.items()
             if not p.is_file() or p.read_bytes() != text.encode("utf-8")]
    assert not stale, f"regenerate with `derive examples`: {stale}"
    committed = sorted(p for p in (ROOT / "output").rglob("*") if p.is_file())
    assert committed == sorted(files), "output/ holds files the tool no longer writes"
