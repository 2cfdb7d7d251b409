"""The H5 test store in a real Chromium (the harness's), reached through --host-resolver-rules.

Run under the shared lock: flock /tmp/heavy.lock .venv/bin/python -m pytest tests/store2
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from harness_browser.browser import chromium_executable, launch_args
from tests.store2.buyer import integrity_rows
from tests.store2.journey_driver import load_actions, play
from tests.stores.h5shop import H5ShopHandle, start_h5shop
from tests.stores.h5shop.handle import PROJECT_FILES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

JOURNEY = load_actions(PROJECT_FILES / "journeys" / "medical.toml")
SIZES = {"phone": (390, 844), "desktop": (1366, 768)}
NOTICE_JS = """(sel) => { const el = document.querySelector(sel);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {top: r.top, bottom: r.bottom, height: innerHeight, text: el.textContent,
          hit: !!hit && (hit === el || el.contains(hit))}; }"""


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


def launch(pw: Playwright, *extra_args: str) -> Browser:
    """The harness's Chromium and launch flags, plus `extra_args`."""
    args = launch_args(chromium_executable(bundled=pw.chromium.executable_path))
    return pw.chromium.launch(**{**args, "args": [*args["args"], *extra_args]})


@pytest.fixture(scope="module")
def open_shop(playwright: Playwright) -> Iterator[Callable[..., AbstractContextManager[Page]]]:
    """open_shop(variant, size) -> a page in a Chromium whose host rules map the shop."""
    with ExitStack() as running:
        shops: dict[str, tuple[H5ShopHandle, Browser]] = {}

        @contextmanager
        def page_of(variant: str, size: str) -> Iterator[Page]:
            if variant not in shops:
                shop = running.enter_context(start_h5shop(variant))
                browser = launch(playwright, shop.host_rules)
                running.callback(browser.close)
                shops[variant] = (shop, browser)
            shop, browser = shops[variant]
            width, height = SIZES[size]
            context = browser.new_context(viewport={"width": width, "height": height},
                                          locale="zh-CN")
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.shop = shop  # type: ignore[attr-defined]
            try:
                yield page
            finally:
                context.close()

        yield page_of


def test_the_journey_file_buys_a_policy_through_log_in_and_the_cashier(
        open_shop: Callable[..., AbstractContextManager[Page]]) -> None:
    with open_shop("good", "phone") as page:
        shop: H5ShopHandle = page.shop  # type: ignore[attr-defined]
        played = play(page, JOURNEY, shop.url)
    urls = [s["url"] for s in played.screens]
    base = shop.browser_url + "/#"
    assert urls[:4] == [f"{base}/products", f"{base}/login?redirect=%2Fproducts",
                        f"{base}/products", f"{base}/product/medical"]
    assert urls[4:7] == [f"{base}/inform", f"{base}/insure", f"{base}/confirm"]
    assert urls[7].startswith(f"{shop.cashier_url}/pay?order=")  # another origin
    order_no = urls[7].rsplit("=", 1)[1]
    assert urls[8] == f"{base}/result?orderNo={order_no}"
    assert all(s["h1"] == 0 and s["markers"] == 0 for s in played.screens)
    assert played.counted == 5  # product, 立即投保, health, application, 去支付
    policy = played.captured["policy_number"]
    assert (order_no, policy, 35800) in integrity_rows(shop.db_path)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_cooling_off_notice_is_on_the_first_screen_of_insure(
        open_shop: Callable[..., AbstractContextManager[Page]], size: str) -> None:
    with open_shop("good", size) as page:
        play(page, JOURNEY, page.shop.url, stop_at="#/insure")  # type: ignore[attr-defined]
        assert page.url.endswith("/#/insure")
        page.wait_for_selector(JOURNEY["notice"]["selector"])  # the route draws after the URL
        notice = page.evaluate(NOTICE_JS, JOURNEY["notice"]["selector"])
    assert "本产品犹豫期为15天" in notice["text"]
    assert notice["top"] >= 0 and notice["bottom"] <= notice["height"] and notice["hit"]


@pytest.mark.parametrize("size", list(SIZES))
def test_notice_below_fold_pushes_the_notice_under_the_first_screen(
        open_shop: Callable[..., AbstractContextManager[Page]], size: str) -> None:
    with open_shop("notice-below-fold", size) as page:
        play(page, JOURNEY, page.shop.url, stop_at="#/insure")  # type: ignore[attr-defined]
        page.wait_for_selector(JOURNEY["notice"]["selector"])  # the route draws after the URL
        notice = page.evaluate(NOTICE_JS, JOURNEY["notice"]["selector"])
    assert "本产品犹豫期为15天" in notice["text"]
    assert notice["top"] >= notice["height"], notice


def test_unanswered_health_questions_are_explained_next_to_each_question(
        open_shop: Callable[..., AbstractContextManager[Page]]) -> None:
    with open_shop("good", "desktop") as page:
        health = JOURNEY["health"]  # what the gate's health-declaration check uses
        play(page, JOURNEY, page.shop.url, stop_at=health["path"])  # type: ignore[attr-defined]
        page.locator("input[type=radio][name=h2][value=N]").check()
        page.locator(health["submit"]).click()
        page.wait_for_selector("[role=alert]")
        groups = page.evaluate("""() => Array.from(document.querySelectorAll('[role=radiogroup]'))
          .map((g) => [g.getAttribute('aria-invalid'), g.getAttribute('aria-describedby') &&
                       document.getElementById(g.getAttribute('aria-describedby')).innerText])""")
        focused = page.evaluate("document.activeElement.name")
        assert page.url.endswith("/#/inform")
    assert groups == [["true", "请选择第1题的答案（是或否）"], ["false", None],
                      ["true", "请选择第3题的答案（是或否）"]]
    assert focused == "h1"


def test_without_the_host_rules_the_page_cannot_be_reached(playwright: Playwright) -> None:
    with start_h5shop("good") as shop:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
                page.goto(f"{shop.url}/#/products")  # redirected to shop.insurer.test
        finally:
            browser.close()
