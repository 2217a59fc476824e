"""Remarks that relate the notes' numbers to a published source's.

The classic worked example (the `mazur` preset) prints an error after the update that differs from the
one derived here in its last digits: the article computed the hidden layer's error terms with the output
weights it had already updated. The remark computes that variant, so the notes show both numbers and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer
from derive.model.precision import Real, show

# The networks whose published worked example took the hidden deltas after the output weights' update.
STALE_SOURCES = ("mazur",)


class _StaleTrainer(Trainer):
    """The update as the article computed it: hidden deltas from the already updated output weights."""

    def _weights_behind_output(self, params: Sequence[Real], grads: list[Real]) -> Sequence[Real]:
        # grads hold only the output layer's gradients at this point, so only its weights move
        return self.update(list(params), grads)


def stale_error(d: Derivation) -> Real:
    """The error after one update computed with the article's stale hidden deltas."""
    trainer = _StaleTrainer(d.network)
    initial = trainer.initial()
    updated = trainer.update(initial, trainer.batch_gradient(initial, trainer.step_samples(1)))
    return Trainer(d.network).dataset_error(updated)


def classic_article(d: Derivation, digits: int) -> dict[str, str] | None:
    """The published variant's error after the update, for the networks whose article printed it."""
    if d.network.spec.name not in STALE_SOURCES:
        return None
    return {"variant": show(stale_error(d), digits).latex}
