"""Checking a hand derivation: every claim's links judged against the derivation's truth.

A claimed number is right when the truth, rounded or truncated to the significant digits written,
gives that number; a link computed from written numbers (`0.741 * 0.187`) is right when it agrees
within the precision of those numbers; a person's own names (`R1 = ...`) take the value of their
definition, so a later claim is judged on what the person actually wrote.

The parts: `claims` (the grammar), `truth` (what is true), `values` (what a claim computes), `digits`
(numbers as written), `judging` (the verdicts), and this module (a claims file checked and reported).
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.check import latex
from derive.check.claims import Claim, names_in, parse
from derive.check.digits import agrees_to_written_digits, significant
from derive.check.judging import judge
from derive.check.truth import MAX_TRAINING_STEPS, Budget, BudgetSpent, PointTruth, Truth, Unknown, split_sample
from derive.check.values import Evaluator, OutOfRange, OwnNames
from derive.check.verdicts import Verdict
from derive.maths.derivation import Derivation
from derive.maths.numeric import Trainer
from derive.model.precision import Real, show

__all__ = ["Budget", "BudgetSpent", "Evaluator", "OutOfRange", "OwnNames", "PointTruth", "Report", "Trainer",
           "Truth", "Unknown", "Verdict", "agrees_to_written_digits", "check_text", "judge", "significant",
           "to_json", "to_text"]


@dataclass(frozen=True)
class Report:
    verdicts: tuple[Verdict, ...]
    refused: tuple[tuple[int, str], ...]

    @property
    def wrong(self) -> int:
        return sum(v.status == "wrong" for v in self.verdicts)


def unchecked(report: Report) -> str | None:
    """Why a report without a wrong claim is still not a pass: nothing judged, or lines refused; else None."""
    verdicts, refused = report.verdicts, report.refused
    if not verdicts and not refused:
        return "no claims (the file is empty or holds only comments)"
    if not any(v.status in ("correct", "wrong", "carried") for v in verdicts):
        return "nothing could be checked (no claim was found correct or wrong)"
    lines = sorted([n for n, _ in refused] + [v.line for v in verdicts if v.status == "cannot check"])
    if lines:
        count = len(lines)
        return f"{count} claim{'s' if count > 1 else ''} could not be checked (first: line {lines[0]})"
    return None


def check_text(d: Derivation, text: str, budget: Budget | None = None, notation: str = "classic") -> Report:
    """Every claim of a claims file judged against `d`; unreadable lines are refused, never run.

    The file's checking stays within `budget` (default: Budget()): lines whose replays the work budget
    cannot pay for are refused when the file is read; once the time is spent, every line left is
    `cannot check: budget spent`."""
    found, refused = parse(text, latex.glyph_names(d.network, notation))
    truth = Truth(d, budget)
    found, over = _plan_replays(found, truth)
    evaluator = Evaluator(truth, OwnNames())
    verdicts: list[Verdict] = []
    for index, claim in enumerate(found):
        try:
            truth.budget.check_time()
            verdicts += judge(claim, truth, evaluator)
        except BudgetSpent as exc:
            verdicts += [Verdict(c.line, c.text, 1, "cannot check", None, None, str(exc)) for c in found[index:]]
            break
    return Report(tuple(verdicts), tuple(sorted(refused + over)))


def _replays(claim: Claim) -> list[tuple[str, int]]:
    """(quantity, update count) of every value after training the claim names."""
    found = []
    sides = list(claim.links) + ([claim.left] if claim.left is not None else [])
    for name in [claim.target.name] + [n for link in sides for n in names_in(link)]:
        base, at, step = split_sample(name)[0].partition("@")
        if at and not base.startswith("d:") and step.isdigit():
            found.append((base, int(step)))
    return found


def _plan_replays(found: list[Claim], truth: Truth) -> tuple[list[Claim], list[tuple[int, str]]]:
    """The claims whose replays fit the work budget, the others refused; the replay planned once."""
    most = truth.budget.max_updates()
    kept, refused, steps = [], [], []
    for claim in found:
        wanted = [s for base, s in _replays(claim) if truth.followable(base) and s <= MAX_TRAINING_STEPS]
        beyond = [s for s in wanted if s > most]
        if beyond:
            refused.append((claim.line, f"replaying {max(beyond)} updates of this network costs "
                            f"{max(beyond) * truth.update_work:,} units of work, beyond a claims file's budget "
                            f"of {truth.budget.budget.work:,} (at most {most} updates)"))
            continue
        kept.append(claim)
        steps += wanted
    truth.plan(steps)
    return kept, refused


def _shown(x: Real | None, digits: int) -> str | None:
    return None if x is None else show(x, digits).text


def to_text(report: Report, digits: int) -> str:
    lines = []
    for v in report.verdicts:
        where = f"line {v.line}" + (f", {v.entry}" if v.entry else "") + (f", link {v.link}" if v.link > 1 else "")
        truth = f" (truth {_shown(v.truth, digits)}" if v.truth is not None and v.status != "defined" else ""
        error = v.relative_error
        wrong = truth and error is not None and v.status == "wrong"
        rel = f", relative error {show(error, 3).text})" if wrong else (")" if truth else "")
        reading = f"; reading: {v.reading}" if v.reading else ""
        lines.append(f"{where}: {v.status}: {v.reason}{reading}{truth}{rel}")
        lines += [f"    most likely: {e}" for e in v.explanations]
    lines += [f"line {n}: cannot check: refused: {why}" for n, why in report.refused]
    counts = {s: sum(v.status == s for v in report.verdicts) for s in ("correct", "wrong", "carried", "cannot check")}
    carried = f"{counts['carried']} carried forward, " if counts["carried"] else ""
    lines.append(f"{counts['correct']} correct, {counts['wrong']} wrong, {carried}"
                 f"{counts['cannot check'] + len(report.refused)} cannot check")
    return "\n".join(lines)


def to_json(report: Report, digits: int) -> str:
    import json

    items = [{"line": v.line, "link": v.link, "claim": v.text, "verdict": v.status, "reason": v.reason,
              "truth": _shown(v.truth, digits), "claimed": _shown(v.claimed, digits),
              "relative_error": _shown(v.relative_error, 3), "explanations": list(v.explanations),
              "reading": v.reading, "entry": v.entry}
             for v in report.verdicts]
    items += [{"line": n, "link": 0, "claim": None, "verdict": "cannot check", "reason": f"refused: {why}",
               "truth": None, "claimed": None, "relative_error": None, "explanations": [], "reading": "",
               "entry": ""}
              for n, why in report.refused]
    summary = {"correct": sum(v.status == "correct" for v in report.verdicts), "wrong": report.wrong,
               "carried": sum(v.status == "carried" for v in report.verdicts),
               "cannot_check": sum(v.status == "cannot check" for v in report.verdicts) + len(report.refused)}
    return json.dumps({"claims": items, "summary": summary}, indent=2, ensure_ascii=False)
