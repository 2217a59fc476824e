"""derive check on convolution, pooling and recurrent networks: claims about kernel entries, feature-map
entries, input gradients and hidden states at a step, and the mistakes these layers invite, each value
computed independently here (PyTorch autograd in float64, with the mistake made in the PyTorch code)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from derive.check.checker import check_text
from derive.maths import derivation
from derive.model import network, spec
from derive.notes import files
from derive.notes.request import NotesRequest
from derive.reader.document import check_document
from tests import layer_oracle as oracle

torch.set_default_dtype(torch.float64)


def derived(name: str) -> derivation.Derivation:
    return derivation.build(network.build(oracle.fixture(name)), history_steps=(1,))


def _verdict(d: derivation.Derivation, line: str) -> tuple[str, tuple[str, ...]]:
    report = check_text(d, line)
    assert len(report.verdicts) >= 1, report
    v = report.verdicts[-1]
    return v.status, v.explanations


def _g(x: float) -> str:
    return f"{x:.9g}"


# --- the CNN, in PyTorch ---------------------------------------------------------------------------


class Cnn:
    """The fixture's CNN in PyTorch, with the conv's net kept for its delta map."""

    def __init__(self) -> None:
        s = oracle.fixture("cnn")
        p = {k: float(v) for k, v in oracle.params_of(s).items()}
        self.x = torch.tensor([float(v) for v in s.samples[0].inputs]).reshape(1, 1, 4, 4).requires_grad_()
        self.K = torch.tensor([[[[p["k1_11"], p["k1_12"]], [p["k1_21"], p["k1_22"]]]]], requires_grad=True)
        self.b = torch.tensor([p["b1"]], requires_grad=True)
        self.W = torch.tensor([[p["w1"], p["w2"], p["w3"], p["w4"]]], requires_grad=True)
        self.c = torch.tensor([p["b2"]], requires_grad=True)
        self.t = float(s.samples[0].targets[0])
        self.net = torch.nn.functional.conv2d(self.x, self.K, self.b)
        self.net.retain_grad()
        self.out = torch.relu(self.net)
        self.pool = torch.nn.functional.max_pool2d(self.out, 2, 1)
        self.pool.retain_grad()
        y = torch.sigmoid(torch.flatten(self.pool, 1) @ self.W.T + self.c)
        (0.5 * (self.t - y) ** 2).sum().backward()

    def delta(self) -> np.ndarray:
        return self.net.grad[0, 0].numpy()


@pytest.fixture(scope="module")
def cnn() -> tuple[derivation.Derivation, Cnn]:
    return derived("cnn"), Cnn()


def test_claims_about_kernel_entries_feature_maps_and_inputs(cnn: tuple[derivation.Derivation, Cnn]) -> None:
    d, torched = cnn
    right = [f"dE_total/dk1_12 = {_g(torched.K.grad[0, 0, 0, 1])}", f"out_c1_32 = {_g(torched.out[0, 0, 2, 1])}",
             f"c1_21 = {_g(torched.out[0, 0, 1, 0])}", f"out_p1_22 = {_g(torched.pool[0, 0, 1, 1])}",
             f"dE_total/dx1_22 = {_g(torched.x.grad[0, 0, 1, 1])}",
             f"dE_total/dnet_c1_32 = {_g(torched.delta()[2, 1])}",
             f"dE_total/dout_p1_12 = {_g(torched.pool.grad[0, 0, 0, 1])}", f"dE_total/db1 = {_g(torched.b.grad[0])}"]
    for line in right:
        assert _verdict(d, line)[0] == "correct", line
    assert _verdict(d, f"dE_total/dk1_12 = {_g(1.01 * float(torched.K.grad[0, 0, 0, 1]))}")[0] == "wrong"


def test_a_kernel_not_flipped_is_named(cnn: tuple[derivation.Derivation, Cnn]) -> None:
    d, torched = cnn
    delta = torch.tensor(torched.delta()).reshape(1, 1, 3, 3)
    unflipped = torch.nn.functional.conv_transpose2d(delta, torched.K.detach().flip(2, 3))  # the mirror's entries
    status, why = _verdict(d, f"dE_total/dx1_22 = {_g(unflipped[0, 0, 1, 1])}")
    assert status == "wrong" and any(w.startswith("kernel not flipped") for w in why)


def test_a_shared_weight_from_one_position_is_named(cnn: tuple[derivation.Derivation, Cnn]) -> None:
    d, torched = cnn
    x = torched.x.detach()[0, 0].numpy()
    first = torched.delta()[0, 0] * x[0, 0] + 0.0  # delta at position (1, 1) times the input it met there
    delta = torched.delta()
    assert first != pytest.approx(float((delta * x[:3, :3]).sum()))  # the sum over every position differs
    status, why = _verdict(d, f"dE_total/dk1_11 = {_g(first)}")
    assert status == "wrong" and any(w.startswith("one position only") for w in why)


def test_the_gradient_sent_to_every_pooled_entry_is_named(cnn: tuple[derivation.Derivation, Cnn]) -> None:
    d, torched = cnn
    errors = torched.pool.grad[0, 0].numpy()
    spread = np.zeros((3, 3))
    for r in range(2):
        for c in range(2):
            spread[r:r + 2, c:c + 2] += errors[r, c]  # every entry of each 2x2 window
    delta = spread * (torched.net.detach()[0, 0].numpy() > 0)
    x = torched.x.detach()[0, 0].numpy()
    wrong = float(sum(delta[r, c] * x[r, c + 1] for r in range(3) for c in range(3)))  # dE/dk1_12
    status, why = _verdict(d, f"dE_total/dk1_12 = {_g(wrong)}")
    assert status == "wrong" and any(w.startswith("gradient to every pooled entry") for w in why)


# --- the RNN, in PyTorch ---------------------------------------------------------------------------


def _rnn_gradients(truncated: bool) -> tuple[dict[str, torch.Tensor], list[torch.Tensor]]:
    """The fixture's RNN as a loop in PyTorch (h_(t-1) detached when `truncated`); the gradients and the nets."""
    s = oracle.fixture("rnn")
    p = {k: float(v) for k, v in oracle.params_of(s).items()}
    wx = torch.tensor([[p["wx11"], p["wx12"]], [p["wx21"], p["wx22"]]], requires_grad=True)
    wh = torch.tensor([[p["wh11"], p["wh12"]], [p["wh21"], p["wh22"]]], requires_grad=True)
    b = torch.tensor([p["b1"], p["b2"]], requires_grad=True)
    xs = torch.tensor([float(v) for v in s.samples[0].inputs]).reshape(3, 2)
    h = torch.zeros(2)
    nets = []
    for t in range(3):
        net = wx @ xs[t] + wh @ (h.detach() if truncated else h) + b
        net.retain_grad()
        nets.append(net)
        h = torch.tanh(net)
    y = torch.sigmoid(torch.tensor([p["w1"], p["w2"]]) @ h + p["b3"])
    (0.5 * (float(s.samples[0].targets[0]) - y) ** 2).backward()
    return {"wx": wx.grad, "wh": wh.grad, "b": b.grad}, nets


