"""`python -m harness_browser.journey_check DIR`: validate every journey file of a folder.

Prints {product: file} as JSON and exits 0, or prints the first problem (file and key) on
stderr and exits 2. `harness run` calls it before any phase starts, so that a journey typo
costs seconds and the judge never imports Playwright.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from harness.errors import ConfigError
from harness_browser.journey_spec import discover_journeys


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m harness_browser.journey_check DIR", file=sys.stderr)
        return 2
    try:
        found = discover_journeys(Path(argv[0]))
    except ConfigError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({product: str(path) for product, path in found.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
