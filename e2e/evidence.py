"""Browser evidence written into a run directory, in the layout of docs/contracts.md.

    <run>/raw/browser/<journey>/<viewport>/journey.json, step-NN.png, notice.png
    <run>/raw/browser/<journey>/<viewport>/health-errors/journey.json, step-NN.png,
                                                         form_errors.json, form-errors.png

These are the calls a step definition makes ("the buyer completes the medical purchase journey
at the phone viewport"); each opens its own browser context (own cookies) and closes it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from e2e.browser import new_context
from e2e.form_errors import FormErrorCheck, check_form_errors
from e2e.journey import Journey, builtin_journey, run_journey
from e2e.steps import JourneyRecord
from harness.errors import ConfigError

ENV_RUN_DIR = "HARNESS_RUN_DIR"


def run_dir_from(environ: Mapping[str, str] | None = None) -> Path:
    """The run directory named by $HARNESS_RUN_DIR; a clear error when it is not set."""
    env = os.environ if environ is None else environ
    if not env.get(ENV_RUN_DIR):
        raise ConfigError(f"${ENV_RUN_DIR} is not set: run through `harness run`, or set it to "
                          "a reports/<run-id> directory")
    return Path(env[ENV_RUN_DIR])


def browser_evidence_dir(run_dir: str | Path, journey: str, viewport_name: str) -> Path:
    return Path(run_dir) / "raw" / "browser" / journey / viewport_name


def record_journey(browser: Browser, *, run_dir: str | Path, journey: str | Journey,
                   viewport_name: str, base_url: str, min_font_px: float = 12.0,
                   min_contrast: float = 4.5) -> JourneyRecord:
    """Run a purchase journey (a shipped name like "demo-medical", or a Journey) and save it."""
    spec = builtin_journey(journey) if isinstance(journey, str) else journey
    out = browser_evidence_dir(run_dir, spec.name, viewport_name)
    context = new_context(browser, viewport_name)
    try:
        return run_journey(context.new_page(), spec, out, viewport_name, base_url=base_url,
                           min_font_px=min_font_px, min_contrast=min_contrast)
    finally:
        context.close()


def record_form_errors(browser: Browser, *, run_dir: str | Path, viewport_name: str,
                       base_url: str, journey: str | Journey = "demo-medical",
                       screen: str = "health", submit: str = "#submit",
                       **check_args: Any) -> FormErrorCheck | None:
    """Walk `journey` to `screen`, submit its form empty, save form_errors.json.

    Returns None (and saves the partial journey with its error) when the screen was never
    reached: the gate must then call the criterion inconclusive, not passed.
    """
    spec = builtin_journey(journey) if isinstance(journey, str) else journey
    out = browser_evidence_dir(run_dir, spec.name, viewport_name) / "health-errors"
    context = new_context(browser, viewport_name)
    try:
        page = context.new_page()
        record = run_journey(page, spec, out, viewport_name, base_url=base_url, stop_at=screen)
        reached = bool(record.steps) and record.steps[-1].flow_marker == screen
        if not (record.completed and reached):
            _write(out / "form_errors.json", {"reached": False, "screen": screen,
                                              "error": record.error or f"{screen} not reached"})
            return None
        check = check_form_errors(page, submit=submit, screenshot_path=out / "form-errors.png",
                                  **check_args)
        _write(out / "form_errors.json", {"reached": True, "screen": screen, **check.to_dict()})
        return check
    finally:
        context.close()


def _write(path: Path, payload: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
