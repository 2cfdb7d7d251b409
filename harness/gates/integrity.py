"""Integrity after load: does the store's record of payments and policies match what the
buyers were told? A pure reconciliation of purchases.jsonl with raw/store/reconciliation.json.

Passed only when every purchase a buyer was told is paid has exactly one payment and exactly
one policy in the store, with the policy number the buyer got, the charged amount equal to the
quoted premium (client and store side), and no policy number used twice. Defects are FAILED
with their counts. Missing evidence (no purchase log, no store answer, no paid purchase to
check) is INCONCLUSIVE; an empty purchase log says how to write one (a user's own load test
calls harness_load.api.record_purchase once per completed purchase).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from harness.errors import ConfigError
from harness.model import Comparator, Outcome, Status
from harness.readers.generator import Purchases, StoreJourney, StoreReconciliation

__all__ = ["integrity_gate"]

# demo shop summary counts that must be zero (see harness_demo_shop/reconciliation.py)
STORE_DEFECT_COUNTS = ("paid_without_policy", "paid_with_multiple_policies",
                       "paid_with_multiple_payments", "duplicate_policy_numbers",
                       "premium_mismatches")
DEFECT_KINDS = ("paid_missing_in_store", "paid_without_policy", "paid_with_multiple_policies",
                "policy_number_mismatch", "paid_with_multiple_payments",
                "duplicate_policy_numbers", "charged_not_quoted", "store_charged_not_quoted",
                "premium_mismatches")
EXAMPLES = 5
# an empty purchase log: the user's own load test never called the one documented call
NO_PURCHASES = ("the load test recorded no purchases (call harness_load.api.record_purchase in "
                "your task)")


def integrity_gate(purchases: Purchases | None, store: StoreReconciliation | None,
                   kinds: Sequence[str] | None = None) -> Outcome:
    """Reconcile client-side purchases with the store (see the module docstring).

    `kinds` limits the defects that count (for one criterion each, e.g. policy defects apart
    from premium defects): paid_missing_in_store, paid_without_policy,
    paid_with_multiple_policies, policy_number_mismatch, paid_with_multiple_payments,
    duplicate_policy_numbers, charged_not_quoted, store_charged_not_quoted, premium_mismatches.
    The others stay visible in details."""
    if kinds is not None:
        unknown = sorted(set(kinds) - set(DEFECT_KINDS))
        if unknown:
            raise ConfigError(f"unknown integrity defect {unknown[0]!r}; use "
                              f"{', '.join(DEFECT_KINDS)}")
    evidence = tuple(x.source for x in (purchases, store) if x is not None)
    if purchases is None or store is None:
        which = "purchases.jsonl" if purchases is None else "raw/store/reconciliation.json"
        return Outcome.inconclusive(f"no {which}: nothing to reconcile", evidence=evidence)
    if not purchases.records:
        return Outcome.inconclusive(NO_PURCHASES, evidence=evidence, n=0)
    paid = purchases.paid
    if not paid:
        return Outcome.inconclusive(
            f"no purchase was paid during the load ({len(purchases.records)} attempts): "
            "nothing to reconcile", evidence=evidence, n=0)
    defects: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}

    def defect(kind: str, example: str) -> None:
        defects[kind] += 1
        examples.setdefault(kind, [])
        if len(examples[kind]) < EXAMPLES:
            examples[kind].append(example)

    for record in paid:
        if record.charged_fen != record.premium_fen:
            defect("charged_not_quoted",
                   f"{record.journey_id}: quoted {record.premium_fen}, charged "
                   f"{record.charged_fen} fen")
    if store.journeys is not None:
        _check_rows(purchases, store.journeys, defect)
    else:
        for kind in STORE_DEFECT_COUNTS:
            if store.summary.get(kind):
                defects[kind] += store.summary[kind]
    return _outcome(len(paid), defects, examples, evidence, store, kinds)


def _check_rows(purchases: Purchases, journeys: tuple[StoreJourney, ...],
                defect: Callable[[str, str], None]) -> None:
    by_id = {j.journey_id: j for j in journeys}
    for record in purchases.paid:
        row = by_id.get(record.journey_id)
        if row is None:
            defect("paid_missing_in_store", record.journey_id)
            continue
        if len(row.policy_numbers) == 0:
            defect("paid_without_policy", f"{record.journey_id}: buyer was told "
                                          f"{record.policy_number}")
        elif len(row.policy_numbers) > 1:
            defect("paid_with_multiple_policies",
                   f"{record.journey_id}: {', '.join(row.policy_numbers)}")
        elif row.policy_numbers[0] != record.policy_number:
            defect("policy_number_mismatch", f"{record.journey_id}: buyer told "
                   f"{record.policy_number}, store has {row.policy_numbers[0]}")
        if len(row.payments_charged_fen) > 1:
            defect("paid_with_multiple_payments",
                   f"{record.journey_id}: {len(row.payments_charged_fen)} payments")
        if sum(row.payments_charged_fen) != record.premium_fen:
            defect("store_charged_not_quoted", f"{record.journey_id}: quoted "
                   f"{record.premium_fen}, store charged {sum(row.payments_charged_fen)} fen")
    numbers = Counter(n for j in journeys for n in j.policy_numbers)
    for number, count in numbers.items():
        if count > 1:
            defect("duplicate_policy_numbers", f"{number} x{count}")


def _outcome(paid: int, all_defects: Counter[str], examples: dict[str, list[str]],
             evidence: tuple[str, ...], store: StoreReconciliation,
             kinds: Sequence[str] | None) -> Outcome:
    defects = Counter({k: n for k, n in all_defects.items() if kinds is None or k in kinds})
    total = sum(defects.values())
    details: dict[str, Any] = {"paid_purchases": paid, "defects": dict(defects),
                               "all_defects": dict(all_defects), "examples": examples,
                               "store_summary": dict(store.summary),
                               "kinds": list(kinds) if kinds is not None else "all"}
    if total:
        listed = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in sorted(defects.items()))
        message = (f"{total:,} integrity defect(s) in {paid:,} paid purchases: {listed}")
    elif kinds is None:
        message = (f"all {paid:,} paid purchases reconcile: one payment and one policy each, "
                   "charged = quoted, no duplicate policy numbers")
    else:
        message = (f"no {' / '.join(k.replace('_', ' ') for k in kinds)} in {paid:,} paid "
                   "purchases")
    return Outcome(status=Status.FAILED if total else Status.PASSED, message=message,
                   observed=total, threshold=0, comparator=Comparator.EQ, unit="defects",
                   n=paid, evidence=evidence, details=details)
