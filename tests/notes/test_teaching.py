"""The notes as teaching material: the update moved in numbers, a batch's gradient named and added up, the
other samples in tables, one gradient checked by finite differences, the reading of the numbers, the
exercises and their answers, the computational graph. Every number is compared with an independent
computation: the mpmath oracle (tests/oracle.py) and its central differences, or a float64 loop."""

from __future__ import annotations

import functools
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from derive.maths import derivation
from derive.model import network, spec
from derive.model.precision import show
from derive.notes import files
from derive.notes.request import NotesRequest
from tests.helpers import finite_difference, oracle_net, param_values
from tests.oracle import forward, loss, mp

HERE = Path(__file__).resolve().parent
SPECS = {"softmax": str(HERE / "review_342.toml"), "deep": str(HERE / "deep_23331.toml")}


@functools.cache
def derived(name: str) -> derivation.Derivation:
    net = network.build(spec.load(SPECS.get(name, name)))
    return derivation.build(net, history_steps=files.history_steps(net.spec), shown_digits=9)


@functools.cache
def notes(name: str, lang: str = "en", full: bool = False) -> str:
    return str(files.files(derived(name), NotesRequest(("md",), lang, full=full))["walkthrough.md"])


def nine(x: object) -> str:
    return show(mp.mpf(x), 9).latex


def displays(text: str) -> list[str]:
    """Every display of a Markdown walkthrough, its lines joined."""
    return [" ".join(d.split()) for d in re.findall(r"\$\$\n(.*?)\n\s*\$\$", text, re.S)]


def gradient(name: str, param: str, sample: int = 0) -> object:
    s = derived(name).network.spec
    return finite_difference(s, sample, param, param_values(s))


def test_the_first_parameter_of_each_layer_is_moved_in_numbers() -> None:
    text = notes("mazur")
    for param, old in (("w5", "0.4"), ("w1", "0.15")):
        g = gradient("mazur", param)
        new = mp.mpf(old) - mp.mpf("0.5") * g
        line = next(d for d in displays(text) if d.startswith(rf"\begin{{aligned}} w_{{{param[1:]}}}^{{+}}")
                    or d.startswith(rf"w_{{{param[1:]}}}^{{+}}"))
        assert f"{old} - 0.5 \\times {nine(g)}" in line.replace("&", "").replace(r"\\ ", "").replace(r"\quad ", "")
        assert line.endswith(f"{nine(new)} \\end{{aligned}}") or line.endswith(nine(new))


def test_a_batch_gradient_is_named_and_is_the_mean_of_the_samples_gradients() -> None:
    text = notes("softmax")
    g1, g2 = gradient("softmax", "w1", 0), gradient("softmax", "w1", 1)
    assert r"E_{\mathrm{batch}} = \frac{1}{2} \sum_{s} E_{\mathrm{total}}" in text
    line = next(d for d in displays(text) if d.startswith(r"\begin{aligned} \frac{\partial E_{\mathrm{batch}}}{\partial w_{1}}"))
    flat = line.replace("&", "").replace(r"\\", "").replace(r"\quad", "")
    assert nine(g1) in flat and nine(g2) in flat and nine((g1 + g2) / 2) in flat
    assert r"p^{+} = p - \eta \frac{\partial E_{\mathrm{batch}}}{\partial p}" in text
    assert r"\partial E_{\mathrm{total}} / \partial p" not in text  # one sample's error is not what the batch descends


def test_a_batch_is_narrated_once_and_its_other_samples_are_tables() -> None:
    text, single = notes("xor3"), notes("mazur")
    assert text.count("## Sample s1:") == 3 and "## Sample s2" not in text and "## The other samples" in text
    assert text.count("is obtained") <= single.count("is obtained") + 2
    s = derived("xor3").network.spec
    net = oracle_net(s)
    outs = [forward(net, sample.inputs)[-1][0] for sample in s.samples]
    others = text[text.index("## The other samples"):]
    row = next(line for line in others.splitlines() if line.startswith(r"| $\mathrm{out}_{y1}$ |"))
    assert [cell.strip(" $") for cell in row.split("|")[2:-1]] == [nine(o) for o in outs]


def test_one_output_s_error_is_the_total_on_one_line() -> None:
    text = notes("xor3")
    assert r"E_{\mathrm{total}} = E_{y1} &= \frac{1}{2}" in text
    assert not re.search(r"E_\{\\mathrm\{total\}\} (&)?= E_\{y1\} (&)?= [0-9.]+ (\\\\ )?(&)?= ", " ".join(text.split()))


