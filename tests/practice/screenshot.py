"""The README's picture of the practice page: `python -m tests.practice.screenshot OUT.png`.

`derive practice mazur` (20 variants, seed 1) in headless Chromium at 1,200 px, variant 1 worked by a
student with a slip in out_o1, the steps after it carried forward, a catalogued mistake and a hint
opened; the part of the page from E_total to the hint is kept."""

from __future__ import annotations

import base64
import sys
import tempfile
from pathlib import Path

from derive.model.precision import CTX, show
from derive.practice import steps
from tests.notes import browser
from tests.practice.pages import make
from tests.practice.test_browser import Page


def main(out: Path) -> None:
    from derive.course import exercise
    from derive.maths.numeric import evaluate
    from derive.model import spec

    with tempfile.TemporaryDirectory() as folder, browser.chromium() as b:
        path = make("mazur", Path(folder), "--variants", "20", "--seed", "1")
        chain = steps.build(exercise.build(spec.load("mazur"), "mazur", 1, 1).variants[0].derivation)
        claims = [s.claim for s in chain.steps]
        page = Page(b, path)
        b.driver.set_window_size(1200, 3000)
        at = claims.index
        slip = CTX.mpf(show(chain.truths[at("out_o1")] * CTX.mpf("1.02"), 4).text)
        values = steps.replay(chain, own={"out_o1": slip})
        for i in range(at("out_o1")):
            page.type(i, show(chain.truths[i], 5).text)
        page.type(at("out_o1"), show(slip, 4).text)
        for claim in ("out_o2", "E_o1", "E_o2", "E_total"):
            page.type(at(claim), show(values[at(claim)], 5).text)
        world = {s.symbol: v for s, v in zip(chain.steps, values)} | dict(chain.given)
        wrong = dict(chain.steps[at("dE_total/dout_o1")].mistakes)["factor 2 dropped"]
        page.type(at("dE_total/dout_o1"), show(evaluate(wrong, world), 4).text)
        page.type(at("dout_o1/dnet_o1"), show(values[at("dout_o1/dnet_o1")], 5).text)
        for _ in range(3):
            page.click(f"hb-{at('dE_total/dnet_o1')}")
        first = at("E_total")
        top = b.driver.execute_script(f"return document.getElementById('step-{first}').getBoundingClientRect().top"
                                      " + window.scrollY")
        bottom = b.driver.execute_script(f"return document.getElementById('step-{at('dE_total/dnet_o1')}')"
                                         ".getBoundingClientRect().bottom + window.scrollY")
        b.driver.execute_script("document.activeElement.blur();")
        shot = b.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 180, "y": top - 16, "width": 840, "height": bottom - top + 32, "scale": 1}})
        out.write_bytes(base64.b64decode(shot["data"]))

if __name__ == "__main__":
    main(Path(sys.argv[1]))
