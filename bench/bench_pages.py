"""Benchmark: the cost of keeping page versions (可回溯: every screen's HTML and its SHA-256).

    .venv/bin/python bench/bench_pages.py [--rounds 5] [--journey demo-medical] [--viewport desktop]

The same journey on the demo shop, in one Chromium, alternately with and without page capture
(so that a busy machine slows both alike); the baseline is the journey without capture. Prints
the median wall time of each, their ratio, and the bytes kept per journey (HTML as captured,
and gzip as stored). Loopback only, well under a minute.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness_browser.browser import launch_browser, new_context  # noqa: E402
from harness_browser.journey import builtin_journey, run_journey  # noqa: E402
from harness_contract.pages import PAGES_JSON, PageIndex  # noqa: E402
from harness_demo_shop.server import start_in_background  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--journey", default="demo-medical")
    parser.add_argument("--viewport", default="desktop")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    journey = builtin_journey(args.journey)
    shop = start_in_background(port=0, workers=1)
    times: dict[bool, list[float]] = {True: [], False: []}
    sizes: tuple[int, int, int] = (0, 0, 0)
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
            browser = launch_browser(pw)
            for index in range(args.rounds * 2 + 1):
                capture = index % 2 == 1  # the first run warms up and is not counted
                out = Path(tmp) / f"run-{index}"
                context = new_context(browser, args.viewport)
                started = time.perf_counter()
                record = run_journey(context.new_page(), journey, out, args.viewport,
                                     base_url=str(shop.url), capture_pages=capture)
                seconds = time.perf_counter() - started
                context.close()
                if not record.completed:
                    print(f"the journey did not complete: {record.error}", file=sys.stderr)
                    return 1
                if index:
                    times[capture].append(seconds)
                if capture:
                    pages = PageIndex.from_json((out / PAGES_JSON).read_text(encoding="utf-8"),
                                                PAGES_JSON).pages
                    sizes = (len(pages), sum(p.bytes for p in pages),
                             sum(p.stored_bytes for p in pages))
            browser.close()
    finally:
        shop.stop()
    with_s, without_s = statistics.median(times[True]), statistics.median(times[False])
    count, html, stored = sizes
    print(json.dumps({"journey": args.journey, "viewport": args.viewport,
                      "rounds": args.rounds, "with_capture_s": round(with_s, 3),
                      "without_capture_s": round(without_s, 3),
                      "ratio": round(with_s / without_s, 3), "pages": count,
                      "html_bytes": html, "gzip_bytes": stored,
                      "compression": round(html / stored, 1) if stored else None}))
    print(f"{args.journey} at {args.viewport}: with page capture {with_s:.2f} s, without "
          f"{without_s:.2f} s (baseline), ratio {with_s / without_s:.3f}; {count} pages, "
          f"{html:,} bytes of HTML kept as {stored:,} bytes gzip")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
