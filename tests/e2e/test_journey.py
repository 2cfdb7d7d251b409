"""Journeys: the TOML format, and the shipped demo journeys against a static stand-in shop."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.browser import new_context
from harness_browser.demo_shop_pages import scripted_journey
from harness_browser.journey import Journey, builtin_journey, parse_journey, run_journey


@pytest.mark.browser
@pytest.mark.parametrize(("name", "steps", "viewport"), [
    ("demo-medical", 5, "desktop"), ("demo-travel", 4, "phone"), ("demo-accident", 4, "wechat"),
])
def test_demo_journey(chromium: Browser, shop_site: str, tmp_path: Path, name: str,
                      steps: int, viewport: str) -> None:
    context = new_context(chromium, viewport)
    try:
        record = run_journey(context.new_page(), builtin_journey(name), tmp_path, viewport,
                             base_url=shop_site)
    finally:
        context.close()
    assert record.completed, record.error
    assert record.step_count == steps
    assert record.steps[-1].flow_marker == "success" and not record.steps[-1].counted
    assert record.captured == {"policy_number": "P2026000001"}
    app = next(s for s in record.steps if s.flow_marker == "application")
    assert app.fields_filled == ["applicant_name", "insured_name", "id_number", "phone", "consent"]
    [notice] = record.notice_checks
    assert notice["passed"], notice["reasons"]
    assert notice["cooling_off_days"] == 15 and notice["step"] == app.index
    assert (tmp_path / "notice.png").is_file()
    saved = json.loads((tmp_path / "journey.json").read_text(encoding="utf-8"))
    assert saved["step_count"] == steps and saved["viewport"] == viewport
    assert saved["browser"]["name"] == "chromium" and saved["browser"]["version"]
    if viewport == "wechat":
        assert "MicroMessenger" in saved["browser"]["user_agent"]
    if name == "demo-medical":
        health = next(s for s in record.steps if s.flow_marker == "health")
        assert health.fields_filled == ["q1", "q2", "q3"]


@pytest.mark.browser
def test_failed_journey_is_recorded_not_raised(chromium: Browser, shop_site: str,
                                               tmp_path: Path) -> None:
    journey = parse_journey({"name": "broken", "start": "/", "actions": [
        {"do": "click", "selector": "a[data-product=travel]", "advance": True},
        {"do": "click", "selector": "#does-not-exist", "advance": True}]})
    (tmp_path / "step-09.png").write_bytes(b"from an earlier run")
    context = new_context(chromium, "desktop")
    try:
        record = run_journey(context.new_page(), journey, tmp_path, "desktop",
                             base_url=shop_site, action_timeout_ms=500)
    finally:
        context.close()
    assert not record.completed and "does-not-exist" in (record.error or "")
    assert record.step_count == 1
    assert (tmp_path / "error.png").is_file() and (tmp_path / "journey.json").is_file()
    assert sorted(p.name for p in tmp_path.glob("step-*.png")) == ["step-00.png", "step-01.png"]


@pytest.mark.browser
def test_optional_and_repeated_advances(chromium: Browser, site: str, tmp_path: Path) -> None:
    journey = parse_journey({"name": "extra", "start": "/flow/mpa/1.html", "actions": [
        {"do": "click", "selector": "#next", "advance": True, "optional": True, "repeat": True},
        {"do": "click", "selector": "#not-here", "advance": True, "optional": True},
        {"do": "click", "selector": "#submit", "advance": True}]})
    context = new_context(chromium, "desktop")
    try:
        record = run_journey(context.new_page(), journey, tmp_path, "desktop", base_url=site)
    finally:
        context.close()
    assert record.completed, record.error
    assert record.step_count == 2 and len(record.advances) == 2


@pytest.mark.browser
def test_stop_at_leaves_the_page_on_that_screen(chromium: Browser, shop_site: str,
                                                tmp_path: Path) -> None:
    context = new_context(chromium, "phone")
    try:
        page = context.new_page()
        record = run_journey(page, builtin_journey("demo-medical"), tmp_path, "phone",
                             base_url=shop_site, stop_at="health")
        assert record.steps[-1].flow_marker == "health" and record.step_count == 3
        assert page.locator("input[name=q1]:checked").count() == 0
    finally:
        context.close()


_CLICK = [{"do": "click", "selector": "a"}]


@pytest.mark.parametrize(("data", "message"), [
    ({"start": "/", "actions": _CLICK}, "name is required"),
    ({"name": "x", "start": "/", "actions": []}, "no [[actions]]"),
    ({"name": "x", "start": "/", "actions": [{"do": "tap", "selector": "a"}]},
     "actions[0].do: 'tap' is not an action"),
    ({"name": "x", "start": "/", "actions": [{"do": "fill", "selector": "a"}]},
     "'fill' needs value"),
    ({"name": "x", "start": "/", "actions": [{"do": "click", "selector": "a", "oops": 1}]},
     "actions[0]: unknown key(s) ['oops']"),
    ({"name": "x", "start": "/", "actions": [{"do": "click", "selector": "a", "advance": "yes"}]},
     "actions[0].advance: must be true or false"),
    ({"name": "x", "start": "/", "actions": [{"do": "click", "selector": ["a"]}]},
     "actions[0].selector: must be a string"),
    ({"name": "x", "start": "/", "actions": _CLICK, "notice": {"screen": "application"}},
     "[notice] needs selector"),
    ({"name": "x", "start": "/", "actions": _CLICK, "notice": {"pattern": "犹豫期"}},
     "[notice] needs screen, path or heading"),
    ({"name": "x", "start": "/", "actions": _CLICK, "notice": {"pattern": "(", "screen": "a"}},
     "[notice] pattern is not a regular expression"),
    ({"name": "x", "start": "/", "actions": _CLICK, "notice": {"pattern": "x", "path": 3}},
     "[notice] path must be a string"),
    ({"name": "x", "start": "/", "actions": "click"}, "actions must be a list"),
    ({"name": "x", "start": "/", "actions": _CLICK, "stepz": 1}, "unknown key(s) ['stepz']"),
    ({"name": "x", "start": "/", "actions": _CLICK, "screen": {"identity": ["url"]}},
     "[screen] identity must be a non-empty list"),
    ({"name": "x", "start": "/", "actions": _CLICK, "screen": {"parts": ["path"]}},
     "[screen] has unknown key(s) ['parts']"),
    ({"name": "x", "start": "/", "actions": _CLICK, "health": {"submit": "#go"}},
     "[health] needs screen, path or heading"),
    ({"name": "x", "start": "/", "actions": _CLICK,
      "health": {"screen": "h", "prepare": [{"do": "read", "selector": "a", "name": "n"}]}},
     "health.prepare[0].do: 'read' gives no answer"),
    ({"name": "x", "start": "/", "actions": _CLICK, "viewports": "phone"},
     "viewports must be a list"),
    ({"name": "x", "start": "/", "actions": _CLICK, "not_applicable": ["REQ-HEALTH-ERRORS"]},
     "[not_applicable] maps a criterion"),
    ({"name": "x", "start": "/", "actions": _CLICK, "regulation": {"surrender": 3}},
     "[regulation] surrender must be a non-empty string"),
])
def test_journey_file_errors_name_the_place(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_journey(data, source="j.toml")
    assert "j.toml" in str(err.value) and message in str(err.value)


def test_shipped_journeys_parse() -> None:
    for name in ("demo-travel", "demo-medical", "demo-accident"):
        journey = builtin_journey(name)
        assert isinstance(journey, Journey) and journey.notice is not None
        assert sum(a.advance and a.counted and not a.optional for a in journey.actions) == (
            5 if name == "demo-medical" else 4)
    with pytest.raises(ConfigError, match="known: demo-accident"):
        builtin_journey("nope")


@pytest.mark.browser
@pytest.mark.parametrize("product", ["medical"])
def test_scripted_journey_counts_like_the_declarative_one(chromium: Browser, shop_site: str,
                                                         tmp_path: Path, product: str) -> None:
    context = new_context(chromium, "desktop")
    try:
        record = run_journey(context.new_page(), scripted_journey(product), tmp_path, "desktop",
                             base_url=shop_site)
    finally:
        context.close()
    assert record.completed, record.error
    assert record.step_count == (5 if product == "medical" else 4)
    assert record.captured == {"policy_number": "P2026000001"}
    assert record.notice_checks and record.notice_checks[0]["passed"]
