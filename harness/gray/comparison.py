"""One gray-vs-control comparison: every metric of the funnel plus the sample-ratio check, with
Holm's adjustment across the guardrails that decide the release."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from harness.gray.events import CONTROL, EVENT_CODE, GRAY, EventLog, Provenance
from harness.gray.metrics import (
    FUNNEL_STEPS,
    count_users,
    duration_sample,
    health_views_sample,
    premium_sample,
    proportion_sample,
    segment_conversions,
)
from harness.gray.multiplicity import holm
from harness.gray.samples import DurationSample, MeanSample, ProportionSample
from harness.gray.srm import SampleRatio, sample_ratio

__all__ = ["GUARDRAILS", "GrayComparison", "compare"]

# the guardrails of one decision, in report order; Holm runs across exactly these
GUARDRAILS = ("conversion", "health_error_ratio", "health_views_per_user",
              "application_duration_s")


@dataclass(frozen=True, eq=False)
class GrayComparison:
    """Everything measured about the two cohorts; gates turn it into outcomes."""

    sample_ratio: SampleRatio
    conversion: ProportionSample
    funnel: tuple[ProportionSample, ...]
    health_error: ProportionSample
    health_error_attempt_ratio: tuple[float, float]
    health_views: MeanSample
    application_duration: DurationSample
    premium: MeanSample
    provenance: Provenance
    segments: dict[str, tuple[ProportionSample, ...]] = field(default_factory=dict)


def compare(log: EventLog, gray_share: float) -> GrayComparison:
    """Count users per cohort, measure each metric, test the split, adjust the guardrails."""
    users = count_users(log)
    started = users.having("journey_start")
    srm = sample_ratio(users.users(CONTROL), users.users(GRAY), gray_share)
    conversion = proportion_sample(users, "conversion", "conversion", started,
                                   users.having("policy_issued"))
    funnel = tuple(proportion_sample(users, f"reached_{step}", f"reached {step}", started,
                                     users.having(step)) for step in FUNNEL_STEPS)
    health_error = proportion_sample(users, "health_error_ratio",
                                     "health-declaration error ratio",
                                     users.having("health_submit"),
                                     users.having("health_error"))
    views = health_views_sample(users)
    duration = duration_sample(log, users)
    adjusted = holm([conversion.p_value, health_error.p_value, views.p_value, duration.p_value])
    segments = {column: segment_conversions(log, users, column) for column in log.segments}
    return GrayComparison(
        sample_ratio=srm,
        conversion=replace(conversion, p_holm=adjusted[0]),
        funnel=funnel,
        health_error=replace(health_error, p_holm=adjusted[1]),
        health_error_attempt_ratio=_attempt_ratios(users.counts, users.cohort),
        health_views=replace(views, p_holm=adjusted[2]),
        application_duration=replace(duration, p_holm=adjusted[3]),
        premium=premium_sample(log),
        provenance=log.provenance,
        segments=segments,
    )


def _attempt_ratios(counts: np.ndarray, cohort: np.ndarray) -> tuple[float, float]:
    """health_error / health_submit events per cohort (descriptive: attempts cluster by user)."""
    member = cohort >= 0
    sums = [np.bincount(cohort[member], weights=counts[member, EVENT_CODE[name]], minlength=2)
            for name in ("health_submit", "health_error")]
    submits, errors = sums
    ratios = [float(errors[c] / submits[c]) if submits[c] else math.nan for c in (CONTROL, GRAY)]
    return (ratios[0], ratios[1])
