"""A NumPy program that works the example by hand in its comments (derive/reader/programs.py): its formulas,
its givens and the numbers its comments state are read; nothing in it is run, and a program that works
nothing in its comments is no maths. Expected numbers come from tests/oracle.py."""

from __future__ import annotations

import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.reader import programs
from derive.reader.document import check_document
from tests.helpers import oracle_net
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def outputs() -> list[list[object]]:
    s = spec.load_preset("mazur")
    return forward(oracle_net(s), list(s.samples[0].inputs))


def found(d: derivation.Derivation, document: str) -> list[tuple[int, str, str]]:
    return [(f.verdict.line, f.target, f.verdict.status) for f in check_document(d, "md", document).found]


def test_each_line_is_rewritten_in_place_as_the_maths_it_states() -> None:
    block = ("import numpy as np\n"
             "x = np.array([[0.5], [0.3]])      # (2,1)\n"
             "b1 = np.zeros((2, 1))\n"
             "h = np.maximum(0, W1 @ x)    # ReLU: [0.5, 1.1]\n"
             "L = 0.5 * (y - a2[0,0])**2\n"
             "# a2 ≈ sigmoid(0.6040) ≈ 0.6465\n"
             "print(f\"a2 = {a2[0,0]:.4f}\")\n")
    rewritten = programs.as_maths(block)
    assert [len(line) for line in rewritten.split("\n")] == [len(line) for line in block.split("\n")]
    lines = [line.strip() for line in rewritten.split("\n")]
    assert lines[0] == ""  # an import: blanked
    assert lines[1] == "x =         ([[0.5], [0.3]])"  # its shape comment left out
    assert lines[2] == "b1 = [[0], [0]]"
    assert lines[3].split() == ["h", "=", "relu(", "W1", "@", "x)", "=", "[0.5,", "1.1]"]
    assert lines[4].split() == ["L", "=", "0.5", "*", "(y", "-", "a2", ")^", "2"]
    assert lines[5] == "a2 = sigmoid(0.6040) ≈ 0.6465"
    assert lines[6] == ""  # a print: blanked, never run
    dotted = programs.as_maths("z1 = np.dot(W1, x) + b1   # [0.11, 0.27]")
    assert dotted.split() == ["z1", "=", "(", "W1", "@", "x)", "+", "b1", "=", "[0.11,", "0.27]"]


def test_a_program_is_read_only_where_its_comments_work_the_example() -> None:
    assert programs.worked("z = W @ x\n# z = 0.1*0.5 + 0.2*0.3 = 0.11\n")
    assert programs.worked("dL_da = -(y - a)   # -0.3535\n")
    assert not programs.worked("z = W @ x   # (2,1)\nfor i in range(3):\n    z = z + 1\n")
    assert not programs.worked("this is not = python (\n# z = 0.11\n")


def test_a_worked_program_is_judged_line_by_line(mazur: derivation.Derivation, outputs: list[list[object]]) -> None:
    h1, h2 = (mp.nstr(v, 9) for v in outputs[1])  # [inputs, hidden outputs, outputs]
    net_o1 = mp.mpf("0.4") * mp.mpf(h1) + mp.mpf("0.45") * mp.mpf(h2) + mp.mpf("0.6")
    document = ("```python\n"
                "net_o1 = w5 * out_h1 + w6 * out_h2 + b2\n"
                f"# net_o1 = 0.4*{h1} + 0.45*{h2} + 0.6 = {mp.nstr(net_o1, 9)}\n"
                f"out_o1 = sigmoid(net_o1)   # {mp.nstr(outputs[-1][0], 9)}\n"
                "out_o2 = sigmoid(net_o2)   # 0.9\n"
                "print(out_o1)\n"
                "```\n")
    assert found(mazur, document) == [(2, "net_o1", "correct"), (3, "net_o1", "correct"), (3, "net_o1", "correct"),
                                      (4, "out_o1", "correct"), (4, "out_o1", "correct"), (5, "out_o2", "correct"),
                                      (5, "out_o2", "wrong")]


def test_a_program_that_works_nothing_in_its_comments_is_not_read(mazur: derivation.Derivation) -> None:
    document = ("```python\ndef forward(net):\n    return sigmoid(net)\n\nout_o1 = forward(net_o1)\n"
                "out_o2 = 0.9  # the second output\n```\n")
    assert found(mazur, document) == []


