"""The disclosure rules measured in a real Chromium on the screens a journey visits
(js/sales_rules.js) and judged by harness.gates.sales_rules: fixture pages for the edge cases
(a phone number as an image with and without alt text, renewal boxes ticked inside a collapsed
section, a catch-all question phrased three ways), then the demo shop: every rule passes on
the good release and fails on the variant built to break it, with the message a compliance
officer reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from harness.model import Outcome, Status
from harness.readers.browser import JourneyEvidence, read_journey
from harness_browser.browser import new_context
from harness_browser.journey import Journey, builtin_journey, parse_journey, run_journey
from harness_demo_shop.server import start_in_background
from tests.harness.test_gates_sales_rules import every_gate as judge

pytestmark = pytest.mark.browser


def drive(chromium: Browser, journey: Journey, out: Path, base_url: str) -> JourneyEvidence:
    context = new_context(chromium, "desktop")
    try:
        run_journey(context.new_page(), journey, out, "desktop", base_url=base_url,
                    action_timeout_ms=5000)
    finally:
        context.close()
    return read_journey(out / "journey.json")


def fixture_journey(kind: str) -> Journey:
    clicks = [("#start", True), ("#next", True), ("#submit", False)]
    return parse_journey({"name": kind, "start": f"{kind}_product.html", "actions": [
        {"do": "click", "selector": sel, "advance": True, "counted": counted}
        for sel, counted in clicks]})


def statuses(outcomes: dict[str, Outcome]) -> dict[str, Status]:
    return {k: o.status for k, o in outcomes.items()}


def test_fixture_pages_that_follow_the_rules_pass(chromium: Browser, site: str,
                                                  tmp_path: Path) -> None:
    j = drive(chromium, fixture_journey("good"), tmp_path, f"{site}/sales/")
    outcomes = judge(j)
    assert statuses(outcomes) == dict.fromkeys(outcomes, Status.PASSED), \
        {k: o.message for k, o in outcomes.items()}
    # the product page shows the number only in an image whose alt text states it: it counts
    assert outcomes["contact"].details["phone_via"] == ["alt", "text"]
    assert "安心分红两全保险" in outcomes["facts"].message
    assert "weight 700, 24 px" in outcomes["uncertainty"].message


def test_fixture_pages_that_break_the_rules_fail_saying_why(chromium: Browser, site: str,
                                                            tmp_path: Path) -> None:
    j = drive(chromium, fixture_journey("bad"), tmp_path, f"{site}/sales/")
    outcomes = judge(j)
    contact = outcomes["contact"]  # an image without alt text does not show the number
    assert contact.status == Status.FAILED, contact.message
    assert "step 0" in contact.message and "1 image(s) without alt text" in contact.message
    catch_all = outcomes["catch_all"]  # three phrasings, each found
    assert catch_all.status == Status.FAILED and catch_all.observed == 3, catch_all.message
    for words in ("其他未列明的疾病", "除上述疾病以外", "any other illness not listed"):
        assert words in catch_all.message
    renewal = outcomes["renewal"]  # ticked inside a closed <details> and a hidden accordion
    assert renewal.status == Status.FAILED and renewal.observed == 2, renewal.message
    assert renewal.message.count("hidden in a collapsed section") == 2
    uncertainty = outcomes["uncertainty"]
    assert uncertainty.status == Status.FAILED and "weight 400, 12 px" in uncertainty.message
    assert outcomes["terms"].status == Status.INCONCLUSIVE  # default wording, found nowhere
    assert "退保" in outcomes["terms"].message


@pytest.fixture(scope="module")
def good_shop() -> Iterator[str]:
    shop = start_in_background(variant="good")
    try:
        yield shop.url
    finally:
        shop.stop()


@pytest.mark.parametrize("product", ["travel", "medical", "accident"])
def test_the_demo_shop_good_release_passes_every_rule(chromium: Browser, good_shop: str,
                                                      product: str, tmp_path: Path) -> None:
    j = drive(chromium, builtin_journey(f"demo-{product}"), tmp_path, good_shop)
    outcomes = judge(j)
    if product != "medical":  # no health declaration: its criterion is not generated
        assert outcomes.pop("catch_all").status == Status.INCONCLUSIVE
    if product != "accident":  # benefits declared guaranteed: the statement is not required
        assert outcomes.pop("uncertainty").status == Status.NOT_APPLICABLE
    assert statuses(outcomes) == dict.fromkeys(outcomes, Status.PASSED), \
        {k: o.message for k, o in outcomes.items()}


# variant -> (product driven, {rule: words its failure message must contain})
BROKEN: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "no-service-contact": ("travel", {"contact": ("customer-service phone number",
                                                  "95000")}),
    "missing-disclosures": ("accident", {
        "facts": ("filing number", "the waiting period"), "insurer": ("insurer",),
        "seller": ("seller",), "terms": ("surrender terms",)}),
    "auto-renew-preticked": ("medical", {"renewal": ("到期自动续保",
                                                     "hidden in a collapsed section")}),
    "catch-all-health-question": ("medical", {"catch_all": ("其他未列明的疾病",)}),
    "uncertainty-small-print": ("accident", {"uncertainty": ("weight 400, 12 px",)}),
}


@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_each_variant_breaks_its_rules_and_only_those(chromium: Browser, variant: str,
                                                      tmp_path: Path) -> None:
    product, broken = BROKEN[variant]
    shop = start_in_background(variant=variant)
    try:
        j = drive(chromium, builtin_journey(f"demo-{product}"), tmp_path, shop.url)
    finally:
        shop.stop()
    outcomes: dict[str, Any] = judge(j)
    if product != "medical":
        outcomes.pop("catch_all")
    if product != "accident":
        assert outcomes.pop("uncertainty").status == Status.NOT_APPLICABLE
    for rule, outcome in outcomes.items():
        if rule in broken:
            assert outcome.status == Status.FAILED, (rule, outcome.message)
            for words in broken[rule]:
                assert words in outcome.message, (rule, outcome.message)
        else:
            assert outcome.status == Status.PASSED, (rule, outcome.message)


def test_a_variant_name_on_the_page_is_not_a_renewal_clause(chromium: Browser,
                                                            tmp_path: Path) -> None:
    """The demo's footer names its variant ("页面版本：auto-renew-preticked"): travel has no
    renewal box, so the page offers no automatic renewal and the rule passes."""
    shop = start_in_background(variant="auto-renew-preticked")
    try:
        j = drive(chromium, builtin_journey("demo-travel"), tmp_path, shop.url)
    finally:
        shop.stop()
    renewal = judge(j)["renewal"]
    assert renewal.status == Status.PASSED, renewal.message
