"""The notes of convolution, pooling and recurrent networks: every format, language and notation, and the
numbers they print against an independent computation (the mpmath oracle, central differences, NumPy's
singular values of the Jacobians built from the oracle's states)."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.notes import LANGUAGES, PROFILES, files, layer_files
from derive.notes.request import NotesRequest
from tests import layer_oracle as oracle

CASES = [(name, lang, profile) for name in ("cnn", "rnn") for lang in LANGUAGES for profile in PROFILES]


def derived(s: spec.Spec) -> derivation.Derivation:
    return derivation.build(network.build(s))


_DERIVED: dict[str, derivation.Derivation] = {}


def fixture_derivation(name: str) -> derivation.Derivation:
    if name not in _DERIVED:
        _DERIVED[name] = derived(oracle.fixture(name))
    return _DERIVED[name]


def markdown(name: str, lang: str = "en", profile: str = "classic", **options: Any) -> str:
    found = files.files(fixture_derivation(name), NotesRequest(("md",), lang, profile, **options))
    text = found["walkthrough.md"]
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize("name, lang, profile", CASES)
def test_every_language_and_notation_renders_markdown_and_latex(name: str, lang: str, profile: str) -> None:
    found = files.files(fixture_derivation(name), NotesRequest(("md", "tex"), lang, profile))
    md, tex = found["walkthrough.md"], found["walkthrough.tex"]
    assert isinstance(md, str) and isinstance(tex, str)
    assert "@" not in md and "\\begin{document}" in tex and tex.rstrip().endswith("\\end{document}")
    for key, svg in found.items():
        if key.endswith(".svg"):
            ET.fromstring(svg)  # well-formed, standalone
            assert "\\langle" not in svg  # a step is written ⟨t⟩ in a figure
    assert md == files.files(fixture_derivation(name), NotesRequest(("md",), lang, profile))["walkthrough.md"]


def _matrices(text: str, after: str, holding: str = "") -> list[list[list[float]]]:
    """The matrices of numbers of the first display that follows `after` (and holds `holding`)."""
    start = text.index(after)
    while holding not in text[start:text.index("$$", text.index("$$", start) + 2)]:
        start = text.index("$$", text.index("$$", start) + 2) + 2
    display = text[text.index("$$", start):text.index("$$", text.index("$$", start) + 2)]
    found = []
    for body in re.findall(r"\\begin\{pmatrix\}(.*?)\\end\{pmatrix\}", display, re.S):
        rows = [[_number(cell) for cell in row.split("&")] for row in body.split(r"\\")]
        if all(v is not None for row in rows for v in row):
            found.append(rows)
    return found


def _number(cell: str) -> float | None:
    cell = cell.strip().replace(r"\left(", "").replace(r"\right)", "")
    match = re.fullmatch(r"(-?[\d.]+)(?: \\times 10\^\{(-?\d+)\})?", cell)
    if match is None:
        return None
    return float(match.group(1)) * (10 ** int(match.group(2)) if match.group(2) else 1)


def test_the_cnn_notes_print_the_oracles_maps_and_gradients() -> None:
    s = oracle.fixture("cnn")
    p = oracle.params_of(s)
    named = oracle.forward(s, p)
    text = markdown("cnn")
    feature = _matrices(text, "The feature map of kernel 1:")[0]
    np.testing.assert_allclose(feature, [[float(named[f"c1_{r}{c}"]) for c in (1, 2, 3)] for r in (1, 2, 3)], rtol=1e-8)
    kernel = _matrices(text, "the correlation of the input with the delta map")[-1]
    want = [[float(oracle.finite_difference(s, f"k1_{r}{c}", p)) for c in (1, 2)] for r in (1, 2)]
    np.testing.assert_allclose(kernel, want, rtol=1e-8)
    full = _matrices(text, "the full convolution of the delta map", r"\star")[-1]
    np.testing.assert_allclose(full, _input_gradients(s, p), rtol=1e-8, atol=1e-12)
    assert "A tie" not in text


def _input_gradients(s: spec.Spec, p: dict[str, Any]) -> list[list[float]]:
    """dE/dx by central differences of the oracle's loss in each input entry."""
    h = Decimal("1e-20")
    grads = []
    for i in range(len(s.inputs)):
        moved = []
        for step in (h, -h):
            inputs = list(s.samples[0].inputs)
            inputs[i] = Decimal(inputs[i]) + step
            sample = s.samples[0].__class__("s1", tuple(inputs), s.samples[0].targets)
            moved.append(oracle.loss(s.__class__(**{**s.__dict__, "samples": (sample,)}), p))
        grads.append(float((moved[0] - moved[1]) / (2 * oracle.mp.mpf(str(h)))))
    return [grads[r * 4:(r + 1) * 4] for r in range(4)]


