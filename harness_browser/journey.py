"""Purchase journeys for any store: a small TOML format, or code, run by one driver.

A journey file names a start URL and the buyer's actions in order; actions marked `advance`
move the buyer on and are recorded as steps (see harness_browser.steps). The `[notice]` table says
where the
cooling-off notice is and on which screen to check it; it is checked on arrival, before any
field is filled (filling scrolls). Stores that need code give a `script` instead of actions.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from harness.errors import ConfigError
from harness_browser.first_screen import check_first_screen
from harness_browser.regulation import RegulationProbe, RegulationSpec
from harness_browser.steps import JourneyRecord, JourneyRecorder, Step

JOURNEYS_DIR = Path(__file__).parent / "journeys"
ACTIONS = ("goto", "click", "fill", "check", "check_all", "choose", "select", "press", "wait",
           "read")
_NEEDS = {"goto": ("url",), "fill": ("selector", "value"), "select": ("selector", "value"),
          "press": ("selector", "value"), "read": ("selector", "name")}


@dataclass(frozen=True)
class Action:
    """One buyer action; `advance` marks actions that move to a new screen."""

    do: str
    selector: str | None = None
    value: str | None = None
    url: str | None = None
    name: str | None = None
    advance: bool = False
    counted: bool = True
    optional: bool = False
    repeat: bool = False
    description: str = ""

    def label(self) -> str:
        return self.description or f"{self.do} {self.selector or self.url or ''}".strip()


@dataclass(frozen=True)
class NoticeSpec:
    """Where the notice is (selector and/or regex) and which screen shows it."""

    selector: str | None = None
    pattern: str | None = None
    screen: str | None = None
    path: str | None = None
    heading: str | None = None

    def is_on(self, step: Step) -> bool:
        """True when `step` is the screen the notice belongs to (marker, path regex, heading)."""
        return bool((self.screen and step.flow_marker == self.screen)
                    or (self.path and re.search(self.path, step.url_path))
                    or (self.heading and step.heading == self.heading))


Script = Callable[[JourneyRecorder, str], None]
_ALERT_JS = """() => Array.from(document.querySelectorAll('[role=alert], .error, .field-error'))
  .filter((el) => el.getClientRects().length).map((el) => el.textContent.replace(/\\s+/g, ' ')
  .trim()).filter(Boolean).join(' | ').slice(0, 500)"""


class JourneyStalled(RuntimeError):
    """An advancing action left the buyer on the same screen (usually a rejected form)."""


@dataclass(frozen=True)
class Journey:
    """A purchase journey: declarative `actions`, or a `script(recorder, base_url)`."""

    name: str
    start: str
    actions: tuple[Action, ...] = ()
    notice: NoticeSpec | None = None
    description: str = ""
    script: Script | None = field(default=None, compare=False)
    regulation: RegulationSpec = field(default_factory=RegulationSpec)


def load_journey(path: str | Path) -> Journey:
    """Parse a journey TOML file; every mistake names the file, the action and the field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the journey file: {exc}") from exc
    return parse_journey(data, source=str(path))


def builtin_journey(name: str) -> Journey:
    """A journey shipped in harness_browser/journeys/ by name (e.g. "demo-medical")."""
    path = JOURNEYS_DIR / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in JOURNEYS_DIR.glob("*.toml")))
        raise ConfigError(f"no journey named {name!r} in {JOURNEYS_DIR}; known: {known}")
    return load_journey(path)


