"""What the best teaching material adds to the derivation: a summary of backpropagation's equations and its
steps, a short reading of this network's numbers, and one gradient checked by finite differences.

Every number is the derivation's (or, for the finite differences, the training engine's at the working
precision), rounded once where it is shown.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer
from derive.model.precision import CTX, Real, real, show
from derive.notes import general, notation_sections
from derive.notes.notation import Notation
from derive.notes.printers import NotationPrinter
from derive.notes.update_section import is_batch, objective

View = dict[str, Any]
# The step of the finite differences: small enough that the difference quotient's error (about h^2 times
# the third derivative) is far below the digits compared, large enough to leave many digits of the
# error's change at the working precision.
STEP = "0.0001"
# Significant digits of the difference quotient shown and compared with the derived gradient.
COMPARED = 6
# The share of a line a display inside the summary's box may take (the box has margins of its own).
BOXED = 0.88
# Mean gradient sizes of two layers within this factor of each other are "about as large".
SIMILAR = 1.5


def summary(d: Derivation, notation: Notation, width: float) -> View:
    """The equations of backpropagation in the notes' notation (the output layer's error term, a hidden
    layer's, the gradient of a weight and of a bias) and the algorithm's steps (message keys)."""
    network = d.network
    if general.applies(network, notation):
        rules = general.rules(network, notation, width * BOXED)
        # the output layer's error term, the last hidden layer's, then a weight's and a bias's gradient
        lines = [rules[-1][0]] + ([rules[-2][0]] if len(rules) > 1 else []) + rules[-1][1:]
    else:
        lines = notation_sections.matrix_rules(network, notation)
    deep = len(network.layers) > 2
    steps = ["algorithm_forward", "algorithm_error", "algorithm_output", "algorithm_hidden", "algorithm_gradients",
             "algorithm_batch" if is_batch(d) else "algorithm_update"]
    return {"lines": lines, "deep": deep, "steps": steps if len(network.layers) > 1 else
            [s for s in steps if s != "algorithm_hidden"]}


def _first_trainable(d: Derivation, layer: int) -> int | None:
    return next((i for i, p in enumerate(d.network.params) if p.trainable and p.layer == layer), None)


def _mean_size(values: list[Real]) -> Real:
    return CTX.fsum(abs(v) for v in values) / len(values)


def reading(d: Derivation, notation: Notation, digits: int) -> View | None:
    """A short reading of the numbers: the first layer's gradients against the output layer's (and why: the
    slopes and the inputs), what the worked weight's gradient sign does to it, the error curve's shape."""
    network = d.network
    pr = NotationPrinter(notation)
    last = len(network.layers) - 1
    view: View = {"layers": None, "layers_key": "", "sign": None, "curve": _curve(d)}
    weights = [(i, u) for i, u in enumerate(d.updates) if u.param.kind == "weight" and u.param.trainable]
    if last > 0:
        first = [abs(u.gradient) for i, u in weights if u.param.layer == 0]
        out = [abs(u.gradient) for i, u in weights if u.param.layer == last]
        slopes = [b.slope.value for b in d.first.backward if b.slope is not None and b.neuron.layer < last]
        if first and out and slopes and all(v > 0 for v in first + out):
            small, large = _mean_size(first), _mean_size(out)
            inputs = [abs(v) for v in (d.first.values[x] for x in network.inputs)]
            ratio = large / small if small < large else small / large
            view["layers_key"] = ("reading_similar" if ratio < SIMILAR else
                                  "reading_smaller" if small < large else "reading_larger")
            view["layers"] = {
                "ratio": show(ratio, 2).latex,
                "first": show(small, 3).latex, "output": show(large, 3).latex,
                "slopes": _span(min(slopes), max(slopes)), "inputs": _span(min(inputs), max(inputs)),
                "bound": _slope_bound(network)}
    index = _first_trainable(d, last)
    if index is not None and d.updates[index].gradient != 0:
        u = d.updates[index]
        view["sign"] = {"key": "reading_positive" if u.gradient > 0 else "reading_negative",
                        "param": pr.doprint(u.param.symbol), "gradient": show(u.gradient, digits).latex,
                        "old": show(u.old, digits).latex, "new": show(u.new, digits).latex}
    return view


def _span(low: Real, high: Real) -> View:
    """A range of sizes to 3 digits (the message that says it, the two ends), one number when they are one."""
    a, b = show(low, 3).latex, show(high, 3).latex
    return {"key": "span_one" if a == b else "span", "low": a, "high": b}


def _slope_bound(network: Any) -> str:
    """The message naming the largest slope of the hidden layers' activation, where it is one kind."""
    kinds = {n.activation.name for layer in network.layers[:-1] for n in layer}
    return f"reading_bound_{kinds.pop()}" if len(kinds) == 1 and kinds <= {"sigmoid", "tanh", "relu"} else ""


