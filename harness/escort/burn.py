"""Error-budget burn rate over several windows, scaled to the escort's watch window.

The burn rate of a window is its error ratio divided by the error budget, 1 - SLO: at SLO
99.9 % a window with 1.44 % errors burns at 14.4x, i.e. at that pace the whole budget is gone
in 1/14.4 of the SLO period. The SRE workbook ("Alerting on SLOs", Site Reliability
Workbook, ch. 5, recommended multiwindow multi-burn-rate alerts) pages when BOTH windows of a
pair burn at or above the pair's factor (the long window says it matters, the short one that
it is still happening), for a 30-day SLO period:

    14.4x over 1 h, confirmed over 5 min   -> 2 % of the 30-day budget spent
     6x   over 6 h, confirmed over 30 min  -> 5 % of the 30-day budget spent

The scaling rule for a watch window W (72 h by default; minutes in tests and demos): every
window length is multiplied by W / 30 days and the burn factors stay, so a pair still fires
after the same fraction of the (watch's) budget is spent (factor x long window / period is
unchanged). The watch sees the store only once per check interval, so a scaled window is
rounded UP to whole intervals (at least one): at W = 72 h and 15-minute checks, 1 h -> 6 min ->
one interval, 5 min -> one interval, 6 h -> 36 min -> three intervals (45 min), 30 min -> one
interval. Rounding up lengthens a window, so a pair may need more than its nominal budget
fraction before it fires: each `ScaledPair` states the fraction it really stands for.

Counts come per check as the increase over that check's interval (raw/escort/samples.jsonl:
purchase_errors and purchase_requests). A window with no requests, or whose counts are
missing, is "no data": never "no burn".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["BURNING", "NO_DATA", "OK", "SRE_PAIRS", "SRE_PERIOD_S", "BurnCheck", "BurnPoint",
           "ScaledPair", "WindowBurn", "WindowPair", "burn_alerts", "burn_rate",
           "burn_timeline", "evaluate_burn", "scale_pairs"]

SRE_PERIOD_S = 30 * 86_400.0
WATCH_WINDOW_S = 72 * 3600.0
INTERVAL_S = 15 * 60.0
BURNING, OK, NO_DATA = "burning", "ok", "no data"


@dataclass(frozen=True)
class WindowPair:
    """One pair of the SRE workbook, for a 30-day SLO period."""

    name: str
    long_s: float
    short_s: float
    factor: float

    @property
    def budget_fraction(self) -> float:
        return self.factor * self.long_s / SRE_PERIOD_S


SRE_PAIRS = (WindowPair("14.4x over 1h/5m", 3600.0, 300.0, 14.4),
             WindowPair("6x over 6h/30m", 6 * 3600.0, 1800.0, 6.0))


@dataclass(frozen=True)
class ScaledPair:
    """A pair scaled to a watch window and rounded up to whole check intervals."""

    pair: WindowPair
    long_intervals: int
    short_intervals: int
    interval_s: float
    watch_window_s: float

    @property
    def factor(self) -> float:
        return self.pair.factor

    @property
    def long_s(self) -> float:
        return self.long_intervals * self.interval_s

    @property
    def short_s(self) -> float:
        return self.short_intervals * self.interval_s

    @property
    def budget_fraction(self) -> float:
        """Share of the watch's error budget a burn at `factor` over the long window spends."""
        return self.factor * self.long_s / self.watch_window_s

    def describe(self) -> str:
        return (f"{self.factor:g}x over {_span(self.long_s)} confirmed over "
                f"{_span(self.short_s)} (SRE workbook {self.pair.name}, scaled to a "
                f"{_span(self.watch_window_s)} watch: {self.budget_fraction:.1%} of its budget)")


def _span(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def scale_pairs(watch_window_s: float = WATCH_WINDOW_S, interval_s: float = INTERVAL_S,
                pairs: Sequence[WindowPair] = SRE_PAIRS) -> tuple[ScaledPair, ...]:
    """The pairs scaled by watch_window / 30 days, windows rounded up to whole intervals."""
    for name, value in (("watch window", watch_window_s), ("interval", interval_s)):
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"the {name} must be a positive number of seconds, got {value!r}")
    if interval_s > watch_window_s:
        raise ValueError(f"the interval ({interval_s:g} s) is longer than the watch window "
                         f"({watch_window_s:g} s)")
    scale = watch_window_s / SRE_PERIOD_S

    def intervals(seconds: float) -> int:
        return max(1, math.ceil(seconds * scale / interval_s - 1e-9))

    return tuple(ScaledPair(p, intervals(p.long_s), intervals(p.short_s), interval_s,
                            watch_window_s) for p in pairs)


@dataclass(frozen=True)
class BurnPoint:
    """One check: errors and requests counted over the interval that ends at `at` (UNIX s);
    None where the query returned no data."""

    at: float
    errors: float | None
    requests: float | None


@dataclass(frozen=True)
class WindowBurn:
    seconds: float
    intervals: int           # the intervals the window should hold (fewer at the watch's start)
    missing: int             # of those, how many had no counts
    errors: float
    requests: float
    burn: float | None       # None: no data (no requests, or every interval missing)


