"""The reading corpus is well formed: every folder of tests/reader/corpus/ (en-*, zh-*, ...) holds one
public document with its source, a spec derive can load, an independent computation (truth.py) and the
truth of every span (truth.toml), and the truth agrees with that computation.

These checks never run derive's checker on the documents: the corpus measures it, and a third of it is
held out until the end (see CORPUS.md).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

import pytest

from derive.model import spec

CORPUS = Path(__file__).resolve().parent / "corpus"
FOLDERS = sorted(p for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
DOCUMENT_SUFFIXES = (".md", ".tex", ".ipynb", ".txt")
SOURCE_KEYS = ("url", "title", "author", "language", "found_with", "cut", "network", "part", "notes")
SPAN_KEYS = ("line", "text", "quantity", "status", "truth", "note")
CAUSES = ("arithmetic", "missing activation slope", "dropped path", "sign", "stale weights",
          "transposed weight", "wrong input", "learning rate", "factor 2", "rounding", "notation", "other")
STATUSES = ("right", "wrong", "carried")


def ids(folders: list[Path]) -> list[str]:
    return [f.name for f in folders]


def document(folder: Path) -> Path:
    (path,) = [p for p in folder.iterdir() if p.name.startswith("document.")]
    return path


@lru_cache(maxsize=None)
def lines_of(path: Path) -> dict[int | None, list[str]]:
    """The document's lines, 1-based: keyed by None for a text file, by cell number (1-based, every
    cell counted) for a notebook."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return {None: text.splitlines()}
    cells = json.loads(text)["cells"]
    joined = ("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells)
    return {k + 1: source.splitlines() for k, source in enumerate(joined)}


@lru_cache(maxsize=None)
def spans(folder: Path) -> list[dict]:
    return tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]


@lru_cache(maxsize=None)
def computed(folder: Path) -> dict[str, Decimal]:
    """What truth.py prints, `name = value` per line."""
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
    assert FOLDERS, "no folder in tests/reader/corpus"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_each_folder_has_its_five_files(folder: Path) -> None:
    documents = [p for p in folder.iterdir() if p.name.startswith("document.")]
    assert len(documents) == 1, f"{folder.name}: expected one document.*, found {documents}"
    assert documents[0].suffix in DOCUMENT_SUFFIXES, f"{folder.name}: {documents[0].name}"
    for name in ("source.toml", "spec.toml", "truth.py", "truth.toml"):
        assert (folder / name).is_file(), f"{folder.name}: {name} is missing"
    assert folder.name.split("-")[0] in ("en", "zh", "de", "fr", "es", "it", "nl", "pt", "pl"), folder.name


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_source_says_where_the_document_comes_from(folder: Path) -> None:
    source = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    missing = [k for k in SOURCE_KEYS if k not in source]
    assert not missing, f"{folder.name}/source.toml: missing {missing}"
    assert source["part"] in ("dev", "heldout"), f"{folder.name}: part {source['part']!r}"
    assert source["language"] and source["found_with"] and source["network"], folder.name


def test_about_a_third_of_the_corpus_is_held_out() -> None:
    parts = [tomllib.loads((f / "source.toml").read_text(encoding="utf-8"))["part"] for f in FOLDERS]
    held = parts.count("heldout")
    assert len(parts) // 4 <= held <= (len(parts) + 1) // 2, f"{held} of {len(parts)} held out"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_the_spec_loads(folder: Path) -> None:
    spec.load_path(folder / "spec.toml")


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_truth_py_is_independent_of_derive(folder: Path) -> None:
    text = (folder / "truth.py").read_text(encoding="utf-8")
    imports = [line.split()[1] for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert set(imports) <= {"mpmath", "json", "tomllib", "pathlib", "__future__"}, f"{folder.name}: {imports}"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_every_span_has_its_keys_and_a_valid_verdict(folder: Path) -> None:
    for span in spans(folder):
        where = f"{folder.name}, span at line {span.get('line')}"
        missing = [k for k in SPAN_KEYS if k not in span]
        assert not missing, f"{where}: missing {missing}"
        assert span["status"] in STATUSES, f"{where}: status {span['status']!r}"
        if span["status"] == "wrong":
            assert isinstance(span.get("first_error"), bool), f"{where}: a wrong span says first_error"
            assert span.get("cause") in CAUSES, f"{where}: cause {span.get('cause')!r}"
        else:
            assert "first_error" not in span and "cause" not in span, f"{where}: only a wrong span has a cause"
        if span["status"] == "carried":
            assert isinstance(span.get("from_line"), int), f"{where}: a carried span says from_line"
        else:
            assert "from_line" not in span, f"{where}: only a carried span has from_line"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_every_span_starts_at_a_line_holding_equals_in_document_order(folder: Path) -> None:
    lines = lines_of(document(folder))
    notebook = document(folder).suffix == ".ipynb"
    previous = (0, 0)
    for span in spans(folder):
        cell = span.get("cell") if notebook else None
        where = f"{folder.name}, span at line {span['line']} (cell {cell})"
        assert not notebook or isinstance(cell, int), f"{where}: a notebook's span says its cell"
        assert cell in lines, f"{where}: no such cell"
        assert 1 <= span["line"] <= len(lines[cell]), f"{where}: no such line"
        assert "=" in lines[cell][span["line"] - 1], f"{where}: the line holds no '='"
        here = (cell or 0, span["line"])
        assert here >= previous, f"{where}: out of document order"
        previous = here


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_a_carried_span_follows_a_wrong_span_before_it(folder: Path) -> None:
    seen_wrong: set[tuple[int | None, int]] = set()
    for span in spans(folder):
        if span["status"] == "carried":
            key = (span.get("cell"), span["from_line"])
            assert key in seen_wrong, (
                f"{folder.name}, line {span['line']}: from_line {span['from_line']} names no wrong span before it")
        if span["status"] == "wrong":
            seen_wrong.add((span.get("cell"), span["line"]))


def agrees(written: str, value: Decimal) -> bool:
    """The true value rounded to the digits of the written truth is the written truth."""
    try:
        expected = Decimal(written)
    except InvalidOperation:
        return False
    exponent = expected.as_tuple().exponent
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN) == expected


@pytest.mark.parametrize("folder", FOLDERS, ids=ids(FOLDERS))
def test_the_truth_of_each_span_is_what_truth_py_computes(folder: Path) -> None:
    values = computed(folder)
    for span in spans(folder):
        if not span["truth"] or not span["quantity"]:
            continue
        names = [n.strip() for n in span["quantity"].split(",")]
        truths = [t.strip() for t in span["truth"].split(",")]
        where = f"{folder.name}, line {span['line']}"
        assert len(names) == len(truths), f"{where}: {len(names)} quantities, {len(truths)} truths"
        for name, truth in zip(names, truths):
            assert name in values, f"{where}: truth.py prints no value for {name!r}"
            assert agrees(truth, values[name]), f"{where}: {name} is {values[name]}, not {truth}"