def test_a_strided_kernels_input_gradient_spreads_the_delta_map() -> None:
    """A 1x1 identity kernel first, so the second (stride 2) layer's input gradient is the input's own: its
    full convolution of the spread delta map must equal the oracle's central differences in each input."""
    k = [[Decimal("0.5"), Decimal("-0.3")], [Decimal("0.2"), Decimal("0.4")]]
    image = [[Decimal(v) / 10 for v in row] for row in ([1, 5, 2, 9], [7, 3, 2, 4], [2, 6, 1, 5], [9, 4, 7, 3])]
    data = {"inputs": {"shape": [1, 4, 4]}, "loss": "half_sse",
            "layers": [{"kind": "conv2d", "kernel": 1, "activation": "identity", "weights": [[Decimal(1)]]},
                       {"kind": "conv2d", "kernel": 2, "stride": 2, "activation": "identity", "weights": k},
                       {"kind": "flatten"},
                       {"neurons": 1, "activation": "sigmoid", "weights": [[Decimal("0.3"), Decimal("-0.2"),
                                                                           Decimal("0.4"), Decimal("0.1")]]}],
            "samples": [{"inputs": image, "targets": [Decimal("0.9")]}], "training": {"learning_rate": Decimal("0.1")}}
    s = spec.from_mapping(data, "strided.toml", "strided")
    text = files.files(derived(s), NotesRequest(("md",)))["walkthrough.md"]
    assert isinstance(text, str) and "(1 down, 1 across)" in text
    spread = _matrices(text, "spread out by the stride", r"\mathrm{full}")[0]
    assert len(spread) == 5 and all(spread[r][c] == 0 for r in range(5) for c in range(5) if r % 2 == 0 or c % 2 == 0)
    full = _matrices(text, "spread out by the stride", r"\star")[-1]
    np.testing.assert_allclose(full, _input_gradients(s, oracle.params_of(s)), rtol=1e-8, atol=1e-12)


def test_the_rnn_notes_print_the_jacobian_products_numpy_finds() -> None:
    s = oracle.fixture("rnn")
    p = oracle.params_of(s)
    named = oracle.forward(s, p)
    wh = np.array([[float(p[f"wh{j}{m}"]) for m in (1, 2)] for j in (1, 2)])
    jacobians = {t: np.diag([1 - float(named[f"h{j}_t{t}"]) ** 2 for j in (1, 2)]) @ wh for t in (2, 3)}
    products = {3: np.eye(2), 2: jacobians[3], 1: jacobians[3] @ jacobians[2]}
    text = markdown("rnn")
    table = text[text.index("How much the product can stretch"):text.index("Each step's error is the product")]
    rows = dict(re.findall(r"^\| (\d) \| \$([\d.]+)\$ \|$", table, re.M))
    for t, product in products.items():
        assert float(rows[str(t)]) == pytest.approx(np.linalg.svd(product, compute_uv=False)[0], rel=1e-8)
    printed = _matrices(text, "From one step to the next")[-1]
    np.testing.assert_allclose(printed, jacobians[2], rtol=1e-8)
    row = re.search(r"^\| \$\\mathit\{wh\}_\{12\}\$ \| .* \| \$(-?[\d.]+)\$ \|$", text, re.M)
    assert row is not None
    gradient = float(row.group(1))
    assert gradient == pytest.approx(float(oracle.finite_difference(s, "wh12", p)), rel=1e-8)


def test_a_tie_is_said_and_broken_by_reading_order() -> None:
    data = {"inputs": {"shape": [1, 2, 2]}, "loss": "half_sse",
            "layers": [{"kind": "conv2d", "kernel": 1, "activation": "identity", "weights": [[Decimal(1)]]},
                       {"kind": "maxpool2d", "size": 2}, {"kind": "flatten"},
                       {"neurons": 1, "activation": "identity", "weights": [[Decimal(2)]]}],
            "samples": [{"inputs": [[Decimal("0.5"), Decimal("0.5")], [Decimal("0.1"), Decimal("0.2")]],
                         "targets": [Decimal(0)]}],
            "training": {"learning_rate": Decimal("0.1")}}
    d = derived(spec.from_mapping(data, "tie.toml", "tie"))
    text = files.files(d, NotesRequest(("md",)))["walkthrough.md"]
    assert isinstance(text, str)
    assert ("A tie: $\\mathrm{out}_{c1,11}$, $\\mathrm{out}_{c1,12}$ are all $0.5$." in text
            and "goes to the first in reading order, $\\mathrm{out}_{c1,11}$" in text)


