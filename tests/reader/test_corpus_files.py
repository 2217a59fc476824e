"""The reading corpus is consistent: every folder of tests/reader/corpus/ (en-*, zh-*, ...) holds one
public document with its source, a spec derive loads, an independent computation (truth.py) that runs,
and a truth file whose spans point at equations of the document and whose values are what that
computation prints. Nothing here reads the documents with derive's checker: the corpus measures it, and
the set-aside parts stay unread until the end (see tests/reader/CORPUS.md); fresh, sealed, final, latest, reserve and audit:
collected later and measured once, blind."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pytest

from derive.model import network, spec

CORPUS = Path(__file__).resolve().parent / "corpus"
FOLDERS = (sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
           if CORPUS.is_dir() else [])
EXTENSIONS = (".md", ".tex", ".ipynb", ".txt")
LANGUAGES = ("en", "zh", "de", "fr", "es", "it", "nl", "pt", "pl")
SOURCE_KEYS = ("url", "title", "author", "language", "found_with", "cut", "network", "part", "notes")
SPAN_KEYS = {"line", "text", "quantity", "status", "truth", "note"}
OPTIONAL_KEYS = {"cell", "first_error", "cause", "from_line", "from_cell"}
STATUSES = ("right", "wrong", "carried")
CAUSES = ("arithmetic", "missing activation slope", "dropped path", "sign", "stale weights",
          "transposed weight", "wrong input", "learning rate", "factor 2", "rounding", "notation", "other")
PARTS = ("dev", "heldout", "unseen", "fresh", "sealed", "final", "latest", "reserve", "audit")
TRUTH_IMPORTS = ("mpmath", "json", "tomllib", "pathlib", "__future__", "decimal", "fractions")


def ids(folder: Path) -> str:
    return folder.name


def document(folder: Path) -> Path:
    (path,) = [p for p in folder.iterdir() if p.name.startswith("document.")]
    return path


@lru_cache(maxsize=None)
def lines_of(folder: Path, cell: int | None) -> list[str]:
    """The document's lines (split at '\\n', so line k is what an editor shows as line k), or for a
    notebook the lines of one cell (cells counted from 1, every cell, code cells too)."""
    path = document(folder)
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text.split("\n")
    assert isinstance(cell, int), f"{folder.name}: a span of a notebook names its cell"
    cells = json.loads(text)["cells"]
    assert 1 <= cell <= len(cells), f"{folder.name}: no cell {cell}"
    source = cells[cell - 1]["source"]
    return ("".join(source) if isinstance(source, list) else source).split("\n")


@lru_cache(maxsize=None)
def spans(folder: Path) -> list[dict]:
    return tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]


def place(folder: Path, span: dict) -> tuple[int, int]:
    """Where a span starts, as (cell, line); cell 0 outside notebooks."""
    return (span.get("cell", 0) if document(folder).suffix == ".ipynb" else 0, span["line"])


@lru_cache(maxsize=None)
def printed(folder: Path) -> dict[str, Decimal]:
    """What truth.py prints, `name = value` per line (run once per folder)."""
    run = subprocess.run([sys.executable, "truth.py"], cwd=folder, capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, f"{folder.name}/truth.py failed:\n{run.stderr[-2000:]}"
    values = {}
    for line in run.stdout.splitlines():
        name, sep, value = line.rpartition(" = ")
        assert sep, f"{folder.name}/truth.py printed {line!r}, not 'name = value'"
        values[name] = Decimal(value)
    return values


def test_the_corpus_has_documents() -> None:
    assert FOLDERS, "tests/reader/corpus/ holds no document"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_every_folder_has_its_five_files(folder: Path) -> None:
    assert folder.name.split("-")[0] in LANGUAGES, f"{folder.name}: expected a language prefix such as en-"
    documents = [p for p in folder.iterdir() if p.name.startswith("document.")]
    assert len(documents) == 1, f"{folder.name}: expected one document.*, found {documents}"
    assert documents[0].suffix in EXTENSIONS, f"{folder.name}: {documents[0].name}"
    for name in ("source.toml", "spec.toml", "truth.py", "truth.toml"):
        assert (folder / name).is_file(), f"{folder.name}: {name} is missing"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_source_names_its_origin_and_part(folder: Path) -> None:
    source = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    for key in SOURCE_KEYS:
        assert isinstance(source.get(key), str), f"{folder.name}: source.toml: {key} is not a string"
    assert source["part"] in PARTS, f"{folder.name}: part {source['part']!r}"
    assert source["language"] and source["found_with"] and source["network"], folder.name


def test_about_a_third_of_the_corpus_is_held_out() -> None:
    """Of the documents collected with a part of their own to be held out; the fresh, sealed, final, latest, reserve and audit parts are set aside whole."""
    parts = [tomllib.loads((f / "source.toml").read_text(encoding="utf-8"))["part"] for f in FOLDERS]
    parts = [p for p in parts if p not in ("fresh", "sealed", "final", "latest", "reserve", "audit")]
    held = parts.count("heldout")
    assert len(parts) // 4 <= held <= (len(parts) + 1) // 2, f"{held} of {len(parts)} held out"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_the_spec_loads(folder: Path) -> None:
    network.build(spec.load_path(folder / "spec.toml"))


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_truth_py_is_independent_of_derive(folder: Path) -> None:
    source = (folder / "truth.py").read_text(encoding="utf-8")
    imports = [l.split()[1] for l in source.splitlines() if l.startswith(("import ", "from "))]
    assert all(m.split(".")[0] in TRUTH_IMPORTS for m in imports), f"{folder.name}: truth.py imports {imports}"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_every_span_has_its_keys_and_a_valid_verdict(folder: Path) -> None:
    for i, s in enumerate(spans(folder)):
        where = f"{folder.name}: span {i + 1} (line {s.get('line')})"
        assert SPAN_KEYS <= set(s) <= SPAN_KEYS | OPTIONAL_KEYS, f"{where}: keys {sorted(s)}"
        assert isinstance(s["line"], int) and s["line"] >= 1, where
        assert s["status"] in STATUSES, f"{where}: status {s['status']!r}"
        if s["status"] == "wrong":
            assert isinstance(s.get("first_error"), bool), f"{where}: a wrong span says whether it is a first error"
            assert s.get("cause") in CAUSES, f"{where}: cause {s.get('cause')!r}"
        else:
            assert "first_error" not in s and "cause" not in s, f"{where}: first_error and cause are for wrong spans"
        if s["status"] == "carried":
            assert isinstance(s.get("from_line"), int), f"{where}: a carried span says from_line"
        else:
            assert "from_line" not in s and "from_cell" not in s, f"{where}: from_line is for carried spans"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_every_span_starts_on_a_line_holding_an_equals_sign(folder: Path) -> None:
    for s in spans(folder):
        cell = s.get("cell") if document(folder).suffix == ".ipynb" else None
        lines = lines_of(folder, cell)
        where = f"{folder.name}: line {s['line']}" + (f" of cell {cell}" if cell else "")
        assert s["line"] <= len(lines), f"{where} is past the end"
        assert "=" in lines[s["line"] - 1], f"{where} holds no '=': {lines[s['line'] - 1]!r}"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_spans_are_in_document_order(folder: Path) -> None:
    places = [place(folder, s) for s in spans(folder)]
    assert places == sorted(places), folder.name


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_a_carried_span_follows_a_wrong_span_before_it(folder: Path) -> None:
    notebook = document(folder).suffix == ".ipynb"
    seen_wrong: set[tuple[int, int]] = set()
    for s in spans(folder):
        if s["status"] == "carried":
            source = (s.get("from_cell", s.get("cell", 0)) if notebook else 0, s["from_line"])
            assert source in seen_wrong, (
                f"{folder.name}: line {s['line']} is carried from {source}, which is no wrong span before it")
        if s["status"] == "wrong":
            seen_wrong.add(place(folder, s))


def agrees(written: str, value: Decimal) -> bool:
    """The computed value, rounded to the digits the truth is written with, gives the truth."""
    try:
        truth = Decimal(written)
    except InvalidOperation:
        return False
    return value.quantize(Decimal(1).scaleb(truth.as_tuple().exponent), rounding=ROUND_HALF_EVEN) == truth


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_the_truth_is_what_truth_py_prints(folder: Path) -> None:
    values = printed(folder)
    for s in spans(folder):
        if not s["quantity"] or not s["truth"]:
            continue
        names = [n.strip() for n in s["quantity"].split(",")]
        truths = [t.strip() for t in s["truth"].split(",")]
        where = f"{folder.name}: line {s['line']}"
        assert len(names) == len(truths), f"{where}: {len(names)} quantities, {len(truths)} truths"
        for name, truth in zip(names, truths):
            assert name in values, f"{where}: truth.py prints no {name!r}"
            assert agrees(truth, values[name]), f"{where}: {name} = {values[name]}, not {truth}"
