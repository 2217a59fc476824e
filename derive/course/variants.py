"""Variants: the numbers of one exercise sheet, drawn from the spec's `[exercise]` ranges.

Drawing order (one `random.Random(seed)` for the whole run, variant after variant, each draw of a
variant continuing the same stream): inputs (sample by sample, input by input), targets (sample by
sample, output by output), weights (layer by layer, neuron by neuron, source by source), biases (layer by
layer, in the order of their names), then the learning rate; a kind the table leaves out is not drawn
and keeps the spec's numbers. Each number is a whole count of 10^-decimals units, drawn uniformly from
the range, so it is an exact decimal: it reaches the spec as a `Decimal`, never through a float.
"""

from __future__ import annotations

from derive.maths.numeric import RELU_MARGIN, SATURATION, trainer_for, unfit  # noqa: F401
from derive.model.draws import Slot, degenerate, draw, slots, variant_spec  # noqa: F401  (the sheets' names)
from derive.model.network import Network
from derive.model.wiring import PoolNeuron


def saturation(network: Network) -> str | None:
    """Why the variant's neurons are unfit for an exercise (a sigmoid or tanh saturating, a relu at its
    kink) in any sample's forward pass at the initial parameters, else None."""
    trainer = trainer_for(network)
    return unfit(trainer, trainer.initial(), trainer.samples)


# The largest two entries of a max pool's window at least this far apart: a near tie would let a number
# rounded on a sheet name the wrong entry, and the tie's rule decide a question.
POOL_MARGIN = 0.02


def tied_pool(network: Network) -> str | None:
    """Why a max pool's window is unfit for an exercise (a tie or a near tie) in any sample, else None."""
    trainer = trainer_for(network)
    initial = trainer.initial()
    for sample in trainer.samples:
        values = trainer.symbol_values(initial, sample)
        for n in network.neurons:
            if isinstance(n, PoolNeuron) and n.mode == "max":
                entries = sorted((values[s] for _, s in n.window), reverse=True)
                if len(entries) > 1 and entries[0] - entries[1] < POOL_MARGIN:
                    return f"the window of {n.name} has a tie or a near tie"
    return None

