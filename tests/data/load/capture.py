"""Re-capture the real Locust evidence in this folder (not run by the tests).

    .venv/bin/python tests/data/load/capture.py URL [NAME ...]   # URL: a demo shop (loopback)
    .venv/bin/python tests/data/load/capture.py URL-OF-LOST-POLICIES-VARIANT lost-policies

good/            20 users, 16 s steady, 2 workers: a valid run
missing-worker/  the same, one worker killed with SIGKILL 9 s into the run (captured with the
                 earlier 10 s steady phase, as were lost-policies and emfile)
lost-policies/   good's settings against the demo shop variant lost-policies (second URL):
                 purchases.jsonl and reconciliation.json with real integrity defects
emfile/          40 users with the hard open-file limit lowered to 30 (`prlimit --nofile`), so
                 the workers run out of file descriptors (EMFILE) for real
store-killed/    not made by this script: the raw/load of `harness run --skip gray --skip browser
                 --areas capacity --load-workers 1` with every demo-shop process SIGKILLed 10 s
                 into the load (tests/reliability/test_faults.py does the same live)
Only the files the tests read are kept, so the folder stays small.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).parent
KEEP = ("stats.csv", "failures.csv", "generator.jsonl", "phases.json", "purchases.jsonl")
KEEP_GOOD = (*KEEP, "stats_history.csv", "stats.json", "phase_stats.jsonl")
OVERRIDES = {"HARNESS_LOAD_USERS": "20", "HARNESS_LOAD_RAMP_S": "4", "HARNESS_LOAD_HOLD_S": "16"}


def run(name: str, target: str, kill_worker_after_s: float | None = None,
        nofile: int | None = None, users: int = 20) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        code = ("import sys; from pathlib import Path; "
                "from loadtests.launcher import LoadRequest, run_load; "
                f"run_load(LoadRequest('smoke', {target!r}, Path({tmp!r}), workers=2, "
                f"overrides={dict(OVERRIDES, HARNESS_LOAD_USERS=str(users))!r}))")
        cmd = [sys.executable, "-c", code]
        if nofile is not None:
            cmd = ["prlimit", f"--nofile={nofile}:{nofile}", *cmd]
        proc = subprocess.Popen(cmd)
        if kill_worker_after_s is not None:
            threading.Thread(target=_kill_one_worker, args=(proc.pid, kill_worker_after_s),
                             daemon=True).start()
        proc.wait(timeout=120)
        out = HERE / name
        out.mkdir(exist_ok=True)
        load = Path(tmp) / "raw" / "load"
        for f in KEEP_GOOD if name == "good" else KEEP:
            if (load / f).is_file():
                shutil.copy(load / f, out / f)
        recon = Path(tmp) / "raw" / "store" / "reconciliation.json"
        if recon.is_file():
            shutil.copy(recon, out / "reconciliation.json")


def _kill_one_worker(launcher_pid: int, after_s: float) -> None:
    time.sleep(after_s)
    for child in psutil.Process(launcher_pid).children(recursive=True):
        if "--worker" in child.cmdline():
            child.send_signal(signal.SIGKILL)
            return


if __name__ == "__main__":
    url = sys.argv[1]
    only = sys.argv[2:] or ["good", "missing-worker", "emfile"]
    if "good" in only:
        run("good", url)
    if "missing-worker" in only:
        run("missing-worker", url, kill_worker_after_s=9.0)
    if "lost-policies" in only:
        run("lost-policies", url)
    if "emfile" in only:
        run("emfile", url, nofile=30, users=40)
