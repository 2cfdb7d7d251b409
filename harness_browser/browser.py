"""Which Chromium to drive, how to launch it, and the named viewports every journey runs in.

The machines this runs on often cannot download Playwright's own browser, so the choice is made
in one place, in a fixed order, and reported (`probe`) rather than guessed at by each caller.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Playwright

from harness_browser.options import BrowserOptions

ENV_CHROMIUM = "HARNESS_CHROMIUM"
# What scripts/setup.sh chose, in the virtual environment running us (not the checkout).
BROWSER_FILE = Path(sys.prefix) / "harness-browser"

# Without these Chromium keeps calling home (no network here) and, as root, refuses to start.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

WECHAT_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322b) "
    "NetType/WIFI Language/zh_CN"
)
IPHONE_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; SM-A135F) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Viewport:
    """A named screen a buyer uses; `context_args` turns it into Playwright context options."""

    name: str
    width: int
    height: int
    device_scale_factor: float = 1
    is_mobile: bool = False
    has_touch: bool = False
    user_agent: str | None = None

    def context_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {
            "viewport": {"width": self.width, "height": self.height},
            "device_scale_factor": self.device_scale_factor,
            "is_mobile": self.is_mobile,
            "has_touch": self.has_touch,
            "locale": "zh-CN",
        }
        if self.user_agent:
            args["user_agent"] = self.user_agent
        return args


VIEWPORTS: Mapping[str, Viewport] = {
    v.name: v
    for v in (
        Viewport("desktop", 1366, 768),
        Viewport("desktop-hd", 1920, 1080),
        Viewport("phone", 390, 844, 3, True, True, IPHONE_USER_AGENT),
        Viewport("phone-small", 360, 640, 2, True, True, ANDROID_USER_AGENT),
        Viewport("wechat", 414, 736, 3, True, True, WECHAT_USER_AGENT),
    )
}


_SIZE = re.compile(r"(\d{2,5})x(\d{2,5})")


def viewport(name: str, options: BrowserOptions | None = None) -> Viewport:
    """The named viewport (the built-in ones, then the options' extra `viewports`), or a
    desktop-like one from "WIDTHxHEIGHT" (e.g. "1280x720", for spot checks of a screen the
    named ones miss); an unknown name says which names exist."""
    extra = (options or BrowserOptions()).viewports
    if name in VIEWPORTS:
        return VIEWPORTS[name]
    if name in extra:
        return Viewport(name, *extra[name])
    size = _SIZE.fullmatch(name)
    if size:
        return Viewport(name, int(size.group(1)), int(size.group(2)))
    known = ", ".join([*VIEWPORTS, *extra])
    raise ValueError(f"unknown viewport {name!r}; use one of {known}, or WIDTHxHEIGHT")


def chromium_executable(environ: Mapping[str, str] | None = None,
                        browser_file: Path = BROWSER_FILE,
                        bundled: str | None = None) -> str | None:
    """The Chromium to launch: a path, or None for Playwright's own bundled browser.

    Order: $HARNESS_CHROMIUM, then what scripts/setup.sh chose (.venv/harness-browser), then
    Playwright's own browser when it is installed (`bundled` is where Playwright expects it:
    `playwright.chromium.executable_path`), then `chromium` on PATH.
    """
    env = os.environ if environ is None else environ
    if env.get(ENV_CHROMIUM):
        return env[ENV_CHROMIUM]
    if browser_file.is_file():
        chosen = browser_file.read_text(encoding="utf-8").strip()
        if chosen == "playwright":
            return None
        if chosen:
            return chosen
    if bundled and Path(bundled).is_file():
        return None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_args(executable: str | None = None,
                options: BrowserOptions | None = None) -> dict[str, Any]:
    """Keyword arguments for `playwright.chromium.launch` (also usable as pytest-playwright's
    `browser_type_launch_args`): the harness's flags, then the options' `args` and `proxy`."""
    opts = options or BrowserOptions()
    args: dict[str, Any] = {"headless": True,
                            "args": list(dict.fromkeys([*CHROMIUM_ARGS, *opts.args]))}
    if opts.proxy:
        args["proxy"] = dict(opts.proxy)
    if executable:
        args["executable_path"] = executable
    return args


def launch_browser(playwright: Playwright, executable: str | None = None,
                   options: BrowserOptions | None = None) -> Browser:
    """A headless Chromium from the chosen executable (see `chromium_executable`), launched
    with `options` (default: $HARNESS_BROWSER_OPTIONS)."""
    exe = executable
    if exe is None:
        exe = chromium_executable(bundled=playwright.chromium.executable_path)
    opts = options if options is not None else BrowserOptions.from_env()
    return playwright.chromium.launch(**launch_args(exe, opts))


def new_context(browser: Browser, viewport_name: str, options: BrowserOptions | None = None,
                **extra: Any) -> BrowserContext:
    """A fresh context (own cookies) sized and identified as the named viewport, with the
    options' headers, log-in state, TLS leniency and user agent for that viewport (default
    options: $HARNESS_BROWSER_OPTIONS)."""
    opts = options if options is not None else BrowserOptions.from_env()
    return browser.new_context(**{**viewport(viewport_name, opts).context_args(),
                                  **opts.context_args(viewport_name), **extra})
