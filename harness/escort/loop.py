"""The watch loop: at every check collect the samples, judge them, decide, keep the state.

The loop knows its parts only through small seams, so its logic is tested with fakes and the
command wires the real ones: `collect` (Prometheus through the collector, complaints from their
source), `judge` (the escort features run by pytest against the watch's run directory), the
rollback `hook` and a `clock`. Order of a check, each step durable before the next:
samples appended (fsync) -> features judged -> state saved (atomic) -> line printed ->
on ROLLBACK the hook (state "calling" saved first: a watch killed during the call never calls
it again) -> the watch ends at the first ROLLBACK.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from harness.escort.decide import CheckDecision, CheckResult
from harness.escort.evidence import COMPLAINTS_FILE, ESCORT_DIR, SAMPLES_FILE
from harness.escort.hook import RollbackHook, call_hook
from harness.escort.state import EscortState, HookState, save_state
from harness_contract.escort import EscortSample


class Collector(Protocol):
    def __call__(self, check: int, at: float, window_s: float) -> Sequence[EscortSample]: ...


class Judge(Protocol):
    def __call__(self, check: int, at: float, collection_errors: Sequence[str]) -> CheckResult:
        ...


@dataclass
class Clock:
    """Real time by default; tests pass their own."""

    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep

    def wait_until(self, when: float, step_s: float = 1.0) -> None:
        while (left := when - self.now()) > 0:
            self.sleep(min(step_s, left))


def samples_path(run_dir: Path) -> Path:
    return run_dir / ESCORT_DIR / SAMPLES_FILE


def forget_unjudged(run_dir: Path, next_check: int) -> int:
    """Drop the lines (samples, complaint windows) of checks not yet in the state (a watch
    killed between collecting and saving): they are asked again. Returns how many."""
    dropped = 0
    for path in (samples_path(run_dir), run_dir / ESCORT_DIR / COMPLAINTS_FILE):
        if not path.is_file():
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in lines if _check_of(line) < next_check]
        if len(kept) == len(lines):
            continue
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        tmp.replace(path)
        dropped += len(lines) - len(kept)
    return dropped


def _check_of(line: str) -> int:
    import json

    try:
        return int(json.loads(line)["check"])
    except (ValueError, KeyError, TypeError):
        return 1 << 30  # a torn last line (killed mid-write): dropped, asked again


def append_lines(path: Path, samples: Sequence[EscortSample]) -> None:
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write("".join(s.to_json() + "\n" for s in samples))
        out.flush()
        os.fsync(out.fileno())


def collection_errors(samples: Sequence[EscortSample]) -> list[str]:
    """Why the check's sources could not be asked: every query failed, or nothing came back."""
    if not samples:
        return ["the collector returned no sample at all"]
    failed = [s for s in samples if s.error is not None]
    if len(failed) == len(samples):
        return [str(s.error) for s in failed]
    return []


Printer = Callable[[CheckResult, EscortState], None]
Append = Callable[[Path, Sequence[EscortSample]], None]


def run_watch(run_dir: Path, state: EscortState, collect: Collector, judge: Judge,
              hook: RollbackHook, clock: Clock, report: Printer,
              settle_s: float = 0.0, append: Append = append_lines) -> EscortState:
    """Check until the window ends or the first ROLLBACK; returns the final state."""
    forget_unjudged(run_dir, state.next_check)
    if state.hook.status == "calling":  # killed while calling: never twice
        state = replace(state, hook=HookState("called", state.hook.check,
                                              {"outcome": "unknown: the watch was stopped "
                                                          "while calling the hook; not "
                                                          "called again"}))
        save_state(run_dir, state)
    while state.next_check < state.planned and not _rolled_back(state):
        check = state.next_check
        at = state.due(check)
        clock.wait_until(at + settle_s)
        samples = list(collect(check, at, state.interval_s))
        append(samples_path(run_dir), samples)
        result = judge(check, at, collection_errors(samples))
        state = state.with_check(result)
        save_state(run_dir, state)
        report(result, state)
        if result.decision is CheckDecision.ROLLBACK:
            state = _rollback(run_dir, state, result, hook)
    return state


def _rolled_back(state: EscortState) -> bool:
    return any(c.decision is CheckDecision.ROLLBACK for c in state.checks)


def _rollback(run_dir: Path, state: EscortState, result: CheckResult,
              hook: RollbackHook) -> EscortState:
    if not hook.configured or state.hook.status != "idle":
        return state
    state = replace(state, hook=HookState("calling", result.check))
    save_state(run_dir, state)
    payload = {"decision": result.decision.value, "check": result.check, "at": result.at,
               "run_id": state.run_id,
               "reasons": [f"{r.criterion}: {r.message}" for r in result.reasons]}
    outcome = call_hook(hook, run_dir, payload)
    state = replace(state, hook=HookState("called", result.check, outcome))
    save_state(run_dir, state)
    return state
