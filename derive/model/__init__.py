"""Model: what a network is. The TOML spec, validated once; the network of SymPy symbols built from it;
each activation's and loss's local derivative stated beside its forward rule; the names of quantities;
the working precision and the one rounding for display.

Imports nothing from the rest of derive: every other part is built on this one.
"""
