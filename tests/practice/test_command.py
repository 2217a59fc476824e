"""`derive practice`: one file, byte-identical for the same input, self-contained (no address outside the
page), every answer box named for tests and screen readers; bad input refused as `derive exercise`
refuses it (one line, exit 2, nothing written); and the variant's spec that the page exports reads back
as the variant."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive.course import variants as course_variants
from derive.model import spec
from derive.practice import spec_text
from tests.helpers import run, write_spec
from tests.practice.pages import NETWORKS, variants

ROOT = Path(__file__).resolve().parents[2]


def test_the_page_is_written_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    code, out, err = run(["practice", "mazur", "--variants", "3", "--out", str(tmp_path)], capsys)
    assert (code, out, err) == (0, f"{tmp_path / 'practice.html'}\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "practice.html"]
    page = (tmp_path / "practice.html").read_text(encoding="utf-8")
    boxes = re.findall(r'<input class="answer" id="a-(\d+)"[^>]*data-quantity="([^"]+)"[^>]*aria-describedby="f-(\d+)"',
                       page)
    assert len(boxes) == 40 and all(a == f for a, _, f in boxes)
    assert [q for _, q, _ in boxes][:3] == ["net_h1", "net_h2", "out_h1"] and boxes[-1][1] == "E_total@1"
    assert all(f'id="f-{a}" aria-live="polite"' in page for a, _, _ in boxes)
    assert all(f'<label for="a-{a}"' in page for a, _, _ in boxes)


def test_the_page_asks_for_nothing_outside_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(["practice", "mazur", "--variants", "2", "--out", str(tmp_path)], capsys)
    page = (tmp_path / "practice.html").read_text(encoding="utf-8")
    found: list[str] = []

    class Addresses(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(v or "" for k, v in attrs if k in ("src", "href", "action", "srcset", "poster", "data"))

    Addresses().feed(page)
    assert [a for a in found if not a.startswith(("#", "data:"))] == []  # no file or address to fetch
    assert "url(" not in page.replace("url(data:", "")
    script = (ROOT / "derive" / "practice" / "assets" / "practice.js").read_text(encoding="utf-8")
    assert not re.search(r"\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon|import\(|\beval\(|new Function", script)


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    pages = []
    for k, seed in enumerate(("1", "987")):
        out = tmp_path / f"p{k}"
        subprocess.run([sys.executable, "-m", "derive", "practice", "gender", "--variants", "2", "--lang", "zh",
                        "--out", str(out)], cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                       capture_output=True)
        pages.append((out / "practice.html").read_bytes())
    assert pages[0] == pages[1]


@pytest.mark.parametrize("argv, message", [
    (["practice", "nosuch"], "nosuch: no such preset or file"),
    (["practice", "mazur", "--variants", "0"], "argument --variants: expected a whole number from 1 to 1000"),
    (["practice", "mazur", "--seed", "-1"], "argument --seed: expected a whole number from 0"),
    (["practice", "mazur", "--lang", "fr"], "argument --lang: invalid choice"),
    (["practice", "xor3", "--notation", "dirac"], "argument --notation: invalid choice"),
])
def test_bad_options_are_refused_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                             message: str) -> None:
    code, out, err = run(argv + ["--out", str(tmp_path / "o")], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err
    assert not (tmp_path / "o").exists()


def test_a_spec_is_checked_as_derive_exercise_checks_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import MAZUR

    plain = write_spec(tmp_path, MAZUR[:MAZUR.index("[exercise]")], "plain.toml")
    asks = write_spec(tmp_path, MAZUR.replace('"w1@1"', '"w99@1"'), "asks.toml")
    deep = write_spec(tmp_path, MAZUR.replace("[[samples]]", '[[layers]]\nneurons = ["z1", "z2"]\nactivation = "sigmoid"\n'
                                              "weights = [[0.1, 0.2], [0.3, 0.4]]\n\n[[samples]]", 1), "deep.toml")
    for path, option, said in ((plain, [], "exercise: missing [exercise] table"),
                               (asks, [], "exercise.ask[4]: 'w99@1'"),
                               (deep, ["--notation", "textbook"], "--notation textbook")):
        code, out, err = run(["practice", str(path), "--out", str(tmp_path / "o"), *option], capsys)
        assert code == 2 and out == "" and err.count("\n") == 1 and said in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: Path(n).stem)
def test_the_exported_spec_is_the_variant(network: str) -> None:
    base = spec.load(network)
    for v in variants(network).variants:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "variant.toml"
            path.write_text(spec_text.variant_toml(base, dict(v.values)), encoding="utf-8")
            back = spec.load_path(path)
        want = course_variants.variant_spec(base, dict(v.values), base.training.steps)
        assert (back.inputs, back.layers, back.loss, back.samples, back.training, back.titles, back.aliases) == \
               (want.inputs, want.layers, want.loss, want.samples, want.training, want.titles, want.aliases)


def test_practice_loads_neither_the_code_nor_the_reader(tmp_path: Path) -> None:
    from tests.test_layout import _parts, loaded_by

    parts = _parts(loaded_by(["practice", "mazur", "--variants", "1", "--out", str(tmp_path / "p")], tmp_path))
    assert "code" not in parts and "reader" not in parts
    assert {"model", "maths", "check", "course", "notes", "practice"} <= parts


def test_the_python_api_makes_the_page_and_the_question(tmp_path: Path) -> None:
    import derive

    page = derive.practice_page("mazur", variants=1, seed=2)
    assert page.network == "mazur" and page.page.startswith("<!DOCTYPE html>")
    assert page.write(tmp_path / "p") == tmp_path / "p" / "practice.html"
    question = derive.exercise("mazur", variants=2, seed=2, format="prairielearn")
    assert sorted(question.files) == ["checksums.sha256", "info.json", "key.json", "question.html", "server.py"]
    assert question.variants == 2  # the key of the same variants, for derive grade
    question.write(tmp_path / "q")
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == sorted(question.files)
    with pytest.raises(derive.OptionError, match="notation"):
        derive.practice_page("mazur", variants=1, notation="dirac")
