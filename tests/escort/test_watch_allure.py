"""The escort in Allure: the results written from a watch's state (the outcome, one result per
check spanning its interval, a timeline per criterion with each check's decision marked, every
check's pytest-bdd results as retries of one another), then the real Allure 3 report of them,
opened in Chromium from a file: the timeline and the Quality Gates tab show the ROLLBACK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.escort.allure import write_escort_results
from harness.escort.decide import CheckDecision, CheckResult, Reason, combine
from harness.escort.report import shown
from harness.escort.state import EscortState, save_state
from harness.model import Criterion, Outcome, Status
from tests.escort.fakes import T0
from tests.report_page import report_page

ALLURE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "allure"
AVAILABLE = "escort :: Purchases are available"
POLICIES = "escort :: Every payment has a policy"


def _criterion(cid: str, status: Status, observed: float) -> Criterion:
    return Criterion(cid, "escort", cid.split(" :: ")[1], ("blocker",),
                     Outcome(status, f"{status.value}: observed {observed}", observed=observed,
                             unit="%"))


def _state(decisions: tuple[CheckDecision, ...]) -> EscortState:
    checks = []
    for i, decision in enumerate(decisions):
        failed = decision is CheckDecision.ROLLBACK
        available = _criterion(AVAILABLE, Status.FAILED if failed else Status.PASSED,
                               98.5 if failed else 100.0)
        reasons = (Reason(AVAILABLE, "failed", "98.5 % below 99.9 %"),) if failed else ()
        checks.append(CheckResult(i, T0 + (i + 1) * 60, decision, reasons,
                                  (available, _criterion(POLICIES, Status.PASSED, 0.0))))
    return EscortState("20261201-120000-escort", T0, 600.0, 60.0,
                       {"target": "http://127.0.0.1:9"}, tuple(checks))


def _pytest_result(run: Path, check: int, status: str) -> None:
    """What allure-pytest-bdd writes for the scenario at one check (one history id)."""
    folder = run / "checks" / f"{check:04d}" / "allure-results"
    folder.mkdir(parents=True)
    result = {"uuid": f"u{check}", "historyId": "h-available", "testCaseId": "tc-available",
              "fullName": "escort/live_service.feature:Purchases are available",
              "name": "Purchases are available",
              "status": status, "start": int((T0 + 60 * check + 61) * 1000),
              "stop": int((T0 + 60 * check + 62) * 1000),
              "labels": [{"name": "suite", "value": "The 72-hour escort"}]}
    (folder / f"u{check}-result.json").write_text(json.dumps(result), encoding="utf-8")
    (folder / f"a{check}-attachment.json").write_text("{}", encoding="utf-8")


def _results(folder: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in folder.glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        out[f"{data['name']}#{data['uuid']}" if data["uuid"].startswith("u") else
            data["name"]] = data
    return out


def _run(tmp_path: Path) -> tuple[Path, EscortState]:
    state = _state((CheckDecision.CONTINUE, CheckDecision.CONTINUE, CheckDecision.ROLLBACK))
    for i, status in enumerate(("passed", "passed", "failed")):
        _pytest_result(tmp_path, i, status)
    return tmp_path, state


def test_results_show_the_outcome_each_check_and_a_timeline_per_criterion(
        tmp_path: Path) -> None:
    run, state = _run(tmp_path)
    folder = write_escort_results(run, state, combine(state.checks, state.planned))
    results = _results(folder)

    outcome = results["Escort in progress: 3 of 10 checks"]  # the watch has not finished
    assert outcome["status"] == "failed"  # a ROLLBACK is final even mid-watch
    assert [s["name"].rsplit(": ", 1)[1] for s in outcome["steps"]] == \
        ["CONTINUE", "CONTINUE", "ROLLBACK"]
    assert (folder / outcome["attachments"][0]["source"]).read_text(
        encoding="utf-8").startswith("# Escort in progress")

    rollback = results["Check 0003 of 10: ROLLBACK"]
    assert rollback["status"] == "failed"
    assert (rollback["start"], rollback["stop"]) == (int((T0 + 120) * 1000),
                                                     int((T0 + 180) * 1000))
    assert [(s["name"], s["status"]) for s in rollback["steps"]] == [
        ("[failed] Purchases are available", "failed"),
        ("[passed] Every payment has a policy", "passed")]
    assert results["Check 0001 of 10: CONTINUE"]["status"] == "passed"

    timeline = results["Purchases are available"]
    assert timeline["status"] == "failed" and "✓✓✗" in timeline["description"]
    assert [s["name"].split(": ", 1)[1] for s in timeline["steps"]] == [
        "CONTINUE · passed · 100%", "CONTINUE · passed · 100%", "ROLLBACK · failed · 98.5%"]
    assert results["Every payment has a policy"]["status"] == "passed"

    copied = [v for k, v in results.items() if k.startswith("Purchases are available#")]
    assert sorted(p["parameters"][-1]["value"] for p in copied) == [
        "1 of 10 (CONTINUE)", "2 of 10 (CONTINUE)", "3 of 10 (ROLLBACK)"]
    assert all(p["historyId"] == "h-available" and p["parameters"][-1]["excluded"]
               for p in copied)  # one Allure test, the earlier checks its retries
    assert (folder / "a2-attachment.json").is_file()
    assert "escort=20261201-120000-escort" in (folder / "environment.properties").read_text(
        encoding="utf-8")


def test_results_are_rewritten_whole_and_a_torn_result_is_left_out(tmp_path: Path) -> None:
    run, state = _run(tmp_path)
    write_escort_results(run, state, combine(state.checks, state.planned))
    (run / "checks" / "0001" / "allure-results" / "u1-result.json").write_text('{"uu',
                                                                             encoding="utf-8")
    two = replace(state, checks=state.checks[:2])
    folder = write_escort_results(run, two, combine(two.checks, two.planned))
    names = set(_results(folder))
    assert "Check 0003 of 10: ROLLBACK" not in names and "Check 0002 of 10: CONTINUE" in names
    assert sum(n.startswith("Purchases are available#") for n in names) == 1  # u1 torn, u2 out
    assert _results(folder)["Escort in progress: 2 of 10 checks"]["status"] == "broken"


def test_a_cancelled_watch_shows_the_check_it_did_not_judge(tmp_path: Path) -> None:
    state = replace(_state((CheckDecision.CONTINUE,)),
                    finished={"outcome": "ESCORT INCONCLUSIVE", "cancelled": "SIGTERM"})
    reported, combined = shown(state)
    assert combined.outcome.value == "ESCORT INCONCLUSIVE"
    assert any("cancelled by SIGTERM" in r for r in combined.reasons)
    folder = write_escort_results(tmp_path, reported, combined)
    results = _results(folder)
    assert results["Escort: ESCORT INCONCLUSIVE"]["status"] == "broken"
    assert results["Check 0002 of 10: INCONCLUSIVE"]["steps"] == []
    assert "SIGTERM" in results["Check 0002 of 10: INCONCLUSIVE"]["statusDetails"]["message"]


@pytest.mark.slow
@pytest.mark.browser
def test_real_allure_report_of_a_watch_renders_the_timeline_and_quality_gate(
        tmp_path: Path) -> None:
    from harness.record.history import ESCORT_ALLURE_HISTORY_FILE

    assert ALLURE.exists(), f"Allure 3 is not installed at {ALLURE}: run `npm ci`"
    run, state = _run(tmp_path / "watch")
    save_state(run, replace(state, finished={"outcome": "ESCORT FAILED"}))
    history = tmp_path / "history"
    done = subprocess.run([sys.executable, "-m", "harness", "report", str(run), "--history",
                           str(history)], capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ, "HARNESS_ALLURE": str(ALLURE)})
    report = run / "allure-report"
    assert done.returncode == 0 and str(report / "index.html") in done.stdout, done.stderr
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    # the outcome, 3 checks, 2 criteria timelines, 1 scenario (its earlier checks its retries:
    # Allure counts the tests that have retries)
    assert summary["stats"]["total"] == 7 and summary["stats"]["retries"] == 1, summary
    assert summary["status"] == "failed" and not (report / "data").exists()
    lines = (history / ESCORT_ALLURE_HISTORY_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["name"] for line in lines] == [f"Launch escort {state.run_id}"]

    index = report / "index.html"
    with report_page(index) as (page, remote):
        body = page.locator("body")
        body.get_by_text("Escort: ESCORT FAILED").first.wait_for(timeout=90_000)
        assert "Check 0003 of 10: ROLLBACK" in body.inner_text()
        body.get_by_text("Timeline per criterion").first.wait_for(timeout=30_000)
        page.get_by_text("Purchases are available").first.click()
        body.get_by_text("ROLLBACK · failed · 98.5%").first.wait_for(timeout=30_000)
        timeline = body.inner_text()
        assert "CONTINUE · passed · 100%" in timeline, timeline  # (the description: an iframe)

        page.goto(index.as_uri(), timeout=90_000)
        page.get_by_text("Quality Gates").first.click()
        body.get_by_text("launch-harness escort").first.wait_for(timeout=30_000)
        gate = body.inner_text()
        assert "ESCORT FAILED" in gate and "98.5 % below 99.9 %" in gate
    assert remote == []
