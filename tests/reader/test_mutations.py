"""Wrong steps made from right ones are never credited: on the development part of the reading corpus, the first
few results of each document that the truth calls right and derive judges correct are each changed into a
plainly wrong number (the second significant digit moved by three, tests/reader/corpus_mutations.py) and the
document checked again; derive must call the changed step wrong or say it cannot tell, never correct or carried.
bench/mutations.py measures every result of every part."""

from __future__ import annotations

import pytest

from tests.reader.corpus_measure import CORPUS, folders
from tests.reader.corpus_mutations import Outcome, mutate_folder

# The first results changed in each document: the givens and the first steps, where a stated value is most
# easily read as another quantity (a weight after its update, another weight of the same value).
PER_DOCUMENT = 12

# Changes still credited that are no wrong step derive could see, each with its reason (folder:line).
KNOWN: dict[str, str] = {
    # `0.5 \cdot 0` in a row of a dead relu's products: the changed weight multiplies a zero, the result written
    # is still right, and no formula in names stands beside the numbers to say which weight was meant
    "en-14-nafiz-deep-relu:406": "a weight times a zero",
}


@pytest.fixture(scope="module")
def outcome() -> Outcome:
    if not CORPUS.is_dir():
        pytest.skip("no reading corpus")
    total = Outcome()
    for folder in folders("dev"):
        total.add(mutate_folder(folder, limit=PER_DOCUMENT))
    return total


def test_no_changed_step_is_credited(outcome: Outcome) -> None:
    credited = [f"{m.folder}:{m.line}" for m in outcome.credited]
    assert [c for c in credited if c not in KNOWN] == [], outcome.credited


def test_the_changes_are_tried_and_mostly_called_wrong(outcome: Outcome) -> None:
    """The subset is no empty test: changes are made, and derive names most of them wrong."""
    assert outcome.tried >= 100
    assert outcome.wrong >= 0.85 * outcome.tried


def test_a_change_is_made_on_the_changed_spans_own_lines() -> None:
    """In a display of several rows, the number changed for a row's span is on that row: one on another row
    is another span's, and changing it would say nothing of this one."""
    from derive.maths import derivation
    from derive.model import network, spec
    from derive.reader.document import check_document
    from tests.reader.corpus_mutations import _result_at

    d = derivation.build(network.build(spec.load_preset("mazur")))
    text = "$$\n\\begin{aligned}\nnet_{h1} &= 0.3775 \\\\\nout_{h1} &= 0.5933\n\\end{aligned}\n$$\n"
    spans = list(check_document(d, "md", text).spans)
    hit = _result_at(text, spans, {"line": 3, "text": "net_{h1} = 0.3775 (0.5933)"}, 4)
    assert hit is not None and hit.group() == "0.3775"
    assert _result_at(text, spans, {"line": 4, "text": "out_{h1} = 0.5933"}, None).group() == "0.5933"
