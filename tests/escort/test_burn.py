"""Multiwindow error-budget burn rates (harness.escort.burn): the SRE workbook's pairs, their
scaling to the watch window, and "no requests" read as no data, never as no burn."""

from __future__ import annotations

import math

import pytest

from harness.escort.burn import (
    BURNING,
    NO_DATA,
    OK,
    SRE_PAIRS,
    SRE_PERIOD_S,
    BurnPoint,
    burn_alerts,
    burn_rate,
    burn_timeline,
    evaluate_burn,
    scale_pairs,
)

DAY = 86_400.0


def test_burn_rate_is_the_error_ratio_over_the_budget() -> None:
    assert burn_rate(144, 10_000, 0.999) == pytest.approx(14.4)
    assert burn_rate(0, 10_000, 0.999) == 0.0
    assert burn_rate(0, 0, 0.999) is None  # no requests: no data, not "no burn"
    with pytest.raises(ValueError, match="SLO"):
        burn_rate(1, 10, 1.0)


def test_the_workbook_pairs_spend_2_and_5_percent_of_a_30_day_budget() -> None:
    assert [round(p.budget_fraction, 4) for p in SRE_PAIRS] == [0.02, 0.05]
    # a 30-day watch checked every 5 minutes keeps the workbook's windows exactly
    fast, slow = scale_pairs(30 * DAY, 300.0)
    assert (fast.long_s, fast.short_s, slow.long_s, slow.short_s) == (3600, 300, 21600, 1800)
    assert (fast.budget_fraction, slow.budget_fraction) == pytest.approx((0.02, 0.05))


def test_windows_scale_with_the_watch_and_keep_the_budget_fraction() -> None:
    # 72 h = 1/10 of 30 days: 1 h -> 6 min, 5 min -> 30 s, 6 h -> 36 min, 30 min -> 3 min
    fast, slow = scale_pairs(72 * 3600.0, 30.0)
    assert (fast.long_s, fast.short_s, slow.long_s, slow.short_s) == (360, 30, 2160, 180)
    assert (fast.factor, slow.factor) == (14.4, 6.0)
    assert (fast.budget_fraction, slow.budget_fraction) == pytest.approx((0.02, 0.05))


def test_windows_shorter_than_the_interval_round_up_to_whole_intervals() -> None:
    # the default watch: 72 h checked every 15 min
    fast, slow = scale_pairs()
    assert (fast.long_intervals, fast.short_intervals) == (1, 1)
    assert (slow.long_intervals, slow.short_intervals) == (3, 1)  # 36 min -> 45 min
    assert slow.budget_fraction == pytest.approx(6 * 2700 / (72 * 3600))  # 6.25 %, stated
    assert "45 min" in slow.describe() and "of its budget" in slow.describe()
    # a compressed 10-minute watch checked every 30 s: every window is one interval
    assert {(p.long_intervals, p.short_intervals) for p in scale_pairs(600.0, 30.0)} == {(1, 1)}


@pytest.mark.parametrize(("window", "interval"), [(0.0, 1.0), (60.0, -1.0), (60.0, 120.0),
                                                  (math.nan, 1.0)])
def test_bad_windows_are_refused(window: float, interval: float) -> None:
    with pytest.raises(ValueError, match=r"interval|window"):
        scale_pairs(window, interval)


def steady(checks: int, errors: float, requests: float, interval: float = 300.0,
           start: float = 1.8e9) -> list[BurnPoint]:
    return [BurnPoint(start + i * interval, errors, requests) for i in range(checks)]


WORKBOOK = {"watch_window_s": 30 * DAY, "interval_s": 300.0}  # the workbook's own windows


def test_a_healthy_store_burns_below_every_factor() -> None:
    checks = evaluate_burn(steady(100, 5, 10_000), **WORKBOOK)  # 0.05 %: 0.5x
    assert [c.status for c in checks] == [OK, OK]
    assert checks[0].long.burn == pytest.approx(0.5)
    assert burn_alerts(steady(100, 5, 10_000), **WORKBOOK) == []


