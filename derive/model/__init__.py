"""Model: what a network is. The TOML spec, validated once; the network of SymPy symbols built from it;
each activation's and loss's local derivative stated beside its forward rule; the names of quantities;
the working precision and the one rounding for display.

Imports nothing from the rest of derive: every other part is built on this one.

The layers beyond the dense one (convolution, pooling, flatten, rnn) are read by `structure`, wired
entry by entry by `wiring` and named by `layer_notation`, which are built on `spec`, `network` and
`notation` and put their reader, builder and glyphs into them when this package is imported:
`spec.from_mapping`, `network.build` and `notation.notation_for` serve every spec, and those modules
import their neighbours by module path so that nothing here imports back.
"""

from derive.model import layer_notation, structure, wiring  # noqa: F401
