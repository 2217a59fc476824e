"""The engine of convolution, pooling and recurrent layers against an independent mpmath forward pass,
central finite differences and PyTorch (float64): every entry, every gradient, the max's routing."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.maths import derivation
from derive.maths.numeric import trainer_for
from derive.maths.wired import WiredPass
from derive.model import network, spec
from derive.model.precision import CTX
from derive.notes import files
from derive.notes.request import NotesRequest
from tests import layer_oracle as oracle

TOLERANCE = oracle.mp.mpf(10) ** -30
torch.set_default_dtype(torch.float64)


def derived(s: spec.Spec) -> derivation.Derivation:
    return derivation.build(network.build(s), history_steps=(1,))


def _close(a: object, b: object, tolerance: object = TOLERANCE) -> bool:
    return abs(oracle.mp.mpf(a) - oracle.mp.mpf(b)) <= tolerance * max(1, abs(oracle.mp.mpf(b)))


def _check_against_oracle(s: spec.Spec) -> None:
    d = derived(s)
    p = oracle.params_of(s)
    for one in d.passes:
        index = s.samples.index(one.sample)
        named = oracle.forward(s, p, index)
        for step in one.forward:
            assert _close(step.out, named[step.neuron.name]), step.neuron.name
        assert _close(one.total, oracle.loss(s, p, index))
        for g in one.gradients:
            assert _close(g.value, oracle.finite_difference(s, g.param.name, p, index)), g.param.name


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_presets_forward_and_gradients_equal_the_oracle(name: str) -> None:
    _check_against_oracle(oracle.fixture(name))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_image_networks_equal_the_oracle(seed: int) -> None:
    _check_against_oracle(spec.from_mapping(oracle.random_image_data(random.Random(seed)), "<random>", "random"))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_sequence_networks_equal_the_oracle(seed: int) -> None:
    _check_against_oracle(spec.from_mapping(oracle.random_sequence_data(random.Random(seed)), "<random>", "random"))


def test_a_shared_weight_sums_its_gradient_over_every_use() -> None:
    d = derived(oracle.fixture("cnn"))
    kernel = next(g for g in d.first.gradients if g.param.name == "k1_12")
    assert len(kernel.chains) == 9  # one per position of the 3x3 feature map
    assert _close(kernel.value, CTX.fsum(c.value for c in kernel.chains))
    recurrent = next(g for g in derived(oracle.fixture("rnn")).first.gradients if g.param.name == "wh12")
    assert [c.neuron.name for c in recurrent.chains] == ["h1_t2", "h1_t3"]  # h_0 = 0: no use at the first step


def test_the_trainer_gives_the_derivations_gradients() -> None:
    for name in ("cnn", "rnn"):
        d = derived(oracle.fixture(name))
        trainer = trainer_for(d.network)
        grads = trainer.gradients(trainer.initial(), trainer.samples[0])
        assert all(_close(a, g.value) for a, g in zip(grads, d.first.gradients))


def test_the_input_gradient_equals_finite_differences_in_the_inputs() -> None:
    s = oracle.fixture("cnn")
    d = derived(s)
    p = oracle.params_of(s)
    first = d.first
    assert isinstance(first, WiredPass)
    h = oracle.mp.mpf(10) ** -20
    for i, x in enumerate(d.network.inputs):
        up, down = list(s.samples[0].inputs), list(s.samples[0].inputs)
        up[i], down[i] = Decimal(up[i]) + Decimal("1e-20"), Decimal(down[i]) - Decimal("1e-20")
        ups = s.samples[0].__class__("s1", tuple(up), s.samples[0].targets)
        downs = s.samples[0].__class__("s1", tuple(down), s.samples[0].targets)
        moved = lambda sample: oracle.loss(s.__class__(**{**s.__dict__, "samples": (sample,)}), p)  # noqa: E731
        expected = (moved(ups) - moved(downs)) / (2 * h)
        assert _close(first.inputs[x], expected), x.name


# --- PyTorch, float64 -----------------------------------------------------------------------------


def _torch_image_loss(s: spec.Spec, p: dict[str, torch.Tensor], sample: int) -> torch.Tensor:
    from derive.model import kinds as k

    shape = s.structure.image.shape
    x = torch.tensor([float(v) for v in s.samples[sample].inputs]).reshape(1, shape.channels, shape.height, shape.width)
    for kind in s.structure.kinds:
        if isinstance(kind, k.ConvSpec):
            weight = torch.stack([p[n] for n in k.flat(kind.weight_names)]).reshape(
                kind.out_shape.channels, kind.in_shape.channels, *kind.kernel)
            bias = torch.stack([p[n] for n in kind.bias.names]) if kind.bias.names else None
            x = torch.nn.functional.conv2d(x, weight, bias, kind.stride, kind.padding)
            x = _torch_act(kind.activation, x)
        elif isinstance(kind, k.PoolSpec):
            pool = torch.nn.functional.max_pool2d if kind.mode == "max" else torch.nn.functional.avg_pool2d
            x = pool(x, kind.size, kind.stride)
        elif isinstance(kind, k.FlattenSpec):
            x = torch.flatten(x, 1)
        else:
            x = _torch_dense(s, kind.index, x, p)
    return _torch_loss(s, x.reshape(-1), sample)


def _torch_act(name: str, x: torch.Tensor) -> torch.Tensor:
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda v: v,
            "softmax": lambda v: torch.softmax(v, dim=-1)}[name](x)


def _torch_dense(s: spec.Spec, index: int, x: torch.Tensor, p: dict[str, torch.Tensor]) -> torch.Tensor:
    layer = s.layers[index]
    weight = torch.stack([torch.stack([p[n] for n in row]) for row in layer.weight_names])
    y = x @ weight.T
    sign = -1.0 if layer.bias.form == "threshold" else 1.0
    if layer.bias.mode == "shared":
        y = y + sign * p[layer.bias.names[0]]
    elif layer.bias.mode == "per_neuron":
        y = y + sign * torch.stack([p[n] for n in layer.bias.names])
    return _torch_act(layer.activation, y)


def _torch_loss(s: spec.Spec, outs: torch.Tensor, sample: int) -> torch.Tensor:
    t = torch.tensor([float(v) for v in s.samples[sample].targets])
    per_step = len(s.layers[-1].neurons)
    if s.loss == "half_sse":
        return 0.5 * torch.sum((t - outs) ** 2)
    if s.loss == "mse":
        return torch.sum((t - outs) ** 2) / per_step
    if s.layers[-1].activation == "softmax":
        return -torch.sum(t * torch.log(outs))
    return -torch.sum(t * torch.log(outs) + (1 - t) * torch.log(1 - outs))


def _torch_sequence_loss(s: spec.Spec, p: dict[str, torch.Tensor], sample: int) -> torch.Tensor:
    """torch.nn.RNN (tanh or relu) with the spec's W_x, W_h and bias, then the dense layers."""
    rnn_spec = s.structure.kinds[0]
    m, units, steps = len(s.structure.features), len(rnn_spec.neurons), s.structure.steps
    rnn = torch.nn.RNN(m, units, nonlinearity=rnn_spec.activation, bias=rnn_spec.bias.mode != "none", batch_first=True)
    wx = torch.stack([torch.stack([p[n] for n in row]) for row in rnn_spec.input_names])
    wh = torch.stack([torch.stack([p[n] for n in row]) for row in rnn_spec.recurrent_names])
    params = {"weight_ih_l0": wx, "weight_hh_l0": wh}
    if rnn_spec.bias.mode != "none":
        names = rnn_spec.bias.names if rnn_spec.bias.mode == "per_neuron" else rnn_spec.bias.names * units
        params.update(bias_ih_l0=torch.stack([p[n] for n in names]), bias_hh_l0=torch.zeros(units))
    x = torch.tensor([float(v) for v in s.samples[sample].inputs]).reshape(1, steps, m)
    states, _ = torch.func.functional_call(rnn, params, (x,))
    outs = states[0] if rnn_spec.outputs == "each" else states[0, -1:]
    for kind in s.structure.kinds[1:]:
        outs = _torch_dense(s, kind.index, outs, p)
    return _torch_loss(s, outs.reshape(-1), sample)


