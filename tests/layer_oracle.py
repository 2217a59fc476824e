"""An independent forward pass of convolution, pooling, flatten, rnn and dense layers, written from the
textbook formulas as plain mpmath loops over a spec's arrays (nothing of the engine's wiring or
derivation), with central finite differences of its loss, and the same network in PyTorch (float64).

Every quantity is returned by the name the engine gives it (`c1_12`, `p1_11`, `h2_t3`, `o1`), so the
tests compare by name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import mpmath

from derive.model import kinds as k
from derive.model.spec import Spec

mp = mpmath.MPContext()
mp.dps = 60


def num(x: object) -> Any:
    return x if isinstance(x, mp.mpf) else mp.mpf(str(x))


def params_of(spec: Spec) -> dict[str, Any]:
    """Every parameter's initial value by name, read from the spec's arrays."""
    found: dict[str, Any] = {}
    for kind in spec.structure.kinds:
        if isinstance(kind, k.ConvSpec):
            found.update(zip(k.flat(kind.weight_names), map(num, k.flat(kind.weights))))
            found.update(zip(kind.bias.names, map(num, kind.bias.values)))
        elif isinstance(kind, k.RecurrentSpec):
            found.update(zip(k.flat(kind.input_names), map(num, k.flat(kind.input_weights))))
            found.update(zip(k.flat(kind.recurrent_names), map(num, k.flat(kind.recurrent_weights))))
            found.update(zip(kind.bias.names, map(num, kind.bias.values)))
        elif isinstance(kind, k.DenseRef):
            layer = spec.layers[kind.index]
            for names, values in zip(layer.weight_names, layer.weights):
                found.update(zip(names, map(num, values)))
            found.update(zip(layer.bias.names, map(num, layer.bias.values)))
    return found


def act(name: str, xs: list[Any]) -> list[Any]:
    if name == "sigmoid":
        return [1 / (1 + mp.exp(-x)) for x in xs]
    if name == "tanh":
        return [mp.tanh(x) for x in xs]
    if name == "relu":
        return [x if x > 0 else mp.mpf(0) for x in xs]
    if name == "identity":
        return list(xs)
    if name == "softmax":
        e = [mp.exp(x) for x in xs]
        return [v / mp.fsum(e) for v in e]
    raise ValueError(name)


def _image(spec: Spec, sample: int) -> list[list[list[Any]]]:
    shape = spec.structure.image.shape
    flat = [num(v) for v in spec.samples[sample].inputs]
    return [[[flat[(c * shape.height + r) * shape.width + s] for s in range(shape.width)]
             for r in range(shape.height)] for c in range(shape.channels)]


def _conv(kind: k.ConvSpec, maps: list[Any], p: dict[str, Any], named: dict[str, Any]) -> list[Any]:
    """out[o][r][s] = f(sum over i, a, b of kernel[o][i][a][b] x[i][r*S + a - P][s*S + b - P] + bias[o])."""
    out = []
    for o in range(kind.out_shape.channels):
        rows = []
        for r in range(kind.out_shape.height):
            row = []
            for s in range(kind.out_shape.width):
                total = p[kind.bias.names[o]] if kind.bias.names else mp.mpf(0)
                for i in range(kind.in_shape.channels):
                    for a in range(kind.kernel[0]):
                        for b in range(kind.kernel[1]):
                            y = r * kind.stride[0] + a - kind.padding[0]
                            x = s * kind.stride[1] + b - kind.padding[1]
                            if 0 <= y < kind.in_shape.height and 0 <= x < kind.in_shape.width:
                                total += p[kind.weight_names[o][i][a][b]] * maps[i][y][x]
                row.append(total)
            rows.append(act(kind.activation, row))
        out.append(rows)
    names = k.map_names(kind.map_name, kind.out_shape)
    for o, channel in enumerate(out):
        for r, row in enumerate(channel):
            for s, v in enumerate(row):
                named[names[o][r][s]] = v
    return out


def _pool(kind: k.PoolSpec, maps: list[Any], named: dict[str, Any]) -> list[Any]:
    out = []
    names = k.map_names(kind.map_name, kind.out_shape)
    for c in range(kind.out_shape.channels):
        rows = []
        for r in range(kind.out_shape.height):
            row = []
            for s in range(kind.out_shape.width):
                window = [maps[c][r * kind.stride[0] + a][s * kind.stride[1] + b]
                          for a in range(kind.size[0]) for b in range(kind.size[1])]
                v = max(window) if kind.mode == "max" else mp.fsum(window) / len(window)
                named[names[c][r][s]] = v
                row.append(v)
            rows.append(row)
        out.append(rows)
    return out


def _dense(spec: Spec, index: int, vector: list[Any], p: dict[str, Any], names: list[str],
           named: dict[str, Any]) -> list[Any]:
    layer = spec.layers[index]
    sign = -1 if layer.bias.form == "threshold" else 1
    nets = []
    for j, row in enumerate(layer.weight_names):
        total = mp.fsum(p[w] * v for w, v in zip(row, vector))
        if layer.bias.mode == "shared":
            total += sign * p[layer.bias.names[0]]
        elif layer.bias.mode == "per_neuron":
            total += sign * p[layer.bias.names[j]]
        nets.append(total)
    outs = act(layer.activation, nets)
    named.update(zip(names, outs))
    return outs


def forward(spec: Spec, p: dict[str, Any], sample: int = 0) -> dict[str, Any]:
    """Every entry's out by name, for one sample at the parameters `p`."""
    named: dict[str, Any] = {}
    if spec.structure.image is not None:
        maps: Any = _image(spec, sample)
        vector: list[Any] = []
        for kind in spec.structure.kinds:
            if isinstance(kind, k.ConvSpec):
                maps = _conv(kind, maps, p, named)
            elif isinstance(kind, k.PoolSpec):
                maps = _pool(kind, maps, named)
            elif isinstance(kind, k.FlattenSpec):
                vector = [v for channel in maps for row in channel for v in row]
            else:
                vector = _dense(spec, kind.index, vector, p, list(spec.layers[kind.index].neurons), named)
        return named
    return _sequence(spec, p, sample, named)


