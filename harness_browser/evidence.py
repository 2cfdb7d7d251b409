"""Browser evidence written into a run directory, in the layout the features read.

    <run>/raw/browser/<folder>/<viewport>/journey.json, step-NN.png, notice.png
    <run>/raw/browser/health-<product>/<viewport>/form-errors.json, form-errors.png
                                                 (+ journey.json, step-NN.png of the way there)

`folder` is the product code in the features (features/steps/browser_evidence.py), the journey's
name otherwise. Each call opens its own browser context (own cookies) and closes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from harness.errors import ConfigError
from harness_browser.browser import new_context
from harness_browser.form_errors import FormErrorCheck, check_form_errors
from harness_browser.journey import HealthSpec, Journey, builtin_journey, run_journey
from harness_browser.options import BrowserOptions
from harness_browser.steps import JourneyRecord

ENV_RUN_DIR = "HARNESS_RUN_DIR"
# The traceability prompt is watched this long, at these viewports only (or at the first of a
# journey's `viewports`): it costs wall time, and features/regulation asks for it at the main
# viewport.
PROMPT_DWELL_MS = 1000.0
PROMPT_DWELL_VIEWPORTS = frozenset({"desktop"})


def run_dir_from(environ: Mapping[str, str] | None = None) -> Path:
    """The run directory named by $HARNESS_RUN_DIR; a clear error when it is not set."""
    env = os.environ if environ is None else environ
    if not env.get(ENV_RUN_DIR):
        raise ConfigError(f"${ENV_RUN_DIR} is not set: run through `harness run`, or set it to "
                          "a reports/<run-id> directory")
    return Path(env[ENV_RUN_DIR])


def browser_evidence_dir(run_dir: str | Path, folder: str, viewport_name: str) -> Path:
    return Path(run_dir) / "raw" / "browser" / folder / viewport_name


def record_journey(browser: Browser, *, run_dir: str | Path, journey: str | Journey,
                   viewport_name: str, base_url: str, folder: str | None = None,
                   min_font_px: float = 12.0, min_contrast: float = 4.5,
                   prompt_dwell_ms: float | None = None,
                   options: BrowserOptions | None = None) -> JourneyRecord:
    """Run a purchase journey (a shipped name like "demo-medical", or a Journey) and save it.
    `prompt_dwell_ms` > 0 also watches the traceability prompt that long (see
    harness_browser.regulation);
    None: PROMPT_DWELL_MS at PROMPT_DWELL_VIEWPORTS, else not."""
    spec = builtin_journey(journey) if isinstance(journey, str) else journey
    if prompt_dwell_ms is None:  # at desktop, or a phone-only journey's main viewport
        main = spec.viewports[:1] or tuple(PROMPT_DWELL_VIEWPORTS)
        prompt_dwell_ms = PROMPT_DWELL_MS if viewport_name in main else 0.0
    out = browser_evidence_dir(run_dir, folder or spec.name, viewport_name)
    context = new_context(browser, viewport_name, options)
    try:
        return run_journey(context.new_page(), spec, out, viewport_name, base_url=base_url,
                           min_font_px=min_font_px, min_contrast=min_contrast,
                           prompt_dwell_ms=prompt_dwell_ms)
    finally:
        context.close()


def record_form_errors(browser: Browser, *, run_dir: str | Path, viewport_name: str,
                       base_url: str, product: str = "medical",
                       journey: Journey | None = None, health: HealthSpec | None = None,
                       options: BrowserOptions | None = None,
                       **check_args: Any) -> FormErrorCheck | None:
    """Walk the product's journey to its health-declaration screen, submit the form the wrong
    way (empty, or with the journey's `[health] prepare` answers), save form-errors.json.

    `health` (default: the journey's `[health]` table; the demo shop's data-flow-step="health"
    and #submit when it has none) says which screen, which button and which fields. Following
    the journey (not a fixed list of clicks) reaches the form through whatever screens a variant
    puts before it. Returns None, and saves `{"reached": false, ...}`, when the screen was never
    reached: the gate must call that inconclusive, not passed.
    """
    spec = journey or builtin_journey(f"demo-{product}")
    where = health or spec.health
    out = browser_evidence_dir(run_dir, f"health-{product}", viewport_name)
    context = new_context(browser, viewport_name, options)
    try:
        page = context.new_page()
        record = run_journey(page, spec, out, viewport_name, base_url=base_url, stop_at=where)
        reached = bool(record.steps) and where.is_on(record.steps[-1])
        if not (record.completed and reached):
            _write(out / "form-errors.json", {
                "reached": False, "form_found": False, "expected_invalid": [],
                "problems": [record.error or "the health-declaration screen "
                             f"({_described(where)}) was not reached"]})
            return None
        # the journey may have followed the buyer into a new tab (blank ones stay unfollowed)
        page = next((p for p in reversed(context.pages) if p.url == record.final_url), page)
        check = check_form_errors(
            page, submit=where.submit, form=where.form,
            prepare=(lambda p: _prepare(p, where)) if where.prepare else None,
            expect_invalid=where.expect_invalid,
            screenshot_path=out / "form-errors.png", **check_args)
        _write(out / "form-errors.json", {"reached": True, **check.to_dict()})
        return check
    finally:
        context.close()


def _prepare(page: Page, health: HealthSpec) -> None:
    """Give the configured invalid answers before submitting (fill, check, choose, select)."""
    for action in health.prepare:
        loc = page.locator(action.selector or "").first
        if action.do == "fill":
            loc.fill(action.value or "")
        elif action.do in ("check", "choose"):
            loc.check()
        elif action.do == "check_all":
            for i in range(page.locator(action.selector or "").count()):
                page.locator(action.selector or "").nth(i).check()
        elif action.do == "select":
            loc.select_option(action.value or "")
        elif action.do == "click":  # the only others journey_spec.PREPARE_ACTIONS allows
            loc.click()


def _described(where: HealthSpec) -> str:
    return ", ".join(f"{k} {v!r}" for k, v in (("marker", where.screen), ("path", where.path),
                                               ("heading", where.heading)) if v)


def _write(path: Path, payload: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
