"""`python -m harness_browser.journey_check DIR`: validate every journey file of a folder.

Prints what the journeys declare (harness_contract.journey_plan's journeys.json: per product
its file, viewports, not-applicable criteria and target) and exits 0, or prints the first
problem (file and key) on stderr and exits 2. `harness run` calls it before any phase starts,
so that a journey typo costs seconds and the judge never imports Playwright.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.errors import ConfigError
from harness_browser.journey_spec import discover_journeys, load_journey_file
from harness_contract.journey_plan import JourneyPlan, ProductJourney


def journey_plan(folder: Path) -> JourneyPlan:
    """The declarations of every journey file of `folder` (ConfigError naming file and key)."""
    products = {}
    for product, path in discover_journeys(folder).items():
        journey = load_journey_file(path)
        products[product] = ProductJourney(
            product=product, file=f"{folder.name}/{path.name}", viewports=journey.viewports,
            not_applicable=dict(journey.not_applicable), target=journey.target)
    return JourneyPlan(products=products)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m harness_browser.journey_check DIR", file=sys.stderr)
        return 2
    try:
        plan = journey_plan(Path(argv[0]))
    except ConfigError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2
    print(plan.to_json())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
