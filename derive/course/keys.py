"""Answer keys: key.json (every variant's numbers, and per question the truth and each mistake's value)
and key.csv (variant, question, answer, tolerance), the files scripts and `derive grade` read.

Every number is printed once from the working precision: `answer` and the mistakes' values to
KEY_DIGITS significant digits, `shown` to the digits asked, `tolerance` half a unit of its last digit.
"""

from __future__ import annotations

import json
from typing import Any

from derive.course import questions as q
from derive.course import spreadsheet
from derive.course.exercise import Exercise, Variant
from derive.course.keyfile import KEY_FORMAT
from derive.model.precision import show

KEY_DIGITS = 9  # the walkthrough's default digits


def key_json(ex: Exercise) -> str:
    """key.json: {"format", "network", "spec", "seed", "digits", "rejected", "feedback", "variants": [...]}, keys
    in a fixed order; `spec` is the TOML text the variants were drawn from, so that the key alone decides."""
    first = ex.variants[0].derivation.network
    document: dict[str, Any] = {
        "format": KEY_FORMAT,
        "network": ex.spec.name,
        "spec": ex.spec_text,
        "seed": ex.seed,
        "digits": ex.digits,
        "rejected": ex.rejected_count,
        "rejected_why": dict(ex.rejected),
        "feedback": q.meanings(first),
        "variants": [_variant(ex, v) for v in ex.variants],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _variant(ex: Exercise, v: Variant) -> dict[str, Any]:
    return {"id": v.id, "values": {name: str(value) for name, value in v.values},
            "questions": [_question(question) for question in v.questions]}


def _question(question: q.Question) -> dict[str, Any]:
    digits = question.digits
    return {
        "claim": question.claim,
        "answer": show(question.truth, KEY_DIGITS).text,
        "digits": digits,
        "shown": q.shown_at(question.truth, digits),
        "tolerance": format(q.tolerance(question.truth, digits), "f"),
        "mistakes": {name: show(value, KEY_DIGITS).text for name, value in question.mistakes},
        "tells_apart": [list(group) for group in q.groups(question)],
    }


def key_csv(ex: Exercise) -> str:
    """key.csv: one row per variant and question: variant, question, answer (to the digits asked), tolerance."""
    rows = [[v.id, question.claim, q.shown_at(question.truth, question.digits),
             format(q.tolerance(question.truth, question.digits), "f")]
            for v in ex.variants for question in v.questions]
    return spreadsheet.csv_text([["variant", "question", "answer", "tolerance"], *rows])