@dataclass(frozen=True)
class BurnCheck:
    """One pair at one check: `status` is BURNING, OK or NO_DATA."""

    pair: ScaledPair
    at: float
    long: WindowBurn
    short: WindowBurn
    status: str

    @property
    def alert(self) -> bool:
        return self.status == BURNING

    def describe(self) -> str:
        def one(w: WindowBurn) -> str:
            if w.burn is None:
                return f"no data over {_span(w.seconds)}"
            gap = f", {w.missing} of {w.intervals} intervals missing" if w.missing else ""
            return (f"{w.burn:.3g}x over {_span(w.seconds)} ({w.errors:.3g} errors in "
                    f"{w.requests:.0f} requests{gap})")
        where = {BURNING: "at or above", OK: "below", NO_DATA: "not judged against"}
        measured = one(self.long) if self.long.seconds == self.short.seconds \
            else f"{one(self.long)} and {one(self.short)}"  # a compressed watch: one window
        return f"{measured}: {where[self.status]} the alert {self.pair.describe()}"


def burn_rate(errors: float, requests: float, slo: float) -> float | None:
    """(errors / requests) / (1 - slo); None when there are no requests (no data)."""
    _check_slo(slo)
    if requests <= 0:
        return None
    return (errors / requests) / (1.0 - slo)


def _check_slo(slo: float) -> None:
    if not (isinstance(slo, float | int) and 0.0 < slo < 1.0):
        raise ValueError(f"the SLO must lie in (0, 1), e.g. 0.999, got {slo!r}")


def _points(series: Iterable[BurnPoint | tuple[float, float | None, float | None]],
            ) -> list[BurnPoint]:
    points = [p if isinstance(p, BurnPoint) else BurnPoint(*p) for p in series]
    last = -math.inf
    for i, p in enumerate(points):
        if not math.isfinite(p.at) or p.at <= last:
            raise ValueError(f"check {i}: time {p.at!r} is not after the previous check's")
        last = p.at
        for name, value in (("errors", p.errors), ("requests", p.requests)):
            if value is not None and (isinstance(value, bool) or not math.isfinite(value)
                                      or value < 0):
                raise ValueError(f"check {i}: {name} is {value!r}, not a count")
        if p.errors is not None and p.requests is not None and p.errors > p.requests:
            raise ValueError(f"check {i}: {p.errors:g} errors out of {p.requests:g} requests: "
                             "more errors than requests")
    return points


def _window(points: Sequence[BurnPoint], end: int, k: int, interval_s: float,
            slo: float) -> WindowBurn:
    """The k intervals ending at points[end] (by time: a skipped check is a missing one)."""
    end_at = points[end].at
    start_at = end_at - k * interval_s
    elapsed = round((end_at - points[0].at) / interval_s) + 1
    expected = min(k, elapsed)
    inside = []
    for i in range(end, -1, -1):  # newest first, stop at the window's start
        if points[i].at <= start_at + 1e-6 * interval_s:
            break
        inside.append(points[i])
    have = [p for p in inside if p.errors is not None and p.requests is not None]
    errors = sum(p.errors for p in have if p.errors is not None)
    requests = sum(p.requests for p in have if p.requests is not None)
    return WindowBurn(k * interval_s, expected, max(0, expected - len(have)), errors, requests,
                      burn_rate(errors, requests, slo) if have else None)


def _check(points: Sequence[BurnPoint], end: int, pair: ScaledPair, slo: float) -> BurnCheck:
    long = _window(points, end, pair.long_intervals, pair.interval_s, slo)
    short = _window(points, end, pair.short_intervals, pair.interval_s, slo)
    if long.burn is None or short.burn is None:
        status = NO_DATA
    elif long.burn >= pair.factor and short.burn >= pair.factor:
        status = BURNING
    else:
        status = OK
    return BurnCheck(pair, points[end].at, long, short, status)


def evaluate_burn(series: Iterable[BurnPoint | tuple[float, float | None, float | None]],
                  slo: float = 0.999, watch_window_s: float = WATCH_WINDOW_S,
                  interval_s: float = INTERVAL_S,
                  pairs: Sequence[WindowPair] = SRE_PAIRS) -> list[BurnCheck]:
    """Every pair at the LAST check of `series` (time, errors, requests per check, oldest
    first): BURNING when both windows burn at >= the factor, NO_DATA when either window has
    no requests or no counts, else OK."""
    _check_slo(slo)
    scaled = scale_pairs(watch_window_s, interval_s, pairs)
    points = _points(series)
    if not points:
        raise ValueError("no checks in the series: nothing to judge")
    return [_check(points, len(points) - 1, pair, slo) for pair in scaled]


def burn_alerts(series: Iterable[BurnPoint | tuple[float, float | None, float | None]],
                slo: float = 0.999, watch_window_s: float = WATCH_WINDOW_S,
                interval_s: float = INTERVAL_S,
                pairs: Sequence[WindowPair] = SRE_PAIRS) -> list[BurnCheck]:
    """The pairs burning at the last check (their windows and measured burn inside). Empty
    does NOT mean healthy: see `evaluate_burn` for pairs with no data."""
    return [c for c in evaluate_burn(series, slo, watch_window_s, interval_s, pairs) if c.alert]


def burn_timeline(series: Iterable[BurnPoint | tuple[float, float | None, float | None]],
                  slo: float = 0.999, watch_window_s: float = WATCH_WINDOW_S,
                  interval_s: float = INTERVAL_S,
                  pairs: Sequence[WindowPair] = SRE_PAIRS) -> list[list[BurnCheck]]:
    """`evaluate_burn` at every check of the series (for the report's timeline)."""
    _check_slo(slo)
    scaled = scale_pairs(watch_window_s, interval_s, pairs)
    points = _points(series)
    return [[_check(points, end, pair, slo) for pair in scaled] for end in range(len(points))]