def _sequence(spec: Spec, p: dict[str, Any], sample: int, named: dict[str, Any]) -> dict[str, Any]:
    rnn: k.RecurrentSpec = spec.structure.kinds[0]
    steps, m = spec.structure.steps, len(spec.structure.features)
    xs = [num(v) for v in spec.samples[sample].inputs]
    h = [mp.mpf(0)] * len(rnn.neurons)
    dense = [kind.index for kind in spec.structure.kinds[1:]]
    for t in range(steps):
        x = xs[t * m:(t + 1) * m]
        nets = []
        for j in range(len(rnn.neurons)):
            total = mp.fsum(p[rnn.input_names[j][i]] * x[i] for i in range(m))
            total += mp.fsum(p[rnn.recurrent_names[j][q]] * h[q] for q in range(len(h)))
            if rnn.bias.mode == "per_neuron":
                total += p[rnn.bias.names[j]]
            elif rnn.bias.mode == "shared":
                total += p[rnn.bias.names[0]]
            nets.append(total)
        h = act(rnn.activation, nets)
        named.update((f"{u}_t{t + 1}", v) for u, v in zip(rnn.neurons, h))
        if rnn.outputs == "each" or t == steps - 1:
            vector = h
            for index in dense:
                neurons = spec.layers[index].neurons
                names = [f"{n}_t{t + 1}" for n in neurons] if rnn.outputs == "each" else list(neurons)
                vector = _dense(spec, index, vector, p, names, named)
    return named


def output_names(spec: Spec) -> list[str]:
    outs = list(spec.layers[-1].neurons)
    rnn = spec.structure.recurrent
    if rnn is not None and rnn.outputs == "each":
        return [f"{o}_t{t + 1}" for t in range(spec.structure.steps) for o in outs]
    return outs


def loss(spec: Spec, p: dict[str, Any], sample: int = 0) -> Any:
    """E_total of one sample: the loss summed over every output (and every step's outputs)."""
    named = forward(spec, p, sample)
    outs = [named[n] for n in output_names(spec)]
    ts = [num(v) for v in spec.samples[sample].targets]
    per_step = len(spec.layers[-1].neurons)
    if spec.loss == "half_sse":
        return mp.fsum((t - y) ** 2 for t, y in zip(ts, outs)) / 2
    if spec.loss == "mse":
        return mp.fsum((t - y) ** 2 for t, y in zip(ts, outs)) / per_step
    if spec.layers[-1].activation == "softmax":
        return -mp.fsum(t * mp.log(y) for t, y in zip(ts, outs))
    return -mp.fsum(t * mp.log(y) + (1 - t) * mp.log(1 - y) for t, y in zip(ts, outs))


def finite_difference(spec: Spec, name: str, p: dict[str, Any], sample: int = 0) -> Any:
    """Central difference of the loss in parameter `name` (error about h^2 = 1e-40)."""
    h = mp.mpf(10) ** -20
    up, down = dict(p), dict(p)
    up[name] += h
    down[name] -= h
    return (loss(spec, up, sample) - loss(spec, down, sample)) / (2 * h)


