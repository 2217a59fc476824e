"""The network's quantities as a document's name may stand for them: what each is (a net, an output, a
delta ...), its layer, the families a run of names counts through, and what a name's letters and words
suggest when several quantities share one value."""

from __future__ import annotations

import re

from derive.check.truth import Truth

# What a name's letters suggest, only to tell apart quantities of the same value.
HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"(x|i|in|input|inputs)\d*", ("input",)),
    (r"(t|target|targets|d|yt|y|ytrue|label)\d*", ("target",)),
    (r"(z|net|s|u|v|netinput|sum|in)\d*", ("net",)),
    (r"(a|h|o|out|output|yhat|hat|y|f|g|phi|p)\d*", ("out",)),
    (r"(E|L|C|J|loss|cost|err|error|Etotal|Loss|Cost)\d*", ("loss",)),
    (r"(delta|d|del|err|e|g)\d*", ("delta",)),
    (r"(w|W|theta|weight|weights|v|u)\d*", ("weight",)),
    (r"(b|B|bias|beta|gamma|theta)\d*", ("bias",)),
    (r"(eta|alpha|lr|lambda|mu|rate)\d*", ("eta",)),
)


# Words that say which quantity of a network's one output they name, whatever letter they hang on
# (`y_{target}`, `\\text{Predicted Output}`). "Actual output" is left out: people write it for both.
TARGET_WORDS = frozenset({"target", "ytarget", "targety", "targetoutput", "targetvalue", "ytrue", "truey",
                          "desiredoutput", "ydesired", "expectedoutput", "yexpected"})
OUTPUT_WORDS = frozenset({"predictedoutput", "predicted", "prediction", "ypred", "ypredicted", "yprediction",
                          "predictedvalue", "networkoutput"})


def worded(name: str, output) -> str | None:  # type: ignore[no-untyped-def]
    """The target or the output of a network with one output, for a name that spells it in words."""
    word = name.lower().replace("_", "")
    if word in TARGET_WORDS:
        return str(output.target.name)
    return str(output.neuron.out.name) if word in OUTPUT_WORDS else None


def orders(truth: Truth) -> list[list[str]]:
    """The ordered lists a family of names may count through: inputs, targets, every neuron's net, out and
    delta (all layers, and each layer), the weights, and the biases where each layer has one."""
    network = truth.network
    orders = [[s.name for s in network.inputs], [o.target.name for o in network.outputs]]
    for kind in ("net", "out"):
        orders.append([getattr(n, kind).name for n in network.neurons])
        orders += [[getattr(n, kind).name for n in layer] for layer in network.layers]
    orders.append([f"d:E_total/{n.net.name}" for n in network.neurons])
    orders.append([p.name for p in network.params if p.kind == "weight"])
    biases = [p for p in network.params if p.kind == "bias"]
    if sorted(p.layer for p in biases) == list(range(len(network.layers))):  # one per layer: b^{(1)}, b^{(2)}
        orders.append([p.name for p in sorted(biases, key=lambda p: p.layer)])
    return orders


def family_rule(read: list[tuple[int, str]], orders: list[list[str]]) -> tuple[list[str], int] | None:
    """The one order and offset every read member of a family agrees with (the shortest order first)."""
    fitting = []
    for order in orders:
        offsets = {order.index(q) - i for i, q in read if q in order}
        if len(offsets) == 1 and all(q in order for _, q in read):
            fitting.append((len(order), order, offsets.pop()))
    if not fitting:
        return None
    fitting.sort(key=lambda f: f[0])
    return fitting[0][1], fitting[0][2]


def fits(quantity: str, pattern: list[str | None]) -> bool:
    top, _, bottom = quantity[2:].partition("/")
    return all(p is None or p == q for p, q in zip(pattern, (top, bottom)))


def candidates_of(truth: Truth) -> list[str]:
    """Every quantity a name may stand for, in the network's order."""
    found = [n for n in truth.values if n not in ("e", "pi") and not n.startswith("delta_")]
    found += [f"d:{k}" for k in truth.derivatives]
    found += [f"{p.name}@1" for p in truth.network.params] + [f"{truth.network.e_total.name}@1"]
    return found


def layers_of(truth: Truth) -> dict[str, int]:
    """The layer (1 the first after the inputs) of every neuron's quantities and every parameter."""
    found = {}
    for number, layer in enumerate(truth.network.layers, start=1):
        for n in layer:
            found.update({n.net.name: number, n.out.name: number, f"d:E_total/{n.net.name}": number,
                          f"d:E_total/{n.out.name}": number})
    for p in truth.network.params:
        found[p.name] = p.layer + 1
        found[f"d:E_total/{p.name}"] = p.layer + 1
    return found


