"""Shared fixtures for the browser evidence producers: one Chromium per session, local pages.

Names avoid pytest-playwright's own fixtures (`browser`, `page`, `context`, `playwright`),
which that plugin registers as soon as it is installed.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from harness_browser.browser import launch_browser, new_context

PAGES = Path(__file__).parent / "pages"


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves tests/e2e/pages without logging every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:
        return


def _serve(directory: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site() -> Iterator[str]:
    """Base URL of a local static server over tests/e2e/pages (127.0.0.1, a free port)."""
    yield from _serve(PAGES)


@pytest.fixture(scope="session")
def shop_site() -> Iterator[str]:
    """A static stand-in for the demo shop's routes and selectors, served at its root."""
    yield from _serve(PAGES / "shop")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module (launching is the slow part). Not per session:
    one sync_playwright() at a time per process, and other folders' browser tests run in the
    same xdist worker."""
    with sync_playwright() as pw:
        browser = launch_browser(pw)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def desktop_page(chromium: Browser) -> Iterator[Page]:
    """A fresh desktop (1366x768) context and page; closed after the test."""
    context = new_context(chromium, "desktop")
    try:
        yield context.new_page()
    finally:
        context.close()
