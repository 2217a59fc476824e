"""Display maths closed by `$$` with prose after it on its line (`$$ where:`), as Obsidian and MathJax read it:
the display ends there, and the next `$$` opens the next one. Values by hand (Mazur's nets: 0.15 x 0.05 + 0.2 x
0.1 + 0.35 = 0.3775, 0.25 x 0.05 + 0.3 x 0.1 + 0.35 = 0.3925)."""

from __future__ import annotations

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from derive.reader.dollars import closings_moved


def test_a_display_closed_before_prose_on_its_line_ends_there() -> None:
    d = derivation.build(network.build(spec.load_preset("mazur")))
    document = "\n".join(["$$", "net_{h1} = 0.3775", "$$ where:", "$$", "net_{h2} = 0.3925", "$$", "",
                          "Then $out_{h1} = 0.593269992$ follows."])
    report = check_document(d, "md", document)
    assert [(s.line, s.status) for s in report.spans] == [(1, "judged"), (4, "judged"), (8, "judged")]
    assert {f.target: f.verdict.status for f in report.found} == {
        "net_h1": "correct", "net_h2": "correct", "out_h1": "correct"}


def test_only_a_closing_is_moved_and_the_text_keeps_its_length() -> None:
    text = "$$\na = 1\n$$ where:\n$$ b = 2\n$$ and\n```\n$$ code\n```\n$$c = 3$$ so\n"
    moved = closings_moved(text)
    assert moved == "$$\na = 1$$\n where:\n$$ b = 2$$\n and\n```\n$$ code\n```\n$$c = 3$$ so\n"
    assert len(moved) == len(text) and moved.count("\n") == text.count("\n")


def test_a_display_opened_and_closed_beside_its_maths_is_left_as_written() -> None:
    text = "$$ z = W x\n+ b $$\n\n$$ h = 1 $$\n$$ y = 2\n$$ so\n"
    assert closings_moved(text) == "$$ z = W x\n+ b $$\n\n$$ h = 1 $$\n$$ y = 2$$\n so\n"
