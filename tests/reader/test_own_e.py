"""A document that names the error e (`e = \\hat{y} - y`) and then writes `E = \\frac{1}{2} e^2`: the power of
its own e, or of Euler's number? Not told, so it cannot be checked; before e is named, e^2 is Euler's number's
square, wrong for the loss. Values from the oracle's forward pass."""

from __future__ import annotations

from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp
from tests.reader.test_lost_signs import neuron  # noqa: F401  (the fixture: one sigmoid neuron)


def test_a_power_of_e_after_the_document_names_e_cannot_be_checked(neuron) -> None:  # noqa: F811
    s = neuron.network.spec
    o = forward(oracle_net(s), list(s.samples[0].inputs))[-1][0]
    error = f"$e = {mp.nstr(o, 9)} - 1 = {mp.nstr(o - 1, 9)}$"
    loss = r"$E_{total} = \frac{1}{2} e^2$"
    found = check_document(neuron, "md", error + "\n\n" + loss).found
    assert [f.verdict.status for f in found if f.verdict.line == 3] == ["cannot check"]
    assert "e is your own name (line 1)" in next(f.verdict.reason for f in found if f.verdict.line == 3)
    before = check_document(neuron, "md", loss + "\n\n" + error).found
    assert [f.verdict.status for f in before if f.verdict.line == 1] == ["wrong"]
