"""Vectors and matrices as people write them, read entry by entry: bmatrix and bracket lists, the column
convention (z = Wx + b) and the row one (z = xW + b), transposes and entry-wise products, names of whole
layers, and shapes that do not fit. The documents' numbers come from tests/oracle.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check.truth import Truth
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.array_names import ArrayNames
from derive.reader.arrays import Quantity
from derive.reader.document import check_document
from tests.helpers import finite_difference, oracle_net, param_values, write_spec
from tests.oracle import forward, mp


@pytest.fixture(scope="module")
def mazur() -> derivation.Derivation:
    return derivation.build(network.build(spec.load_preset("mazur")), history_steps=(1,))


@pytest.fixture(scope="module")
def layers() -> list[list[str]]:
    s = spec.load_preset("mazur")
    return [[mp.nstr(v, 9) for v in layer] for layer in forward(oracle_net(s), list(s.samples[0].inputs))]


def statuses(report) -> list[str]:
    return [f.verdict.status for f in report.found]


def column(values: list[str]) -> str:
    return r"\begin{bmatrix} " + r" \\ ".join(values) + r" \end{bmatrix}"


def test_the_column_convention(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    document = "\n\n".join([
        r"$$W^{(1)} = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad x = [0.05, 0.1]$$",
        r"$$z^{(1)} = W^{(1)} x + 0.35 = " + column(["0.3775", "0.3925"]) + "$$",
        r"$$a^{(1)} = \sigma(z^{(1)}) = " + column(layers[1]) + "$$",
    ])
    report = check_document(mazur, "md", document)
    assert set(statuses(report)) == {"correct"} and len(report.found) == 4 + 2 + 4 + 4
    entries = {f.target: f.reading for f in report.found if f.target.startswith("net_")}
    assert set(entries) == {"net_h1", "net_h2"}
    assert "read z_L1 as the nets of layer 1" in entries["net_h1"]


def test_the_row_convention(mazur: derivation.Derivation) -> None:
    document = "\n\n".join([
        r"$$W_1 = \begin{pmatrix} 0.15 & 0.25 \\ 0.2 & 0.3 \end{pmatrix}$$",  # inputs x hidden: W transposed
        r"$$z_1 = x W_1 + b = [0.05, 0.1] W_1 + 0.35 = (0.3775, 0.3925)$$",
    ])
    report = check_document(mazur, "md", document)
    assert set(statuses(report)) == {"correct"}
    assert any("the weights of layer 1 (transposed)" in f.reading for f in report.found)


def test_a_wrong_entry_is_named(mazur: derivation.Derivation) -> None:
    document = r"$$W = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad z = W [0.05, 0.1] + 0.35 = [0.3775, 0.3952]$$"
    report = check_document(mazur, "md", document)
    wrong = [f for f in report.found if f.verdict.status == "wrong"]
    assert [(f.verdict.entry, f.target) for f in wrong] == [("entry 2", "net_h2")]


def test_the_transposed_weights_and_an_entrywise_product(mazur: derivation.Derivation) -> None:
    d = mazur.first
    deltas = {b.neuron.name: b.delta.value for b in d.backward}
    hidden = [mp.nstr(deltas["h1"], 9), mp.nstr(deltas["h2"], 9)]
    out = [mp.nstr(deltas["o1"], 9), mp.nstr(deltas["o2"], 9)]
    document = "\n\n".join([
        r"$$W_2 = \begin{bmatrix} 0.4 & 0.45 \\ 0.5 & 0.55 \end{bmatrix}, \quad \delta_2 = " + column(out) + "$$",
        r"$$a_1 = " + column([mp.nstr(d.values[n.out], 9) for n in mazur.network.layers[0]]) + "$$",
        r"$$\delta_1 = W_2^T \delta_2 \odot a_1 \odot (1 - a_1) = " + column(hidden) + "$$",
    ])
    report = check_document(mazur, "md", document)
    assert "wrong" not in statuses(report)
    targets = {f.target for f in report.found if f.verdict.status == "correct"}
    assert {"d:E_total/net_h1", "d:E_total/net_h2"} <= targets


def test_shapes_that_do_not_fit_say_so(mazur: derivation.Derivation) -> None:
    document = r"$$W = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad q = W [0.05, 0.1, 1] = [1, 2]$$"
    report = check_document(mazur, "md", document)
    reasons = " ".join(s.reason for s in report.spans)
    assert "a 2x2 matrix times a 1x3 row" in reasons


def test_a_weight_matrix_after_its_update_keeps_its_name(mazur: derivation.Derivation,
                                                         layers: list[list[str]]) -> None:
    # W_2 = W_2 - eta dW_2 = ...: the left side is the weights after the update, read entry by entry as w5+
    s = spec.load_preset("mazur")
    _, hidden, outs = forward(oracle_net(s), list(s.samples[0].inputs))
    targets = (mp.mpf("0.01"), mp.mpf("0.99"))
    weights = [[mp.mpf("0.4"), mp.mpf("0.45")], [mp.mpf("0.5"), mp.mpf("0.55")]]
    grads = [[(outs[j] - targets[j]) * outs[j] * (1 - outs[j]) * hidden[k] for k in range(2)] for j in range(2)]
    after = [[weights[j][k] - mp.mpf("0.5") * grads[j][k] for k in range(2)] for j in range(2)]

    def matrix(rows: list[list[object]]) -> str:
        return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(mp.nstr(v, 9) for v in r) for r in rows) + r" \end{bmatrix}"

    document = "\n\n".join([
        r"$$W_2 = \begin{bmatrix} 0.4 & 0.45 \\ 0.5 & 0.55 \end{bmatrix}, \quad a_1 = " + column(layers[1]) + "$$",
        r"The update: $W_2 \leftarrow W_2 - \eta \, \partial E / \partial W_2$ with $\eta = 0.5$. Therefore",
        rf"$$W_2 = {matrix(weights)} - 0.5 \, {matrix(grads)} = {matrix(after)}$$",
    ])
    report = check_document(mazur, "md", document)
    assert "wrong" not in statuses(report)
    moved = {f.target for f in report.found if f.verdict.status == "correct" and f.target.endswith("@1")}
    assert moved == {"w5@1", "w6@1", "w7@1", "w8@1"}


def test_a_matrix_named_by_its_entries_names_says_nothing_to_judge(mazur: derivation.Derivation) -> None:
    # the person's own letters for the entries, in their own arrangement: how they write W, not a claim;
    # the numbers after it are judged
    document = "\n\n".join([
        r"$$W^{(1)} = \begin{bmatrix} w^{(1)}_{11} & w^{(1)}_{21} \\ w^{(1)}_{12} & w^{(1)}_{22} \end{bmatrix}$$",
        r"$$W^{(1)} = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}$$",
    ])
    report = check_document(mazur, "md", document)
    first = [f.verdict for f in report.found if f.verdict.line == 1]
    assert [(v.status, v.reason) for v in first] == [("defined", "your own names for its entries")]
    assert {f.verdict.status for f in report.found if f.verdict.line == 3} == {"correct"}


@pytest.mark.parametrize("nets, status", [(("net_{h1}", "net_{h2}"), "correct"),
                                          (("net_{h2}", "net_{h1}"), "wrong")])
def test_a_product_equal_to_its_results_names_is_a_formula(mazur: derivation.Derivation, nets: tuple[str, str],
                                                           status: str) -> None:
    """[w_1 w_2 b_1; w_3 w_4 b_1] [i_1; i_2; 1] = [net_h1; net_h2]: the bias as a column of the weights, the
    result written by its quantities' names; a formula judged entry by entry (w1 i1 + w2 i2 + b1 is net_h1),
    not a matrix naming its entries."""
    document = (r"$$\begin{bmatrix} w_1 & w_2 & b_1 \\ w_3 & w_4 & b_1 \end{bmatrix} \times "
                r"\begin{bmatrix} i_1 \\ i_2 \\ 1 \end{bmatrix} = " + column(list(nets)) + "$$")
    assert statuses(check_document(mazur, "md", document)) == [status, status]


def test_a_vector_squared_is_squared_entry_by_entry(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    """[E_o1; E_o2] = 1/2 ([out_o1; out_o2] - [0.01; 0.99])^2: each output's share of the loss (by the oracle's
    outputs); a square matrix squared is not read."""
    outs = [mp.mpf(v) for v in layers[2]]
    errors = [mp.nstr((o - t) ** 2 / 2, 6) for o, t in zip(outs, (mp.mpf("0.01"), mp.mpf("0.99")))]
    vector = column(["out_{o1}", "out_{o2}"])
    document = f"$$\\begin{{bmatrix}} E_{{o1}} \\\\ E_{{o2}} \\end{{bmatrix}} = \\frac{{1}}{{2}} ({vector} - " \
               f"{column(['0.01', '0.99'])})^2 = {column(errors)}$$\n"
    assert statuses(check_document(mazur, "md", document)) == ["correct"] * 4
    square = "$$M = \\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}^2 = \\begin{bmatrix} 7 & 10 \\\\ 15 & 22 " \
             "\\end{bmatrix}$$\n"
    assert "power of a matrix" in check_document(mazur, "md", square).spans[0].reason


def test_rows_apart_by_semicolons(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    """(a; b) is a column and [0.15 0.20; 0.25 0.30] a matrix, as MATLAB writes them (the classic weights and
    the oracle's hidden outputs); a wrong entry is wrong."""
    outs = column(["out_{h1}", "out_{h2}"])
    assert statuses(check_document(mazur, "md", f"$${outs} = ({layers[1][0]}; {layers[1][1]})$$\n")) \
        == ["correct", "correct"]
    assert statuses(check_document(mazur, "md", f"$${outs} = ({layers[1][0]}; 0.4)$$\n")) == ["correct", "wrong"]
    weights = r"\begin{bmatrix} w_1 & w_2 \\ w_3 & w_4 \end{bmatrix}"
    assert statuses(check_document(mazur, "md", f"$${weights} = [0.15 0.20; 0.25 0.30]$$\n")) == ["correct"] * 4


def test_each_link_of_a_vector_chain_is_on_its_own_line(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    """A vector chain carried on over two lines: the wrong link (0.4 for out_h2, the oracle's 0.5969) is said on
    the line it is written on."""
    document = (f"$$\\begin{{aligned}} {column(['out_{h1}', 'out_{h2}'])} &= {column(layers[1])} \\\\\n"
                f"&= {column([layers[1][0], '0.4'])} \\end{{aligned}}$$\n")
    found = check_document(mazur, "md", document).found
    assert [(f.verdict.line, f.verdict.status) for f in found if f.verdict.status == "wrong"] == [(2, "wrong")]


@pytest.mark.parametrize("second, status", [("0.5969", "correct"), ("0.5996", "wrong")])
def test_a_vectors_entries_named_in_the_cells_of_an_array(mazur: derivation.Derivation, layers: list[list[str]],
                                                          second: str, status: str) -> None:
    document = "\n\n".join([f"$$h = {column(layers[1])}$$",  # read as the hidden outputs by its values
                            f"$$h = {column(['h_1', 'h_2'])} = {column(['0.5933', second])}$$"])
    assert mp.nstr(mp.mpf(layers[1][1]), 4) == "0.5969"
    verdicts = [(f.target, f.verdict.status) for f in check_document(mazur, "md", document).found
                if f.verdict.line == 3]
    assert verdicts == [("out_h1", "correct"), ("out_h1", "correct"), ("out_h2", "correct"), ("out_h2", status)]


def test_a_matrix_set_in_bold_is_read_as_the_matrix(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    """`\\mathbf{\\begin{bmatrix} ... \\end{bmatrix}}`, a result set in bold as `\\mathbf{0.4256}` is."""
    document = "\n\n".join([
        r"$$W^{(1)} = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad x = [0.05, 0.1]$$",
        r"$$z^{(1)} = W^{(1)} x + 0.35 = \mathbf{" + column(["0.3775", "0.3925"]) + "}$$",
        r"$$a^{(1)} = \sigma(z^{(1)}) = \boldsymbol{" + column([layers[1][0], "0.5986"]) + "}$$",  # out_h2 is 0.5969
    ])
    report = check_document(mazur, "md", document)
    assert [(f.verdict.line, f.target, f.verdict.status) for f in report.found if f.verdict.line > 1] == [
        (3, "net_h1", "correct"), (3, "net_h1", "correct"), (3, "net_h2", "correct"), (3, "net_h2", "correct"),
        (5, "out_h1", "correct"), (5, "out_h1", "correct"), (5, "out_h2", "correct"), (5, "out_h2", "wrong")]
    assert layers[1][1].startswith("0.5968")


def test_a_layers_matrix_transposed_in_one_superscript(mazur: derivation.Derivation,
                                                      layers: list[list[str]]) -> None:
    """`W^{[2]T}` (and `W^{(2)T}`): the layer's weights, transposed; times the output deltas, dE/dout_h."""
    o1, o2 = (mp.mpf(v) for v in layers[2])
    deltas = [(o - t) * o * (1 - o) for o, t in ((o1, mp.mpf("0.01")), (o2, mp.mpf("0.99")))]
    back = [mp.mpf("0.4") * deltas[0] + mp.mpf("0.5") * deltas[1],
            mp.mpf("0.45") * deltas[0] + mp.mpf("0.55") * deltas[1]]
    for label in ("[2]", "(2)"):
        document = "\n\n".join([
            rf"$$W^{{{label}}} = \begin{{bmatrix}} 0.4 & 0.45 \\ 0.5 & 0.55 \end{{bmatrix}}$$",
            rf"$$\delta^{{{label}}} = " + column([mp.nstr(d, 9) for d in deltas]) + "$$",
            rf"$$W^{{{label}T}} \delta^{{{label}}} = " + column([mp.nstr(b, 9) for b in back]) + "$$",
            rf"$$W^{{{label}T}} \delta^{{{label}}} = " + column([mp.nstr(back[1], 9), mp.nstr(back[0], 9)]) + "$$",
        ])
        found = [(f.verdict.line, f.verdict.status) for f in check_document(mazur, "md", document).found]
        assert [s for line, s in found if line == 5] == ["correct", "correct"]
        assert [s for line, s in found if line == 7] == ["wrong", "wrong"]  # the two entries swapped


def test_a_layers_activation_slope_written_with_the_layers_label(mazur: derivation.Derivation,
                                                                layers: list[list[str]]) -> None:
    """`g'^{[1]}(z^{[1]})` and `\\sigma'_1(z^{(1)})`: the slope of layer 1's activation at its nets, entry by
    entry; `\\sigma_1 (1 - \\sigma_1)` without a prime stays a product of a value."""
    h = [mp.mpf(v) for v in layers[1]]
    slopes = [mp.nstr(v * (1 - v), 9) for v in h]
    for written in (r"g'^{[1]}(z^{[1]})", r"\sigma'_1(z^{(1)})"):
        document = "\n\n".join([
            r"$$z^{[1]} = " + column(["0.3775", "0.3925"]) + "$$",
            f"$${written} = " + column(slopes) + "$$",
            f"$${written} = " + column([slopes[1], slopes[0]]) + "$$",
        ])
        found = [(f.verdict.line, f.verdict.status) for f in check_document(mazur, "md", document).found]
        assert [s for line, s in found if line == 3] == ["correct", "correct"], written
        assert "wrong" in [s for line, s in found if line == 5], written
    document = f"$\\sigma_1 = {layers[1][0]}$ and $\\sigma_1 (1 - \\sigma_1) = {slopes[0]}$"
    found = check_document(mazur, "md", document).found
    assert [f.verdict.status for f in found] == ["correct", "correct"]


def test_a_decorated_vector_is_the_one_its_entries_are_read_as(mazur: derivation.Derivation,
                                                              layers: list[list[str]]) -> None:
    """`\\hat{y}` where `\\hat{y}_1`, `\\hat{y}_2` are read as the outputs: the output vector, as `x` is the inputs'
    where `x_1`, `x_2` are; a vector stated with an entry wrong is then wrong, not the person's own."""
    o1, o2 = layers[2]
    assert o2.startswith("0.7729")
    document = "\n\n".join([
        rf"$$\hat{{y}}_1 = {o1}, \quad \hat{{y}}_2 = {o2}$$",
        r"$$\hat{y} = [0.7514, \; 0.7792]^T$$",  # two digits swapped: by its values alone, no vector of the network
    ])
    found = [(f.verdict.line, f.target, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert [x for x in found if x[0] > 1] == [(3, "out_o1", "correct"), (3, "out_o2", "wrong")]


def test_a_layers_array_written_out_nowhere_is_read_by_its_letter(mazur: derivation.Derivation) -> None:
    """In a document labelling layers (W^{[1]} written out), `a^{[2]} = \\sigma(z^{[2]})`, where neither is
    written out anywhere, is about layer 2's outputs and nets by their letters: right, and wrong with the slope."""
    document = "\n\n".join([
        r"$$W^{[1]} = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}$$",
        r"$$a^{[2]} = \sigma(z^{[2]})$$",
        r"$$a^{[2]} = \sigma'(z^{[2]})$$",
    ])
    found = [(f.verdict.line, f.target, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert [x for x in found if x[0] > 1] == [(3, "out_o1", "correct"), (3, "out_o2", "correct"),
                                             (5, "out_o1", "wrong"), (5, "out_o2", "wrong")]


def test_an_entry_of_a_labelled_vector_with_its_index_first(mazur: derivation.Derivation,
                                                           layers: list[list[str]]) -> None:
    """`z_1^{[1]}` (the index before the layer's label) is entry 1 of z^{[1]}, read as layer 1's nets."""
    h1 = mp.mpf(layers[1][0])
    document = "\n\n".join([
        r"$$z^{[1]} = W^{[1]} x + b^{[1]} = " + column(["0.3775", "0.3925"]) + "$$",
        rf"$$\sigma(z_1^{{[1]}}) = {layers[1][0]}, \quad \sigma'(z_1^{{[1]}}) = {mp.nstr(h1 * (1 - h1), 9)}$$",
        rf"$$\sigma(z_2^{{[1]}}) = {layers[1][0]}$$",  # out_h1's value for out_h2
    ])
    found = [(f.verdict.line, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert [s for line, s in found if line == 3] == ["correct", "correct"]
    assert [s for line, s in found if line == 5] == ["wrong"]


@pytest.mark.parametrize("slip, status", [(0, "correct"), (1, "wrong")])
def test_labels_that_count_the_input_as_layer_one(mazur: derivation.Derivation, layers: list[list[str]],
                                                  slip: int, status: str) -> None:
    """a^{(2)} read by its values as the hidden layer's outputs: the labels count the input as layer 1, so
    z^{(3)}, stated nowhere, is the output layer's nets and sigma of it the outputs."""
    outputs = [layers[2][0], mp.nstr(mp.mpf(layers[2][1]) + slip / mp.mpf(100), 9)]
    document = "\n\n".join([
        r"$$a^{(2)} = " + column(layers[1]) + "$$",
        r"$$a^{(3)} = \sigma(z^{(3)}) = " + column(outputs) + "$$",
    ])
    found = [(f.target, f.verdict.link, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert found[-4:] == [("out_o1", 1, "correct"), ("out_o1", 2, "correct"),
                          ("out_o2", 1, "correct"), ("out_o2", 2, status)]


PER_NEURON = """
inputs = ["i1", "i2"]
loss = "half_sse"

[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.15, 0.2], [0.25, 0.3]]
bias = { mode = "per_neuron", values = [0.35, 0.45] }

[[layers]]
neurons = ["o1", "o2"]
activation = "sigmoid"
weights = [[0.4, 0.45], [0.5, 0.55]]
bias = { mode = "per_neuron", values = [0.6, 0.7] }

[[samples]]
inputs = [0.05, 0.1]
targets = [0.01, 0.99]

[training]
learning_rate = 0.5
"""


def updated_hidden_biases(s: spec.Spec) -> list[str]:
    values = param_values(s)
    names = s.layers[0].bias.names
    rate = mp.mpf(str(s.training.learning_rate))
    return [mp.nstr(values[n] - rate * finite_difference(s, 0, n, values), 9) for n in names]


@pytest.mark.parametrize("slip, status", [(0, "correct"), (1, "wrong")])
def test_biases_named_new_are_the_biases_after_the_update(tmp_path: Path, slip: int, status: str) -> None:
    """b^{[1]}_{new} = b^{[1]} - eta delta^{[1]}, its formula's values those of the hidden biases after one
    update: read as them, entry by entry, and the numbers after it judged against them."""
    s = spec.load(str(write_spec(tmp_path, PER_NEURON)))
    d = derivation.build(network.build(s), history_steps=(1,))
    new = updated_hidden_biases(s)
    new[1] = mp.nstr(mp.mpf(new[1]) + slip / mp.mpf(100), 9)
    values = param_values(s)
    deltas = [mp.nstr(finite_difference(s, 0, n, values), 9) for n in s.layers[0].bias.names]  # dE/db = delta
    document = "\n\n".join([r"$$b^{[1]} = " + column(["0.35", "0.45"]) + "$$",
                             r"$$\delta^{[1]} = " + column(deltas) + "$$",
                             r"$$b^{[1]}_{\text{new}} = b^{[1]} - 0.5 \delta^{[1]} = " + column(new) + "$$"])
    found = [(f.target, f.verdict.link, f.verdict.status) for f in check_document(d, "md", document).found]
    assert found[-4:] == [("b1@1", 1, "correct"), ("b1@1", 2, "correct"), ("b2@1", 1, "correct"),
                          ("b2@1", 2, status)]


def test_biases_not_named_new_are_not_read_as_updated(tmp_path: Path) -> None:
    """b_1 with the updated values and no mark of the update is no reading of them (it is the person's own)."""
    s = spec.load(str(write_spec(tmp_path, PER_NEURON)))
    d = derivation.build(network.build(s), history_steps=(1,))
    report = check_document(d, "md", r"$$b_1 = " + column(updated_hidden_biases(s)) + "$$")
    assert not {"correct", "wrong"} & {f.verdict.status for f in report.found}


@pytest.mark.parametrize("name", [r"W^{[2]}_{\text{new}}", r"W_{new}^{(2)}"])
def test_a_matrix_named_new_is_never_the_weights_before_the_update(mazur: derivation.Derivation, name: str) -> None:
    """W_new written with the weights it started from (0.40, 0.45, 0.50, 0.55) leaves the update out: not read as
    layer 2's weights and called right. With the updated weights (w5 - 0.5 dE/dw5 ..., by the oracle's finite
    differences) it is read as them."""
    s = spec.load_preset("mazur")
    values = param_values(s)
    new = [[mp.nstr(values[w] - mp.mpf("0.5") * finite_difference(s, 0, w, values), 4) for w in row]
           for row in (("w5", "w6"), ("w7", "w8"))]
    assert new[0][0] != "0.4"  # the update shows in the digits written
    matrix = r" \\ ".join(" & ".join(row) for row in new)
    updated = check_document(mazur, "md", f"$${name} = \\begin{{bmatrix}} {matrix} \\end{{bmatrix}}$$")
    assert statuses(updated) == ["correct"] * 4
    old = check_document(mazur, "md", f"$${name} = \\begin{{bmatrix}} 0.40 & 0.45 \\\\ 0.50 & 0.55 \\end{{bmatrix}}$$")
    assert "correct" not in statuses(old)


def test_biases_named_new_are_never_the_biases_before_the_update(tmp_path: Path) -> None:
    s = spec.load(str(write_spec(tmp_path, PER_NEURON)))
    d = derivation.build(network.build(s), history_steps=(1,))
    assert updated_hidden_biases(s)[1][:4] == "0.44"  # 0.45 is the bias before the update
    report = check_document(d, "md", r"$$b^{[1]}_{\text{new}} = " + column(["0.35", "0.45"]) + "$$")
    assert "correct" not in statuses(report)


def test_an_array_whose_cells_are_all_braced_keeps_its_first_cell(mazur: derivation.Derivation) -> None:
    # converters write every cell of an array in braces: `{0.15} & {0.2}` is a cell, not the column specification
    document = "\n\n".join([
        r"$$W = \left[\begin{array}{cc}{0.15} & {0.2} \\ {0.25} & {0.3}\end{array}\right], \quad "
        r"x = \left[\begin{array}{c}{0.05} \\ {0.1}\end{array}\right]$$",
        # 0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775, 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925 (by hand)
        r"$$W x + 0.35 = \left[\begin{array}{c}{0.3775} \\ {0.3925}\end{array}\right]$$",
    ])
    report = check_document(mazur, "md", document)
    assert statuses(report) == ["correct"] * 8
    assert {f.target for f in report.found} >= {"w1", "w2", "w3", "w4", "i1", "i2"}


def test_an_array_of_equation_rows_is_a_chain(mazur: derivation.Derivation) -> None:
    # a display converted to `\begin{array}{c}{z = ...} \\ {= ...}\end{array}`: its rows are equations, a row
    # that starts with `=` carrying on the one above, as in `aligned` (no matrix holds `=`)
    document = "\n\n".join([
        r"$$x_{1} = 0.05, \quad x_{2} = 0.1$$",
        r"$$\begin{array}{c}{z_{1}=w_{1} * x_{1}+w_{2} * x_{2}+b_{1}} \\ {=0.15 * 0.05+0.2 * 0.1+0.35} \\ "
        r"{=0.3775}\end{array}$$",
        # 0.25 * 0.05 + 0.3 * 0.1 + 0.35 is 0.3925 (by hand): 0.3935 is a slip
        r"$$\begin{array}{c}{z_{2}=w_{3} * x_{1}+w_{4} * x_{2}+b_{1}} \\ {=0.25 * 0.05+0.3 * 0.1+0.35=0.3935}"
        r"\end{array}$$",
        r"$$\begin{array}{l}{z_{1} = 0.3775} \\ {z_{2} = 0.3925}\end{array}$$",  # rows of their own
    ])
    report = check_document(mazur, "md", document)
    assert [(f.target, f.verdict.status) for f in report.found] == [("i1", "correct"), ("i2", "correct")] + [
        ("net_h1", "correct")] * 3 + [("net_h2", "correct")] * 2 + [("net_h2", "wrong"),
                                                                  ("net_h1", "correct"), ("net_h2", "correct")]


def test_bare_superscripts_label_layers_where_the_document_writes_a_first_one(mazur: derivation.Derivation) -> None:
    # `w^1`, `a^1` (no one writes a first power) make the letters' `^2` layer 2, not a square, as notes following
    # Nielsen's book write them; the square of a bracket stays a square
    s = spec.load_preset("mazur")
    inputs, hidden, outs = forward(oracle_net(s), list(s.samples[0].inputs))
    nets = [mp.mpf(w1) * hidden[0] + mp.mpf(w2) * hidden[1] + mp.mpf("0.6")
            for w1, w2 in (("0.4", "0.45"), ("0.5", "0.55"))]
    loss = sum((t - o) ** 2 for t, o in zip((mp.mpf("0.01"), mp.mpf("0.99")), outs)) / 2
    document = "\n\n".join([
        r"$$x = [0.05, 0.1], \quad y = [0.01, 0.99]$$",
        r"$$w^1 = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad "
        r"w^2 = \begin{bmatrix} 0.4 & 0.45 \\ 0.5 & 0.55 \end{bmatrix}$$",
        r"$$z^1 = w^1 x + 0.35 = " + column(["0.3775", "0.3925"]) + "$$",  # by hand
        r"$$a^1 = \sigma(z^1) = " + column([mp.nstr(v, 9) for v in hidden]) + "$$",
        r"$$z^2 = w^2 a^1 + 0.6 = " + column([mp.nstr(nets[0], 9), mp.nstr(nets[1] + mp.mpf("0.01"), 9)]) + "$$",
        r"$$C = \frac{1}{2} \sum_{j=1}^{2} (y_j - \sigma(z^2_j))^2 = " + mp.nstr(loss, 9) + "$$",
    ])
    report = check_document(mazur, "md", document)
    assert all(s.status == "judged" for s in report.spans)
    wrong = [(f.verdict.entry, f.target) for f in report.found if f.verdict.status == "wrong"]
    assert wrong == [("entry 2", "net_o2")]  # 0.01 too much: judged as layer 2's nets
    assert {f.target for f in report.found if f.verdict.status == "correct"} >= {"w5", "w8", "out_h2", "E_total"}


def test_a_vector_written_with_its_arrow(mazur: derivation.Derivation) -> None:
    # \vec{x}, \overrightarrow{z}: the vectors x and z, the arrow a typeface as \mathbf is
    document = "\n\n".join([
        r"$$\vec{x} = (0.05, 0.1), \quad W = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}$$",
        # 0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775; 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925, not 0.3935 (by hand)
        r"$$\overrightarrow{z} = W \vec{x} + 0.35 = (0.3775, 0.3935)$$",
    ])
    report = check_document(mazur, "md", document)
    assert all(s.status == "judged" for s in report.spans)
    assert [(f.verdict.entry, f.target) for f in report.found if f.verdict.status == "wrong"] == [
        ("entry 2", "net_h2")]
    assert {"i1", "i2", "w4", "net_h1"} <= {f.target for f in report.found if f.verdict.status == "correct"}


def test_a_one_column_array_whose_rows_are_lists_of_one_length(mazur: derivation.Derivation) -> None:
    # `\begin{array}{c}{0.15, 0.2} \\ {0.25, 0.3}\end{array}`, as converters write a matrix: the commas part
    # the entries. 0.15 * 0.05 + 0.2 * 0.1 + 0.35 = 0.3775, 0.25 * 0.05 + 0.3 * 0.1 + 0.35 = 0.3925 (by hand)
    document = "\n\n".join([
        r"$$W = \left[\begin{array}{c}{0.15, 0.2} \\ {0.25, 0.3}\end{array}\right], \quad x = [0.05, 0.1]$$",
        r"$$z = W x + 0.35 = \left[\begin{array}{c}{0.3775} \\ {0.3935}\end{array}\right]$$",
    ])
    report = check_document(mazur, "md", document)
    assert all(s.status == "judged" for s in report.spans)
    assert [(f.verdict.entry, f.target) for f in report.found if f.verdict.status == "wrong"] == [
        ("entry 2", "net_h2")]
    assert {"w1", "w2", "w3", "w4", "net_h1"} <= {f.target for f in report.found if f.verdict.status == "correct"}


def test_a_list_in_brackets_has_no_way_round(mazur: derivation.Derivation, layers: list[list[str]]) -> None:
    """Nets written as a column, then again as a list `[a, b]`: the same vector, not one turned round (a list
    is read as a row, but its writer chose no orientation); written again as a bmatrix row, it is turned."""
    first = r"$$z^{(1)} = W^{(1)} x + 0.35 = " + column(["0.3775", "0.3925"]) + "$$"
    weights = r"$$W^{(1)} = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad x = [0.05, 0.1]$$"
    again = "Both are positive: $z^{(1)} = [0.3775, 0.3925]$."
    listed = check_document(mazur, "md", "\n\n".join([weights, first, again]))
    assert set(statuses(listed)) == {"correct"}
    # a link of lists only, and a result after \approx: 0.5 x 0.755 = 0.3775, 0.5 x 0.785 = 0.3925 (by hand)
    worked = r"$$z^{(1)} = 0.5 \cdot [0.755, 0.785] \approx [0.3775, 0.3925]$$"
    assert set(statuses(check_document(mazur, "md", "\n\n".join([weights, first, worked])))) == {"correct"}
    row = r"$z^{(1)} = \begin{bmatrix} 0.3775 & 0.3925 \end{bmatrix}$"
    turned = check_document(mazur, "md", "\n\n".join([weights, first, f"Both are positive: {row}."]))
    assert [f.verdict.explanations for f in turned.found if f.verdict.status == "wrong"] == [
        ("a vector written the other way round",)]


def test_a_derivative_of_arrays_of_unequal_shapes_is_not_read_entry_by_entry() -> None:
    """d(outputs)/d(weights), a 2x1 by a 2x2 matrix: no slope entry by entry (the rows agree, the columns
    do not); the gradient of each weight is read instead, without failing."""
    names = ArrayNames(Truth(derivation.build(network.build(spec.load_preset("mazur")))), lambda n: n)
    names.readings = {"a": Quantity("outputs", "out", (("out_o1",), ("out_o2",))),
                      "W": Quantity("weights", "weight", (("w5", "w6"), ("w7", "w8")))}
    found = names.target("d:a/W")
    assert found is not None and found.names == (("d:a/w5", "d:a/w6"), ("d:a/w7", "d:a/w8"))


@pytest.mark.parametrize("written", ["[0.7, 0.2]", column(["0.7", "0.2"])])
@pytest.mark.parametrize("second, status", [("0.4", "correct"), ("0.5", "wrong")])
def test_a_persons_own_row_is_named_entry_by_entry(mazur: derivation.Derivation, written: str, second: str,
                                                   status: str) -> None:
    """A row of the person's own (1 x n, no quantity of the network) is stated entry by entry like a column:
    g = [0.7, 0.2] gives g's entries 1 and 2, and u = 2 g = [1.4, 0.4] follows (2 x 0.7, 2 x 0.2 by hand),
    with a wrong second entry named at entry 2, never the first entry stated twice."""
    document = "\n\n".join([f"$$g = {written}$$", f"$$u = 2 g = [1.4, {second}]$$"])
    found = [(f.target, f.verdict.entry, f.verdict.status) for f in check_document(mazur, "md", document).found]
    assert found == [("g_e1", "entry 1", "defined"), ("g_e2", "entry 2", "defined"),
                     ("u_e1", "entry 1", "defined"), ("u_e1", "entry 1", "correct"),
                     ("u_e2", "entry 2", "defined"), ("u_e2", "entry 2", status)]


TWO_TWO_ONE = """
inputs = ["x1", "x2"]
loss = "half_sse"
[[layers]]
neurons = ["h1", "h2"]
activation = "sigmoid"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = { mode = "per_neuron", values = [0.1, 0.1] }
[[layers]]
neurons = ["o1"]
activation = "sigmoid"
weights = [[0.5, 0.6]]
bias = { mode = "per_neuron", values = [0.2] }
[[samples]]
inputs = [1, 0]
targets = [1]
[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize(("slope", "status"), [("(1 - a^{[1]})", "cannot check"), ("(2 - a^{[1]})", "wrong")])
def test_a_row_times_a_column_that_holds_entry_by_entry_cannot_be_told(slope: str, status: str) -> None:
    """(delta^{[2]} W^{[2]}) is a 1x2 row, a^{[1]} a column (as written before): as their matrix product the
    hidden deltas are wrong, entry by entry (\\cdot for \\odot) right; which is meant is not told. With 2 - a
    it is wrong either way. a^{[1]} by hand: sigmoid(0.2) = 0.549834, sigmoid(0.4) = 0.598688."""
    d = derivation.build(network.build(spec.load_text(TWO_TWO_ONE)))
    givens = [r"$$W^{[2]} = \begin{bmatrix} 0.5 & 0.6 \end{bmatrix}$$",
              r"$$a^{[1]} = \begin{bmatrix} 0.549834 \\ 0.598688 \end{bmatrix}$$"]
    rule = rf"$$\delta^{{[1]}} = (\delta^{{[2]}} \cdot W^{{[2]}}) \cdot a^{{[1]}} \cdot {slope}$$"
    found = [f for f in check_document(d, "md", "\n\n".join([*givens, rule])).found if f.verdict.line == 5]
    assert {f.target for f in found} == {"d:E_total/net_h1", "d:E_total/net_h2"}
    assert {f.verdict.status for f in found} == {status}


@pytest.mark.parametrize("second, status", [("1.2", "correct"), ("1.3", "wrong")])
def test_a_list_of_relus_written_as_max(mazur: derivation.Derivation, second: str, status: str) -> None:
    """`[\\max(0, 0.5), \\max(0, 1.2)]`: each cell's max(0, z) is relu(z), its comma no list's; 1.2 (by hand)
    follows, 1.3 does not."""
    document = f"$$h = [\\max(0, 0.5), \\max(0, 1.2)] = [0.5, {second}]$$"
    said = [(f.verdict.entry, f.verdict.status) for f in check_document(mazur, "md", document).found
            if f.verdict.status != "defined"]
    assert said == [("entry 1", "correct"), ("entry 2", status)]


@pytest.mark.parametrize("second, status", [("0.3925", "correct"), ("0.3935", "wrong")])
def test_the_written_links_of_a_chain_whose_names_cannot_be_worked_out(mazur: derivation.Derivation,
                                                                        second: str, status: str) -> None:
    """`W \\cdot Q + b` with Q no name read (a scalar to the reader: a matrix plus a column) cannot be worked out;
    the links written in numbers after it are still judged: 0.15 x 0.05 + 0.2 x 0.1 + 0.35 = 0.3775,
    0.25 x 0.05 + 0.3 x 0.1 + 0.35 = 0.3925 (by hand)."""
    document = "\n\n".join([
        r"$$W = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix}, \quad b = \begin{bmatrix} 0.35 \\ 0.35 "
        r"\end{bmatrix}$$",
        r"$$z = W \cdot Q + b = \begin{bmatrix} 0.15 & 0.2 \\ 0.25 & 0.3 \end{bmatrix} \begin{bmatrix} 0.05 \\ 0.1 "
        r"\end{bmatrix} + \begin{bmatrix} 0.35 \\ 0.35 \end{bmatrix} = \begin{bmatrix} 0.3775 \\ " + second +
        r" \end{bmatrix}$$"])
    found = [(f.verdict.entry, f.verdict.status) for f in check_document(mazur, "md", document).found
             if f.verdict.line == 3 and f.verdict.status != "defined"]
    assert found == [("entry 1", "correct"), ("entry 2", status)]


@pytest.mark.parametrize("written, status", [("[0.05, 0.1]", "correct"), ("[0.05, 0.2]", "wrong"),
                                             ("[0.05, 0.6]", "wrong")])
def test_the_inputs_by_their_letter_with_an_entry_wrong(mazur: derivation.Derivation, written: str,
                                                        status: str) -> None:
    """x names the inputs (0.05, 0.1): [0.05, 0.2] is them with the second wrong; so is [0.05, 0.6], though 0.6
    is the second hidden output at one decimal (0.597, the oracle): x is the inputs' letter."""
    found = [(f.target, f.verdict.status) for f in check_document(mazur, "md", f"$$x = {written}$$").found]
    assert found[-1] == ("i2", status)


@pytest.mark.parametrize("written, status", [("[0.7514, 0.7729]", "correct"), ("[0.75, 0.80]", "wrong")])
def test_the_outputs_by_their_hat_with_an_entry_wrong(mazur: derivation.Derivation, written: str,
                                                      status: str) -> None:
    """ŷ names the outputs (0.751365, 0.772928, the oracle): [0.75, 0.80] is them with the second wrong, never
    a vector of the person's own."""
    outs = forward(oracle_net(spec.load_preset("mazur")), [mp.mpf("0.05"), mp.mpf("0.1")])[2]
    assert [mp.nstr(o, 4) for o in outs] == ["0.7514", "0.7729"]
    found = [(f.target, f.verdict.status) for f in check_document(mazur, "md", f"$$\\hat{{y}} = {written}$$").found]
    assert found == [("out_o1", "correct"), ("out_o2", status)]


TWO_ONE = """inputs = ["x1", "x2"]
loss = "half_sse"
[[layers]]
neurons = ["h1", "h2"]
activation = "identity"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = { mode = "per_neuron", values = [0.1, 0.2] }
[[layers]]
neurons = ["o1"]
activation = "identity"
weights = [[0.5, 0.6]]
bias = { mode = "per_neuron", values = [0.3] }
[[samples]]
inputs = [1, 2]
targets = [1]
[training]
learning_rate = 0.1
"""


@pytest.mark.parametrize("inputs", [True, False])
def test_a_name_read_as_a_layers_one_bias_is_that_bias_after_the_update_too(tmp_path: Path, inputs: bool) -> None:
    """`b2 = [[0.3]]` is the output layer's one bias (b3 here: b1, b2 are the hidden layer's); `b2_new` is
    that bias after the update, b3@1, never the hidden b2. By hand: h = (0.6, 1.3), o = 0.3 + 0.78 + 0.3 =
    1.38, dE/db3 = o - 1 = 0.38, so b3 becomes 0.3 - 0.038 = 0.262. Where b2 is not read as that array (no
    inputs given), b2 = 0.3 is b3's value under b2's name: its update is not judged as b2's either."""
    d = derivation.build(network.build(spec.load(str(write_spec(tmp_path, TWO_ONE)))), history_steps=(1,))
    text = ("```python\n" + ("X = [[1], [2]]\n" if inputs else "") + "W1 = [[0.1, 0.2], [0.3, 0.4]]\n"
            "b1 = [[0.1], [0.2]]\nW2 = [[0.5, 0.6]]\nb2 = [[0.3]]\n```\n\n"
            "```python\nZ2 = W2 @ A1 + b2\n   = [[0.5, 0.6]] @ [[0.6], [1.3]] + [[0.3]]\n   = [[1.38]]\n```\n\n"
            "```python\nb2_new = b2 - 0.1 * db2\n       = [[0.3]] - 0.1 * [[0.38]]\n       = [[0.262]]\n```\n")
    said = [(f.target, f.verdict.status) for f in check_document(d, "md", text).found]
    assert not any(s == "wrong" for _, s in said)
    if inputs:
        assert ("b3", "correct") in said and [s for t, s in said if t == "b3@1"][-2:] == ["correct", "correct"]
