"""derive.html: one standalone page, its maths typeset by the bundled KaTeX, checked in Chromium."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive.notes import html as page_html

from . import browser

SAMPLE = r"""# 反向传播 — backpropagation, step by step

前向传播：每个神经元先求加权和。

The network has inputs $x_{1}, x_{2}$, hidden outputs $\mathrm{out}_{h1}$ and the prediction
$\hat{y}$; the first layer's weights are $W^{[1]}$ and the learning rate is $\eta = 0.5$.

![The 2-2-2 network](figures/network.svg)

## The weights

| weight | connects | value |
|---|---|---|
| $w_{1}$ | $i_{1} \to h_{1}$ | $0.15$ |
| $w_{5}$ | $h_{1} \to o_{1}$ | $0.4$ |
| $\lvert w_{6} \rvert$ | $h_{2} \to o_{1}$ | $0.45$ |

## The forward pass

Neuron $h_{1}$: the weighted sum, then the activation $\sigma$.

$$
\mathrm{net}_{h1} = w_{1} \times i_{1} + w_{2} \times i_{2} + b_{1} = 0.3775
$$

$$
\mathrm{out}_{h1} = \sigma\left(\mathrm{net}_{h1}\right) = \frac{1}{1 + e^{-\mathrm{net}_{h1}}} = 0.593269992
$$

## The backward pass

By the chain rule:
$$
\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} = \frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}} \cdot \frac{\partial \mathrm{out}_{o1}}{\partial \mathrm{net}_{o1}} \cdot \frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}
$$

so
$$
\begin{aligned}
\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} &= \left(0.75136507 - 0.01\right) \times 0.186815602 \times 0.593269992 \\
&= 0.082167041
\end{aligned}
$$

In closed form: $\delta_{o1} = \left(\mathrm{out}_{o1} - \mathrm{target}_{o1}\right) \mathrm{out}_{o1} \left(1 - \mathrm{out}_{o1}\right)$,
and the update is $$w_{5}^{+} = w_{5} - \eta \cdot \frac{\partial E_{\mathrm{total}}}{\partial w_{5}}$$ for every weight.

A long formula scrolls sideways instead of widening the page:

$$
E_{\mathrm{total}} = \frac{1}{2}\left(t_{1} - \hat{y}_{1}\right)^{2} + \frac{1}{2}\left(t_{2} - \hat{y}_{2}\right)^{2} + \frac{1}{2}\left(t_{3} - \hat{y}_{3}\right)^{2} + \frac{1}{2}\left(t_{4} - \hat{y}_{4}\right)^{2} + \frac{1}{2}\left(t_{5} - \hat{y}_{5}\right)^{2} + \frac{1}{2}\left(t_{6} - \hat{y}_{6}\right)^{2} + \frac{1}{2}\left(t_{7} - \hat{y}_{7}\right)^{2}
$$

Markdown leaves maths alone: $a_1 * b_2 * c_3$ has no emphasis and $\text{net}_\text{h1}$ keeps its
underscores; outside maths, *this* is emphasis and a\_b is escaped.
"""

FIGURE = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- the test's network figure -->
<svg xmlns="http://www.w3.org/2000/svg" width="360" height="160" viewBox="0 0 360 160">
  <g stroke="#555" stroke-width="1.5">
    <line x1="40" y1="40" x2="180" y2="40"/><line x1="40" y1="40" x2="180" y2="120"/>
    <line x1="40" y1="120" x2="180" y2="40"/><line x1="40" y1="120" x2="180" y2="120"/>
    <line x1="180" y1="40" x2="320" y2="40"/><line x1="180" y1="40" x2="320" y2="120"/>
    <line x1="180" y1="120" x2="320" y2="40"/><line x1="180" y1="120" x2="320" y2="120"/>
  </g>
  <g fill="#e8f0fe" stroke="#1a73e8" stroke-width="2">
    <circle cx="40" cy="40" r="18"/><circle cx="40" cy="120" r="18"/>
    <circle cx="180" cy="40" r="18"/><circle cx="180" cy="120" r="18"/>
    <circle cx="320" cy="40" r="18"/><circle cx="320" cy="120" r="18"/>
  </g>
  <g font-family="sans-serif" font-size="13" text-anchor="middle">
    <text x="40" y="45">i1</text><text x="40" y="125">i2</text>
    <text x="180" y="45">h1</text><text x="180" y="125">h2</text>
    <text x="320" y="45">o1</text><text x="320" y="125">o2</text>
  </g>
</svg>
"""

