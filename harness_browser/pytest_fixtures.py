"""pytest-playwright fixtures pointed at the harness's Chromium, for step definitions.

pytest-playwright launches Playwright's own browser, which cannot be downloaded here. Import
these into a conftest.py (a fixture imported into a conftest overrides the plugin's):

    from harness_browser.pytest_fixtures import (  # noqa
        base_url, browser_type_launch_args, viewport_page)

`viewport_page("phone")` then gives a page in a fresh context sized as that named viewport.
`base_url` replaces pytest-playwright 0.10's fallback fixture, which is defined on a plugin
instance and so raises PytestRemovedIn10Warning under pytest 9 (an error with -W error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from harness_browser.browser import chromium_executable, launch_args, new_context
from harness_browser.options import BrowserOptions


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """--base-url, else the `base_url` ini value, else None (as pytest-playwright's own)."""
    option = pytestconfig.getoption("--base-url", default=None)
    try:
        ini = pytestconfig.getini("base_url")
    except ValueError:
        ini = None
    return str(option or ini or "") or None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any],
                             playwright: Playwright) -> dict[str, Any]:
    """pytest-playwright's launch arguments plus the harness's executable and flags."""
    exe = chromium_executable(bundled=playwright.chromium.executable_path)
    ours = launch_args(exe, BrowserOptions.from_env())
    ours.pop("headless")  # --headed stays pytest-playwright's to decide
    args = [*browser_type_launch_args.get("args", []), *ours["args"]]
    return {**browser_type_launch_args, **ours, "args": list(dict.fromkeys(args))}


@pytest.fixture
def viewport_page(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """A factory of pages in fresh contexts per named viewport; all closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport_name: str) -> Page:
        context = new_context(browser, viewport_name)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