def _curve(d: Derivation) -> View | None:
    """The steepest fall between two reported update counts, and the last interval's slope on the log-log
    plot (the error falls about as updates to that power)."""
    points = [(0, d.error_before)] + [(h.step, h.error) for h in d.history
                                       if h.step in d.network.spec.training.steps and h.resolved]
    points = [(s, e) for s, e in points if e > 0]
    if len(points) < 3:
        return None
    drops = [(a[1] / b[1], a, b) for a, b in itertools.pairwise(points)]
    factor, a, b = max(drops, key=lambda drop: drop[0])
    (s1, e1), (s2, e2) = points[-2], points[-1]
    view = {"from": f"{a[0]:,}", "to": f"{b[0]:,}", "factor": show(factor, 3).latex, "slope": "", "same": False}
    if s1 > 0 and e1 != e2:
        slope = CTX.log(e2 / e1) / CTX.log(real(s2) / real(s1))
        view.update({"slope": show(slope, 2).latex, "last_from": f"{s1:,}", "last_to": f"{s2:,}",
                     "same": (s1, s2) == (a[0], b[0])})
    return view


def finite_difference(d: Derivation, notation: Notation, width: float) -> View | None:
    """The gradient of the first layer's first trainable parameter checked by central differences: the
    error the update descends, at the parameter moved by h either way, at the working precision."""
    index = _first_trainable(d, 0)
    if index is None:
        return None
    network = d.network
    trainer = Trainer(network)
    params = trainer.initial()
    h = real(STEP)
    up, down = (_objective(trainer, [p + sign * h if i == index else p for i, p in enumerate(params)])
                for sign in (1, -1))
    quotient = (up - down) / (2 * h)
    derived = d.updates[index].gradient
    if quotient == 0 or up == down:
        return None
    # the errors to enough digits that their difference keeps COMPARED of its own, and two more: the
    # quotient of the numbers shown is then right to the COMPARED digits it is shown with
    shown = COMPARED + 2 + max(0, math.ceil(float(CTX.log10(abs(up) / abs(up - down)))))
    a, b = show(up, shown), show(down, shown)
    in_numbers = (real(a.text) - real(b.text)) / (2 * h)
    param = network.params[index]
    pr = NotationPrinter(notation, width=width)
    lhs = pr.partial(objective(d), param.symbol)
    line = pr.equation(rf"{lhs} \approx \frac{{{a.latex} - {b.latex}}}{{2 \times {STEP}}}",
                       show(in_numbers, COMPARED).latex)
    agree = _agreeing_digits(quotient, derived)
    return {"param": pr.doprint(param.symbol), "h": STEP, "up": a.latex, "down": b.latex, "line": line,
            "error": pr.doprint(objective(d)), "derived": show(derived, 9).latex, "digits": str(agree),
            "difference": show(abs(quotient - derived), 2).latex}


def _objective(trainer: Trainer, params: list[Real]) -> Real:
    """The error the first update descends: one sample's E_total, or the batch's sum or mean."""
    samples = trainer.step_samples(1)
    total = CTX.fsum(trainer.error(params, s) for s in samples)
    mean = len(samples) > 1 and trainer.network.spec.training.reduction == "mean"
    return total / len(samples) if mean else total


def _agreeing_digits(a: Real, b: Real) -> int:
    """How many significant digits two numbers share (by their relative difference)."""
    if a == b:
        return 15
    return max(0, int(CTX.floor(-CTX.log10(abs(a - b) / abs(b)))))
