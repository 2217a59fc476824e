"""The practice page in headless Chromium with the network off, as a student uses it: for every preset and
two specs of the tests' own, the right answer, each catalogued mistake's value, a value worked from an
earlier wrong answer, and garbage typed into the steps, the feedback read back from the page; the hints,
"show this step", the export, the progress kept over a reload, new numbers, the keyboard alone; and
screenshots at 360 and 1,200 px (their paths are printed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.check.digits import agrees_to_written_digits
from derive.maths.numeric import evaluate
from derive.model.precision import CTX, show
from derive.practice import steps
from tests.notes import browser
from tests.practice.pages import NETWORKS, make, variants

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory):
    with browser.chromium(tmp_path_factory.mktemp("chromium-profile")) as b:
        b.driver.execute_cdp_cmd("Network.enable", {})
        b.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        yield b


def typed(x: object, digits: int = 12) -> str:
    return show(x, digits).text


class Page:
    """One practice page open in Chromium, read and typed into through the DOM."""

    def __init__(self, b: browser.Browser, path: Path) -> None:
        self.b, self.driver = b, b.driver
        self.report = b.open(path)
        self.data = json.loads(self.driver.execute_script("return document.getElementById('practice-data').textContent"))

    def type(self, i: int, text: str) -> dict[str, str]:
        """Type `text` into step `i` and press Enter; the feedback the page gives."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        box = self.driver.find_element(By.ID, f"a-{i}")
        box.clear()
        box.send_keys(text + Keys.ENTER)
        return self.feedback(i)

    def feedback(self, i: int) -> dict[str, str]:
        return self.driver.execute_script(
            "const f = document.getElementById('f-' + arguments[0]);"
            "return {status: f.getAttribute('data-status'), text: f.textContent,"
            "        lines: f.getAttribute('data-lines'), mistakes: f.getAttribute('data-mistakes')};", i)

    def click(self, element_id: str) -> None:
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.ID, element_id).click()


@pytest.mark.parametrize("network", NETWORKS, ids=lambda n: Path(n).stem)
def test_a_student_works_through_the_page(chromium: browser.Browser, tmp_path: Path, network: str) -> None:
    path = make(network, tmp_path)
    chain = steps.build(variants(network).variants[0].derivation)
    page = Page(chromium, path)
    assert page.report.problems() == [] and page.report.requests == []
    assert page.report.maths == page.report.katex > len(chain.steps)
    world = chain.world()
    # the right answer
    assert page.type(0, typed(chain.truths[0], 9))["status"] == "right"
    page.type(0, "")
    # each catalogued mistake, where it is first made
    named = set()
    for i, s in enumerate(chain.steps):
        for name, expr in s.mistakes:
            wrong = evaluate(expr, world)
            if name in named or not CTX.isfinite(wrong) or agrees_to_written_digits(chain.truths[i], typed(wrong)):
                continue
            said = page.type(i, typed(wrong))
            assert said["status"] == "mistake" and name in said["mistakes"].split("|"), (s.claim, name, said)
            assert name in said["text"]
            named.add(name)
            page.type(i, "")
    assert named, "the catalogue's mistakes were typed"
    # a value worked out from an earlier wrong answer
    first = next(i for i, s in enumerate(chain.steps) if s.kind == "out" and chain.truths[i] != 0)
    own = chain.truths[first] * CTX.mpf("1.1")
    values = steps.replay(chain, own={chain.steps[first].claim: own})
    later = next(i for i, s in enumerate(chain.steps) if chain.steps[first].symbol in s.expr.free_symbols
                 and typed(values[i], 6) != typed(chain.truths[i], 6))
    assert page.type(first, typed(own, 9))["status"] == "wrong"
    said = page.type(later, typed(values[later]))
    assert said["status"] == "carried" and said["lines"] == str(page.data["steps"][first]["line"]), said
    # garbage is refused, never run
    for text in ("alert(1)", "1+1", "<b>", "0,5"):
        assert page.type(later, text)["status"] in ("invalid", "comma")
    assert page.driver.execute_script("return document.querySelectorAll('b').length") == 0
    print(f"{Path(network).stem}: {len(named)} mistakes named, {len(chain.steps)} steps")


