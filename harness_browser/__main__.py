"""`python -m harness_browser ...`: run one browser measurement by hand and print it as JSON.

For trying a journey file or a notice selector against a real store before writing it into a
feature. It measures only (exit 0 when the measurement ran, 2 on a usage error, 4 when the
browser failed); judging stays with `harness`.

    python -m harness_browser journey demo-medical --base-url http://127.0.0.1:8000 --viewport phone
    python -m harness_browser journey ./my-store.toml --base-url https://staging.example --out
    /tmp/j
    python -m harness_browser notice http://127.0.0.1:8000/j/X/application --selector
    "#cooling-off-notice"
    python -m harness_browser form-errors http://127.0.0.1:8000/j/X/health --submit "#submit"
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from harness.errors import ConfigError
from harness_browser.browser import VIEWPORTS, launch_browser, new_context
from harness_browser.first_screen import check_first_screen
from harness_browser.form_errors import check_form_errors
from harness_browser.journey import builtin_journey, load_journey, run_journey
from harness_browser.options import BrowserOptions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness_browser",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--viewport", default="desktop", choices=list(VIEWPORTS))
    sub = parser.add_subparsers(dest="command", required=True)
    journey = sub.add_parser("journey", help="run a journey (a shipped name or a .toml file)")
    journey.add_argument("journey")
    journey.add_argument("--base-url", required=True)
    journey.add_argument("--out", type=Path, default=None)
    notice = sub.add_parser("notice", help="first-screen check of a notice on one URL")
    notice.add_argument("url")
    notice.add_argument("--selector")
    notice.add_argument("--pattern")
    notice.add_argument("--min-font-px", type=float, default=12.0)
    notice.add_argument("--min-contrast", type=float, default=4.5)
    notice.add_argument("--screenshot", type=Path)
    errors = sub.add_parser("form-errors", help="submit a form empty and measure its errors")
    errors.add_argument("url")
    errors.add_argument("--submit", default="#submit")
    return parser


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    with sync_playwright() as pw:
        options = BrowserOptions.from_env()
        browser = launch_browser(pw, options=options)
        try:
            page = new_context(browser, args.viewport, options).new_page()
            if args.command == "journey":
                spec = (load_journey(args.journey) if args.journey.endswith((".toml", ".py"))
                        else builtin_journey(args.journey))
                out = args.out or Path(tempfile.mkdtemp(prefix="e2e-journey-"))
                record = run_journey(page, spec, out, args.viewport, base_url=args.base_url)
                return {"out": str(out), **record.to_dict()}
            page.goto(args.url)
            if args.command == "notice":
                return check_first_screen(
                    page, selector=args.selector, pattern=args.pattern,
                    min_font_px=args.min_font_px, min_contrast=args.min_contrast,
                    screenshot_path=args.screenshot).to_dict()
            return check_form_errors(page, submit=args.submit).to_dict()
        finally:
            browser.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "notice" and not (args.selector or args.pattern):
        print("notice needs --selector and/or --pattern", file=sys.stderr)
        return 2
    try:
        result = _measure(args)
    except ConfigError as exc:
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
