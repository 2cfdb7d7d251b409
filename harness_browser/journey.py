"""Purchase journeys for any store: a small TOML format, Python over a Playwright page, or code,
run by one driver.

A journey file names a start URL and the buyer's actions in order; actions marked `advance`
move the buyer on and are recorded as steps (see harness_browser.steps). The `[notice]` table says
where the cooling-off notice is and on which screen to check it; it is checked on arrival, before
any field is filled (filling scrolls). A Python journey (`<product>.py` defining
`journey(page, base_url)`, harness_browser.python_journey) drives a recorded page instead of
listing actions. Stores that need code give a `script` instead of actions. The file format and
its validation live in harness_browser.journey_spec (no Playwright there).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from harness.errors import ConfigError
from harness_browser.crash import failure_text
from harness_browser.first_screen import check_first_screen
from harness_browser.journey_spec import (
    ACTIONS,
    Action,
    HealthSpec,
    Journey,
    NoticeSpec,
    ScreenMatch,
    Script,
    discover_journeys,
    load_journey_file,
    parse_journey,
)
from harness_browser.pages import capture_page, clear_pages, write_index
from harness_browser.python_journey import JourneyScriptError, python_script
from harness_browser.regulation import RegulationProbe
from harness_browser.steps import BrowserErrorPage, JourneyRecord, JourneyRecorder, Step
from harness_contract.journey_plan import resolve_target
from harness_contract.pages import PageRecord

__all__ = ["ACTIONS", "Action", "HealthSpec", "Journey", "JourneyStalled", "NoticeSpec",
           "ScreenMatch", "Script", "builtin_journey", "discover_journeys", "load_journey",
           "parse_journey", "run_journey"]

JOURNEYS_DIR = Path(__file__).parent / "journeys"
WAIT_FOR_TIMEOUT_MS = 10_000
_ALERT_JS = """() => Array.from(document.querySelectorAll('[role=alert], .error, .field-error'))
  .filter((el) => el.getClientRects().length).map((el) => el.textContent.replace(/\\s+/g, ' ')
  .trim()).filter(Boolean).join(' | ').slice(0, 500)"""


class JourneyStalled(RuntimeError):
    """An advancing action left the buyer on the same screen (usually a rejected form)."""


class _Arrived(BaseException):
    """The journey reached its `stop_at` screen: stop there, completed. A BaseException, so a
    Python journey's own `except Exception` cannot swallow it."""


def load_journey(path: str | Path) -> Journey:
    """A journey file (.toml, or .py with `def journey(page, base_url)`), fully validated;
    every mistake names the file and the key."""
    return load_journey_file(path)


def builtin_journey(name: str) -> Journey:
    """A journey shipped in harness_browser/journeys/ by name (e.g. "demo-medical")."""
    path = JOURNEYS_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in JOURNEYS_DIR.glob("*.toml")))
        raise ConfigError(f"no journey named {name!r} in {JOURNEYS_DIR}; known: {known}")
    return load_journey(path)


