"""Reading a spec whose layers are of several kinds (see `derive.model.kinds`): the layers in order, each
shape checked against the one before it, the samples as arrays of the input's shape, one line per error.

An image network: `inputs = { shape = [channels, height, width] }`, conv2d and pooling layers, a
flatten layer, then dense layers (the last is the output layer). A sequence network: `inputs` as for a
dense network (the inputs of one step), an rnn layer first, then dense layers; each sample's `inputs`
is one row per step (every sample as long), its `targets` one row per step when the rnn's `outputs` is
"each", else those of the last step. Parameters are named in reading order: kernels `k1_12`, the rnn's
matrices `wx11` (W_x) and `wh12` (W_h), dense weights w1, w2, ... and biases b1, b2, ... as in a dense
network; `[init]` draws them in that order (kernel by kernel, row by row; W_x, then W_h).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import derive.model.identifiers as identifiers
import derive.model.kinds as k
import derive.model.spec as specs
from derive.model.spec import BiasSpec, LayerSpec, SampleSpec, Spec, SpecError, _Reader


class _State:
    """What the next layer reads, and the names and counters the layers share."""

    def __init__(self, structure_input: k.ImageInput | None, features: tuple[str, ...]) -> None:
        self.image = structure_input
        self.shape: k.Shape | None = structure_input.shape if structure_input else None
        self.width = len(features)  # the vector a dense layer reads (after flatten, or the rnn's units)
        self.flattened = False
        self.numbering = specs._Numbering()
        self.params = 0
        self.kinds: list[k.LayerKind] = []
        self.dense: list[LayerSpec] = []
        self.groups: list[tuple[str, tuple[str, ...]]] = []

    def budget(self) -> int:
        return specs.MAX_PARAMS - self.params

    def count(self, r: _Reader, key: str, params: int) -> None:
        if params > self.budget():
            raise r.fail(key, f"the network would have more than {specs.MAX_PARAMS} parameters")
        self.params += params


def read(data: Any, source: str, name: str) -> Spec | None:
    """The spec of a parsed document with layers of these kinds, None for one of dense layers only."""
    return from_mapping(data, source, name) if specs.is_layered(data) else None


def from_mapping(data: Any, source: str, name: str) -> Spec:
    """Validate a parsed spec with layers of several kinds into a `Spec` whose `structure` holds them."""
    r = _Reader(source, data, "").allow("")
    title, titles, loss = _common(r, name)
    image, features = _inputs(r)
    init = specs._read_init(r)
    draw = k._Draw(specs._drawer(init))
    tables = specs._list(r.raw("layers"), None, lambda m: r.fail("layers", m))
    if not tables or len(tables) > specs.MAX_LAYERS:
        raise r.fail("layers", f"expected from 1 to {specs.MAX_LAYERS} [[layers]] tables, got {len(tables)}")
    state = _State(image, features)
    _read_layers(r, tables, state, draw, image is not None)
    specs._check_loss(r, loss, state.dense)
    structure = _structure(state, image, features, r, tables)
    samples = _samples(r, structure, len(state.dense[-1].neurons))
    specs._check_targets(source, loss, samples)
    inputs = _input_names(structure)
    out = state.dense[-1].neurons
    _check_names(source, inputs, structure, state, samples, out)
    training = specs._read_training(r)
    if not training.optimizer.plain:
        raise r.fail("training.optimizer", "networks with conv2d, pooling or rnn layers learn by plain gradient "
                     "descent (optimizer = \"sgd\", no weight_decay)")
    if r.has("data"):
        raise r.fail("data", "a network with conv2d, pooling or rnn layers trains on its spec's samples "
                     "(a data file's rows are flat inputs)")
    return Spec(name, title, source, inputs, tuple(state.dense), loss, samples, training, init, titles,
                specs._read_aliases(r), specs._read_exercise(r, loss), None, structure)


def _common(r: _Reader, name: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    title = r.text("title", name)
    if not specs.TITLE.match(title) or not title.strip():
        raise r.fail("title", specs.TITLE_RULE + ", not only spaces")
    titles = specs._read_titles(r)
    loss = r.text("loss")
    if loss not in specs.SPEC_LOSSES:
        raise r.fail("loss", f"expected one of {', '.join(specs.SPEC_LOSSES)}, got {loss!r}")
    return title, titles, loss


def _inputs(r: _Reader) -> tuple[k.ImageInput | None, tuple[str, ...]]:
    """An image's shape (`{ shape = [channels, height, width] }`), or the names of a step's inputs."""
    if not isinstance(r.raw("inputs"), dict):
        return None, specs._names_or_count(r, "inputs", "i")
    t = r.sub("inputs")
    for key in t.table:
        if key not in k.INPUT_KEYS:
            raise t.fail(key, f"unknown key (expected one of {', '.join(k.INPUT_KEYS)})")
    shape = specs._list(t.raw("shape"), 3, lambda m: t.fail("shape", f"{m}: [channels, height, width]"))
    if any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape):
        raise t.fail("shape", "expected whole numbers from 1 up: [channels, height, width]")
    found = k.Shape(*shape)
    _check_shape(t, "shape", found)
    return k.ImageInput(found, k._prefix(t, "name", "x")), ()


def _check_shape(r: _Reader, key: str, shape: k.Shape) -> None:
    if shape.channels > k.MAX_CHANNELS or max(shape.height, shape.width) > k.MAX_SIDE or shape.size > k.MAX_MAP:
        raise r.fail(key, f"{shape.text()} is too large (at most {k.MAX_CHANNELS} channels, sides of "
                     f"{k.MAX_SIDE} and {k.MAX_MAP} entries)")


def _read_layers(r: _Reader, tables: list[Any], state: _State, draw: k._Draw, image: bool) -> None:
    kinds = [_kind(r, i, t) for i, t in enumerate(tables)]
    conv_names = k._series(kinds.count("conv2d"), "c", "c")
    kernel_names = k._series(kinds.count("conv2d"), "k", "k")
    pool_names = k._series(sum(kind in k.POOLS for kind in kinds), "p", "p")
    hidden = sum(kind in ("dense", "rnn") for kind in kinds) - 1
    dense_seen = 0
    for i, (kind, table) in enumerate(zip(kinds, tables)):
        lr = _Reader(r.source, {key: v for key, v in table.items() if key != "kind"}, f"layers[{i}]")
        _order(lr, kind, i, len(tables), state, image)
        if kind == "conv2d":
            state.kinds.append(_conv(lr, state, draw, conv_names.pop(0), kernel_names.pop(0)))
        elif kind in k.POOLS:
            state.kinds.append(_pool(lr, state, k.POOLS[kind], pool_names.pop(0)))
        elif kind == "flatten":
            _no_keys(lr, "flatten")
            state.kinds.append(k.FlattenSpec(state.shape))  # type: ignore[arg-type]
            state.width, state.flattened = state.shape.size, True  # type: ignore[union-attr]
        elif kind == "rnn":
            state.kinds.append(_rnn(lr, state, draw, specs._hidden_prefix(dense_seen, max(hidden, 1))))
            dense_seen += 1
        else:
            prefix = "o" if i == len(tables) - 1 else specs._hidden_prefix(dense_seen, max(hidden, 1))
            dense_seen += 1
            _dense(lr, state, draw, prefix)


def _kind(r: _Reader, i: int, table: Any) -> str:
    if not isinstance(table, dict):
        raise SpecError(r.source, f"layers[{i}]", "expected a table")
    kind = table.get("kind", "dense")
    if kind not in k.KINDS:
        raise SpecError(r.source, f"layers[{i}].kind", f"expected one of {', '.join(k.KINDS)}, got {kind!r}")
    return kind


def _order(r: _Reader, kind: str, i: int, count: int, state: _State, image: bool) -> None:
    """Each kind where it can read what the layer before gives: maps, a vector, or a sequence."""
    if i == count - 1 and kind != "dense":
        raise SpecError(r.source, f"layers[{i}].kind", "the output layer must be a dense layer")
    if kind in ("conv2d", "flatten") or kind in k.POOLS:
        if not image:
            raise SpecError(r.source, f"layers[{i}].kind", f"{kind} reads an image: give inputs = "
                            "{ shape = [channels, height, width] }")
        if state.flattened:
            raise SpecError(r.source, f"layers[{i}].kind", f"{kind} after flatten: the maps are already a vector")
    if kind == "rnn" and (image or i != 0):
        raise SpecError(r.source, f"layers[{i}].kind", "an rnn layer must be the first layer, reading "
                        "inputs given as a count or names (one row of them per step in each sample)")
    if kind == "dense" and image and not state.flattened:
        raise SpecError(r.source, f"layers[{i}].kind", "a dense layer reads a vector: put a flatten layer "
                        "(kind = \"flatten\") before it")


def _no_keys(r: _Reader, kind: str) -> None:
    for key in r.table:
        raise r.fail(key, f"unknown key (a {kind} layer has only kind)")


def _allow(r: _Reader, kind: str) -> None:
    for key in r.table:
        if key not in k.LAYER_KEYS[kind]:
            raise r.fail(key, f"unknown key (expected one of {', '.join(k.LAYER_KEYS[kind])})")


def _conv(r: _Reader, state: _State, draw: k._Draw, map_name: str, kernel_name: str) -> k.ConvSpec:
    _allow(r, "conv2d")
    source: k.Shape = state.shape  # type: ignore[assignment]
    channels = r.integer("channels", 1, 1, k.MAX_CHANNELS)
    kernel = k._pair(r, "kernel", None, 1, k.MAX_KERNEL)
    stride = k._pair(r, "stride", 1, 1, k.MAX_KERNEL)
    padding = k._pair(r, "padding", 0, 0, k.MAX_KERNEL - 1)
    if padding[0] >= kernel[0] or padding[1] >= kernel[1]:
        raise r.fail("padding", f"expected less padding than the kernel's side ({kernel[0]}x{kernel[1]})")
    side = (source.height + 2 * padding[0], source.width + 2 * padding[1])
    if kernel[0] > side[0] or kernel[1] > side[1]:
        raise r.fail("kernel", f"a {kernel[0]}x{kernel[1]} kernel does not fit the {source.height}x{source.width} "
                     f"input (padding {padding[0]}x{padding[1]})")
    out = k.Shape(channels, k.out_size(source.height, kernel[0], stride[0], padding[0]),
                  k.out_size(source.width, kernel[1], stride[1], padding[1]))
    _check_shape(r, "channels", out)
    shape = (channels, source.channels, *kernel)
    state.count(r, "channels", channels * (source.channels * kernel[0] * kernel[1] + 1))
    activation = k._activation(r)
    prefix = k._prefix(r, "kernel_name", kernel_name)
    names = k.kernel_names(prefix, channels, source.channels, kernel)
    weights = draw.array(r, "weights", shape, ("kernels", "input channels", "rows", "columns"))
    bias = _conv_bias(r, channels, state)
    state.shape = out
    return k.ConvSpec(k._prefix(r, "map_name", map_name), prefix, source, out, kernel, stride, padding, activation,
                      names, weights, bias)


def _conv_bias(layer: _Reader, channels: int, state: _State) -> BiasSpec:
    """One bias per output channel (`mode = "per_channel"`, the default) or none."""
    if not layer.has("bias"):
        return BiasSpec("none", "bias", False, (), ())
    r = layer.sub("bias")
    for key in r.table:
        if key not in k.CONV_BIAS_KEYS:
            raise r.fail(key, f"unknown key (expected one of {', '.join(k.CONV_BIAS_KEYS)})")
    mode = r.text("mode", "per_channel", k.CONV_BIAS_MODES)
    count = channels if mode == "per_channel" else 0
    values = specs._numbers(r, "values", count) if r.has("values") else tuple(Decimal(0) for _ in range(count))
    if r.has("names"):
        raw = specs._list(r.raw("names"), count, lambda m: r.fail("names", m))
        names = tuple(specs._name(v, r.failing(f"names[{i}]")) for i, v in enumerate(raw))
    else:
        names = tuple(state.numbering.bias() for _ in range(count))
    return BiasSpec(mode, "bias", r.flag("trainable", True), names, values)


def _pool(r: _Reader, state: _State, mode: str, map_name: str) -> k.PoolSpec:
    _allow(r, f"{mode}pool2d")
    source: k.Shape = state.shape  # type: ignore[assignment]
    size = k._pair(r, "size", None, 1, k.MAX_KERNEL)
    stride = k._pair(r, "stride", None, 1, k.MAX_KERNEL) if r.has("stride") else size  # PyTorch's default
    if size[0] > source.height or size[1] > source.width:
        raise r.fail("size", f"a {size[0]}x{size[1]} window does not fit the {source.height}x{source.width} maps")
    out = k.Shape(source.channels, k.out_size(source.height, size[0], stride[0], 0),
                  k.out_size(source.width, size[1], stride[1], 0))
    state.shape = out
    return k.PoolSpec(mode, k._prefix(r, "map_name", map_name), source, out, size, stride)


def _rnn(r: _Reader, state: _State, draw: k._Draw, prefix: str) -> k.RecurrentSpec:
    _allow(r, "rnn")
    units = specs._names_or_count(r, "neurons", prefix)
    n, m = len(units), state.width
    state.count(r, "neurons", n * (m + n + 1))
    activation = k._activation(r)
    x_prefix = k._prefix(r, "input_weight_name", "wx")
    h_prefix = k._prefix(r, "recurrent_weight_name", "wh")
    wide = max(n, m) >= 10
    x_names = tuple(tuple(k.pair_name(x_prefix, j + 1, i + 1, wide) for i in range(m)) for j in range(n))
    h_names = tuple(tuple(k.pair_name(h_prefix, j + 1, i + 1, wide) for i in range(n)) for j in range(n))
    x_weights = draw.array(r, "input_weights", (n, m), ("units", "inputs"))
    h_weights = draw.array(r, "recurrent_weights", (n, n), ("units", "units"))
    bias = specs._read_bias(r, units, state.numbering)
    outputs = r.text("outputs", "last", k.SEQUENCE_OUTPUTS)
    state.width = n
    return k.RecurrentSpec(units, activation, x_names, x_weights, h_names, h_weights, bias, outputs)


def _dense(r: _Reader, state: _State, draw: k._Draw, prefix: str) -> None:
    layer = specs._read_layer(r, state.width, prefix, state.numbering, draw.draw, state.budget())
    state.count(r, "neurons", len(layer.neurons) * (state.width + 1))
    state.kinds.append(k.DenseRef(len(state.dense)))
    state.dense.append(layer)
    state.width = len(layer.neurons)


def _structure(state: _State, image: k.ImageInput | None, features: tuple[str, ...], r: _Reader,
               tables: list[Any]) -> k.Structure:
    steps = 0
    if state.kinds and isinstance(state.kinds[0], k.RecurrentSpec):
        steps = _sequence_length(r)
    return k.Structure(tuple(state.kinds), image, features if image is None else (), steps)


def _sequence_length(r: _Reader) -> int:
    """The steps of every sample (its rows of inputs): one length for all of them."""
    items = specs._list(r.raw("samples"), None, lambda m: r.fail("samples", m))
    lengths = []
    for i, item in enumerate(items):
        rows = item.get("inputs") if isinstance(item, dict) else None
        if not isinstance(rows, list) or not rows or not all(isinstance(row, list) for row in rows):
            raise SpecError(r.source, f"samples[{i}].inputs", "expected one row of inputs per step: [[...], [...]]")
        lengths.append(len(rows))
    if not lengths:
        raise r.fail("samples", "expected at least one [[samples]] table")
    if any(n != lengths[0] for n in lengths):
        first = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise SpecError(r.source, f"samples[{first}].inputs", f"expected {lengths[0]} steps, as samples[0] has, "
                        f"got {lengths[first]} (every sequence is as long)")
    if not 1 <= lengths[0] <= k.MAX_SEQUENCE:
        raise SpecError(r.source, "samples[0].inputs", f"expected from 1 to {k.MAX_SEQUENCE} steps, got {lengths[0]}")
    return lengths[0]


def _samples(r: _Reader, structure: k.Structure, outputs: int) -> tuple[SampleSpec, ...]:
    items = specs._list(r.raw("samples"), None, lambda m: r.fail("samples", m))
    if not items or len(items) > specs.MAX_SAMPLES:
        raise r.fail("samples", f"expected from 1 to {specs.MAX_SAMPLES} [[samples]] tables, got {len(items)}")
    found = []
    for i, item in enumerate(items):
        s = _Reader(r.source, item, f"samples[{i}]").allow("sample")
        inputs, targets = _sample_arrays(s, structure, outputs)
        found.append(SampleSpec(s.name("name", f"s{i + 1}"), tuple(k.flat(inputs)), tuple(k.flat(targets))))
    return tuple(found)


def _sample_arrays(s: _Reader, structure: k.Structure, outputs: int) -> tuple[Any, Any]:
    if structure.image is not None:
        shape = structure.image.shape
        inputs = k.read_array(s, "inputs", (shape.channels, shape.height, shape.width),
                              ("channels", "rows", "columns"))
        return inputs, k.read_array(s, "targets", (outputs,), ("outputs",))
    steps, width = structure.steps, len(structure.features)
    inputs = k.read_array(s, "inputs", (steps, width), ("steps", "inputs"))
    if structure.per_step:
        return inputs, k.read_array(s, "targets", (steps, outputs), ("steps", "outputs"))
    return inputs, k.read_array(s, "targets", (outputs,), ("outputs",))


def _input_names(structure: k.Structure) -> tuple[str, ...]:
    """Every input's name, in the order of a sample's numbers."""
    if structure.image is not None:
        return tuple(k.flat(k.map_names(structure.image.name, structure.image.shape)))
    return tuple(k.step_name(f, t + 1) for t in range(structure.steps) for f in structure.features)


def output_names(spec: Spec) -> tuple[str, ...]:
    """The output neurons as the network names them, in the order of a sample's targets: `o1`, or
    `o1_t1`, `o1_t2`, ... when the dense layers run at every step."""
    outs = spec.layers[-1].neurons
    structure = spec.structure
    if structure is None or not structure.per_step:
        return outs
    return tuple(k.step_name(o, t + 1) for t in range(structure.steps) for o in outs)


def _check_names(source: str, inputs: tuple[str, ...], structure: k.Structure, state: _State,
                 samples: tuple[SampleSpec, ...], outputs: tuple[str, ...]) -> None:
    """Every name once: the user's and the ones made here (a map and a kernel both called k would clash)."""
    groups: list[tuple[str, tuple[str, ...]]] = [("inputs", inputs)]
    if structure.features:
        groups.append(("inputs", structure.features))
    for i, kind in enumerate(structure.kinds):
        key = f"layers[{i}]"
        if isinstance(kind, k.ConvSpec):
            groups += [(f"{key}.kernel_name", tuple(k.flat(kind.weight_names))),
                       (f"{key}.map_name", tuple(k.flat(k.map_names(kind.map_name, kind.out_shape)))),
                       (f"{key}.bias.names", kind.bias.names)]
        elif isinstance(kind, k.PoolSpec):
            groups.append((f"{key}.map_name", tuple(k.flat(k.map_names(kind.map_name, kind.out_shape)))))
        elif isinstance(kind, k.RecurrentSpec):
            groups += [(f"{key}.neurons", kind.neurons),
                       (f"{key}.input_weight_name", tuple(k.flat(kind.input_names))),
                       (f"{key}.recurrent_weight_name", tuple(k.flat(kind.recurrent_names))),
                       (f"{key}.bias.names", kind.bias.names)]
        elif isinstance(kind, k.DenseRef):
            layer = state.dense[kind.index]
            groups += [(f"{key}.neurons", layer.neurons),
                       (f"{key}.weight_names", tuple(n for row in layer.weight_names for n in row)),
                       (f"{key}.bias.names", layer.bias.names)]
    groups.append(("samples", tuple(s.name for s in samples)))
    specs._check_unique(source, groups)
    reserved = [n for _, names in groups for n in names if n in identifiers.RESERVED]
    if reserved:
        raise SpecError(source, "", f"the name {reserved[0]!r} is reserved")


