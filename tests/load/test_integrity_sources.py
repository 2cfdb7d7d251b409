"""Integrity sources: the store's records from an SQL query (a real SQLite file through
SQLAlchemy) or a CSV export, reconciled with a purchase log written by record_purchase, judged
by the real reader and gate; and the configuration errors of `IntegritySource.from_mapping`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import ConfigError, EvidenceError
from harness.gates.integrity import integrity_gate
from harness.model import Outcome, Status
from harness.readers.generator import read_purchases, read_reconciliation
from harness_load.purchases import merge_purchase_files
from harness_load.reconciliation import IntegritySource, reconcile

# what the buyers were told: (order id, policy number, premium in fen)
TOLD = [("ORD-1", "POL-1", 12800), ("ORD-2", "POL-2", 9900), ("ORD-3", "POL-3", 15000)]
QUERY = "SELECT o.no AS order_id, p.no AS policy_number, o.fen AS premium_fen " \
        "FROM orders o LEFT JOIN policies p ON p.order_no = o.no"


STATS_HEADER = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response "
                "Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,"
                "Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%")


def write_stats_csv(load: Path) -> None:
    """The stats.csv a user's run leaves beside purchases.jsonl (the reader cross-checks the
    two; a user's class fires no JOURNEY `purchase` event): here only its Aggregated row."""
    load.mkdir(parents=True, exist_ok=True)
    (load / "stats.csv").write_text(
        STATS_HEADER + "\n,Aggregated,0,0,0,0.0,0,0,0,0.0,0.0" + ",N/A" * 11 + "\n",
        encoding="utf-8")


def write_purchase_log(run_dir: Path) -> None:
    """purchases.jsonl as a run leaves it: record_purchase in a Locust-less process, merged."""
    load = run_dir / "raw" / "load"
    write_stats_csv(load)
    script = ("from harness_load.api import record_purchase\n"
              f"for order, policy, fen in {TOLD!r}:\n"
              "    record_purchase(order, policy, fen, product='medical')\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60,
                   env={**_env(), "HARNESS_LOAD_DIR": str(load)})
    merge_purchase_files(load / "purchases", load / "purchases.jsonl")


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


def judge(run_dir: Path) -> Outcome:
    return integrity_gate(read_purchases(run_dir / "raw" / "load" / "purchases.jsonl"),
                          read_reconciliation(run_dir / "raw" / "store" / "reconciliation.json"))


def database(path: Path, orders: list[tuple[str, int]],
             policies: list[tuple[str, str]]) -> str:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE orders (no TEXT, fen INTEGER)")
    db.execute("CREATE TABLE policies (no TEXT, order_no TEXT)")
    db.executemany("INSERT INTO orders VALUES (?, ?)", orders)
    db.executemany("INSERT INTO policies VALUES (?, ?)", [(p, o) for o, p in policies])
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def sql_source(url: str) -> IntegritySource:
    return IntegritySource.from_mapping({"kind": "sql", "url": url, "query": QUERY},
                                        "harness.toml [integrity]")


def test_sql_records_that_match_pass(tmp_path: Path) -> None:
    write_purchase_log(tmp_path)
    url = database(tmp_path / "shop.db", [(o, f) for o, _, f in TOLD],
                   [(o, p) for o, p, _ in TOLD])
    path = reconcile(sql_source(url), tmp_path, "http://127.0.0.1:9")
    assert path == tmp_path / "raw" / "store" / "reconciliation.json"
    outcome = judge(tmp_path)
    assert outcome.status is Status.PASSED, outcome.message
    assert outcome.n == 3


def test_sql_finds_a_lost_policy_and_a_premium_mismatch(tmp_path: Path) -> None:
    write_purchase_log(tmp_path)
    url = database(tmp_path / "shop.db", [("ORD-1", 12800), ("ORD-2", 9901), ("ORD-3", 15000)],
                   [("ORD-1", "POL-1"), ("ORD-2", "POL-2")])  # ORD-3 has no policy
    reconcile(sql_source(url), tmp_path, "http://127.0.0.1:9")
    outcome = judge(tmp_path)
    assert outcome.status is Status.FAILED
    assert outcome.details["defects"] == {"paid_without_policy": 1,
                                          "store_charged_not_quoted": 1}
    assert "ORD-2: quoted 9900, store charged 9901 fen" in \
        outcome.details["examples"]["store_charged_not_quoted"]


def test_sql_names_missing_columns_and_never_shows_the_password(tmp_path: Path) -> None:
    url = database(tmp_path / "shop.db", [("ORD-1", 1)], [])
    source = IntegritySource.from_mapping(
        {"kind": "sql", "url": url, "query": "SELECT no, fen FROM orders"}, "[integrity]")
    with pytest.raises(EvidenceError, match=r"no column 'order_id'.*name them with AS"):
        reconcile(source, tmp_path, "http://127.0.0.1:9")
    secret = "postgresql+psycopg://qa:s3cr3t-pw@127.0.0.1:9/shop"
    source = IntegritySource.from_mapping({"kind": "sql", "url": secret, "query": QUERY},
                                          "[integrity]")
    assert "s3cr3t-pw" not in source.describe()
    with pytest.raises(EvidenceError) as caught:
        reconcile(source, tmp_path, "http://127.0.0.1:9")
    assert "s3cr3t-pw" not in str(caught.value)
    assert "qa:***@127.0.0.1" in str(caught.value)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> IntegritySource:
    path.write_bytes(text.encode(encoding))
    return IntegritySource.from_mapping({"kind": "csv", "path": path.name}, "[integrity]",
                                        base_dir=path.parent)


