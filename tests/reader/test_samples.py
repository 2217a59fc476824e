"""Documents of a network with several samples: the sample a heading or paragraph names is the reading
its claims are judged at, so a correct walkthrough (the tool's own, or a student's) has nothing wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.cli import main
from derive.maths import derivation
from derive.model import network, spec
from derive.reader.document import NOT_UNDERSTOOD, DocumentReport, check_document
from derive.reader.samples import SampleNames
from derive.reader.spans import markdown_spans
from tests.check.test_samples import hand
from tests.oracle import mp

PRESETS = ("mazur", "gender", "xor3", "textbook", "mazuradam")


@pytest.fixture(scope="module")
def derivations() -> dict[str, derivation.Derivation]:
    return {p: derivation.build(network.build(spec.load_preset(p)), history_steps=(1,)) for p in PRESETS}


def rendered(tmp_path: Path, preset: str, profile: str, lang: str, kind: str, full: bool = False) -> str:
    out = tmp_path / "out"
    argv = ["render", preset, "--format", kind, "--notation", profile, "--lang", lang, "--out", str(out)]
    assert main(argv + (["--full"] if full else [])) == 0
    return (out / f"walkthrough.{kind}").read_text(encoding="utf-8")


# The spans of a walkthrough the reader may leave unjudged ("not understood", or "cannot check"), each with why.
ALLOWED = {
    # the update rule for a generic parameter p: a letter that names no quantity of the network (each
    # parameter's update follows under its own name, and is judged there)
    r"p^{+} = p - \eta \frac{\partial E": "no quantity 'p' in this network",
    # the gradient of a batch's error for a generic parameter p: the sum (or mean) of the samples' gradients
    # (each parameter's follows in numbers, and is judged there)
    r"\frac{\partial E_{\mathrm{batch}}}{\partial p} =": "no derivative dE_total/dp",
    # the optimizer's settings listed in one span, separated by commas (each is judged where it is used)
    r"\eta = 0.01, \beta_{1} = 0.9, \beta_{2} = 0.999": "unexpected ','",
    # Adam's bias correction: the weights of its average sum to 1 - beta1^t, an identity in beta1 and the
    # update count t, which is no quantity of the network (its value at each t is a claim of no update)
    r"\sum_{k=1}^{t} \beta_{1}^{t - k} \left(1 - \beta_{1}\right) = 1 - \beta_{1}^{t}": "",
}


def unjudged(report: DocumentReport) -> list[tuple[str, str]]:
    """(source, reason) of every span left unjudged that ALLOWED does not list with that reason."""
    found = []
    for s in report.spans:
        reasons = [s.reason] if s.status == NOT_UNDERSTOOD else []
        reasons += [f.verdict.reason for f in s.found if f.verdict.status == "cannot check"]
        source = " ".join(s.span.source.split())
        for reason in reasons:
            if not any(source.startswith(k) and why in reason for k, why in ALLOWED.items()):
                found.append((source, reason))
    return found


# Every walkthrough the tool writes: each preset, notation and language, one parameter of each layer or
# --full, Markdown and LaTeX, checked in the notation it was rendered in.
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("profile", ["classic", "textbook", "matrix"])
@pytest.mark.parametrize("preset", PRESETS)
def test_a_walkthrough_read_back_has_nothing_wrong(preset: str, profile: str, lang: str, full: bool, tmp_path: Path,
                                                   derivations: dict[str, derivation.Derivation]) -> None:
    for kind in ("md", "tex"):
        document = rendered(tmp_path / kind, preset, profile, lang, kind, full)
        report = check_document(derivations[preset], kind, document, notation=profile)
        assert [f.verdict for f in report.found if f.verdict.status == "wrong"] == []
        assert unjudged(report) == []
        assert sum(f.verdict.status == "correct" for f in report.found) > 50


def test_each_sample_section_of_the_walkthrough_is_judged_at_its_sample(
        tmp_path: Path, derivations: dict[str, derivation.Derivation]) -> None:
    text = rendered(tmp_path, "xor3", "classic", "en", "md", full=True)  # every sample's pass in full
    report = check_document(derivations["xor3"], "md", text)
    readings = {f.reading for f in report.found if f.reading}
    assert {f"at sample s{k}, as 'Sample s{k}: The error' says" for k in range(1, 5)} <= readings


def _digits(x: object) -> str:
    return mp.nstr(x, 9, strip_zeros=False)


def student(values: list[dict[str, object]]) -> str:
    """A hand-written document: a section per sample, each named as a student would."""
    parts = ["# Homework 2\n\nThe network learns from four samples at once.\n"]
    for k, v in enumerate(values, start=1):
        parts.append(f"## Working through sample s{k}\n\nForward: $out_{{h1}} = {_digits(v['out_h1'])}$ and\n\n"
                     f"$$out_{{y1}} = {_digits(v['out_y1'])}$$\n\n### Its error\n\n"
                     f"$E_{{total}} = {_digits(v['E_total'])}$\n\n### Its gradient\n\n"
                     f"$$\\frac{{\\partial E_{{total}}}}{{\\partial w_{{16}}}} = {_digits(v['dw16'])}$$\n")
    batch = sum(v["dw16"] for v in values)
    parts.append(f"## The batch\n\nSummed over the samples: $\\frac{{\\partial E_{{total}}}}{{\\partial w_{{16}}}} = "
                 f"{_digits(batch)}$\n")
    return "\n".join(parts)


def test_a_students_document_of_several_samples_is_right(derivations: dict[str, derivation.Derivation]) -> None:
    d = derivations["xor3"]
    report = check_document(d, "md", student(hand(d)))
    statuses = [f.verdict.status for f in report.found]
    assert statuses == ["correct"] * (4 * 4 + 1)
    assert report.found[-1].reading == ""  # the batch's section names no sample: the batch's gradient


def test_a_students_document_with_a_value_of_the_wrong_sample_is_wrong(
        derivations: dict[str, derivation.Derivation]) -> None:
    d = derivations["xor3"]
    values = hand(d)
    values[2] = dict(values[2], out_y1=values[1]["out_y1"])  # sample s3's section gives sample s2's output
    report = check_document(d, "md", student(values))
    wrong = [f for f in report.found if f.verdict.status == "wrong"]
    assert len(wrong) == 1 and wrong[0].reading.startswith("at sample s3")


def _notebook(markdown: str) -> str:
    """`markdown` as a notebook whose every heading and every paragraph is a cell of its own."""
    import nbformat

    cells = [nbformat.v4.new_markdown_cell(part, id=f"c{k}") for k, part in enumerate(markdown.split("\n\n"))]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def test_a_notebooks_heading_cell_rules_the_cells_under_it(derivations: dict[str, derivation.Derivation]) -> None:
    d = derivations["xor3"]
    values = hand(d)
    report = check_document(d, "ipynb", _notebook(student(values)))
    assert [f.verdict.status for f in report.found] == ["correct"] * (4 * 4 + 1)
    values[2] = dict(values[2], out_y1=values[1]["out_y1"])
    wrong = [f for f in check_document(d, "ipynb", _notebook(student(values))).found if f.verdict.status == "wrong"]
    assert len(wrong) == 1 and wrong[0].reading.startswith("at sample s3")


def test_a_paragraph_or_table_naming_several_samples_names_none() -> None:
    text = ("## Sample s2\n\n| sample s1 | sample s2 |\n|---|---|\n| 1 | 2 |\n\n$a = 1$\n\n"
            "With the numbers of sample s10:\n\n$b = 2$\n\n### Sub\n\n$c = 3$\n\n## Other\n\n$d = 4$\n")
    spans = markdown_spans(text)
    assert [s.headings for s in spans] == [("Sample s2",)] * 2 + [("Sample s2", "Sub")] + [("Other",)]
    names = SampleNames(tuple(f"s{k}" for k in range(1, 11)))
    assert [names.of(s).name for s in spans] == [None, "s10", "s2", None]