FIGURES = {"figures/network.svg": FIGURE}

# Every committed HTML page: each preset in each language and notation (checked current by test_examples).
WALKTHROUGHS = sorted((Path(__file__).resolve().parents[2] / "output").glob("*/*/walkthrough.html"))


def sample_page() -> str:
    return page_html.page(SAMPLE, "反向传播 <notes> & \"more\"", "zh", FIGURES)


def body(page: str) -> str:
    """What the page shows: the HTML between <main> and </main>."""
    return page[page.index("<main>") : page.index("</main>")]


def maths_sources(page: str) -> list[str]:
    """The LaTeX of each formula in the page, as KaTeX will read it."""
    return [html.unescape(tex) for tex in re.findall(r'<(?:span|div) class="math (?:inline|display)">(.*?)</(?:span|div)>', page, re.DOTALL)]


# --- the page, read as text


def test_maths_reaches_katex_exactly_as_written() -> None:
    sources = maths_sources(sample_page())
    assert r"w_{5}" in sources  # in a table cell
    assert r"\lvert w_{6} \rvert" in sources
    assert r"a_1 * b_2 * c_3" in sources
    assert r"\text{net}_\text{h1}" in sources
    assert (
        r"\frac{\partial E_{\mathrm{total}}}{\partial w_{5}} = \frac{\partial E_{\mathrm{total}}}{\partial \mathrm{out}_{o1}}"
        r" \cdot \frac{\partial \mathrm{out}_{o1}}{\partial \mathrm{net}_{o1}} \cdot \frac{\partial \mathrm{net}_{o1}}{\partial w_{5}}"
    ) in sources
    aligned = (
        "\\begin{aligned}\n"
        "\\frac{\\partial E_{\\mathrm{total}}}{\\partial w_{5}} &= \\left(0.75136507 - 0.01\\right) \\times 0.186815602 \\times 0.593269992 \\\\\n"
        "&= 0.082167041\n"
        "\\end{aligned}"
    )
    assert aligned in sources
    # every $...$ and $$...$$ of the sample, and nothing else
    assert len(sources) == SAMPLE.count("$") // 2 - SAMPLE.count("$$") // 2


def test_display_maths_after_a_line_of_text_is_set_apart() -> None:
    body = page_html.page("so\n$$\n\\begin{aligned}\nx &= 1 \\\\\n- 2 &= y\n\\end{aligned}\n$$\nthen $$z$$.\n", "t", "en")
    assert "<p>so</p>\n<div class=\"math display\">\\begin{aligned}\nx &amp;= 1 \\\\\n- 2 &amp;= y\n\\end{aligned}</div>" in body
    assert '<p>then <span class="math display">z</span>.</p>' in body


def test_markdown_outside_maths_still_works() -> None:
    page = sample_page()
    assert "<table>" in page and "<th>weight</th>" in page
    assert "<h1>反向传播 — backpropagation, step by step</h1>" in page
    assert "<em>this</em>" in page and "a_b" in page
    assert "<p>前向传播：每个神经元先求加权和。</p>" in page


def test_the_figure_is_written_into_the_page() -> None:
    page = sample_page()
    assert ('<span class="figure" role="figure" aria-label="The 2-2-2 network" style="--natural: 360px">'
            '<svg xmlns="http://www.w3.org/2000/svg"') in page
    assert '</svg><span class="caption">The 2-2-2 network</span></span>' in page
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page and "the test's network figure" not in page
    assert "<img" not in body(page)


def test_an_unknown_figure_stays_an_image() -> None:
    page = page_html.page("![missing](figures/other.svg)\n", "t", "en", FIGURES)
    assert '<img src="figures/other.svg" alt="missing" />' in page


def test_title_and_language() -> None:
    page = sample_page()
    assert "<title>反向传播 &lt;notes&gt; &amp; &#34;more&#34;</title>" in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">\n')
    assert page_html.page("x", "t", "en").startswith('<!DOCTYPE html>\n<html lang="en">\n')
    with pytest.raises(ValueError, match="unknown language"):
        page_html.page("x", "t", "fr")


