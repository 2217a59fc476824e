"""The layout is the pipeline: one dependency rule between the parts, and each command loads only its own."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from derive import notes
from derive.notes import messages, notation
from derive.notes.request import NotesRequest, RequestError

PACKAGE = Path(__file__).resolve().parents[1] / "derive"

# The rule (docs/how-it-works.md): the model imports nothing else; the maths only the model; each
# output imports the model, the maths and the shared Jinja environment, and another output only where
# it is built on it (the notebook of the notes carries the verified update code). Files are written
# through `derive.writing` (nothing half-written, one render's files at once), which imports no part.
ALLOWED: dict[str, frozenset[str]] = {
    "model": frozenset({"model"}),
    "maths": frozenset({"model", "maths"}),
    "templating": frozenset(),
    "writing": frozenset(),
    "interrupts": frozenset(),  # the signal handlers, installed before anything heavy is loaded
    "notes": frozenset({"model", "maths", "templating", "writing", "notes", "code"}),
    "code": frozenset({"model", "maths", "templating", "writing", "code"}),
    "check": frozenset({"model", "maths", "writing", "check"}),
    # the reader of documents is built on the checker, and on the notes for the annotated KaTeX page only
    "reader": frozenset({"model", "maths", "check", "notes", "reader"}),
    # courses: exercise sheets and their keys (the checker's truth and mistakes, the notes' figures and
    # walkthroughs) and the grading of hand-ins (the reader of documents)
    "course": frozenset({"model", "maths", "check", "reader", "notes", "templating", "writing", "course"}),
    # practice: the page of step-by-step feedback and the PrairieLearn questions, built on the courses (their
    # variants, questions and grading rules), the checker's truth and mistakes, and the notes' printers
    "practice": frozenset({"model", "maths", "check", "course", "notes", "templating", "writing", "practice"}),
    # the Python API: every command's work as calls (the command line is a thin layer over it)
    "api": frozenset({"model", "maths", "notes", "code", "check", "reader", "course", "practice", "writing", "api"}),
}
# Modules at the top that may import every part: the command line and its entry point.
TOP = frozenset({"cli", "__main__", "__init__"})
# Packages that hold data, not code: the presets' TOML files.
DATA = frozenset({"presets"})


def part_of(module: str) -> str | None:
    """The part a dotted module name belongs to (`derive.notes.svg` -> notes), None outside derive."""
    names = module.split(".")
    return names[1] if names[0] == "derive" and len(names) > 1 else None


def imported_parts(source: str, package: str) -> list[tuple[int, str]]:
    """(line, part) of every derive import in `source`, at any depth (lazy imports count too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import, resolved against the importing package
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets = [base] if base != "derive" else [f"derive.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, part) for part in map(part_of, targets) if part is not None]
    return found


def violations(path: Path) -> list[str]:
    """Each import in `path` that the rule forbids, as `file:line: part -> part`."""
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    module = ".".join(relative.parts)
    own = part_of(module) if len(relative.parts) > 2 else relative.parts[1].removesuffix(".py")
    if own in TOP or own in DATA:
        return []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    allowed = ALLOWED.get(own)
    if allowed is None:
        return [f"{path}: part {own!r} is not in the dependency rule"]
    return [f"{path}:{line}: {own} -> {part}" for line, part in imported_parts(path.read_text(encoding="utf-8"), package)
            if part not in allowed and part not in ("presets", "templates")]


def test_every_module_follows_the_dependency_rule() -> None:
    found = [v for path in sorted(PACKAGE.rglob("*.py")) for v in violations(path)]
    assert found == []


def test_the_rule_catches_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "derive"
    (fake / "maths").mkdir(parents=True)
    bad = fake / "maths" / "bad.py"
    bad.write_text("def f():\n    from derive.notes import walkthrough\n    from derive.check.checker import check_text\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert violations(bad) == [f"{bad}:2: maths -> notes", f"{bad}:3: maths -> check"]


def test_the_rule_catches_a_relative_import_and_an_unlisted_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "derive"
    for part in ("check", "extra"):
        (fake / part).mkdir(parents=True)
    (fake / "check" / "x.py").write_text("from ..notes import svg\nfrom . import claims\n")
    (fake / "extra" / "y.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    assert violations(fake / "check" / "x.py") == [f"{fake / 'check' / 'x.py'}:1: check -> notes"]
    assert violations(fake / "extra" / "y.py") == [f"{fake / 'extra' / 'y.py'}: part 'extra' is not in the dependency rule"]


def module_imports(package: Path) -> dict[str, set[str]]:
    """Each module of `package` (dotted) -> the modules of the package it imports, lazy imports included."""
    modules = {".".join(p.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__"): p
               for p in sorted(package.rglob("*.py"))}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                # `from derive import writing` imports the module derive.writing; a name that is no module
                # (`from derive import __version__`) is the package's own
                named = {f"{node.module}.{a.name}" for a in node.names}
                targets |= named | ({node.module} if named - set(modules) else set())
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
        found[name] = {t for t in targets if t in modules and t != name}
    return found


def import_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (strongly connected)."""
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(imports):  # first pass: finishing order, without recursion
        stack = [(start, iter(sorted(imports[start])))]
        if start in seen:
            continue
        seen.add(start)
        while stack:
            node, rest = stack[-1]
            nxt = next((m for m in rest if m not in seen), None)
            if nxt is None:
                order.append(node)
                stack.pop()
            else:
                seen.add(nxt)
                stack.append((nxt, iter(sorted(imports[nxt]))))
    reverse: dict[str, set[str]] = {m: set() for m in imports}
    for m, targets in imports.items():
        for t in targets:
            reverse[t].add(m)
    groups, placed = [], set()
    for start in reversed(order):  # second pass on the reversed graph
        if start in placed:
            continue
        group, stack = [], [start]
        placed.add(start)
        while stack:
            node = stack.pop()
            group.append(node)
            for m in sorted(reverse[node] - placed):
                placed.add(m)
                stack.append(m)
        if len(group) > 1:
            groups.append(sorted(group))
    return groups


def test_no_module_imports_itself_through_others() -> None:
    assert import_cycles(module_imports(PACKAGE)) == []


def test_a_cycle_is_found(tmp_path: Path) -> None:
    fake = tmp_path / "derive"
    (fake / "check").mkdir(parents=True)
    (fake / "check" / "a.py").write_text("from derive.check import b\n")
    (fake / "check" / "b.py").write_text("def f():\n    from derive.check.a import g\n")
    (fake / "check" / "c.py").write_text("from derive.check import a\n")
    assert import_cycles(module_imports(fake)) == [["derive.check.a", "derive.check.b"]]


# The reading path stays easy to follow: no module of the checker or the reader much over 600 lines.
MAX_MODULE_LINES = 650


@pytest.mark.parametrize("part", ["check", "reader"])
def test_the_reading_path_has_no_long_module(part: str) -> None:
    long = {p.name: n for p in sorted((PACKAGE / part).glob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_every_part_states_the_rule_in_its_docstring() -> None:
    for part in ALLOWED:
        path = PACKAGE / part / "__init__.py" if (PACKAGE / part).is_dir() else PACKAGE / f"{part}.py"
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "import" in doc.lower(), path
        for other in sorted(ALLOWED[part] - {part}):
            assert f"derive.{other}" in doc, (path, other)


def test_the_parts_are_the_folders() -> None:
    folders = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert folders == sorted([p for p in ALLOWED if (PACKAGE / p).is_dir()] + ["presets"])


_LOADED = """
import json, sys
from derive.cli import main
status = main(sys.argv[1:])
print(json.dumps([status, sorted(m for m in sys.modules if m.startswith("derive."))]))
"""


def loaded_by(argv: list[str], cwd: Path) -> list[str]:
    """The derive modules a command loads, run in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", _LOADED, *argv], capture_output=True, text=True, cwd=cwd,
                            check=True)
    status, modules = json.loads(result.stdout.splitlines()[-1])
    assert status == 0, result.stderr
    return modules


def _parts(modules: list[str]) -> set[str]:
    return {m.split(".")[1] for m in modules if m.count(".") >= 2}


def test_render_loads_neither_the_checker_nor_the_code(tmp_path: Path) -> None:
    parts = _parts(loaded_by(["render", "mazur", "--out", str(tmp_path / "o")], tmp_path))
    assert "check" not in parts and "code" not in parts
    assert {"model", "maths", "notes"} <= parts


LAYER_MODULES = ("derive.model.kinds", "derive.model.structure", "derive.model.wiring", "derive.model.layer_notation",
                 "derive.maths.wired")


def test_only_a_network_with_layers_beyond_the_dense_one_loads_their_modules(tmp_path: Path) -> None:
    dense = loaded_by(["render", "xor3", "--out", str(tmp_path / "d")], tmp_path)
    assert [m for m in LAYER_MODULES if m in dense] == []
    wired = loaded_by(["render", "cnn", "--out", str(tmp_path / "c")], tmp_path)
    assert [m for m in LAYER_MODULES if m in wired] == list(LAYER_MODULES)


def test_render_of_written_weights_loads_neither_numpy_nor_a_network_stack(tmp_path: Path) -> None:
    # NumPy draws [init] weights and runs the notebook's code; xml.sax would bring urllib and ssl along
    code = _LOADED.replace('m.startswith("derive.")', 'm.split(".")[0] in ("numpy", "xml", "ssl") or m == "urllib.request"')
    result = subprocess.run([sys.executable, "-c", code, "render", "mazur", "--out", str(tmp_path / "o")],
                            capture_output=True, text=True, cwd=tmp_path, check=True)
    assert json.loads(result.stdout.splitlines()[-1]) == [0, []]


def test_check_loads_no_part_of_the_notes_or_the_code(tmp_path: Path) -> None:
    claims = tmp_path / "c.claims"
    claims.write_text("out_h1 = 0.593269992\n", encoding="utf-8")
    parts = _parts(loaded_by(["check", "mazur", str(claims)], tmp_path))
    assert "notes" not in parts and "code" not in parts and "check" in parts


def test_code_loads_no_part_of_the_notes_or_the_checker(tmp_path: Path) -> None:
    parts = _parts(loaded_by(["code", "mazur", "--out", str(tmp_path / "u.py")], tmp_path))
    assert "notes" not in parts and "check" not in parts and "code" in parts


def test_exercise_loads_neither_the_code_nor_the_reader(tmp_path: Path) -> None:
    parts = _parts(loaded_by(["exercise", "mazur", "--variants", "1", "--out", str(tmp_path / "x")], tmp_path))
    assert "code" not in parts and "reader" not in parts
    assert {"model", "maths", "check", "notes", "course"} <= parts


def test_grade_loads_neither_the_code_nor_the_notes(tmp_path: Path) -> None:
    from derive.cli import main

    key = tmp_path / "key"
    assert main(["exercise", "mazur", "--variants", "1", "--out", str(key)]) == 0
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.md").write_text("variant: 1\n\n$out_{o1} = 0.751$\n", encoding="utf-8")
    parts = _parts(loaded_by(["grade", str(key), str(tmp_path / "in"), "--out", str(tmp_path / "r"), "--jobs", "1"],
                             tmp_path))
    assert "code" not in parts and "notes" not in parts
    assert {"model", "maths", "check", "reader", "course"} <= parts


def test_the_choices_the_command_line_offers_are_the_ones_that_exist() -> None:
    catalogues = sorted(p.stem for p in (PACKAGE.parent / "templates" / "messages").glob("*.toml"))
    assert sorted(notes.LANGUAGES) == catalogues
    assert all(messages.catalogue(lang).lang == lang for lang in notes.LANGUAGES)
    assert sorted(notes.PROFILES) == sorted(notation._BUILDERS)


@pytest.mark.parametrize("options", [{"formats": ("docx",)}, {"lang": "fr"}, {"notation": "dirac"}, {"digits": 0},
                                     {"digits": 31}, {"digits": True}])
def test_a_request_outside_its_choices_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(RequestError):
        NotesRequest(**options)  # type: ignore[arg-type]


def test_importing_a_module_from_the_package_is_no_cycle_through_its_init(tmp_path: Path) -> None:
    fake = tmp_path / "derive"
    (fake / "api").mkdir(parents=True)
    (fake / "__init__.py").write_text("def __getattr__(name):\n    from derive import api\n")
    (fake / "api" / "__init__.py").write_text("from derive import writing\n")
    (fake / "writing.py").write_text("")
    (fake / "cli.py").write_text("from derive import __version__\n")
    assert import_cycles(module_imports(fake)) == []
    (fake / "writing.py").write_text("from derive import __version__\n")  # now the package's own name
    assert import_cycles(module_imports(fake)) == [["derive", "derive.api", "derive.writing"]]
