"""The watch loop with fakes at its seams (collector, judge, clock): the order of a check, the
rollback hook called once (and never when not configured), the state that a resumed watch
continues from without losing or repeating a check."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.escort.decide import CheckDecision, CheckResult, Reason
from harness.escort.hook import HOOK_LOG, RollbackHook, mask_webhook
from harness.escort.loop import Clock, run_watch, samples_path
from harness.escort.state import EscortState, HookState, load_state, save_state
from harness_contract.escort import EscortSample, read_samples
from tests.escort.fakes import T0, samples


@dataclass
class FakeClock:
    now_s: float = T0

    def clock(self) -> Clock:
        return Clock(now=lambda: self.now_s, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.now_s += seconds


@dataclass
class Script:
    """Decides each check from a list; records what it was asked."""

    decisions: Sequence[CheckDecision]
    asked: list[int] = field(default_factory=list)

    def collect(self, check: int, at: float, window_s: float) -> Sequence[EscortSample]:
        return samples(check, interval_s=window_s)

    def judge(self, check: int, at: float, errors: Sequence[str]) -> CheckResult:
        self.asked.append(check)
        decision = self.decisions[check]
        reasons = (Reason("escort :: Every payment has a policy", "failed", "3 lost"),) \
            if decision is CheckDecision.ROLLBACK else ()
        return CheckResult(check, at, decision, reasons)


def _state(checks: int = 4) -> EscortState:
    return EscortState(run_id="w", started=T0, window_s=60.0 * checks, interval_s=60.0,
                       settings={})


def _quiet(_result: CheckResult, _state: EscortState) -> None:
    return None


def _hook_command(tmp_path: Path) -> RollbackHook:
    marker = tmp_path / "calls.txt"
    code = ("import os,sys; open(sys.argv[1],'a').write(os.environ['HARNESS_ESCORT_CHECK']+'\\n');"
            "print('rolled back with postgresql://deploy:hunter2@db/x')")
    return RollbackHook(command=f"{sys.executable} -c \"{code}\" {marker}")


def test_every_check_continues_and_the_state_has_them_all(tmp_path: Path) -> None:
    go = CheckDecision.CONTINUE
    script, clock = Script([go] * 4), FakeClock()
    state = run_watch(tmp_path, _state(), script.collect, script.judge, RollbackHook(),
                      clock.clock(), _quiet)
    assert [c.decision for c in state.checks] == [go] * 4 and script.asked == [0, 1, 2, 3]
    assert clock.now_s >= T0 + 4 * 60  # it waited for each interval to end
    saved = load_state(tmp_path)
    assert saved is not None and saved.next_check == 4
    lines = read_samples(samples_path(tmp_path).read_text(), "samples.jsonl")
    assert sorted({s.check for s in lines}) == [0, 1, 2, 3]


def test_rollback_calls_the_hook_once_and_ends_the_watch(tmp_path: Path) -> None:
    go, back = CheckDecision.CONTINUE, CheckDecision.ROLLBACK
    script = Script([go, back, back, back])
    state = run_watch(tmp_path, _state(), script.collect, script.judge, _hook_command(tmp_path),
                      FakeClock().clock(), _quiet)
    assert script.asked == [0, 1]  # the watch ends at the first ROLLBACK
    assert (tmp_path / "calls.txt").read_text() == "1\n"
    assert state.hook.status == "called" and state.hook.result["command"]["exit_code"] == 0
    log = (tmp_path / HOOK_LOG).read_text()
    assert "rolled back with postgresql://deploy:***@db/x" in log and "hunter2" not in log
    # started again on the same run directory: nothing left to do, the hook is not repeated
    again = run_watch(tmp_path, load_state(tmp_path) or _state(), script.collect, script.judge,
                      _hook_command(tmp_path), FakeClock().clock(), _quiet)
    assert len(again.checks) == 2 and (tmp_path / "calls.txt").read_text() == "1\n"


def test_no_hook_configured_calls_nothing(tmp_path: Path) -> None:
    script = Script([CheckDecision.ROLLBACK])
    state = run_watch(tmp_path, _state(1), script.collect, script.judge, RollbackHook(),
                      FakeClock().clock(), _quiet)
    assert state.hook.status == "idle" and not (tmp_path / HOOK_LOG).exists()


def test_resume_after_a_kill_loses_and_repeats_no_check(tmp_path: Path) -> None:
    go = CheckDecision.CONTINUE
    script = Script([go] * 4)
    state = run_watch(tmp_path, _state(2), script.collect, script.judge, RollbackHook(),
                      FakeClock().clock(), _quiet)  # a 2-check watch stands for checks 0, 1
    save_state(tmp_path, replace(state, window_s=240.0))
    # killed after collecting check 2 but before its decision was saved: a torn line too
    with samples_path(tmp_path).open("a") as out:
        out.write("".join(s.to_json() + "\n" for s in samples(2)) + '{"check": 2, "at"')
    resumed = load_state(tmp_path)
    assert resumed is not None and resumed.next_check == 2
    final = run_watch(tmp_path, resumed, script.collect, script.judge, RollbackHook(),
                      FakeClock(T0 + 1000).clock(), _quiet)
    assert [c.check for c in final.checks] == [0, 1, 2, 3]
    assert script.asked == [0, 1, 2, 3]  # each check judged exactly once
    lines = read_samples(samples_path(tmp_path).read_text(), "samples.jsonl")
    per_check = [sum(1 for s in lines if s.check == c) for c in range(4)]
    assert len(set(per_check)) == 1  # check 2's first collection was dropped, not doubled


def test_a_watch_killed_while_calling_the_hook_never_calls_it_again(tmp_path: Path) -> None:
    back = CheckDecision.ROLLBACK
    script = Script([back])
    state = run_watch(tmp_path, _state(1), script.collect, script.judge, RollbackHook(),
                      FakeClock().clock(), _quiet)
    save_state(tmp_path, replace(state, hook=HookState("calling", 0)))
    final = run_watch(tmp_path, load_state(tmp_path) or state, script.collect, script.judge,
                      _hook_command(tmp_path), FakeClock().clock(), _quiet)
    assert final.hook.status == "called" and "unknown" in json.dumps(final.hook.result)
    assert not (tmp_path / "calls.txt").exists()


def test_webhook_secret_masked() -> None:
    assert mask_webhook("https://hooks.example.com/services/T0/B0/secret?x=1") == \
        "https://hooks.example.com/***"
    assert RollbackHook(webhook="http://u:p@127.0.0.1:9/abc").describe() == \
        "webhook http://127.0.0.1:9/***"


def test_rollback_webhook_is_posted_once(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    bodies: list[dict[str, object]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()
            self.wfile.write(b"rollback queued")

        def log_message(self, *_args: object) -> None:
            return None

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hooks/s3cr3t-token"
        script = Script([CheckDecision.CONTINUE, CheckDecision.ROLLBACK, CheckDecision.ROLLBACK])
        state = run_watch(tmp_path, _state(3), script.collect, script.judge,
                          RollbackHook(webhook=url), FakeClock().clock(), _quiet)
    finally:
        server.shutdown()
        server.server_close()
    assert len(bodies) == 1 and bodies[0]["decision"] == "ROLLBACK" and bodies[0]["check"] == 1
    assert state.hook.result["webhook"] == {"status": 202}
    log = (tmp_path / HOOK_LOG).read_text()
    assert "rollback queued" in log and "s3cr3t" not in log
