"""Hand-ins of the mazur exercise sheet, made from its key.json: the truth, each catalogued mistake, an
error carried forward (computed here from the textbook formulas with mpmath, not by the grader)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal

from tests.oracle import mp

DIGITS = 3
MAZUR_ETA = "0.5"  # the preset's learning rate, where the exercise does not draw one


def rounded(text: str, digits: int = DIGITS) -> str:
    """`text` rounded to `digits` significant digits, trailing zeros kept (0.0720 is three digits)."""
    return str(Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(Decimal(text)))


def handin(variant: object, answers: dict[str, str], student: str | None = None) -> str:
    """A claims hand-in: its variant line, then one claim per question."""
    head = f"variant: {variant}\n" + (f"student: {student}\n" if student else "")
    return head + "".join(f"{claim} = {value}\n" for claim, value in answers.items())


def carried_answers(values: dict[str, str], slip: str) -> dict[str, str]:
    """Every answer of mazur computed by hand (mpmath, the textbook formulas) from a wrong out_o1 = `slip`:
    a student who slipped in the first answer and did everything after it right."""
    v = {k: mp.mpf(x) for k, x in values.items()}
    sig = lambda x: 1 / (1 + mp.exp(-x))
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
    eta = mp.mpf(values.get("eta", MAZUR_ETA))
    new = {k: v[k] - eta * g for k, g in grads.items()}
    n1 = sig(new["w1"] * v["i1"] + new["w2"] * v["i2"] + v["b1"])
    n2 = sig(new["w3"] * v["i1"] + new["w4"] * v["i2"] + v["b1"])
    p1 = sig(new["w5"] * n1 + new["w6"] * n2 + v["b2"])
    p2 = sig(new["w7"] * n1 + new["w8"] * n2 + v["b2"])
    after = (t1 - p1) ** 2 / 2 + (t2 - p2) ** 2 / 2
    found = {"out_o1": slip, "E_total": e, "dE_total/dw5": grads["w5"], "dE_total/dw1": grads["w1"],
             "w1@1": new["w1"], "E_total@1": after}
    return {k: (x if isinstance(x, str) else mp.nstr(x, 9)) for k, x in found.items()}