def decimal_data(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[1] / "derive" / "presets"


def fixture(name: str) -> Spec:
    """A preset with these layers: the small CNN (cnn) or the small RNN (rnn)."""
    from derive.model import spec as specs

    return specs.load_preset(name)


ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"]


def _numbers(rng: Any, *shape: int) -> Any:
    if len(shape) == 1:
        return [decimal_data(rng.uniform(-1, 1)) for _ in range(shape[0])]
    return [_numbers(rng, *shape[1:]) for _ in range(shape[0])]


def _output(rng: Any, width: int) -> tuple[str, dict[str, Any]]:
    loss_name = rng.choice(["half_sse", "mse", "cross_entropy"])
    activation = rng.choice(["softmax", "sigmoid"]) if loss_name == "cross_entropy" else rng.choice(ACTIVATIONS)
    outputs = rng.randint(2 if activation == "softmax" else 1, 3)
    layer = {"neurons": outputs, "activation": activation, "weights": _numbers(rng, outputs, width),
             "bias": {"mode": rng.choice(["per_neuron", "shared"]), "values": [Decimal("0.1")]}}
    if layer["bias"]["mode"] == "per_neuron":
        layer["bias"]["values"] = _numbers(rng, outputs)
    return loss_name, layer


def _targets(rng: Any, loss_name: str, count: int) -> list[float]:
    if loss_name == "cross_entropy":
        raw = [rng.uniform(0.1, 1) for _ in range(count)]
        return _summing_to_one([decimal_data(v / sum(raw)) for v in raw])
    return [decimal_data(rng.uniform(0, 1)) for _ in range(count)]


def _summing_to_one(values: list[Decimal]) -> list[Decimal]:
    return [*values[:-1], 1 - sum(values[:-1])]


def random_image_data(rng: Any) -> dict[str, Any]:
    """A small random image network: none, one or two conv layers, mostly a max or mean pool (reading the
    input itself where no conv comes first), flatten, a dense output."""
    channels, height, width = rng.randint(1, 2), rng.randint(3, 6), rng.randint(3, 6)
    shape = [channels, height, width]
    layers: list[dict[str, Any]] = []
    c, h, w = channels, height, width
    for _ in range(rng.choice([0, 1, 1, 2])):
        kernel = rng.randint(1, min(3, h, w))
        stride, padding = rng.randint(1, 2), rng.randint(0, kernel - 1)
        out_c = rng.randint(1, 2)
        layers.append({"kind": "conv2d", "channels": out_c, "kernel": kernel, "stride": stride, "padding": padding,
                       "activation": rng.choice(ACTIVATIONS), "weights": _numbers(rng, out_c, c, kernel, kernel),
                       "bias": {"values": _numbers(rng, out_c)}})
        c, h, w = out_c, (h + 2 * padding - kernel) // stride + 1, (w + 2 * padding - kernel) // stride + 1
    if rng.random() < 0.8:
        size = rng.randint(1, min(2, h, w))
        stride = rng.randint(1, 2)
        layers.append({"kind": rng.choice(["maxpool2d", "avgpool2d"]), "size": size, "stride": stride})
        h, w = (h - size) // stride + 1, (w - size) // stride + 1
    layers.append({"kind": "flatten"})
    loss_name, output = _output(rng, c * h * w)
    layers.append(output)
    samples = [{"inputs": _numbers(rng, channels, height, width),
                "targets": _targets(rng, loss_name, output["neurons"])} for _ in range(rng.randint(1, 2))]
    return {"inputs": {"shape": shape}, "loss": loss_name, "layers": layers, "samples": samples,
            "training": {"learning_rate": Decimal("0.5"), "update": rng.choice(["sgd", "batch"]), "steps": [1, 2]}}


def random_sequence_data(rng: Any) -> dict[str, Any]:
    """A small random rnn network: 1-3 inputs, 1-3 units, 1-4 steps, outputs at each step or the last."""
    features, units, steps = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4)
    each = rng.random() < 0.5
    rnn = {"kind": "rnn", "neurons": units, "activation": rng.choice(ACTIVATIONS),
           "input_weights": _numbers(rng, units, features), "recurrent_weights": _numbers(rng, units, units),
           "outputs": "each" if each else "last"}
    mode = rng.choice(["per_neuron", "shared", "none"])
    if mode != "none":
        rnn["bias"] = {"mode": mode, "values": _numbers(rng, units if mode == "per_neuron" else 1)}
    layers: list[dict[str, Any]] = [rnn]
    width = units
    if rng.random() < 0.3:
        hidden = rng.randint(1, 2)
        layers.append({"neurons": hidden, "activation": rng.choice(ACTIVATIONS),
                       "weights": _numbers(rng, hidden, width)})
        width = hidden
    loss_name, output = _output(rng, width)
    layers.append(output)
    samples = []
    for _ in range(rng.randint(1, 2)):
        targets = [_targets(rng, loss_name, output["neurons"]) for _ in range(steps)] if each else \
            _targets(rng, loss_name, output["neurons"])
        samples.append({"inputs": _numbers(rng, steps, features), "targets": targets})
    return {"inputs": features, "loss": loss_name, "layers": layers, "samples": samples,
            "training": {"learning_rate": Decimal("0.5"), "update": rng.choice(["sgd", "batch"]), "steps": [1, 2]}}
