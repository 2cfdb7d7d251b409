"""The cooling-off notice and the health-declaration errors in a real Chromium.

Geometry is what the first-screen gate measures: the notice must lie inside the first viewport
and be the element actually hit at its centre (nothing on top of it), at phone and desktop size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness_demo_shop.server import ServerHandle, start_in_background

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_sync = pytest.importorskip("playwright.sync_api")

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 768)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MEASURE = """() => {
  const el = document.querySelector('#cooling-off-notice');
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {top: r.top, bottom: r.bottom, height: innerHeight,
          hit: hit ? (hit.id || hit.className || hit.tagName) : null,
          visible: !!hit && (hit === el || el.contains(hit))};
}"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def shops() -> Iterator[dict[str, ServerHandle]]:
    handles: dict[str, ServerHandle] = {}
    try:
        for variant in ("good", "notice-below-fold", "notice-covered"):
            handles[variant] = start_in_background(variant=variant, workers=1)
        yield handles
    finally:
        for handle in handles.values():
            handle.stop()


def _journey_at(base: str, product: str, answer_health: bool = True) -> str:
    """A journey past the entry prompt (and, for medical, past the health declaration)."""
    with httpx.Client(base_url=base, timeout=10) as http:
        start = http.post("/api/journeys", json={"product": product, "visitor_id": "browser"})
        jid = start.json()["journey_id"]
        nxt = http.post(f"/api/journeys/{jid}/notice", json={}).json()["next"]
        if nxt == "health" and answer_health:
            answers = {f"q{n}": "no" for n in range(1, 5)}
            http.post(f"/api/journeys/{jid}/health", json={"answers": answers})
    return str(jid)


def _measure(chromium: Any, url: str, viewport: str) -> dict[str, Any]:
    width, height = VIEWPORTS[viewport]
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        assert page.locator("main[data-flow-step=application] h1").count() == 1
        result: dict[str, Any] = page.evaluate(MEASURE)
        return result
    finally:
        context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_good_shows_the_notice_on_the_first_screen(chromium: Any, shops: dict[str, ServerHandle],
                                                   viewport: str) -> None:
    base = shops["good"].url
    got = _measure(chromium, f"{base}/j/{_journey_at(base, 'medical')}/application", viewport)
    assert got["bottom"] <= got["height"] and got["top"] >= 0
    assert got["visible"], got


def test_notice_below_fold_hides_it_on_phones_only(chromium: Any,
                                                   shops: dict[str, ServerHandle]) -> None:
    base = shops["notice-below-fold"].url
    url = f"{base}/j/{_journey_at(base, 'travel')}/application"
    phone = _measure(chromium, url, "phone")
    assert phone["top"] >= phone["height"], phone
    desktop = _measure(chromium, url, "desktop")
    assert desktop["bottom"] <= desktop["height"] and desktop["visible"], desktop


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_notice_covered_puts_a_banner_over_it(chromium: Any, shops: dict[str, ServerHandle],
                                              viewport: str) -> None:
    base = shops["notice-covered"].url
    got = _measure(chromium, f"{base}/j/{_journey_at(base, 'accident')}/application", viewport)
    assert got["bottom"] <= got["height"]  # inside the viewport ...
    assert not got["visible"] and "cookie-banner" in str(got["hit"]), got  # ... but covered


def test_health_errors_move_focus_to_the_first_invalid_answer(
    chromium: Any, shops: dict[str, ServerHandle]
) -> None:
    base = shops["good"].url
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(f"{base}/j/{_journey_at(base, 'medical', answer_health=False)}/health")
        page.check("#q1-no")
        page.click("#submit")
        page.wait_for_selector("#error-summary")
        focused = page.evaluate("() => document.activeElement.id")
        assert focused == "q2-yes"
        assert page.get_attribute("#q2-no", "aria-describedby") == "q2-error"
        assert page.locator("[role=alert] a").count() == 3
    finally:
        context.close()
