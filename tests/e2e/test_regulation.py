"""Sales-page rules measured during a journey (harness_browser.regulation), judged by
harness.gates.regulation:
the demo-like flow passes every rule, and each fixture page breaks exactly one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness.gates.regulation import (
    exclusions_gate,
    no_preselection_gate,
    surrender_gate,
    traceability_gate,
)
from harness.model import Status
from harness.readers.browser import JourneyEvidence, read_journey
from harness_browser.browser import new_context
from harness_browser.journey import parse_journey, run_journey

pytestmark = pytest.mark.browser


def walk(chromium: Browser, site: str, tmp_path: Path, start: str, *clicks: str,
         dwell_ms: float = 600) -> JourneyEvidence:
    """Start on a page under tests/e2e/pages/regulation, click each selector as an advance."""
    actions = [{"do": "click", "selector": sel, "advance": True} for sel in clicks]
    journey = parse_journey({"name": "reg", "start": start, "actions": actions})
    context = new_context(chromium, "desktop")
    try:
        run_journey(context.new_page(), journey, tmp_path, "desktop",
                    base_url=f"{site}/regulation/", prompt_dwell_ms=dwell_ms,
                    action_timeout_ms=2000)
    finally:
        context.close()
    return read_journey(tmp_path / "journey.json")


def judge(j: JourneyEvidence) -> dict[str, Any]:
    return {"trace": traceability_gate(j, 0.5), "ticked": no_preselection_gate(j),
            "exclusions": exclusions_gate(j, 600, 1.15, 64, 4.5),
            "surrender": surrender_gate(j, 1)}


def test_a_compliant_flow_passes_every_rule(chromium: Browser, site: str,
                                            tmp_path: Path) -> None:
    j = walk(chromium, site, tmp_path, "product_good.html", "#start", "#ack", "#submit")
    outcomes = judge(j)
    assert {k: o.status for k, o in outcomes.items()} == dict.fromkeys(outcomes, Status.PASSED), \
        {k: o.message for k, o in outcomes.items()}
    assert "申请退保" in outcomes["surrender"].message and outcomes["surrender"].observed == 1


def test_plain_exclusions_fail(chromium: Browser, site: str, tmp_path: Path) -> None:
    j = walk(chromium, site, tmp_path, "product_plain.html", "#start", "#ack", "#submit")
    outcome = judge(j)["exclusions"]
    assert outcome.status == Status.FAILED and outcome.observed == 2
    assert "战争、暴乱" in outcome.message


def test_an_input_before_the_prompt_fails(chromium: Browser, site: str, tmp_path: Path) -> None:
    j = walk(chromium, site, tmp_path, "input_first.html", "#start", "#ack", "#submit")
    outcome = judge(j)["trace"]
    assert outcome.status == Status.FAILED and "step 0" in outcome.message


def test_a_prompt_that_goes_away_by_itself_fails(chromium: Browser, site: str,
                                                 tmp_path: Path) -> None:
    # it leaves after 1.2 s: late enough to be measured on arrival on a busy machine, and
    # well inside the 2.5 s it is watched
    j = walk(chromium, site, tmp_path, "prompt_auto.html", "#ack", "#submit", dwell_ms=2500)
    outcome = judge(j)["trace"]
    assert outcome.status == Status.FAILED and "went away by itself" in outcome.message


def test_a_prompt_not_watched_is_inconclusive(chromium: Browser, site: str,
                                              tmp_path: Path) -> None:
    j = walk(chromium, site, tmp_path, "prompt.html", "#ack", "#submit", dwell_ms=0)
    assert judge(j)["trace"].status == Status.INCONCLUSIVE


def test_pre_ticked_boxes_fail_and_a_hidden_surrender_entry_fails(
        chromium: Browser, site: str, tmp_path: Path) -> None:
    j = walk(chromium, site, tmp_path, "form_preticked.html", "#submit")
    outcomes = judge(j)
    ticked = outcomes["ticked"]
    assert ticked.status == Status.FAILED and ticked.observed == 2
    assert "自动续保" in ticked.message and "我已阅读并同意" in ticked.message
    surrender = outcomes["surrender"]
    assert surrender.status == Status.FAILED and "1 hidden" in surrender.message


def test_regulation_table_in_a_journey_file_is_checked() -> None:
    base = {"name": "x", "start": "/", "actions": [{"do": "click", "selector": "a"}]}
    journey = parse_journey({**base, "regulation": {"exclusions_selector": "#ex"}})
    assert journey.regulation.exclusions_selector == "#ex"
    with pytest.raises(ConfigError, match="unknown key"):
        parse_journey({**base, "regulation": {"exclusion": "#ex"}})