def parse_journey(data: Mapping[str, Any], *, source: str = "<journey>") -> Journey:
    """A Journey from already-parsed TOML (a mapping)."""
    for key in ("name", "start"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ConfigError(f"{source}: the journey needs a string field {key!r}")
    actions = tuple(_parse_action(a, i, source) for i, a in enumerate(data.get("actions", [])))
    if not actions:
        raise ConfigError(f"{source}: the journey has no [[actions]]")
    notice = None
    if "notice" in data:
        raw = dict(data["notice"])
        unknown = set(raw) - {"selector", "pattern", "screen", "path", "heading"}
        if unknown or not (raw.get("selector") or raw.get("pattern")):
            raise ConfigError(f"{source}: [notice] needs selector and/or pattern plus screen, "
                              f"path or heading; unknown keys: {sorted(unknown)}")
        notice = NoticeSpec(**raw)
    regulation = RegulationSpec.from_table(dict(data.get("regulation", {})), source)
    return Journey(name=data["name"], start=data["start"], actions=actions, notice=notice,
                   description=str(data.get("description", "")), regulation=regulation)


def _parse_action(raw: Mapping[str, Any], index: int, source: str) -> Action:
    where = f"{source}: actions[{index}]"
    do = raw.get("do")
    if do not in ACTIONS:
        raise ConfigError(f"{where}: 'do' is {do!r}; use one of {', '.join(ACTIONS)}")
    unknown = set(raw) - {f for f in Action.__dataclass_fields__}
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {sorted(unknown)}")
    needed = _NEEDS.get(do, ("selector",))
    missing = [k for k in needed if raw.get(k) in (None, "")]
    if missing:
        raise ConfigError(f"{where}: '{do}' needs {', '.join(missing)}")
    flags = {k: raw.get(k, default) for k, default in
             (("advance", False), ("counted", True), ("optional", False), ("repeat", False))}
    wrong = [k for k, v in flags.items() if not isinstance(v, bool)]
    if wrong:
        raise ConfigError(f"{where}: {', '.join(wrong)} must be true or false")

    def text(key: str) -> str | None:
        return None if raw.get(key) is None else str(raw[key])

    return Action(do=str(do), selector=text("selector"), value=text("value"), url=text("url"),
                  name=text("name"), description=text("description") or "",
                  advance=flags["advance"], counted=flags["counted"],
                  optional=flags["optional"], repeat=flags["repeat"])


def run_journey(page: Page, journey: Journey, out_dir: str | Path, viewport_name: str, *,
                base_url: str | None = None, min_font_px: float = 12.0,
                min_contrast: float = 4.5, action_timeout_ms: float = 10_000,
                stop_at: str | None = None, prompt_dwell_ms: float = 0) -> JourneyRecord:
    """Drive `journey` in `page` and write out_dir/journey.json, step-NN.png and notice.png.

    A failure part-way (a selector that never appears, a form that stays put) does not raise:
    the record says `completed: false` with the error, so the gate can call it inconclusive.
    `stop_at` (a data-flow-step marker) stops on arrival at that screen, leaving the page
    there for another check (e.g. the health declaration's error prompts). Every screen is
    also measured for the sales-page rules (harness_browser.regulation; `prompt_dwell_ms` watches
    the
    traceability prompt that long), and after a completed journey the surrender entry is looked
    for: journey.json "regulation".
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("step-*.png"), out / "notice.png", out / "error.png"]:
        stale.unlink(missing_ok=True)  # a rerun into the same folder must not mix evidence
    recorder = JourneyRecorder(page, out, journey=journey.name, viewport=viewport_name)
    probe = RegulationProbe(journey.regulation, prompt_dwell_ms)
    base = base_url or ""
    page.set_default_timeout(action_timeout_ms)
    started = time.monotonic()
    try:
        def on_step(step: Step) -> None:
            probe.on_step(recorder, step)
            _maybe_check_notice(recorder, journey, step, out, min_font_px, min_contrast)

        recorder.on_step = on_step
        page.goto(urljoin(base, journey.start) if base else journey.start)
        recorder.begin(f"open {journey.start}")
        if journey.script is not None:
            journey.script(recorder, base)
        for action in journey.actions:
            if stop_at is not None and recorder.current and recorder.current.flow_marker == stop_at:
                break
            _perform(recorder, action, base)
        record = recorder.finish()
        if stop_at is None:  # not found for a browser error: left unmeasured (None)
            with contextlib.suppress(PlaywrightError):
                probe.probe_surrender(recorder.page)
    except (PlaywrightError, ConfigError, JourneyStalled) as exc:
        _error_screenshot(page, out)
        record = recorder.finish(completed=False, error=f"{type(exc).__name__}: {exc}"[:2000])
    finally:
        recorder.close()
    payload = {**record.to_dict(), "base_url": base_url,
               "duration_s": round(time.monotonic() - started, 3),
               "thresholds": {"min_font_px": min_font_px, "min_contrast": min_contrast},
               "browser": _browser_facts(page), "regulation": probe.to_dict()}
    (out / "journey.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    return record


MAX_REPEAT = 10


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
