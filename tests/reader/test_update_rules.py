"""Gradient descent stated for every parameter in a letter of its own (`W_{new} = W_{old} - \\eta \\nabla W`) is
judged at each weight it stands for; `old` and `(t)` mark the value before the update. Values from
tests/oracle.py or by hand arithmetic."""

from __future__ import annotations

import pytest

from derive.check.truth import Truth, Unknown
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import check_document
from derive.reader.report import to_text
from derive.reader.update_rules import instances
from tests.helpers import oracle_net
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


def found(d: derivation.Derivation, document: str) -> list[tuple[str, str, str]]:
    return [(f.target, f.verdict.status, " ".join(f.verdict.explanations)) for f in
            check_document(d, "md", document).found]


def dE_dw5() -> object:
    """(out_o1 - target_o1) out_o1 (1 - out_o1) out_h1, by the oracle."""
    s = spec.load_preset("mazur")
    outs = forward(oracle_net(s), list(s.samples[0].inputs))
    o1, h1 = outs[2][0], outs[1][0]
    return (o1 - mp.mpf("0.01")) * o1 * (1 - o1) * h1


WEIGHTS = [f"w{k}@1" for k in range(1, 9)]  # the classic network's biases are not trained


@pytest.mark.parametrize("rule", [
    r"$$W_{new} = W_{old} - \eta \cdot \nabla W$$",
    r"$$w_{\text{new}} = w_{\text{old}} - \eta \frac{\partial E}{\partial w}$$",
    r"$$\theta \leftarrow \theta - \eta \nabla_\theta L$$",
    r"$$W = W - \eta \cdot \frac{\partial \mathcal{L}}{\partial W}$$",
    r"Let $\alpha = 0.5$ be the learning rate: $$w^{(t+1)} = w^{(t)} - \alpha \frac{\partial E}{\partial w}$$",
])
def test_a_rule_for_every_weight_is_right_at_each(mazur: derivation.Derivation, rule: str) -> None:
    said = [f for f in found(mazur, rule) if f[0] != "eta"]
    assert [(target, status) for target, status, _ in said] == [(w, "correct") for w in WEIGHTS]


def test_a_rule_that_adds_the_gradient_is_wrong_at_each_weight(mazur: derivation.Derivation) -> None:
    """w5 + 0.5 dE/dw5 is not w5 after the step (the oracle's gradient is not zero): the update's sign."""
    assert abs(dE_dw5()) > mp.mpf("0.01")
    said = found(mazur, r"$$w_{new} = w_{old} + \eta \frac{\partial E}{\partial w}$$")
    assert [(target, status) for target, status, _ in said] == [(w, "wrong") for w in WEIGHTS]
    assert all("sign" in why for _, _, why in said)


@pytest.mark.parametrize("rule", [
    r"$$W_{new} = W_{old} - \eta \cdot \delta_O \cdot H$$",  # names no gradient: which weights is not read
    r"$$w_{new} = w_{old} - \alpha \frac{\partial E}{\partial w}$$",  # alpha given nowhere
])
def test_a_rule_not_read_is_never_judged(mazur: derivation.Derivation, rule: str) -> None:
    assert {status for _, status, _ in found(mazur, rule)} <= {"cannot check"}


def test_a_step_rule_sets_its_own_sign(mazur: derivation.Derivation) -> None:
    """Δw = -η ∂E/∂w defines the step the notes add; in a document whose weights are later written w - Δw it
    is never called wrong for its sign."""
    rule = r"$$\Delta w = - \eta \frac{\partial E(w)}{\partial w}$$"
    later = r"$$w_5^{new} = w_5^{old} - \Delta w_5$$"
    said = found(mazur, "\n\n".join([rule, later]))
    assert "wrong" not in {status for _, status, _ in said}
    assert [status for _, status, _ in found(mazur, rule)] == ["correct"] * 8


def test_old_marks_the_value_before_the_update(mazur: derivation.Derivation) -> None:
    """w5 after one step: 0.4 - 0.5 x 0.0822 = 0.3589 (by hand; the oracle's gradient is 0.0822 to 4 places)."""
    assert mp.nstr(dE_dw5(), 3) == "0.0822"
    for old in (r"w_5^{\text{old}}", r"w_5^{old}", r"w_{5}^{(t)}"):
        said = found(mazur, f"$$w_5^{{new}} = {old} - 0.5 \\times 0.0822 = 0.3589$$")
        assert [status for _, status, _ in said] == ["correct", "correct"], old