def test_claims_about_hidden_states_at_a_step() -> None:
    d = derived("rnn")
    s = oracle.fixture("rnn")
    named = oracle.forward(s, oracle.params_of(s))
    grads, nets = _rnn_gradients(False)
    for line in [f"h_2[t=3] = {_g(float(named['h2_t3']))}", f"out_h1[t=2] = {_g(float(named['h1_t2']))}",
                 f"dE_total/dwh12 = {_g(grads['wh'][0, 1])}", f"dE_total/dnet_h1[t=1] = {_g(nets[0].grad[0])}",
                 "h2[t = 1] = tanh(0.2*0.5 + 0.4*0.1 - 0.1)"]:
        assert _verdict(d, line)[0] == "correct", line
    assert _verdict(d, f"h_2[t=2] = {_g(float(named['h2_t3']))}")[0] == "wrong"


def test_bptt_truncated_to_one_step_is_named() -> None:
    d = derived("rnn")
    truncated, _ = _rnn_gradients(True)
    status, why = _verdict(d, f"dE_total/dwx11 = {_g(truncated['wx'][0, 0])}")
    assert status == "wrong" and any(w.startswith("BPTT truncated to one step") for w in why)


def test_a_shared_weight_from_one_step_is_named() -> None:
    d = derived("rnn")
    _, nets = _rnn_gradients(False)
    s = oracle.fixture("rnn")
    first = float(nets[0].grad[0]) * float(s.samples[0].inputs[0])  # delta_h1 at step 1 times x_1 at step 1
    status, why = _verdict(d, f"dE_total/dwx11 = {_g(first)}")
    assert status == "wrong" and any(w.startswith("one step only") for w in why)


@pytest.mark.parametrize("name", ["cnn", "rnn"])
@pytest.mark.parametrize("profile", ["classic", "textbook", "matrix"])
def test_the_notes_read_back_hold_no_wrong_claim(name: str, profile: str) -> None:
    d = derivation.build(network.build(oracle.fixture(name)))
    text = files.files(d, NotesRequest(("md",), notation=profile))["walkthrough.md"]
    assert isinstance(text, str)
    found = check_document(d, "md", text, {}, profile)
    assert found.wrong == 0
    assert sum(f.verdict.status == "correct" for f in found.found) > 30


def test_an_exercise_question_may_name_a_step() -> None:
    assert spec.ASK.match("h_2[t=3]") and spec.ASK.match("dE_total/dk1_12")