def test_hints_show_export_memory_and_new_numbers(chromium: browser.Browser, tmp_path: Path) -> None:
    path = make("mazur", tmp_path)
    page = Page(chromium, path)
    chain = steps.build(variants("mazur").variants[0].derivation)
    page.type(0, typed(chain.truths[0], 9))
    for level in (1, 2, 3):
        page.click("hb-2")
        visible = page.driver.execute_script(
            "return Array.from(document.querySelectorAll('#h-2 .level'), p => !p.hidden);")
        assert visible == [k < level for k in range(4)]
    assert page.driver.execute_script("return document.getElementById('hb-2').disabled")
    page.click("sb-2")
    assert page.feedback(2)["status"] == "shown"
    assert page.driver.execute_script("return document.getElementById('a-2').readOnly")
    assert page.driver.execute_script("return document.querySelectorAll('#h-2 .katex').length") >= 3
    claims = page.driver.execute_script("return document.getElementById('claims').value")
    assert f"# variant: {page.data['variants'][0]['id']}" in claims
    assert f"{chain.steps[0].claim} = {typed(chain.truths[0], 9)}" in claims
    assert f"# shown, not worked out: {chain.steps[2].claim} = " in claims
    # kept over a reload, and per variant
    page = Page(chromium, path)
    assert page.feedback(0)["status"] == "right" and page.feedback(2)["status"] == "shown"
    page.click("next")
    assert page.feedback(0)["status"] == "" and page.driver.execute_script(
        "return document.getElementById('variant-title').textContent") == f"Variant {page.data['variants'][1]['id']}"
    page.click("next")
    assert page.feedback(0)["status"] == "right"
    page.click("reset")
    assert page.feedback(0)["status"] == ""


def test_the_keyboard_alone_and_a_screen_reader(chromium: browser.Browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    page = Page(chromium, make("mazur", tmp_path))
    driver = page.driver
    labelled = driver.execute_script("""
        return Array.from(document.querySelectorAll('input.answer'), el => {
          const said = document.getElementById(el.getAttribute('aria-describedby'));
          return [!!document.querySelector('label[for="' + el.id + '"]'), !!said && said.getAttribute('aria-live'),
                  el.getAttribute('data-quantity')];
        });""")
    assert labelled and all(label and live == "polite" and quantity for label, live, quantity in labelled)
    assert [q for _, _, q in labelled][:3] == ["net_h1", "net_h2", "out_h1"]
    driver.find_element("id", "variant").send_keys(Keys.TAB)  # from the toolbar, by the keyboard
    for _ in range(3):
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.switch_to.active_element.get_attribute("id") == "a-0":
            break
    assert driver.switch_to.active_element.get_attribute("id") == "a-0"
    driver.switch_to.active_element.send_keys("0.1" + Keys.ENTER)
    assert driver.switch_to.active_element.get_attribute("id") == "a-1"  # Enter moves on to the next step
    assert page.feedback(0)["status"] in ("wrong", "mistake", "short", "right")


@pytest.mark.parametrize("network, options", [("mazur", ()), ("textbook", ("--lang", "zh", "--notation", "textbook")),
                                              ("mazur", ("--notation", "matrix")), ("xor3", ())],
                         ids=["mazur", "textbook-zh", "mazur-matrix", "xor3-compact"])
def test_the_page_fits_a_phone_and_a_desktop(chromium: browser.Browser, tmp_path: Path, network: str,
                                             options: tuple[str, ...], record_property) -> None:
    path = make(network, tmp_path, *options)
    page = Page(chromium, path)
    assert page.report.problems() == []
    page.click("hb-4")
    page.click("hb-4")
    page.click("hb-4")
    for width in (360, 1200):
        shot = tmp_path / f"practice-{width}.png"
        found = chromium.layout(path, width, shot)
        assert found["scroll_width"] <= width, (width, found["scroll_width"])
        assert shot.stat().st_size > 10_000
        record_property(f"screenshot-{width}", str(shot))  # in the JUnit report (--junitxml) as well
        print(f"screenshot at {width} px: {shot}")


def test_the_export_is_read_by_derive_check_and_derive_grade(chromium: browser.Browser, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import run

    path = make("mazur", tmp_path / "page")
    page = Page(chromium, path)
    page.click("next")  # variant 2
    chain = steps.build(variants("mazur").variants[1].derivation)
    for i, truth in enumerate(chain.truths):
        assert page.type(i, typed(truth, 9))["status"] == "right"
    page.click("sb-0")  # a step shown is left out of the answers
    claims = page.driver.execute_script("return document.getElementById('claims').value")
    spec_text = page.data["variants"][1]["spec"]
    (tmp_path / "variant.toml").write_text(spec_text, encoding="utf-8")
    (tmp_path / "hand-ins").mkdir()
    (tmp_path / "hand-ins" / "ada.claims").write_text(claims, encoding="utf-8")
    code, out, _ = run(["check", str(tmp_path / "variant.toml"), str(tmp_path / "hand-ins" / "ada.claims")], capsys)
    assert code == 0 and out.splitlines()[-1] == f"{len(chain.steps) - 1} correct, 0 wrong, 0 cannot check"
    assert run(["exercise", "mazur", "--variants", "2", "--seed", "3", "--out", str(tmp_path / "ex")], capsys)[0] == 0
    code, _, _ = run(["grade", str(tmp_path / "ex"), str(tmp_path / "hand-ins"), "--out", str(tmp_path / "g"),
                      "--jobs", "1"], capsys)
    grades = json.loads((tmp_path / "g" / "grades.json").read_text(encoding="utf-8"))
    [student] = grades["students"]
    assert code == 0 and student["variant"] == "2" and student["total"] == len(student["questions"])
