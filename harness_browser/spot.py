"""`python -m harness_browser.spot`: the measuring half of `harness check` (one page, or one
journey).

`harness check` runs this in a child process, so the judge never loads Playwright, and reads
one JSON object from stdout. It measures only; a page that could not be loaded is reported
(`error`, `http_status`) rather than raised, so the judge can say "could not check".

    python -m harness_browser.spot notice URL --pattern REGEX [--selector CSS] [--wait-for CSS]
        --viewport phone ...
    python -m harness_browser.spot steps JOURNEY.toml|.py [--base-url URL] --viewport desktop
        --out DIR

The page is measured once it has settled as a journey's screens do (load, no request in flight,
a quiet DOM), and after `--wait-for` shows. A navigation that ends on Chromium's error page
(chrome-error://: a redirect to a host that does not answer) is reported as not loaded. Browser
options come from $HARNESS_BROWSER_OPTIONS (harness_browser.options).

Exit 0 when the output was written (whatever it says), 2 on a usage error, 4 when the browser
itself failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from harness.errors import ConfigError
from harness_browser.browser import launch_browser, new_context, viewport
from harness_browser.first_screen import check_first_screen
from harness_browser.journey import load_journey, run_journey
from harness_browser.options import BrowserOptions
from harness_browser.steps import ERROR_PAGE_PREFIX, JourneyRecorder

GOTO_TIMEOUT_MS = 30_000
WAIT_FOR_TIMEOUT_MS = 15_000


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness_browser.spot",
                                     description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    notice = sub.add_parser("notice", help="first-screen check of a notice at several viewports")
    notice.add_argument("url")
    notice.add_argument("--pattern")
    notice.add_argument("--selector")
    notice.add_argument("--wait-for", help="CSS selector to wait for before measuring")
    notice.add_argument("--viewport", action="append", required=True)
    notice.add_argument("--min-font-px", type=float, default=12.0)
    notice.add_argument("--min-contrast", type=float, default=4.5)
    notice.add_argument("--screenshots", type=Path)
    steps = sub.add_parser("steps", help="run a journey file once and print its record")
    steps.add_argument("journey", type=Path)
    steps.add_argument("--base-url")
    steps.add_argument("--viewport", default="desktop")
    steps.add_argument("--out", type=Path)
    return parser


def measure_notice(browser: Browser, args: argparse.Namespace,
                   options: BrowserOptions) -> dict[str, Any]:
    """One fresh context per viewport; each entry says whether the page loaded."""
    results = []
    for name in args.viewport:
        size = viewport(name, options)
        entry: dict[str, Any] = {"viewport": name, "width": size.width, "height": size.height,
                                 "http_status": None, "error": None, "check": None,
                                 "waited_for": None}
        context = new_context(browser, name, options)
        try:
            _measure_one(context.new_page(), args, entry)
        finally:
            context.close()
        results.append(entry)
    return {"url": args.url, "viewports": results,
            "thresholds": {"min_font_px": args.min_font_px, "min_contrast": args.min_contrast}}


def _measure_one(page: Page, args: argparse.Namespace, entry: dict[str, Any]) -> None:
    """Load, settle (and wait for --wait-for), then measure; fills `entry` in place."""
    recorder = JourneyRecorder(page)  # counts the requests in flight from the first one
    try:
        try:
            response = page.goto(args.url, timeout=GOTO_TIMEOUT_MS)
        except PlaywrightError as exc:
            entry["error"] = f"the page did not load: {exc}".splitlines()[0][:500]
            return
        entry["http_status"] = response.status if response is not None else None
        recorder.settle()
        if args.wait_for:
            entry["waited_for"] = {"selector": args.wait_for,
                                   "shown": recorder.wait_for(args.wait_for, WAIT_FOR_TIMEOUT_MS)}
        if page.url.startswith(ERROR_PAGE_PREFIX):
            entry["error"] = (f"the navigation ended on the browser's error page ({page.url}): "
                              "a redirect to a host that did not answer")
            return
        shot = (args.screenshots / f"notice-{entry['viewport']}.png") if args.screenshots else None
        entry["check"] = check_first_screen(
            page, selector=args.selector or None, pattern=args.pattern or None,
            min_font_px=args.min_font_px, min_contrast=args.min_contrast,
            screenshot_path=shot).to_dict()
        entry["check"].pop("measurement", None)  # every candidate: too much for a person
    finally:
        recorder.close()


def measure_steps(browser: Browser, args: argparse.Namespace,
                  options: BrowserOptions) -> dict[str, Any]:
    """Run the journey file; its journey.json (and screenshots) land in --out."""
    spec = load_journey(args.journey)
    out = args.out or Path(tempfile.mkdtemp(prefix="harness-check-steps-"))
    context = new_context(browser, args.viewport, options)
    try:
        run_journey(context.new_page(), spec, out, args.viewport, base_url=args.base_url)
    finally:
        context.close()
    return {"out": str(out), "journey_json": str(out / "journey.json")}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "notice" and not (args.selector or args.pattern):
        print("notice needs a non-empty --pattern and/or --selector", file=sys.stderr)
        return 2
    try:
        options = BrowserOptions.from_env()
        for name in ([args.viewport] if isinstance(args.viewport, str) else args.viewport):
            viewport(name, options)
        if args.command == "steps":
            load_journey(args.journey)  # a mistake in the file is exit 2 before any browser
        with sync_playwright() as pw:
            browser = launch_browser(pw, options=options)
            try:
                measure = measure_notice if args.command == "notice" else measure_steps
                result = measure(browser, args, options)
            finally:
                browser.close()
    except (ConfigError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except PlaywrightError as exc:
        print(f"the browser failed: {exc}", file=sys.stderr)
        return 4
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