def _torch_gradients(s: spec.Spec, sample: int) -> dict[str, float]:
    p = {n: torch.tensor(float(v), requires_grad=True) for n, v in oracle.params_of(s).items()}
    loss = _torch_image_loss(s, p, sample) if s.structure.image is not None else _torch_sequence_loss(s, p, sample)
    loss.backward()
    return {n: float(t.grad) if t.grad is not None else 0.0 for n, t in p.items()}


def _check_torch(s: spec.Spec) -> None:
    d = derived(s)
    for one in d.passes:
        got = _torch_gradients(s, s.samples.index(one.sample))
        for g in one.gradients:
            assert float(g.value) == pytest.approx(got[g.param.name], rel=1e-10, abs=1e-13), g.param.name


@pytest.mark.parametrize("name", ["cnn", "rnn"])
def test_presets_equal_pytorch(name: str) -> None:
    _check_torch(oracle.fixture(name))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_image_networks_equal_pytorch(seed: int) -> None:
    _check_torch(spec.from_mapping(oracle.random_image_data(random.Random(seed)), "<random>", "random"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32))
def test_random_rnns_equal_pytorch(seed: int) -> None:
    data = oracle.random_sequence_data(random.Random(seed))
    data["layers"][0]["activation"] = random.Random(seed).choice(["tanh", "relu"])  # what torch.nn.RNN has
    _check_torch(spec.from_mapping(data, "<random>", "random"))


def _tied() -> spec.Spec:
    """A 2x2 identity 'convolution' (kernel [[1]]) of an image whose two top entries tie for the max."""
    data = {"inputs": {"shape": [1, 2, 2]}, "loss": "half_sse",
            "layers": [{"kind": "conv2d", "kernel": 1, "activation": "identity", "weights": [[Decimal(1)]]},
                       {"kind": "maxpool2d", "size": 2}, {"kind": "flatten"},
                       {"neurons": 1, "activation": "identity", "weights": [[Decimal(2)]]}],
            "samples": [{"inputs": [[Decimal("0.5"), Decimal("0.5")], [Decimal("0.1"), Decimal("0.2")]],
                         "targets": [Decimal(0)]}],
            "training": {"learning_rate": Decimal("0.1")}}
    return spec.from_mapping(data, "<tie>", "tie")