RELU = """
inputs = ["x1", "x2"]
loss = "mse"  # of one output: (y_hat - y)^2

[[layers]]
neurons = ["h1", "h2"]
activation = "relu"
weights = [[1, 2], [3, 4]]
bias = { mode = "per_neuron", values = [0.5, -0.5] }

[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0.1, 0.2]]
bias = { mode = "per_neuron", values = [0] }

[[samples]]
inputs = [1, 0]
targets = [1]

[training]
learning_rate = 0.1
"""


@pytest.fixture(scope="module")
def relu(tmp_path_factory: pytest.TempPathFactory) -> derivation.Derivation:
    path = tmp_path_factory.mktemp("relu") / "net.toml"
    path.write_text(RELU, encoding="utf-8")
    return derivation.build(network.build(spec.load(str(path))), history_steps=(1,))


def test_a_program_of_givens_and_formulas_is_read_and_relus_nets_told_by_their_formula(
        relu: derivation.Derivation) -> None:
    # the nets are 1*1 + 2*0 + 0.5 = 1.5 and 3*1 + 4*0 - 0.5 = 2.5: relu leaves them as they are, so only the
    # formula tells h (the nets) from a (the outputs)
    document = ("```python\nx  = [1, 0]          # input\nW1 = [[1, 2],\n      [3, 4]]\nb1 = [0.5, -0.5]\n"
                "W2 = [0.1, 0.2]\nb2 = [0]\ny  = 1\n\nh     = W1 @ x + b1  # linear\na     = relu(h)\n"
                "y_hat = W2 @ a + b2\nL     = (y_hat - y) ** 2\n```\n\n$\\mathbf{h} = [1.5,\\ 2.5]$\n")
    verdicts = [(f.verdict.line, f.target, f.verdict.status) for f in check_document(relu, "md", document).found]
    assert all(status in ("correct", "defined") for _, _, status in verdicts)
    assert {line for line, _, status in verdicts if status == "correct"} == {2, 3, 5, 6, 7, 8, 10, 11, 16}
    assert [(line, target) for line, target, _ in verdicts if line in (10, 11, 16)] == [
        (10, "net_h1"), (10, "net_h2"), (11, "out_h1"), (11, "out_h2"), (16, "net_h1"), (16, "net_h2")]
    assert not programs.worked("x = [1, 0]\nh = W1 @ x\nfor i in range(2):\n    h = h + 1\n")
    assert not programs.worked("x = [1, 0]\nh = train(W1, x)\n")  # a call of no function of maths


def test_a_derivative_named_for_what_it_is_taken_with_respect_to(relu: derivation.Derivation) -> None:
    y_hat = 0.1 * 1.5 + 0.2 * 2.5
    slope = 2 * (y_hat - 1)  # L = (y_hat - y)^2
    document = ("```python\nh = np.maximum(0, W1 @ x + b1)   # [1.5, 2.5]\n"
                f"dL_dy = 2 * (y_hat - y)   # {slope:.2f}\n"
                f"dL_dh = W2 * dL_dy       # [{0.1 * slope:.2f}, {0.2 * slope:.2f}]\n```\n")
    verdicts = [(f.verdict.line, f.target, f.verdict.status) for f in check_document(relu, "md", document).found]
    assert [v for v in verdicts if v[0] == 4] == [(4, "d:E_total/out_h1", "correct"),
                                                  (4, "d:E_total/out_h2", "correct")]


def test_a_program_whose_names_change_meaning_is_not_read(mazur: derivation.Derivation) -> None:
    # every number is right, but h and o are a net, then an output: one name, two quantities
    rebound = ("```python\nh = W1 @ x + b1      # [0.3775, 0.3925]\nh = sigmoid(h)       # [0.5933, 0.5969]\n"
               "o = W2 @ h + b2      # [1.1059, 1.2249]\n```\n")
    updated = "```python\nw5 = w5 - 0.5*0.082167041  # 0.35891648\n```\n"
    looped = ("```python\nfor epoch in range(10000):\n    forward()\n"
              "E_total = 0.5*(target_o1 - out_o1)**2   # after training: 0.0000351\n```\n")
    for document in (rebound, updated, looped):
        assert found(mazur, document) == [], document
    assert not programs.worked('x = 1\ns = """\n# z = 0.5 = 0.7\n"""\n')  # a comment sign inside a string


def test_a_comment_labelled_with_another_quantity_is_no_value_of_the_line(mazur: derivation.Derivation) -> None:
    document = ("```python\ndE_dout_o1 = out_o1 - target_o1   # target: 0.01\n"
                "net_h1 = w1*i1 + w2*i2 + b1   # bias: 0.35\n```\n")
    assert [status for _, _, status in found(mazur, document)] in ([], ["correct", "correct"])
