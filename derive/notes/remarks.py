"""Remarks that relate the notes' numbers to a published source's.

The classic worked example (the `mazur` preset) prints an error after the update that differs from the
one derived here in its last digits: the article computed the hidden layer's error terms with the output
weights it had already updated. The remark computes that variant, so the notes show both numbers and why.
Its error "after 10,000 updates" is the error after 9,999: its loop prints each pass's error before that
pass's update. The notes compute the error after 9,999 updates and say so beside the first remark.
"""

from __future__ import annotations

from collections.abc import Sequence

from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer
from derive.model.precision import Real, show

# The networks whose published worked example took the hidden deltas after the output weights' update.
STALE_SOURCES = ("mazur",)
# The update count whose error each published example reports, and the digits it reports it with: its loop
# reports the error of the pass before each update, so its number is the error one update earlier.
REPORTED = {"mazur": (10_000, 6)}


def extra_steps(name: str) -> tuple[int, ...]:
    """The update counts the remarks need errors after, beyond a spec's own steps."""
    return (REPORTED[name][0] - 1,) if name in REPORTED else ()


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
    """The published variant's error after the update, for the networks whose article printed it; and, where
    the derivation holds it, the error one update before the count the article reports."""
    name = d.network.spec.name
    if name not in STALE_SOURCES:
        return None
    found = {"variant": show(stale_error(d), digits).latex, "reported": ""}
    if name in REPORTED:
        count, shown = REPORTED[name]
        errors = {h.step: h for h in d.history if h.resolved}
        if count - 1 in errors and count in errors:
            before = errors[count - 1].error
            found.update({"reported": show(before, shown).latex, "count": f"{count:,}", "before": f"{count - 1:,}",
                          "value": show(before, digits).latex, "after": show(errors[count].error, digits).latex})
    return found
