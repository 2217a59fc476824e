"""The reading corpus is consistent: every document of tests/reader/corpus/ comes with its source, a spec
derive loads, an independent computation that runs, and a truth file whose spans point at equations of
the document and whose values are what that computation prints. Nothing here reads the documents with
derive's checker (the set-aside part stays unread until the end; see CORPUS.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

import pytest

from derive.model import network, spec

CORPUS = Path(__file__).resolve().parent / "corpus"
FOLDERS = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
SOURCE_KEYS = ("url", "title", "author", "language", "found_with", "cut", "network", "part", "notes")
SPAN_KEYS = {"line", "text", "quantity", "status", "truth", "note"}
OPTIONAL_KEYS = {"cell", "first_error", "cause", "from_line", "from_cell"}
STATUSES = ("right", "wrong", "carried")
CAUSES = ("arithmetic", "missing activation slope", "dropped path", "sign", "stale weights",
          "transposed weight", "wrong input", "learning rate", "factor 2", "rounding", "notation", "other")
EXTENSIONS = (".md", ".tex", ".ipynb", ".txt")


def ids(folder: Path) -> str:
    return folder.name


def document(folder: Path) -> Path:
    (path,) = [p for p in folder.glob("document.*") if p.suffix in EXTENSIONS]
    return path


def lines_of(folder: Path, cell: int | None) -> list[str]:
    """The document's lines, or a notebook cell's (cells counted from 1, every cell)."""
    path = document(folder)
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text.split("\n")
    assert cell is not None, f"{folder.name}: a span of a notebook names its cell"
    source = json.loads(text)["cells"][cell - 1]["source"]
    return ("".join(source) if isinstance(source, list) else source).split("\n")


def spans(folder: Path) -> list[dict]:
    return tomllib.loads((folder / "truth.toml").read_text(encoding="utf-8"))["span"]


_PRINTED: dict[Path, dict[str, str]] = {}


def printed(folder: Path) -> dict[str, str]:
    """What truth.py prints, `name = value` per line (run once per folder)."""
    if folder not in _PRINTED:
        out = subprocess.run([sys.executable, "truth.py"], cwd=folder, capture_output=True, text=True,
                             timeout=600, check=True).stdout
        _PRINTED[folder] = {name: value for name, _, value in (l.rpartition(" = ") for l in out.splitlines())}
    return _PRINTED[folder]


def test_the_corpus_has_documents() -> None:
    assert FOLDERS, "tests/reader/corpus/ holds no document"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_every_folder_has_its_five_files(folder: Path) -> None:
    assert folder.name[:3] in ("en-", "zh-") or folder.name[2] == "-", folder.name
    document(folder)
    for name in ("source.toml", "spec.toml", "truth.py", "truth.toml"):
        assert (folder / name).is_file(), f"{folder.name}: {name} is missing"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_source_names_its_origin_and_part(folder: Path) -> None:
    source = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
    for key in SOURCE_KEYS:
        assert isinstance(source.get(key), str), f"{folder.name}: source.toml: {key} is not a string"
    assert source["part"] in ("dev", "heldout"), f"{folder.name}: part {source['part']!r}"
    assert source["found_with"] and source["network"], folder.name


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_the_spec_loads(folder: Path) -> None:
    network.build(spec.load_path(folder / "spec.toml"))


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_spans_have_their_keys_and_valid_verdicts(folder: Path) -> None:
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
        assert ("from_line" in s) == (s["status"] == "carried"), f"{where}: from_line is for carried spans"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_every_span_starts_on_a_line_holding_an_equals_sign(folder: Path) -> None:
    for s in spans(folder):
        lines = lines_of(folder, s.get("cell"))
        assert s["line"] <= len(lines), f"{folder.name}: line {s['line']} is past the end"
        assert "=" in lines[s["line"] - 1], f"{folder.name}: line {s['line']} holds no '=': {lines[s['line'] - 1]!r}"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_spans_are_in_document_order(folder: Path) -> None:
    places = [(s.get("cell", 0), s["line"]) for s in spans(folder)]
    assert places == sorted(places), folder.name


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_a_carried_span_follows_a_wrong_span_before_it(folder: Path) -> None:
    wrong = {(s.get("cell", 0), s["line"]) for s in spans(folder) if s["status"] == "wrong"}
    for s in spans(folder):
        if s["status"] == "carried":
            source = (s.get("from_cell", s.get("cell", 0)), s["from_line"])
            assert source in wrong, f"{folder.name}: line {s['line']} is carried from {source}, no wrong span"
            assert source <= (s.get("cell", 0), s["line"]), f"{folder.name}: line {s['line']} is carried from later"


def agrees(written: str, value: str) -> bool:
    """The computed value, rounded to the digits the truth is written with, gives the truth."""
    try:
        truth = Decimal(written)
        return Decimal(value).quantize(truth, rounding=ROUND_HALF_EVEN) == truth
    except InvalidOperation:
        return False


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_the_truth_is_what_truth_py_prints(folder: Path) -> None:
    values = printed(folder)
    for s in spans(folder):
        if not s["quantity"] or not s["truth"]:
            continue
        names = [n.strip() for n in s["quantity"].split(",")]
        truths = [t.strip() for t in s["truth"].split(",")]
        assert len(names) == len(truths), f"{folder.name}: line {s['line']}: {len(names)} names, {len(truths)} values"
        for name, truth in zip(names, truths):
            assert name in values, f"{folder.name}: line {s['line']}: truth.py prints no {name!r}"
            assert agrees(truth, values[name]), f"{folder.name}: line {s['line']}: {name} = {values[name]}, not {truth}"


@pytest.mark.parametrize("folder", FOLDERS, ids=ids)
def test_truth_py_is_independent_of_derive(folder: Path) -> None:
    source = (folder / "truth.py").read_text(encoding="utf-8")
    imports = [l.split()[1] for l in source.splitlines() if l.startswith(("import ", "from "))]
    assert all(m.split(".")[0] in ("mpmath", "json", "tomllib", "pathlib", "__future__", "decimal", "fractions")
               for m in imports), f"{folder.name}: truth.py imports {imports}"
