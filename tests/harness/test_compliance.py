"""The compliance view: criteria citing an article (`@ART-IIB-13`) grouped by regulation and
article in verdict.md, and labelled epic = regulation, story = article in the Allure results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.model import Criterion, Decision, Outcome, Status, Verdict
from harness.writers.compliance import Citation, citations, compliance_lines
from harness.writers.markdown import render_markdown


def cited(scenario: str, status: Status, *tags: str) -> Criterion:
    return Criterion(id=f"sales :: {scenario}", feature="sales", scenario=scenario,
                     tags=("critical", "regulation", *tags),
                     outcome=Outcome(status=status, message=f"{scenario}: {status.value}"))


def test_citations_are_read_from_the_tags() -> None:
    assert citations(["critical", "ART-ISB-27", "REQ-X", "ART-IIB-13", "ART-TRACE"]) == [
        Citation("IIB", 13), Citation("ISB", 27), Citation("TRACE", None)]
    assert citations(["art-iib-13", "ART-IIB-x"]) == []
    assert Citation("IIB", 13).title.startswith("《互联网保险业务监管办法》")
    assert Citation("XYZ", 2).title == "XYZ"  # an unknown code is shown as written


def test_a_rule_not_applicable_to_a_product_is_its_own_row_and_not_counted_as_passed() -> None:
    criteria = (cited("uncertainty of travel", Status.NOT_APPLICABLE, "ART-IIB-14"),
                cited("uncertainty of accident", Status.PASSED, "ART-IIB-14"),
                cited("phone of travel", Status.FAILED, "ART-IIB-13"))
    section = "\n".join(compliance_lines(criteria))
    assert "1 of 2 criteria citing an article passed (1 not applicable" in section
    assert "| art. 14 | ➖ | uncertainty of travel | not_applicable:" in section


def test_verdict_md_lists_each_rule_under_its_regulation_and_article() -> None:
    criteria = (cited("phone of travel", Status.PASSED, "ART-IIB-13"),
                cited("catch-all of medical", Status.FAILED, "ART-ISB-27"),
                cited("key facts of travel", Status.PASSED, "ART-IIB-14", "ART-ISB-25"),
                Criterion(id="flow :: steps", feature="flow", scenario="steps",
                          tags=("critical", "purchase_flow"),
                          outcome=Outcome(status=Status.PASSED, message="5 steps")))
    text = render_markdown(Verdict(decision=Decision.NO_GO, reasons=(criteria[1].id,),
                                   criteria=criteria))
    section = text.split("## Compliance")[1].split("\n## ")[0]
    assert "2 of 3 criteria citing an article passed" in section
    iib, isb = section.split("### 《保险销售行为管理办法》")
    assert "### 《互联网保险业务监管办法》 (2021)" in iib
    assert "| art. 13 | ✅ | phone of travel | passed:" in iib
    assert "| art. 14 | ✅ | key facts of travel |" in iib
    assert "| art. 25 | ✅ | key facts of travel |" in isb  # listed under both articles
    assert "| art. 27 | ❌ | catch-all of medical | failed: catch-all of medical" in isb
    assert "steps" not in section  # a criterion citing nothing is not a compliance row
    assert compliance_lines(criteria[3:]) == []
    why = text.split("## Why")[1].split("\n## ")[0]  # the reason names its article
    assert "**catch-all of medical** (regulation, critical, 销售办法 art. 27)" in why


FEATURE = '''
@regulation
Feature: Sales pages
  @critical @REQ-SERVICE @ART-IIB-13
  Scenario: the phone is shown
    监管办法 art. 13: the service phone is shown.

    Then the rule holds
'''

STEPS = '''
from pytest_bdd import scenarios, then
from harness.model import Outcome, Status

scenarios("sales.feature")

@then("the rule holds")
def holds(record_criterion):
    record_criterion(Outcome(status=Status.PASSED, message="shown"))
'''


def test_allure_gets_an_epic_per_regulation_and_a_story_per_article(
        pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", sales=FEATURE)
    pytester.makepyfile(test_sales=STEPS)
    results = pytester.path / "allure-results"
    done = pytester.runpytest_subprocess(
        "-p", "no:allure_pytest", "-p", "no:locust", "-p", "no:cacheprovider",
        f"--alluredir={results}", f"--harness-run-dir={pytester.path / 'run'}")
    done.assert_outcomes(passed=1)
    [result] = [json.loads(p.read_text(encoding="utf-8"))
                for p in Path(results).glob("*-result.json")]
    labels = {(label["name"], label["value"]) for label in result["labels"]}
    assert ("epic", "《互联网保险业务监管办法》 (2021)") in labels
    assert ("story", "监管办法 art. 13") in labels
    assert "监管办法 art. 13: the service phone is shown." in result.get("description", "")
