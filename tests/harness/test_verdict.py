import datetime as dt

import pytest

from harness.model import Decision, ExitCode, Status, Waiver
from harness.policy import Policy
from harness.verdict import decide

from .factories import criterion


def test_all_passed_is_go() -> None:
    verdict = decide([criterion("a :: x"), criterion("b :: y")], Policy())
    assert verdict.decision is Decision.GO
    assert verdict.exit_code is ExitCode.GO
    assert verdict.reasons == ()


def test_failed_blocking_criterion_is_no_go_and_named() -> None:
    verdict = decide([criterion("a :: x"), criterion("b :: y", Status.FAILED)], Policy())
    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons == ("b :: y",)


@pytest.mark.parametrize("severity", ["minor", "trivial"])
def test_failed_minor_is_only_a_warning(severity: str) -> None:
    verdict = decide([criterion("a :: x"), criterion("b :: y", Status.FAILED, severity)],
                     Policy())
    assert verdict.decision is Decision.GO
    assert any("b :: y" in w for w in verdict.warnings)


def test_inconclusive_blocking_is_inconclusive_never_go() -> None:
    verdict = decide([criterion("a :: x"), criterion("b :: y", Status.INCONCLUSIVE)], Policy())
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.exit_code is ExitCode.INCONCLUSIVE


def test_failure_outranks_inconclusive() -> None:
    verdict = decide([criterion("a :: x", Status.INCONCLUSIVE), criterion("b :: y", Status.FAILED)],
                     Policy())
    assert verdict.decision is Decision.NO_GO
    assert verdict.reasons == ("b :: y",)


def test_skipped_blocking_criterion_is_not_go() -> None:
    verdict = decide([criterion("a :: x", Status.SKIPPED)], Policy())
    assert verdict.decision is Decision.INCONCLUSIVE


def test_no_criteria_is_inconclusive() -> None:
    verdict = decide([], Policy())
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.warnings


def test_planned_but_unrecorded_criterion_is_inconclusive() -> None:
    plan = [{"id": "a :: x", "feature": "a", "scenario": "x", "tags": ["critical"]},
            {"id": "b :: y", "feature": "b", "scenario": "y", "tags": ["blocker"]}]
    verdict = decide([criterion("a :: x")], Policy(), plan=plan)
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.reasons == ("b :: y",)


def test_active_waiver_turns_failure_into_warning() -> None:
    waiver = Waiver("b :: y", "Li Wei", "fixed in 2.4.1", "2026-12-31")
    policy = Policy(waivers=(waiver,), today=dt.date(2026, 11, 21))
    verdict = decide([criterion("a :: x"), criterion("b :: y", Status.FAILED)], policy)
    assert verdict.decision is Decision.GO
    waived = next(c for c in verdict.criteria if c.id == "b :: y")
    assert waived.status is Status.WAIVED
    assert "Li Wei" in waived.outcome.message


def test_expired_waiver_is_ignored_and_reported() -> None:
    waiver = Waiver("b :: y", "Li Wei", "fixed in 2.4.1", "2026-11-01")
    policy = Policy(waivers=(waiver,), today=dt.date(2026, 11, 21))
    verdict = decide([criterion("b :: y", Status.FAILED)], policy)
    assert verdict.decision is Decision.NO_GO
    assert any("expired" in w for w in verdict.warnings)
