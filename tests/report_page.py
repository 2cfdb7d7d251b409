"""An Allure report opened from its file in the harness's Chromium, recording every request
that leaves the machine (a report must render offline and call nobody)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def report_page(index: Path) -> Iterator[tuple[Any, list[str]]]:
    """(page at index.html, the URLs requested that are not file:, data: or blob:)."""
    from playwright.sync_api import sync_playwright

    from harness_browser.browser import launch_browser

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1200})
            remote: list[str] = []
            page.on("request", lambda r: remote.append(r.url)
                    if not r.url.startswith(("file:", "data:", "blob:")) else None)
            page.goto(index.as_uri(), timeout=90_000)
            yield page, remote
        finally:
            browser.close()
