"""Maths: the derivation of a network. Forward pass, loss, every delta and gradient as chain-rule
factors and as a closed form, the update and the iterations; numeric evaluation and training at the
working precision; the fully expanded loss (the tests' oracle); derivatives explained rule by rule.

Imports only `derive.model`: nothing from an output (notes, code, check).

Networks wired entry by entry (convolution, pooling, recurrent layers) are derived by `wired`, which is
built on `derivation` and `numeric`: `derivation.build`, `derivation.derive_pass` and
`numeric.trainer_for` serve every network through the hooks this package puts into them, which import
`wired` with the first such network (a network of dense layers never loads it).
"""

from __future__ import annotations

from typing import Any

from derive.maths import derivation, numeric
from derive.model.network import Network


def _build(network: Network, *args: Any) -> derivation.Derivation:
    from derive.maths import wired  # puts its own functions in the hooks

    return wired.build(network, *args)


def _derive_pass(network: Network, closed: derivation.Closed, sample: Any) -> derivation.Pass:
    from derive.maths import wired

    return wired.derive_pass(network, closed, sample)


def _trainer(network: Network) -> numeric.Trainer:
    from derive.maths import wired

    return wired.WiredTrainer(network)


derivation.wired_build, derivation.wired_pass, numeric.wired_trainer = _build, _derive_pass, _trainer
