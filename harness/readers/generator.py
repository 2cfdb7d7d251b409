"""The harness's own load evidence (written by harness_load/, read here without importing Locust):
generator.jsonl (generator health), phases.json (the plan), purchases.jsonl (what buyers were
told) and raw/store/reconciliation.json (what the store recorded).

Every defect is an EvidenceError naming the file, the line and the field: an empty file, a cut
line, a missing field, NaN or a negative count. A criterion built on it becomes INCONCLUSIVE.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.readers.evidence_file import parse_json, read_evidence_text, read_json_lines

__all__ = [
    "GeneratorHealth", "GeneratorSample", "LoadPlan", "PlanPhase", "PurchaseRecord", "Purchases",
    "StoreJourney", "StoreReconciliation", "WorkerSample", "read_generator_health",
    "read_load_plan", "read_purchases", "read_reconciliation",
]


@dataclass(frozen=True)
class WorkerSample:
    """One worker's self-report, as the master last received it."""

    id: str
    state: str
    users: int
    cpu_percent: float | None
    loop_lag_ms_p95: float | None
    loop_lag_ms_max: float | None
    requests_total: int | None
    response_ms_total: float | None
    sampled_at: float | None
    socket_errors: Mapping[str, int]
    cpu_s_total: float | None = None
    rss_bytes: int | None = None


@dataclass(frozen=True)
class GeneratorSample:
    """One line of generator.jsonl: the whole generator at offset t_s of the test."""

    t_s: float
    phase: str | None
    phase_kind: str | None
    users_planned: int
    users_actual: int
    rps_planned: float
    rps_achieved: float
    workers_expected: int
    workers: tuple[WorkerSample, ...]
    socket_errors: Mapping[str, int]
    final: bool

    @property
    def workers_missing(self) -> int:
        return sum(1 for w in self.workers if w.state == "missing")


@dataclass(frozen=True)
class GeneratorHealth:
    samples: tuple[GeneratorSample, ...]
    source: str


@dataclass(frozen=True)
class PlanPhase:
    name: str
    kind: str
    start_s: float
    end_s: float
    users: int


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


class Fields:
    """Typed access to one JSON object that names file, line and field on any defect."""

    def __init__(self, data: Any, source: str, line: int | None, where: str = "") -> None:
        if not isinstance(data, dict):
            raise EvidenceError(f"{where or 'record'} is not a JSON object", path=source,
                                line=line)
        self.data, self.source, self.line, self.where = data, source, line, where

    def _fail(self, name: str, what: str) -> EvidenceError:
        return EvidenceError(f"field {self.where}{name!r} {what}", path=self.source,
                             line=self.line)

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise self._fail(name, "is missing")
        return self.data[name]

    def number(self, name: str, optional: bool = False) -> float | None:
        value = self.data.get(name) if optional else self.raw(name)
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(name, f"is {value!r}, not a number")
        if not math.isfinite(value):
            raise self._fail(name, "is not a finite number")
        return float(value)

    def real(self, name: str) -> float:
        value = self.number(name)
        assert value is not None
        return value

    def count(self, name: str, optional: bool = False) -> int | None:
        value = self.number(name, optional)
        if value is None:
            return None
        if value < 0 or value != int(value):
            raise self._fail(name, f"is {value!r}, not a count")
        return int(value)

    def whole(self, name: str) -> int:
        value = self.count(name)
        assert value is not None
        return value

    def text(self, name: str, optional: bool = False) -> str | None:
        value = self.data.get(name) if optional else self.raw(name)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self._fail(name, f"is {value!r}, not text")
        return value

    def counts(self, name: str) -> dict[str, int]:
        value = self.data.get(name) or {}
        sub = Fields(value, self.source, self.line, f"{self.where}{name}.")
        return {str(k): sub.whole(k) for k in value}


