"""recovery_gate: back within the latency threshold within N seconds after the spike, judged on
stats_history.csv per request (read from a real Locust file, then shaped into a spike)."""

from __future__ import annotations

from dataclasses import replace

from harness.gates.load import recovery_gate
from harness.model import Status
from harness.readers.generator import LoadPlan, PlanPhase, read_load_plan
from harness.readers.locust import HistoryRow, RequestHistory, read_request_history
from tests.load.conftest import DATA

START = 1_000_000.0
PLAN = replace(read_load_plan(DATA / "good" / "phases.json"), started_at=START, phases=(
    PlanPhase("ramp-up", "warmup", 0, 10, 100), PlanPhase("steady", "steady", 10, 40, 100),
    PlanPhase("spike", "spike", 40, 50, 300), PlanPhase("recovery", "recovery", 50, 110, 100)))


def history(p95_by_offset: dict[int, float], name: str = "5 pay") -> RequestHistory:
    """One request's rows at START + offset seconds, and a fast second request beside it."""
    rows = {name: tuple(HistoryRow(int(START) + t, 100, 10.0, 0.0, v, t * 10, 0, name, "POST")
                        for t, v in sorted(p95_by_offset.items())),
            "1 start": tuple(HistoryRow(int(START) + t, 100, 10.0, 0.0, 5.0, t * 10, 0,
                                        "1 start", "POST") for t in range(0, 111))}
    return RequestHistory(rows, "stats_history.csv")


def spike_then(recovered_after_s: int) -> dict[int, float]:
    return {t: (2000.0 if t < 50 + recovered_after_s else 300.0) for t in range(30, 111)}


def test_the_real_history_has_one_series_per_request_without_the_purchase_event() -> None:
    real = read_request_history(DATA / "good" / "stats_history.csv")
    assert set(real.rows) == {"1 start", "2 notice", "3 health", "4 application", "5 pay"}
    assert all(r.request_type == "POST" for rows in real.rows.values() for r in rows)


def test_back_under_the_threshold_in_time_passes() -> None:
    outcome = recovery_gate(history(spike_then(20)), PLAN, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.PASSED, outcome.message
    assert outcome.observed == 20
    assert "after 20 s (threshold 30 s)" in outcome.message


def test_too_slow_a_recovery_fails_with_the_seconds_it_took() -> None:
    outcome = recovery_gate(history(spike_then(45)), PLAN, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.FAILED
    assert outcome.observed == 45


def test_a_relapse_counts_from_the_last_time_over_the_threshold() -> None:
    p95 = spike_then(5)
    p95[80] = 1500.0
    outcome = recovery_gate(history(p95), PLAN, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.FAILED
    assert outcome.observed == 31


def test_never_back_fails() -> None:
    outcome = recovery_gate(history(spike_then(500)), PLAN, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.FAILED
    assert "never" in outcome.message


def test_a_plan_without_a_spike_is_inconclusive() -> None:
    plan: LoadPlan = replace(PLAN, phases=PLAN.phases[:2])
    outcome = recovery_gate(history(spike_then(0)), plan, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.INCONCLUSIVE


def test_no_sample_after_the_spike_is_inconclusive() -> None:
    empty = RequestHistory({"5 pay": ()}, "stats_history.csv")
    assert recovery_gate(empty, PLAN, 800, 30).status is Status.INCONCLUSIVE


def test_a_recovery_phase_shorter_than_allowed_is_inconclusive_not_failed() -> None:
    plan = replace(PLAN, phases=(*PLAN.phases[:3], PlanPhase("recovery", "recovery", 50, 60,
                                                             100)))
    outcome = recovery_gate(history(spike_then(500)), plan, max_p95_ms=800, within_s=30)
    assert outcome.status is Status.INCONCLUSIVE
