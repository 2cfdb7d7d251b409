"""Is a notice on the first screen, as a person would see it without scrolling?

Playwright's `is_visible()` and `to_be_in_viewport()` pass a notice that is covered by a sticky
header, faded to opacity 0, 8 px small or grey on grey. This check measures what the eye
depends on in one `page.evaluate` of js/first_screen.js (which never scrolls) and turns the
measurements into readable reasons against thresholds the caller passes in.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from playwright.sync_api import Page

from harness_browser.notice_reading import NoticeCheck, interpret

_JS = (Path(__file__).parent / "js" / "first_screen.js").read_text(encoding="utf-8")
_OUTLINE_ID = "__harness_notice_outline__"


def check_first_screen(page: Page, *, selector: str | None = None,
                       pattern: str | re.Pattern[str] | None = None,
                       min_font_px: float = 12.0, min_contrast: float = 4.5,
                       screenshot_path: str | Path | None = None) -> NoticeCheck:
    """Measure the notice found by `selector` and/or `pattern` (a regex) on the current screen.

    Several elements may match (a hidden copy for screen readers, say); the one a person sees
    best is reported. When `screenshot_path` is given, a viewport screenshot with the notice
    outlined is saved there (the outline is added after measuring and removed afterwards).
    """
    if selector is None and pattern is None:
        raise ValueError("check_first_screen needs a selector, a text pattern, or both")
    source, flags = _js_regex(pattern)
    before = _scroll(page)
    raw = page.evaluate(_JS, {"selector": selector, "pattern": source, "flags": flags,
                              "maxCandidates": 5})
    thresholds = {"min_font_px": float(min_font_px), "min_contrast": float(min_contrast)}
    check = interpret(raw, selector=selector, pattern=source, **thresholds)
    shot = None
    if screenshot_path is not None:
        shot = str(_screenshot_with_outline(page, check.bbox, Path(screenshot_path)))
    unchanged = before == _scroll(page) and list(raw.get("scroll_after", [])) == list(before)
    reasons = list(check.reasons)
    if not unchanged:
        reasons.append("the page scrolled while the notice was being measured, so the "
                       "measurement may not show the first screen")
    return replace(check, screenshot=shot, scroll_unchanged=unchanged, reasons=reasons,
                    passed=check.found and not reasons)


def _js_regex(pattern: str | re.Pattern[str] | None) -> tuple[str | None, str]:
    """A Python pattern as JavaScript RegExp source and flags (only `i` and `s` carry over)."""
    if pattern is None:
        return None, ""
    if isinstance(pattern, str):
        return pattern, ""
    flags = ("i" if pattern.flags & re.IGNORECASE else "") + (
        "s" if pattern.flags & re.DOTALL else "")
    return pattern.pattern, flags


def _scroll(page: Page) -> list[float]:
    return list(page.evaluate("() => [window.scrollX, window.scrollY]"))


def _screenshot_with_outline(page: Page, bbox: dict[str, float] | None, path: Path) -> Path:
    """A viewport screenshot with the notice outlined; the outline never stays in the page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if bbox:
        page.evaluate(
            """([id, b]) => { const d = document.createElement('div'); d.id = id;
            d.style.cssText = `position:fixed;left:${b.x - 3}px;top:${b.y - 3}px;` +
              `width:${b.width + 6}px;height:${b.height + 6}px;outline:3px solid #e00;` +
              'z-index:2147483647;pointer-events:none;background:transparent';
            document.documentElement.appendChild(d); }""", [_OUTLINE_ID, bbox])
    try:
        page.screenshot(path=str(path), full_page=False, scale="css")
    finally:
        if bbox:
            page.evaluate("id => document.getElementById(id)?.remove()", _OUTLINE_ID)
    return path