def test_csv_records_that_match_pass(tmp_path: Path) -> None:
    write_purchase_log(tmp_path)
    rows = "".join(f"{o},{p},{f},医疗\n" for o, p, f in TOLD)
    source = write_csv(tmp_path / "export.csv",
                       "\ufefforder_id,policy_number,premium_fen,产品\n" + rows)
    reconcile(source, tmp_path, "http://127.0.0.1:9")
    outcome = judge(tmp_path)
    assert outcome.status is Status.PASSED, outcome.message
    saved = json.loads((tmp_path / "raw/store/reconciliation.json").read_text("utf-8"))
    assert saved["source"] == {"kind": "csv", "path": str(tmp_path / "export.csv"), "rows": 3}
    assert saved["summary"]["paid"] == 3 and saved["summary"]["paid_without_policy"] == 0


def test_csv_finds_a_lost_policy_and_a_premium_mismatch(tmp_path: Path) -> None:
    write_purchase_log(tmp_path)
    source = write_csv(tmp_path / "export.csv", "order_id,policy_number,premium_fen\n"
                       "ORD-1,POL-1,12800\nORD-2,POL-2,9900\nORD-2,POL-2b,9900\nORD-3,,15100\n")
    reconcile(source, tmp_path, "http://127.0.0.1:9")
    outcome = judge(tmp_path)
    assert outcome.status is Status.FAILED
    assert outcome.details["defects"] == {"paid_with_multiple_policies": 1,
                                          "paid_without_policy": 1,
                                          "store_charged_not_quoted": 1}


@pytest.mark.parametrize(("text", "encoding", "message"), [
    ("order_id,policy,premium_fen\nA,P,1\n", "utf-8",
     r"export.csv:1: the header has no column 'policy_number'"),
    ("order_id,policy_number,premium_fen\nA,P,1\nB,Q,12.50\n", "utf-8",
     r"export.csv:3: column 'premium_fen' is '12.50': expected a whole number of fen"),
    ("order_id,policy_number,premium_fen\n,P,1\n", "utf-8",
     r"export.csv:2: column 'order_id' is empty"),
    ("order_id,policy_number,premium_fen\nA,P,1,extra\n", "utf-8",
     r"export.csv:2: more cells than header columns"),
    ("order_id,policy_number,premium_fen\nA,P,1\nB,保单,2\n", "gbk",
     r"export.csv:3: byte \d+ is not UTF-8; export the file as UTF-8"),
])
def test_a_bad_csv_names_file_line_and_column(tmp_path: Path, text: str, encoding: str,
                                               message: str) -> None:
    source = write_csv(tmp_path / "export.csv", text, encoding)
    with pytest.raises(EvidenceError, match=message):
        reconcile(source, tmp_path, "http://127.0.0.1:9")
    assert not (tmp_path / "raw" / "store" / "reconciliation.json").exists()


def test_a_missing_csv_is_evidence_error(tmp_path: Path) -> None:
    source = IntegritySource("csv", path=tmp_path / "nope.csv")
    with pytest.raises(EvidenceError, match=r"nope\.csv: cannot read the CSV export"):
        reconcile(source, tmp_path, "http://127.0.0.1:9")


def test_an_unreachable_endpoint_is_evidence_error(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError,
                       match=r"GET http://127\.0\.0\.1:9/api/reconciliation failed"):
        reconcile(IntegritySource(), tmp_path, "http://127.0.0.1:9")


@pytest.mark.parametrize(("table", "message"), [
    ({"kind": "sql", "url": "sqlite://", "query": "SELECT 1", "table": "x"},
     r"\[integrity\]: unknown key 'table'; use kind, url, query, path"),
    ({"kind": "sql", "url": "sqlite://", "query": 5}, r"query must be a non-empty string"),
    ({"kind": "excel", "path": "a.xlsx"}, r"kind = 'excel' is not one of endpoint, sql, csv"),
    ({"kind": "sql", "url": "sqlite://"}, r"kind = 'sql' needs query"),
    ({"kind": "csv"}, r"kind = 'csv' needs path"),
    ({"kind": "csv", "path": "a.csv", "query": "SELECT 1"},
     r"query is not used with kind = 'csv'"),
    ({"kind": "sql", "url": "not a url", "query": "SELECT 1"},
     r"url is not an SQLAlchemy URL"),
    ("sql", r"expected a table"),
])
def test_bad_integrity_settings_are_config_errors(table: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        IntegritySource.from_mapping(table, "[integrity]")  # type: ignore[arg-type]


def test_a_secret_url_is_not_echoed_by_a_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        IntegritySource.from_mapping({"kind": "sql", "url": "pg://qa:pw-x@h:5:6/x",
                                      "query": "SELECT 1"}, "[integrity]")
    assert "pw-x" not in str(caught.value)


def test_a_missing_database_driver_says_what_to_install(tmp_path: Path) -> None:
    source = IntegritySource.from_mapping(
        {"kind": "sql", "url": "mysql+pymysql://qa:pw-y@127.0.0.1:9/shop", "query": QUERY},
        "[integrity]")
    with pytest.raises(EvidenceError) as caught:
        reconcile(source, tmp_path, "http://127.0.0.1:9")
    assert "pw-y" not in str(caught.value)
    assert "qa:***@" in str(caught.value)


def test_mask_url_hides_passwords_even_in_urls_sqlalchemy_cannot_parse() -> None:
    from harness_load.reconciliation import mask_url

    assert mask_url("pg://qa:pw-x@h:5:6/x") == "pg://qa:***@h:5:6/x"
    assert mask_url("postgresql://qa:pw@db/shop") == "postgresql://qa:***@db/shop"
    assert mask_url("sqlite:///shop.db") == "sqlite:///shop.db"
