"""Recovery after a spike, judged on Locust's per-second history (stats_history.csv): a pure
function, evidence in, Outcome out. Re-exported by harness.gates.load."""

from __future__ import annotations

from typing import Any

from harness.model import Comparator, Outcome, Status
from harness.readers.generator import LoadPlan
from harness.readers.locust import RequestHistory

__all__ = ["recovery_gate"]


def recovery_gate(history: RequestHistory, plan: LoadPlan, max_p95_ms: float,
                  within_s: float) -> Outcome:
    """After the spike, every HTTP request's p95 is back at or under `max_p95_ms` within
    `within_s` seconds of the spike's end, and stays there to the end of the recovery phase.

    Judged on stats_history.csv, whose p95 is Locust's rolling percentile of about the last 10
    seconds: the recovery time it shows lags the store's by up to that window (the message says
    so). The observed value is the seconds from the spike's end to the first second from which
    the worst request's p95 stayed under the threshold. INCONCLUSIVE when the plan has no spike
    followed by a recovery phase, or no request has a p95 in the recovery window; FAILED when
    the p95 was not back in time (or never, within a recovery phase at least `within_s` long)."""
    evidence = (history.source, plan.source)
    spike_end, recovery_end = _recovery_window(plan)
    if spike_end is None or recovery_end is None:
        return Outcome.inconclusive("the load plan has no spike followed by a recovery phase: "
                                    "nothing to recover from", evidence=evidence)
    worst: dict[int, float] = {}
    for rows in history.rows.values():
        for r in rows:
            if r.p95_ms is not None and spike_end <= r.timestamp_s <= recovery_end:
                worst[r.timestamp_s] = max(worst.get(r.timestamp_s, 0.0), r.p95_ms)
    if not worst:
        return Outcome.inconclusive("no request has a p95 in the recovery phase (the run "
                                    "stopped early, or nothing was requested)", evidence=evidence)
    recovered_at: int | None = None
    for t in sorted(worst, reverse=True):
        if worst[t] > max_p95_ms:
            break
        recovered_at = t
    window_s = recovery_end - spike_end
    details: dict[str, Any] = {"worst_p95_ms_by_s": {int(t - spike_end): v for t, v
                                                     in sorted(worst.items())},
                               "recovery_phase_s": window_s}
    label = (f"the worst step's p95 back at or under {max_p95_ms:,.0f} ms after the spike; "
             "Locust's rolling 10-second p95 makes this up to 10 s late")
    if recovered_at is None:
        if window_s < within_s:
            return Outcome.inconclusive(
                f"not yet back under {max_p95_ms:,.0f} ms when the {window_s:.0f}-second "
                f"recovery phase ended, shorter than the {within_s:g} s allowed",
                evidence=evidence, details=details)
        return Outcome(status=Status.FAILED,
                       message=f"{label}: never, within the {window_s:.0f}-second recovery phase "
                               f"(threshold {within_s:g} s)",
                       observed=window_s, threshold=within_s, comparator=Comparator.LE,
                       unit="s", n=len(worst), evidence=evidence, details=details)
    took_s = max(0.0, recovered_at - spike_end)
    ok = Comparator.LE.holds(took_s, within_s)
    return Outcome(status=Status.PASSED if ok else Status.FAILED,
                   message=f"{label}: after {took_s:.0f} s (threshold {within_s:g} s)",
                   observed=took_s, threshold=within_s, comparator=Comparator.LE, unit="s",
                   n=len(worst), evidence=evidence, details=details)


def _recovery_window(plan: LoadPlan) -> tuple[float | None, float | None]:
    """Epoch seconds of the first spike's end and of the recovery phase right after it."""
    for before, after in zip(plan.phases, plan.phases[1:], strict=False):
        if before.kind == "spike" and after.kind == "recovery":
            return plan.started_at + before.end_s, plan.started_at + after.end_s
    return None, None
