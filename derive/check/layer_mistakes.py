"""The catalogue of mistakes for networks with convolution, pooling and recurrent layers, each a variant of
the wired algorithm (`derive.maths.wired.WiredTrainer` with one step done the way people get it wrong):
the input gradient taken with the kernel not flipped, a shared weight's gradient taken from one position
(or step) only, the gradient sent to every entry of a max pool's window, backpropagation through time
cut after one step; and the catalogue's mistakes that these networks can make too (the activation's
derivative left out or taken at net, net for out, the update's sign and learning rate, the square's 2,
frozen biases updated, hidden errors through output weights already updated).

This module puts its catalogue and its variant into `derive.check.mistakes` when the checker is imported
(`derive.check`'s package imports it), so every caller of the catalogue reaches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import derive.check.mistakes as mistakes
from derive.check.mistakes import Mistake
from derive.maths.wired import Flags, WiredTrainer
from derive.model.network import Network
from derive.model.precision import Real
from derive.model.wiring import ConvPlan, PoolPlan, RecurrentPlan


@dataclass(frozen=True)
class LayerMistake(Mistake):
    unflipped: bool = False  # the input gradient with each delta paired with the mirrored kernel entry
    one_position: bool = False  # a shared parameter's gradient from its first use only
    route_all: bool = False  # a max pool's error sent to every entry of its window
    truncated: bool = False  # no error back through W_h to the step before


def catalogue(network: Network) -> tuple[Mistake, ...]:
    """Every variant that makes sense for the wired `network`."""
    plans = network.graph.plans
    found: list[Mistake] = [
        Mistake("missing activation derivative", "the factor dout/dnet of the activation was left out of the chain",
                no_slope=True),
        Mistake("derivative at net", "the activation's derivative was evaluated with net in place of out, e.g. "
                "net (1 - net) for the sigmoid", slope_at_net=True),
        Mistake("sign of the update", "the update added eta times the gradient instead of subtracting it", sign=-1),
        Mistake("learning rate left out", "the update subtracted the gradient without multiplying by eta",
                eta_power=0),
        Mistake("learning rate twice", "the update multiplied the gradient by eta twice", eta_power=2),
        Mistake("factor 2 dropped", "the 2 from differentiating the square was dropped", loss_factor=-1),
        Mistake("factor 2 added", "a factor 2 too many: the square's 2 was not cancelled by the 1/2", loss_factor=1),
        Mistake("frozen biases updated", "biases that stay fixed were updated (or the trainable ones were not)",
                flip_biases=True),
    ]
    if any(isinstance(p, RecurrentPlan) for p in plans):
        found.insert(2, Mistake("net instead of out", "dnet/dw was taken as the previous neuron's net instead of "
                                "its out", net_for_out=True))
    if any(isinstance(p, ConvPlan) for p in plans):
        found += [LayerMistake("kernel not flipped", "the input's gradient took each error term with the kernel "
                               "entry mirrored through the kernel's centre: a full correlation where the full "
                               "convolution with the flipped kernel belongs", unflipped=True),
                  LayerMistake("one position only", "a kernel entry's (or the bias's) gradient was taken from one "
                               "position of the kernel only, the first, instead of summed over every position it "
                               "is used at", one_position=True)]
    if any(isinstance(p, PoolPlan) and p.spec.mode == "max" for p in plans):
        found.append(LayerMistake("gradient to every pooled entry", "each max pool window's error was sent to every "
                                  "entry of the window instead of to its largest entry alone", route_all=True))
    if any(isinstance(p, RecurrentPlan) for p in plans) and network.graph.steps > 1:
        found += [LayerMistake("one step only", "a shared weight's gradient was taken at one step only, the first it "
                               "is used at, instead of summed over every step", one_position=True),
                  LayerMistake("BPTT truncated to one step", "the error was not carried back through the recurrent "
                               "weights to the steps before: each step's states got only the error of their own "
                               "step's outputs", truncated=True)]
    if len(_output_stages(network)) == 1 and len(network.layers) > 1:
        found.insert(0, Mistake("stale weights", "the hidden-layer deltas were computed with output weights that had "
                                "already been updated, instead of the weights before the update", stale_hidden=True))
    return tuple(found)


def _output_stages(network: Network) -> set[int]:
    return {o.neuron.layer for o in network.outputs}


def _flags(mistake: Mistake) -> Flags:
    return Flags(no_slope=mistake.no_slope, slope_at_net=mistake.slope_at_net, net_for_out=mistake.net_for_out,
                 loss_factor=mistake.loss_factor, stale=mistake.stale_hidden,
                 one_position=getattr(mistake, "one_position", False), route_all=getattr(mistake, "route_all", False),
                 unflipped=getattr(mistake, "unflipped", False), truncated=getattr(mistake, "truncated", False))


class LayerVariantTrainer(WiredTrainer):
    """The wired algorithm with one mistake in it; it keeps the first sample's deltas, errors and input
    gradients for claims about them."""

    record = True

    def __init__(self, network: Network, mistake: Mistake) -> None:
        super().__init__(network, _flags(mistake))
        self.mistake = mistake

    def update(self, params: Sequence[Real], gradient: Sequence[Real]) -> list[Real]:
        m = self.mistake
        step = m.sign * self.eta ** m.eta_power
        moves = [t != m.flip_biases if p.kind == "bias" else t for p, t in zip(self.network.params, self.trainable)]
        return [p - step * g if move else p for p, g, move in zip(params, gradient, moves)]


def variant(network: Network, mistake: Mistake) -> LayerVariantTrainer:
    return LayerVariantTrainer(network, mistake)


mistakes.wired_catalogue, mistakes.wired_variant = catalogue, variant  # the catalogue's callers reach these
