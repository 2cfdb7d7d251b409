"""Gates of the escort that look across checks: the error budget's burn rate over several
windows, and gray against control with anytime-valid inference at every check. Pure.

Gray vs control replays the always-valid test over every check so far (cumulative counts per
cohort, one look per check, harness.escort.stats.SequentialState): the same answer whether the
features run once per check or a whole watch is re-judged later, and looking at every check
does not inflate false alarms. A check whose counts are missing adds no look (the cumulative
counts skip it), and says so; the check being judged must have its counts.
"""

from __future__ import annotations

from typing import Any

from harness.errors import EvidenceError
from harness.escort.burn import BURNING, NO_DATA, BurnPoint, evaluate_burn
from harness.escort.criteria import guarded
from harness.escort.evidence import WHOLE_STORE, EscortEvidence
from harness.escort.stats import BETTER, NO_DIFFERENCE, NOT_ENOUGH, WORSE, SequentialState
from harness.model import Comparator, Outcome, Status

__all__ = ["GRAY_METRICS", "burn_gate", "gray_gate"]

# metric -> (events, trials, higher is better, what it is)
GRAY_METRICS = {"conversion": ("policies", "quotes", True, "conversion (policies / quotes)"),
                "errors": ("purchase_errors", "purchase_requests", False,
                           "error ratio of purchase requests")}


def _value(evidence: EscortEvidence, quantity: str, check: int, cohort: str = WHOLE_STORE
           ) -> float | None:
    try:
        return evidence.measure(quantity, cohort, check=check).value
    except EvidenceError:
        return None


def burn_gate(evidence: EscortEvidence, slo_percent: float, watch_window_s: float) -> Outcome:
    """FAILED when a pair of windows burns the budget at or above its factor in both windows;
    INCONCLUSIVE when a window has no data; PASSED otherwise."""

    def gate() -> Outcome:
        evidence.measure("purchase_requests")  # this check's own counts, or why not
        interval = evidence.find("purchase_requests").window_seconds
        points = [BurnPoint(evidence.find("purchase_requests", check=c).at,
                            _value(evidence, "purchase_errors", c),
                            _value(evidence, "purchase_requests", c))
                  for c in evidence.checks]
        try:
            pairs = evaluate_burn(points, slo_percent / 100.0, watch_window_s, interval)
        except ValueError as exc:
            return Outcome.inconclusive(f"burn rate not computable: {exc}")
        said = "; ".join(p.describe() for p in pairs)
        burns = [b for p in pairs for b in (p.long.burn, p.short.burn) if b is not None]
        common: dict[str, Any] = dict(observed=round(max(burns), 3) if burns else None,
                      threshold=min(p.pair.pair.factor for p in pairs),
                      comparator=Comparator.LT, unit="x budget", evidence=(evidence.source,),
                      details={"pairs": said})
        if any(p.status == BURNING for p in pairs):  # the pairs that alert, not the others
            burning = "; ".join(p.describe() for p in pairs if p.status == BURNING)
            return Outcome(Status.FAILED, f"the error budget is burning: {burning}", **common)
        if any(p.status == NO_DATA for p in pairs):
            return Outcome.inconclusive(f"burn rate without data: {said}", **common)
        return Outcome(Status.PASSED, f"no window pair burns at its alert rate: {said}",
                       **common)

    return guarded(gate)


def gray_gate(evidence: EscortEvidence, metric: str, alpha: float,
              gray: str = "gray", control: str = "control") -> Outcome:
    """Gray not shown worse than control on `metric` by the anytime-valid test at level
    alpha, looked at once per check so far."""
    events, trials, higher_is_better, what = GRAY_METRICS[metric]

    def gate() -> Outcome:
        asked = {s.cohort for s in evidence.at()} - {WHOLE_STORE}
        if not asked:  # [escort] cohorts = []: declared, not a gap (other names stay a gap)
            evidence.measure(trials)  # the check itself was collected, or why not
            return Outcome(Status.NOT_APPLICABLE,
                           f"no gray comparison: [escort] cohorts is empty (no {gray} and "
                           f"{control} cohorts to compare, e.g. a release launched to "
                           "everyone); list the cohort label's values to judge it")
        for quantity in (events, trials):  # the check judged must have its counts
            evidence.measure(quantity, gray)
            evidence.measure(quantity, control)
        state = SequentialState(alpha=alpha, higher_is_better=higher_is_better)
        totals = [0.0, 0.0, 0.0, 0.0]
        skipped, result = [], None
        for check in evidence.checks:
            counts = [_value(evidence, q, check, c) for c, q in
                      ((gray, events), (gray, trials), (control, events), (control, trials))]
            if any(v is None for v in counts):
                skipped.append(check)
                continue
            totals = [t + float(v or 0.0) for t, v in zip(totals, counts, strict=True)]
            x_a, n_a, x_b, n_b = totals
            try:
                result = state.update(min(x_a, n_a), n_a, min(x_b, n_b), n_b)
            except ValueError as exc:
                return Outcome.inconclusive(f"gray vs control {what}: {exc}")
        x_a, n_a, x_b, n_b = totals
        gap = f"; checks without counts (no look): {skipped}" if skipped else ""
        summary = (f"{what}: gray {x_a:,.0f}/{n_a:,.0f}, control {x_b:,.0f}/{n_b:,.0f} "
                   f"over {state.looks} looks{gap}")
        common: dict[str, Any] = dict(observed=round(state.p_value, 6), threshold=alpha,
                      comparator=Comparator.GT, unit="always-valid p", n=round(n_a + n_b),
                      evidence=(evidence.source,),
                      details={"gray": [x_a, n_a], "control": [x_b, n_b],
                               "looks": state.looks, "skipped_checks": skipped})
        if result is None:
            return Outcome.inconclusive(f"{summary}: no check had the counts of both cohorts",
                                        **common)
        ci = (result.lower, result.upper)
        if result.decision == WORSE:
            return Outcome(Status.FAILED, f"gray is worse than control: {summary}; "
                                          f"{result.reason}", ci=_ci(ci), **common)
        if result.decision in (BETTER, NO_DIFFERENCE):
            return Outcome(Status.PASSED, f"gray not shown worse: {summary}; {result.reason}",
                           ci=_ci(ci), **common)
        if result.decision == NOT_ENOUGH and min(n_a, n_b) >= state.min_trials and (
                x_a + x_b == 0 or (x_a == n_a and x_b == n_b)):
            same = "no event" if x_a + x_b == 0 else "every trial an event"
            return Outcome(Status.PASSED, f"{same} in both cohorts, the same rate: gray is not "
                                          f"worse: {summary}", **common)
        return Outcome.inconclusive(f"too little traffic to compare: {summary}; "
                                    f"{result.reason}", **common)

    return guarded(gate)


def _ci(ci: tuple[float | None, float | None]) -> tuple[float, float] | None:
    low, high = ci
    return None if low is None or high is None else (round(low, 6), round(high, 6))
