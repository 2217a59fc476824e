"""Specs: a network described in TOML, read and validated once into frozen dataclasses.

Every later stage trusts a `Spec`: names match `derive.model.identifiers.IDENTIFIER`, counts match the layer sizes,
numbers are finite decimals, random initial values are already drawn.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import derive.model.data as data_table
import derive.model.identifiers as identifiers
import derive.model.reading as reading
from derive.model.rules import ACTIVATIONS, UnknownRule, get_activation

PRESET_PACKAGE = "derive.presets"
BIAS_MODES = ("none", "shared", "per_neuron")
BIAS_FORMS = ("bias", "threshold")
UPDATES = ("sgd", "batch")
REDUCTIONS = ("sum", "mean")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam")
DECAYS = ("l2", "decoupled")
# The keys each optimizer reads beyond the learning rate; any other optimizer refuses them.
OPTIMIZER_KEYS = {"momentum": ("momentum", "nesterov"), "beta1": ("adam",), "beta2": ("adam",),
                  "epsilon": ("adam",)}
INITIALISERS = ("normal", "uniform")
SPEC_LOSSES = ("half_sse", "mse", "cross_entropy")
MAX_STEPS = 1_000_000
# A title reaches Markdown, LaTeX and HTML as it is: only characters that mean nothing special to
# any of them. The English notes load no CJK font, so Chinese is for the Chinese title only.
TITLE = re.compile(r"[A-Za-z0-9 \-,.:;()'/!?+=]{1,120}\Z")
TITLE_RULE = "expected at most 120 ASCII letters, digits, spaces and - , . : ; ( ) ' / ! ? + ="
# Chinese characters, CJK punctuation (U+3000-303F) and the full-width punctuation ，：；（）！？ too.
TITLE_ZH = re.compile(r"[A-Za-z0-9 \-,.:;()'/!?+=\u3000-\u303f\u4e00-\u9fff，：；（）！？]{1,120}\Z")
TITLE_ZH_RULE = TITLE_RULE[:-1] + "= and Chinese characters and punctuation"
# Languages a spec may give its own title in (`titles = { zh = "..." }`).
TITLE_LANGUAGES = ("en", "zh")
# Numbers of a spec stay within double precision's range, so every later stage can hold them.
MAX_MAGNITUDE = 300
MAX_PARAMS = 200_000
# Limits a reader can predict, checked as the spec is read, so no input makes the work unbounded:
# the file's size, the samples, the layers, the neurons of a layer, the digits a number is written with.
MAX_SPEC_BYTES = 4_000_000
MAX_SAMPLES = 1_000
MAX_LAYERS = 32
MAX_NEURONS = 4096
MAX_NUMBER_DIGITS = 60
ALLOWED_KEYS = {
    "": ("title", "titles", "inputs", "loss", "init", "layers", "samples", "training", "aliases", "exercise", "data"),
    "layer": ("kind", "neurons", "activation", "weights", "weight_names", "bias"),
    "bias": ("mode", "form", "trainable", "names", "values"),
    "sample": ("name", "inputs", "targets"),
    "training": ("learning_rate", "update", "reduction", "steps", "optimizer", "momentum", "beta1", "beta2",
                 "epsilon", "weight_decay", "decay", "decay_biases"),
    "init": ("kind", "seed", "mean", "std", "low", "high"),
    "exercise": ("inputs", "targets", "weights", "biases", "learning_rate", "ask", "digits"),
    "range": ("low", "high", "decimals"),
    "data": data_table.DATA_KEYS,
}
# What an [exercise] table may draw, in the order a variant's numbers are drawn (see derive.course).
EXERCISE_KINDS = ("inputs", "targets", "weights", "biases", "learning_rate")
MAX_DECIMALS = 6
MAX_ASK = 20
MAX_ASK_CHARS = 80
# A question is a quantity as a plain claim names it (dE_total/dw5, w1@1, out_o1[s2]): what a sheet
# tells students to write, so no LaTeX.
ASK = re.compile(r"[A-Za-z][A-Za-z0-9_/@\[\]=]{0,79}\Z")  # = for a step of a sequence: h2[t=3]
DEFAULT_EXERCISE_DIGITS = 3
MAX_EXERCISE_DIGITS = 9


# The reader of specs with convolution, pooling or recurrent layers (derive.model.structure, which is built
# on this module and so is not imported here): derive.model puts it here, to be imported with the first
# spec that `is_layered`; it answers None for a spec of dense layers.
layered_reader: Callable[[Any, str, str], Spec | None] | None = None


def is_layered(data: Any) -> bool:
    """Whether a parsed spec uses layers beyond the dense one (see derive.model.kinds): an input shape,
    or a layer that names its kind."""
    if not isinstance(data, dict):
        return False
    layers = data.get("layers")
    named = isinstance(layers, list) and any(isinstance(t, dict) and t.get("kind", "dense") != "dense"
                                             for t in layers)
    return named or isinstance(data.get("inputs"), dict)


class SpecError(ValueError):
    """Unusable input: `str()` is one line naming the file, the key and what was expected."""

    def __init__(self, source: str, key: str, message: str) -> None:
        source, key = identifiers.escaped(source), identifiers.escaped(key)  # user text, shown on one line
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")


@dataclass(frozen=True)
class BiasSpec:
    mode: str  # none | shared | per_neuron
    form: str  # bias (net = sum + b) | threshold (net = sum - theta)
    trainable: bool
    names: tuple[str, ...]
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class LayerSpec:
    neurons: tuple[str, ...]
    activation: str
    weight_names: tuple[tuple[str, ...], ...]  # [neuron][source]
    weights: tuple[tuple[Decimal, ...], ...]
    bias: BiasSpec


@dataclass(frozen=True)
class SampleSpec:
    name: str
    inputs: tuple[Decimal, ...]
    targets: tuple[Decimal, ...]


@dataclass(frozen=True)
class OptimizerSpec:
    """The update rule and its numbers; defaults as in PyTorch (a momentum of 0.9 where one is asked for)."""

    name: str = "sgd"  # sgd | momentum | nesterov | adam
    momentum: Decimal = Decimal("0.9")
    beta1: Decimal = Decimal("0.9")
    beta2: Decimal = Decimal("0.999")
    epsilon: Decimal = Decimal("1e-8")
    weight_decay: Decimal = Decimal(0)
    decay: str = "l2"  # l2: lambda/2 w^2 added to the loss | decoupled: w shrunk apart from the rule, as AdamW
    decay_biases: bool = False

    @property
    def plain(self) -> bool:
        """Plain gradient descent, p - eta dE/dp: the notes and code of a spec without this table."""
        return self.name == "sgd" and not self.weight_decay


@dataclass(frozen=True)
class TrainingSpec:
    learning_rate: Decimal
    update: str
    reduction: str
    steps: tuple[int, ...]
    optimizer: OptimizerSpec = OptimizerSpec()


@dataclass(frozen=True)
class InitSpec:
    kind: str
    seed: int
    mean: Decimal
    std: Decimal
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class DrawRange:
    """Numbers drawn for an exercise: multiples of 10^-decimals from `low` to `high`, both included."""

    low: Decimal
    high: Decimal
    decimals: int

    @property
    def units(self) -> tuple[int, int]:
        """The smallest and largest multiple of 10^-decimals in the range, counted in those units."""
        scale = Decimal(10) ** self.decimals
        return -int((-self.low * scale).to_integral_value(rounding="ROUND_FLOOR")), \
            int((self.high * scale).to_integral_value(rounding="ROUND_FLOOR"))


@dataclass(frozen=True)
class ExerciseSpec:
    """`[exercise]`: the ranges a variant's numbers are drawn from, the questions, the digits asked."""

    ranges: tuple[tuple[str, DrawRange], ...]  # (kind, range) in EXERCISE_KINDS order; a kind left out keeps the spec's
    ask: tuple[str, ...]  # claims' left sides (`dE_total/dw5`, `w1@1`); empty: the default questions
    digits: int = DEFAULT_EXERCISE_DIGITS

    def range_of(self, kind: str) -> DrawRange | None:
        return dict(self.ranges).get(kind)


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    source: str
    inputs: tuple[str, ...]
    layers: tuple[LayerSpec, ...]
    loss: str
    samples: tuple[SampleSpec, ...]
    training: TrainingSpec
    init: InitSpec | None
    titles: tuple[tuple[str, str], ...] = ()  # (language, title) where the spec translates its title
    # (a name people write, the network's name or name head it stands for), for `derive check` documents
    aliases: tuple[tuple[str, str], ...] = ()
    exercise: ExerciseSpec | None = None
    data: data_table.DataSpec | None = None  # the samples `derive train` trains on, where not the spec's own
    # the layers in order where some are convolution, pooling, flatten or recurrent (derive.model.kinds);
    # `layers` then holds the dense ones
    structure: Any = None

    def title_in(self, lang: str) -> str:
        """The title in `lang`, or the spec's own title when it gives none in that language."""
        return dict(self.titles).get(lang, self.title)


