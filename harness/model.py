"""Frozen value types shared by gates, verdict and writers: the criterion record and the verdict.

Raw dicts and DataFrames stop at `harness.readers` and `harness.gray`; everything after them
speaks these types. `to_record`/`from_record` are the one JSON shape of a criterion
(ARCHITECTURE.md, "Criterion record").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any

from harness.errors import EvidenceError


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"
    WAIVED = "waived"
    SKIPPED = "skipped"
    # declared by the product's journey (its [not_applicable] table, or viewports it is not
    # driven at), with the journey's reason: neither passed nor blocking, shown in the verdict
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    """Allure's severity words, used as Gherkin tags (`@blocker` ... `@trivial`)."""

    BLOCKER = "blocker"
    CRITICAL = "critical"
    NORMAL = "normal"
    MINOR = "minor"
    TRIVIAL = "trivial"

    @property
    def blocks_release(self) -> bool:
        return self in (Severity.BLOCKER, Severity.CRITICAL, Severity.NORMAL)


class Comparator(StrEnum):
    LE = "<="
    LT = "<"
    GE = ">="
    GT = ">"
    EQ = "=="

    def holds(self, observed: float, threshold: float) -> bool:
        """True when `observed <comparator> threshold`; NaN never holds."""
        if math.isnan(observed) or math.isnan(threshold):
            return False
        return {
            Comparator.LE: observed <= threshold,
            Comparator.LT: observed < threshold,
            Comparator.GE: observed >= threshold,
            Comparator.GT: observed > threshold,
            Comparator.EQ: observed == threshold,
        }[self]


class Decision(StrEnum):
    GO = "GO"
    NO_GO = "NO-GO"
    INCONCLUSIVE = "INCONCLUSIVE"


class ExitCode(IntEnum):
    GO = 0
    NO_GO = 1
    USAGE = 2
    INCONCLUSIVE = 3
    HARNESS_FAILURE = 4

    @classmethod
    def for_decision(cls, decision: Decision) -> ExitCode:
        return {
            Decision.GO: cls.GO,
            Decision.NO_GO: cls.NO_GO,
            Decision.INCONCLUSIVE: cls.INCONCLUSIVE,
        }[decision]


Observed = float | int | str | bool | None


@dataclass(frozen=True)
class Outcome:
    """What a gate returns: the judgement of one piece of evidence against one threshold."""

    status: Status
    message: str
    observed: Observed = None
    threshold: Observed = None
    comparator: Comparator | None = None
    unit: str = ""
    n: int | None = None
    ci: tuple[float, float] | None = None
    evidence: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def inconclusive(cls, message: str, **kwargs: Any) -> Outcome:
        return cls(status=Status.INCONCLUSIVE, message=message, **kwargs)


@dataclass(frozen=True)
class Criterion:
    """One acceptance criterion as recorded in criteria.jsonl: identity plus its outcome."""

    id: str
    feature: str
    scenario: str
    tags: tuple[str, ...]
    outcome: Outcome
    required: bool = True

    @property
    def status(self) -> Status:
        return self.outcome.status

    @property
    def severity(self) -> Severity:
        """The severity tag; a criterion without one counts as `normal` (blocks a release)."""
        found = [t for t in self.tags if t in Severity.__members__.values()]
        return Severity(found[0]) if found else Severity.NORMAL

    def with_outcome(self, outcome: Outcome) -> Criterion:
        return replace(self, outcome=outcome)

    def to_record(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "id": self.id,
            "feature": self.feature,
            "scenario": self.scenario,
            "tags": list(self.tags),
            "severity": self.severity.value,
            "required": self.required,
            "status": o.status.value,
            "observed": _json_number(o.observed),
            "threshold": _json_number(o.threshold),
            "comparator": o.comparator.value if o.comparator else None,
            "unit": o.unit,
            "n": o.n,
            "ci": list(o.ci) if o.ci is not None else None,
            "evidence": list(o.evidence),
            "message": o.message,
            "details": dict(o.details),
        }

    @classmethod
    def from_record(cls, rec: Mapping[str, Any], *, source: str = "criteria.jsonl",
                    line: int | None = None) -> Criterion:
        """Parse one record; anything malformed raises EvidenceError naming file, line, field."""

        def need(name: str) -> Any:
            if name not in rec:
                raise EvidenceError(f"criterion record has no field {name!r}",
                                    path=source, line=line)
            return rec[name]

        try:
            status = Status(need("status"))
        except ValueError as exc:
            raise EvidenceError(
                f"field 'status' is {rec.get('status')!r}; expected one of "
                f"{', '.join(s.value for s in Status)}", path=source, line=line) from exc
        tags = tuple(str(t) for t in need("tags"))
        unknown = [t for t in tags if t.lower() in _SEVERITY_LIKE and t not in _SEVERITIES]
        if unknown:
            raise EvidenceError(f"unknown severity tag {unknown[0]!r}; use one of "
                                f"{', '.join(_SEVERITIES)}", path=source, line=line)
        comparator = rec.get("comparator")
        ci = rec.get("ci")
        outcome = Outcome(
            status=status,
            message=str(need("message")),
            observed=rec.get("observed"),
            threshold=rec.get("threshold"),
            comparator=Comparator(comparator) if comparator else None,
            unit=str(rec.get("unit") or ""),
            n=rec.get("n"),
            ci=(float(ci[0]), float(ci[1])) if ci else None,
            evidence=tuple(rec.get("evidence") or ()),
            details=dict(rec.get("details") or {}),
        )
        return cls(id=str(need("id")), feature=str(need("feature")),
                   scenario=str(need("scenario")), tags=tags, outcome=outcome,
                   required=bool(rec.get("required", True)))


_SEVERITIES = tuple(s.value for s in Severity)
_SEVERITY_LIKE = frozenset({"blocker", "critical", "normal", "minor", "trivial", "major",
                            "severe", "high", "low", "medium"})


def _json_number(value: Observed) -> Observed:
    """NaN and infinity are not JSON; record them as None (the reader treats None as missing)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Waiver:
    """A signed exception: this criterion may fail until `expires` (ISO date)."""

    criterion_id: str
    approver: str
    reason: str
    expires: str


@dataclass(frozen=True)
class Source:
    """One evidence producer that ran (browser, load, gray, ...), with its own exit code."""

    name: str
    exit_code: int | None
    command: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reasons: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    warnings: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    run: Mapping[str, Any] = field(default_factory=dict)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.for_decision(self.decision)
