"""Counting the screens a buyer goes through: the journey recorder.

A step is a new screen reached by a buyer's action, where a screen is its route (no query), its
hash route (`#/insure`: hash-routed single-page apps; a plain anchor such as `#clauses` is not
one), its main heading, a blocking dialog and an optional data-flow-step marker; a journey may
name which of these parts identify its screens (IDENTITY_PARTS). Navigation events are never
counted: single-page apps fire them for pushState, replaceState and hash changes that show the
buyer nothing new, and a modal dialog is a new screen without any.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from harness_browser.journey_spec import IDENTITY_PARTS

_JS_DIR = Path(__file__).parent / "js"
_IDENTITY_JS = (_JS_DIR / "screen_identity.js").read_text(encoding="utf-8")
_DOM_QUIET_JS = """([quietMs, capMs]) => new Promise((resolve) => {
  let timer = null; const start = performance.now();
  const done = () => { obs.disconnect(); resolve(performance.now() - start); };
  const obs = new MutationObserver(() => {
    clearTimeout(timer); timer = setTimeout(done, quietMs);
    if (performance.now() - start > capMs) done();
  });
  obs.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  timer = setTimeout(done, quietMs); setTimeout(done, capMs);
})"""
_FIELD_NAME_JS = """el => el.getAttribute('name') || el.id || el.getAttribute('aria-label')
  || el.getAttribute('placeholder') || el.tagName.toLowerCase()"""


ERROR_PAGE_PREFIX = "chrome-error://"


class BrowserErrorPage(RuntimeError):
    """A navigation ended on Chromium's own error page: the store could not be reached."""


@dataclass(frozen=True, eq=False)
class Screen:
    """The identity of what the buyer sees; screens equal in the parts that identify a screen
    (`parts`, a subset of IDENTITY_PARTS) are the same step."""

    url_path: str
    heading: str | None
    flow_marker: str | None
    dialog: str | None = None
    dialog_marker: str | None = None
    hash_route: str | None = None
    parts: frozenset[str] = frozenset(IDENTITY_PARTS)

    @property
    def key(self) -> tuple[str | None, ...]:
        """The identifying parts only (what equality and hashing use)."""
        use = self.parts
        return (self.url_path if "path" in use else None,
                self.hash_route if "hash" in use else None,
                self.heading if "heading" in use else None,
                self.flow_marker if "marker" in use else None,
                self.dialog if "dialog" in use else None,
                self.dialog_marker if "dialog" in use or "marker" in use else None)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Screen) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def screen_id(self) -> str:
        path, route, heading, marker, dialog, dialog_marker = self.key
        shown = dialog_marker or marker
        parts = [(path or "") + (route or ""), f"[{shown}]" if shown else "", heading or ""]
        if dialog:
            parts.append(f"dialog: {dialog}")
        return " ".join(p for p in parts if p) or "(no identifying part)"


@dataclass
class Step:
    """One screen reached; `fields_filled` are the inputs the buyer filled on it."""

    index: int
    description: str
    screen_id: str
    url_path: str
    heading: str | None
    flow_marker: str | None
    dialog: str | None
    counted: bool = True
    hash_route: str | None = None
    fields_filled: list[str] = field(default_factory=list)
    screenshot: str | None = None
    settle_ms: float = 0.0


@dataclass
class JourneyRecord:
    """What a journey produced: steps, fields per step, notice checks, errors (JSON-able)."""

    journey: str
    viewport: str
    step_count: int
    steps: list[Step]
    advances: list[dict[str, Any]]
    fields_per_step: dict[str, int]
    notice_checks: list[dict[str, Any]] = field(default_factory=list)
    captured: dict[str, str] = field(default_factory=dict)
    completed: bool = True
    error: str | None = None
    final_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Settle:
    """How long to wait for a screen to settle after an action (caps, not thresholds):
    the load event, then no request in flight (at most `network_idle_ms`), then a DOM without
    mutations for `dom_quiet_ms` (at most `dom_cap_ms`). An action after which the screen
    did not change waits up to `popup_grace_ms` more for a new tab: on a busy machine
    Chromium's "popup" event can arrive after the old page has settled. A new tab still blank
    (about:blank) after `blank_tab_ms` is not followed: window.open() that never loads."""

    load_timeout_ms: float = 15_000
    network_idle_ms: float = 1_500
    dom_quiet_ms: float = 150
    dom_cap_ms: float = 2_000
    popup_grace_ms: float = 500
    blank_tab_ms: float = 3_000