def test_one_gradient_is_checked_by_central_differences() -> None:
    text = notes("mazur")
    s = derived("mazur").network.spec
    values = param_values(s)
    h = mp.mpf("0.0001")
    up, down = (loss(oracle_net(s, dict(values, w1=values["w1"] + k * h)), s.samples[0].inputs, s.samples[0].targets)
                for k in (1, -1))
    line = next(d for d in displays(text) if r"\approx" in d)
    numbers = re.findall(r"\\frac\{([0-9.]+) - ([0-9.]+)\}", line)[0]
    shown_up, shown_down = (mp.mpf(n) for n in numbers)
    assert abs(shown_up - up) <= mp.mpf(10) ** (-len(numbers[0]) + 2) and abs(shown_down - down) <= mp.mpf(10) ** (-len(numbers[1]) + 2)
    quotient = (shown_up - shown_down) / (2 * h)
    assert line.endswith(show(quotient, 6).latex + r" \end{aligned}")
    assert show(quotient, 6).latex == show(gradient("mazur", "w1"), 6).latex


def test_the_reading_of_the_numbers() -> None:
    text = notes("mazur")
    first = [abs(gradient("mazur", f"w{k}")) for k in (1, 2, 3, 4)]
    output = [abs(gradient("mazur", f"w{k}")) for k in (5, 6, 7, 8)]
    ratio = (sum(output) / 4) / (sum(first) / 4)
    assert f"about {show(ratio, 2).text} times smaller" in text
    assert "The gradient of $w_{5}$ is positive" in text and "so the update lowers it, from $0.4$ to" in text


def mazur_errors(counts: tuple[int, ...]) -> dict[int, float]:
    """mazur's error after each of `counts` updates, from an own float64 loop of the article's network,
    independent of the engine."""
    w = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])
    b, x, t = (0.35, 0.60), np.array([0.05, 0.10]), np.array([0.01, 0.99])

    def sig(z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z))

    def error() -> float:
        return 0.5 * float(np.sum((t - sig(w2 @ sig(w1 @ x + b[0]) + b[1])) ** 2))

    w1, w2 = w[0].copy(), w[1].copy()
    found = {0: error()}
    for step in range(1, max(counts) + 1):
        h = sig(w1 @ x + b[0])
        o = sig(w2 @ h + b[1])
        d2 = (o - t) * o * (1 - o)
        d1 = (w2.T @ d2) * h * (1 - h)
        w2 -= 0.5 * np.outer(d2, h)
        w1 -= 0.5 * np.outer(d1, x)
        if step in counts:
            found[step] = error()
    return found


def test_the_articles_number_after_10000_updates_is_the_error_after_9999() -> None:
    error = mazur_errors((9999,))[9999]
    text = notes("mazur")
    reported = re.search(r"that is the error after 9,999 updates, \$([0-9.]+)\$ here", text)
    assert reported is not None and abs(float(reported.group(1)) - error) < 1e-7 * error
    assert "The article also reports $0.0000351085$ as the error after 10,000 updates" in text


def test_the_reading_names_the_stretch_where_the_error_falls_most() -> None:
    """The error curve's shape: the pair of listed update counts between which it falls by the largest
    factor, that factor and the log-log slope there, from the float64 loop."""
    counts = (1, 10, 100, 1000, 10000)
    errors = mazur_errors(counts)
    factor, start, end = max((errors[a] / errors[b], a, b) for a, b in zip(counts, counts[1:]))
    slope = -np.log(factor) / np.log(end / start)
    text = notes("mazur")
    assert (f"the error falls most between {start:,} and {end:,} updates, by a factor of "
            f"${show(mp.mpf(factor), 3).latex}$") in text
    assert f"to the power ${show(mp.mpf(slope), 2).latex}$" in text