def test_the_page_needs_no_network() -> None:
    page = sample_page()
    for reference in ('src="http', "src='http", 'href="http', "href='http", "url(http", "url('http", 'url("http', "<link", "@import"):
        assert reference not in page
    assert "url(fonts/" not in page
    fonts = re.findall(r"url\(data:font/woff2;base64,", page)
    assert len(fonts) == len(list((Path(page_html.__file__).parent / "assets" / "katex" / "fonts").glob("*.woff2"))) == 20
    assert ".woff)" not in page and ".ttf)" not in page
    assert "document.write" not in page


def test_the_bundled_katex_is_the_one_named() -> None:
    folder = Path(page_html.__file__).parent / "assets" / "katex"
    assert f'version:"{page_html.KATEX_VERSION}"' in (folder / "katex.min.js").read_text(encoding="utf-8")
    assert page_html.KATEX_VERSION in (folder / "README.txt").read_text(encoding="utf-8")
    assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_the_same_input_gives_the_same_bytes() -> None:
    first = sample_page()
    assert sample_page() == first
    # and in another interpreter, with another hash seed
    script = (
        "import sys, tests.notes.test_html as t; from derive.notes.html import page; "
        "sys.stdout.buffer.write(page(t.SAMPLE, '反向传播 <notes> & \"more\"', 'zh', t.FIGURES).encode('utf-8'))"
    )
    root = Path(__file__).resolve().parents[2]
    other = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env={**os.environ, "PYTHONHASHSEED": "12345"}, capture_output=True, check=True
    )
    assert other.stdout.decode("utf-8") == first


# --- the page, as Chromium shows it