def run_journey(page: Page, journey: Journey, out_dir: str | Path, viewport_name: str, *,
                base_url: str | None = None, min_font_px: float = 12.0,
                min_contrast: float = 4.5, action_timeout_ms: float = 10_000,
                stop_at: ScreenMatch | str | None = None,
                prompt_dwell_ms: float = 0, capture_pages: bool = True) -> JourneyRecord:
    """Drive `journey` in `page` and write out_dir/journey.json, step-NN.png and notice.png.

    A failure part-way (a selector that never appears, a form that stays put) does not raise:
    the record says `completed: false` with the error, so the gate can call it inconclusive.
    `stop_at` (a ScreenMatch, or a data-flow-step marker) stops on arrival at that screen,
    leaving the page there for another check (e.g. the health declaration's error prompts).
    Every screen is also measured for the sales-page rules (harness_browser.regulation;
    `prompt_dwell_ms` watches the traceability prompt that long), and after a completed journey
    the surrender entry is looked for: journey.json "regulation". `capture_pages` keeps each
    screen's HTML and its hash (out_dir/pages/, pages.json: harness_browser.pages).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("step-*.png"), out / "notice.png", out / "error.png"]:
        stale.unlink(missing_ok=True)  # a rerun into the same folder must not mix evidence
    clear_pages(out)
    pages: list[PageRecord] = []
    recorder = JourneyRecorder(page, out, journey=journey.name, viewport=viewport_name,
                               identity=journey.identity)
    probe = RegulationProbe(journey.regulation, prompt_dwell_ms)
    stop = ScreenMatch(screen=stop_at) if isinstance(stop_at, str) else stop_at
    # the product's own target (absolute, or joined to the project's) is its base URL
    base = resolve_target(base_url, journey.target) if base_url else journey.target or ""
    page.set_default_timeout(action_timeout_ms)
    started = time.monotonic()
    try:
        def on_step(step: Step) -> None:
            if capture_pages:
                pages.append(capture_page(recorder.page, out, step))
            probe.on_step(recorder, step)
            _maybe_check_notice(recorder, journey, step, out, min_font_px, min_contrast)
            if stop is not None and stop.is_on(step):
                raise _Arrived

        recorder.on_step = on_step
        with contextlib.suppress(_Arrived):
            _drive(recorder, journey, base)
        record = recorder.finish()
        if stop is None:  # not found for a browser error: left unmeasured (None)
            with contextlib.suppress(PlaywrightError):
                probe.probe_surrender(recorder.page)
    except (PlaywrightError, ConfigError, JourneyStalled, BrowserErrorPage,
            JourneyScriptError) as exc:
        _error_screenshot(recorder.page, out)
        record = recorder.finish(completed=False, error=failure_text(exc, recorder.page)[:2000])
    finally:
        recorder.close()
    if capture_pages:
        write_index(out, pages)
    payload = {**record.to_dict(), "base_url": base or base_url,
               "duration_s": round(time.monotonic() - started, 3),
               "thresholds": {"min_font_px": min_font_px, "min_contrast": min_contrast},
               "browser": _browser_facts(page), "regulation": probe.to_dict(),
               "screen_identity": list(journey.identity),
               "not_applicable": dict(journey.not_applicable)}
    (out / "journey.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    return record


MAX_REPEAT = 10


def _drive(recorder: JourneyRecorder, journey: Journey, base: str) -> None:
    """Open the start page (a Python journey without `start` opens it itself), then act."""
    if journey.start or (journey.target and journey.python is None and journey.script is None):
        recorder.page.goto(urljoin(base, journey.start) if base else journey.start)
        recorder.begin(f"open {journey.start or base}")
    script = python_script(journey.python) if journey.python else journey.script
    if script is not None:
        script(recorder, base)
    for action in journey.actions:
        _perform(recorder, action, base)
    if recorder.current is None:
        raise ConfigError(f"journey {journey.name!r} never opened a page: give `start`, or "
                          "call page.goto(...) first")


def _perform(recorder: JourneyRecorder, action: Action, base: str) -> list[Step]:
    """Carry out one action; advancing ones go through the recorder and return new Steps.

    `optional` skips an action whose selector matches nothing on the current screen (no
    waiting); `repeat` does an advancing action again while its selector is still there (a
    store with extra intermediate screens), at most MAX_REPEAT times.
    """
    page = recorder.page
    sel = action.selector or ""
    simple: dict[str, Callable[[], object]] = {
        "goto": lambda: page.goto(urljoin(base, action.url or "") if base else action.url or ""),
        "click": lambda: page.locator(sel).first.click(),
        "press": lambda: page.locator(sel).first.press(action.value or "Enter"),
        "wait": lambda: page.locator(sel).first.wait_for(state="visible"),
    }
    if action.optional and sel and page.locator(sel).count() == 0:
        return []
    if action.advance:
        if action.do not in simple:
            raise ConfigError(f"action {action.label()!r}: only goto, click, press and wait "
                              "can advance")
        steps = [_advance(recorder, action, simple[action.do])]
        while action.repeat and len(steps) < MAX_REPEAT and page.locator(sel).count():
            steps.append(_advance(recorder, action, simple[action.do]))
        return [s for s in steps if s is not None]
    _act(recorder, action, simple)
    return []


def _advance(recorder: JourneyRecorder, action: Action,
             do: Callable[[], object]) -> Step | None:
    """One advancing action; staying on the same screen stops the journey with the reason."""
    step = recorder.advance(action.label(), do, counted=action.counted)
    if step is None and not recorder.advances[-1]["revisit"]:
        shown = recorder.page.evaluate(_ALERT_JS)
        where = recorder.advances[-1]["screen_id"]
        raise JourneyStalled(f"{action.label()!r} stayed on {where}"
                             + (f"; the page says: {shown}" if shown else ""))
    return step


def _act(recorder: JourneyRecorder, action: Action,
         simple: dict[str, Callable[[], object]]) -> None:
    """A non-advancing action: type, tick, choose, read."""
    page = recorder.page
    sel = action.selector or ""
    if action.do in simple:
        simple[action.do]()
    elif action.do == "fill":
        recorder.fill(page.locator(sel).first, action.value or "")
    elif action.do in ("check", "choose"):
        recorder.check(page.locator(sel).first)
    elif action.do == "check_all":
        if recorder.check_all(sel) == 0:
            raise ConfigError(f"action {action.label()!r}: no element matches {sel!r}")
    elif action.do == "select":
        recorder.select(page.locator(sel).first, action.value or "")
    elif action.do == "read":
        text = page.locator(sel).first.text_content() or ""
        recorder.captured[action.name or sel] = text.strip()


def _maybe_check_notice(recorder: JourneyRecorder, journey: Journey, step: Step, out: Path,
                        min_font_px: float, min_contrast: float) -> None:
    """Check the notice the first time the buyer arrives on its screen."""
    spec = journey.notice
    if spec is None or recorder.notice_checks or not spec.is_on(step):
        return
    if spec.wait_for:
        recorder.wait_for(spec.wait_for, WAIT_FOR_TIMEOUT_MS)
    check = check_first_screen(recorder.page, selector=spec.selector, pattern=spec.pattern,
                               min_font_px=min_font_px, min_contrast=min_contrast,
                               screenshot_path=out / "notice.png")
    recorder.notice_checks.append({"step": step.index, "screen_id": step.screen_id,
                                   **check.to_dict()})


def _browser_facts(page: Page) -> dict[str, str | None]:
    """Which browser produced the evidence (for the verdict's tool versions)."""
    browser = page.context.browser
    facts: dict[str, str | None] = {"name": browser.browser_type.name if browser else None,
                                    "version": browser.version if browser else None,
                                    "user_agent": None}
    with contextlib.suppress(PlaywrightError):
        facts["user_agent"] = str(page.evaluate("navigator.userAgent"))
    return facts


def _error_screenshot(page: Page, out: Path) -> None:
    with contextlib.suppress(PlaywrightError):
        page.screenshot(path=str(out / "error.png"), full_page=False, scale="css")
