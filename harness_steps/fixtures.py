"""Fixtures and steps shared by every area: the store under test, the browser, the evidence."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers

from harness.model import Outcome, Status
from harness.pytest_plugin import RecordCriterion
from harness.readers.browser import JourneyEvidence
from harness_steps.browser_evidence import BrowserEvidence

# what these steps read, for `harness steps`
EVIDENCE = "raw/browser/<product>/<viewport>/journey.json (drives the journey when it is missing)"


@pytest.fixture(scope="session")
def harness_offline() -> bool:
    """Offline: judge the evidence on disk, drive nothing (`harness verdict RUN_DIR`)."""
    return os.environ.get("HARNESS_OFFLINE") == "1"


@pytest.fixture(scope="session")
def session_run_dir(pytestconfig: pytest.Config) -> Path:
    value = pytestconfig.getoption("--harness-run-dir")
    path = Path(value) if value else pytestconfig.rootpath / "reports" / "adhoc"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def store_url(pytestconfig: pytest.Config) -> Iterator[Any]:
    """A callable giving the store's base URL; the demo shop is started on first use."""
    started: list[Any] = []
    target = pytestconfig.getoption("--harness-target")

    def url() -> str:
        if target:
            from harness_load.target import check_local_target

            check_local_target(target, pytestconfig.getoption("--harness-allow-non-local"))
            return str(target).rstrip("/")
        if not started:
            from harness_demo_shop.server import start_in_background

            variant = pytestconfig.getoption("--harness-variant")
            started.append(start_in_background(variant=variant, port=0, workers=1))
        return str(started[0].url)

    yield url
    for shop in started:
        shop.stop()


@pytest.fixture(scope="session")
def browser_evidence(session_run_dir: Path, harness_offline: bool, store_url: Any,
                     pytestconfig: pytest.Config) -> BrowserEvidence:
    journeys = pytestconfig.getoption("--harness-journeys")
    target = pytestconfig.getoption("--harness-target")
    return BrowserEvidence(session_run_dir, harness_offline, store_url,
                           Path(journeys) if journeys else None,
                           str(target).rstrip("/") if target else None,
                           bool(pytestconfig.getoption("--harness-allow-non-local")))


@given(parsers.parse("用户在“{viewport}”视口下完成{product}的投保流程"),
       target_fixture="journey")
@given(parsers.parse('the buyer completes the {product} purchase journey at the "{viewport}" '
                     "viewport"), target_fixture="journey")
def completed_journey(browser_evidence: BrowserEvidence, product: str, viewport: str,
                      request: pytest.FixtureRequest,
                      record_criterion: RecordCriterion) -> JourneyEvidence:
    skip_if_not_applicable(browser_evidence, request, record_criterion, product, viewport)
    return browser_evidence.journey(product, viewport)


@given(parsers.parse("用户在主视口（默认“{default}”）下完成{product}的投保流程"),
       target_fixture="journey")
@given(parsers.parse('the buyer completes the {product} purchase journey at its main viewport '
                     '(default "{default}")'), target_fixture="journey")
def completed_journey_main(browser_evidence: BrowserEvidence, product: str, default: str,
                           request: pytest.FixtureRequest,
                           record_criterion: RecordCriterion) -> JourneyEvidence:
    """At the first viewport the product's journey names (`viewports`), else `default`."""
    viewport = browser_evidence.declared().product(product).main_viewport(default)
    skip_if_not_applicable(browser_evidence, request, record_criterion, product, viewport)
    return browser_evidence.journey(product, viewport)


def skip_if_not_applicable(browser_evidence: BrowserEvidence, request: pytest.FixtureRequest,
                           record_criterion: RecordCriterion, product: str,
                           viewport: str) -> None:
    """Record the criterion NOT APPLICABLE, with the journey's reason, and skip the scenario
    when the product's journey declares it so; otherwise do nothing."""
    reason = browser_evidence.not_applicable(request, product, viewport)
    if reason is None:
        return
    record_criterion(Outcome(status=Status.NOT_APPLICABLE, message=f"not applicable: {reason}",
                             details={"not_applicable": reason, "product": product,
                                      "viewport": viewport}))
    pytest.skip(f"not applicable: {reason}")
