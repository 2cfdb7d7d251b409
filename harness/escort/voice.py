"""Gates of the voice of the customer (用户声音): raw/escort/complaints.jsonl against the
policies issued, judged with harness.escort.complaints. Pure but for reading the file.

The complaint ratio is cumulative: every complaint of the watch so far over every policy issued
so far, so one complaint in a quiet interval does not roll a release back. At or under the
target it passes; above it, it fails only once enough policies were issued for the ratio to
mean something (fewer: INCONCLUSIVE, too little traffic). No complaints source, or a window
whose source failed, is INCONCLUSIVE: never zero complaints.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.escort.complaints import (
    MEASURED,
    NO_DATA,
    category_jumps,
    complaint_ratio,
    top_categories,
)
from harness.escort.criteria import guarded
from harness.escort.evidence import COMPLAINTS_FILE, ESCORT_DIR, EscortEvidence
from harness.model import Comparator, Outcome, Status
from harness.readers.evidence_file import as_evidence_error, read_evidence_text
from harness_contract.complaints import ComplaintWindow, read_windows

_HINT = ("no complaints source: set [escort] complaints (a CSV/Parquet file or an SQL URL), "
         "or leave the complaint scenarios out of features/escort")


def read_complaint_windows(run_dir: Path, check: int) -> tuple[list[ComplaintWindow], str]:
    path = run_dir / ESCORT_DIR / COMPLAINTS_FILE
    text = read_evidence_text(path, _HINT)
    with as_evidence_error():
        windows = read_windows(text, str(path))
    kept = [w for w in windows if w.check <= check]
    if not kept or kept[-1].check != check:
        raise EvidenceError(f"no complaint window of check {check}", path=str(path))
    return kept, str(path)


def _policies(evidence: EscortEvidence, checks: list[int]) -> list[float]:
    return [evidence.measure("policies", check=c).value for c in checks]


def complaint_ratio_gate(evidence: EscortEvidence, run_dir: Path, max_percent: float,
                         min_policies: int) -> Outcome:
    def gate() -> Outcome:
        windows, source = read_complaint_windows(run_dir, evidence.check)
        policies = sum(_policies(evidence, [w.check for w in windows]))
        ratio = complaint_ratio(windows, policies)
        top = ", ".join(f"{c} {k}" for c, k in top_categories(windows)) or "none"
        common: dict[str, Any] = dict(threshold=max_percent, comparator=Comparator.LE,
                                      unit="%", n=round(policies),
                                      evidence=(evidence.source, source),
                                      details={"complaints": ratio.complaints,
                                               "policies": policies, "top": top})
        if ratio.status == NO_DATA:
            return Outcome.inconclusive(ratio.reason, **common)
        if ratio.status != MEASURED or ratio.ratio is None:
            return Outcome.inconclusive(f"{ratio.reason} (too little traffic)", **common)
        percent = 100.0 * ratio.ratio
        said = f"{ratio.reason} over the watch so far; top categories: {top}"
        if Comparator.LE.holds(percent, max_percent):
            return Outcome(Status.PASSED, f"{said}: at most {max_percent:g} %",
                           observed=round(percent, 4), **common)
        if policies < min_policies:
            return Outcome.inconclusive(f"{said}: above {max_percent:g} %, but only "
                                        f"{policies:,.0f} policies issued ({min_policies:,} "
                                        "needed to judge)", observed=round(percent, 4),
                                        **common)
        return Outcome(Status.FAILED, f"{said}: above {max_percent:g} %",
                       observed=round(percent, 4), **common)

    return guarded(gate)


def category_jump_gate(evidence: EscortEvidence, run_dir: Path, alpha: float,
                       watch_window_s: float) -> Outcome:
    """A category jumping against the earlier windows, Bonferroni over the categories and the
    watch's planned checks (its window over the interval)."""

    def gate() -> Outcome:
        windows, source = read_complaint_windows(run_dir, evidence.check)
        try:
            exposures = _policies(evidence, [w.check for w in windows])
        except EvidenceError:
            exposures = None  # by the windows' lengths
        interval = evidence.find("policies").window_seconds
        looks = max(1, round(watch_window_s / interval))
        screen = category_jumps(windows, exposures, alpha=alpha, looks=looks)
        common: dict[str, Any] = dict(evidence=(source,), unit="categories",
                                      details={"tested": [j.describe() for j in screen.tested]})
        if screen.status != MEASURED:
            return Outcome.inconclusive(screen.reason, **common)
        jumps = screen.jumps
        if jumps:
            return Outcome(Status.FAILED, "complaints jump: " + "; ".join(
                j.describe() for j in jumps), observed=len(jumps), threshold=0,
                comparator=Comparator.LE, **common)
        return Outcome(Status.PASSED, f"no category jumps ({screen.reason})", observed=0,
                       threshold=0, comparator=Comparator.LE, **common)

    return guarded(gate)
