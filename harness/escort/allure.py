"""The escort in Allure: allure-results for a watch's run directory, rewritten whole from the
state (and each check's pytest-bdd results), so `harness report` works mid-watch, after it and
after a resume.

What a release manager finds in the report (one Allure test result each):
- "Escort: <outcome>" (suite "Escort"): the outcome and why, escort.md attached, one step per
  check with its decision; the entry to open first (history id fixed: it trends across escorts).
- "Check N of M: <decision>" (suite "Escort decisions"): one per check, spanning the interval it
  judged (Allure's Timeline tab lays the checks out in time), one step per criterion.
- "<criterion>" (suite "Timeline per criterion"): one per criterion, one step per check marked
  with that check's decision, status the criterion's at its last check.
- every check's pytest-bdd results (the escort features with their Gherkin steps): the same
  scenario at every check shares one Allure history id, so Allure shows the last check's and
  keeps the earlier ones as its retries, each with an "escort check" parameter.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.escort.decide import CheckDecision, CheckResult, Combined, EscortOutcome
from harness.escort.report import clock, render_markdown
from harness.escort.state import EscortState
from harness.model import Criterion
from harness.writers.allure import ALLURE_STATUS, write_run_files
from harness.writers.sentence import describe, format_value

RESULTS_DIR = "allure-results"
CHECKS_DIR = "checks"  # the watch's per-check folders (harness.cli.watch_parts writes them)
ESCORT_HISTORY_ID = "launch-escort"
QUALITY_GATE_RULE = "launch-harness escort"
DECISION_STATUS = {CheckDecision.CONTINUE: "passed", CheckDecision.ROLLBACK: "failed",
                   CheckDecision.INCONCLUSIVE: "broken"}
OUTCOME_STATUS = {EscortOutcome.PASSED: "passed", EscortOutcome.FAILED: "failed",
                  EscortOutcome.INCONCLUSIVE: "broken"}
# marks a browser without an emoji font still draws (DejaVu, Noto Sans have them)
_STATUS_MARK = {"passed": "✓", "failed": "✗", "inconclusive": "?"}


def write_escort_results(run_dir: Path, state: EscortState, combined: Combined,
                         environment: Mapping[str, str] | None = None) -> Path:
    """run_dir/allure-results for the checks in `state`; returns the folder."""
    results = run_dir / RESULTS_DIR
    if results.exists():
        shutil.rmtree(results)
    results.mkdir(parents=True)
    for check in state.checks:
        _copy_check_results(run_dir / CHECKS_DIR / f"{check.check:04d}" / RESULTS_DIR,
                            results, check, state.planned)
    outputs = [_outcome_result(state, combined, results)]
    outputs += [_check_result(c, state) for c in state.checks]
    outputs += [_criterion_result(cid, state) for cid in _criterion_ids(state)]
    for result in outputs:
        _write(results / f"{result['uuid']}-result.json", result)
    props = {"escort": state.run_id, "window": f"{state.window_s:g} s",
             "interval": f"{state.interval_s:g} s",
             "target": str(state.settings.get("target", "")), **dict(environment or {})}
    write_run_files(results, props, state.run_id, f"Escort: {combined.outcome.value}")
    return results


def quality_gate(combined: Combined) -> dict[str, Any]:
    """The escort's outcome for Allure's Quality Gates tab."""
    reasons = list(combined.reasons)
    message = (f"{combined.outcome.value}: " + ("; ".join(reasons[:5]) if reasons
               else "every check CONTINUE to the end of the window"))
    return {"rule": QUALITY_GATE_RULE, "success": combined.outcome is EscortOutcome.PASSED,
            "actual": combined.outcome.value, "expected": EscortOutcome.PASSED.value,
            "message": message, "environment": "default", "testResults": []}


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _labels(suite: str, severity: str = "blocker") -> list[dict[str, str]]:
    return [{"name": "parentSuite", "value": "Escort"}, {"name": "suite", "value": suite},
            {"name": "feature", "value": "The 72-hour escort"},
            {"name": "severity", "value": severity}]


def _outcome_result(state: EscortState, combined: Combined, results: Path) -> dict[str, Any]:
    markdown = render_markdown(state, combined, running=state.finished is None)
    attachment = "escort-attachment.md"  # a fixed name: rewritten, never added to
    (results / attachment).write_text(markdown, encoding="utf-8")
    steps = [_step(f"check {c.check + 1} at {clock(c.at)}: {c.decision.value}",
                   DECISION_STATUS[c.decision], c.summary(), c, state) for c in state.checks]
    start = state.started
    stop = state.checks[-1].at if state.checks else start
    reasons = "; ".join(combined.reasons) or "every check CONTINUE to the end of the window"
    name = (f"Escort in progress: {len(state.checks)} of {state.planned} checks"
            if state.finished is None else f"Escort: {combined.outcome.value}")
    status = "broken" if state.finished is None and combined.outcome is not \
        EscortOutcome.FAILED else OUTCOME_STATUS[combined.outcome]
    return {"uuid": str(uuid.uuid4()), "historyId": ESCORT_HISTORY_ID,
            "testCaseId": ESCORT_HISTORY_ID, "name": name,
            "fullName": "launch-harness.escort", "status": status, "stage": "finished",
            "statusDetails": {"message": f"{combined.outcome.value}: {reasons}"},
            "description": markdown, "steps": steps, "start": _ms(start), "stop": _ms(stop),
            "attachments": [{"name": "escort.md", "source": attachment,
                             "type": "text/markdown"}],
            "labels": _labels("Outcome")}


def _check_result(check: CheckResult, state: EscortState) -> dict[str, Any]:
    number = check.check + 1
    steps = [_step(f"[{c.status.value}] {c.scenario}", ALLURE_STATUS[c.status], describe(c),
                   check, state) for c in check.criteria]
    return {"uuid": str(uuid.uuid4()), "historyId": f"escort-check-{number:04d}",
            "testCaseId": f"escort-check-{number:04d}",
            "name": f"Check {number:04d} of {state.planned}: {check.decision.value}",
            "fullName": f"launch-harness.escort.check{number:04d}",
            "status": DECISION_STATUS[check.decision], "stage": "finished",
            "statusDetails": {"message": check.summary()},
            "description": f"The interval {clock(check.at - state.interval_s)} to "
                           f"{clock(check.at)}, judged: **{check.decision.value}**.",
            "steps": steps, "start": _ms(check.at - state.interval_s), "stop": _ms(check.at),
            "parameters": [{"name": "judged at", "value": clock(check.at)}],
            "labels": [*_labels("Escort decisions"),
                       {"name": "thread", "value": "escort checks"}]}


def _criterion_ids(state: EscortState) -> list[str]:
    return list(dict.fromkeys(c.id for check in state.checks for c in check.criteria))


def _criterion_result(cid: str, state: EscortState) -> dict[str, Any]:
    seen = [(check, c) for check in state.checks for c in check.criteria if c.id == cid]
    last_check, last = seen[-1]
    steps = [_step(f"check {check.check + 1} at {clock(check.at)}: "
                   f"{check.decision.value} · {c.status.value}{_observed(c)}",
                   ALLURE_STATUS[c.status], describe(c), check, state) for check, c in seen]
    marks = "".join(_STATUS_MARK.get(c.status.value, "·") for _, c in seen)
    return {"uuid": str(uuid.uuid4()), "historyId": f"escort-timeline:{cid}",
            "testCaseId": f"escort-timeline:{cid}", "name": last.scenario,
            "fullName": f"launch-harness.escort.timeline:{cid}",
            "status": ALLURE_STATUS[last.status], "stage": "finished",
            "statusDetails": {"message": f"at check {last_check.check + 1} "
                                         f"({last_check.decision.value}): {describe(last)}"},
            "description": f"{last.feature}\n\nOne step per check, oldest first (✓ passed, "
                           f"✗ failed, ? inconclusive): {marks}",
            "steps": steps, "start": _ms(seen[0][0].at - state.interval_s),
            "stop": _ms(last_check.at),
            "labels": _labels("Timeline per criterion", last.severity.value)}


def _observed(criterion: Criterion) -> str:
    o = criterion.outcome
    return "" if o.observed is None else f" · {format_value(o.observed, o.unit)}"


def _step(name: str, status: str, message: str, check: CheckResult,
          state: EscortState) -> dict[str, Any]:
    return {"name": name, "status": status, "stage": "finished",
            "statusDetails": {"message": message},
            "start": _ms(check.at - state.interval_s), "stop": _ms(check.at)}


def _copy_check_results(source: Path, results: Path, check: CheckResult, planned: int) -> None:
    """The check's pytest-bdd results, each with an "escort check" parameter (excluded from
    Allure's history id, so the checks of one scenario are its retries)."""
    if not source.is_dir():
        return
    label = f"{check.check + 1} of {planned} ({check.decision.value})"
    for path in source.iterdir():
        if not path.is_file():
            continue
        if not path.name.endswith("-result.json"):
            shutil.copyfile(path, results / path.name)
            continue
        try:
            result = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a check killed mid-write: its criteria are in the state all the same
        if not isinstance(result, dict):
            continue
        params = [p for p in result.get("parameters") or () if isinstance(p, dict)]
        result["parameters"] = [*params, {"name": "escort check", "value": label,
                                          "excluded": True}]
        _write(results / path.name, result)


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