def test_the_exercises_answers_are_the_oracles_for_their_numbers() -> None:
    text = notes("mazur")
    s = derived("mazur").network.spec
    exercise = text[text.index("### Exercise 1"):text.index("### Exercise 2")]
    given = dict(re.findall(r"\$([^$]+)\$ \| ([−0-9.]+) \|", exercise))
    names = {"i_{1}": "i1", "i_{2}": "i2", r"\mathrm{target}_{o1}": "t1", r"\mathrm{target}_{o2}": "t2", r"\eta": "eta"}
    values = {names.get(k, k.replace("_{", "").replace("}", "")): Decimal(v.replace("−", "-")) for k, v in given.items()}
    params = {p: values[p] for p in param_values(s)}
    sample = ([values["i1"], values["i2"]], [values["t1"], values["t2"]])
    net = oracle_net(s, params)
    out = forward(net, *sample[:1])[-1][0]
    error = loss(net, *sample)

    def grad(p: str, ps: dict) -> object:
        h = mp.mpf(10) ** -20
        up, down = dict(ps), dict(ps)
        up[p], down[p] = mp.mpf(str(ps[p])) + h, mp.mpf(str(ps[p])) - h
        return (loss(oracle_net(s, up), *sample) - loss(oracle_net(s, down), *sample)) / (2 * h)

    eta = mp.mpf(str(values["eta"]))
    moved = {p: mp.mpf(str(v)) - (eta * grad(p, params) if p.startswith("w") else 0) for p, v in params.items()}
    after = loss(oracle_net(s, moved), *sample)
    answers = text[text.index("## Appendix"):]
    answers = answers[answers.index("### Exercise 1"):answers.index("### Exercise 2")]
    rows = dict(re.findall(r"^\| \$(.+)\$ \| ([−0-9.]+) \|$", answers, re.M))
    expected = {r"\mathrm{out}_{o1}": out, r"E_{\mathrm{total}}": error,
                r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}}": grad("w5", params),
                r"\frac{\partial E_{\mathrm{total}}}{\partial w_{1}}": grad("w1", params),
                r"{w_{1}}^{(1)}": moved["w1"], r"{E_{\mathrm{total}}}^{(1)}": after}
    assert set(rows) == set(expected)
    for symbol, value in expected.items():
        written = rows[symbol].replace("−", "-")
        digits = len(written.lstrip("-0.").replace(".", ""))
        assert written == mp.nstr(value, digits, strip_zeros=False, min_fixed=-mp.inf, max_fixed=mp.inf).rstrip("."), symbol


def test_the_graph_carries_the_oracles_values_forward_and_gradients_back() -> None:
    svg = str(files.files(derived("mazur"), NotesRequest(("md",)))["figures/graph.svg"])
    s = derived("mazur").network.spec
    net = oracle_net(s)
    outs = forward(net, s.samples[0].inputs)
    out_o1 = outs[-1][0]
    net_o1 = -mp.log(1 / out_o1 - 1)
    delta = (out_o1 - mp.mpf("0.01")) * out_o1 * (1 - out_o1)
    for value in (out_o1, net_o1, delta, out_o1 - mp.mpf("0.01"), gradient("mazur", "w5")):
        assert f">{show(value, 4).text}<" in svg, value
    for colour in ("#D55E00", "#0072B2", "#009E73"):
        assert colour in svg
    text = notes("mazur")
    assert r"\textcolor{D55E00}{\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}}}" in text
    assert r"\textcolor{009E73}{\frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}}" in text


def test_a_softmax_neuron_s_closed_form_is_reduced_where_the_targets_add_up_to_one() -> None:
    text = notes("softmax")
    assert r"every sample's targets add up to 1 ($\mathrm{target}_{o1} + \mathrm{target}_{o2} = 1$)" in text
    assert r"&= \mathrm{out}_{o1} \left(\mathrm{target}_{o1} + \mathrm{target}_{o2}\right)" in text
    assert r"&= \mathrm{out}_{o1} - \mathrm{target}_{o1}" in text
    assert text.count(r"\frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}} &= - \frac{\mathrm{target}_{o1}}") == 1
    assert "the softmax output layer turns all its sums together" in text
    assert r"\cdot -" not in text


def test_a_deep_network_s_index_letters_are_not_its_neurons_names() -> None:
    text = notes("deep")
    assert r"\delta_{l} = " in text and r"\sum_{m} \delta_{m} w_{ml}" in text and r"\delta_{n} = " in text
    assert r"\delta_{h} = " not in text and "_{h}" not in text
    assert "Neuron $ha1$" in text and r"\mathit{ha}" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_adam_is_named_and_its_symbols_are_in_the_table_of_notation(lang: str) -> None:
    text = notes("mazuradam", lang)
    legend = text[:text.index("##", text.index("##") + 2)]
    for symbol in (r"m_{p}^{(t)}", r"v_{p}^{(t)}", r"\hat{m}_{p}^{(t)}", r"\beta_{1}, \beta_{2}", r"\epsilon"):
        assert f"| ${symbol}" in legend
    assert "stochastic gradient descent" not in text and "随机梯度下降" not in text
    table = [line for line in text.splitlines() if line.startswith(r"| $w_{1}$ | $0.000438567734$")][0]
    v_cell = table.split("|")[4]
    assert r"\times 10^{-10}" in v_cell
    update = text[text.index(table):]
    column = [line.split("|")[4] for line in update.splitlines()[:12] if re.match(r"\| \$[wb]_\{\d\}\$ \| \$", line)]
    assert all(r"\times 10^" in cell for cell in column[:8]), column  # one format in the column
    assert r"\left(0.000438567734\right)^{2}" in text
