"""The project template's locustfile (what `harness init` writes to loadtests/locustfile.py),
unchanged, against the API it assumes (tests/load/user_api.py) under the smoke profile with
real Locust master + 2 workers: its request names reach the stats, its record_purchase calls
the purchase log, and the records of a store that lost policies (read from a CSV export) or
charged other premiums (read by SQL) fail integrity.
Heavy: run under `flock /tmp/heavy.lock`."""

from __future__ import annotations

import csv
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from harness.gates.integrity import integrity_gate
from harness.gates.load import error_ratio_gate
from harness.model import Status
from harness.readers.generator import read_purchases, read_reconciliation
from harness.readers.locust import read_locust_stats
from harness_load.launcher import LoadRequest, run_load
from harness_load.reconciliation import IntegritySource, reconcile
from tests.load.user_api import QUERY, serve

TEMPLATE = (Path(__file__).resolve().parents[2] / "harness" / "templates" / "project"
            / "locustfile.py.tmpl")
SHORT = {"HARNESS_LOAD_USERS": "8", "HARNESS_LOAD_RAMP_S": "2", "HARNESS_LOAD_HOLD_S": "10"}


def export_csv(db_path: Path, csv_path: Path) -> None:
    """What a store's back office exports: the orders table as UTF-8 CSV."""
    db = sqlite3.connect(db_path)
    rows = db.execute(QUERY).fetchall()
    db.close()
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["order_id", "policy_number", "premium_fen"])
        out.writerows(("" if v is None else v for v in row) for row in rows)


@pytest.mark.parametrize(("variant", "kind", "defect", "every"), [
    ("lost-policies", "csv", "paid_without_policy", 3),
    ("premium-mismatch", "sql", "store_charged_not_quoted", 4),
])
def test_the_template_runs_and_a_bad_store_fails_integrity(
        tmp_path: Path, variant: str, kind: str, defect: str, every: int) -> None:
    project = tmp_path / "project"
    (project / "loadtests").mkdir(parents=True)
    shutil.copy(TEMPLATE, project / "loadtests" / "locustfile.py")
    httpd = serve(tmp_path / "shop.db", variant=variant)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_load(LoadRequest(
            "smoke", f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path / "run",
            overrides=SHORT, locustfile=project / "loadtests" / "locustfile.py",
            reconcile=False))
    finally:
        httpd.shutdown()
        httpd.server_close()
    load = result.load_dir
    assert result.evidence_complete, (load / "master.log").read_text(encoding="utf-8")[-3000:]
    stats = read_locust_stats(load / "stats.csv")
    assert {"quote", "order", "pay"} <= set(stats.names)
    assert error_ratio_gate(stats, 0.0).status is Status.PASSED
    purchases = read_purchases(load / "purchases.jsonl")
    assert len(purchases.paid) >= 10

    if kind == "csv":
        export_csv(tmp_path / "shop.db", project / "orders.csv")
        table = {"kind": "csv", "path": "orders.csv"}
    else:
        table = {"kind": "sql", "url": f"sqlite:///{tmp_path / 'shop.db'}", "query": QUERY}
    source = IntegritySource.from_mapping(table, "harness.toml [integrity]", base_dir=project)
    store = read_reconciliation(reconcile(source, tmp_path / "run", "http://127.0.0.1:9"))
    outcome = integrity_gate(purchases, store)
    assert outcome.status is Status.FAILED
    # the store spoilt every 3rd (4th) order it was paid for
    assert set(outcome.details["defects"]) == {defect}
    assert abs(outcome.details["defects"][defect] - len(purchases.paid) // every) <= 1
