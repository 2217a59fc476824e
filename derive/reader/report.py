"""A document's verdicts as text or JSON: the checker's shape, plus where each claim is (line, cell, span)
and the spans that are not understood, with their reasons."""

from __future__ import annotations

import json

from derive.check.verdicts import Verdict
from derive.model.precision import Real, show
from derive.reader.document import JUDGED, NOT_CLAIM, NOT_UNDERSTOOD, DocumentReport, Found, SpanResult

STATUSES = ("correct", "wrong", "carried", "cannot check")


def _shown(x: Real | None, digits: int) -> str | None:
    return None if x is None else show(x, digits).text


def where(line: int, cell: int | None) -> str:
    return f"line {line}" + (f" (cell {cell})" if cell is not None else "")


def verdict_line(f: Found, digits: int) -> list[str]:
    """One verdict as the checker words it, with the reading taken and the likely mistakes."""
    v = f.verdict
    place = where(v.line, f.cell) + (f", {v.entry}" if v.entry else "") + (f", link {v.link}" if v.link > 1 else "")
    truth = ""
    if v.truth is not None and v.status != "defined":
        error = v.relative_error
        rel = f", relative error {show(error, 3).text}" if v.status == "wrong" and error is not None else ""
        truth = f" (truth {_shown(v.truth, digits)}{rel})"
    reading = f" [{f.reading}]" if f.reading else ""
    return [f"{place}: {v.status}: {v.reason}{truth}{reading}"] + [f"    most likely: {e}" for e in v.explanations]


def not_understood_line(s: SpanResult) -> str:
    source = " ".join(s.span.source.split())
    shown = source if len(source) <= 80 else source[:77] + "..."
    return f"{where(s.line, s.text.cell)}: not understood: {s.reason}: {shown!r}"


def summary(report: DocumentReport) -> dict[str, int]:
    found = report.found
    counts = {s.replace(" ", "_"): sum(f.verdict.status == s for f in found) for s in STATUSES}
    counts.update({"spans_judged": report.count(JUDGED), "spans_not_understood": report.count(NOT_UNDERSTOOD),
                   "spans_not_claims": report.count(NOT_CLAIM)})
    return counts


def to_text(report: DocumentReport, digits: int) -> str:
    lines: list[str] = []
    for s in report.spans:
        for f in s.found:
            lines += verdict_line(f, digits)
        if s.status == NOT_UNDERSTOOD:
            lines.append(not_understood_line(s))
    c = summary(report)
    carried = f"{c['carried']} carried forward, " if c["carried"] else ""
    lines.append(f"{c['correct']} correct, {c['wrong']} wrong, {carried}{c['cannot_check']} cannot check; math spans: "
                 f"{c['spans_judged']} judged, {c['spans_not_understood']} not understood, "
                 f"{c['spans_not_claims']} not claims")
    return "\n".join(lines)


def _claim(f: Found, s: SpanResult, digits: int) -> dict[str, object]:
    v: Verdict = f.verdict
    return {"line": v.line, "cell": f.cell, "link": v.link, "claim": v.text, "verdict": v.status, "reason": v.reason,
            "truth": _shown(v.truth, digits), "claimed": _shown(v.claimed, digits),
            "relative_error": _shown(v.relative_error, 3), "explanations": list(v.explanations),
            "reading": f.reading or None, "entry": v.entry or None, "span": _span(s)}


def _span(s: SpanResult) -> dict[str, object]:
    # offsets in the file as written (a Windows line break is two characters there)
    return {"line": s.line, "end_line": s.end_line, "cell": s.text.cell, "start": s.text.as_written(s.span.start),
            "end": s.text.as_written(s.span.end), "source": s.span.source}


def to_json(report: DocumentReport, digits: int) -> str:
    claims = [_claim(f, s, digits) for s in report.spans for f in s.found]
    not_understood = [dict(_span(s), reason=s.reason) for s in report.spans if s.status == NOT_UNDERSTOOD]
    return json.dumps({"claims": claims, "not_understood": not_understood, "names": report.names.to_json(),
                       "summary": summary(report)},
                      indent=2, ensure_ascii=False)
