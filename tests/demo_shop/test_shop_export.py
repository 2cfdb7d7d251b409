"""Funnel-event exports (CSV, Parquet) and the paged reconciliation answer."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from shop_flows import ALL_NO, ShopClient, buy_api, start_api

COLUMNS = ["user_id", "cohort", "event", "ts", "value", "product", "journey_id"]
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _events(client: ShopClient) -> list[dict[str, str]]:
    answer = client.get("/api/export/events.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(answer.text))
    assert reader.fieldnames == COLUMNS
    return list(reader)


def test_csv_export_has_the_contract_columns_and_funnel(
    make_client: Callable[..., ShopClient],
) -> None:
    client = make_client(gray_percent=50)
    premium = buy_api(client, "medical", "visitor-a").json()["charged_fen"]
    rows = _events(client)
    assert [r["event"] for r in rows] == [
        "journey_start", "notice_ack", "health_view", "health_submit", "application_view",
        "application_submit", "confirm_view", "payment", "policy_issued",
    ]
    assert {r["user_id"] for r in rows} == {"visitor-a"}
    assert len({r["cohort"] for r in rows}) == 1 and rows[0]["cohort"] in ("gray", "control")
    assert all(ISO_MS.match(r["ts"]) for r in rows)
    by_event = {r["event"]: r for r in rows}
    assert float(by_event["payment"]["value"]) == premium
    assert float(by_event["policy_issued"]["value"]) == premium
    assert float(by_event["application_submit"]["value"]) >= 0
    assert by_event["journey_start"]["value"] == ""


def test_rejected_health_declarations_count_views_and_errors(client: ShopClient) -> None:
    jid = start_api(client, "medical")
    client.post(f"/api/journeys/{jid}/notice", json={})
    client.post(f"/api/journeys/{jid}/health", json={"answers": {"q1": "no"}})
    client.post(f"/api/journeys/{jid}/health", json={"answers": ALL_NO})
    names = [r["event"] for r in _events(client)]
    assert names.count("health_view") == 2
    assert names.count("health_submit") == 2 and names.count("health_error") == 1


def test_parquet_export_has_the_same_rows_as_csv(client: ShopClient) -> None:
    buy_api(client, "travel", "v-1")
    buy_api(client, "accident", "v-2")
    answer = client.get("/api/export/events.parquet")
    assert answer.status_code == 200
    table = pq.read_table(pa.BufferReader(answer.content))
    assert table.column_names == COLUMNS
    assert table.schema.field("ts").type == pa.timestamp("ms", tz="UTC")
    assert table.schema.field("value").type == pa.float64()
    csv_rows = _events(client)
    assert table.num_rows == len(csv_rows) == 14
    assert table.column("event").to_pylist() == [r["event"] for r in csv_rows]


def test_reconciliation_pages_through_all_paid_journeys(client: ShopClient) -> None:
    numbers = {buy_api(client, "travel", f"v{n}").json()["policy_number"] for n in range(5)}
    start_api(client, "travel")  # not paid: not listed
    seen: list[dict[str, Any]] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        page = client.get(f"/api/reconciliation?after={after}&limit=2").json()
        assert (page["summary"]["paid"] == 5) if after == 0 else ("summary" not in page)
        seen += page["journeys"]
        after = page["next_after"]
        pages += 1
    assert pages == 3 and len(seen) == 5
    assert {n for row in seen for n in row["policy_numbers"]} == numbers
    row = seen[0]
    assert row["charged_fen"] == row["premium_fen"]
    assert set(row) >= {"journey_id", "premium_fen", "charged_fen", "payments", "policy_numbers"}


def test_reconciliation_streams_json_lines_and_filters_by_since(client: ShopClient) -> None:
    for n in range(3):
        buy_api(client, "accident", f"v{n}")
    lines = client.get("/api/reconciliation?format=jsonl").text.strip().splitlines()
    assert len(lines) == 4
    assert json.loads(lines[-1])["summary"]["policies"] == 3
    assert all("journey_id" in json.loads(line) for line in lines[:-1])
    future = client.get("/api/reconciliation?since=2999-01-01T00:00:00Z").json()
    assert future["summary"]["paid"] == 0 and future["journeys"] == []
    past = client.get("/api/reconciliation?since=0").json()
    assert past["summary"]["paid"] == 3
