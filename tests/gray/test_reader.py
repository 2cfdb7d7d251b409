"""harness.readers.cohort on good and bad input of every kind: each error names the source,
the line or row, the column and what to do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from harness.errors import ConfigError, EvidenceError
from harness.gray.events import CONTROL, EVENT_CODE, GRAY
from harness.readers.cohort import CohortLabels, Window, read_cohort_events

DATA = Path(__file__).parents[1] / "data" / "gray"
HEADER = "user_id,cohort,event,ts,value,product,journey_id\n"


def write(tmp_path: Path, body: str, name: str = "events.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes((HEADER + body).encode(encoding))
    return str(path)


def test_reads_the_small_export() -> None:
    log = read_cohort_events(str(DATA / "events_small.csv"))
    assert len(log) == 12
    assert set(np.unique(log.cohort)) == {CONTROL, GRAY}
    assert log.provenance.rows_read == 12
    issued = log.value[log.event == EVENT_CODE["policy_issued"]]
    assert sorted(issued) == [4800.0, 12000.0]
    assert log.segments["product"][1] == ("medical", "travel")


def test_gbk_csv_with_chinese_cohort_labels() -> None:
    """The GBK file labels cohorts 对照组 / 灰度组 and must decode as GBK, then map."""
    labels = CohortLabels(control=("对照组",), gray=("灰度组",))
    log = read_cohort_events(str(DATA / "events_gbk.csv"), labels=labels)
    assert len(log) == 6
    assert (log.cohort == GRAY).sum() == 3
    assert "百万医疗险" in log.segments["product"][1]


def test_utf8_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "u1,gray,journey_start,2026-05-01T00:00:00.000Z"
                                                  ",,medical,j1\n").encode())
    assert len(read_cohort_events(str(path))) == 1


def test_missing_columns_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("user_id,event,ts\nu1,journey_start,2026-05-01T00:00:00Z\n")
    with pytest.raises(EvidenceError, match=r"bad\.csv: missing column\(s\) cohort; found "
                                            r"user_id, event, ts"):
        read_cohort_events(str(path))


def test_unknown_cohort_label_names_line_and_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01T00:00:00Z,,,\n"
                           "u2,canary,journey_start,2026-05-01T00:00:00Z,,,\n")
    with pytest.raises(EvidenceError, match=r"events\.csv:3: column 'cohort' has the unknown "
                                            r"label 'canary'.*--gray-label"):
        read_cohort_events(path)
    log = read_cohort_events(path, labels=CohortLabels(gray=("gray", "Canary")))
    assert list(log.cohort) == [CONTROL, GRAY]


def test_same_label_for_both_cohorts_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="both control and gray"):
        CohortLabels(control=("A",), gray=("a",))


def test_unparsable_timestamp_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01T00:00:00Z,,,\n"
                           "u2,gray,journey_start,2026-05-01T00:00:00Z,,,\n"
                           "u3,gray,journey_start,yesterday,,,\n")
    with pytest.raises(EvidenceError, match=r"events\.csv:4: column 'ts' has the unparsable "
                                            r"timestamp 'yesterday'"):
        read_cohort_events(path)


def test_naive_timestamps_are_utc(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01 08:00:00,,,\n"
                           "u2,gray,journey_start,2026-05-01 10:00:00,,,\n")
    window = Window(since=datetime(2026, 5, 1, 9, tzinfo=UTC))
    log = read_cohort_events(path, window=window)
    assert len(log) == 1 and log.provenance.rows_outside_window == 1


def test_events_outside_window_are_excluded_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-04-30T23:59:59.999Z,,,\n"
                           "u2,gray,journey_start,2026-05-01T00:00:00.000Z,,,\n"
                           "u3,gray,journey_start,2026-05-02T00:00:00.000Z,,,\n")
    window = Window(datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 2, tzinfo=UTC))
    log = read_cohort_events(path, window=window)
    assert len(log) == 1
    assert log.provenance.rows_outside_window == 2


def test_users_in_both_cohorts_are_excluded_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01T00:00:00Z,,,\n"
                           "u1,gray,policy_issued,2026-05-01T00:01:00Z,4800,,\n"
                           "u2,gray,journey_start,2026-05-01T00:00:00Z,,,\n")
    log = read_cohort_events(path)
    assert len(log) == 1
    assert log.provenance.users_in_both_cohorts == 1
    assert log.provenance.rows_of_users_in_both == 2


def test_unknown_events_ignored_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01T00:00:00Z,,,\n"
                           "u1,control,page_scroll,2026-05-01T00:00:01Z,,,\n")
    log = read_cohort_events(path)
    assert len(log) == 1
    assert log.provenance.unknown_events == ("page_scroll",)


def test_non_numeric_value_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,application_submit,2026-05-01T00:00:00Z,12.5,,\n"
                           "u2,gray,application_submit,2026-05-01T00:00:00Z,twelve,,\n")
    with pytest.raises(EvidenceError, match=r"events\.csv:3: column 'value' has the non-number "
                                            r"'twelve'"):
        read_cohort_events(path)


def test_empty_user_id_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "u1,control,journey_start,2026-05-01T00:00:00Z,,,\n"
                           ",gray,journey_start,2026-05-01T00:00:00Z,,,\n")
    with pytest.raises(EvidenceError, match=r"events\.csv:3: column 'user_id' is empty"):
        read_cohort_events(path)


def test_header_only_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="no events"):
        read_cohort_events(write(tmp_path, ""))
    with pytest.raises(EvidenceError, match="no such events file"):
        read_cohort_events(str(tmp_path / "absent.csv"))


def test_undecodable_csv(tmp_path: Path) -> None:
    path = tmp_path / "binary.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\x81\x30\xff,control,x,y,,,\n")
    with pytest.raises(EvidenceError, match=r"binary\.csv"):
        read_cohort_events(str(path))


def _table() -> pa.Table:
    return pa.table({
        "user_id": ["u1", "u2", "u3"], "cohort": ["control", "gray", "gray"],
        "event": ["journey_start", "journey_start", "policy_issued"],
        "ts": pa.array([datetime(2026, 5, 1, tzinfo=UTC)] * 3, pa.timestamp("ms", tz="UTC")),
        "value": [None, None, 4800.0]})


def test_parquet_and_its_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(_table(), path)
    assert len(read_cohort_events(str(path))) == 3
    bad = _table().set_column(1, "cohort", pa.array(["control", "gray", "beta"]))
    pq.write_table(bad, path)
    with pytest.raises(EvidenceError, match=r"events\.parquet: row 3: column 'cohort' has the "
                                            r"unknown label 'beta'"):
        read_cohort_events(str(path))


def test_parquet_with_dictionary_columns(tmp_path: Path) -> None:
    table = _table()
    table = table.set_column(1, "cohort", table.column("cohort").dictionary_encode())
    path = tmp_path / "dict.parquet"
    pq.write_table(table, path)
    assert list(read_cohort_events(str(path)).cohort) == [CONTROL, GRAY, GRAY]


def test_sql_table_and_query(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (user_id TEXT, cohort TEXT, event TEXT, "
                             "ts TEXT, value REAL, product TEXT, journey_id TEXT)"))
        conn.execute(sa.text("INSERT INTO events VALUES (:u, :c, :e, :t, :v, 'medical', 'j')"),
                     [{"u": "u1", "c": "control", "e": "journey_start",
                       "t": "2026-05-01T00:00:00.000Z", "v": None},
                      {"u": "u2", "c": "gray", "e": "policy_issued",
                       "t": "2026-05-01T00:00:01.000Z", "v": 4800}])
    engine.dispose()
    assert len(read_cohort_events(url, table="events")) == 2
    log = read_cohort_events(url, query="SELECT * FROM events WHERE cohort = 'gray'")
    assert list(log.value) == [4800.0]
    with pytest.raises(EvidenceError, match="the database refused"):
        read_cohort_events(url, table="nope")
    with pytest.raises(ConfigError, match="exactly one of --table"):
        read_cohort_events(url)


def test_demo_shop_table_with_epoch_milliseconds(tmp_path: Path) -> None:
    """The demo shop's own `events` table keeps ts_ms (epoch ms); it reads without a query."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE events (id INTEGER PRIMARY KEY, ts_ms INTEGER, "
                             "user_id TEXT, cohort TEXT, event TEXT, value REAL, product TEXT, "
                             "journey_id TEXT)"))
        conn.execute(sa.text("INSERT INTO events (ts_ms, user_id, cohort, event, value) "
                             "VALUES (:t, :u, :c, 'journey_start', NULL)"),
                     [{"t": 1_777_600_000_000, "u": "v1", "c": "control"},
                      {"t": 1_777_700_000_000, "u": "v2", "c": "gray"}])
    engine.dispose()
    window = Window(since=datetime.fromtimestamp(1_777_650_000, UTC))
    log = read_cohort_events(url, table="events", window=window)
    assert list(log.cohort) == [GRAY] and log.provenance.rows_outside_window == 1


def test_tab_and_semicolon_delimited(tmp_path: Path) -> None:
    for delimiter in ("\t", ";"):
        path = tmp_path / "events.csv"
        path.write_text(HEADER.replace(",", delimiter) + delimiter.join(
            ["u1", "gray", "policy_issued", "2026-05-01T00:00:00Z", "4800", "", ""]) + "\n",
            encoding="utf-8")
        assert list(read_cohort_events(str(path)).value) == [4800.0]
