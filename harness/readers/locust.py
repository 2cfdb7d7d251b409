"""Locust's own outputs (stats.csv, stats_history.csv, failures.csv, stats.json) into frozen
value objects; every defect is an EvidenceError naming the file, the line and the column.

Locust writes "N/A" in stats_history.csv before the first request; that reads as None (no value
yet), whereas an empty, truncated, non-numeric or NaN cell is an error: a broken file must make
a criterion INCONCLUSIVE, never pass it. Percentiles are Locust's: histogram buckets rounded to
about two significant digits (see `harness.gates.load.percentile_gate`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.readers.evidence_file import read_evidence_text
from harness.readers.generator import LOAD_HINT, Fields, json_lines, read_json

__all__ = [
    "FailureRecord", "HistoryRow", "LocustStats", "RequestHistory", "RequestStats",
    "read_failures", "read_locust_stats", "read_phase_stats", "read_request_history",
    "read_stats_history", "read_stats_json",
]

PERCENTILE_COLUMNS = ("50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%",
                      "99.99%", "100%")
STATS_COLUMNS = ("Type", "Name", "Request Count", "Failure Count", "Median Response Time",
                 "Average Response Time", "Min Response Time", "Max Response Time",
                 "Requests/s", "Failures/s", *PERCENTILE_COLUMNS)
HISTORY_COLUMNS = ("Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s",
                   "95%", "Total Request Count", "Total Failure Count")
FAILURE_COLUMNS = ("Method", "Name", "Error", "Occurrences")
AGGREGATED = "Aggregated"


@dataclass(frozen=True)
class RequestStats:
    """One row of stats.csv: a request name (or the Aggregated row) over the whole run."""

    request_type: str
    name: str
    request_count: int
    failure_count: int
    median_ms: float
    avg_ms: float
    min_ms: float
    max_ms: float
    rps: float
    failures_per_s: float
    # percent (50.0, 95.0, 99.9 ...) -> ms; None where Locust wrote "N/A" (no successful request)
    percentiles_ms: Mapping[float, float | None] = field(default_factory=dict)

    @property
    def error_ratio(self) -> float:
        return self.failure_count / self.request_count if self.request_count else math.nan


@dataclass(frozen=True)
class LocustStats:
    """stats.csv: per-request rows plus the Aggregated row (which includes custom events)."""

    rows: tuple[RequestStats, ...]
    source: str

    def get(self, name: str) -> RequestStats | None:
        return next((r for r in self.rows if r.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rows)

    @property
    def http_rows(self) -> tuple[RequestStats, ...]:
        """HTTP requests only: not the Aggregated row, not custom events such as `purchase`."""
        return tuple(r for r in self.rows if r.name != AGGREGATED and r.request_type != "JOURNEY")


@dataclass(frozen=True)
class HistoryRow:
    """One line of stats_history.csv (Locust writes one per second and request name).

    `p95_ms` is Locust's *current* percentile: over roughly the last 10 seconds
    (locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW), not since the start."""

    timestamp_s: int
    user_count: int
    rps: float
    failures_per_s: float
    p95_ms: float | None
    total_requests: int
    total_failures: int
    name: str = AGGREGATED
    request_type: str = ""


@dataclass(frozen=True)
class RequestHistory:
    """stats_history.csv per HTTP request name (not Aggregated, not the `purchase` event)."""

    rows: Mapping[str, tuple[HistoryRow, ...]]
    source: str


@dataclass(frozen=True)
class FailureRecord:
    method: str
    name: str
    error: str
    occurrences: int


def read_locust_stats(path: Path) -> LocustStats:
    """Read stats.csv; needs the Aggregated row (Locust writes it last: without it the file was
    cut short)."""
    rows = []
    for line, row in _csv_rows(path, STATS_COLUMNS):
        cell = _Cells(path, line, row)
        rows.append(RequestStats(
            request_type=row["Type"], name=row["Name"] or AGGREGATED,
            request_count=cell.count("Request Count"), failure_count=cell.count("Failure Count"),
            median_ms=cell.number("Median Response Time"),
            avg_ms=cell.number("Average Response Time"),
            min_ms=cell.number("Min Response Time"), max_ms=cell.number("Max Response Time"),
            rps=cell.number("Requests/s"), failures_per_s=cell.number("Failures/s"),
            percentiles_ms={float(c.rstrip("%")): cell.optional_number(c)
                            for c in PERCENTILE_COLUMNS}))
    if not any(r.name == AGGREGATED for r in rows):
        raise EvidenceError("no Aggregated row: the file is truncated (Locust writes it last); "
                            "run the load again", path=str(path))
    return LocustStats(tuple(rows), str(path))


def read_stats_history(path: Path, name: str = AGGREGATED) -> tuple[HistoryRow, ...]:
    """The rows of one name (default Aggregated) of stats_history.csv in time order ("N/A"
    percentile -> None)."""
    out = [r for r in _history_rows(path) if r.name == name]
    if not out:
        raise EvidenceError(f"no {name} rows", path=str(path))
    return tuple(out)


def read_request_history(path: Path) -> RequestHistory:
    """Every HTTP request name's rows of stats_history.csv (Locust's --csv-full-history), in
    time order; the Aggregated row and JOURNEY events (think time included) are left out."""
    rows: dict[str, list[HistoryRow]] = {}
    for r in _history_rows(path):
        if r.name != AGGREGATED and r.request_type != "JOURNEY":
            rows.setdefault(r.name, []).append(r)
    if not rows:
        raise EvidenceError("no per-request rows: was Locust run with --csv-full-history?",
                            path=str(path))
    return RequestHistory({k: tuple(v) for k, v in rows.items()}, str(path))


def _history_rows(path: Path) -> Iterator[HistoryRow]:
    for line, row in _csv_rows(path, HISTORY_COLUMNS):
        cell = _Cells(path, line, row)
        yield HistoryRow(
            timestamp_s=cell.count("Timestamp"), user_count=cell.count("User Count"),
            rps=cell.number("Requests/s"), failures_per_s=cell.number("Failures/s"),
            p95_ms=cell.optional_number("95%"), total_requests=cell.count("Total Request Count"),
            total_failures=cell.count("Total Failure Count"), name=row["Name"] or AGGREGATED,
            request_type=row["Type"])


def read_failures(path: Path) -> tuple[FailureRecord, ...]:
    """failures.csv; a header alone is valid (no failures)."""
    out = []
    for line, row in _csv_rows(path, FAILURE_COLUMNS, allow_no_rows=True):
        cell = _Cells(path, line, row)
        out.append(FailureRecord(row["Method"], row["Name"], row["Error"],
                                 cell.count("Occurrences")))
    return tuple(out)


def read_stats_json(path: Path) -> tuple[Mapping[str, Any], ...]:
    """stats.json (Locust's --json-file): one entry per request name with its histogram."""
    data = read_json(path)
    if not isinstance(data, list) or not data:
        raise EvidenceError("expected a non-empty list of request entries", path=str(path))
    for index, entry in enumerate(data):
        missing = [k for k in ("name", "method", "num_requests", "num_failures",
                               "response_times") if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise EvidenceError(f"entry {index} has no field {missing[0]!r}", path=str(path))
    return tuple(data)


def read_phase_stats(path: Path, phases: Sequence[str]) -> LocustStats:
    """The requests made during the named phases only, from phase_stats.jsonl (cumulative
    histograms the master wrote at each phase end): each phase is its end snapshot minus the
    one before, so a steady-state percentile leaves the warm-up out. Percentiles are computed
    the way Locust does, on the same rounded histogram. A phase without an end snapshot (the
    run stopped before it ended) is an EvidenceError."""
    snapshots = [_snapshot(Fields(d, str(path), line)) for line, d in json_lines(path)]
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
    return LocustStats((*rows, _window_row(AGGREGATED, total, duration_s)),
                       f"{path} ({', '.join(phases)})")


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


def _snapshot(f: Fields) -> tuple[float, str | None, dict[str, _Counts]]:
    entries = f.raw("entries")
    if not isinstance(entries, dict):
        raise f._fail("entries", "is not an object")
    out = {}
    for name, raw in entries.items():
        e = Fields(raw, f.source, f.line, f"entries.{name}.")
        hist = Fields(e.raw("response_times"), f.source, f.line, f"entries.{name}.rt.")
        out[str(name)] = _Counts(str(e.text("method")), e.whole("num_requests"),
                                 e.whole("num_failures"),
                                 {int(k): hist.whole(k) for k in hist.data})
    return f.real("t_s"), f.text("ended", optional=True), out


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


def _csv_rows(path: Path, required: tuple[str, ...],
              allow_no_rows: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; header is line 1; short rows are truncation."""
    lines = read_evidence_text(path, LOAD_HINT).splitlines()
    reader = csv.reader(lines)
    header = next(reader)
    missing = [c for c in required if c not in header]
    if missing:
        raise EvidenceError(f"no column {missing[0]!r}; is this a Locust --csv file?",
                            path=str(path), line=1)
    count = 0
    for index, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            raise EvidenceError(f"{len(values)} cells, header has {len(header)}: the line is "
                                "truncated", path=str(path), line=index)
        count += 1
        yield index, dict(zip(header, values, strict=True))
    if not count and not allow_no_rows:
        raise EvidenceError("header but no rows: the run recorded nothing", path=str(path))


class _Cells:
    """Typed access to one CSV row that names file, line and column on any defect."""

    def __init__(self, path: Path, line: int, row: Mapping[str, str]) -> None:
        self.path, self.line, self.row = path, line, row

    def _fail(self, column: str, what: str) -> EvidenceError:
        return EvidenceError(f"column {column!r} is {self.row.get(column)!r}: {what}",
                             path=str(self.path), line=self.line)

    def number(self, column: str) -> float:
        raw = self.row.get(column, "").strip()
        try:
            value = float(raw)
        except ValueError:
            raise self._fail(column, "not a number") from None
        if not math.isfinite(value):
            raise self._fail(column, "not a finite number")
        return value

    def optional_number(self, column: str) -> float | None:
        return None if self.row.get(column, "").strip() == "N/A" else self.number(column)

    def count(self, column: str) -> int:
        value = self.number(column)
        if value != int(value) or value < 0:
            raise self._fail(column, "not a count")
        return int(value)
