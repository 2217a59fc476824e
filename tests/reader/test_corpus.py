"""The reading corpus (tests/reader/corpus/: public worked examples nobody here wrote, each with a truth made
by an independent computation) read by derive: on its development part, derive judges most equations, finds
the first errors and names their causes, raises few false alarms and marks almost no wrong step correct. The
limits are today's figures (bench/corpus.py prints them): a change that reads worse fails here. The held-out and
unseen parts are measured by bench/corpus.py alone."""

from __future__ import annotations

import pytest

from tests.reader.corpus_measure import CORPUS, Tally, folders, tally

# What derive does on the development part today (python bench/corpus.py --part dev): held as a floor.
JUDGED_AT_LEAST = 0.93
FIRST_ERRORS_FOUND_AT_LEAST = 0.88
FIRST_ERRORS_NAMED_AT_LEAST = 0.77  # found with the cause the truth records
FALSE_ALARMS_AT_MOST = 0
MARKED_CORRECT_AT_MOST = 0  # called correct outright
# Wrong spans credited "carried" today, each known: the first three follow from a slip on a line written with
# \approx alone, which derive calls wrong but the truth does not list (so the error first shows in a span
# here); zh-01 line 52 rounds 0.7692 x (1 - 0.7692) = 0.177531 to 0.1776, within the rounding of 0.7692; en-01
# line 73 carries 0.7391 from line 36, its wrong link (the inner derivative dropped) is "cannot check".
KNOWN_CREDITED = {"en-11-sum-target-221:121", "en-11-sum-target-221:129", "en-14-nafiz-deep-relu:465",
                  "zh-01-kaifeng-llm-learn:52", "en-01-melfm-notes:73"}


@pytest.fixture(scope="module")
def dev() -> Tally:
    if not CORPUS.is_dir():
        pytest.skip("no reading corpus")
    total = Tally()
    for folder in folders("dev"):
        total.add(tally(folder))
    return total


def test_the_corpus_has_documents_nobody_here_wrote() -> None:
    assert len(folders("dev")) >= 15 and len(folders("heldout")) >= 8


def test_most_equations_are_judged(dev: Tally) -> None:
    assert dev.judged >= JUDGED_AT_LEAST * dev.spans


def test_first_errors_are_found(dev: Tally) -> None:
    assert dev.first_found >= FIRST_ERRORS_FOUND_AT_LEAST * dev.first


def test_first_errors_are_named_by_their_cause(dev: Tally) -> None:
    assert dev.named >= FIRST_ERRORS_NAMED_AT_LEAST * dev.first


def test_few_false_alarms_and_almost_no_wrong_step_marked_correct(dev: Tally) -> None:
    assert dev.false_alarms <= FALSE_ALARMS_AT_MOST, dev.notes
    assert dev.marked_correct - len(dev.credited) <= MARKED_CORRECT_AT_MOST, dev.notes
    assert set(dev.credited) <= KNOWN_CREDITED, dev.notes  # no other wrong span credited as carried
