"""`python -m harness_browser.produce`: one worker of the browser evidence phase of `harness run`.

Drives the journeys and form checks it is given, one after the other, in its own Chromium,
into the run directory's layout (harness_browser.evidence), then prints what it produced as JSON.
The
phase (harness/cli/browser_phase.py) starts a few of these side by side; the features then
judge the files instead of driving the browser again.

    python -m harness_browser.produce --run-dir R --base-url URL --journey medical:phone \
        --form-errors medical:desktop [--journeys DIR] [--allow-non-local]

A journey with its own `target` runs against that URL (absolute, or joined to --base-url),
under the loopback rule unless --allow-non-local.

Exit 0 when every item was attempted (a journey that stopped part-way is evidence, not an
error), 2 on a usage error, 4 when the browser failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from harness.errors import ConfigError
from harness_browser.browser import launch_browser
from harness_browser.crash import browser_crashed, connected, failure_text
from harness_browser.evidence import record_form_errors, record_journey
from harness_browser.journey import Journey, builtin_journey, discover_journeys, load_journey
from harness_browser.options import BrowserOptions
from harness_contract.journey_plan import resolve_target
from harness_contract.loopback import NotLoopback, check_local_target


def product_journey(product: str, journeys_dir: Path | None) -> Journey:
    """`<journeys dir>/<product>.toml` or `.py` when given, else the demo shop's
    `demo-<product>`."""
    if journeys_dir is not None:
        found = discover_journeys(journeys_dir)
        if product not in found:
            raise ConfigError(f"{journeys_dir}: no journey for product {product!r} "
                              f"(<product>.toml or .py); products: {', '.join(found)}")
        return load_journey(found[product])
    return builtin_journey(f"demo-{product}")


def _pair(text: str) -> tuple[str, str]:
    product, sep, viewport = text.partition(":")
    if not sep or not product or not viewport:
        raise argparse.ArgumentTypeError(f"{text!r}: use PRODUCT:VIEWPORT")
    return product, viewport


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m harness_browser.produce",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--journeys", type=Path)
    parser.add_argument("--journey", type=_pair, action="append", default=[])
    parser.add_argument("--form-errors", type=_pair, action="append", default=[])
    parser.add_argument("--allow-non-local", action="store_true",
                        help="a journey's own target may be outside 127.0.0.0/8")
    return parser


def produce(browser_for: Callable[[], Browser], args: argparse.Namespace,
            options: BrowserOptions | None = None) -> list[dict[str, Any]]:
    """Drive each item, each in a connected browser (`browser_for` launches a new one when
    the last one crashed); returns one entry per item (folder, seconds, completed)."""
    done = []
    for product, viewport in args.journey:
        started = time.monotonic()
        record = record_journey(browser_for(), run_dir=args.run_dir, viewport_name=viewport,
                                journey=product_journey(product, args.journeys),
                                base_url=args.base_url, folder=product, options=options)
        done.append({"kind": "journey", "folder": f"{product}/{viewport}",
                     "seconds": round(time.monotonic() - started, 2),
                     "completed": record.completed})
    for product, viewport in args.form_errors:
        started = time.monotonic()
        check = record_form_errors(browser_for(), run_dir=args.run_dir, viewport_name=viewport,
                                   base_url=args.base_url, product=product,
                                   journey=product_journey(product, args.journeys),
                                   options=options)
        done.append({"kind": "form-errors", "folder": f"health-{product}/{viewport}",
                     "seconds": round(time.monotonic() - started, 2),
                     "completed": check is not None})
    return done


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        options = BrowserOptions.from_env()
        for product, _ in [*args.journey, *args.form_errors]:
            # every file valid, and every product's own target allowed, before the browser
            target = product_journey(product, args.journeys).target
            if target:
                try:
                    check_local_target(resolve_target(args.base_url, target),
                                       args.allow_non_local)
                except NotLoopback as exc:
                    raise ConfigError(f"journey of {product}: {exc}") from exc
        with sync_playwright() as pw:
            browsers: list[Browser] = []

            def browser_for() -> Browser:  # a crashed browser is replaced for the next item
                if not browsers or not connected(browsers[-1]):
                    browsers.append(launch_browser(pw, options=options))
                return browsers[-1]

            try:
                result = produce(browser_for, args, options)
            finally:
                for browser in browsers:
                    with contextlib.suppress(PlaywrightError):
                        browser.close()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except PlaywrightError as exc:  # one line: the features quote the last one
        print(failure_text(exc) if browser_crashed(exc) else f"the browser failed: {exc}",
              file=sys.stderr)
        return 4
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
