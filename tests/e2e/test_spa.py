"""Single-page apps: a hash-routed store with no h1 and no data-flow-step is seen screen by
screen; blank tabs are not followed; the browser's error page is not a screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from harness_browser.browser import new_context
from harness_browser.evidence import record_form_errors
from harness_browser.journey import parse_journey, run_journey
from harness_browser.steps import BrowserErrorPage, JourneyRecord, JourneyRecorder, Settle

pytestmark = pytest.mark.browser
SPA = "/spa/hash.html"
NOTICE = {"pattern": r"犹豫期为\d+天", "path": r"#/insure$"}


def spa_journey(**extra: object) -> dict[str, object]:
    return {"name": "h5", "start": SPA, "notice": NOTICE, "actions": [
        {"do": "click", "selector": "#same-query", "advance": False},
        {"do": "click", "selector": "#plan", "advance": True},
        {"do": "check", "selector": "input[name=q1][value=no]"},
        {"do": "click", "selector": "#inform-ok", "advance": True},
        {"do": "fill", "selector": "input[name=applicant]", "value": "张三"},
        {"do": "click", "selector": "#to-pay", "advance": True, "counted": False},
        {"do": "read", "selector": "#policy", "name": "policy"}], **extra}


def drive(chromium: Browser, journey: dict[str, object], out: Path, site: str,
          viewport: str = "desktop") -> JourneyRecord:
    """Run a journey in a fresh context at `viewport` (closed afterwards)."""
    context = new_context(chromium, viewport)
    try:
        return run_journey(context.new_page(), parse_journey(journey), out, viewport,
                           base_url=site)
    finally:
        context.close()


def test_each_hash_route_is_a_screen(desktop_page: Page, site: str) -> None:
    page = desktop_page
    page.goto(f"{site}{SPA}")
    rec = JourneyRecorder(page)
    start = rec.begin()
    assert start.hash_route == "#/selectpage"
    assert start.heading is None and start.flow_marker is None
    assert rec.advance("hash query only", lambda: page.click("#same-query")) is None
    inform = rec.advance("choose a plan", lambda: page.click("#plan"))
    assert inform is not None and inform.hash_route == "#/inform"
    insure = rec.advance("no to all", lambda: page.click("#inform-ok"))
    assert insure is not None and insure.hash_route == "#/insure"  # "?from=inform" ignored
    assert insure.screen_id == "/spa/hash.html#/insure"
    record = rec.finish()
    assert record.step_count == 2
    rec.close()


def test_a_journey_can_leave_the_hash_out_of_a_screens_identity(desktop_page: Page,
                                                                  site: str) -> None:
    page = desktop_page
    page.goto(f"{site}{SPA}")
    rec = JourneyRecorder(page, identity=("path", "heading", "marker", "dialog"))
    rec.begin()
    assert rec.advance("choose a plan", lambda: page.click("#plan")) is None
    assert rec.advances[-1]["screen_id"] == "/spa/hash.html"
    with pytest.raises(ValueError, match="screen identity parts"):
        JourneyRecorder(page, identity=("url",))
    rec.close()


def test_a_hash_routed_journey_counts_its_screens_and_checks_the_notice(
        chromium: Browser, site: str, tmp_path: Path) -> None:
    record = drive(chromium, spa_journey(), tmp_path, site, "phone")
    assert record.completed, record.error
    assert [s.hash_route for s in record.steps] == ["#/selectpage", "#/inform", "#/insure",
                                                    "#/pay"]
    assert record.step_count == 2 and record.captured == {"policy": "保单号 H5-0001"}
    [notice] = record.notice_checks
    assert notice["passed"], notice["reasons"]
    assert notice["cooling_off_days"] == 15 and notice["screen_id"].endswith("#/insure")
    saved = json.loads((tmp_path / "journey.json").read_text(encoding="utf-8"))
    assert saved["steps"][2]["hash_route"] == "#/insure"
    assert saved["screen_identity"] == ["path", "hash", "heading", "marker", "dialog"]


def test_a_toml_journey_with_its_own_target_starts_there(chromium: Browser, site: str,
                                                        tmp_path: Path) -> None:
    journey = {k: v for k, v in spa_journey(target=SPA + "#/selectpage").items() if k != "start"}
    record = drive(chromium, journey, tmp_path, site)
    assert record.completed and record.step_count == 2, record.error
    saved = json.loads((tmp_path / "journey.json").read_text(encoding="utf-8"))
    assert saved["base_url"] == f"{site}{SPA}#/selectpage"
    assert saved["steps"][0]["description"] == f"open {site}{SPA}#/selectpage"


def test_the_notice_waits_for_a_late_screen(chromium: Browser, site: str,
                                            tmp_path: Path) -> None:
    late = {**NOTICE, "wait_for": "#cooling"}
    record = drive(chromium, spa_journey(notice=late, start=f"{SPA}?late=1"), tmp_path, site)
    assert record.completed, record.error
    assert record.notice_checks[0]["passed"], record.notice_checks[0]["reasons"]


def test_a_blank_tab_is_not_followed(desktop_page: Page, site: str) -> None:
    page = desktop_page
    page.goto(f"{site}{SPA}")
    rec = JourneyRecorder(page, settle=Settle(blank_tab_ms=600))
    rec.begin()
    assert rec.advance("customer service (window.open())", lambda: page.click("#open-blank")) \
        is None
    assert rec.page is page and rec.advances[-1]["new_tab"] is False
    assert rec.advance("choose a plan", lambda: page.click("#plan")) is not None
    rec.close()


def test_the_browsers_error_page_stops_the_journey(chromium: Browser, site: str,
                                                   tmp_path: Path) -> None:
    record = drive(chromium, spa_journey(actions=[
        {"do": "click", "selector": "#plan", "advance": True},
        {"do": "click", "selector": "#inform-ok", "advance": True},
        {"do": "click", "selector": "#broken", "advance": True}]), tmp_path, site)
    assert not record.completed and record.step_count == 2
    assert record.error is not None and BrowserErrorPage.__name__ in record.error
    assert "chrome-error://" in record.error and (tmp_path / "error.png").is_file()


def test_the_health_check_follows_the_journeys_health_table(chromium: Browser, site: str,
                                                            tmp_path: Path) -> None:
    health = {"path": "#/inform$", "submit": "#hd-submit", "form": "#hd",
              "prepare": [{"do": "choose", "selector": "input[name=q1][value=no]"}],
              "expect_invalid": ["q2"]}
    journey = parse_journey(spa_journey(health=health))
    check = record_form_errors(chromium, run_dir=tmp_path, viewport_name="phone",
                               base_url=site, product="h5", journey=journey)
    out = tmp_path / "raw/browser/health-h5/phone"
    saved = json.loads((out / "form-errors.json").read_text(encoding="utf-8"))
    assert check is not None and saved["reached"] and saved["form_found"]
    assert saved["expected_invalid"] == ["q2"] and not saved["screen_changed"]
    q2 = next(f for f in saved["fields"] if f["name"] == "q2")
    assert q2["aria_invalid"] and saved["summary_present"]
    steps = json.loads((out / "journey.json").read_text(encoding="utf-8"))["steps"]
    assert steps[-1]["hash_route"] == "#/inform"


def test_without_its_screen_the_health_check_is_not_reached(chromium: Browser, site: str,
                                                            tmp_path: Path) -> None:
    journey = parse_journey(spa_journey(health={"path": "#/nowhere$"}))
    assert record_form_errors(chromium, run_dir=tmp_path, viewport_name="desktop",
                              base_url=site, product="h5", journey=journey) is None
    saved = json.loads((tmp_path / "raw/browser/health-h5/desktop/form-errors.json")
                       .read_text(encoding="utf-8"))
    assert saved["reached"] is False and "path '#/nowhere$'" in saved["problems"][0]
