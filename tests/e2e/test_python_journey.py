"""Journeys as Python (what Playwright's recorder writes), counted by the same recorder, and
journey folders validated file by file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.browser import new_context
from harness_browser.journey import discover_journeys, load_journey, run_journey
from harness_browser.steps import JourneyRecord
from harness_contract.pages import PAGES_JSON, PageIndex, check_pages

JOURNEYS = Path(__file__).parent / "journeys"
DEMO = Path(__file__).resolve().parents[2] / "harness_browser" / "journeys"


def drive(chromium: Browser, path: Path, out: Path, site: str) -> JourneyRecord:
    context = new_context(chromium, "phone")
    try:
        return run_journey(context.new_page(), load_journey(path), out, "phone", base_url=site)
    finally:
        context.close()


@pytest.mark.browser
def test_a_recorded_python_journey_counts_screens_like_a_toml_one(
        chromium: Browser, site: str, tmp_path: Path) -> None:
    record = drive(chromium, JOURNEYS / "h5.py", tmp_path, site)
    assert record.completed, record.error
    assert [s.hash_route for s in record.steps] == ["#/selectpage", "#/inform", "#/insure",
                                                    "#/pay"]
    assert record.step_count == 3
    assert record.steps[1].fields_filled == ["q1"] and record.steps[2].fields_filled == [
        "applicant"]
    assert record.steps[1].description.startswith("click page.get_by_role('button'")
    [notice] = record.notice_checks
    assert notice["passed"] and notice["screen_id"].endswith("#/insure")
    saved = json.loads((tmp_path / "journey.json").read_text(encoding="utf-8"))
    assert saved["journey"] == "h5" and saved["step_count"] == 3


@pytest.mark.browser
def test_a_failing_python_journey_is_recorded_with_its_line(chromium: Browser, site: str,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("def journey(page, base_url):\n    page.goto('/spa/hash.html')\n"
                    "    page.get_by_role('button', name='基础版').click()\n"
                    "    assert page.url.endswith('#/pay'), 'not paid'\n", encoding="utf-8")
    record = drive(chromium, path, tmp_path / "out", site)
    assert not record.completed and record.step_count == 1
    assert record.error is not None and "line 4: AssertionError: not paid" in record.error


UNCOUNTED = """\
JOURNEY = {"target": "/spa/", "notice": {"pattern": "犹豫期为\\\\d+天", "path": "#/insure$"}}


def journey(page, base_url):
    page.goto("hash.html")                      # joined to the journey's own target
    page.get_by_role("button", name="基础版").click()
    page.locator("input[name=q1][value=no]").check()
    page.get_by_role("button", name="以上皆无").click()
    page.get_by_placeholder("投保人姓名").fill("张三")
    with page.uncounted():                      # the payment page is not a step
        page.get_by_role("button", name="去支付").click()
"""


@pytest.mark.browser
def test_a_python_journey_marks_a_screen_uncounted_runs_at_its_own_target_and_keeps_pages(
        chromium: Browser, site: str, tmp_path: Path) -> None:
    path = tmp_path / "h5.py"
    path.write_text(UNCOUNTED, encoding="utf-8")
    record = drive(chromium, path, tmp_path / "out", site)
    assert record.completed, record.error
    assert [s.hash_route for s in record.steps] == ["#/selectpage", "#/inform", "#/insure",
                                                    "#/pay"]
    assert [s.counted for s in record.steps] == [False, True, True, False]
    assert record.step_count == 2  # the same journey without `uncounted` counts 3 (above)
    saved = json.loads((tmp_path / "out" / "journey.json").read_text(encoding="utf-8"))
    assert saved["base_url"] == f"{site}/spa/"
    index = PageIndex.from_json((tmp_path / "out" / PAGES_JSON).read_text(encoding="utf-8"),
                                "pages.json")
    assert [p.step for p in index.pages] == [0, 1, 2, 3]
    html = gzip.decompress((tmp_path / "out" / index.pages[2].file).read_bytes())
    # the screen as drawn after it settled (not only the page's source)
    assert '<div id="app"><div class="bar">填写投保信息'.encode() in html
    assert "#/insure" in index.pages[2].url
    assert check_pages(tmp_path / "out", index) == []
    edited = tmp_path / "out" / index.pages[2].file
    edited.write_bytes(gzip.compress(html.replace("15天".encode(), "5天".encode())))
    assert [str(edited) in p and "changed" in p for p in check_pages(tmp_path / "out", index)] \
        == [True]


def test_products_come_from_the_journey_files_present(tmp_path: Path) -> None:
    (tmp_path / "h5.py").write_bytes((JOURNEYS / "h5.py").read_bytes())
    (tmp_path / "travel.toml").write_bytes((DEMO / "demo-travel.toml").read_bytes())
    (tmp_path / "_helpers.py").write_text("x = 1\n", encoding="utf-8")
    assert discover_journeys(tmp_path) == {"h5": tmp_path / "h5.py",
                                           "travel": tmp_path / "travel.toml"}
    assert load_journey(tmp_path / "h5.py").notice is not None


@pytest.mark.parametrize(("name", "text", "message"), [
    ("a.py", "def run(page):\n    pass\n", "defines `def journey(page, base_url):`"),
    ("a.py", "def journey(page, base_url)\n", "line 1: not valid Python"),
    ("a.py", "JOURNEY = {'notise': {}}\ndef journey(page, base_url):\n    pass\n",
     "unknown key(s) ['notise']"),
    ("a.py", "JOURNEY = {'name': make()}\ndef journey(page, base_url):\n    pass\n",
     "line 1: JOURNEY must be a literal dict"),
    ("a.toml", 'name = "a"\nstart = "/"\nactions = "click"\n', "actions must be a list"),
    ("a.toml", 'name = "a"\nstart = "/"\n[[actions]]\ndo = "tap"\nselector = "x"\n',
     "actions[0].do: 'tap' is not an action"),
    ("a.toml", 'name = "a"\nstart = "/"\ncolour = 1\n', "unknown key(s) ['colour']"),
    ("a.toml", 'name = "a"\nstart = \n', "not valid TOML"),
])
def test_a_bad_journey_file_names_the_file_and_key(tmp_path: Path, name: str, text: str,
                                                   message: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        discover_journeys(tmp_path)
    assert str(tmp_path / name) in str(err.value) and message in str(err.value)


def test_one_product_with_two_journeys_or_none_at_all_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no journey files"):
        discover_journeys(tmp_path)
    (tmp_path / "h5.py").write_bytes((JOURNEYS / "h5.py").read_bytes())
    (tmp_path / "h5.toml").write_bytes((DEMO / "demo-travel.toml").read_bytes())
    with pytest.raises(ConfigError, match="two journeys"):
        discover_journeys(tmp_path)
