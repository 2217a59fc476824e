"""A variant as a spec file: the TOML that `derive check` reads to check answers to that variant's numbers.

The base spec with the drawn numbers in place of its own (`derive.course.variants.variant_spec`),
written out key by key: every value is a name the spec validated, a decimal exactly as drawn, a flag or
a count, each printed by `_value` as a TOML value (a JSON string is a TOML basic string). The tests
read the text back with the spec loader and compare it with the variant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from derive.course.variants import variant_spec
from derive.model.spec import LayerSpec, Spec

Value = str | bool | int | Decimal | tuple | list


def variant_toml(base: Spec, values: Mapping[str, Decimal]) -> str:
    """The spec of the variant `values` (by name, as key.json holds them) of `base`, as TOML."""
    spec = variant_spec(base, values, base.training.steps)
    lines = [_pair("title", spec.title)]
    if spec.titles:
        lines.append(f"titles = {{ {', '.join(_pair(lang, text) for lang, text in spec.titles)} }}")
    lines += [_pair("inputs", spec.inputs), _pair("loss", spec.loss)]
    for layer in spec.layers:
        lines += ["", "[[layers]]", *_layer(layer)]
    for sample in spec.samples:
        lines += ["", "[[samples]]", _pair("name", sample.name), _pair("inputs", sample.inputs),
                  _pair("targets", sample.targets)]
    lines += ["", "[training]", *_training(spec)]
    if spec.aliases:
        lines += ["", "[aliases]", *(_pair(k, v) for k, v in spec.aliases)]
    return "\n".join(lines) + "\n"


def _layer(layer: LayerSpec) -> list[str]:
    bias = layer.bias
    found = [_pair("neurons", layer.neurons), _pair("activation", layer.activation),
             _pair("weight_names", layer.weight_names), _pair("weights", layer.weights)]
    if bias.mode == "none":  # a layer without a bias has no bias table
        return found
    fields = [_pair("mode", bias.mode), _pair("form", bias.form), _pair("trainable", bias.trainable),
              _pair("names", bias.names), _pair("values", bias.values)]
    return [*found, f"bias = {{ {', '.join(fields)} }}"]


def _training(spec: Spec) -> list[str]:
    t, opt = spec.training, spec.training.optimizer
    found = [_pair("learning_rate", t.learning_rate), _pair("update", t.update), _pair("reduction", t.reduction),
             _pair("steps", t.steps), _pair("optimizer", opt.name)]
    if opt.name in ("momentum", "nesterov"):
        found.append(_pair("momentum", opt.momentum))
    if opt.name == "adam":
        found += [_pair("beta1", opt.beta1), _pair("beta2", opt.beta2), _pair("epsilon", opt.epsilon)]
    if opt.weight_decay:
        found += [_pair("weight_decay", opt.weight_decay), _pair("decay", opt.decay),
                  _pair("decay_biases", opt.decay_biases)]
    return found


def _pair(key: str, value: Value) -> str:
    return f"{key} = {_value(value)}"


def _value(value: Value) -> str:
    """One TOML value: a string, a flag, a whole number, a decimal as drawn, or an array of them."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return str(value)  # 0.90, -1.5E-8: each a TOML float or integer, exactly as drawn
    return str(int(value))
