"""Layer kinds beyond the dense layer, read from a spec: convolution, pooling, flatten and an Elman
recurrent layer, mixed with dense layers, every shape checked as it is read.

A `[[layers]]` table names its kind (`kind = "conv2d"`, `"maxpool2d"`, `"avgpool2d"`, `"flatten"`,
`"rnn"`; `"dense"`, the default, is the layer of `derive.model.spec`). A network of these kinds is
either an image network (`inputs = { shape = [channels, height, width] }`, conv2d and pooling layers,
then `flatten`, then dense layers) or a sequence network (an `rnn` layer first, its length read from
the samples, then dense layers applied to the last step's state or to every step's). Every number is
a `Decimal`, every name is made here once (`x1_23`: input channel 1, row 2, column 3; `k1_12`: entry
(1, 2) of kernel 1; `i1_t3`: input 1 at step 3), and `Spec.structure` carries the layers in order for
`derive.model.wiring`, which turns them into neurons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Callable
from typing import Any

import derive.model.spec as specs
from derive.model.rules import ACTIVATIONS, UnknownRule, get_activation
from derive.model.spec import BiasSpec, _Reader

KINDS = ("dense", "conv2d", "maxpool2d", "avgpool2d", "flatten", "rnn")
POOLS = {"maxpool2d": "max", "avgpool2d": "avg"}
LAYER_KEYS = {
    "conv2d": ("kind", "channels", "kernel", "stride", "padding", "activation", "weights", "bias", "map_name",
               "kernel_name"),
    "maxpool2d": ("kind", "size", "stride", "map_name"),
    "avgpool2d": ("kind", "size", "stride", "map_name"),
    "flatten": ("kind",),
    "rnn": ("kind", "neurons", "activation", "input_weights", "recurrent_weights", "bias", "outputs",
            "input_weight_name", "recurrent_weight_name"),
}
INPUT_KEYS = ("shape", "name")
CONV_BIAS_KEYS = ("mode", "trainable", "names", "values")
CONV_BIAS_MODES = ("per_channel", "none")
SEQUENCE_OUTPUTS = ("last", "each")
# Limits a reader can predict: entries of one map (channels x height x width), its sides, the channels,
# a kernel's side, a sequence's steps.
MAX_MAP = 4096
MAX_SIDE = 64
MAX_CHANNELS = 64
MAX_KERNEL = 16
MAX_SEQUENCE = 100
# A name given to a map or a kernel is letters only: digits follow it (k1_12), so it must end before them.
PREFIX = re.compile(r"[A-Za-z]{1,8}\Z")


@dataclass(frozen=True)
class Shape:
    """A stack of maps: channels x height x width."""

    channels: int
    height: int
    width: int

    @property
    def size(self) -> int:
        return self.channels * self.height * self.width

    def text(self) -> str:
        return f"{self.channels}x{self.height}x{self.width}"


@dataclass(frozen=True)
class ImageInput:
    shape: Shape
    name: str  # the prefix of its entries: x -> x1_11


@dataclass(frozen=True)
class ConvSpec:
    """channels kernels of in_channels x kernel; out = activation(sum of kernel times window + bias)."""

    map_name: str  # c -> c1_11
    kernel_name: str  # k -> k1_12
    in_shape: Shape
    out_shape: Shape
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    activation: str
    weight_names: tuple[Any, ...]  # [channel][in channel][row][column]
    weights: tuple[Any, ...]  # the same shape, Decimals
    bias: BiasSpec  # mode per_channel (one per output channel) or none


@dataclass(frozen=True)
class PoolSpec:
    mode: str  # max | avg
    map_name: str  # p -> p1_11
    in_shape: Shape
    out_shape: Shape
    size: tuple[int, int]
    stride: tuple[int, int]


@dataclass(frozen=True)
class FlattenSpec:
    in_shape: Shape


@dataclass(frozen=True)
class RecurrentSpec:
    """An Elman layer: h_t = activation(W_x x_t + W_h h_{t-1} + b), h_0 = 0."""

    neurons: tuple[str, ...]
    activation: str
    input_names: tuple[tuple[str, ...], ...]  # W_x: [unit][input]
    input_weights: tuple[tuple[Decimal, ...], ...]
    recurrent_names: tuple[tuple[str, ...], ...]  # W_h: [unit][unit before]
    recurrent_weights: tuple[tuple[Decimal, ...], ...]
    bias: BiasSpec
    outputs: str  # last: the layers after see the last step's state | each: every step's


@dataclass(frozen=True)
class DenseRef:
    """A dense layer of the structure: `Spec.layers[index]`."""

    index: int


LayerKind = ConvSpec | PoolSpec | FlattenSpec | RecurrentSpec | DenseRef


@dataclass(frozen=True)
class Structure:
    """The layers in order, with what they read: an image, or a sequence of `steps` steps of `features`."""

    kinds: tuple[LayerKind, ...]
    image: ImageInput | None = None
    features: tuple[str, ...] = ()  # a sequence network's inputs at one step
    steps: int = 0

    @property
    def recurrent(self) -> RecurrentSpec | None:
        return next((k for k in self.kinds if isinstance(k, RecurrentSpec)), None)

    @property
    def per_step(self) -> bool:
        """Whether the dense layers run at every step (an rnn with outputs = "each")."""
        rnn = self.recurrent
        return rnn is not None and rnn.outputs == "each"

    def kind_name(self, index: int) -> str:
        k = self.kinds[index]
        if isinstance(k, ConvSpec):
            return "conv2d"
        if isinstance(k, PoolSpec):
            return f"{k.mode}pool2d"
        return {FlattenSpec: "flatten", RecurrentSpec: "rnn", DenseRef: "dense"}[type(k)]


# --- names -----------------------------------------------------------------------------------------


def entry_name(prefix: str, channel: int, row: int, col: int, wide: bool) -> str:
    """`x1_23` (channel 1, row 2, column 3), or `x1_2_13` for a map ten or more entries wide."""
    return f"{prefix}{channel}_{row}_{col}" if wide else f"{prefix}{channel}_{row}{col}"


def map_names(prefix: str, shape: Shape) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Every entry's name, [channel][row][column], 1-based in the names."""
    wide = max(shape.height, shape.width) >= 10
    return tuple(tuple(tuple(entry_name(prefix, c + 1, r + 1, s + 1, wide) for s in range(shape.width))
                       for r in range(shape.height)) for c in range(shape.channels))


