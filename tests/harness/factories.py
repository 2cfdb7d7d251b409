"""Small builders for criteria in tests (real records, no mocks)."""

from __future__ import annotations

from harness.model import Comparator, Criterion, Outcome, Status


def criterion(cid: str = "flow :: steps", status: Status = Status.PASSED,
              severity: str = "critical", observed: float | None = 5,
              threshold: float | None = 5, message: str = "5 steps") -> Criterion:
    return Criterion(id=cid, feature=cid.split(" :: ")[0], scenario=cid.split(" :: ")[-1],
                     tags=(severity, "purchase_flow"),
                     outcome=Outcome(status=status, message=message, observed=observed,
                                     threshold=threshold, comparator=Comparator.LE,
                                     unit="steps"))
