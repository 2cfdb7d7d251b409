"""Locust's own outputs (stats.csv, stats_history.csv, failures.csv, stats.json) into frozen
value objects; every defect is an EvidenceError naming the file, the line and the column.

Locust writes "N/A" in stats_history.csv before the first request; that reads as None (no value
yet), whereas an empty, truncated, non-numeric or NaN cell is an error: a broken file must make
a criterion INCONCLUSIVE, never pass it. Percentiles are Locust's: histogram buckets rounded to
about two significant digits (see `harness.gates.load.percentile_gate`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.readers.evidence_file import (
    read_json,
)
from harness.readers.locust_csv import MAX_RPS, Cells, csv_rows
from harness_contract import layout
from harness_contract.client_errors import generator_limit
from harness_contract.fields import MAX_EPOCH_S, MAX_MS

__all__ = [
    "FailureRecord", "HistoryRow", "LocustStats", "RequestHistory", "RequestStats",
    "read_failures", "read_locust_stats", "read_request_history",
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
    # failures.csv of the same run: the generator's own failures by errno name (EADDRNOTAVAIL,
    # EMFILE ...), {} when none; None when there was no failures.csv to tell
    client_failures: Mapping[str, int] | None = None

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
    cut short). Each request appears once, its percentiles do not decrease, failures are at
    most its requests, the Aggregated row is the sum of the others; failures.csv beside it
    must account for the same failures (see `client_failures_of`)."""
    rows = []
    for line, row in csv_rows(path, STATS_COLUMNS):
        rows.append(_stats_row(Cells(path, line, row)))
    seen: dict[tuple[str, str], int] = {}
    for index, r in enumerate(rows, start=2):
        key = (r.request_type, r.name)
        if key in seen:
            raise EvidenceError(f"request {r.name!r} ({r.request_type or 'no type'}) has a "
                                f"second row (the first is line {seen[key]}): ambiguous",
                                path=str(path), line=index)
        seen[key] = index
    if not any(r.name == AGGREGATED for r in rows):
        raise EvidenceError("no Aggregated row: the file is truncated (Locust writes it last); "
                            "run the load again", path=str(path))
    _aggregated_adds_up(path, rows)
    _rates_agree(path, rows)
    stats = LocustStats(tuple(rows), str(path))
    return LocustStats(stats.rows, stats.source, client_failures_of(stats, path.parent))


def _stats_row(cell: Cells) -> RequestStats:
    requests, failures = cell.count("Request Count"), cell.count("Failure Count")
    if failures > requests:
        raise cell.fail("Failure Count", f"more failures than the {requests} requests")
    pct = {float(c.rstrip("%")): cell.optional_number(c, MAX_MS) for c in PERCENTILE_COLUMNS}
    for column in PERCENTILE_COLUMNS:
        value = cell.optional_number(column, MAX_MS)
        if value is not None and value != int(value):
            raise cell.fail(column, "not a whole number of ms (Locust's percentiles are "
                                    "histogram buckets)")
    if requests and any(v is None for v in pct.values()):
        raise cell.fail("95%", "N/A although requests were recorded")
    previous: tuple[str, float] | None = None
    for column in PERCENTILE_COLUMNS:
        value = pct[float(column.rstrip("%"))]
        if value is not None and previous is not None and value < previous[1]:
            raise cell.fail(column, f"below the {previous[0]} column ({previous[1]:g}): "
                                    "percentiles must not decrease")
        previous = (column, value) if value is not None else previous
    low, high = cell.number("Min Response Time", MAX_MS), cell.number("Max Response Time", MAX_MS)
    median, avg = cell.number("Median Response Time", MAX_MS), \
        cell.number("Average Response Time", MAX_MS)
    if requests and not low * (1 - 1e-9) <= avg <= high * (1 + 1e-9):
        raise cell.fail("Average Response Time", f"outside min {low:g} .. max {high:g}")
    top = pct[100.0]
    if requests and top is not None and abs(top - high) > _bucket(high) / 2 + 1:
        raise cell.fail("100%", f"is not the maximum {high:g} rounded as Locust rounds")
    p50 = pct[50.0]
    # Locust's median is the 50% bucket clamped into [min, max] (locust.stats
    # median_response_time), so it may be a fraction where the 50% column is whole
    if requests and p50 is not None and median != min(max(p50, low), high):
        raise cell.fail("Median Response Time", f"differs from the 50% column ({p50:g}) "
                                                f"held within min {low:g} .. max {high:g}")
    return RequestStats(
        request_type=cell.row["Type"], name=cell.row["Name"] or AGGREGATED,
        request_count=requests, failure_count=failures, median_ms=median, avg_ms=avg,
        min_ms=low, max_ms=high, rps=cell.number("Requests/s", MAX_RPS),
        failures_per_s=cell.number("Failures/s", MAX_RPS), percentiles_ms=pct)


def _bucket(value_ms: float) -> float:
    """Width of Locust's response-time bucket around value_ms (two significant digits)."""
    return 1.0 if value_ms < 100 else 10.0 if value_ms < 1000 else 100.0 \
        if value_ms < 10000 else 1000.0


