"""A key.json as the files contract of `derive exercise` states it, for mazur, and the hand-ins graded
against it: the truth, each catalogued mistake, an error carried forward (computed here from the
textbook formulas with mpmath, not by the grader) and random noise."""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_EVEN, Context, Decimal
from pathlib import Path

from derive.check.checker import Truth
from derive.check.mistakes import catalogue, outcome, variant_value
from derive.course.grading import variant_spec
from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from tests.oracle import mp

ASK = ("out_o1", "E_total", "dE_total/dw5", "dE_total/dw1", "w1@1", "E_total@1")
NAMES = ("out_o1", "E_total", "d:E_total/w5", "d:E_total/w1", "w1@1", "E_total@1")
DIGITS = 3


def _draw(rng: random.Random) -> dict[str, str]:
    values = {f"w{k}": f"{rng.randint(-100, 100) / 100:.2f}" for k in range(1, 9)}
    values.update({"i1": f"{rng.randint(1, 99) / 100:.2f}", "i2": f"{rng.randint(1, 99) / 100:.2f}",
                   "target_o1": f"{rng.randint(1, 99) / 100:.2f}", "target_o2": f"{rng.randint(1, 99) / 100:.2f}",
                   "b1": f"{rng.randint(-50, 50) / 100:.2f}", "b2": f"{rng.randint(-50, 50) / 100:.2f}",
                   "eta": f"{rng.randint(1, 9) / 10:.1f}"})
    return values


def _questions(values: dict[str, str]) -> list[dict[str, object]]:
    """The questions of one variant, each with the value of every mistake it tells apart: at the digits
    asked, a mistake whose value is the truth's or another mistake's is not listed."""
    net = network.build(variant_spec(spec.load("mazur"), values))
    truth = Truth(derivation.build(net, history_steps=(1,)))
    results = [(m, outcome(net, m)) for m in catalogue(net)]
    questions = []
    for claim, name in zip(ASK, NAMES):
        answer = truth.value(name)
        found = {m.name: variant_value(net, result, name) for m, result in results}
        shown = [show(v, DIGITS).text for v in found.values() if v is not None] + [show(answer, DIGITS).text]
        mistakes = {m: show(v, 12).text for m, v in found.items()
                    if v is not None and shown.count(show(v, DIGITS).text) == 1}
        questions.append({"claim": claim, "answer": show(answer, 12).text, "digits": DIGITS, "mistakes": mistakes})
    return questions


def write_key(folder: Path, count: int, seed: int = 1) -> dict[str, object]:
    """key.json for `count` variants of mazur (ids 1..count), in `folder`."""
    rng = random.Random(seed)
    variants = []
    while len(variants) < count:
        values = _draw(rng)
        variants.append({"id": len(variants) + 1, "values": values, "questions": _questions(values)})
    key = {"network": "mazur", "seed": seed, "variants": variants}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "key.json").write_text(json.dumps(key, indent=2), encoding="utf-8")
    return key


def rounded(text: str, digits: int = DIGITS) -> str:
    """`text` rounded to `digits` significant digits, trailing zeros kept (0.0720 is three digits)."""
    return str(Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(Decimal(text)))


def mp_value(text: str):  # noqa: ANN201
    from derive.model.precision import real

    return real(text)


def handin(variant: object, answers: dict[str, str], student: str | None = None) -> str:
    """A claims hand-in: its variant line, then one claim per question."""
    head = f"variant: {variant}\n" + (f"student: {student}\n" if student else "")
    return head + "".join(f"{claim} = {value}\n" for claim, value in answers.items())


def carried_answers(values: dict[str, str], slip: str) -> dict[str, str]:
    """Every answer of mazur computed by hand (mpmath, the textbook formulas) from a wrong out_o1 = `slip`:
    a student who slipped in the first answer and did everything after it right."""
    mp.dps = 40
    v = {k: mp.mpf(x) for k, x in values.items()}
    sig = lambda x: 1 / (1 + mp.exp(-x))  # noqa: E731
    h1 = sig(v["w1"] * v["i1"] + v["w2"] * v["i2"] + v["b1"])
    h2 = sig(v["w3"] * v["i1"] + v["w4"] * v["i2"] + v["b1"])
    o1 = mp.mpf(slip)
    o2 = sig(v["w7"] * h1 + v["w8"] * h2 + v["b2"])
    t1, t2 = v["target_o1"], v["target_o2"]
    e = (t1 - o1) ** 2 / 2 + (t2 - o2) ** 2 / 2
    d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
    grads = {"w5": d1 * h1, "w6": d1 * h2, "w7": d2 * h1, "w8": d2 * h2}
    dh1, dh2 = (d1 * v["w5"] + d2 * v["w7"]) * h1 * (1 - h1), (d1 * v["w6"] + d2 * v["w8"]) * h2 * (1 - h2)
    grads.update({"w1": dh1 * v["i1"], "w2": dh1 * v["i2"], "w3": dh2 * v["i1"], "w4": dh2 * v["i2"]})
    new = {k: v[k] - v["eta"] * g for k, g in grads.items()}
    n1 = sig(new["w1"] * v["i1"] + new["w2"] * v["i2"] + v["b1"])
    n2 = sig(new["w3"] * v["i1"] + new["w4"] * v["i2"] + v["b1"])
    p1 = sig(new["w5"] * n1 + new["w6"] * n2 + v["b2"])
    p2 = sig(new["w7"] * n1 + new["w8"] * n2 + v["b2"])
    after = (t1 - p1) ** 2 / 2 + (t2 - p2) ** 2 / 2
    found = {"out_o1": slip, "E_total": e, "dE_total/dw5": grads["w5"], "dE_total/dw1": grads["w1"],
             "w1@1": new["w1"], "E_total@1": after}
    return {k: (x if isinstance(x, str) else mp.nstr(x, 6)) for k, x in found.items()}
