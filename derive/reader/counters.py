"""A layer counter: `l = 1` heading the lines about one layer, as notes that loop over the layers write it
(`l = 0`, the inputs; `l = 1`; `l = 2`; stated again in each pass), in a document that uses l in no formula but
as an index (`W_l`). It states no value of the network, so it is judged by the lines after it: where the first
of them that names the network's quantities names those of layer l only (the inputs counting as layer 0) it is
correct; otherwise it stays a name of the person's (the counter may count the first hidden layer as 0): it is
never called wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from derive.check.verdicts import Verdict
from derive.model.network import Network
from derive.model.precision import CTX

COUNTER = re.compile(r"\s*l\s*=\s*(\d{1,2})\s*")
USED = re.compile(r"(?<![\\\w^])(?<![_^]\{)l(?!\w)")  # l as a name of its own, not an index (`W_l`, `a^{l}`)
JUDGED = ("correct", "wrong", "carried")


class Found(Protocol):
    @property
    def verdict(self) -> Verdict: ...
    @property
    def target(self) -> str: ...


class Source(Protocol):
    @property
    def source(self) -> str: ...


class Result(Protocol):
    @property
    def found(self) -> tuple[Found, ...]: ...
    @property
    def span(self) -> Source: ...


R = TypeVar("R", bound=Result)


def counted(results: Sequence[R], network: Network) -> list[R]:
    """The results with each layer counter judged by the lines that follow it."""
    layers = _layers(network)
    judged = list(results)
    if any(_counter(r) is None and USED.search(r.span.source) for r in results):
        return judged  # l stands in a formula (a loss, a length): it is no counter here
    for k, result in enumerate(results):
        written = _counter(result)
        if written is None:
            continue
        named = _next_layers(results[k + 1:], layers)
        if named == {written} and written <= len(network.layers):
            verdict = _verdict(result.found[0].verdict, written)
            judged[k] = replace(result, found=(replace(result.found[0], verdict=verdict),))  # type: ignore[type-var]
    return judged


def _counter(result: Result) -> int | None:
    """The layer a span that is a counter alone (`l = 1`, a name of the person's) states, else None."""
    if len(result.found) != 1 or result.found[0].verdict.status != "defined":
        return None
    written = COUNTER.fullmatch(result.found[0].verdict.text)
    return int(written.group(1)) if written else None


def _next_layers(following: Sequence[Result], layers: dict[str, int]) -> set[int]:
    """The layers the first judged span after a counter names (before the next counter): none if no span does."""
    for result in following:
        if _counter(result) is not None:
            return set()
        named = {_layer(f.target, layers) for f in result.found if f.verdict.status in JUDGED}
        named.discard(None)
        if named:
            return named  # type: ignore[return-value]
    return set()


def _layer(target: str, layers: dict[str, int]) -> int | None:
    """The layer of a quantity as the checker names it (`net_h1`, `w5@1`, `d:E_total/w5`: that of w5)."""
    base = target.partition("@")[0]
    if base.startswith("d:"):
        base = base.partition("/")[2]
    if base in layers:
        return layers[base]
    head, _, neuron = base.partition("_")
    return layers.get(neuron) if head in ("net", "out", "target", "delta") else None


def _layers(network: Network) -> dict[str, int]:
    """Each input's, neuron's and parameter's layer, the inputs counting as layer 0."""
    found = {str(x): 0 for x in network.inputs}
    found.update({n.name: n.layer + 1 for n in network.neurons})
    found.update({p.name: p.layer + 1 for p in network.params})
    return found


def _verdict(defined: Verdict, written: int) -> Verdict:
    return replace(defined, status="correct", truth=CTX.mpf(written), claimed=CTX.mpf(written), reason=(
        f"a layer counter: the lines after it are about layer {written} (the inputs counting as layer 0)"))
