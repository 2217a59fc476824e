"""Maths: the derivation of a network. Forward pass, loss, every delta and gradient as chain-rule
factors and as a closed form, the update and the iterations; numeric evaluation and training at the
working precision; the fully expanded loss (the tests' oracle); derivatives explained rule by rule.

Imports only `derive.model`: nothing from an output (notes, code, check).

Networks wired entry by entry (convolution, pooling, recurrent layers) are derived by `wired`, which is
built on `derivation` and `numeric` and puts its functions into them when this package is imported
(`derivation.build`, `derivation.derive_pass` and `numeric.trainer_for` serve every network).
"""

from derive.maths import wired  # noqa: F401