needs_browser = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory):
    with browser.chromium(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def show(chromium: browser.Browser, page: str, tmp_path: Path) -> browser.PageReport:
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    started = time.monotonic()
    report = chromium.open(path, screenshot=tmp_path / "page.png")
    print(f"{path}: {report.maths} formulas, {time.monotonic() - started:.1f} s, screenshot {report.screenshot}")
    return report


@needs_browser
def test_the_sample_page_typesets_cleanly(chromium: browser.Browser, tmp_path: Path) -> None:
    page = sample_page()
    report = show(chromium, page, tmp_path)
    assert report.problems() == []
    assert report.maths == len(maths_sources(page)) == report.katex
    assert report.screenshot is not None and report.screenshot.stat().st_size > 10_000


@needs_browser
def test_a_broken_formula_is_caught(chromium: browser.Browser, tmp_path: Path) -> None:
    report = show(chromium, page_html.page("Fine: $x^2$. Broken: $\\frac{1}{$.\n", "broken", "en"), tmp_path)
    assert report.typeset
    assert report.maths == 2 and report.katex == 1
    assert [tex for tex, _ in report.failures] == ["\\frac{1}{"]
    assert "KaTeX parse error" in report.failures[0][1]
    assert len(report.console_errors) == 1 and "\\\\frac{1}{" in report.console_errors[0]
    assert report.problems()[1:] == [f"KaTeX rejected '\\\\frac{{1}}{{': {report.failures[0][1]}", "2 formulas marked but 1 typeset"]


@needs_browser
def test_a_strict_mode_mistake_is_caught(chromium: browser.Browser, tmp_path: Path) -> None:
    # Chinese outside \text{...} is a mistake LaTeX would reject: strict mode makes KaTeX say so
    report = show(chromium, page_html.page("$\\text{权重} w$ and $权重 w$\n", "strict", "zh"), tmp_path)
    assert [tex for tex, _ in report.failures] == ["权重 w"]
    assert report.katex == 1


@needs_browser
@pytest.mark.parametrize("walkthrough", WALKTHROUGHS, ids=[f"{p.parent.parent.name}-{p.parent.name}" for p in WALKTHROUGHS])
def test_the_committed_walkthroughs_typeset_cleanly(chromium: browser.Browser, tmp_path: Path, walkthrough: Path) -> None:
    report = show(chromium, walkthrough.read_text(encoding="utf-8"), tmp_path)
    assert report.problems() == []
    assert report.maths > 0 and report.maths == report.katex


def test_there_is_a_page_per_preset_and_language() -> None:
    pages = {(p.parent.parent.name, p.parent.name) for p in WALKTHROUGHS}
    assert {(name, lang) for name in ("gender", "mazur", "textbook", "xor3") for lang in ("en", "zh")} <= pages


# --- the page at a phone's width and at a desktop's

LAYOUT_PAGES = WALKTHROUGHS
# the two networks of the review, beside the presets: a deep one and a wide softmax one with a batch
REVIEW_SPECS = ("deep_23331.toml", "review_342.toml")
WIDTHS = (360, 420, 1200)


def check_layout(chromium: browser.Browser, page: Path, tmp_path: Path) -> None:
    """At a phone's widths and a desktop's, the page never scrolls sideways and no display, table or
    figure hides part of its content in a box of its own."""
    for width in WIDTHS:
        found = chromium.layout(page, width, tmp_path / f"{width}.png")
        assert found["scroll_width"] <= width, (width, found["scroll_width"])
        assert found["overflowing"] == [], (width, found["overflowing"][:3])
        assert found["smallest_scale"] >= 0.7 - 1e-9, found["smallest_scale"]
        assert found["smallest_matrix_scale"] >= 0.55 - 1e-9, found["smallest_matrix_scale"]  # no break possible


@needs_browser
@pytest.mark.parametrize("walkthrough", LAYOUT_PAGES, ids=[f"{p.parent.parent.name}-{p.parent.name}" for p in LAYOUT_PAGES])
def test_the_page_fits_a_phone_and_a_desktop(chromium: browser.Browser, tmp_path: Path, walkthrough: Path) -> None:
    check_layout(chromium, walkthrough, tmp_path)


@needs_browser
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", REVIEW_SPECS)
def test_a_deep_and_a_wide_network_fit_a_phone_and_a_desktop(chromium: browser.Browser, tmp_path: Path, name: str,
                                                              lang: str) -> None:
    from derive.cli import main

    spec_path = Path(__file__).resolve().parent / name
    assert main(["render", str(spec_path), "--format", "html", "--lang", lang, "--out", str(tmp_path / "out")]) == 0
    check_layout(chromium, tmp_path / "out" / "walkthrough.html", tmp_path)


@needs_browser
def test_a_figure_scaled_to_a_phone_is_shown_at_its_size_on_a_tap(chromium: browser.Browser, tmp_path: Path) -> None:
    page = Path(__file__).resolve().parents[2] / "output" / "mazur" / "en" / "walkthrough.html"
    chromium.layout(page, 360)
    driver = chromium.driver
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 900, "deviceScaleFactor": 1,
                                                                   "mobile": True})
    try:
        driver.get(page.resolve().as_uri())
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.documentElement.getAttribute('data-layout')") == "done")
        state = driver.execute_script("""
            const fig = document.querySelector('main .figure');
            const before = [fig.classList.contains('scaled'), fig.querySelector('svg').getBoundingClientRect().width,
                            getComputedStyle(fig.querySelector('.hint')).display];
            fig.click();
            const after = [fig.classList.contains('zoomed'), fig.querySelector('svg').getBoundingClientRect().width,
                           fig.scrollWidth > fig.clientWidth];
            return [before, after, parseFloat(fig.style.getPropertyValue('--natural'))];""")
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    (scaled, width, hint), (zoomed, natural_width, scrolls), natural = state
    assert scaled and width <= 320 + 0.5 and hint != "none"
    assert zoomed and abs(natural_width - natural) < 0.5 and scrolls


def test_contents_link_every_section_and_print_has_its_own_style() -> None:
    text = (Path(__file__).resolve().parents[2] / "output" / "mazur" / "en" / "walkthrough.html").read_text(encoding="utf-8")
    nav = text[text.index('<nav class="toc">'):text.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) >= 8
    for anchor in targets:
        assert f'id="{anchor}"' in text
    for title in ("The backward pass", "Output layer", "The update", "Iterations"):
        assert f">{title}</a>" in nav
    assert "@media print" in text
    assert text.count('<span class="caption">') == 4  # network, the paths of w1, the graph of w5, the loss curve
    assert 'The backward paths the gradient of <span class="math inline">w_{1}</span> sums over.' in text
