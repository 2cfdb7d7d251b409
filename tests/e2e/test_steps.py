"""The journey recorder counts screens, not navigation events."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from harness_browser.steps import JourneyRecorder

pytestmark = pytest.mark.browser


def test_multi_page_flow(desktop_page: Page, site: str, tmp_path: Path) -> None:
    page = desktop_page
    page.goto(f"{site}/flow/mpa/1.html")
    rec = JourneyRecorder(page, tmp_path, journey="mpa", viewport="desktop")
    rec.begin()
    assert rec.advance("start", lambda: page.click("#next")) is not None
    rec.fill("input[name=applicant_name]", "张三")
    rec.fill(page.locator("input[name=phone]"), "13800138000")
    assert rec.advance("nothing happens", lambda: page.click("#noop")) is None
    assert rec.advance("submit", lambda: page.click("#submit")) is not None
    assert rec.advance("query-only link", lambda: page.click("#tab")) is None
    assert rec.advance("anchor link", lambda: page.click("#anchor")) is None
    record = rec.finish()
    assert record.step_count == 2
    assert [s.flow_marker for s in record.steps] == ["product", "application", "confirm"]
    assert record.steps[1].fields_filled == ["applicant_name", "phone"]
    assert record.fields_per_step == {"0": 0, "1": 2, "2": 0}
    assert record.steps[2].url_path == "/flow/mpa/3.html"
    assert [a["new_screen"] for a in record.advances] == [True, False, True, False, False]
    assert all(Path(s.screenshot or "").is_file() for s in record.steps)
    assert (tmp_path / "step-02.png").is_file()


def test_single_page_flow(desktop_page: Page, site: str) -> None:
    page = desktop_page
    page.goto(f"{site}/flow/spa.html")
    rec = JourneyRecorder(page)
    rec.begin()
    click = lambda sel: (lambda: page.click(sel))  # noqa: E731 - reads as a table below
    script = [
        ("to product (pushState)", "#to-product", True),
        ("tracking pushState with a query", "#track", False),
        ("replaceState", "#replace", False),
        ("hash change", "#hash", False),
        ("re-render, same screen", "#rerender", False),
        ("a non-modal <dialog> (show())", "#open-nonmodal", False),
        ("close it", "#close-tip", False),
        ("modal <dialog>", "#open-dialog", True),
        ("close the dialog", "#close-dialog", False),
        ("aria-modal dialog", "#open-aria", True),
        ("close it", "#close-aria", False),
        ("to application (pushState)", "#to-application", True),
        ("marker changes, heading stays", "#to-confirm", True),
    ]
    for description, selector, is_step in script:
        step = rec.advance(description, click(selector))
        assert (step is not None) is is_step, (description, rec.screen())
    record = rec.finish()
    assert record.step_count == 5
    assert record.steps[2].dialog == "健康告知说明"
    assert record.steps[3].dialog == "温馨提示"
    assert record.steps[4].url_path == "/flow/spa/application"
    assert [a["revisit"] for a in record.advances].count(True) == 2


def test_uncounted_final_screen_and_json(desktop_page: Page, site: str) -> None:
    page = desktop_page
    page.goto(f"{site}/flow/mpa/2.html")
    rec = JourneyRecorder(page, journey="j", viewport="desktop")
    rec.advance("submit", lambda: page.click("#submit"), counted=False)
    record = rec.finish()
    assert record.step_count == 0 and len(record.steps) == 2
    as_dict = record.to_dict()
    assert as_dict["steps"][1]["counted"] is False and as_dict["journey"] == "j"


def test_a_new_tab_is_followed(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/flow/mpa/popup.html")
    rec = JourneyRecorder(desktop_page)
    rec.begin()
    step = rec.advance("pay in a new tab", lambda: desktop_page.click("#pay"))
    assert step is not None and step.url_path == "/flow/mpa/3.html"
    assert rec.page is not desktop_page and rec.advances[-1]["new_tab"] is True
    assert rec.advance("query-only link", lambda: rec.page.click("#tab")) is None
    rec.close()