def test_a_tie_sends_the_gradient_to_the_first_entry_as_pytorch_does() -> None:
    d = derived(_tied())
    by_name = {b.neuron.name: b for b in d.first.backward}
    assert [float(by_name[n].delta.value) for n in ("c1_11", "c1_12", "c1_21", "c1_22")] == [2.0, 0.0, 0.0, 0.0]
    x = torch.tensor([[[[0.5, 0.5], [0.1, 0.2]]]], requires_grad=True)
    torch.nn.functional.max_pool2d(x, 2).sum().backward()
    assert x.grad.reshape(-1).tolist() == [1.0, 0.0, 0.0, 0.0]


def _one_row(row: list[str], bias: str, activation: str, pool: bool) -> spec.Spec:
    """A 1x3 input, the 1x2 kernel [0.1, 0.3] and `bias`, (a 1x2 max pool,) an identity output, target 0:
    every quantity rational, so the test computes it exactly."""
    layers: list[dict] = [{"kind": "conv2d", "kernel": [1, 2], "activation": activation,
                           "weights": [[Decimal("0.1"), Decimal("0.3")]], "bias": {"values": [Decimal(bias)]}}]
    layers += [{"kind": "maxpool2d", "size": [1, 2]}] if pool else []
    width = 1 if pool else 2
    layers += [{"kind": "flatten"}, {"neurons": 1, "activation": "identity",
                                     "weights": [[Decimal(2), Decimal(1)][:width]]}]
    data = {"inputs": {"shape": [1, 1, 3]}, "loss": "half_sse", "layers": layers,
            "samples": [{"inputs": [[Decimal(v) for v in row]], "targets": [Decimal(0)]}],
            "training": {"learning_rate": Decimal("0.1")}}
    return spec.from_mapping(data, "<row>", "row")


def _exact_gradients(row: list[str], bias: str, pool: bool) -> dict[str, Fraction]:
    """dE/dk1_11, dE/dk1_12, dE/db1 in exact fractions (relu' = 0 at 0 here; a max pool tie to the first)."""
    x = [Fraction(v) for v in row]
    k, b = [Fraction("0.1"), Fraction("0.3")], Fraction(bias)
    nets = [k[0] * x[c] + k[1] * x[c + 1] + b for c in range(2)]
    outs = [max(n, Fraction(0)) for n in nets]
    if pool:
        first = 0 if outs[0] >= outs[1] else 1
        o = 2 * outs[first]
        errors = [2 * o if c == first else Fraction(0) for c in range(2)]
    else:
        o = 2 * outs[0] + outs[1]
        errors = [2 * o, o]
    deltas = [e * (1 if n > 0 else 0) for e, n in zip(errors, nets)] if not pool else errors
    return {"k1_11": sum(deltas[c] * x[c] for c in range(2)), "k1_12": sum(deltas[c] * x[c + 1] for c in range(2)),
            "b1": sum(deltas)}


def _gradients(d: derivation.Derivation) -> dict[str, object]:
    return {u.param.name: u.gradient for u in d.updates}


def test_a_relus_kink_reached_by_different_products_is_the_kink() -> None:
    """0.1 x 0.1 + 0.3 x 0.4 - 0.13 is 0, but the binary forms of the decimals leave 1.7e-52 at 50 digits:
    the net is 0, relu' = H(0) = 0, on every route (the notes, the trainer, the closed forms)."""
    row, bias = ["0.1", "0.4", "0.9"], "-0.13"
    d = derived(_one_row(row, bias, "relu", pool=False))
    nets = {s.neuron.name: s.net for s in d.first.forward}
    assert nets["c1_11"] == 0
    got, exact = _gradients(d), _exact_gradients(row, bias, pool=False)
    for name, value in exact.items():
        assert _close(got[name], CTX.mpf(value.numerator) / value.denominator), name


def test_a_tie_reached_by_different_products_goes_to_the_first_entry() -> None:
    """0.1 x 0.4 + 0.3 x 0.7 = 0.1 x 0.7 + 0.3 x 0.6 = 0.25, the second larger by 3e-52 at 50 digits:
    a tie, said in the notes, its error to the first entry."""
    row = ["0.4", "0.7", "0.6"]
    d = derived(_one_row(row, "0", "identity", pool=True))
    got, exact = _gradients(d), _exact_gradients(row, "0", pool=True)
    for name, value in exact.items():
        assert _close(got[name], CTX.mpf(value.numerator) / value.denominator), name
    text = files.files(d, NotesRequest(("md",)))["walkthrough.md"]
    assert isinstance(text, str) and "A tie: $\\mathrm{out}_{c1,11}$, $\\mathrm{out}_{c1,12}$ are all" in text
