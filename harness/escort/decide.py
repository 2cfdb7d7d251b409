"""The escort's decisions. Pure: no files, no clock.

At every check the escort criteria recorded by the features are judged by the gate's own
`harness.verdict.decide` (severity policy, waivers, the plan of criteria, fail closed), and
its answer is read as the escort's:

    GO            -> CONTINUE
    NO-GO         -> ROLLBACK, naming the failed blocking criteria (blocker, critical, normal)
    INCONCLUSIVE  -> INCONCLUSIVE, naming the criteria without evidence and why (no data, too
                     little traffic, Prometheus unreachable, the watch cancelled)

At the end of the watch the checks combine into the escort's outcome:

    any ROLLBACK                                 -> ESCORT FAILED        (exit 1)
    every planned check ran and all CONTINUE     -> ESCORT PASSED        (exit 0)
    otherwise (an INCONCLUSIVE or missing check) -> ESCORT INCONCLUSIVE  (exit 3)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from harness.model import Criterion, Decision, ExitCode, Outcome, Source, Status
from harness.policy import Policy
from harness.verdict import decide

WATCH_FEATURE = "escort watch"
SOURCES_ID = f"{WATCH_FEATURE} :: the metrics could be collected"
CANCELLED_ID = f"{WATCH_FEATURE} :: the watch was not cancelled"


class CheckDecision(StrEnum):
    CONTINUE = "CONTINUE"
    ROLLBACK = "ROLLBACK"
    INCONCLUSIVE = "INCONCLUSIVE"


class EscortOutcome(StrEnum):
    PASSED = "ESCORT PASSED"
    FAILED = "ESCORT FAILED"
    INCONCLUSIVE = "ESCORT INCONCLUSIVE"

    @property
    def exit_code(self) -> ExitCode:
        return {EscortOutcome.PASSED: ExitCode.GO, EscortOutcome.FAILED: ExitCode.NO_GO,
                EscortOutcome.INCONCLUSIVE: ExitCode.INCONCLUSIVE}[self]


_FROM_GATE = {Decision.GO: CheckDecision.CONTINUE, Decision.NO_GO: CheckDecision.ROLLBACK,
              Decision.INCONCLUSIVE: CheckDecision.INCONCLUSIVE}


@dataclass(frozen=True)
class Reason:
    criterion: str
    status: str
    message: str

    def to_record(self) -> dict[str, str]:
        return {"criterion": self.criterion, "status": self.status, "message": self.message}


@dataclass(frozen=True)
class CheckResult:
    """The decision of one check, with the criteria that made it."""

    check: int
    at: float  # UNIX seconds: the end of the interval judged
    decision: CheckDecision
    reasons: tuple[Reason, ...]
    criteria: tuple[Criterion, ...] = ()
    warnings: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {"check": self.check, "at": self.at, "decision": self.decision.value,
                "reasons": [r.to_record() for r in self.reasons],
                "criteria": [c.to_record() for c in self.criteria],
                "warnings": list(self.warnings), "details": dict(self.details)}

    @classmethod
    def from_record(cls, rec: Mapping[str, Any], source: str) -> CheckResult:
        return cls(check=int(rec["check"]), at=float(rec["at"]),
                   decision=CheckDecision(str(rec["decision"])),
                   reasons=tuple(Reason(str(r["criterion"]), str(r["status"]),
                                        str(r["message"])) for r in rec.get("reasons", [])),
                   criteria=tuple(Criterion.from_record(c, source=source)
                                  for c in rec.get("criteria", [])),
                   warnings=tuple(str(w) for w in rec.get("warnings", [])),
                   details=dict(rec.get("details") or {}))

    def summary(self) -> str:
        """`ROLLBACK: <criterion> (<message>); ...` for the one line per check."""
        if not self.reasons:
            return self.decision.value
        parts = [f"{r.criterion.split(' :: ', 1)[-1]} ({r.message})" for r in self.reasons[:3]]
        more = f"; and {len(self.reasons) - 3} more" if len(self.reasons) > 3 else ""
        return f"{self.decision.value}: " + "; ".join(parts) + more


def judge_check(check: int, at: float, criteria: Sequence[Criterion],
                plan: Iterable[Mapping[str, Any]], policy: Policy,
                collection_errors: Sequence[str] = (),
                sources: Sequence[Source] = ()) -> CheckResult:
    """One check's decision from the criteria its features recorded.

    `collection_errors` are the reasons the collector could not ask its sources (Prometheus
    unreachable): they add a blocker that is INCONCLUSIVE, so such a check never CONTINUEs
    even if some criteria happened to pass on what did arrive."""
    extra = []
    if collection_errors:
        message = "; ".join(dict.fromkeys(collection_errors))[:600]
        extra.append(Criterion(id=SOURCES_ID, feature=WATCH_FEATURE,
                               scenario="the metrics could be collected", tags=("blocker",),
                               outcome=Outcome.inconclusive(message)))
    verdict = decide([*criteria, *extra], policy, plan=plan, sources=sources)
    by_id = {c.id: c for c in verdict.criteria}
    ordered = sorted(verdict.reasons, key=lambda cid: cid != SOURCES_ID)  # the cause first
    reasons = tuple(Reason(cid, by_id[cid].status.value, by_id[cid].outcome.message)
                    for cid in ordered)
    decision = _FROM_GATE[verdict.decision]
    if decision is CheckDecision.INCONCLUSIVE and not reasons:
        reasons = (Reason(WATCH_FEATURE, Status.INCONCLUSIVE.value,
                          "no escort criterion was judged: features/escort is empty or did "
                          "not run (see the check's features.log)"),)
    return CheckResult(check, at, decision, reasons, verdict.criteria, verdict.warnings)


def cancelled_check(check: int, at: float, signal_name: str) -> CheckResult:
    message = (f"the watch was cancelled by {signal_name} before this check was judged; "
               "nothing after it was watched")
    return CheckResult(check, at, CheckDecision.INCONCLUSIVE,
                       (Reason(CANCELLED_ID, Status.INCONCLUSIVE.value, message),),
                       details={"cancelled": signal_name})


@dataclass(frozen=True)
class Combined:
    outcome: EscortOutcome
    reasons: tuple[str, ...]


def combine(results: Sequence[CheckResult], planned: int) -> Combined:
    """The escort's outcome from its checks (see the module's rule)."""
    rollbacks = [r for r in results if r.decision is CheckDecision.ROLLBACK]
    if rollbacks:
        first = rollbacks[0]
        return Combined(EscortOutcome.FAILED,
                        tuple(f"check {first.check + 1}: ROLLBACK: {r.criterion}: {r.message}"
                              for r in first.reasons))
    unknown = [r for r in results if r.decision is CheckDecision.INCONCLUSIVE]
    reasons = [f"check {r.check + 1}: INCONCLUSIVE: " + ("; ".join(
        f"{x.criterion}: {x.message}" for x in r.reasons[:3]) or "no reason recorded")
        for r in unknown]
    if len(results) < planned:
        reasons.append(f"only {len(results)} of the {planned} planned checks were made: the "
                       "window was not watched to its end")
    if reasons:
        return Combined(EscortOutcome.INCONCLUSIVE, tuple(reasons))
    if not results:
        return Combined(EscortOutcome.INCONCLUSIVE, ("no check was made",))
    return Combined(EscortOutcome.PASSED, ())
