"""A browser that died under a journey: say so ("the browser crashed"), in one line.

Playwright reports a Chromium that crashed or was killed mid-journey as a TargetClosedError
("Target page, context or browser has been closed") or "Target crashed", followed by the whole
launch command line. The journey's record keeps the first line, marked as a crash, so its
criteria read INCONCLUSIVE "the browser crashed", never a failure of the store.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

CRASH_TEXTS = ("target crashed", "page crashed", "browser has been closed",
               "browser closed", "connection closed")


def browser_crashed(exc: BaseException, page: Page | None = None) -> bool:
    """Was `exc` the browser (or the page's renderer) dying, rather than the page's doing?"""
    if type(exc).__name__ == "TargetClosedError":
        return True
    if any(text in str(exc).lower() for text in CRASH_TEXTS):
        return True
    if page is None:
        return False
    try:
        browser = page.context.browser
        return page.is_closed() or (browser is not None and not browser.is_connected())
    except PlaywrightError:
        return True


def failure_text(exc: BaseException, page: Page | None = None) -> str:
    """What went wrong, for a journey record: a crash says so, first line only."""
    if browser_crashed(exc, page):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"the browser crashed ({type(exc).__name__}: {first})"
    return f"{type(exc).__name__}: {exc}"


def connected(browser: Browser | None) -> bool:
    try:
        return browser is not None and browser.is_connected()
    except PlaywrightError:
        return False
