"""The escort's evidence as the judge sees it: raw/escort/samples.jsonl (and complaints.jsonl),
read strictly through the contract's readers, indexed by check, quantity, cohort and step.

Every lookup that finds nothing, or a sample that carries no value, raises EvidenceError naming
the file, the check and the quantity: the criterion built on it becomes INCONCLUSIVE with that
reason. A query that returned no series is no data, never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import EvidenceError
from harness.readers.evidence_file import as_evidence_error, read_evidence_text
from harness_contract.escort import EscortSample, read_samples

ESCORT_DIR = "raw/escort"
SAMPLES_FILE = "samples.jsonl"
COMPLAINTS_FILE = "complaints.jsonl"
WHOLE_STORE = "all"
_HINT = "the watch did not collect any sample yet (see escort.log)"
# A counter of bad events whose series was never created (prometheus_client makes a labelled
# series on its first increment) answers "no series" while nothing bad has happened. Such a
# count is read as 0 only when the store's counter of the same events answered with data in
# the same check and cohort (the store is exporting and counting); otherwise it stays no data.
ZERO_WHEN_ABSENT = {"purchase_errors": "purchase_requests", "paid_without_policy": "payments",
                    "premium_mismatches": "payments", "health_errors": "quotes"}


@dataclass(frozen=True)
class Measure:
    """One quantity at one check: its value, or why there is none."""

    value: float
    sample: EscortSample
    inferred: str = ""  # why a value without a series was read as 0 (ZERO_WHEN_ABSENT)


@dataclass(frozen=True)
class EscortEvidence:
    """Every sample of the watch up to and including check `check` (later ones are ignored:
    a re-judge of check 3 sees what check 3 saw)."""

    samples: tuple[EscortSample, ...]
    check: int
    source: str

    @property
    def checks(self) -> tuple[int, ...]:
        return tuple(sorted({s.check for s in self.samples}))

    def at(self, check: int | None = None) -> list[EscortSample]:
        wanted = self.check if check is None else check
        return [s for s in self.samples if s.check == wanted]

    def find(self, quantity: str, cohort: str = WHOLE_STORE, step: str | None = None,
             check: int | None = None) -> EscortSample:
        wanted = self.check if check is None else check
        found = [s for s in self.samples if s.check == wanted and s.quantity == quantity
                 and s.cohort == cohort and s.step == step]
        if not found:
            what = f"{quantity}" + (f" of step {step!r}" if step else "") + f" ({cohort})"
            raise EvidenceError(f"check {wanted}: no sample of {what}: the collector did not "
                                "ask for it (is it in [escort] queries / steps / cohorts?)",
                                path=self.source)
        return found[-1]

    def measure(self, quantity: str, cohort: str = WHOLE_STORE, step: str | None = None,
                check: int | None = None) -> Measure:
        """The value, or EvidenceError: Prometheus unreachable / the query failed / no data."""
        sample = self.find(quantity, cohort, step, check)
        if sample.error is not None:
            raise EvidenceError(f"check {sample.check}: {quantity} could not be asked: "
                                f"{sample.error}", path=self.source)
        base = ZERO_WHEN_ABSENT.get(quantity)
        if sample.value is None and base is not None and self._answered(base, cohort, step,
                                                                         sample.check):
            return Measure(0.0, sample, inferred=f"no {quantity} series while {base} has data:"
                                                 " the store counted none")
        if sample.value is None:
            raise EvidenceError(f"check {sample.check}: no data for {quantity}"
                                + (f" of step {sample.step!r}" if sample.step else "")
                                + f" ({sample.cohort}): the query returned no series "
                                f"({sample.query})", path=self.source)
        return Measure(sample.value, sample)

    def _answered(self, quantity: str, cohort: str, step: str | None, check: int) -> bool:
        try:
            return self.measure(quantity, cohort, step, check).value > 0
        except EvidenceError:
            return False

    def cumulative(self, quantity: str, cohort: str) -> list[tuple[int, float]]:
        """(check, running total) of a per-interval count over every check up to this one;
        a check without a value for it raises EvidenceError (a gap is not zero)."""
        total, out = 0.0, []
        for check in self.checks:
            total += self.measure(quantity, cohort, check=check).value
            out.append((check, total))
        return out

    def window(self, checks: Sequence[int], quantity: str,
               cohort: str = WHOLE_STORE) -> float:
        return sum(self.measure(quantity, cohort, check=c).value for c in checks)


def read_escort_evidence(run_dir: Path, check: int | None = None) -> EscortEvidence:
    """The samples of the watch whose run directory is `run_dir`, up to check `check` (the
    latest check on disk when None)."""
    path = run_dir / ESCORT_DIR / SAMPLES_FILE
    text = read_evidence_text(path, _HINT)
    with as_evidence_error():
        samples = read_samples(text, str(path))
    latest = max(s.check for s in samples)
    wanted = latest if check is None else check
    kept = tuple(s for s in samples if s.check <= wanted)
    if not any(s.check == wanted for s in kept):
        raise EvidenceError(f"no sample of check {wanted}: the watch did not collect it",
                            path=str(path))
    return EscortEvidence(kept, wanted, str(path))
