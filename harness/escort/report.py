"""The escort's outputs: escort.json (machine-readable, with a content hash), escort.md (a
timeline per criterion with every check's decision marked) and escort-junit.xml (one test case
per criterion per check, for CI). Written from the state alone, so a resumed watch rewrites them
whole."""

from __future__ import annotations

import datetime as dt
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.escort.decide import CheckDecision, CheckResult, Combined, cancelled_check, combine
from harness.escort.state import EscortState
from harness.model import Criterion
from harness.writers.json_verdict import HASH_FIELD, content_hash, write_document

JSON_FILE = "escort.json"
MARKDOWN_FILE = "escort.md"
JUNIT_FILE = "escort-junit.xml"
_MARK = {"passed": "✅", "failed": "❌", "inconclusive": "❔", "waived": "⚠️", "skipped": "⏭️"}
_DECISION_MARK = {CheckDecision.CONTINUE: "🟢", CheckDecision.ROLLBACK: "🔴",
                  CheckDecision.INCONCLUSIVE: "⚪"}


def clock(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def shown(state: EscortState) -> tuple[EscortState, Combined]:
    """The checks as reported, and their outcome: a watch cancelled by a signal shows the
    check it did not judge as INCONCLUSIVE, saying so."""
    cancelled = (state.finished or {}).get("cancelled")
    if cancelled:
        state = replace(state, checks=(*state.checks, cancelled_check(
            state.next_check, state.due(state.next_check), str(cancelled))))
    return state, combine(state.checks, state.planned)


def escort_document(state: EscortState, combined: Combined,
                    extra: Mapping[str, Any]) -> dict[str, Any]:
    """escort.json without its record block (harness.escort.record adds it and the hash)."""
    return {"kind": "escort", "decision": combined.outcome.value,
            "exit_code": int(combined.outcome.exit_code), "reasons": list(combined.reasons),
            "run_id": state.run_id, "started": clock(state.started),
            "window_s": state.window_s, "interval_s": state.interval_s,
            "planned_checks": state.planned, "checks_made": len(state.checks),
            "checks": [_check_summary(c) for c in state.checks],
            "hook": state.hook.to_record(), "finished": dict(state.finished or {}),
            "settings": dict(state.settings), **dict(extra)}


def _check_summary(result: CheckResult) -> dict[str, Any]:
    return {"check": result.check, "at": clock(result.at), "decision": result.decision.value,
            "reasons": [r.to_record() for r in result.reasons],
            "criteria": {c.id: {"status": c.status.value, "observed": _plain(c.outcome.observed),
                                "message": c.outcome.message} for c in result.criteria}}


def _plain(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def write_escort_json(document: dict[str, Any], run_dir: Path) -> dict[str, Any]:
    document[HASH_FIELD] = content_hash(document)
    write_document(document, run_dir / JSON_FILE)
    return document


def render_markdown(state: EscortState, combined: Combined, running: bool = False) -> str:
    title = (f"# Escort in progress: {len(state.checks)} of {state.planned} checks, last "
             f"{state.checks[-1].decision.value}" if running and state.checks
             else f"# Escort: {combined.outcome.value}")
    lines = [title, "",
             f"Run {state.run_id}: {len(state.checks)} of {state.planned} checks, one every "
             f"{state.interval_s:g} s over {state.window_s:g} s from {clock(state.started)}.", ""]
    if combined.reasons:
        lines += ["## Why", ""] + [f"- {r}" for r in combined.reasons] + [""]
    if state.hook.status != "idle":
        at = (state.hook.check or 0) + 1
        lines += ["## Rollback hook", "", f"- {state.hook.status} at check {at}: "
                  f"{dict(state.hook.result)}", ""]
    lines += ["## Decisions", "", "| check | time | decision | reasons |", "|---|---|---|---|"]
    for c in state.checks:
        why = "; ".join(f"{r.criterion.split(' :: ', 1)[-1]}: {r.message}"
                        for r in c.reasons) or "—"
        lines.append(f"| {c.check + 1} | {clock(c.at)} | {_DECISION_MARK[c.decision]} "
                     f"{c.decision.value} | {_cell(why)} |")
    lines += ["", "## Timeline per criterion", "",
              "Each mark is one check, oldest first (✅ passed, ❌ failed, ❔ inconclusive); "
              "the row under the header marks the check's decision.", ""]
    ids = list(dict.fromkeys(cr.id for c in state.checks for cr in c.criteria))
    lines.append("| criterion | " + "".join(_DECISION_MARK[c.decision] for c in state.checks)
                 + " | last observed |")
    lines.append("|---|---|---|")
    for cid in ids:
        marks, last = [], ""
        for c in state.checks:
            found = _criterion(c, cid)
            marks.append(_MARK.get(found.status.value, "·") if found else "·")
            if found is not None and found.outcome.observed is not None:
                last = f"{found.outcome.observed} {found.outcome.unit}".strip()
        lines.append(f"| {_cell(cid.split(' :: ', 1)[-1])} | {''.join(marks)} | "
                     f"{_cell(last)} |")
    return "\n".join(lines) + "\n"


def _criterion(result: CheckResult, cid: str) -> Criterion | None:
    return next((c for c in result.criteria if c.id == cid), None)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:400]


def write_junit(state: EscortState, path: Path) -> None:
    suite = ET.Element("testsuite", name="escort", tests="0", failures="0", skipped="0")
    tests = failures = skipped = 0
    for check in state.checks:
        for criterion in check.criteria:
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=f"escort.check{check.check:04d}",
                                 name=criterion.id)
            if criterion.status.value == "failed":
                failures += 1
                ET.SubElement(case, "failure", message=criterion.outcome.message)
            elif criterion.status.value != "passed":
                skipped += 1
                ET.SubElement(case, "skipped", message=criterion.outcome.message)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
