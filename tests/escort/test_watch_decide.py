"""The escort's decision logic, pure: gates on fake samples, one check's decision, the outcome."""

from __future__ import annotations

from harness.escort.comparisons import burn_gate, gray_gate
from harness.escort.criteria import availability_gate, p95_gate, zero_count_gate
from harness.escort.decide import (
    SOURCES_ID,
    CheckDecision,
    CheckResult,
    EscortOutcome,
    cancelled_check,
    combine,
    judge_check,
)
from harness.escort.evidence import EscortEvidence
from harness.model import Criterion, Outcome, Status
from harness.policy import Policy
from tests.escort.fakes import T0, samples


def evidence(*checks: list) -> EscortEvidence:  # type: ignore[type-arg]
    flat = tuple(s for check in checks for s in check)
    return EscortEvidence(flat, max(s.check for s in flat), "samples.jsonl")


def test_availability_passes_fails_and_needs_traffic() -> None:
    assert availability_gate(evidence(samples(0)), 99.9, 100).status is Status.PASSED
    bad = availability_gate(evidence(samples(0, {"purchase_errors": 5.0})), 99.9, 100)
    assert bad.status is Status.FAILED and "99.500 %" in bad.message
    few = availability_gate(evidence(samples(0, {"purchase_requests": 20.0})), 99.9, 100)
    assert few.status is Status.INCONCLUSIVE and "too little traffic" in few.message


def test_no_data_and_unreachable_are_inconclusive_never_zero() -> None:
    none = zero_count_gate(evidence(samples(0, {"paid_without_policy": None, "payments": None})),
                           "paid_without_policy", "payments without a policy")
    assert none.status is Status.INCONCLUSIVE and "no data" in none.message
    # a bad-event counter never incremented has no series: 0 only while payments answered
    unborn = zero_count_gate(evidence(samples(0, {"paid_without_policy": None})),
                             "paid_without_policy", "payments without a policy")
    assert unborn.status is Status.PASSED and "the store counted none" in unborn.message
    down = samples(0, error="Prometheus at http://127.0.0.1:9/ is unreachable: refused")
    out = p95_gate(evidence(down), "pay", 3.0)
    assert out.status is Status.INCONCLUSIVE and "unreachable" in out.message
    assert zero_count_gate(evidence(samples(0, {"premium_mismatches": 2.0})),
                           "premium_mismatches", "x").status is Status.FAILED


def test_p95_threshold() -> None:
    assert p95_gate(evidence(samples(0, {"p95_seconds": 2.5})), "pay", 3.0).status \
        is Status.PASSED
    assert p95_gate(evidence(samples(0, {"p95_seconds": 3.5})), "pay", 3.0).status \
        is Status.FAILED


def test_burn_rate_fires_on_a_burst_and_not_on_a_trickle() -> None:
    calm = [samples(c, {"purchase_errors": 0.0}) for c in range(4)]
    assert burn_gate(evidence(*calm), 99.9, 600).status is Status.PASSED
    burst = [*calm, samples(4, {"purchase_errors": 50.0})]  # 5 % errors: 50x the budget
    out = burn_gate(evidence(*burst), 99.9, 600)
    assert out.status is Status.FAILED and "burning" in out.message


def test_gray_worse_is_failed_identical_is_passed() -> None:
    same = [samples(c) for c in range(5)]
    assert gray_gate(evidence(*same), "conversion", 0.05).status is Status.PASSED
    worse = []
    for c in range(5):
        check = samples(c)
        for s in check:  # gray converts at 10 %, control at 40 %
            if s.quantity == "policies" and s.cohort == "gray":
                object.__setattr__(s, "value", 15.0)
        worse.append(check)
    out = gray_gate(evidence(*worse), "conversion", 0.05)
    assert out.status is Status.FAILED and "worse" in out.message


def _criterion(name: str, status: Status, severity: str = "blocker") -> Criterion:
    return Criterion(id=f"escort :: {name}", feature="escort", scenario=name, tags=(severity,),
                     outcome=Outcome(status, f"{name} {status.value}"))


def test_check_decisions() -> None:
    ok = [_criterion("a", Status.PASSED), _criterion("b", Status.PASSED)]
    assert judge_check(0, T0, ok, [], Policy()).decision is CheckDecision.CONTINUE
    bad = judge_check(0, T0, [*ok, _criterion("lost", Status.FAILED)], [], Policy())
    assert bad.decision is CheckDecision.ROLLBACK
    assert [r.criterion for r in bad.reasons] == ["escort :: lost"]
    unknown = judge_check(0, T0, [*ok, _criterion("c", Status.INCONCLUSIVE)], [], Policy())
    assert unknown.decision is CheckDecision.INCONCLUSIVE
    minor = judge_check(0, T0, [*ok, _criterion("m", Status.FAILED, "minor")], [], Policy())
    assert minor.decision is CheckDecision.CONTINUE and minor.warnings


def test_unreachable_sources_never_continue_even_if_criteria_passed() -> None:
    ok = [_criterion("a", Status.PASSED)]
    result = judge_check(0, T0, ok, [], Policy(), collection_errors=["unreachable: refused"])
    assert result.decision is CheckDecision.INCONCLUSIVE
    assert result.reasons[0].criterion == SOURCES_ID and "refused" in result.reasons[0].message


def test_planned_but_unrecorded_and_nothing_judged_are_inconclusive() -> None:
    plan = [{"id": "escort :: a", "feature": "escort", "scenario": "a", "tags": ["blocker"]}]
    assert judge_check(0, T0, [], plan, Policy()).decision is CheckDecision.INCONCLUSIVE
    nothing = judge_check(0, T0, [], [], Policy())
    assert nothing.decision is CheckDecision.INCONCLUSIVE and nothing.reasons


def _result(check: int, decision: CheckDecision) -> CheckResult:
    return CheckResult(check, T0 + check, decision, ())


def test_combine() -> None:
    go = CheckDecision.CONTINUE
    assert combine([_result(i, go) for i in range(3)], 3).outcome is EscortOutcome.PASSED
    assert combine([_result(0, go), _result(1, CheckDecision.ROLLBACK)], 3).outcome \
        is EscortOutcome.FAILED
    assert combine([_result(0, go), _result(1, CheckDecision.INCONCLUSIVE), _result(2, go)],
                   3).outcome is EscortOutcome.INCONCLUSIVE
    short = combine([_result(0, go)], 3)
    assert short.outcome is EscortOutcome.INCONCLUSIVE and "1 of the 3" in short.reasons[0]
    cancelled = combine([_result(0, go), cancelled_check(1, T0, "SIGTERM")], 3)
    assert cancelled.outcome is EscortOutcome.INCONCLUSIVE and "SIGTERM" in cancelled.reasons[0]
    assert [o.exit_code for o in EscortOutcome] == [0, 1, 3]


def test_gray_identical_extremes_pass_but_too_few_trials_do_not() -> None:
    perfect = [samples(c, {"quotes": 120.0, "policies": 120.0}) for c in range(2)]
    out = gray_gate(evidence(*perfect), "conversion", 0.05)
    assert out.status is Status.PASSED and "the same rate" in out.message
    few = [samples(0, {"quotes": 10.0, "policies": 10.0})]
    assert gray_gate(evidence(*few), "conversion", 0.05).status is Status.INCONCLUSIVE
