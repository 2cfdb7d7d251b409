"""The harness's own load evidence (written by harness_load/, read here without importing Locust):
generator.jsonl (generator health), phases.json (the plan), purchases.jsonl (what buyers were
told) and raw/store/reconciliation.json (what the store recorded).

Each file is parsed by its strict record in harness_contract (types, ranges, required keys,
internal consistency); then the files of one run are checked against each other, because a
file that reads cleanly can still belong to another run or be cut at a line boundary:
generator.jsonl against phases.json and against Locust's stats.csv totals, the purchase log
against Locust's own count of completed purchases. Every defect is an EvidenceError naming the
file, the line and the field; a criterion built on it becomes INCONCLUSIVE.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import EvidenceError
from harness.readers.evidence_file import LOAD_HINT, as_evidence_error, contract_record
from harness.readers.locust import LocustStats, read_locust_stats
from harness_contract import layout
from harness_contract.generator import (
    GeneratorLog,
    GeneratorSample,
    LoadPlanRecord,
    PlanPhase,
    WorkerSample,
    check_against_plan,
)
from harness_contract.purchases import PurchaseLine, PurchaseLog, check_against_locust
from harness_contract.reconciliation import ReconciliationRecord, StoreJourney

__all__ = [
    "GeneratorHealth", "GeneratorSample", "LoadPlan", "PlanPhase", "PurchaseRecord", "Purchases",
    "StoreJourney", "StoreReconciliation", "WorkerSample", "read_generator_health",
    "read_load_plan", "read_purchases", "read_reconciliation",
]

PurchaseRecord = PurchaseLine  # what one simulated buyer was told at payment
# generator.jsonl's request count (the workers' own, at their last sample before the end)
# against stats.csv's: the same run differs by the requests of the last sample interval.
TOTALS_TOLERANCE = 0.25
TOTALS_SLACK = 20


@dataclass(frozen=True)
class GeneratorHealth:
    """generator.jsonl, with what Locust's own files of the same run say about the generator:
    the HTTP totals of stats.csv (already checked to agree) and the client-side failures of
    failures.csv that were the generator's own (errno name -> occurrences); None: no
    failures.csv to tell."""

    samples: tuple[GeneratorSample, ...]
    source: str
    client_failures: Mapping[str, int] | None = field(default_factory=dict)


@dataclass(frozen=True)
class LoadPlan:
    """phases.json: the profile the generator was asked to produce."""

    profile: str
    started_at: float
    duration_s: float
    peak_users: int
    phases: tuple[PlanPhase, ...]
    requests_per_purchase: float
    think_per_purchase_s: float
    workers_expected: int
    source: str

    def phases_of(self, kind: str) -> tuple[PlanPhase, ...]:
        return tuple(p for p in self.phases if p.kind == kind)

    def planned_rps(self, users: float, avg_response_s: float) -> float:
        """Closed-loop rate of the plan: R requests per (think + R * response time)."""
        r = self.requests_per_purchase
        cycle_s = self.think_per_purchase_s + r * max(avg_response_s, 0.0)
        return users * r / cycle_s if cycle_s > 0 else math.nan


def read_generator_health(path: Path) -> GeneratorHealth:
    """generator.jsonl, checked against phases.json and stats.csv of the same folder (both
    required: a generator log alone cannot show it belongs to this run)."""
    log = contract_record(path, GeneratorLog.from_text, LOAD_HINT)
    plan = contract_record(path.parent / layout.PHASES_JSON, LoadPlanRecord.from_json, LOAD_HINT)
    with as_evidence_error():
        check_against_plan(log, plan)
    stats = read_locust_stats(path.parent / layout.STATS_CSV)
    _same_run(log, stats)
    return GeneratorHealth(log.samples, str(path), stats.client_failures)


def _same_run(log: GeneratorLog, stats: LocustStats) -> None:
    counted = sum(r.request_count for r in stats.http_rows)
    seen = log.final.requests_total
    if abs(seen - counted) > TOTALS_TOLERANCE * max(seen, counted) + TOTALS_SLACK:
        raise EvidenceError(
            f"field 'requests_total' of the final line is {seen:,} HTTP requests but "
            f"{stats.source} counts {counted:,}: the two files describe different runs "
            "(copy the whole raw/load folder of one run)", path=log.file,
            line=len(log.samples))


def read_load_plan(path: Path) -> LoadPlan:
    """phases.json, written by the master when the test started."""
    r = contract_record(path, LoadPlanRecord.from_json, LOAD_HINT)
    return LoadPlan(profile=r.profile, started_at=r.started_at, duration_s=r.duration_s,
                    peak_users=r.peak_users, phases=r.phases,
                    requests_per_purchase=r.requests_per_purchase,
                    think_per_purchase_s=r.think_per_purchase_s,
                    workers_expected=r.workers_expected, source=str(path))


@dataclass(frozen=True)
class Purchases:
    records: tuple[PurchaseRecord, ...]
    source: str

    @property
    def paid(self) -> tuple[PurchaseRecord, ...]:
        return tuple(r for r in self.records if r.status == "paid")


def read_purchases(path: Path) -> Purchases:
    """purchases.jsonl (merged by the launcher), checked against Locust's count of completed
    purchases in stats.csv of the same folder (its JOURNEY `purchase` row, when the user class
    records one). A file with no lines is valid only when the run had no payment; a missing
    file is an error."""
    if path.is_file() and not path.read_bytes().strip():
        log = PurchaseLog((), str(path))  # written empty: no payment was attempted
    else:
        log = contract_record(path, PurchaseLog.from_text, LOAD_HINT)
    stats = read_locust_stats(path.parent / layout.STATS_CSV)
    row = next((r for r in stats.rows if r.name == "purchase" and r.request_type == "JOURNEY"),
               None)
    if row is not None:
        with as_evidence_error():
            check_against_locust(log, row.request_count - row.failure_count,
                                 row.failure_count, stats.source)
    return Purchases(log.lines, str(path))


@dataclass(frozen=True)
class StoreReconciliation:
    """raw/store/reconciliation.json: the store's per-journey rows and its summary counts."""

    summary: Mapping[str, int]
    journeys: tuple[StoreJourney, ...] | None
    source: str


def read_reconciliation(path: Path) -> StoreReconciliation:
    """{"summary": {...counts} (optional), "journeys": [{journey_id, premium_fen, payments:
    [{charged_fen...}], policy_numbers: [...]}, ...]} (the demo shop's GET /api/reconciliation,
    or harness_load.reconciliation from SQL or CSV)."""
    r = contract_record(path, ReconciliationRecord.from_json, LOAD_HINT)
    return StoreReconciliation(r.summary, r.journeys, str(path))

