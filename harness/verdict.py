"""Decides GO / NO-GO / INCONCLUSIVE from criteria and policy. Pure: no files, no clock.

Fail closed: a planned criterion that never recorded, a blocking criterion that is inconclusive
or skipped, and a run with no criteria at all are INCONCLUSIVE, never GO. A criterion the
product's journey declares not applicable (NOT_APPLICABLE, with the journey's reason) neither
passes nor blocks; a run where every criterion is not applicable judged nothing
(INCONCLUSIVE). A failed blocking criterion is NO-GO (even when others are inconclusive: a
failure is already a decision).
A cancelled run (a Source from harness.cancel) is INCONCLUSIVE whatever was recorded before the
signal: its criterion "the run was not cancelled" leads the reasons, failures recorded so far
follow it. So is a run whose run directory's disk filled up (harness.diskspace): what it
measured is cut short, and a store writing its database there failed for that reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from harness.cancel import is_cancellation
from harness.diskspace import is_disk_source
from harness.model import Criterion, Decision, Outcome, Source, Status, Verdict
from harness.policy import Policy, unmatched_waivers
from harness.store_probe import is_store_down_source

CANCELLED_ID = "launch gate::the run was not cancelled"
DISK_ID = "launch gate::the run directory had room for the evidence"
STORE_ID = "launch gate::the store answered after the load"
VOIDING: tuple[tuple[str, str, Callable[[Source], bool], str], ...] = (
    (CANCELLED_ID, "the run was not cancelled", is_cancellation, "the run was cancelled"),
    (DISK_ID, "the run directory had room for the evidence", is_disk_source,
     "the run directory's disk filled up"),
    (STORE_ID, "the store answered after the load", is_store_down_source,
     "the store did not answer after the load phase"),
)


def decide(criteria: Sequence[Criterion], policy: Policy,
           plan: Iterable[Mapping[str, Any]] = (), sources: Sequence[Source] = (),
           run: Mapping[str, Any] | None = None) -> Verdict:
    cancelled = _cancellations(sources)
    judged = ([_apply_waiver(c, policy) for c in criteria] + _unrecorded(criteria, plan)
              + cancelled)
    blocking = [c for c in judged if c.required and c.severity in policy.blocking]
    failed = [c for c in blocking if c.status is Status.FAILED]
    unknown = [c for c in blocking if c.status in (Status.INCONCLUSIVE, Status.SKIPPED)]
    warnings = [_warning(c) for c in judged
                if c not in blocking and c.status in (Status.FAILED, Status.INCONCLUSIVE)]
    warnings += [f"waived: {c.id} ({c.outcome.details.get('waiver', '')})"
                 for c in judged if c.status is Status.WAIVED]
    not_applicable = [c for c in judged if c.status is Status.NOT_APPLICABLE]
    if not_applicable:
        warnings.append(f"{len(not_applicable)} criteria not applicable (not judged, never "
                        "counted as passed; each with its reason in the table)")
    warnings += [f"expired waiver ignored: {w.criterion_id} (expired {w.expires})"
                 for w in policy.expired_waivers()]
    warnings += unmatched_waivers(policy, {c.id for c in judged})
    run, run_warnings = _checked_run_info(run or {})
    warnings += run_warnings
    if cancelled:
        decision = Decision.INCONCLUSIVE
        reasons = cancelled + failed + [c for c in unknown if c not in cancelled]
    elif failed:
        decision, reasons = Decision.NO_GO, failed
    elif unknown:
        decision, reasons = Decision.INCONCLUSIVE, unknown
    elif not [c for c in judged if c.status is not Status.NOT_APPLICABLE]:
        decision, reasons = Decision.INCONCLUSIVE, []
        warnings.append("no criteria were judged: nothing shows this release is ready")
    else:
        decision, reasons = Decision.GO, []
    return Verdict(decision=decision, reasons=tuple(c.id for c in reasons),
                   criteria=tuple(judged), warnings=tuple(warnings), sources=tuple(sources),
                   run=run)


def _apply_waiver(criterion: Criterion, policy: Policy) -> Criterion:
    if criterion.status not in (Status.FAILED, Status.INCONCLUSIVE):
        return criterion
    waiver = policy.active_waiver(criterion.id)
    if waiver is None:
        return criterion
    note = f"approved by {waiver.approver} until {waiver.expires}: {waiver.reason}"
    outcome = replace(criterion.outcome, status=Status.WAIVED,
                      message=f"{criterion.outcome.message} [waived: {note}]",
                      details={**criterion.outcome.details, "waiver": note,
                               "status_before_waiver": criterion.status.value})
    return criterion.with_outcome(outcome)


def _unrecorded(criteria: Sequence[Criterion],
                plan: Iterable[Mapping[str, Any]]) -> list[Criterion]:
    seen = {c.id for c in criteria}
    scenarios_seen = {(c.feature, c.scenario) for c in criteria}
    missing = []
    for entry in plan:
        key = str(entry["id"])
        if key in seen or (str(entry["feature"]), str(entry["scenario"])) in scenarios_seen:
            continue
        missing.append(Criterion(
            id=key, feature=str(entry["feature"]), scenario=str(entry["scenario"]),
            tags=tuple(str(t) for t in entry["tags"]),
            outcome=Outcome.inconclusive("no criterion was recorded: the scenario did not run "
                                         "or its evidence never arrived")))
    return missing


def _checked_run_info(run: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """run.json as recorded, but NaN/infinity (not JSON) become null, with a warning each;
    an unreadable run.json is a warning too (the verdict does not depend on it)."""
    warnings = [f"{run['note']}: the verdict records no run information"] if "note" in run else []

    def clean(value: Any, key: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            warnings.append(f"run.json: {key} is {value}, not a number; recorded as null")
            return None
        if isinstance(value, Mapping):
            return {str(k): clean(v, f"{key}.{k}") for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v, f"{key}[{i}]") for i, v in enumerate(value)]
        return value

    return {str(k): clean(v, str(k)) for k, v in run.items()}, warnings


def _cancellations(sources: Sequence[Source]) -> list[Criterion]:
    """Blockers that are INCONCLUSIVE whatever else was recorded: the run was cancelled
    (harness.cancel), the run directory's disk filled up (harness.diskspace)."""
    found = []
    for cid, scenario, applies, default in VOIDING:
        source = next((s for s in sources if applies(s)), None)
        if source is not None:
            found.append(Criterion(
                id=cid, feature="launch gate", scenario=scenario, tags=("blocker",),
                outcome=Outcome.inconclusive(source.detail or default, observed=source.command,
                                             details={"signal": source.command}
                                             if applies is is_cancellation else {})))
    return found


def _warning(criterion: Criterion) -> str:
    return f"{criterion.severity.value} {criterion.status.value}: {criterion.id}: " \
           f"{criterion.outcome.message}"
