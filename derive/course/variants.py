"""Variants: the numbers of one exercise sheet, drawn from the spec's `[exercise]` ranges (the drawing is
`derive.model.draws`'s, the test of a draw's neurons `derive.maths.numeric.unfit`).

Drawing order (one `random.Random(seed)` for the whole run, variant after variant, each draw of a
variant continuing the same stream): inputs (sample by sample, input by input), targets (sample by
sample, output by output), weights (layer by layer, neuron by neuron, source by source), biases (layer by
layer, in the order of their names), then the learning rate; a kind the table leaves out is not drawn
and keeps the spec's numbers. Each number is a whole count of 10^-decimals units, drawn uniformly from
the range, so it is an exact decimal: it reaches the spec as a `Decimal`, never through a float.
"""

from __future__ import annotations

from derive.maths.numeric import RELU_MARGIN, SATURATION, Trainer, unfit  # noqa: F401
from derive.model.draws import Slot, draw, slots, variant_spec  # noqa: F401  (the sheets' names for them)
from derive.model.network import Network


def saturation(network: Network) -> str | None:
    """Why the variant's neurons are unfit for an exercise (a sigmoid or tanh saturating, a relu at its
    kink) in any sample's forward pass at the initial parameters, else None."""
    trainer = Trainer(network)
    return unfit(trainer, trainer.initial(), trainer.samples)