ONE_WEIGHT = """
inputs = ["x"]
loss = "half_sse"

[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0.5]]
weight_names = [["w"]]

[[samples]]
inputs = [1]
targets = [1]

[training]
learning_rate = 0.1
"""


def test_a_letter_the_network_names_states_no_rule() -> None:
    """In a network whose one weight is called w, `w_{new} = w - eta dE/dw` is that weight's own update, no
    rule for every weight; in the classic one, w names no weight and the rule is read at each."""
    assert instances("w@1 = w - eta * d(L)/d(w)", network.build(spec.load_text(ONE_WEIGHT))) == []
    classic = network.build(spec.load_preset("mazur"))
    assert len(instances("w@1 = w - eta * d(L)/d(w)", classic)) == 8
    assert instances("w5@1 = w5 - eta * d(L)/d(w5)", classic) == []
    assert instances("W@1 = W - eta * delta_O * H", classic) == []


@pytest.mark.parametrize("rule", [
    r"$$w_{ij} \leftarrow w_{ij} - \eta \frac{\partial E}{\partial w_{ij}}$$",
    r"$$W_i = W_i - \eta \cdot \frac{\partial \mathcal{L}}{\partial W_i} \qquad (i = 1, 2)$$",
])
def test_a_rule_with_index_letters_is_right_at_each_weight(mazur: derivation.Derivation, rule: str) -> None:
    said = [f for f in found(mazur, rule) if f[0] != "eta"]
    assert [(target, status) for target, status, _ in said] == [(w, "correct") for w in WEIGHTS]


def test_an_entry_mark_after_an_update_mark_names_no_quantity(mazur: derivation.Derivation) -> None:
    """`w1@1_e1` (an entry of an array read after the update's mark) is no name of the network: unknown, not
    a failure of the checker."""
    with pytest.raises(Unknown):
        Truth(mazur).value("w1@1_e1", None)


def test_each_instance_says_which_parameter_it_is_for(mazur: derivation.Derivation) -> None:
    """The text report of a rule for every weight, and of a rule for every layer, names each instance's
    quantity: eight lines for w1..w8, four for net_h1, net_h2, net_o1, net_o2."""
    rule = to_text(check_document(mazur, "md", r"$$W_{new} = W_{old} - \eta \cdot \nabla W$$"), 9).splitlines()
    assert [line.split(":")[0] for line in rule[:-1]] == [f"line 1, for w{k}" for k in range(1, 9)]
    layers = to_text(check_document(mazur, "md", r"$$z_i^{l} = \sum_j w_{ij}^{l} a_j^{l-1} + b_i^{l}$$"), 9)
    assert [line.split(":")[0] for line in layers.splitlines()[:-1]] == [
        f"line 1, for net_{n}" for n in ("h1", "h2", "o1", "o2")]


ONE = """inputs = ["x"]
loss = "half_sse"
[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0]]
bias = { mode = "per_neuron", values = [0] }
[[samples]]
inputs = [1]
targets = [2]
[[samples]]
inputs = [2]
targets = [4]
[training]
learning_rate = 0.01
update = "sgd"
"""


@pytest.mark.parametrize("second, status", [("0.02 - 0.01 \\cdot (-7.88) = 0.0988", "correct"),
                                             ("0.02 - 0.01 \\cdot (-7.88) = 0.0998", "wrong")])
def test_an_update_written_as_an_assignment_twice(second: str, status: str) -> None:
    """`w = w - \\alpha \\delta = ...` twice, a sample each (y = w x + b from 0, rate 0.01, ½ squared error): by
    hand, the first step's gradient is (0 - 2) x 1 = -2, so w = 0.02; at (2, 4) the output is 0.02 x 2 + 0.02 =
    0.06, the gradient (0.06 - 4) x 2 = -7.88, so w = 0.02 + 0.0788 = 0.0988. The w on the right is the value
    before each step: the first is w after one update, the second w after two."""
    d = derivation.build(network.build(spec.load_text(ONE)), history_steps=(1,))
    text = (f"$$w = w - \\alpha \\cdot \\delta_1 = 0 - 0.01 \\cdot (-2) = 0.02$$\n\n"
            f"$$w = w - \\alpha \\cdot \\delta_2 = {second}$$\n")
    found = [(f.target, f.verdict.status) for f in check_document(d, "md", text).found]
    assert found[1:3] == [("w1@1", "correct"), ("w1@1", "correct")]
    assert found[-2:] == [("w1@2", "correct"), ("w1@2", status)]
