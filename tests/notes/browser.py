"""Open an HTML page in headless Chromium, as a reader would, and report what went wrong in it.

Uses Debian's ``chromium`` and ``chromium-driver`` packages (``/usr/bin/chromium``,
``/usr/bin/chromedriver``) through Selenium. The browser is kept off the network: every host
name resolves to nothing, so a page that needed one would show it as a console error.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WIDTH = 1200
HEIGHT = 900
MAX_SCREENSHOT_HEIGHT = 8000

# the elements derive.html marks for KaTeX: $...$ and $$...$$
MATHS = ".math.inline, .math.display"


# A page laid out: the notes' script says so once it has set every display with its fonts; the practice
# page's once it has typeset its maths and is ready for answers.
LAID_OUT = """
const a = document.documentElement;
return a.getAttribute('data-layout') === 'done'
       || (a.getAttribute('data-ready') === '1' && a.getAttribute('data-katex') === 'done');
"""

# What `Browser.layout` measures, in the page: every box that hides part of its content.
LAYOUT = """
const doc = document.documentElement;
const kind = el => el.tagName === 'TABLE' ? 'table' : el.classList.contains('figure') ? 'figure'
                   : el.classList.contains('display') ? 'display' : 'inline';
const boxes = Array.from(document.querySelectorAll('.math.display, .math.inline, main table, main .figure'));
const over = boxes.filter(b => b.scrollWidth > b.clientWidth + 1);
const labels = Array.from(document.querySelectorAll('svg text'), t => t.getBoundingClientRect().height)
                    .filter(h => h > 0);
// a display holding a matrix (which cannot be broken into lines) apart from the others
const matrix = k => ((k.querySelector('annotation') || {}).textContent || '').includes('\\\\begin{pmatrix}');
const scale = k => parseFloat(k.style.fontSize || '100') / 100;
const displays = Array.from(document.querySelectorAll('.katex-display'));
const scales = displays.filter(k => !matrix(k)).map(scale);
const matrixScales = displays.filter(matrix).map(scale);
return {scroll_width: Math.max(doc.scrollWidth, document.body.scrollWidth), client_width: doc.clientWidth,
        displays: document.querySelectorAll('.math.display').length,
        tables: document.querySelectorAll('main table').length,
        stacked: document.querySelectorAll('main table.stacked').length,
        figures: document.querySelectorAll('main .figure').length,
        smallest_scale: scales.length ? Math.min(...scales) : 1,
        smallest_matrix_scale: matrixScales.length ? Math.min(...matrixScales) : 1,
        overflowing: over.map(b => [kind(b), b.scrollWidth, b.clientWidth,
                                    (b.querySelector('annotation') || b).textContent.trim().slice(0, 120)]),
        smallest_label: labels.length ? Math.min(...labels) : null};