def kernel_names(prefix: str, channels: int, in_channels: int, kernel: tuple[int, int]) -> tuple[Any, ...]:
    """`k1_12`: entry (1, 2) of kernel 1; `k1_2_12` with several input channels: of its channel 2."""
    wide = max(kernel) >= 10

    def one(o: int, i: int, r: int, s: int) -> str:
        at = f"{r}_{s}" if wide else f"{r}{s}"
        return f"{prefix}{o}_{i}_{at}" if in_channels > 1 else f"{prefix}{o}_{at}"

    return tuple(tuple(tuple(tuple(one(o + 1, i + 1, r + 1, s + 1) for s in range(kernel[1]))
                             for r in range(kernel[0])) for i in range(in_channels)) for o in range(channels))


def step_name(name: str, step: int) -> str:
    """A quantity at step `step` of a sequence: `h1_t3` (claims write it `h1[t=3]`)."""
    return f"{name}_t{step}"


def pair_name(prefix: str, row: int, col: int, wide: bool) -> str:
    """`wx12`: row 1, column 2 of a recurrent layer's matrix (`wx1_12` once an index has two digits)."""
    return f"{prefix}{row}_{col}" if wide else f"{prefix}{row}{col}"


def flat(nested: Any) -> list[Any]:
    """The entries of a nested tuple in reading order (the last index fastest)."""
    if isinstance(nested, tuple):
        return [x for item in nested for x in flat(item)]
    return [nested]


def out_size(side: int, kernel: int, stride: int, padding: int) -> int:
    """The side of a convolution's or a pool's output, as PyTorch computes it (rounded down)."""
    return (side + 2 * padding - kernel) // stride + 1


# --- reading ---------------------------------------------------------------------------------------


