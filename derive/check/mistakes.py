"""The catalogue of common mistakes: each a named variant of the derivation, run like the real one.

A wrong number is explained by the variants that reproduce it to the digits written. A variant is
not a list of numbers: it is the same layered algorithm (`derive.maths.numeric.Trainer`) with one step done
the way people get it wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from derive.maths.numeric import Trainer, trainer_for
from derive.model.network import Network
from derive.model.precision import CTX, Real


@dataclass(frozen=True)
class Mistake:
    name: str
    meaning: str
    stale_hidden: bool = False  # hidden deltas from output weights already updated
    no_slope: bool = False  # the activation's derivative left out
    slope_at_net: bool = False  # the derivative's formula fed net instead of out: net (1 - net)
    net_for_out: bool = False  # d net / d w taken as the source's net instead of its out
    sign: int = 1  # -1: the update goes up the gradient
    eta_power: int = 1  # 0: learning rate left out; 2: applied twice
    loss_factor: int = 0  # -1: the factor 2 of a square dropped, +1: one 2 too many
    drop_output: int | None = None  # this output's path left out of the hidden sums
    transpose: bool = False  # hidden error pairs w_kh with the wrong delta (W instead of W^T)
    flip_biases: bool = False  # frozen biases updated and trainable ones left alone
    wrong_input: bool = False  # each weight's gradient taken with another link's source (reversed order)


# The catalogue and the variant of networks with convolution, pooling or recurrent layers
# (derive.check.layer_mistakes, built on this module: it puts them here when the checker is imported).
wired_catalogue: Callable[[Network], tuple[Mistake, ...]] | None = None
wired_variant: Callable[[Network, Mistake], Trainer] | None = None


def variant_trainer(network: Network, mistake: Mistake) -> Trainer:
    """The algorithm of `network`'s kind with `mistake` in it."""
    if network.graph is not None and wired_variant is not None:
        return wired_variant(network, mistake)
    return VariantTrainer(network, mistake)


def catalogue(network: Network) -> tuple[Mistake, ...]:
    """Every variant that makes sense for `network`."""
    if network.graph is not None and wired_catalogue is not None:
        return wired_catalogue(network)
    found = [
        Mistake("stale weights", "the hidden-layer deltas were computed with output weights that had "
                "already been updated, instead of the weights before the update", stale_hidden=True),
        Mistake("missing activation derivative", "the factor dout/dnet of the activation was left out "
                "of the chain", no_slope=True),
        Mistake("derivative at net", "the activation's derivative was evaluated with net in place of out, "
                "e.g. net (1 - net) for the sigmoid", slope_at_net=True),
        Mistake("net instead of out", "dnet/dw was taken as the previous neuron's net instead of its out",
                net_for_out=True),
        Mistake("sign of the update", "the update added eta times the gradient instead of subtracting it",
                sign=-1),
        Mistake("learning rate left out", "the update subtracted the gradient without multiplying by eta",
                eta_power=0),
        Mistake("learning rate twice", "the update multiplied the gradient by eta twice", eta_power=2),
        Mistake("factor 2 dropped", "the 2 from differentiating the square was dropped", loss_factor=-1),
        Mistake("factor 2 added", "a factor 2 too many: the square's 2 was not cancelled by the 1/2",
                loss_factor=1),
        Mistake("weight paired with the wrong input", "each weight's gradient used the output of another "
                "neuron of the layer before (the sources in reverse order), as a broadcasting slip does",
                wrong_input=True),
        Mistake("frozen biases updated", "biases that stay fixed were updated (or the trainable ones "
                "were not)", flip_biases=True),
    ]
    if len(network.layers) > 1:
        found += [Mistake(f"path through {o.neuron.name} left out",
                          f"the hidden-layer sum left out the path through {o.neuron.name}", drop_output=k)
                  for k, o in enumerate(network.outputs)]
        if any(len(a) == len(b) for a, b in zip(network.layers, network.layers[1:])):
            found.append(Mistake("weights transposed", "each hidden error paired the weights with the "
                                 "wrong deltas (w_hk where w_kh belongs)", transpose=True))
    return tuple(found)


@dataclass(frozen=True)
class Outcome:
    """What a variant gives for the first update: gradients, deltas, new parameters, error after."""

    gradients: tuple[Real, ...]
    deltas: dict[str, Real]
    updated: tuple[Real, ...]
    error_after: Real


