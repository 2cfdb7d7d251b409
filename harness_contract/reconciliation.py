"""raw/store/reconciliation.json: the store's own account of the paid journeys, with their
payments and policy numbers, and optionally its summary counts.

`journeys` is required (the judge reconciles purchase by purchase; a summary alone cannot show
that the buyer's policy number is the store's). A summary, when present, has every count and
agrees with the rows: `payments` != `paid` with no defect counted is a contradiction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness_contract._record import dumps
from harness_contract.fields import MAX_FEN, Obj, loads

SUMMARY_KEYS = ("paid", "payments", "policies", "paid_without_policy",
                "paid_with_multiple_policies", "paid_with_multiple_payments",
                "duplicate_policy_numbers", "premium_mismatches")


@dataclass(frozen=True)
class StoreJourney:
    journey_id: str
    premium_fen: int
    payments_charged_fen: tuple[int, ...]
    policy_numbers: tuple[str, ...]


@dataclass(frozen=True)
class ReconciliationRecord:
    journeys: tuple[StoreJourney, ...]
    summary: Mapping[str, int]
    raw: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        data = {**self.raw, "summary": dict(self.summary), "journeys": [
            {"journey_id": j.journey_id, "premium_fen": j.premium_fen,
             "payments": [{"charged_fen": c} for c in j.payments_charged_fen],
             "policy_numbers": list(j.policy_numbers)} for j in self.journeys]}
        text = dumps(data, indent=None)
        ReconciliationRecord.from_json(text, "reconciliation.json (to_json)")
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> ReconciliationRecord:
        o = Obj(loads(text, file), file)
        journeys = tuple(_journey(j) for j in o.objs("journeys"))
        seen: set[str] = set()
        for i, j in enumerate(journeys):
            if j.journey_id in seen:
                raise o.fail(f"journeys[{i}].journey_id", f"{j.journey_id!r} is listed twice: "
                                                          "ambiguous")
            seen.add(j.journey_id)
        summary = o.counts("summary")  # {}: a source with no summary counts
        if summary:
            _summary_agrees(o, summary, journeys)
        return cls(journeys, summary, o.data)


def _journey(o: Obj) -> StoreJourney:
    charged = tuple(p.integer("charged_fen", hi=MAX_FEN) for p in o.objs("payments"))
    return StoreJourney(journey_id=o.text("journey_id"),
                        premium_fen=o.integer("premium_fen", hi=MAX_FEN),
                        payments_charged_fen=charged, policy_numbers=o.texts("policy_numbers"))


def summary_of(journeys: tuple[StoreJourney, ...]) -> dict[str, int]:
    """The summary counts the rows imply (the demo shop's definitions)."""
    numbers = Counter(n for j in journeys for n in j.policy_numbers)
    return {
        "paid": len(journeys),
        "payments": sum(len(j.payments_charged_fen) for j in journeys),
        "policies": sum(len(j.policy_numbers) for j in journeys),
        "paid_without_policy": sum(1 for j in journeys if not j.policy_numbers),
        "paid_with_multiple_policies": sum(1 for j in journeys if len(j.policy_numbers) > 1),
        "paid_with_multiple_payments": sum(1 for j in journeys
                                           if len(j.payments_charged_fen) > 1),
        "duplicate_policy_numbers": sum(1 for n in numbers.values() if n > 1),
        "premium_mismatches": sum(1 for j in journeys for c in j.payments_charged_fen
                                  if c != j.premium_fen),
    }


def _summary_agrees(o: Obj, summary: Mapping[str, int],
                    journeys: tuple[StoreJourney, ...]) -> None:
    for key in SUMMARY_KEYS:
        if key not in summary:
            raise o.fail(f"summary.{key}", "is missing (a summary has every count or none)")
    implied = summary_of(journeys)
    for key in SUMMARY_KEYS:
        if summary[key] != implied[key]:
            raise o.fail(f"summary.{key}", f"is {summary[key]} but the journeys listed give "
                                           f"{implied[key]}: summary and rows disagree")