LOAD_HINT = "the load run did not write it"


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON) for each non-blank line of a load evidence file."""
    return read_json_lines(path, LOAD_HINT)


def read_json(path: Path) -> Any:
    return parse_json(read_evidence_text(path, LOAD_HINT), str(path))


def read_generator_health(path: Path) -> GeneratorHealth:
    """generator.jsonl: one sample per line in time order."""
    samples = [_sample(Fields(data, str(path), line)) for line, data in json_lines(path)]
    return GeneratorHealth(tuple(samples), str(path))


def _sample(f: Fields) -> GeneratorSample:
    workers = f.raw("workers")
    if not isinstance(workers, list):
        raise f._fail("workers", "is not a list")
    return GeneratorSample(
        t_s=f.real("t_s"), phase=f.text("phase", True), phase_kind=f.text("phase_kind", True),
        users_planned=f.whole("users_planned"), users_actual=f.whole("users_actual"),
        rps_planned=f.real("rps_planned"), rps_achieved=f.real("rps_achieved"),
        workers_expected=f.whole("workers_expected"),
        workers=tuple(_worker(Fields(w, f.source, f.line, f"workers[{i}]."))
                      for i, w in enumerate(workers)),
        socket_errors=f.counts("socket_errors"), final=bool(f.data.get("final", False)))


def _worker(f: Fields) -> WorkerSample:
    return WorkerSample(
        id=str(f.text("id")), state=str(f.text("state")), users=f.whole("users"),
        cpu_percent=f.number("cpu_percent", True),
        loop_lag_ms_p95=f.number("loop_lag_ms_p95", True),
        loop_lag_ms_max=f.number("loop_lag_ms_max", True),
        requests_total=f.count("requests_total", True),
        response_ms_total=f.number("response_ms_total", True),
        sampled_at=f.number("sampled_at", True), socket_errors=f.counts("socket_errors"),
        cpu_s_total=f.number("cpu_s_total", True), rss_bytes=f.count("rss_bytes", True))


def read_load_plan(path: Path) -> LoadPlan:
    """phases.json, written by the master when the test started."""
    f = Fields(read_json(path), str(path), None)
    phases = f.raw("phases")
    if not isinstance(phases, list) or not phases:
        raise f._fail("phases", "is not a non-empty list")
    return LoadPlan(
        profile=str(f.text("profile")), started_at=f.real("started_at"),
        duration_s=f.real("duration_s"), peak_users=f.whole("peak_users"),
        phases=tuple(_phase(Fields(p, str(path), None, f"phases[{i}].")) for i, p
                     in enumerate(phases)),
        requests_per_purchase=f.real("requests_per_purchase"),
        think_per_purchase_s=f.real("think_per_purchase_s"),
        workers_expected=f.whole("workers_expected"), source=str(path))


def _phase(f: Fields) -> PlanPhase:
    return PlanPhase(name=str(f.text("name")), kind=str(f.text("kind")),
                     start_s=f.real("start_s"), end_s=f.real("end_s"), users=f.whole("users"))



@dataclass(frozen=True)
class PurchaseRecord:
    """What one simulated buyer was told at payment (purchases.jsonl)."""

    status: str  # "paid" or "failed"
    journey_id: str
    idempotency_key: str
    premium_fen: int
    charged_fen: int | None
    policy_number: str | None


@dataclass(frozen=True)
class Purchases:
    records: tuple[PurchaseRecord, ...]
    source: str

    @property
    def paid(self) -> tuple[PurchaseRecord, ...]:
        return tuple(r for r in self.records if r.status == "paid")


def read_purchases(path: Path) -> Purchases:
    """purchases.jsonl (merged by the launcher). A file with no lines is valid only when
    written empty by a run with no payments; a missing file is an error."""
    if path.is_file() and not path.read_text(encoding="utf-8").strip():
        return Purchases((), str(path))
    records = []
    for line, data in json_lines(path):
        f = Fields(data, str(path), line)
        status = str(f.text("status"))
        if status not in ("paid", "failed"):
            raise f._fail("status", f"is {status!r}, expected 'paid' or 'failed'")
        paid = status == "paid"
        records.append(PurchaseRecord(
            status=status, journey_id=str(f.text("journey_id")),
            idempotency_key=str(f.text("idempotency_key")), premium_fen=f.whole("premium_fen"),
            charged_fen=f.count("charged_fen", optional=not paid),
            policy_number=f.text("policy_number", optional=not paid)))
    return Purchases(tuple(records), str(path))


@dataclass(frozen=True)
class StoreJourney:
    """One paid journey as the store recorded it."""

    journey_id: str
    premium_fen: int
    payments_charged_fen: tuple[int, ...]
    policy_numbers: tuple[str, ...]


@dataclass(frozen=True)
class StoreReconciliation:
    """raw/store/reconciliation.json: the store's summary counts and/or per-journey rows."""

    summary: Mapping[str, int]
    journeys: tuple[StoreJourney, ...] | None
    source: str


def read_reconciliation(path: Path) -> StoreReconciliation:
    """{"summary": {...counts}, "journeys": [{journey_id, premium_fen, payments:
    [{charged_fen...}], policy_numbers: [...]}, ...]} (the demo shop's GET /api/reconciliation)."""
    f = Fields(read_json(path), str(path), None)
    summary = f.counts("summary")
    rows = f.data.get("journeys")
    if rows is None and not summary:
        raise EvidenceError("neither 'summary' nor 'journeys': not a reconciliation answer",
                            path=str(path))
    if rows is not None and not isinstance(rows, list):
        raise f._fail("journeys", "is not a list")
    journeys = None if rows is None else tuple(
        _store_journey(Fields(r, str(path), None, f"journeys[{i}].")) for i, r in enumerate(rows))
    return StoreReconciliation(summary, journeys, str(path))


def _store_journey(f: Fields) -> StoreJourney:
    payments = f.raw("payments")
    numbers = f.raw("policy_numbers")
    if not isinstance(payments, list) or not isinstance(numbers, list):
        raise f._fail("payments", "or policy_numbers is not a list")
    charged = tuple(Fields(p, f.source, f.line, f"{f.where}payments[{i}].").whole("charged_fen")
                    for i, p in enumerate(payments))
    return StoreJourney(journey_id=str(f.text("journey_id")), premium_fen=f.whole("premium_fen"),
                        payments_charged_fen=charged,
                        policy_numbers=tuple(str(n) for n in numbers))
