"""A rule for every weight whose right side names the delta's index and forgets the other one
(`Δw_{ij} = η δ_j out_j`): small documents of our own, values from tests/oracle.py."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from tests.helpers import finite_difference, param_values
from tests.oracle import mp

# A 1-1-1 network: one weight into each neuron, so a rule that forgets the sending index could hold.
CHAIN = """
inputs = ["x1"]
loss = "half_sse"

[[layers]]
neurons = ["h1"]
activation = "sigmoid"
weights = [[0.4]]

[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.7]]

[[samples]]
inputs = [0.5]
targets = [0.2]

[training]
learning_rate = 0.5
"""


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


def gradients(name: str) -> dict[str, object]:
    """dE/dw of some weights of a preset by the oracle's finite differences."""
    s = spec.load_preset(name)
    values = param_values(s)
    return {n: finite_difference(s, 0, n, values) for n in ("w1", "w2", "w5", "w6")}


def statuses(d: derivation.Derivation, document: str) -> list[tuple[str, str]]:
    return [(f.verdict.status, " ".join(f.verdict.explanations)) for f in check_document(d, "md", document).found]


@pytest.mark.parametrize("rule", [r"\Delta w_{ij} = -\eta \delta_j out_j",
                                  r"\frac{\partial E_{total}}{\partial w_{ij}} = \delta_j out_j",
                                  r"w_{ij}^{+} = w_{ij} - \eta \delta_j out_j",
                                  r"\Delta w_{ji} = -\eta \delta_j out_j",
                                  r"\frac{\partial E_{total}}{\partial W^{[2]}_{jk}} = \delta^{[2]}_j A^{[2]}_j"])
def test_a_rule_whose_right_side_forgets_the_sending_index_is_wrong(mazur: derivation.Derivation, rule: str) -> None:
    """delta_j is neuron j's, so the rule gives w5 and w6 (both into o1) one value; the oracle's dE/dw5
    and dE/dw6 differ (out_h1 != out_h2), and w1, w2 into h1 differ too (i1 != i2): wrong in every layer."""
    grads = gradients("mazur")
    assert grads["w5"] != grads["w6"] and grads["w1"] != grads["w2"]
    ((status, why),) = statuses(mazur, f"$${rule}$$\n")
    assert status == "wrong"
    assert why.startswith("notation: the right side names j") and "w5 and w6, both into o1" in why
    assert mp.nstr(grads["w5"], 6) in why and mp.nstr(grads["w6"], 6) in why


@pytest.mark.parametrize("rule", [r"\Delta w_{ij} = -\eta \delta_j out_i",
                                  r"w_{ij}^{+} = w_{ij} (1 - \eta \delta_j)",
                                  r"\Delta w_{ij} = -\eta \delta_j O(i)"])
def test_a_rule_naming_both_indices_is_not_called_wrong_by_it(mazur: derivation.Derivation, rule: str) -> None:
    """`Δw_{ij} = -η δ_j out_i` names both letters, and so does the step w_ij η δ_j: this rule says nothing
    of them."""
    assert all(status != "wrong" or "right side names" not in why for status, why in statuses(mazur, f"$${rule}$$\n"))


def test_a_layer_with_one_weight_into_each_neuron_leaves_the_rule_unjudged() -> None:
    """In a 1-1-1 network the rule gives each neuron's single weight its own value: it could hold."""
    d = derivation.build(network.build(spec.load_text(CHAIN)), history_steps=(1,))
    assert all(status != "wrong" for status, _ in statuses(d, "$$\\Delta w_{ij} = -\\eta \\delta_j out_j$$\n"))


def test_a_step_under_adam_is_left_to_other_rules_and_its_gradient_is_not() -> None:
    """Adam's first step is near -eta sign(g) for every weight: a step rule naming no i could hold there, so
    only the gradient rule is judged (dE/dw5 != dE/dw6 whatever the optimizer)."""
    d = derivation.build(network.build(spec.load_preset("mazuradam")), history_steps=(1,))
    step = statuses(d, "$$\\Delta w_{ij} = -\\eta \\delta_j out_j$$\n")
    assert all("right side names" not in why for _, why in step)
    ((status, why),) = statuses(d, "$$\\frac{\\partial E_{total}}{\\partial w_{ij}} = \\delta_j out_j$$\n")
    assert status == "wrong" and "w5 and w6, both into o1" in why
