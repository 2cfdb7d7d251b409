"""Export of the funnel events for the gray-release comparison: CSV (UTF-8) and Parquet.

Columns follow docs/contracts.md: user_id, cohort, event, ts, value, product, journey_id, with
`ts` as ISO 8601 UTC with milliseconds. Rows are read in id order, in chunks, so a million
events never sit in memory twice.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Connection, select

from harness_demo_shop.schema import events

COLUMNS = ("user_id", "cohort", "event", "ts", "value", "product", "journey_id")
CHUNK_ROWS = 5000


def iso_ms(ts_ms: int) -> str:
    """Epoch milliseconds -> '2026-11-21T09:42:54.123Z'."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_ms // 1000)) + f".{ts_ms % 1000:03d}Z"


def iter_event_chunks(conn: Connection, since_ms: int | None = None) -> Iterator[list[Any]]:
    """Chunks of event rows (id, ts_ms, user_id, cohort, event, value, product, journey_id)."""
    cols = (events.c.id, events.c.ts_ms, events.c.user_id, events.c.cohort, events.c.event)
    base = select(*cols, events.c.value, events.c.product, events.c.journey_id)
    if since_ms is not None:
        base = base.where(events.c.ts_ms >= since_ms)
    last = 0
    while True:
        query = base.where(events.c.id > last).order_by(events.c.id).limit(CHUNK_ROWS)
        rows = list(conn.execute(query).all())
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(COLUMNS)
    return buffer.getvalue()


def csv_chunk(rows: list[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for _id, ts_ms, user, cohort, name, value, product, journey in rows:
        value_text = "" if value is None else f"{value:g}"
        stamp = iso_ms(ts_ms)
        writer.writerow((user, cohort, name, stamp, value_text, product or "", journey or ""))
    return buffer.getvalue()


PARQUET_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("cohort", pa.string()),
        ("event", pa.string()),
        ("ts", pa.timestamp("ms", tz="UTC")),
        ("value", pa.float64()),
        ("product", pa.string()),
        ("journey_id", pa.string()),
    ]
)


def parquet_bytes(conn: Connection, since_ms: int | None = None) -> bytes:
    """All events as one Parquet file (one row group per chunk)."""
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, PARQUET_SCHEMA) as writer:
        for rows in iter_event_chunks(conn, since_ms):
            columns = list(zip(*rows, strict=True))
            batch = pa.record_batch(
                [
                    pa.array(columns[2], pa.string()),
                    pa.array(columns[3], pa.string()),
                    pa.array(columns[4], pa.string()),
                    pa.array(columns[1], pa.timestamp("ms", tz="UTC")),
                    pa.array(columns[5], pa.float64()),
                    pa.array(columns[6], pa.string()),
                    pa.array(columns[7], pa.string()),
                ],
                schema=PARQUET_SCHEMA,
            )
            writer.write_batch(batch)
    return sink.getvalue()
