"""Run directories built from files (no whole gate): the evidence, plan and criteria a run of
the demo shop leaves, GO (`good`) or NO-GO (`notice-covered`: the medical notice covered on a
phone, and the load slower), judged by the harness's own judge."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.cli.verdict import judge
from harness.policy import Policy
from harness.rundir import RunDir

NOTICE = "Cooling-off notice (犹豫期提示) on the first screen of the application page"
LOAD = "The store carries the load of its launch profile"
FLOW = "Purchase flow length"


def _criterion(feature: str, scenario: str, area: str, severity: str, status: str,
               observed: Any, threshold: Any, comparator: str | None, unit: str,
               evidence: list[str], message: str, req: str) -> dict[str, Any]:
    return {"id": f"{feature} :: {scenario}", "feature": feature, "scenario": scenario,
            "tags": [req, area, severity], "severity": severity, "required": True,
            "status": status, "observed": observed, "threshold": threshold,
            "comparator": comparator, "unit": unit, "n": None, "ci": None,
            "evidence": evidence, "message": message, "details": {}}


def criteria_of(variant: str) -> list[dict[str, Any]]:
    covered = variant == "notice-covered"
    p95 = 120.0 if covered else 14.0
    return [
        _criterion(LOAD, "The load test itself is valid", "capacity", "blocker", "passed",
                   0, 0, "<=", "problems", ["raw/load/stats.csv"], "0 problems", "REQ-CAPACITY"),
        _criterion(LOAD, 'The 95th percentile of "1 start" stays under 500 ms', "capacity",
                   "critical", "passed", p95, 500, "<=", "ms", ["raw/load/stats.csv"],
                   f"p95 of 1 start is {p95:g} ms", "REQ-CAPACITY"),
        _criterion(LOAD, "Few requests fail under load", "capacity", "critical", "passed",
                   0.002 if covered else 0.0, 0.01, "<=", "ratio", ["raw/load/stats.csv"],
                   "error ratio", "REQ-CAPACITY"),
        _criterion(NOTICE, "The cooling-off notice of medical is fully visible at phone",
                   "disclosures", "blocker", "failed" if covered else "passed",
                   "covered by a banner" if covered else "fully visible", "fully visible",
                   None, "", ["raw/browser/medical/phone/journey.json"],
                   "the notice is covered by a cookie banner" if covered else "fully visible",
                   "REQ-COOLING-OFF"),
        _criterion(NOTICE, "The cooling-off notice of medical states at least 15 days",
                   "disclosures", "critical", "passed", 15, 15, ">=", "days",
                   ["raw/browser/medical/phone/journey.json"], "15 days", "REQ-COOLING-OFF"),
        _criterion(FLOW, "Buying medical takes at most 5 steps", "purchase_flow", "critical",
                   "passed", 5, 5, "<=", "steps", ["raw/browser/medical/phone/journey.json"],
                   "5 steps", "REQ-FLOW-LENGTH"),
    ]


def make_run(reports: Path, run_id: str, variant: str, version: str,
             extra_info: dict[str, Any] | None = None) -> RunDir:
    """A judged run directory `reports/run_id` of the given demo-shop variant."""
    run = reports / run_id
    (run / "raw" / "load").mkdir(parents=True)
    (run / "raw" / "browser" / "medical" / "phone").mkdir(parents=True)
    p95 = 120 if variant == "notice-covered" else 14
    (run / "raw" / "load" / "stats.csv").write_text(
        f"Type,Name,Request Count,Failure Count,95%\nPOST,1 start,1000,0,{p95}\n", "utf-8")
    (run / "raw" / "browser" / "medical" / "phone" / "journey.json").write_text(
        json.dumps({"variant": variant, "steps": 5}), "utf-8")
    (run / "raw" / "browser" / "medical" / "phone" / "notice.png").write_bytes(
        bytes(range(256)) * 4)
    records = criteria_of(variant)
    (run / "criteria.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    (run / "plan.jsonl").write_text("".join(json.dumps(
        {k: r[k] for k in ("id", "feature", "scenario", "tags")}, ensure_ascii=False) + "\n"
        for r in records), "utf-8")
    (run / "config.json").write_text(json.dumps({"target": {"url": ""}}), "utf-8")
    info = {"run_id": run_id, "started": f"2026-12-0{1 if variant == 'good' else 2}T05:00:00",
            "finished": f"2026-12-0{1 if variant == 'good' else 2}T05:10:00",
            "variant": variant, "target": "http://127.0.0.1:9000", "target_version": version,
            "areas": "all", **(extra_info or {})}
    run_dir = RunDir(run)
    run_dir.write_run_info(info)
    judge(run_dir, Policy(), [])
    return run_dir