def test_a_sustained_burn_pages_on_both_pairs() -> None:
    series = steady(100, 5, 10_000) + steady(72, 200, 10_000, start=1.8e9 + 100 * 300)
    checks = evaluate_burn(series, **WORKBOOK)  # 2 % errors: 20x for the last 6 h
    assert [c.status for c in checks] == [BURNING, BURNING]
    fast = checks[0]
    assert fast.long.burn == pytest.approx(20.0) and fast.long.intervals == 12
    assert "20x over 1 h" in fast.describe() and "14.4x over 1 h" in fast.describe()
    assert [a.pair.factor for a in burn_alerts(series, **WORKBOOK)] == [14.4, 6.0]


def test_a_short_spike_does_not_page_and_a_recovered_burn_stops_paging() -> None:
    spike = [*steady(100, 5, 10_000), BurnPoint(1.8e9 + 100 * 300, 500, 10_000)]
    fast = evaluate_burn(spike, **WORKBOOK)[0]
    assert fast.short.burn == pytest.approx(50.0) and fast.long.burn < 14.4
    assert fast.status == OK  # the long window says it does not matter (yet)
    recovered = (steady(100, 5, 10_000) + steady(11, 300, 10_000, start=1.8e9 + 30_000)
                 + [BurnPoint(1.8e9 + 111 * 300, 0, 10_000)])
    fast = evaluate_burn(recovered, **WORKBOOK)[0]
    assert fast.long.burn >= 14.4 and fast.short.burn == 0.0
    assert fast.status == OK  # the short window says it is over


def test_no_requests_or_missing_counts_are_no_data_never_no_burn() -> None:
    quiet = [*steady(20, 0, 10_000), BurnPoint(1.8e9 + 20 * 300, 0, 0)]
    checks = evaluate_burn(quiet, **WORKBOOK)
    # the fast pair's 5-minute window saw nothing; the slow pair's 30 minutes still have data
    assert [c.status for c in checks] == [NO_DATA, OK]
    assert checks[0].short.burn is None and "no data over 5 min" in checks[0].describe()
    assert burn_alerts(quiet, **WORKBOOK) == []  # empty, and evaluate_burn says why
    unreachable = [*steady(20, 0, 10_000), BurnPoint(1.8e9 + 20 * 300, None, None)]
    fast, slow = evaluate_burn(unreachable, **WORKBOOK)
    assert (fast.status, slow.status, slow.short.missing) == (NO_DATA, OK, 1)
    # at the default 72 h / 15 min every pair's short window is that one interval
    every_15_min = [*steady(20, 0, 10_000, interval=900.0),
                    BurnPoint(1.8e9 + 20 * 900, None, None)]
    assert {c.status for c in evaluate_burn(every_15_min)} == {NO_DATA}


def test_a_skipped_check_is_a_missing_interval() -> None:
    series = steady(30, 1, 1000)
    del series[25]
    fast = evaluate_burn(series, **WORKBOOK)[0]
    assert (fast.long.intervals, fast.long.missing) == (12, 1)
    assert fast.long.requests == 11_000 and "1 of 12 intervals missing" in fast.describe()


def test_the_first_checks_use_the_intervals_that_exist() -> None:
    timeline = burn_timeline(steady(3, 1, 1000), **WORKBOOK)
    assert [t[0].long.intervals for t in timeline] == [1, 2, 3]
    assert [t[0].long.missing for t in timeline] == [0, 0, 0]


def test_compressed_time_degradation_pages_within_one_interval() -> None:
    # a 10-minute watch every 30 s: healthy, then 5 % payment errors from check 10
    series = [(1.8e9 + 30 * i, 0.0 if i < 10 else 5.0, 100.0) for i in range(14)]
    timeline = burn_timeline(series, watch_window_s=600.0, interval_s=30.0)
    first = next(i for i, t in enumerate(timeline) if any(c.alert for c in t))
    assert first == 10


@pytest.mark.parametrize(("series", "problem"), [
    ([(1.8e9, 11, 10)], "more errors than requests"),
    ([(1.8e9, -1, 10)], "not a count"),
    ([(1.8e9, math.nan, 10)], "not a count"),
    ([(1.8e9, 1, 10), (1.8e9, 1, 10)], "not after the previous"),
    ([], "no checks"),
])
def test_bad_series_are_refused(series: list[tuple[float, float, float]],
                                problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        evaluate_burn(series)


def test_the_period_is_thirty_days() -> None:
    assert SRE_PERIOD_S == 2_592_000
