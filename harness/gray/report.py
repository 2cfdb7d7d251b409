"""The gray report: a fixed-width table for people and the gray.json document for machines.

Rows are the guardrails (judged by gates) first, then descriptive metrics marked `info`:
funnel steps, the attempt-level error ratio, premium per policy and per-segment conversion.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from harness.gray.comparison import GrayComparison
from harness.gray.means import welch
from harness.gray.proportions import newcombe_interval
from harness.gray.samples import ProportionSample
from harness.model import Decision, Outcome, Status

__all__ = ["decide", "render_table", "report_document", "table_rows"]

HEADER = ("metric", "control", "gray", "difference", "interval", "p-value", "decision")


def decide(outcomes: Mapping[str, Outcome]) -> Decision:
    """Any failed guardrail is NO-GO; otherwise anything not passed is INCONCLUSIVE."""
    statuses = [o.status for o in outcomes.values()]
    if Status.FAILED in statuses:
        return Decision.NO_GO
    if any(s != Status.PASSED for s in statuses):
        return Decision.INCONCLUSIVE
    return Decision.GO


def _p(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2g}"


def _interval(ci: tuple[float, float] | None, decimals: int = 1) -> str:
    return "-" if ci is None else f"{ci[0]:.{decimals}f} to {ci[1]:.{decimals}f}"


def _proportion_row(s: ProportionSample, decision: str, alpha: float) -> tuple[str, ...]:
    if not s.control_total or not s.gray_total:
        return (s.name, f"{s.control_successes}/{s.control_total}",
                f"{s.gray_successes}/{s.gray_total}", "-", "-", "-", decision)
    low, high = newcombe_interval(s.gray_successes, s.gray_total, s.control_successes,
                                  s.control_total, alpha)
    return (s.name, f"{s.control_ratio:.2%}", f"{s.gray_ratio:.2%}",
            f"{s.difference * 100:+.2f} pp", _interval((low * 100, high * 100), 2) + " pp",
            _p(s.p_value), decision)


def table_rows(c: GrayComparison, outcomes: Mapping[str, Outcome],
               alpha: float) -> list[tuple[str, ...]]:
    """One row per metric: guardrails with their gate decision, then `info` rows."""
    srm = c.sample_ratio
    rows: list[tuple[str, ...]] = [("sample_ratio (users)", f"{srm.n_control:,}", f"{srm.n_gray:,}",
             f"share {srm.observed_gray_share:.2%}", f"expected {srm.expected_gray_share:.2%}",
             _p(srm.p_value), outcomes["sample_ratio"].status.value)]
    for name, sample in (("conversion", c.conversion), ("health_error_ratio", c.health_error)):
        row = _proportion_row(sample, outcomes[name].status.value, alpha)
        rows.append((*row[:-2], _p(outcomes[name].details.get("p_holm")) + " (Holm)", row[-1]))
    views, dur = outcomes["health_views_per_user"], outcomes["application_duration_s"]
    rows.append(("health_views_per_user", f"{c.health_views.control.mean:.3f}",
                 f"{c.health_views.gray.mean:.3f}", _diff(views, 3), _interval(views.ci, 3),
                 _p(views.details.get("p_holm")) + " (Holm)", views.status.value))
    rows.append(("application_duration_s", f"median {c.application_duration.control_median_s:.1f}",
                 f"median {c.application_duration.gray_median_s:.1f}", _diff(dur, 2),
                 _interval(dur.ci, 2), _p(dur.details.get("p_holm")) + " (Holm)",
                 dur.status.value))
    rows += [_proportion_row(s, "info", alpha) for s in c.funnel]
    ctrl_attempt, gray_attempt = c.health_error_attempt_ratio
    rows.append(("health_error_per_attempt", f"{ctrl_attempt:.2%}", f"{gray_attempt:.2%}",
                 f"{(gray_attempt - ctrl_attempt) * 100:+.2f} pp", "-", "-", "info"))
    prem = welch(c.premium.control, c.premium.gray, alpha)
    rows.append(("premium_per_policy_fen", f"{c.premium.control.mean:,.0f}",
                 f"{c.premium.gray.mean:,.0f}", f"{prem.difference:+,.0f}",
                 _interval((prem.low, prem.high), 0) if not math.isnan(prem.low) else "-",
                 _p(c.premium.p_value), "info"))
    for samples in c.segments.values():
        rows += [_proportion_row(s, "info", alpha) for s in samples]
    return rows


def _diff(outcome: Outcome, decimals: int) -> str:
    observed = outcome.observed
    if not isinstance(observed, float | int):
        return "-"
    return f"{observed:+.{decimals}f} {outcome.unit}"


def render_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip()
             for r in [HEADER, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _outcome_record(outcome: Outcome) -> dict[str, Any]:
    return {"status": outcome.status.value, "message": outcome.message,
            "observed": outcome.observed, "threshold": outcome.threshold,
            "comparator": outcome.comparator.value if outcome.comparator else None,
            "unit": outcome.unit, "n": outcome.n,
            "ci": list(outcome.ci) if outcome.ci else None, "details": dict(outcome.details)}


def report_document(c: GrayComparison, outcomes: Mapping[str, Outcome],
                    thresholds: Mapping[str, float], alpha: float,
                    charts: list[str]) -> dict[str, Any]:
    """The gray.json content: decision, outcomes, every row, provenance and thresholds."""
    decision = decide(outcomes)
    document: dict[str, Any] = _clean({
        "decision": decision.value,
        "reasons": [o.message for o in outcomes.values() if o.status != Status.PASSED],
        "outcomes": {name: _outcome_record(o) for name, o in outcomes.items()},
        "table": [dict(zip(HEADER, r, strict=True)) for r in table_rows(c, outcomes, alpha)],
        "thresholds": dict(thresholds),
        "provenance": asdict(c.provenance),
        "charts": charts,
    })
    return document


def _clean(value: Any) -> Any:
    """JSON has no NaN or infinity: record them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