class VariantTrainer(Trainer):
    """The layered algorithm with one mistake in it."""

    def __init__(self, network: Network, mistake: Mistake) -> None:
        super().__init__(network)
        self.mistake = mistake
        self.deltas: dict[str, Real] = {}

    def _accumulate(self, grads: list[Real], layer: int, delta: list[Real], sources: list[Real]) -> None:
        for n, d in zip(self.network.layers[layer], delta):  # the variant's deltas, for claims about them
            self.deltas.setdefault(n.net.name, d)
        super()._accumulate(grads, layer, delta, sources)

    def _sources(self, layer: int, nets: list[list[Real]], outs: list[list[Real]]) -> list[Real]:
        sources = nets[layer] if self.mistake.net_for_out and layer else outs[layer]
        return sources[::-1] if self.mistake.wrong_input else sources

    def _weights_behind_output(self, params: Sequence[Real], grads: list[Real]) -> Sequence[Real]:
        # grads hold only the output layer's gradients here, so only its weights move
        return self.update(list(params), grads) if self.mistake.stale_hidden else params

    def _loss_grads(self, targets: list[Real], outs: list[Real]) -> list[Real]:
        scale = CTX.mpf(2) ** self.mistake.loss_factor
        return [scale * g for g in super()._loss_grads(targets, outs)]

    def _slope(self, layer: int, net: Real, out: Real) -> Real:
        if self.mistake.no_slope:
            return CTX.one
        return super()._slope(layer, net, net if self.mistake.slope_at_net else out)

    def _hidden_deltas(self, params: Sequence[Real], layer: int, delta: list[Real],
                       nets: list[Real], outs: list[Real]) -> list[Real]:
        m = self.mistake
        back = [CTX.zero] * len(outs)
        last = layer == len(self.links) - 1
        for k, (d, idx) in enumerate(zip(delta, self.links[layer])):
            if last and m.drop_output == k:
                continue
            for h, i in enumerate(idx):
                j = self.links[layer][h][k] if m.transpose and len(idx) == len(delta) else i
                back[h] += d * params[j]
        for n, b in zip(self.network.layers[layer - 1], back):  # the hidden errors dE/dout, for claims about them
            self.deltas.setdefault(n.out.name, b)
        return [b * self._slope(layer - 1, net, y) for b, net, y in zip(back, nets, outs)]

    def update(self, params: Sequence[Real], gradient: Sequence[Real]) -> list[Real]:
        m = self.mistake
        step = m.sign * self.eta ** m.eta_power
        moves = [t != m.flip_biases if p.kind == "bias" else t
                 for p, t in zip(self.network.params, self.trainable)]
        return [p - step * g if move else p for p, g, move in zip(params, gradient, moves)]


def outcome(network: Network, mistake: Mistake) -> Outcome:
    """The first update as the variant computes it."""
    trainer = variant_trainer(network, mistake)
    initial = trainer.initial()
    grads = trainer.batch_gradient(initial, trainer.step_samples(1))
    updated = trainer.update(initial, grads)
    if not trainer.plain:  # the spec's optimizer takes the first step from the variant's gradients
        updated, _ = trainer.stepper.step(initial, grads, trainer.stepper.start())
    honest = trainer_for(network)  # the error after the update is measured honestly at the new parameters
    return Outcome(tuple(grads), dict(getattr(trainer, "deltas", {})), tuple(updated), honest.dataset_error(updated))


def variant_value(network: Network, result: Outcome, name: str) -> Real | None:
    """The variant's value of a claim's quantity, where the variant changes it."""
    params = [p.name for p in network.params]
    if name.startswith("d:E_total/"):
        wrt = name[len("d:E_total/"):]
        if wrt in params:
            return result.gradients[params.index(wrt)]
        return result.deltas.get(wrt)
    base, at, step = name.partition("@")
    if at and step == "1":
        if base in params:
            return result.updated[params.index(base)]
        if base == "E_total":
            return result.error_after
    return None


DIVERGED = 10 ** 6  # a parameter this large: the variant has diverged


def replay(network: Network, mistake: Mistake, params: list[Real], start: int, steps: int,
           in_time: Callable[[], bool] = lambda: True) -> list[Real] | None:
    """The parameters after `steps` updates made the variant's way, from `params` after `start` of them
    (every update repeats the mistake, as a person running their own code would); None when the variant
    diverges or `in_time()` turns false."""
    trainer = variant_trainer(network, mistake)
    for done in range(start + 1, steps + 1):
        params = trainer.update(params, trainer.batch_gradient(params, trainer.step_samples(done)))
        # a variant that diverges (net (1 - net) grows like net squared) is no one's written result,
        # and its numbers would soon grow past any time budget
        if not all(abs(p) < DIVERGED for p in params) or (done % 100 == 0 and not in_time()):
            return None
    return params


def value_after(network: Network, params: list[Real], base: str) -> Real | None:
    """A parameter or the error (measured honestly) at parameters a variant reached, else None."""
    names = [p.name for p in network.params]
    if base in names:
        return params[names.index(base)]
    if base == network.e_total.name:
        honest = trainer_for(network)
        # an error the working precision cannot resolve is no number to match a written one with
        return honest.dataset_error(params) if honest.resolved(params) else None
    return None


def typo(claimed: str, truth_shown: str) -> str | None:
    """'two digits swapped' or 'one digit wrong' when the claim is the truth with that slip."""
    if len(claimed) != len(truth_shown) or claimed == truth_shown:
        return None
    diffs = [i for i, (a, b) in enumerate(zip(claimed, truth_shown)) if a != b]
    if len(diffs) == 1 and claimed[diffs[0]].isdigit():
        return "one digit wrong"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and claimed[diffs[0]] == truth_shown[diffs[1]] \
            and claimed[diffs[1]] == truth_shown[diffs[0]]:
        return "two digits swapped"
    return None

