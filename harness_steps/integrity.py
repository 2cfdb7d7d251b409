"""Purchase integrity after the load (features/integrity)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytest_bdd import given, then

from harness.gates.integrity import integrity_gate
from harness.pytest_plugin import RecordCriterion
from harness.readers.generator import (
    Purchases,
    StoreReconciliation,
    read_purchases,
    read_reconciliation,
)
from harness_steps.attachments import attach_files

POLICY_DEFECTS = ("paid_missing_in_store", "paid_without_policy", "paid_with_multiple_policies",
                  "policy_number_mismatch", "paid_with_multiple_payments",
                  "duplicate_policy_numbers")
PREMIUM_DEFECTS = ("charged_not_quoted", "store_charged_not_quoted", "premium_mismatches")

# what these steps read, for `harness steps`
EVIDENCE = "raw/load/purchases.jsonl, raw/store/reconciliation.json"


@dataclass(frozen=True)
class Reconciliation:
    purchases: Purchases
    store: StoreReconciliation


@given("压测完成的投保记录与商城的对账数据", target_fixture="reconciliation")
@given("the purchases completed by the load test and the store's reconciliation",
       target_fixture="reconciliation")
def reconciliation(harness_run_dir: Path) -> Reconciliation:
    attach_files(harness_run_dir / "raw" / "store" / "reconciliation.json")
    return Reconciliation(read_purchases(harness_run_dir / "raw" / "load" / "purchases.jsonl"),
                          read_reconciliation(harness_run_dir / "raw" / "store" /
                                              "reconciliation.json"))


@then("每笔已支付的投保都恰好有一张保单，且没有重复出具的保单号")
@then("every paid purchase has exactly one policy and no policy number is issued twice")
def one_policy(reconciliation: Reconciliation, record_criterion: RecordCriterion) -> None:
    record_criterion(integrity_gate(reconciliation.purchases, reconciliation.store,
                                    kinds=POLICY_DEFECTS))


@then("每笔投保的实收保费都等于报价保费")
@then("the premium charged equals the premium quoted for every purchase")
def premium(reconciliation: Reconciliation, record_criterion: RecordCriterion) -> None:
    record_criterion(integrity_gate(reconciliation.purchases, reconciliation.store,
                                    kinds=PREMIUM_DEFECTS))
