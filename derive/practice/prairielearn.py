"""A PrairieLearn question of an exercise: `info.json`, `question.html` (one `pl-number-input` per
question of the sheet) and `server.py`, which runs in PrairieLearn's own Python without derive.

`server.py` holds the exercise's variants (the numbers `derive exercise` drew with the seed, each
question's truth and the values of the mistakes the checker and the key name), the rules of `derive
grade` for numbers (`pl_rules`, placed as it is) and the formulas that carry an error forward (`pycode`).
Python prepares every string; the templates in `templates/prairielearn/` place them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import escape

from derive import templating
from derive.check.mistakes import catalogue, outcome, replay, value_after, variant_value
from derive.check.optimizer_claims import VARIANT_STEPS, replayed_value, resolve, slipped_stepper, slips
from derive.check.truth import Truth
from derive.course import carried, keyfile, keys, sheets
from derive.course.marking import SQUASHED
from derive.course.exercise import Exercise, Variant
from derive.maths.numeric import Trainer
from derive.model.precision import CTX, Real, show
from derive.notes import svg
from derive.notes.notation import notation_for
from derive.notes.printers import NotationPrinter
from derive.practice import hints, pycode, steps
from derive.practice.page import TRUTH_DIGITS

# the question, and the key `derive exercise` writes for the same variants (derive grade reads it; PrairieLearn
# leaves a file it does not know alone)
FILES = ("info.json", "question.html", "server.py", "key.json", keyfile.CHECKSUMS)
KEY_DIGITS = 9  # the key's mistakes as key.json prints them


def question_files(ex: Exercise, lang: str, notation: str) -> dict[str, str]:
    """The question directory's files."""
    from derive.course import grading

    chains = [steps.build(v.derivation) for v in ex.variants]
    course = sheets.catalogue(lang)
    first = ex.variants[0]
    pr = NotationPrinter(notation_for(first.derivation.network, notation))
    asked = [{"answer": f"q{k + 1}", "claim": q.claim, "label": f"${sheets.question_latex(q, pr)} =$"}
             for k, q in enumerate(first.questions)]
    title = first.derivation.network.spec.title_in(lang)
    env = templating.tex_environment()
    html = env.get_template("prairielearn/question.html.j2").render(
        intro=escape(course("intro", digits=ex.digits)), layers=escape(sheets.layers_line(first, course)),
        questions=asked)
    server = env.get_template("prairielearn/server.py.j2").render(
        title=title, network=ex.network, count=len(ex.variants), seed=ex.seed, rules=_rules(),
        copying_slips=repr(tuple(grading.COPYING_SLIPS)), written_digits=repr(grading.WRITTEN_DIGITS),
        variants=repr(json.dumps([_variant(ex, v, c, asked, notation, lang) for v, c in zip(ex.variants, chains)],
                                 ensure_ascii=False, separators=(",", ":"))),
        meanings=repr(json.dumps(hints.meanings(first.derivation.network, lang), ensure_ascii=False)),
        carries="True" if carried.supported(first.derivation) else "False",
        names=repr(json.dumps({s.name: s.claim for s in chains[0].steps}, ensure_ascii=False)),
        steps=[(json.dumps(claim), code, "True" if own else "False") for claim, code, own in pycode.printed(chains[0])])
    found = {"info.json": _info(ex, lang, notation, title), "question.html": html, "server.py": server,
             "key.json": keys.key_json(ex)}
    return found | {keyfile.CHECKSUMS: keyfile.checksums(dict(found))}  # derive grade checks the key against it


def _info(ex: Exercise, lang: str, notation: str, title: str) -> str:
    """info.json: a UUID made from what the question is (the same input, the same UUID), its title and topic."""
    digest = hashlib.sha256(f"derive|{ex.network}|{ex.seed}|{len(ex.variants)}|{lang}|{notation}".encode()).digest()
    info = {"uuid": str(uuid.UUID(bytes=digest[:16], version=4)), "type": "v3", "title": title,
            "topic": "Backpropagation", "tags": ["derive", ex.spec.name], "gradingMethod": "Internal",
            "partialCredit": True, "singleVariant": False}
    return json.dumps(info, indent=2, ensure_ascii=False) + "\n"


