"""Deep networks render: each closed form spells out at most CLOSED_TERMS terms, then names deltas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.notes.walkthrough import CLOSED_TERMS
from tests.helpers import run, write_spec
from tests.networks import deep_chain, toml


def test_thirty_layers_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(deep_chain(30)))
    code, _, err = run(["render", str(path), "--format", "md", "--brief", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    # the first hidden layer's paths to the outputs: 2^29 of them, written through hidden layer 7's deltas
    assert "this closed form would have 536,870,912 terms" in text
    # each display whole (a long one is set on aligned lines)
    displays = [block.strip().removeprefix("\\begin{aligned}").strip() for block in text.split("$$")[1::2]]
    closed = [block for block in displays if re.match(r"\\delta_\{ha1\} &?= \\left\(", block)]
    assert closed and all(len(re.findall(r"\\delta_\{hg[12]\}", line)) <= CLOSED_TERMS for line in closed)
    assert len(re.findall(r"\\delta_\{hg[12]\}", closed[-1])) == CLOSED_TERMS


def test_a_shallow_network_keeps_its_full_closed_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(deep_chain(7)))  # 2^6 = 64 paths from the first layer: spelled out
    code, _, err = run(["render", str(path), "--format", "md", "--brief", "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "walkthrough.md").read_text(encoding="utf-8")
    assert "would have" not in text and "In closed form:" in text