def test_the_textbook_notation_keeps_the_books_sign_and_letters() -> None:
    text = markdown("rnn", profile="textbook")
    assert "e^{\\langle3\\rangle}_{1} = -\\frac{\\partial E}{\\partial \\alpha^{\\langle3\\rangle}_{1}}" in text
    assert "v_{12}" in text and "u_{12}" in text and "\\hat{y}_{1}" in text
    cnn = markdown("cnn", profile="matrix")
    assert "K^{[1]}_{1,12}" in cnn and "\\delta^{[1]}_{1,11}" in cnn and "W^{[4]}_{11}" in cnn


def test_full_notes_work_every_entry_and_brief_ones_narrate_nothing() -> None:
    full = markdown("cnn", full=True)
    assert full.count("The entry $c_{1,") == 9
    assert "How $" not in markdown("rnn", brief=True)


def test_the_sliding_figure_has_a_frame_per_position() -> None:
    found = files.files(fixture_derivation("cnn"), NotesRequest(("md",)))
    svg = found["figures/sliding-1.svg"]
    assert isinstance(svg, str)
    root = ET.fromstring(svg)
    rects = list(root.iter("{http://www.w3.org/2000/svg}rect"))
    assert len(rects) == 1 + 9 * 16  # the background and a 4x4 grid per position
    assert sum(r.get("fill") == "#f6d8d4" for r in rects) == 9 * 4  # the 2x2 window shaded in each


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk and XeLaTeX are not installed")
@pytest.mark.parametrize("name, lang", [("cnn", "zh"), ("rnn", "en")])
def test_the_pdf_typesets(name: str, lang: str) -> None:
    pdf = files.files(fixture_derivation(name), NotesRequest(("pdf",), lang))["walkthrough.pdf"]
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")


def _shaped(layers: list[dict[str, Any]], width: int) -> spec.Spec:
    """A 4x4 image through `layers`, flatten, and a sigmoid output reading `width` entries."""
    image = [[Decimal(v) / 10 for v in row] for row in ([1, 5, 2, 9], [7, 3, 2, 4], [2, 6, 1, 5], [9, 4, 7, 3])]
    weights = [[Decimal(i % 5 - 2) / 10 for i in range(width)]]
    data = {"inputs": {"shape": [1, 4, 4]}, "loss": "half_sse",
            "layers": [*layers, {"kind": "flatten"}, {"neurons": 1, "activation": "sigmoid", "weights": weights}],
            "samples": [{"inputs": image, "targets": [Decimal("0.5")]}], "training": {"learning_rate": Decimal("0.1")}}
    return spec.from_mapping(data, "shaped.toml", "shaped")


SHAPES = {
    "image": ([], 16),
    "pooling": ([{"kind": "maxpool2d", "size": 2, "stride": 1}, {"kind": "avgpool2d", "size": 2}], 1),
    "sliding": ([{"kind": "conv2d", "kernel": 2, "activation": "tanh",
                  "weights": [[Decimal("0.5"), Decimal("-0.3")], [Decimal("0.2"), Decimal("0.4")]]},
                 {"kind": "maxpool2d", "size": 2, "stride": 1},
                 {"kind": "conv2d", "kernel": 2, "padding": 1, "activation": "relu",
                  "weights": [[Decimal("0.3"), Decimal("0.1")], [Decimal("-0.2"), Decimal("0.6")]]}], 9),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_network_without_a_convolution_first_is_written_up(shape: str) -> None:
    """Flatten reading the input, pools reading the input, two convolutions: the notes in every notation,
    and the figure an exercise sheet shows (without the values it asks for)."""
    d = derived(_shaped(*SHAPES[shape]))
    for profile in PROFILES:
        found = files.files(d, NotesRequest(("md", "tex"), "en", profile))
        md, tex = found["walkthrough.md"], found["walkthrough.tex"]
        assert isinstance(md, str) and isinstance(tex, str) and "@" not in md, profile
    text = markdown_of(d)
    if shape == "image":
        assert "x_{1,11}, x_{1,12}" in text  # flatten lists the input's entries
    if shape == "pooling":
        assert "This pool reads the input" in text
    assert layer_files.sheet_figure_kind(d) == shape
    assert " = " not in layer_files.sheet_figure(d, "classic", "svg")


def markdown_of(d: derivation.Derivation) -> str:
    text = files.files(d, NotesRequest(("md",)))["walkthrough.md"]
    assert isinstance(text, str)
    return text
