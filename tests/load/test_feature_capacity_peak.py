"""features/capacity_peak judged on a real (small) peak run: the step texts bind, the gates
run, and a plan smaller than the criterion's 100,000 is INCONCLUSIVE, never passed.

tests/data/load/peak-small/ was captured with
    harness load --profile peak --users 200 --ramp-s 4 --hold-s 14 \\
        --set HARNESS_LOAD_SPIKE_USERS=300 --set HARNESS_LOAD_SPIKE_S=6 \\
        --set HARNESS_LOAD_RECOVERY_S=14 --think-scale 0.05
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.load.conftest import DATA


def test_the_peak_feature_judges_a_real_peak_run(tmp_path: Path, demo_project: Path) -> None:
    shutil.copytree(DATA / "peak-small", tmp_path / "raw" / "load")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "features", "-q", "-p", "no:cacheprovider",
         "--harness-areas=capacity_peak", f"--harness-run-dir={tmp_path}"],
        cwd=demo_project, capture_output=True, text=True, timeout=120, check=False)
    records = [json.loads(line) for line in
               (tmp_path / "criteria.jsonl").read_text(encoding="utf-8").splitlines()]
    by_status: dict[str, list[str]] = {}
    for r in records:
        by_status.setdefault(r["status"], []).append(r["message"])
    assert len(records) == 10, done.stdout
    assert by_status.get("inconclusive") == [by_status["inconclusive"][0]]
    assert "held only 200 users" in by_status["inconclusive"][0]
    assert len(by_status.get("passed", [])) == 9, by_status
    assert any("back at or under 1,000 ms after the spike" in m for m in by_status["passed"])
    assert any("p95 of purchase waiting" in m for m in by_status["passed"])
