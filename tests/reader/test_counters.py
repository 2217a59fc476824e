"""A layer counter (`l = 1`) heading the lines about one layer, as notes looping over the layers
write it: correct where the lines after it are about that layer (the inputs counting as layer 0), never
wrong. The values the lines state come from tests/oracle.py (an mpmath forward pass)."""

from __future__ import annotations

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp

MAZUR = spec.load_preset("mazur")
OUTS = forward(oracle_net(MAZUR), list(MAZUR.samples[0].inputs))


def verdicts(document: str) -> dict[str, str]:
    """Each span's text and its verdicts' statuses."""
    d = derivation.build(network.build(MAZUR), history_steps=(1,))
    spans = check_document(d, "md", document).spans
    return {s.span.source.strip(): "/".join(f.verdict.status for f in s.found) for s in spans}


def out(layer: int, k: int) -> str:
    return mp.nstr(OUTS[layer][k], 9)


def test_counters_are_read_by_the_lines_after_them() -> None:
    document = (f"$l = 1$\n\n$out_{{h1}} = {out(1, 0)}$\n\n$l = 2$\n\n$out_{{o2}} = {out(2, 1)}$\n\n"
                f"$l = 0$\n\n$i_1 = 0.05$\n")
    found = verdicts(document)
    assert [found["l = 1"], found["l = 2"], found["l = 0"]] == ["correct"] * 3


def test_a_counter_before_another_layer_is_not_judged() -> None:
    """l = 2 above the hidden layer's lines may count the layers another way, or slip: it is neither
    correct nor wrong."""
    found = verdicts(f"$l = 2$\n\n$out_{{h1}} = {out(1, 0)}$\n\n$l = 1$\n\n$out_{{o1}} = {out(2, 0)}$\n")
    assert found["l = 2"] not in ("correct", "wrong") and found["l = 1"] not in ("correct", "wrong")


def test_a_counter_with_nothing_judged_after_it_stays_a_name() -> None:
    """l = 1 followed by another counter says nothing of layer 1; l = 2 above a wrong line about layer 2 is
    still the counter of that layer."""
    found = verdicts("$l = 1$\n\n$l = 2$\n\n$out_{o1} = 0.3$\n")
    assert (found["l = 1"], found["l = 2"], found["out_{o1} = 0.3"]) == ("defined", "correct", "wrong")


def test_l_used_in_a_formula_is_no_counter() -> None:
    """A document writing \\partial l (l a loss) states l = 2 as a value of its own, not a layer."""
    found = verdicts(f"$l = 2$\n\n$out_{{o1}} = {out(2, 0)}$\n\n$\\frac{{\\partial l}}{{\\partial w_5}} = 0.08$\n")
    assert found["l = 2"] == "defined"
