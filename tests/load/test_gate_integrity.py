"""integrity_gate: purchases.jsonl reconciled with the store's reconciliation.json."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import ConfigError, EvidenceError
from harness.gates.integrity import integrity_gate
from harness.model import Status
from harness.readers.generator import (
    Purchases,
    StoreReconciliation,
    read_purchases,
    read_reconciliation,
)

Evidence = Callable[[str], Path]


def read(folder: Path) -> tuple[Purchases, StoreReconciliation]:
    return (read_purchases(folder / "purchases.jsonl"),
            read_reconciliation(folder / "reconciliation.json"))


def test_a_consistent_store_passes(evidence: Evidence) -> None:
    purchases, store = read(evidence("good"))
    outcome = integrity_gate(purchases, store)
    assert outcome.status is Status.PASSED, outcome.message
    assert outcome.observed == 0
    assert outcome.n == len(purchases.paid) == store.summary["paid"] > 50


def test_the_lost_policies_variant_fails_with_counts(evidence: Evidence) -> None:
    outcome = integrity_gate(*read(evidence("lost-policies")))
    assert outcome.status is Status.FAILED
    defects = outcome.details["defects"]
    assert defects["paid_with_multiple_policies"] == 2
    assert defects["paid_with_multiple_payments"] == 2
    assert outcome.details["examples"]["paid_with_multiple_policies"]


def _rewrite(path: Path, edit: Callable[[list[dict[str, object]]], None]) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    edit(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_charged_different_from_quoted_fails(evidence: Evidence) -> None:
    folder = evidence("good")

    def overcharge(rows: list[dict[str, object]]) -> None:
        rows[0]["charged_fen"] = int(str(rows[0]["premium_fen"])) + 1

    _rewrite(folder / "purchases.jsonl", overcharge)
    outcome = integrity_gate(*read(folder))
    assert outcome.status is Status.FAILED
    assert outcome.details["defects"] == {"charged_not_quoted": 1}


def test_policy_lost_and_duplicated_numbers_fail(evidence: Evidence) -> None:
    folder = evidence("good")
    path = folder / "reconciliation.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["journeys"][0]["policy_numbers"] = []
    data["journeys"][2]["policy_numbers"] = list(data["journeys"][1]["policy_numbers"])
    data["summary"] = {}  # rows only: a summary would have to agree with the edited rows
    path.write_text(json.dumps(data), encoding="utf-8")
    defects = integrity_gate(*read(folder)).details["defects"]
    assert defects["paid_without_policy"] == 1
    assert defects["duplicate_policy_numbers"] == 1
    assert defects["policy_number_mismatch"] == 1


def test_a_purchase_the_store_does_not_know_fails(evidence: Evidence) -> None:
    folder = evidence("good")
    path = folder / "reconciliation.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["journeys"][0]
    data["summary"] = {}
    path.write_text(json.dumps(data), encoding="utf-8")
    assert integrity_gate(*read(folder)).details["defects"] == {"paid_missing_in_store": 1}


def test_a_summary_without_rows_is_refused(evidence: Evidence) -> None:
    """Counts alone cannot show that each buyer's policy number is the store's (issue 11: a
    summary stripped of rows and defect counts read as zero defects)."""
    folder = evidence("lost-policies")
    path = folder / "reconciliation.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({"summary": data["summary"]}), encoding="utf-8")
    with pytest.raises(EvidenceError, match="field 'journeys' is missing"):
        read(folder)


def test_missing_evidence_is_inconclusive(evidence: Evidence) -> None:
    purchases, store = read(evidence("good"))
    assert integrity_gate(None, store).status is Status.INCONCLUSIVE
    assert integrity_gate(purchases, None).status is Status.INCONCLUSIVE
    nothing_paid = Purchases(tuple(r for r in purchases.records if r.status == "failed")
                             or (replace(purchases.records[0], status="failed"),),
                             "purchases.jsonl")
    outcome = integrity_gate(nothing_paid, store)
    assert outcome.status is Status.INCONCLUSIVE
    assert "nothing to reconcile" in outcome.message


def test_an_empty_purchase_log_says_to_call_record_purchase(evidence: Evidence) -> None:
    _, store = read(evidence("good"))
    outcome = integrity_gate(Purchases((), "purchases.jsonl"), store)
    assert outcome.status is Status.INCONCLUSIVE
    assert outcome.message == ("the load test recorded no purchases (call "
                               "harness_load.api.record_purchase in your task)")


def test_kinds_scope_a_criterion_to_some_defects(evidence: Evidence) -> None:
    purchases, store = read(evidence("lost-policies"))
    premium = integrity_gate(purchases, store, kinds=("charged_not_quoted",))
    assert premium.status is Status.PASSED
    assert premium.details["all_defects"]["paid_with_multiple_policies"] == 2
    policy = integrity_gate(purchases, store, kinds=("paid_with_multiple_policies",))
    assert policy.status is Status.FAILED and policy.observed == 2


def test_an_unknown_defect_kind_is_a_config_error(evidence: Evidence) -> None:
    with pytest.raises(ConfigError, match="unknown integrity defect 'lost'"):
        integrity_gate(*read(evidence("good")), kinds=("lost",))
