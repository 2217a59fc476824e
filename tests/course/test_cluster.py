"""The README's example: the same grading as a Dask bag over the hand-ins, on a local cluster of
processes, gives what `derive grade` gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from derive.course import grading, handins, report

dask_bag = pytest.importorskip("dask.bag", reason="the [cluster] extra (dask) is not installed")


def test_a_dask_bag_over_the_hand_ins_grades_as_the_command_does(tmp_path: Path) -> None:
    assert main(["exercise", "mazur", "--variants", "3", "--seed", "2", "--out", str(tmp_path / "ex")]) == 0
    sub = tmp_path / "handins"
    sub.mkdir()
    for n in range(9):
        text = f"variant: {n % 3 + 1}\nout_o1 = 0.{n + 1}\nE_total = 0.3\n" if n != 4 else "no variant\n"
        (sub / f"s{n}.claims").write_text(text, encoding="utf-8")
    key = grading.read_key(tmp_path / "ex")
    sources = handins.sources(sub)
    # the README's lines: partitions graded in worker processes, the report written where they are gathered
    bag = dask_bag.from_sequence(sources, npartitions=3)
    results = grading.flagged(key, bag.map_partitions(grading.grade_many, key).compute(scheduler="processes",
                                                                                      num_workers=2))
    expected = grading.grade_all(key, sources, 1)
    assert results == expected
    assert report.files(key, results) == report.files(key, expected)
    assert sum(isinstance(r, grading.Unreadable) for r in results) == 1
