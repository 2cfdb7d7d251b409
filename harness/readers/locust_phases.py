"""Per-phase Locust statistics: the requests made during chosen phases only (warm-up left
out), from the cumulative histograms the master wrote at each phase end (phase_stats.jsonl),
with percentiles computed the way Locust computes them. Split from `harness.readers.locust`,
whose value objects it returns."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import EvidenceError
from harness.readers.evidence_file import as_evidence_error, json_lines
from harness.readers.locust import (
    AGGREGATED,
    PERCENTILE_COLUMNS,
    LocustStats,
    RequestStats,
    read_locust_stats,
)
from harness_contract import layout
from harness_contract.fields import Obj

__all__ = ["read_phase_stats"]


def read_phase_stats(path: Path, phases: Sequence[str]) -> LocustStats:
    """The requests made during the named phases only, from phase_stats.jsonl (cumulative
    histograms the master wrote at each phase end): each phase is its end snapshot minus the
    one before, so a steady-state percentile leaves the warm-up out. Percentiles are computed
    the way Locust does, on the same rounded histogram. A phase without an end snapshot (the
    run stopped before it ended) is an EvidenceError."""
    with as_evidence_error():
        snapshots = [_snapshot(Obj(d, str(path), line)) for line, d in json_lines(path)]
    counts: dict[str, _Counts] = {}
    duration_s = 0.0
    for phase in phases:
        index = next((i for i, s in enumerate(snapshots) if s[1] == phase), None)
        if index is None or index == 0:
            raise EvidenceError(f"no snapshot at the end of phase {phase!r}: the run stopped "
                                "before it ended", path=str(path))
        end = snapshots[index]
        if index + 1 < len(snapshots) and snapshots[index + 1][1] == "final":
            end = snapshots[index + 1]  # the last phase: the final report is the complete one
        start = snapshots[index - 1]
        duration_s += end[0] - start[0]
        for name, c in end[2].items():
            before = start[2].get(name, _Counts(c.method, 0, 0, {}))
            counts.setdefault(name, _Counts(c.method, 0, 0, {})).add(c, before)
    rows = [_window_row(name, c, duration_s) for name, c in counts.items() if c.requests]
    if not rows:
        raise EvidenceError(f"no request in phase(s) {', '.join(phases)}", path=str(path))
    total = _Counts("", 0, 0, {})
    for c in counts.values():
        total.add(c, _Counts("", 0, 0, {}))
    stats = LocustStats((*rows, _window_row(AGGREGATED, total, duration_s)),
                        f"{path} ({', '.join(phases)})")
    whole = path.parent / layout.STATS_CSV
    return LocustStats(stats.rows, stats.source,
                       read_locust_stats(whole).client_failures if whole.is_file() else None)


@dataclass
class _Counts:
    method: str
    requests: int
    failures: int
    histogram_ms: dict[int, int]

    def add(self, end: _Counts, start: _Counts) -> None:
        self.requests += end.requests - start.requests
        self.failures += end.failures - start.failures
        for ms, n in end.histogram_ms.items():
            delta = n - start.histogram_ms.get(ms, 0)
            if delta:
                self.histogram_ms[ms] = self.histogram_ms.get(ms, 0) + delta


def _snapshot(f: Obj) -> tuple[float, str | None, dict[str, _Counts]]:
    entries = f.obj("entries")
    out = {}
    for name in entries.data:
        e = entries.obj(name)
        histogram = e.counts("response_times", str.isdigit, "whole milliseconds")
        out[str(name)] = _Counts(e.text("method", empty_ok=True), e.integer("num_requests"),
                                 e.integer("num_failures"),
                                 {int(k): n for k, n in histogram.items()})
    return f.number("t_s", hi=1e7), f.opt_text("ended"), out


def _window_row(name: str, c: _Counts, duration_s: float) -> RequestStats:
    n = sum(c.histogram_ms.values())
    pct = {float(col.rstrip("%")): _percentile(c.histogram_ms, n, float(col.rstrip("%")) / 100)
           for col in PERCENTILE_COLUMNS}
    keys = sorted(c.histogram_ms)
    avg = sum(k * v for k, v in c.histogram_ms.items()) / n if n else 0.0
    per_s = duration_s if duration_s > 0 else math.inf
    return RequestStats(
        request_type=c.method, name=name, request_count=c.requests, failure_count=c.failures,
        median_ms=pct[50.0] or 0.0, avg_ms=avg, min_ms=float(keys[0]) if keys else 0.0,
        max_ms=float(keys[-1]) if keys else 0.0, rps=c.requests / per_s,
        failures_per_s=c.failures / per_s, percentiles_ms=pct)


def _percentile(histogram_ms: Mapping[int, int], n: int, fraction: float) -> float | None:
    """locust.stats.calculate_response_time_percentile on a histogram difference."""
    if n == 0:
        return None
    wanted = int(n * fraction)
    seen = 0
    for ms in sorted(histogram_ms, reverse=True):
        seen += histogram_ms[ms]
        if n - seen <= wanted:
            return float(ms)
    return 0.0
