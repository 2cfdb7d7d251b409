"""Time from SIGTERM to the last child of a `harness run` gone (issue 11's target: under 10 s).

A short `harness run --skip gray` is signalled (SIGTERM, as CI cancels a job) during its load
phase (Locust master + workers in their own sessions, the demo shop and its workers) and
during its features phase (pytest and Chromium); the time until no process carrying the run's
environment tag is left is printed per case, with the process count at the signal.
Baseline measured in the same run: starting a bare `sleep` in its own process group and
stopping it with killpg(SIGTERM), until it is reaped (the floor any cleanup pays).

    flock /tmp/heavy.lock .venv/bin/python bench/bench_cancel.py [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.reliability.gate_process import PHASES, start_gate, wait_gone  # noqa: E402

TARGET_S = 10.0


def baseline_s() -> float:
    """Start `sleep` as its own process group, killpg(SIGTERM), reap: seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(["sleep", "300"], start_new_session=True)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)
    return time.perf_counter() - started


def cancel_once(case: str, reports: Path) -> tuple[float, int, int]:
    """(seconds from SIGTERM to the last child gone, processes at the signal, exit code)."""
    argv, ready = PHASES[case]
    gate = start_gate(argv, reports)
    try:
        gate.wait_for(ready, timeout_s=120)
        count = len(gate.leftovers())
        sent = time.monotonic()
        gate.proc.send_signal(signal.SIGTERM)
        took, left = wait_gone(gate.tag, gate.proc.pid, sent, timeout_s=60)
        if left:
            raise SystemExit(f"{case}: {len(left)} process(es) left after 60 s")
        return took, count, gate.proc.wait(60)
    finally:
        gate.kill_everything()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    base = [baseline_s() for _ in range(5)]
    print(f"baseline: start + killpg(SIGTERM) + reap of a bare sleep: "
          f"{statistics.median(base) * 1000:.1f} ms (median of 5)")
    with tempfile.TemporaryDirectory(prefix="bench-cancel-") as tmp:
        for case in PHASES:
            for run in range(args.runs):
                took, count, code = cancel_once(case, Path(tmp) / f"{case}-{run}")
                verdict = "ok" if took < TARGET_S and code == 3 else "OVER TARGET"
                print(f"{case:<20} SIGTERM -> last of {count} child process(es) gone in "
                      f"{took:.2f} s ({took / statistics.median(base):,.0f}x baseline); "
                      f"harness exit {code}; {verdict}")


if __name__ == "__main__":
    main()
