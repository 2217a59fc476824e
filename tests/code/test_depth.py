"""A 30-layer network gets verified update code, in both styles, quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.code import codegen, verify
from derive.maths import derivation
from derive.model import network, spec
from tests.helpers import run, write_spec
from tests.networks import deep_chain, toml


def test_thirty_layers_generate_verified_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_spec(tmp_path, toml(deep_chain(30)))
    code, _, err = run(["code", str(path), "--out", str(tmp_path / "update.py")], capsys)
    assert code == 0, err
    assert "def step" in (tmp_path / "update.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("style", ["vector", "scalar"])
def test_sixteen_layers_code_agrees_with_the_engine_in_each_style(style: str) -> None:
    net = network.build(spec.from_mapping(deep_chain(16), "<deep>", "deep"))
    d = derivation.build(net, history_steps=(1,))
    source = codegen.generate(d, style)
    assert verify.disagreements(d, source) == []
    module = verify.load(source)
    flat = [float(p.initial) for p in net.params]
    got = verify.generated_gradients(module, net, flat)
    for g, value in zip(d.first.gradients, got):
        assert value == pytest.approx(float(g.value), rel=1e-9, abs=1e-300), g.param.name
