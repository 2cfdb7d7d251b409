"""Funnel metrics of the two cohorts, counted per user from an EventLog.

Every metric is per user, so observations are independent and the two-sample methods apply:
- conversion: users with policy_issued among users with journey_start (docs/contracts.md);
  each funnel step likewise among users with journey_start;
- health-declaration error ratio: users with at least one health_error among users with at
  least one health_submit (attempts of one user are not independent, so the attempt ratio
  health_error / health_submit is reported but not tested);
- health-declaration views per user (健康告知跳转次数): count of health_view among users with one;
- time on the application page (投保页停留时长): a user's mean application_submit value, s;
- premium per policy: policy_issued values in fen, one per policy (descriptive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from harness.gray.events import CONTROL, EVENT_CODE, EVENTS, GRAY, EventLog
from harness.gray.means import MeanSummary, welch
from harness.gray.proportions import pooled_z_test
from harness.gray.ranks import mann_whitney
from harness.gray.samples import DurationSample, MeanSample, ProportionSample

__all__ = ["FUNNEL_STEPS", "UserCounts", "count_users", "duration_sample", "health_views_sample",
           "premium_sample", "proportion_sample", "segment_conversions"]

FUNNEL_STEPS = ("notice_ack", "health_view", "application_view", "application_submit",
                "confirm_view", "payment", "policy_issued")


@dataclass(frozen=True, eq=False)
class UserCounts:
    """Events per user and type (n_users x len(EVENTS)) and each user's cohort (-1: no events)."""

    counts: NDArray[np.int64]
    cohort: NDArray[np.int8]

    def users(self, cohort: int) -> int:
        return int((self.cohort == cohort).sum())

    def having(self, event: str) -> NDArray[np.bool_]:
        return np.asarray(self.counts[:, EVENT_CODE[event]] > 0)


def count_users(log: EventLog) -> UserCounts:
    """One bincount over (user, event) pairs: O(rows), no group-by. A user's cohort is the
    cohort of any of their rows: readers drop users seen in both."""
    n_events = len(EVENTS)
    flat = np.bincount(log.user * n_events + log.event, minlength=log.n_users * n_events)
    cohort = np.full(log.n_users, -1, np.int8)
    cohort[log.user] = log.cohort
    return UserCounts(flat.reshape(log.n_users, n_events), cohort)


def proportion_sample(users: UserCounts, name: str, label: str, eligible: NDArray[np.bool_],
                      success: NDArray[np.bool_]) -> ProportionSample:
    """Users with `success` among `eligible` users, per cohort, with the pooled z test."""
    counts = []
    for cohort in (CONTROL, GRAY):
        base = eligible & (users.cohort == cohort)
        counts += [int((base & success).sum()), int(base.sum())]
    c_s, c_n, g_s, g_n = counts
    _, p = pooled_z_test(g_s, g_n, c_s, c_n)
    return ProportionSample(name, label, c_s, c_n, g_s, g_n, p_value=p)


def _per_user_values(log: EventLog, event: str) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Mean value of `event` per user (nan where the user has none) and the has-value mask."""
    rows = (log.event == EVENT_CODE[event]) & ~np.isnan(log.value)
    sums = np.bincount(log.user[rows], weights=log.value[rows], minlength=log.n_users)
    counts = np.bincount(log.user[rows], minlength=log.n_users)
    has = counts > 0
    means = np.full(log.n_users, np.nan)
    means[has] = sums[has] / counts[has]
    return means, has


def _frozen_sorted(values: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.sort(values)
    out.flags.writeable = False
    return out


def duration_sample(log: EventLog, users: UserCounts) -> DurationSample:
    """Per-user mean seconds on the application page, with the Mann-Whitney p-value."""
    means, has = _per_user_values(log, "application_submit")
    control = _frozen_sorted(means[has & (users.cohort == CONTROL)])
    gray = _frozen_sorted(means[has & (users.cohort == GRAY)])
    _, p = mann_whitney(gray, control)
    return DurationSample("application_duration_s", "time on the application page", control,
                          gray, p_value=p)


def _summary(values: NDArray[np.float64]) -> MeanSummary:
    n = len(values)
    mean = float(values.mean()) if n else float("nan")
    var = float(values.var(ddof=1)) if n > 1 else float("nan")
    return MeanSummary(n, mean, var)


def health_views_sample(users: UserCounts) -> MeanSample:
    """health_view events per user, among users who saw the declaration at least once."""
    views = users.counts[:, EVENT_CODE["health_view"]].astype(np.float64)
    seen = views > 0
    control = _summary(views[seen & (users.cohort == CONTROL)])
    gray = _summary(views[seen & (users.cohort == GRAY)])
    return MeanSample("health_views_per_user", "health-declaration views per user", "views",
                      control, gray, p_value=welch(control, gray).p_value)


def premium_sample(log: EventLog) -> MeanSample:
    """Premium of each issued policy (fen); descriptive: a price change is not a regression."""
    rows = (log.event == EVENT_CODE["policy_issued"]) & ~np.isnan(log.value)
    control = _summary(log.value[rows & (log.cohort == CONTROL)])
    gray = _summary(log.value[rows & (log.cohort == GRAY)])
    return MeanSample("premium_per_policy_fen", "premium per policy", "fen", control, gray,
                      p_value=welch(control, gray).p_value)


def segment_conversions(log: EventLog, users: UserCounts,
                        column: str) -> tuple[ProportionSample, ...]:
    """Conversion per segment value: users who started a journey in the segment, and of them
    those with a policy_issued event in the same segment."""
    codes, names = log.segments[column]
    n_seg = len(names)
    if n_seg == 0:
        return ()
    out = []
    started = _user_segment(log, codes, n_seg, "journey_start")
    issued = _user_segment(log, codes, n_seg, "policy_issued")
    for seg, seg_name in enumerate(names):
        out.append(proportion_sample(users, f"conversion[{column}={seg_name}]",
                                     f"conversion, {column} {seg_name}", started[:, seg],
                                     issued[:, seg]))
    return tuple(out)


def _user_segment(log: EventLog, codes: NDArray[np.int32], n_seg: int,
                  event: str) -> NDArray[np.bool_]:
    rows = (log.event == EVENT_CODE[event]) & (codes >= 0)
    flat = np.bincount(log.user[rows] * n_seg + codes[rows], minlength=log.n_users * n_seg)
    return np.asarray(flat.reshape(log.n_users, n_seg) > 0)