class JourneyRecorder:
    """Wraps a Page: performs the buyer's actions and records each new screen as a step."""

    def __init__(self, page: Page, out_dir: str | Path | None = None, *, journey: str = "",
                 viewport: str = "", settle: Settle | None = None,
                 identity: tuple[str, ...] = IDENTITY_PARTS) -> None:
        unknown = set(identity) - set(IDENTITY_PARTS)
        if unknown or not identity:
            raise ValueError(f"screen identity parts {sorted(unknown)}: use some of "
                             f"{', '.join(IDENTITY_PARTS)}")
        self.identity = frozenset(identity)
        self.page = page
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.journey = journey
        self.viewport = viewport
        self.settle_caps = settle or Settle()
        self.steps: list[Step] = []
        self.advances: list[dict[str, Any]] = []
        self.notice_checks: list[dict[str, Any]] = []
        self.captured: dict[str, str] = {}
        # False: advancing actions record steps that do not count (a Python journey's
        # `with page.uncounted():`)
        self.counting = True
        # Called with each new step as soon as it is recorded (e.g. to check a notice on arrival,
        # before the buyer types anything: typing scrolls).
        self.on_step: Callable[[Step], None] | None = None
        self._screen: Screen | None = None
        self._seen: set[Screen] = set()
        self._inflight: set[object] = set()
        self._popups: list[Page] = []
        self._listen(page)

    @property
    def current(self) -> Step | None:
        return self.steps[-1] if self.steps else None

    def begin(self, description: str = "start") -> Step:
        """Record the screen the journey starts on as step 0 (never counted)."""
        self.settle()
        self.raise_on_error_page()
        return self._record(description, self.screen(), counted=False, index=0, settle_ms=0.0)

    def advance(self, description: str, action: Callable[[], object], *,
                counted: bool = True) -> Step | None:
        """Perform an advancing action (click, submit) and record the screen it leads to.

        Returns the new Step, or None when the screen did not change (a validation error, a
        pushState or a hash change) or went back to a screen already recorded (closing a
        modal): such an action is logged in `advances` but not counted as a step.
        """
        if self._screen is None:
            self.begin()
        popups = len(self._popups)
        action()
        settle_ms = self.settle()  # also lets a "popup" event arrive
        if len(self._popups) == popups and self.screen() == self._screen:
            settle_ms += self._wait_for_popup(popups)
        new_tab = len(self._popups) > popups and self._loads(self._popups[-1])
        if new_tab:  # a cashier or document opened in a new tab: the buyer follows it
            self._switch_to(self._popups[-1])
            settle_ms += self.settle()
        self.raise_on_error_page()
        screen = self.screen()
        changed = screen != self._screen
        revisit = changed and screen in self._seen
        self.advances.append({"description": description, "new_screen": changed and not revisit,
                              "revisit": revisit, "new_tab": new_tab,
                              "screen_id": screen.screen_id, "settle_ms": round(settle_ms, 1)})
        if revisit:
            self._screen = screen
        if not changed or revisit:
            return None
        index = 1 + max((s.index for s in self.steps), default=0)
        return self._record(description, screen, counted=counted and self.counting,
                            index=index, settle_ms=settle_ms)

    def fill(self, target: Locator | str, value: str) -> None:
        """Type a value as the buyer would and note the field on the current screen."""
        loc = self._locator(target)
        loc.fill(value)
        self.note_field(loc)

    def check(self, target: Locator | str) -> None:
        loc = self._locator(target)
        loc.check()
        self.note_field(loc)

    def choose(self, target: Locator | str) -> None:
        """Pick a radio button."""
        self.check(target)

    def check_all(self, target: Locator | str) -> int:
        """Tick every box or radio the locator matches (e.g. all 'no' answers); returns how many."""
        loc = self._locator(target)
        count = loc.count()
        for i in range(count):
            item = loc.nth(i)
            item.check()
            self.note_field(item)
        return count

    def select(self, target: Locator | str, value: str) -> None:
        loc = self._locator(target)
        loc.select_option(value)
        self.note_field(loc)

    def wait_for(self, selector: str, timeout_ms: float) -> bool:
        """Wait until `selector` is visible (a single-page app still drawing), then settle;
        False when it never showed (the check that follows says what it found)."""
        shown = True
        try:
            self.page.locator(selector).first.wait_for(state="visible", timeout=timeout_ms)
        except PlaywrightTimeout:
            shown = False
        self.settle()
        return shown

    def finish(self, *, completed: bool = True, error: str | None = None) -> JourneyRecord:
        """The record so far: step_count counts the counted steps after the start screen."""
        counted = [s for s in self.steps if s.counted and s.index > 0]
        return JourneyRecord(
            journey=self.journey, viewport=self.viewport, step_count=len(counted),
            steps=list(self.steps), advances=list(self.advances),
            fields_per_step={str(s.index): len(s.fields_filled) for s in self.steps},
            notice_checks=list(self.notice_checks),
            captured=dict(self.captured),
            completed=completed, error=error, final_url=_safe_url(self.page))

    def close(self) -> None:
        """Stop listening to the page (the page may outlive the recorder)."""
        self.page.remove_listener("request", self._request_started)
        self.page.remove_listener("requestfinished", self._request_ended)
        self.page.remove_listener("requestfailed", self._request_ended)
        self.page.remove_listener("popup", self._popup_opened)

    def _listen(self, page: Page) -> None:
        page.on("request", self._request_started)
        page.on("requestfinished", self._request_ended)
        page.on("requestfailed", self._request_ended)
        page.on("popup", self._popup_opened)

    def _wait_for_popup(self, popups: int) -> float:
        """Up to `popup_grace_ms` for a late "popup" event; returns ms waited."""
        start = time.monotonic()
        deadline = start + self.settle_caps.popup_grace_ms / 1000
        while len(self._popups) == popups and time.monotonic() < deadline:
            self.page.wait_for_timeout(25)
        return (time.monotonic() - start) * 1000

    def _loads(self, popup: Page) -> bool:
        """False for a tab that stays blank (window.open() without a page) `blank_tab_ms`."""
        deadline = time.monotonic() + self.settle_caps.blank_tab_ms / 1000
        while _safe_url(popup) in ("", "about:blank", None) and time.monotonic() < deadline:
            if popup.is_closed():
                return False
            self.page.wait_for_timeout(25)
        return _safe_url(popup) not in ("", "about:blank", None) and not popup.is_closed()

    def raise_on_error_page(self) -> None:
        """BrowserErrorPage when the page is Chromium's error page (DNS, refused, TLS...)."""
        url = _safe_url(self.page) or ""
        if url.startswith(ERROR_PAGE_PREFIX):
            raise BrowserErrorPage(f"the browser shows its error page ({url}): the store did not "
                                   "answer (name not resolved, connection refused or TLS)")

    def _popup_opened(self, popup: Page) -> None:
        self._popups.append(popup)

    def _switch_to(self, page: Page) -> None:
        self.close()
        self._inflight.clear()
        self.page = page
        self._listen(page)

    def screen(self) -> Screen:
        """The current screen's identity (retried while a navigation replaces the document)."""
        raw = evaluate_retrying(self.page, _IDENTITY_JS, None)
        return Screen(url_path=raw["url_path"], heading=raw["heading"],
                      flow_marker=raw["flow_marker"], dialog=raw["dialog"],
                      dialog_marker=raw["dialog_marker"], hash_route=raw["hash_route"],
                      parts=self.identity)

    def settle(self) -> float:
        """Wait for load, a short network-idle window and a quiet DOM; returns ms waited."""
        caps = self.settle_caps
        start = time.monotonic()
        with contextlib.suppress(PlaywrightTimeout):
            self.page.wait_for_load_state("load", timeout=caps.load_timeout_ms)
        # Playwright's "networkidle" always waits 500 ms of silence; counting the requests in
        # flight settles as soon as the last one ends (capped for beacons and long polls).
        deadline = time.monotonic() + caps.network_idle_ms / 1000
        while self._inflight and time.monotonic() < deadline:
            self.page.wait_for_timeout(20)
        evaluate_retrying(self.page, _DOM_QUIET_JS, [caps.dom_quiet_ms, caps.dom_cap_ms])
        return (time.monotonic() - start) * 1000

    def _record(self, description: str, screen: Screen, *, counted: bool, index: int,
                settle_ms: float) -> Step:
        step = Step(index=index, description=description, screen_id=screen.screen_id,
                    url_path=screen.url_path, heading=screen.heading,
                    flow_marker=screen.dialog_marker or screen.flow_marker,
                    dialog=screen.dialog, counted=counted, settle_ms=round(settle_ms, 1),
                    hash_route=screen.hash_route)
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            path = self.out_dir / f"step-{index:02d}.png"
            self.page.screenshot(path=str(path), full_page=False, scale="css")
            step.screenshot = str(path)
        self.steps.append(step)
        self._screen = screen
        self._seen.add(screen)
        if self.on_step is not None:
            self.on_step(step)
        return step

    def _request_started(self, request: object) -> None:
        self._inflight.add(request)

    def _request_ended(self, request: object) -> None:
        self._inflight.discard(request)

    def _locator(self, target: Locator | str) -> Locator:
        return self.page.locator(target) if isinstance(target, str) else target

    def note_field(self, loc: Locator) -> None:
        if self._screen is None:
            self.begin()
        name = str(loc.evaluate(_FIELD_NAME_JS))
        step = self.current
        if step is not None and name not in step.fields_filled:
            step.fields_filled.append(name)


def evaluate_retrying(page: Page, script: str, arg: Any, attempts: int = 5) -> Any:
    """page.evaluate that survives a document being replaced mid-call (navigation)."""
    for attempt in range(attempts):
        try:
            return page.evaluate(script, arg)
        except PlaywrightError as exc:
            transient = "context was destroyed" in str(exc) or "navigat" in str(exc)
            if attempt == attempts - 1 or not transient:
                raise
            page.wait_for_load_state("load")
    raise AssertionError("unreachable")


def _safe_url(page: Page) -> str | None:
    try:
        return page.url
    except PlaywrightError:
        return None