def _variant(ex: Exercise, v: Variant, chain: steps.Chain, asked: list[dict[str, str]], notation: str,
             lang: str) -> dict[str, Any]:
    truth = Truth(v.derivation)
    pr = NotationPrinter(notation_for(v.derivation.network, notation))
    rows = "".join(f"<tr><td>${escape(hints.quantity(symbol.name, pr))}$</td>"
                   f"<td>{escape(show(value, TRUTH_DIGITS).text)}</td></tr>" for symbol, value in chain.given)
    course = sheets.catalogue(lang)
    return {
        "id": str(v.id), "title": sheets.catalogue(lang)("variant", id=v.id),
        "numbers": f'<table class="table table-sm"><thead><tr><th>{escape(course("col_quantity"))}</th>'
                   f'<th>{escape(course("col_value"))}</th></tr></thead><tbody>{rows}</tbody></table>',
        "figure": svg.figure(sheets.network_figure(v, notation)),
        "given": {symbol.name: show(value, TRUTH_DIGITS).text for symbol, value in chain.given},
        "questions": [{**a, "name": q.name, "digits": q.digits, "truth": show(q.truth, TRUTH_DIGITS).text,
                       "shown": show(q.truth, q.digits).text, "explain": _explanations(v, truth, q.name),
                       "key": [[m, show(x, KEY_DIGITS).text] for m, x in q.mistakes], **_bounds(v, q.name)}
                      for a, q in zip(asked, v.questions)],
    }


def _bounds(v: Variant, name: str) -> dict[str, Any]:
    """What derive grade's carrying forward needs of a question beyond its numbers: the range of an out
    of a squashing activation (an attempt lies inside it), a parameter's value before its update."""
    network = v.derivation.network
    found: dict[str, Any] = {}
    squashed = next((SQUASHED.get(n.activation.name) for n in network.neurons if n.out.name == name), None)
    if squashed is not None:
        found["range"] = [float(squashed[0]), float(squashed[1])]
    base, at, _ = name.partition("@")
    before = next((p.initial for p in network.params if p.name == base), None) if at else None
    if before is not None:
        found["before"] = str(before)
    return found


def _explanations(v: Variant, truth: Truth, name: str) -> list[tuple[str, str, bool]]:
    """The values the checker explains a wrong number of `name` with, in its order, each (name, value,
    whether it is replayed): an error one update off, each catalogued mistake, the optimizer's slips."""
    network = v.derivation.network
    found: list[tuple[str, str, bool]] = []
    base, at, step = name.partition("@")
    errors = [network.e_total.name] + [o.error.name for o in network.outputs]
    if at and int(step) >= 2 and base in errors:
        found.append(("one update off", _text(truth.value(f"{base}@{int(step) - 1}")), False))
    for m in catalogue(network):
        value = variant_value(network, outcome(network, m), name)
        replayed = value is None
        if replayed and at and int(step) > 1 and base in errors:
            params = replay(network, m, Trainer(network).initial(), 0, int(step))
            value = value_after(network, params, base) if params is not None else None
        if value is not None and CTX.isfinite(value):
            found.append((m.name, _text(value), replayed))
    return found + _optimizer(v, name)


def _optimizer(v: Variant, name: str) -> list[tuple[str, str, bool]]:
    """The mistakes of an optimizer's updates (parameters and its state after a few updates)."""
    network = v.derivation.network
    base, _, step = name.partition("@")
    if network.spec.training.optimizer.plain or not step.isdigit() or not 1 <= int(step) <= VARIANT_STEPS:
        return []
    names = [p.name for p in network.params]
    quantity = (None, names.index(base)) if base in names else resolve(network, base)
    if quantity is None:
        return []
    from derive.check.mistakes import VariantTrainer

    trainers: list[tuple[str, Trainer]] = [(m.name, VariantTrainer(network, m)) for m in catalogue(network)]
    for slip in slips(network):
        trainer = Trainer(network)
        trainer.stepper = slipped_stepper(network, slip)
        trainers.append((slip.name, trainer))
    found = []
    for label, trainer in trainers:
        value = replayed_value(trainer, network, quantity[0], quantity[1], int(step))
        if value is not None:
            found.append((label, _text(value), False))
    return found


def _text(x: Real) -> str:
    return show(x, TRUTH_DIGITS).text


@cache
def _rules() -> str:
    return resources.files("derive.practice").joinpath("pl_rules.py").read_text(encoding="utf-8")


def is_question_file(path: Any) -> bool:
    """True for a file of the question directory (an earlier question in the folder is replaced)."""
    return tuple(path.parts) in {(f,) for f in FILES}