"""


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} is not installed (Debian package {package})"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


@dataclass
class PageReport:
    """What the browser saw on one page."""

    url: str
    typeset: bool  # the page's KaTeX script ran to its end
    maths: int  # formulas marked for KaTeX
    katex: int  # formulas KaTeX typeset (.katex elements)
    failures: list[tuple[str, str]]  # (LaTeX, KaTeX's message) of each formula it rejected
    console: list[dict] = field(default_factory=list)  # every console message
    requests: list[str] = field(default_factory=list)  # URLs fetched other than the page and data: URIs
    screenshot: Path | None = None

    @property
    def console_errors(self) -> list[str]:
        return [entry["message"] for entry in self.console if entry.get("level") == "SEVERE"]

    def problems(self) -> list[str]:
        """Everything a reader would see as broken, one line each; empty for a good page."""
        out = [f"console error: {message}" for message in self.console_errors]
        out += [f"KaTeX rejected {tex!r}: {message}" for tex, message in self.failures]
        if not self.typeset:
            out.append("the KaTeX script did not run to its end")
        if self.katex != self.maths:
            out.append(f"{self.maths} formulas marked but {self.katex} typeset")
        out += [f"network request: {url}" for url in self.requests]
        return out


def _options(profile: Path):
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--disable-extensions",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return options


class Browser:
    """One headless Chromium, for opening any number of pages in turn."""

    def __init__(self, driver) -> None:
        self.driver = driver

    def open(self, page: Path, screenshot: Path | None = None, timeout: float = 30.0) -> PageReport:
        """Load ``page`` from its file:// URL, wait for the maths and the fonts, and report; with
        ``screenshot``, save a PNG of the page there (its whole height, up to 8000 px)."""
        from selenium.webdriver.support.ui import WebDriverWait

        driver = self.driver
        driver.set_window_size(WIDTH, HEIGHT)
        driver.get_log("browser")  # what an earlier page left
        driver.get_log("performance")
        url = page.resolve().as_uri()
        driver.get(url)
        try:
            WebDriverWait(driver, timeout).until(
                lambda d: d.execute_script("return document.documentElement.getAttribute('data-katex')") == "done"
            )
            typeset = True
        except Exception:  # noqa: BLE001 - a page whose script never finishes is reported, not raised
            typeset = False
        driver.set_script_timeout(timeout)
        driver.execute_async_script("const done = arguments[arguments.length - 1]; document.fonts.ready.then(() => done(true));")
        counts = driver.execute_script(
            """
            const maths = document.querySelectorAll(arguments[0]);
            return {
              maths: maths.length,
              katex: document.querySelectorAll(".katex").length,
              failures: Array.from(document.querySelectorAll(".katex-failed"),
                                   el => [el.textContent, el.getAttribute("data-katex-error") || ""]),
            };
            """,
            MATHS,
        )
        report = PageReport(
            url=url,
            typeset=typeset,
            maths=int(counts["maths"]),
            katex=int(counts["katex"]),
            failures=[(str(tex).strip(), str(message)) for tex, message in counts["failures"]],
        )
        if screenshot is not None:
            report.screenshot = self._screenshot(screenshot)
        report.console = driver.get_log("browser")
        report.requests = self._requests(url)
        return report

    def layout(self, page: Path, width: int, screenshot: Path | None = None, timeout: float = 30.0) -> dict:
        """Open ``page`` in a viewport ``width`` CSS pixels wide (as a phone or a desktop shows it), once its
        script has laid it out with its fonts, and measure: the page's scroll width, and every display,
        table and figure whose content is wider than its own box (hidden: a phone shows no scroll bar);
        with ``screenshot``, save the top of the page (one screen) there."""
        from selenium.webdriver.support.ui import WebDriverWait

        driver = self.driver
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": width < 600})
        try:
            driver.get(page.resolve().as_uri())
            WebDriverWait(driver, timeout).until(lambda d: d.execute_script(LAID_OUT))
            driver.set_script_timeout(timeout)
            driver.execute_async_script("const done = arguments[arguments.length - 1]; "
                                        "document.fonts.ready.then(() => done(true));")
            found = driver.execute_script(LAYOUT)
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                driver.save_screenshot(str(screenshot))
            return found
        finally:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def _screenshot(self, path: Path) -> Path:
        driver = self.driver
        height = driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0);"
        )
        target = min(int(height), MAX_SCREENSHOT_HEIGHT)
        driver.set_window_size(WIDTH, target)
        # the window's frame takes some of its height: make the viewport itself the page's height
        inner = int(driver.execute_script("return window.innerHeight;"))
        if inner < target:
            driver.set_window_size(WIDTH, target + (target - inner))
        path.parent.mkdir(parents=True, exist_ok=True)
        if not driver.save_screenshot(str(path)):
            raise RuntimeError(f"Chromium could not save a screenshot to {path}")
        return path

    def _requests(self, page_url: str) -> list[str]:
        urls = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") != "Network.requestWillBeSent":
                continue
            url = message["params"]["request"]["url"]
            if url != page_url and not url.startswith("data:") and url not in urls:
                urls.append(url)
        return urls


@contextmanager
def chromium(profile: Path | None = None) -> Iterator[Browser]:
    """A headless Chromium, closed on exit. Its profile is ``profile`` (an empty directory), or a
    fresh temporary one that is removed on exit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    own = profile is None
    profile = Path(tempfile.mkdtemp(prefix="derive-chromium-")) if own else profile
    driver = None
    try:
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=_options(profile))
        yield Browser(driver)
    finally:
        if driver is not None:
            driver.quit()
        if own:
            shutil.rmtree(profile, ignore_errors=True)