class _Draw:
    """Numbers for a parameter array: from the spec's table, or drawn by [init] in reading order."""

    def __init__(self, draw: Callable[[int], list[Decimal]] | None) -> None:
        self.draw = draw

    def array(self, r: _Reader, key: str, shape: tuple[int, ...], what: tuple[str, ...]) -> tuple[Any, ...]:
        if self.draw is not None and r.has(key):
            raise r.fail(key, "given together with an [init] table: leave out one of them")
        if not r.has(key):
            if self.draw is None:
                raise r.fail(key, "missing required key (or give an [init] table to draw them)")
            return _shaped(self.draw(_count(shape)), shape)
        return read_array(r, key, shape, what)


def _count(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def _shaped(values: list[Any], shape: tuple[int, ...]) -> tuple[Any, ...]:
    if len(shape) == 1:
        return tuple(values)
    step = len(values) // shape[0]
    return tuple(_shaped(values[k * step:(k + 1) * step], shape[1:]) for k in range(shape[0]))


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        depth, value = depth + 1, value[0]
    return depth + (1 if isinstance(value, list) else 0)


def read_array(r: _Reader, key: str, shape: tuple[int, ...], what: tuple[str, ...]) -> tuple[Any, ...]:
    """A nested array of numbers of exactly `shape`; leading dimensions of 1 may be left out
    (`[[0.1, 0.2], [0.3, 0.4]]` for one 2x2 kernel of one channel). `what` names each dimension."""
    value = r.raw(key)
    depth = _depth(value)
    given = len(shape) - depth
    wanted = "[" + ", ".join(str(n) for n in shape) + "]"
    if not isinstance(value, list) or given < 0 or any(n != 1 for n in shape[:given]):
        raise r.fail(key, f"expected an array of shape {wanted} ({' x '.join(what)})")
    parsed = _read_nested(r, key, value, shape[given:], what[given:])
    for _ in range(given):
        parsed = (parsed,)
    return parsed


def _read_nested(r: _Reader, key: str, value: Any, shape: tuple[int, ...], what: tuple[str, ...]) -> tuple[Any, ...]:
    items = specs._list(value, None, r.failing(key))
    if len(items) != shape[0]:
        raise r.fail(key, f"expected {shape[0]} entries ({what[0]}), got {len(items)}")
    if len(shape) == 1:
        return tuple(specs._number(v, r.failing(f"{key}[{j}]")) for j, v in enumerate(items))
    return tuple(_read_nested(r, f"{key}[{j}]", v, shape[1:], what[1:]) for j, v in enumerate(items))


def _pair(r: _Reader, key: str, default: int | None, low: int, high: int) -> tuple[int, int]:
    """A size given as one number or as [rows, columns]."""
    value = r.raw(key, default if default is not None else ...)
    if isinstance(value, list) and len(value) == 2:
        rows, cols = value
    elif isinstance(value, int) and not isinstance(value, bool):
        rows, cols = value, value
    else:
        raise r.fail(key, f"expected a whole number from {low} to {high}, or [rows, columns]")
    if any(isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high for v in (rows, cols)):
        raise r.fail(key, f"expected whole numbers from {low} to {high}")
    return rows, cols


def _prefix(r: _Reader, key: str, default: str) -> str:
    value = r.raw(key, default)
    if not isinstance(value, str) or not PREFIX.match(value):
        raise r.fail(key, f"expected 1 to 8 letters (digits follow the name: {default}1_12), got {value!r}")
    return value


def _activation(r: _Reader) -> str:
    name = r.text("activation")
    try:
        activation = get_activation(name)
    except UnknownRule:
        raise r.fail("activation", f"expected one of {', '.join(ACTIVATIONS)}, got {name!r}") from None
    if not activation.elementwise:
        raise r.fail("activation", f"{name} is for a dense output layer only")
    return name


def _series(count: int, first: str, more: str) -> list[str]:
    """Default prefixes: `first` for the only one, `more` + a, b, ... for several."""
    if count == 1:
        return [first]
    return [more + specs._hidden_prefix(k, count)[1:] for k in range(count)]
