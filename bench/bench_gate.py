"""Wall time of the whole smoke gate (`harness run` on the demo shop), split by phase.

Baseline measured in the same run: a fixed pure-Python workload timed just before and just
after the gate (the machine is shared; the ratio gate/baseline drifts less than seconds do).
Prints each phase's seconds and share, the total against the 3-minute target, and the ratio.

    .venv/bin/python bench/bench_gate.py [--variant good] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 180.0


def calibrate() -> float:
    """Seconds for a fixed CPU-bound loop (about 1 s on an idle core of this machine)."""
    started = time.perf_counter()
    total = 0
    for i in range(12_000_000):
        total += i % 7
    assert total > 0
    return time.perf_counter() - started


def run_gate(variant: str, reports: Path) -> tuple[float, dict[str, float], int]:
    """`harness run` in a demo project made by `harness init --example demo` (not timed)."""
    project = reports.parent / "project"
    subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo", str(project)],
                   cwd=ROOT, capture_output=True, check=True, timeout=120)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "harness", "run", "--variant", variant,
                           "--reports", str(reports)], cwd=project, capture_output=True,
                          text=True, check=False, timeout=900)
    wall = time.perf_counter() - started
    info = json.loads(((reports / "latest").resolve() / "run.json").read_text())
    return wall, info["phases_s"], done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variant", default="good")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    for index in range(args.runs):
        before = calibrate()
        with tempfile.TemporaryDirectory(prefix="bench-gate-") as tmp:
            wall, phases, code = run_gate(args.variant, Path(tmp) / "reports")
        baseline = (before + calibrate()) / 2
        print(f"run {index + 1}: harness run --variant {args.variant} -> exit {code}, "
              f"load average {os.getloadavg()[0]:.1f}")
        for name, seconds in phases.items():
            print(f"  {name:22} {seconds:7.1f} s  {seconds / wall:6.1%}")
        other = wall - sum(phases.values())
        print(f"  {'start-up, shop, other':22} {other:7.1f} s  {other / wall:6.1%}")
        print(f"  {'total':22} {wall:7.1f} s  ({wall / TARGET_S:.2f} of the 3-minute target)")
        print(f"  baseline (CPU loop)    {baseline:7.2f} s  gate/baseline = {wall / baseline:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
