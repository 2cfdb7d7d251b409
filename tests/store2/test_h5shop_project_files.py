"""The files a QA engineer writes to gate the H5 store parse and name what the gate reads."""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from pathlib import Path

from harness_browser.journey import load_journey
from tests.store2.buyer import PROJECT_FILES
from tests.stores.h5shop.store import Store


def test_the_journey_file_is_valid_and_targets_the_hash_route_of_insure() -> None:
    journey = load_journey(PROJECT_FILES / "journeys" / "medical.toml")
    assert (journey.name, journey.start) == ("medical", "/#/products")
    assert journey.notice is not None
    assert (journey.notice.path, journey.notice.screen) == ("#/insure", None)
    counted = [a.description for a in journey.actions if a.advance and a.counted]
    assert len(counted) == 5, counted
    assert journey.actions[-1].do == "read" and journey.actions[-1].name == "policy_number"


def test_the_integrity_query_names_the_columns_the_gate_reads(tmp_path: Path) -> None:
    store = Store(tmp_path / "shop.sqlite3")
    quote = store.quote(store.add_quote("medical", "basic", 35800))
    assert quote is not None
    order = store.add_order(quote, "qa-tester", "张三", "110105********201X", "138****8000")
    store.submit(order.order_no, "http://shop.insurer.test:1/#/result")
    store.pay(order.order_no)
    exported = list(csv.DictReader(io.StringIO(store.export_csv())))
    store.close()
    query = (PROJECT_FILES / "integrity.sql").read_text(encoding="utf-8")
    with contextlib.closing(sqlite3.connect(tmp_path / "shop.sqlite3")) as db:
        cursor = db.execute(query, {"since_ms": 0})
        rows = cursor.fetchall()
        assert [c[0] for c in cursor.description] == ["order_id", "policy_number",
                                                      "premium_fen"]
        assert db.execute(query, {"since_ms": 4_000_000_000_000}).fetchall() == []
    assert rows == [(order.order_no, "P" + order.order_no[2:], 35800)]
    assert exported == [{"order_id": order.order_no, "policy_number": rows[0][1],
                         "premium_fen": "35800", "status": "PAID"}]