def kinds(truth: Truth) -> dict[str, str]:
    """What each quantity of the network is: input, target, net, out, delta, loss, weight, bias, eta."""
    network = truth.network
    found = {s.name: "input" for s in network.inputs}
    found.update({o.target.name: "target" for o in network.outputs})
    found.update({o.error.name: "loss" for o in network.outputs})
    found[network.e_total.name] = "loss"
    found[network.eta.name] = "eta"
    found.update({p.name: p.kind for p in network.params})
    for n in network.neurons:
        found.update({n.net.name: "net", n.out.name: "out", f"d:E_total/{n.net.name}": "delta"})
    return found


def prefer(name: str, found: list[str], kind: dict[str, str], neuron: str | None = None,
            layers: dict[str, int] | None = None) -> list[str]:
    """Of several quantities with one value, those the name's letters suggest (all, if they suggest none):
    its head (`delta` of `delta_y`), and the neuron its index names (`y`, read as the output o1)."""
    if len(found) < 2 or not name:
        return found
    layer = re.search(r"_L(\d+)$", name)
    if layer:  # b^{(2)}: a layer's own (the document counts them from 1, as the notes do)
        mine = [q for q in found if (layers or {}).get(q.partition("@")[0]) == int(layer.group(1))]
        found = mine or found
    suggested = hinted(name, found, kind)
    if suggested and len(suggested) < len(found):
        found = suggested
    if neuron is not None and len(found) > 1:
        own = [q for q in found if re.search(rf"(net|out)_{re.escape(neuron)}$", q)]
        found = own or found
    if len(found) > 1 and any(q == "E_total" for q in found):  # a loss read as the whole loss
        return ["E_total"]
    plain = [q for q in found if not is_copy(q)]
    return plain if plain and len(plain) < len(found) else found


def hinted(name: str, found: list[str], kind: dict[str, str]) -> list[str]:
    """The quantities of `found` of a kind the name's letters suggest (none, for letters that suggest none)."""
    head = re.match(r"[A-Za-z]+", name)
    suggested = [k for pattern, ks in HINTS for k in ks
                 if re.fullmatch(pattern, name) or (head and re.fullmatch(pattern, head.group()))]
    return [q for q in found if kind.get(q.partition("@")[0], "other") in suggested]


PARAMETERS = frozenset({"weight", "bias", "eta"})
DATA = frozenset({"input", "target"})


def suggested_kinds(name: str) -> set[str]:
    """The kinds of quantity a name's letters suggest (none, for letters that suggest none)."""
    head = re.match(r"[A-Za-z]+", name)
    words = [name] + ([head.group()] if head else [])
    return {k for pattern, ks in HINTS for k in ks if any(re.fullmatch(pattern, w) for w in words)}


def ruled_out(name: str, found: list[str], kind: dict[str, str]) -> list[str]:
    """`found` less the quantities a name's letters rule out: a kind of parameter (weight, bias, learning rate) the
    name does not suggest (`y`, `a`, `x` suggest none; `b` a bias), an input or a target for a name that suggests
    only parameters (`w`), a derivative for one that suggests no delta (`t`, `\alpha`). A value alone does
    not make `y = 0.8` a weight that is 0.8, `b^{(2)} = 0.4` a weight that is 0.4, nor `t = 0.8` the derivative
    d out_o1 / d out_h1 that is w2; a name whose letters suggest nothing keeps every reading."""
    suggested = suggested_kinds(name)
    if not suggested:
        return found
    derivative = "delta" in suggested  # `t`, `y`, `\alpha`: no derivative (d out_o1 / d out_h1, which is w2)
    return [q for q in found if _kind(q, kind) not in PARAMETERS - suggested
            and not (_kind(q, kind) in DATA and suggested <= PARAMETERS) and (derivative or not q.startswith("d:"))]


def _kind(quantity: str, kind: dict[str, str]) -> str | None:
    """What a quantity is, a derivative of a net by an output or an input being the weight between them."""
    base = quantity.partition("@")[0]
    bottom = base[2:].partition("/")[2]
    if base.startswith("d:net_") and kind.get(bottom) in ("out", "input"):
        return "weight"
    return kind.get(base)


def is_copy(quantity: str) -> bool:
    """A derivative that is another quantity by another name: d net / d w is the weight's input, d E_o / d
    out_o is d E_total / d out_o; a value is read as the quantity itself, not as its copies."""
    if not quantity.startswith("d:") or quantity.startswith("d:E_total/"):
        return False
    top, _, bottom = quantity[2:].partition("/")
    return not (top.startswith("out_") and bottom == "net_" + top[len("out_"):])


def shown_name(target: str) -> str:
    """A quantity's name as a verdict shows it: d:E_total/w5 as dE_total/dw5."""
    return "d" + target[2:].replace("/", "/d") if target.startswith("d:") else target
