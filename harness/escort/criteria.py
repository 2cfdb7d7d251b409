"""Gates of the escort: the samples of one check (and the checks before it) against a
threshold from a feature file -> an Outcome. Pure: no files, no clock.

No data is never a pass: a sample without a value (the query returned no series), a query that
could not be asked (Prometheus unreachable) or too little traffic to judge a ratio is
INCONCLUSIVE, with that reason in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.errors import EvidenceError
from harness.escort.evidence import EscortEvidence
from harness.model import Comparator, Outcome, Status

__all__ = ["availability_gate", "guarded", "p95_gate", "zero_count_gate"]


def guarded(gate: Callable[[], Outcome]) -> Outcome:
    """The gate's outcome, or INCONCLUSIVE naming the evidence that was missing or invalid."""
    try:
        return gate()
    except EvidenceError as exc:
        return Outcome.inconclusive(str(exc))


def availability_gate(evidence: EscortEvidence, min_percent: float,
                      min_requests: int) -> Outcome:
    """Share of the interval's purchase requests that did not fail (5xx) >= min_percent, judged
    only on at least `min_requests` requests (fewer: too little traffic, INCONCLUSIVE)."""

    def gate() -> Outcome:
        requests = evidence.measure("purchase_requests").value
        common: dict[str, Any] = dict(threshold=min_percent, comparator=Comparator.GE, unit="%",
                      n=round(requests), evidence=(evidence.source,))
        if requests < min_requests:
            return Outcome.inconclusive(
                f"too little traffic: {requests:,.0f} purchase requests in the interval, "
                f"at least {min_requests:,} needed to judge availability", **common)
        measured = evidence.measure("purchase_errors")
        errors = measured.value
        percent = 100.0 * (1.0 - min(errors, requests) / requests)
        status = Status.PASSED if Comparator.GE.holds(percent, min_percent) else Status.FAILED
        return Outcome(status, f"{percent:.3f} % of {requests:,.0f} purchase requests "
                               f"succeeded ({errors:,.0f} failed with 5xx"
                               f"{'; ' + measured.inferred if measured.inferred else ''}); "
                               f"{'at least' if status is Status.PASSED else 'below'} "
                               f"{min_percent:g} %", observed=round(percent, 4),
                       details={"requests": requests, "errors": errors}, **common)

    return guarded(gate)


def p95_gate(evidence: EscortEvidence, step: str, max_seconds: float) -> Outcome:
    """The 95th percentile latency of one journey step over the interval <= max_seconds."""

    def gate() -> Outcome:
        p95 = evidence.measure("p95_seconds", step=step).value
        ok = Comparator.LE.holds(p95, max_seconds)
        return Outcome(Status.PASSED if ok else Status.FAILED,
                       f"p95 of the {step} step {p95:.3f} s "
                       f"{'within' if ok else 'above'} {max_seconds:g} s",
                       observed=round(p95, 4), threshold=max_seconds,
                       comparator=Comparator.LE, unit="s", evidence=(evidence.source,))

    return guarded(gate)


def zero_count_gate(evidence: EscortEvidence, quantity: str, what: str,
                    allowed: int = 0) -> Outcome:
    """A count that must stay at `allowed` (0): payments without a policy, premium mismatches."""

    def gate() -> Outcome:
        measured = evidence.measure(quantity)
        count = measured.value
        ok = Comparator.LE.holds(count, allowed)
        note = f"; {measured.inferred}" if measured.inferred else ""
        return Outcome(Status.PASSED if ok else Status.FAILED,
                       f"{count:,.0f} {what} in the interval (allowed: {allowed}{note})",
                       observed=round(count, 3), threshold=allowed, comparator=Comparator.LE,
                       unit="count", evidence=(evidence.source,))

    return guarded(gate)
