"""Journeys as Python (what Playwright's recorder writes), counted by the same recorder, and
journey folders validated file by file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.browser import new_context
from harness_browser.journey import discover_journeys, load_journey, run_journey
from harness_browser.steps import JourneyRecord

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
