"""Benchmark: the escort's Allure report at the end of a 72-hour watch.

    .venv/bin/python bench/bench_escort_report.py [--checks 288] [--criteria 13] [--rounds 3]

Builds a watch's run directory of `--checks` checks (288 = 72 h every 15 min), each with
`--criteria` criteria in the state and one pytest-bdd result per criterion under
checks/NNNN/allure-results (shaped like allure-pytest-bdd's), the last check a ROLLBACK. Times
`harness report` on it (the escort's own results written from the state, then Allure 3 over
them, one self-contained index.html) against the baseline measured in the same run: Allure 3
alone over the same per-check pytest-bdd results copied into one folder. Alternating rounds,
medians; also the report's size.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from harness.cli.report import build_escort_report
from harness.escort.decide import CheckDecision, CheckResult, Reason
from harness.escort.state import EscortState, save_state
from harness.model import Criterion, Outcome, Status
from harness.writers.allure import find_allure, generate_report

T0 = 1_796_000_000.0
INTERVAL_S = 900.0


def build_watch(run: Path, checks: int, criteria: int) -> None:
    results = []
    for i in range(checks):
        last = i == checks - 1
        crits = tuple(Criterion(f"escort :: criterion {k}", "escort", f"criterion {k}",
                                ("blocker",), Outcome(Status.FAILED if last and k == 0
                                                      else Status.PASSED, "measured",
                                                      observed=99.95, unit="%"))
                      for k in range(criteria))
        decision = CheckDecision.ROLLBACK if last else CheckDecision.CONTINUE
        reasons = (Reason(crits[0].id, "failed", "measured"),) if last else ()
        results.append(CheckResult(i, T0 + (i + 1) * INTERVAL_S, decision, reasons, crits))
        folder = run / "checks" / f"{i:04d}" / "allure-results"
        folder.mkdir(parents=True)
        for k, c in enumerate(crits):
            rid = str(uuid.uuid4())
            at = int((T0 + (i + 1) * INTERVAL_S) * 1000)
            attachment = f"{uuid.uuid4()}-attachment.json"
            (folder / attachment).write_text('{"value": 99.95}', encoding="utf-8")
            (folder / f"{rid}-result.json").write_text(json.dumps({
                "name": c.scenario, "status": c.status.value, "uuid": rid,
                "historyId": f"h{k}.d41d8cd98f00b204e9800998ecf8427e", "testCaseId": f"h{k}",
                "fullName": f"escort/live_service.feature:{c.scenario}",
                "start": at, "stop": at + 5,
                "steps": [{"name": "Given the live metrics of this escort check",
                           "status": "passed", "start": at, "stop": at + 1},
                          {"name": f"Then {c.scenario} holds", "status": c.status.value,
                           "start": at + 1, "stop": at + 5,
                           "attachments": [{"name": "evidence", "source": attachment,
                                            "type": "application/json"}]}],
                "labels": [{"name": "suite", "value": "The 72-hour escort"},
                           {"name": "severity", "value": "blocker"}]}), encoding="utf-8")
    save_state(run, EscortState("bench-escort", T0, checks * INTERVAL_S, INTERVAL_S, {},
                                tuple(results), finished={"outcome": "ESCORT FAILED"}))


def baseline(run: Path, allure: str) -> float:
    """Allure alone over the per-check pytest-bdd results, copied into one folder."""
    merged = run / "baseline-results"
    shutil.rmtree(merged, ignore_errors=True)
    merged.mkdir()
    start = time.perf_counter()
    for path in run.glob("checks/*/allure-results/*"):
        shutil.copyfile(path, merged / path.name)
    generate_report(merged, run / "baseline-report", "baseline", allure=allure)
    return time.perf_counter() - start


def ours(run: Path, allure: str) -> float:
    start = time.perf_counter()
    build_escort_report(run, allure)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=288)
    parser.add_argument("--criteria", type=int, default=13)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    allure = find_allure(Path.cwd())
    if allure is None:
        raise SystemExit("Allure 3 not found: run `npm ci` in the checkout")
    with tempfile.TemporaryDirectory(prefix="bench-escort-report-") as scratch:
        run = Path(scratch) / "watch"
        start = time.perf_counter()
        build_watch(run, args.checks, args.criteria)
        print(f"watch of {args.checks} checks x {args.criteria} criteria built in "
              f"{time.perf_counter() - start:.1f} s")
        base_t, our_t = [], []
        for _ in range(args.rounds):
            base_t.append(baseline(run, allure))
            our_t.append(ours(run, allure))
        b, o = statistics.median(base_t), statistics.median(our_t)
        size = (run / "allure-report" / "index.html").stat().st_size
        base_size = (run / "baseline-report" / "index.html").stat().st_size
        print(f"baseline (Allure over the checks' pytest-bdd results): median {b:.2f} s "
              f"{[round(t, 2) for t in base_t]}, index.html {base_size / 1e6:.1f} MB")
        print(f"harness report (escort results + Allure): median {o:.2f} s "
              f"{[round(t, 2) for t in our_t]}, index.html {size / 1e6:.1f} MB")
        print(f"ratio {o / b:.2f} (time), {size / base_size:.2f} (size)")


if __name__ == "__main__":
    main()
