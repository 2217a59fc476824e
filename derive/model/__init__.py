"""Model: what a network is. The TOML spec, validated once; the network of SymPy symbols built from it;
each activation's and loss's local derivative stated beside its forward rule; the names of quantities;
the working precision and the one rounding for display.

Imports nothing from the rest of derive: every other part is built on this one.

The layers beyond the dense one (convolution, pooling, flatten, rnn) are read by `structure`, wired
entry by entry by `wiring` and named by `layer_notation`, which are built on `spec`, `network` and
`notation`: `spec.from_mapping`, `network.build` and `notation.notation_for` serve every spec through
the hooks this package puts into them, which import those modules with the first spec that has such
layers (a network of dense layers never loads them), and those modules import their neighbours by
module path so that nothing here imports back.
"""

from __future__ import annotations

from typing import Any

from derive.model import network, notation, spec


def _read_layered(data: Any, source: str, name: str) -> spec.Spec | None:
    if not spec.is_layered(data):
        return None
    from derive.model import structure  # puts its own reader in the hook

    return structure.read(data, source, name)


def _build_wired(s: spec.Spec) -> network.Network:
    from derive.model import wiring

    return wiring.build(s)


def _wired_notation(net: network.Network, profile: str) -> notation.Notation:
    from derive.model import layer_notation

    return layer_notation.notation_for(net, profile)


spec.layered_reader, network.wired_builder, notation.wired_notation = _read_layered, _build_wired, _wired_notation
