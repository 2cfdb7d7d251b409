"""harness.cancel on its own: handlers whatever was inherited, a cancellation is INCONCLUSIVE
in the verdict, a second signal exits at once, and the demo shop's workers never outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.cancel import SOURCE_NAME, RunGuard, is_cancellation
from harness.model import Criterion, Decision, Outcome, Source, Status
from harness.policy import Policy
from harness.verdict import CANCELLED_ID, decide

ROOT = Path(__file__).resolve().parents[2]


def _passed(cid: str) -> Criterion:
    return Criterion(id=cid, feature="f", scenario=cid, tags=("blocker",),
                     outcome=Outcome(Status.PASSED, "fine"))


def test_a_cancelled_run_is_inconclusive_even_when_every_criterion_passed(
        tmp_path: Path) -> None:
    guard = RunGuard(tmp_path, signum=signal.SIGTERM, stopped=5, stop_s=2.5)
    sources = guard.sources({"phases_s": {"load": 12.0}})
    assert [is_cancellation(s) for s in sources] == [True]
    verdict = decide([_passed("a"), _passed("b")], Policy(), sources=sources)
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.reasons == (CANCELLED_ID,)
    cancelled = next(c for c in verdict.criteria if c.id == CANCELLED_ID)
    assert "cancelled by SIGTERM during the load phase" in cancelled.outcome.message
    assert "5 process(es)" in cancelled.outcome.message


def test_a_cancelled_run_with_a_failure_is_still_inconclusive_listing_the_failure() -> None:
    failed = Criterion(id="x", feature="f", scenario="x", tags=("critical",),
                       outcome=Outcome(Status.FAILED, "too slow"))
    source = Source(SOURCE_NAME, 130, "SIGINT", "the run was cancelled by SIGINT")
    verdict = decide([failed, _passed("a")], Policy(), sources=[source])
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.reasons == (CANCELLED_ID, "x")


def test_an_uncancelled_guard_adds_nothing(tmp_path: Path) -> None:
    assert RunGuard(tmp_path).sources({"phases_s": {}}) == []
    assert decide([_passed("a")], Policy(), sources=[Source("load", 0)]).decision is Decision.GO


_SCRIPT = """
import subprocess, sys, time
from harness import cancel
with cancel.signals():
    child = subprocess.Popen(["sleep", "300"], start_new_session=True)
    with cancel.deferred():   # the first signal is held here; the second must not wait
        print(child.pid, flush=True)
        time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=lambda s: s.name)
def test_a_second_signal_exits_at_once_and_kills_what_was_started(sig: signal.Signals) -> None:
    proc = subprocess.Popen([sys.executable, "-c", _SCRIPT], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert proc.stdout is not None
        sleeper = psutil.Process(int(proc.stdout.readline()))
        proc.send_signal(sig)
        time.sleep(0.5)
        assert proc.poll() is None  # held by deferred(), not ignored: it is still cancelling
        sent = time.monotonic()
        proc.send_signal(sig)
        code = proc.wait(5)
        assert time.monotonic() - sent < 2.0
        assert code == 128 + sig
        assert sleeper.wait(5) is None or not sleeper.is_running()
        assert f"{sig.name} received: cancelling the run" in proc.stderr.read()  # type: ignore[union-attr]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


_CRASH = """
import subprocess, sys, tempfile
from pathlib import Path
from harness import cancel
with cancel.signals():
    try:
        with cancel.guard(Path(tempfile.mkdtemp())):
            child = subprocess.Popen(["sleep", "300"], start_new_session=True)
            print(child.pid, flush=True)
            raise ValueError("a crash in a phase")
    except ValueError:
        print(child.poll() is not None, flush=True)
        child.kill()
"""


def test_a_crash_inside_the_guard_stops_what_the_run_started() -> None:
    done = subprocess.run([sys.executable, "-c", _CRASH], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60,
                          check=True)
    _pid, stopped = done.stdout.split()
    assert stopped == "True"  # stopped and reaped by the guard before the crash went on


@pytest.mark.slow
def test_the_shops_workers_are_stopped_when_its_master_was_killed() -> None:
    from harness_demo_shop.server import start_in_background

    shop = start_in_background(variant="good", port=0, workers=2)
    workers = [psutil.Process(pid) for pid in shop.worker_pids]
    try:
        os.kill(shop.pid, signal.SIGKILL)
        shop.process.wait(5)
        assert all(w.is_running() for w in workers)  # orphans, until stop()
        shop.stop()
        _gone, alive = psutil.wait_procs(workers, timeout=5)
        assert not alive
    finally:
        for w in workers:
            if w.is_running():
                w.kill()
