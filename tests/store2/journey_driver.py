"""Play a journey TOML file's actions in a Playwright page, plainly, to prove its selectors.

Independent of the harness's recorder on purpose: this checks the store and the QA engineer's
file (every selector matches, every advancing action leads to another URL), not how screens
are counted. Each screen reached is described by its URL, whether it has an h1 and whether any
element carries data-flow-step.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

SCREEN_JS = """() => ({url: location.href, h1: document.querySelectorAll('h1').length,
  markers: document.querySelectorAll('[data-flow-step]').length})"""


@dataclass
class Played:
    screens: list[dict[str, Any]] = field(default_factory=list)
    captured: dict[str, str] = field(default_factory=dict)
    counted: int = 0


def load_actions(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def play(page: Page, journey: dict[str, Any], base_url: str, *,
         stop_at: str | None = None) -> Played:
    """Open `base_url` + start and do each action; stop on arriving at a URL containing
    `stop_at` (before its fields are filled)."""
    played = Played()
    page.goto(base_url + journey["start"])
    arrive(page, played)
    for action in journey["actions"]:
        if stop_at and stop_at in page.url:
            break
        target = page.locator(action["selector"])
        do = action["do"]
        if do == "fill":
            target.first.fill(action["value"])
        elif do == "check":
            target.first.check()
        elif do == "check_all":
            assert target.count() > 0, action
            for i in range(target.count()):
                target.nth(i).check()
        elif do == "read":
            played.captured[action["name"]] = (target.first.text_content() or "").strip()
        elif do == "click" and action.get("advance"):
            before = page.url
            target.first.click()
            page.wait_for_function("(before) => location.href !== before", arg=before)
            arrive(page, played)
            played.counted += bool(action.get("counted", True))
        else:
            raise AssertionError(f"this driver does not know {action}")
    return played


def arrive(page: Page, played: Played) -> None:
    """Wait until the screen has drawn (no request in flight, no 加载中 placeholder)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('.loading')")
    played.screens.append(page.evaluate(SCREEN_JS))
