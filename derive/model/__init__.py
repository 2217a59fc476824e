"""Model: what a network is. The TOML spec, validated once; the network of SymPy symbols built from it;
each activation's and loss's local derivative stated beside its forward rule; the names of quantities;
the working precision and the one rounding for display.

Imports nothing from the rest of derive: every other part is built on this one.

The layers beyond the dense one (convolution, pooling, flatten, rnn) are read by `structure` and wired
entry by entry by `wiring`, which are built on `spec` and `network` and put their reader and builder
into them when this package is imported: `spec.from_mapping` and `network.build` read and build every
spec, and those modules import their neighbours by module path so that nothing here imports back.
"""

from derive.model import structure, wiring  # noqa: F401