class _Reader:
    """Typed access to one TOML table, every failure reported with the file and the dotted key."""

    def __init__(self, source: str, table: Any, path: str) -> None:
        if not isinstance(table, dict):
            raise SpecError(source, path, "expected a table")
        self.source, self.table, self.path = source, table, path

    def allow(self, kind: str) -> _Reader:
        """Refuse keys this table does not have: a typo must not silently become a default."""
        for key in self.table:
            if key not in ALLOWED_KEYS[kind]:
                raise self.fail(key, f"unknown key (expected one of {', '.join(ALLOWED_KEYS[kind])})")
        return self

    def key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> SpecError:
        return SpecError(self.source, self.key(key), message)

    def failing(self, key: str) -> Callable[[str], SpecError]:
        """`fail` for one key, made when the key is known (an item of a list names its own index)."""
        return lambda message: self.fail(key, message)

    def has(self, key: str) -> bool:
        return key in self.table

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(key, "missing required key")
            return default
        return self.table[key]

    def sub(self, key: str, default: Any = ...) -> _Reader:
        return _Reader(self.source, self.raw(key, default), self.key(key))

    def text(self, key: str, default: Any = ..., choices: tuple[str, ...] = ()) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str):
            raise self.fail(key, "expected a string")
        if choices and value not in choices:
            raise self.fail(key, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def flag(self, key: str, default: Any = ...) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def integer(self, key: str, default: Any = ..., low: int = 0, high: int = 2**31) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"expected a whole number from {low} to {high}")
        return value

    def number(self, key: str, default: Any = ...) -> Decimal:
        return _number(self.raw(key, default), lambda m: self.fail(key, m))

    def name(self, key: str, default: Any = ...) -> str:
        return _name(self.raw(key, default), lambda m: self.fail(key, m))


