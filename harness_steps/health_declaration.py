"""Health-declaration errors (features/health_declaration)."""

from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then

from harness.gates.browser import form_errors_gate
from harness.pytest_plugin import RecordCriterion
from harness.readers.browser import FormErrorEvidence, read_form_errors
from harness_steps.browser_evidence import BrowserEvidence
from harness_steps.fixtures import skip_if_not_applicable

# what these steps read, for `harness steps`
EVIDENCE = "raw/browser/health-<product>/<viewport>/form-errors.json"


@given(parsers.parse("用户在“{viewport}”视口下提交{product}的健康告知，所有问题均未作答"),
       target_fixture="form_check")
@given(parsers.parse('the buyer submits the {product} health declaration with no answers at '
                     'the "{viewport}" viewport'), target_fixture="form_check")
def submitted_empty(browser_evidence: BrowserEvidence, product: str, viewport: str,
                    request: pytest.FixtureRequest,
                    record_criterion: RecordCriterion) -> FormErrorEvidence:
    skip_if_not_applicable(browser_evidence, request, record_criterion, product, viewport)
    path: Path = browser_evidence.form_errors(product, viewport)
    return read_form_errors(path)


@then("每个未作答的问题都被标记为无效并有各自的错误提示，且错误汇总会被播报")
@then("every unanswered question is marked invalid with its own error message and the summary "
      "is announced")
def errors_clear(form_check: FormErrorEvidence, record_criterion: RecordCriterion) -> None:
    record_criterion(form_errors_gate(form_check))