def with_values(spec: Spec, got: dict[str, Decimal]) -> Spec:
    """`spec` with the parameters named in `got` given those values (an exercise variant's draw)."""
    structure = spec.structure
    assert structure is not None
    kinds = tuple(_kind_with(kind, got) for kind in structure.kinds)
    return replace(spec, structure=replace(structure, kinds=kinds))


def _kind_with(kind: k.LayerKind, got: dict[str, Decimal]) -> k.LayerKind:
    def table(names: Any, values: Any) -> Any:
        if isinstance(names, tuple):
            return tuple(table(n, v) for n, v in zip(names, values))
        return got.get(names, values)

    if isinstance(kind, k.ConvSpec):
        return replace(kind, weights=table(kind.weight_names, kind.weights), bias=_bias_with(kind.bias, got))
    if isinstance(kind, k.RecurrentSpec):
        return replace(kind, input_weights=table(kind.input_names, kind.input_weights),
                       recurrent_weights=table(kind.recurrent_names, kind.recurrent_weights),
                       bias=_bias_with(kind.bias, got))
    return kind


def _bias_with(bias: BiasSpec, got: dict[str, Decimal]) -> BiasSpec:
    return replace(bias, values=tuple(got.get(n, v) for n, v in zip(bias.names, bias.values)))


def parameter_names(spec: Spec) -> tuple[list[str], list[str]]:
    """The weights' and the biases' names in reading order, layer by layer (kernels, W_x then W_h, dense rows)."""
    weights: list[str] = []
    biases: list[str] = []
    for kind in spec.structure.kinds:
        if isinstance(kind, k.ConvSpec):
            weights += k.flat(kind.weight_names)
            biases += list(kind.bias.names)
        elif isinstance(kind, k.RecurrentSpec):
            weights += k.flat(kind.input_names) + k.flat(kind.recurrent_names)
            biases += list(kind.bias.names)
        elif isinstance(kind, k.DenseRef):
            layer = spec.layers[kind.index]
            weights += [w for row in layer.weight_names for w in row]
            biases += list(layer.bias.names)
    return weights, biases


specs.layered_reader = read  # spec.from_mapping reads these specs through this module