def _number(value: Any, fail: Callable[[str], SpecError]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise fail("expected a number")
    number = Decimal(value)
    if not number.is_finite():
        raise fail(f"expected a finite number, got {value}")
    if len(number.as_tuple().digits) > MAX_NUMBER_DIGITS:
        raise fail(f"expected a number of at most {MAX_NUMBER_DIGITS} digits")
    if number and abs(number.adjusted()) > MAX_MAGNITUDE:
        raise fail(f"expected a number between 1e-{MAX_MAGNITUDE} and 1e{MAX_MAGNITUDE} in size, got {value}")
    return number


def _name(value: Any, fail: Callable[[str], SpecError]) -> str:
    if not identifiers.is_valid_name(value):
        shown = repr(value)[:40]
        raise fail(f"expected a name of letters and digits starting with a letter "
                   f"(at most 32, not a reserved word), got {shown}")
    return value


def _list(value: Any, length: int | None, fail: Callable[[str], SpecError]) -> list[Any]:
    if not isinstance(value, list):
        raise fail("expected an array")
    if length is not None and len(value) != length:
        raise fail(f"expected {length} entries, got {len(value)}")
    return value


def _numbers(r: _Reader, key: str, length: int | None) -> tuple[Decimal, ...]:
    values = _list(r.raw(key), length, lambda m: r.fail(key, m))
    return tuple(_number(v, r.failing(f"{key}[{i}]")) for i, v in enumerate(values))


def _names_or_count(r: _Reader, key: str, prefix: str) -> tuple[str, ...]:
    value = r.raw(key)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 1 <= value <= MAX_NEURONS:
            raise r.fail(key, f"expected a count from 1 to {MAX_NEURONS} or a list of names")
        return tuple(f"{prefix}{k}" for k in range(1, value + 1))
    items = _list(value, None, lambda m: r.fail(key, m))
    if not items or len(items) > MAX_NEURONS:
        raise r.fail(key, f"expected from 1 to {MAX_NEURONS} names")
    return tuple(_name(v, r.failing(f"{key}[{i}]")) for i, v in enumerate(items))


def _hidden_prefix(index: int, hidden_count: int) -> str:
    """Default neuron-name prefix of hidden layer `index` (0-based): h, or ha, hb, ..., hz, haa, hab, ...
    for several (letters counted as in spreadsheet columns, so every layer's prefix is distinct)."""
    if hidden_count == 1:
        return "h"
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return "h" + letters


class _Numbering:
    """Hands out the default weight and bias names w1, w2, ... and b1, b2, ... in reading order."""

    def __init__(self) -> None:
        self.weights = 0
        self.biases = 0

    def weight(self) -> str:
        self.weights += 1
        return f"w{self.weights}"

    def bias(self) -> str:
        self.biases += 1
        return f"b{self.biases}"


def _read_layer(r: _Reader, fan_in: int, prefix: str, numbering: _Numbering,
                draw: Callable[[int], list[Decimal]] | None, budget: int) -> LayerSpec:
    r.allow("layer")
    neurons = _names_or_count(r, "neurons", prefix)
    if len(neurons) * (fan_in + 1) > budget:  # checked before any weight is drawn
        raise r.fail("neurons", f"the network would have more than {MAX_PARAMS} parameters")
    activation = r.text("activation")
    try:
        get_activation(activation)
    except UnknownRule:
        raise r.fail("activation", f"expected one of {', '.join(ACTIVATIONS)}, got {activation!r}") from None
    weight_names = _weight_names(r, len(neurons), fan_in, numbering)
    weights = _weights(r, len(neurons), fan_in, draw)
    bias = _read_bias(r, neurons, numbering)
    return LayerSpec(neurons, activation, weight_names, weights, bias)


def _weight_names(r: _Reader, rows: int, cols: int, numbering: _Numbering) -> tuple[tuple[str, ...], ...]:
    if not r.has("weight_names"):
        return tuple(tuple(numbering.weight() for _ in range(cols)) for _ in range(rows))
    table = _list(r.raw("weight_names"), rows, lambda m: r.fail("weight_names", m))
    return tuple(
        tuple(_name(v, r.failing(f"weight_names[{i}][{j}]"))
              for j, v in enumerate(_list(row, cols, r.failing(f"weight_names[{i}]"))))
        for i, row in enumerate(table)
    )


def _weights(r: _Reader, rows: int, cols: int,
             draw: Callable[[int], list[Decimal]] | None) -> tuple[tuple[Decimal, ...], ...]:
    if draw is not None and r.has("weights"):  # the notes would say drawn and use the written ones
        raise r.fail("weights", "given together with an [init] table: leave out one of them")
    if not r.has("weights"):
        if draw is None:
            raise r.fail("weights", "missing required key (or give an [init] table to draw them)")
        flat = draw(rows * cols)
        return tuple(tuple(flat[i * cols:(i + 1) * cols]) for i in range(rows))
    table = _list(r.raw("weights"), rows,
                  lambda m: r.fail("weights", f"{m} (one row per neuron, {rows} neurons)"))
    return tuple(_weight_row(r, i, row, cols) for i, row in enumerate(table))


def _weight_row(r: _Reader, i: int, row: Any, cols: int) -> tuple[Decimal, ...]:
    key = f"weights[{i}]"
    items = _list(row, cols, lambda m: r.fail(key, f"{m} (one per neuron of the previous layer, {cols})"))
    return tuple(_number(v, r.failing(f"{key}[{j}]")) for j, v in enumerate(items))


def _read_bias(layer: _Reader, neurons: tuple[str, ...], numbering: _Numbering) -> BiasSpec:
    if not layer.has("bias"):
        return BiasSpec("none", "bias", False, (), ())
    r = layer.sub("bias").allow("bias")
    mode = r.text("mode", "per_neuron", BIAS_MODES)
    form = r.text("form", "bias", BIAS_FORMS)
    trainable = r.flag("trainable", True)
    count = {"none": 0, "shared": 1, "per_neuron": len(neurons)}[mode]
    values = _numbers(r, "values", count) if r.has("values") else tuple(Decimal(0) for _ in range(count))
    if r.has("names"):
        raw = _list(r.raw("names"), count, lambda m: r.fail("names", m))
        bias_names = tuple(_name(v, r.failing(f"names[{i}]")) for i, v in enumerate(raw))
    else:
        bias_names = tuple(numbering.bias() for _ in range(count))
    return BiasSpec(mode, form, trainable, bias_names, values)


def _read_init(r: _Reader) -> InitSpec | None:
    if not r.has("init"):
        return None
    init = r.sub("init").allow("init")
    spec = InitSpec(
        kind=init.text("kind", "normal", INITIALISERS),
        seed=init.integer("seed", 0, 0, 2**32 - 1),
        mean=init.number("mean", Decimal(0)),
        std=init.number("std", Decimal("0.1")),
        low=init.number("low", Decimal("-0.5")),
        high=init.number("high", Decimal("0.5")),
    )
    if spec.kind == "normal" and spec.std <= 0:
        raise init.fail("std", "expected a positive number")
    if spec.kind == "uniform" and not spec.low < spec.high:
        raise init.fail("high", "expected a number above init.low")
    if abs(spec.mean) + 10 * spec.std > Decimal("1e300") or spec.high - spec.low > Decimal("1e300"):
        raise init.fail("std" if spec.kind == "normal" else "high", "expected a spread below 1e300")
    return spec


def _drawer(init: InitSpec | None) -> Callable[[int], list[Decimal]] | None:
    """Draws initial weights in reading order from one seeded generator."""
    if init is None:
        return None
    import numpy as np  # only a spec with [init] needs NumPy: a render of written weights never loads it

    rng = np.random.default_rng(init.seed)

    def draw(count: int) -> list[Decimal]:
        if init.kind == "normal":
            values = rng.normal(float(init.mean), float(init.std), count)
        else:
            values = rng.uniform(float(init.low), float(init.high), count)
        # The shortest repr of each double: the spec's random weights read as plain decimals.
        return [Decimal(repr(float(v))) for v in values]

    return draw


def _read_training(r: _Reader) -> TrainingSpec:
    t = r.sub("training").allow("training")
    rate = t.number("learning_rate")
    if rate <= 0:
        raise t.fail("learning_rate", f"expected a positive number, got {rate}")
    steps_raw = _list(t.raw("steps", [1]), None, lambda m: t.fail("steps", m))
    steps = tuple(_step(v, t.failing(f"steps[{i}]")) for i, v in enumerate(steps_raw))
    if not steps:
        raise t.fail("steps", "expected at least one step count")
    if list(steps) != sorted(set(steps)):
        raise t.fail("steps", "expected increasing step counts without repeats")
    return TrainingSpec(rate, t.text("update", "sgd", UPDATES), t.text("reduction", "sum", REDUCTIONS), steps,
                        _read_optimizer(t))


def _read_optimizer(t: _Reader) -> OptimizerSpec:
    """The optimizer's keys of [training]: each only where its optimizer reads it, each in its range."""
    name = t.text("optimizer", "sgd", OPTIMIZERS)
    for key, owners in OPTIMIZER_KEYS.items():
        if t.has(key) and name not in owners:
            wanted = " or ".join(repr(o) for o in owners)
            raise t.fail(key, f"only with optimizer = {wanted} (the optimizer is {name!r})")
    default = OptimizerSpec()
    decay = t.number("weight_decay", default.weight_decay)
    if decay < 0:
        raise t.fail("weight_decay", f"expected a number from 0 up, got {decay}")
    for key in ("decay", "decay_biases"):
        if t.has(key) and not decay:
            raise t.fail(key, "only with a weight_decay above 0")
    return OptimizerSpec(name, _fraction(t, "momentum", default.momentum, 0),
                         _fraction(t, "beta1", default.beta1, None), _fraction(t, "beta2", default.beta2, None),
                         _positive(t, "epsilon", default.epsilon), decay,
                         t.text("decay", default.decay, DECAYS), t.flag("decay_biases", default.decay_biases))


def _fraction(t: _Reader, key: str, default: Decimal, low_exclusive: int | None) -> Decimal:
    """A rate of decay of an average: from 0 (above 0 where `low_exclusive` is 0) up to, not including, 1."""
    value = t.number(key, default)
    if not (value > 0 if low_exclusive == 0 else value >= 0) or value >= 1:
        low = "above 0" if low_exclusive == 0 else "from 0"
        raise t.fail(key, f"expected a number {low} and below 1, got {value}")
    return value


def _positive(t: _Reader, key: str, default: Decimal) -> Decimal:
    value = t.number(key, default)
    if value <= 0:
        raise t.fail(key, f"expected a positive number, got {value}")
    return value


def _step(value: Any, fail: Callable[[str], SpecError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_STEPS:
        raise fail(f"expected a whole number of steps from 1 to {MAX_STEPS}")
    return value


def _read_samples(r: _Reader, n_in: int, n_out: int) -> tuple[SampleSpec, ...]:
    items = _list(r.raw("samples"), None, lambda m: r.fail("samples", m))
    if not items or len(items) > MAX_SAMPLES:
        raise r.fail("samples", f"expected from 1 to {MAX_SAMPLES} [[samples]] tables, got {len(items)}")
    samples = []
    for i, item in enumerate(items):
        s = _Reader(r.source, item, f"samples[{i}]").allow("sample")
        name = s.name("name", f"s{i + 1}")
        samples.append(SampleSpec(name, _numbers(s, "inputs", n_in), _numbers(s, "targets", n_out)))
    return tuple(samples)


def _check_unique(spec_source: str, groups: list[tuple[str, tuple[str, ...]]]) -> None:
    seen: dict[str, str] = {}
    for key, group in groups:
        for name in group:
            if name in seen:
                raise SpecError(spec_source, key, f"name {name!r} is used twice (also in {seen[name]})")
            seen[name] = key


def _check_targets(source: str, loss: str, samples: tuple[SampleSpec, ...]) -> None:
    """Cross-entropy's targets are probabilities: outside [0, 1] its loss has no lower bound."""
    if loss != "cross_entropy":
        return
    for i, sample in enumerate(samples):
        for j, t in enumerate(sample.targets):
            if not 0 <= t <= 1:
                raise SpecError(source, f"samples[{i}].targets[{j}]",
                                f"expected a number from 0 to 1 for cross_entropy, got {t}")


def _check_loss(r: _Reader, loss: str, layers: list[LayerSpec]) -> None:
    for i, layer in enumerate(layers[:-1]):
        if layer.activation == "softmax":
            raise SpecError(r.source, f"layers[{i}].activation", "softmax is for the output layer only")
    out_act = layers[-1].activation
    if loss == "cross_entropy" and out_act not in ("softmax", "sigmoid"):
        raise r.fail("loss", f"cross_entropy needs softmax or sigmoid outputs, not {out_act}")


def from_mapping(data: Any, source: str, name: str) -> Spec:
    """Validate a parsed TOML document into a `Spec`; raises `SpecError` on the first problem."""
    layered = layered_reader(data, source, name) if layered_reader is not None else None
    if layered is not None:  # convolution, pooling or recurrent layers
        return layered
    r = _Reader(source, data, "").allow("")
    title = r.text("title", name)
    if not TITLE.match(title) or not title.strip():
        raise r.fail("title", TITLE_RULE + ", not only spaces")
    titles = _read_titles(r)
    inputs = _names_or_count(r, "inputs", "i")
    loss = r.text("loss")
    if loss not in SPEC_LOSSES:
        raise r.fail("loss", f"expected one of {', '.join(SPEC_LOSSES)}, got {loss!r}")
    init = _read_init(r)
    draw = _drawer(init)
    raw_layers = _list(r.raw("layers"), None, lambda m: r.fail("layers", m))
    if not raw_layers or len(raw_layers) > MAX_LAYERS:
        raise r.fail("layers", f"expected from 1 to {MAX_LAYERS} [[layers]] tables, got {len(raw_layers)}")
    numbering = _Numbering()
    layers: list[LayerSpec] = []
    fan_in = len(inputs)
    count = 0
    for i, raw in enumerate(raw_layers):
        is_output = i == len(raw_layers) - 1
        prefix = "o" if is_output else _hidden_prefix(i, len(raw_layers) - 1)
        layer = _read_layer(_Reader(source, raw, f"layers[{i}]"), fan_in, prefix, numbering, draw, MAX_PARAMS - count)
        layers.append(layer)
        count += len(layer.neurons) * (fan_in + 1)
        fan_in = len(layer.neurons)
    _check_loss(r, loss, layers)
    samples = _read_samples(r, len(inputs), len(layers[-1].neurons))
    _check_targets(source, loss, samples)
    _check_unique(source, _name_groups(inputs, layers, samples))
    return Spec(name, title, source, inputs, tuple(layers), loss, samples, _read_training(r), init, titles,
                _read_aliases(r), _read_exercise(r, loss), _read_data(r))


def _read_data(r: _Reader) -> data_table.DataSpec | None:
    """`[data]`: the file of samples `derive train` trains on (see derive.model.data)."""
    return data_table.read(r.sub("data").allow("data")) if r.has("data") else None


def _read_exercise(r: _Reader, loss: str) -> ExerciseSpec | None:
    """`[exercise]`: a range per kind of number, the questions (`ask`) and the significant digits asked."""
    if not r.has("exercise"):
        return None
    e = r.sub("exercise").allow("exercise")
    ranges = tuple((kind, _read_range(e.sub(kind))) for kind in EXERCISE_KINDS if e.has(kind))
    if not ranges:
        raise SpecError(e.source, "exercise", f"expected at least one range to draw ({', '.join(EXERCISE_KINDS)})")
    found = dict(ranges)
    if "learning_rate" in found and found["learning_rate"].low <= 0:
        raise e.fail("learning_rate.low", "expected a positive number (a learning rate is above 0)")
    if "targets" in found and loss == "cross_entropy" and not 0 <= found["targets"].low <= found["targets"].high <= 1:
        raise e.fail("targets", "expected a range within 0 to 1 for cross_entropy")
    asked = _list(e.raw("ask", []), None, lambda m: e.fail("ask", m))
    if len(asked) > MAX_ASK:
        raise e.fail("ask", f"expected at most {MAX_ASK} questions, got {len(asked)}")
    for i, item in enumerate(asked):
        if not isinstance(item, str) or not ASK.match(item):
            raise e.fail(f"ask[{i}]", f"expected a quantity as a plain claim names it (out_o1, dE_total/dw5, w1@1): "
                         f"a letter, then letters, digits, _ / @ [ ] =, at most {MAX_ASK_CHARS} characters")
    if len(set(asked)) != len(asked):
        raise e.fail("ask", "expected each question once")
    return ExerciseSpec(ranges, tuple(asked),
                        e.integer("digits", DEFAULT_EXERCISE_DIGITS, 1, MAX_EXERCISE_DIGITS))


def _read_range(r: _Reader) -> DrawRange:
    r.allow("range")
    drawn = DrawRange(r.number("low"), r.number("high"), r.integer("decimals", 2, 0, MAX_DECIMALS))
    if drawn.high < drawn.low:
        raise r.fail("high", f"expected a number from low ({drawn.low}) up, got {drawn.high}")
    if abs(drawn.low) > 1000 or abs(drawn.high) > 1000:
        raise r.fail("high" if abs(drawn.high) > 1000 else "low", "expected a number from -1000 to 1000")
    first, last = drawn.units
    if first > last:
        raise r.fail("decimals", f"no number with {drawn.decimals} decimals lies from {drawn.low} to {drawn.high}")
    return drawn


ALIAS = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,40}\Z")


def _read_aliases(r: _Reader) -> tuple[tuple[str, str], ...]:
    """`[aliases]`: a course's own letters (z = "net", a = "out", L = "E_total"), names on both sides."""
    table = r.raw("aliases", {})
    if not isinstance(table, dict):
        raise r.fail("aliases", 'expected a table of your name = "network name"')
    for key, value in table.items():
        if not ALIAS.match(key) or not isinstance(value, str) or not ALIAS.match(value):
            raise r.fail(f"aliases.{key}", "expected a letter then letters, digits or _ on both sides")
    return tuple(sorted(table.items()))


def _read_titles(r: _Reader) -> tuple[tuple[str, str], ...]:
    table = r.raw("titles", {})
    if not isinstance(table, dict):
        raise r.fail("titles", f"expected a table of titles by language ({', '.join(TITLE_LANGUAGES)})")
    titles = []
    for lang in sorted(table):
        key = f"titles.{lang}"
        if lang not in TITLE_LANGUAGES:
            raise r.fail(key, f"unknown language (expected one of {', '.join(TITLE_LANGUAGES)})")
        pattern, rule = (TITLE_ZH, TITLE_ZH_RULE) if lang == "zh" else (TITLE, TITLE_RULE)
        if not isinstance(table[lang], str) or not pattern.match(table[lang]) or not table[lang].strip():
            raise r.fail(key, rule + ", not only spaces")
        titles.append((lang, table[lang]))
    return tuple(titles)


def _name_groups(inputs: tuple[str, ...], layers: list[LayerSpec],
                 samples: tuple[SampleSpec, ...]) -> list[tuple[str, tuple[str, ...]]]:
    groups = [("inputs", inputs)]
    for i, layer in enumerate(layers):
        groups.append((f"layers[{i}].neurons", layer.neurons))
        groups.append((f"layers[{i}].weight_names", tuple(n for row in layer.weight_names for n in row)))
        groups.append((f"layers[{i}].bias.names", layer.bias.names))
    groups.append(("samples", tuple(s.name for s in samples)))
    return groups


# the name of a network whose file's stem is no valid name (the notes then leave the name out)
UNNAMED = "network"


def load_path(path: Path) -> Spec:
    """Read a spec file; the network is named after the file's stem."""
    return load_path_with_text(path)[0]


def load_path_with_text(path: Path) -> tuple[Spec, str]:
    """A spec file read once: the spec, and the text it was read from (an exercise's key keeps it)."""
    source = str(path)
    try:
        raw = reading.read_bytes(path, MAX_SPEC_BYTES)
    except reading.ReadError as exc:
        raise SpecError(source, "", str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(source, "", "expected UTF-8 text") from None
    stem = path.stem
    return load_text(text, source, stem if identifiers.is_valid_name(stem) else UNNAMED), text


def load_text(text: str, source: str = "<spec>", name: str = UNNAMED) -> Spec:
    """A spec given as TOML text (`source` is how messages name it)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SPEC_BYTES:
        raise SpecError(source, "", f"larger than {reading.size_text(MAX_SPEC_BYTES)}")
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(source, "", f"malformed TOML: {exc}") from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise SpecError(source, "", "malformed TOML: nested too deeply") from None
    except ValueError:  # Python's limit on the digits of an integer it converts
        raise SpecError(source, "", f"a number with more than {MAX_NUMBER_DIGITS} digits") from None
    return from_mapping(data, source, name)


def preset_names() -> tuple[str, ...]:
    files = resources.files(PRESET_PACKAGE).iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".toml")))


def load_preset(name: str) -> Spec:
    return _preset_with_text(name)[0]


def _preset_with_text(name: str) -> tuple[Spec, str]:
    if name not in preset_names():
        raise SpecError(name, "", f"no such preset or file (presets: {', '.join(preset_names())})")
    text = resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return from_mapping(tomllib.loads(text, parse_float=Decimal), f"preset {name}", name), text


def load(network: str) -> Spec:
    """A preset by name, or a spec file by path (anything with a `/` or ending in `.toml`, or a file
    in the current directory whose name is not a preset's: `./mazur` reads a file called mazur)."""
    return load_with_text(network)[0]


def load_with_text(network: str) -> tuple[Spec, str]:
    """`load`, and the TOML text the spec was read from."""
    if "/" in network or network.endswith(".toml") or (network not in preset_names() and Path(network).exists()):
        return load_path_with_text(Path(network))
    return _preset_with_text(network)


def shadowed_file(network: str) -> str | None:
    """The file in the current directory that a preset's name also names (the preset is read), else None."""
    if "/" not in network and network in preset_names() and Path(network).exists():
        return network
    return None

