"""The harness plugin in real pytest-bdd sessions (pytester), English and Chinese Gherkin."""

import json
from pathlib import Path

import pytest

STEPS = '''
from pytest_bdd import given, parsers, scenarios, then
from harness.errors import EvidenceError
from harness.model import Comparator, Outcome, Status

scenarios("gate.feature")

@given(parsers.parse("a flow of {steps:d} steps"), target_fixture="steps")
def steps_(steps):
    return steps

@given("the evidence is missing", target_fixture="steps")
def missing():
    raise EvidenceError("no journey.json", path="raw/browser/journey.json")

@then(parsers.parse("it takes at most {limit:d} steps"))
def at_most(steps, limit, record_criterion):
    ok = Comparator.LE.holds(steps, limit)
    record_criterion(Outcome(status=Status.PASSED if ok else Status.FAILED,
                             message=f"{steps} steps", observed=steps, threshold=limit,
                             comparator=Comparator.LE, unit="steps"))
'''

FEATURE = '''
@purchase_flow
Feature: Purchase flow
  @critical @REQ-FLOW-1
  Scenario Outline: <product> is short
    Given a flow of <steps> steps
    Then it takes at most 5 steps

    Examples:
      | product | steps |
      | travel  | 4     |
      | medical | 7     |

  @blocker
  Scenario: evidence lost
    Given the evidence is missing
    Then it takes at most 5 steps
'''


# the inner sessions run in-process: leave out plugins that keep process-wide state
ARGS = ("--strict-markers", "-p", "no:allure_pytest", "-p", "no:locust", "-p", "no:playwright",
        "-p", "no:allure_pytest_bdd")


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _run(pytester: pytest.Pytester, feature: str, steps: str = STEPS) -> pytest.RunResult:
    pytester.makefile(".feature", gate=feature)
    pytester.makepyfile(test_gate=steps)
    return pytester.runpytest(*ARGS, f"--harness-run-dir={pytester.path / 'run'}")


def test_criteria_and_plan_are_recorded(pytester: pytest.Pytester) -> None:
    result = _run(pytester, FEATURE)
    result.assert_outcomes(passed=1, failed=2)
    records = {r["scenario"]: r for r in _records(pytester.path / "run" / "criteria.jsonl")}
    assert records["travel is short"]["status"] == "passed"
    assert records["medical is short"]["status"] == "failed"
    assert records["medical is short"]["observed"] == 7
    assert records["medical is short"]["severity"] == "critical"
    assert "REQ-FLOW-1" in records["medical is short"]["tags"]
    lost = records["evidence lost"]
    assert lost["status"] == "inconclusive"
    assert "raw/browser/journey.json" in lost["message"]
    plan = _records(pytester.path / "run" / "plan.jsonl")
    assert {p["scenario"] for p in plan} == set(records)


def test_tags_select_by_severity(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", gate=FEATURE)
    pytester.makepyfile(test_gate=STEPS)
    result = pytester.runpytest(*ARGS, "-m", "blocker",
                                f"--harness-run-dir={pytester.path / 'run'}")
    result.assert_outcomes(failed=1, deselected=2)


def test_missing_severity_is_a_config_error(pytester: pytest.Pytester) -> None:
    result = _run(pytester, FEATURE.replace("@critical ", ""))
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*gate.feature:*has 0 severity tags*exactly one of @blocker*"])


def test_severity_typo_is_named(pytester: pytest.Pytester) -> None:
    result = _run(pytester, FEATURE.replace("@critical", "@major"))
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*@major is not a severity*"])


CHINESE = '''# language: zh-CN
@purchase_flow
功能: 投保流程
  @critical
  场景: 百万医疗险的投保步数
    假如 a flow of 5 steps
    那么 it takes at most 5 steps
'''


def test_chinese_gherkin(pytester: pytest.Pytester) -> None:
    result = _run(pytester, CHINESE)
    result.assert_outcomes(passed=1)
    [record] = _records(pytester.path / "run" / "criteria.jsonl")
    assert record["feature"] == "投保流程"
    assert record["scenario"] == "百万医疗险的投保步数"
    assert record["status"] == "passed"


def test_on_request_scenarios_run_only_when_their_area_is_named(
        pytester: pytest.Pytester) -> None:
    feature = FEATURE.replace("@purchase_flow", "@purchase_flow @on_request")
    (pytester.path / "flow").mkdir()
    (pytester.path / "flow" / "gate.feature").write_text(feature, encoding="utf-8")
    pytester.makepyfile(test_gate=STEPS.replace('scenarios("gate.feature")', 'scenarios("flow")'))
    run_dir = pytester.path / "run"
    result = pytester.runpytest(*ARGS, f"--harness-run-dir={run_dir}")
    result.assert_outcomes(deselected=3)
    result = pytester.runpytest(*ARGS, f"--harness-run-dir={run_dir}", "--harness-areas=flow")
    result.assert_outcomes(passed=1, failed=2)


def test_areas_are_the_folders_of_the_features(pytester: pytest.Pytester) -> None:
    for area in ("flow", "notice"):
        (pytester.path / area).mkdir()
        (pytester.path / area / "gate.feature").write_text(
            FEATURE.replace("Feature: Purchase flow", f"Feature: {area}"), encoding="utf-8")
    pytester.makepyfile(test_gate=STEPS.replace('scenarios("gate.feature")', 'scenarios(".")'))
    run_dir = pytester.path / "run"
    result = pytester.runpytest(*ARGS, f"--harness-run-dir={run_dir}", "--harness-areas=notice")
    result.assert_outcomes(passed=1, failed=2, deselected=3)
    plan = _records(run_dir / "plan.jsonl")
    assert {p["feature"] for p in plan} == {"notice"}