def _aggregated_adds_up(path: Path, rows: Sequence[RequestStats]) -> None:
    total = next(r for r in rows if r.name == AGGREGATED)
    others = [r for r in rows if r.name != AGGREGATED]
    if total.request_count:
        mean = sum(r.avg_ms * r.request_count for r in others) / total.request_count
        if abs(mean - total.avg_ms) > 1e-6 * max(mean, 1.0) + 0.01:
            raise EvidenceError(f"column 'Average Response Time' of the Aggregated row is "
                                f"{total.avg_ms:g} but the requests above it average "
                                f"{mean:g}: a row's average was altered", path=str(path))
    for what, mine, summed in (
            ("Request Count", total.request_count, sum(r.request_count for r in others)),
            ("Failure Count", total.failure_count, sum(r.failure_count for r in others))):
        if mine != summed:
            raise EvidenceError(f"column {what!r} of the Aggregated row is {mine:,} but the "
                                f"requests above it sum to {summed:,}: rows are missing or "
                                "altered", path=str(path))


def _rates_agree(path: Path, rows: Sequence[RequestStats]) -> None:
    """Locust divides every row's count by the same span of the run: a row whose count over
    its rate gives another span, or a rate without requests, was altered."""
    spans = []
    for index, r in enumerate(rows, start=2):
        if (r.rps > 0) != (r.request_count > 0) or \
                (r.failures_per_s > 0) != (r.failure_count > 0):
            raise EvidenceError(f"request {r.name!r}: requests/s {r.rps:g} and failures/s "
                                f"{r.failures_per_s:g} do not match its {r.request_count} "
                                f"requests and {r.failure_count} failures", path=str(path),
                                line=index)
        if r.request_count:
            spans.append((r.request_count / r.rps, index, r.name))
    if spans and max(s for s, _, _ in spans) > 1.02 * min(s for s, _, _ in spans) + 0.5:
        worst = max(spans)
        raise EvidenceError(f"request {worst[2]!r}: its count over its requests/s gives a run "
                            f"of {worst[0]:.1f} s, the other rows {min(spans)[0]:.1f} s: "
                            "columns were altered", path=str(path), line=worst[1])


def client_failures_of(stats: LocustStats, folder: Path) -> dict[str, int] | None:
    """The generator's own failures in failures.csv beside stats.csv (errno name ->
    occurrences); None when there is no failures.csv. Its occurrences per request must equal
    stats.csv's failures: a failures.csv of another run, or cut, is an EvidenceError."""
    path = folder / layout.FAILURES_CSV
    if not path.is_file():
        return None
    records = read_failures(path)
    by_request: dict[tuple[str, str], int] = {}
    for f in records:
        by_request[(f.method, f.name)] = by_request.get((f.method, f.name), 0) + f.occurrences
    for r in stats.rows:
        if r.name != AGGREGATED and by_request.pop((r.request_type, r.name), 0) != \
                r.failure_count:
            raise EvidenceError(f"failures of {r.name!r} do not add up to the {r.failure_count:,}"
                                f" in {stats.source}: the files are from different runs or cut",
                                path=str(path))
    if by_request:
        (method, name), _ = next(iter(by_request.items()))
        raise EvidenceError(f"failures of {method} {name!r}, a request {stats.source} does not "
                            "have: the files are from different runs", path=str(path))
    out: dict[str, int] = {}
    for f in records:
        kind = generator_limit(f.error)
        if kind and f.method != "JOURNEY":  # a purchase aborted by it repeats the same failure
            out[kind] = out.get(kind, 0) + f.occurrences
    return out


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
    for line, row in csv_rows(path, HISTORY_COLUMNS):
        cell = Cells(path, line, row)
        if cell.number("Timestamp", MAX_EPOCH_S) < 946_684_800:
            raise cell.fail("Timestamp", "not a time since 2000")
        yield HistoryRow(
            timestamp_s=cell.count("Timestamp"), user_count=cell.count("User Count"),
            rps=cell.number("Requests/s", MAX_RPS),
            failures_per_s=cell.number("Failures/s", MAX_RPS),
            p95_ms=cell.optional_number("95%", MAX_MS),
            total_requests=cell.count("Total Request Count"),
            total_failures=cell.count("Total Failure Count"), name=row["Name"] or AGGREGATED,
            request_type=row["Type"])


def read_failures(path: Path) -> tuple[FailureRecord, ...]:
    """failures.csv; a header alone is valid (no failures)."""
    out = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in csv_rows(path, FAILURE_COLUMNS, allow_no_rows=True):
        cell = Cells(path, line, row)
        key = (row["Method"], row["Name"], row["Error"])
        if key in seen:
            raise EvidenceError(f"the same failure is on line {seen[key]} already: ambiguous",
                                path=str(path), line=line)
        seen[key] = line
        occurrences = cell.count("Occurrences")
        if occurrences == 0:
            raise cell.fail("Occurrences", "a failure that never occurred")
        out.append(FailureRecord(row["Method"], row["Name"], row["Error"], occurrences))
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
