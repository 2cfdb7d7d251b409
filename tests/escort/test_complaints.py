"""The voice of the customer: the complaints contract (harness_contract.complaints), reading
events from CSV, Parquet and SQL (harness_watch.complaints), and judging them
(harness.escort.complaints): ratio, top categories, jumps."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from harness.errors import ConfigError, EvidenceError
from harness.escort.complaints import (
    category_jumps,
    complaint_ratio,
    jump_p_values,
    top_categories,
)
from harness_contract.complaints import ComplaintEvent, ComplaintWindow, read_windows
from harness_contract.errors import EvidenceInvalid
from harness_watch.complaints import ComplaintSource, failed_window, read_events, window_counts

T0 = 1_796_000_000.0  # 2026-11-30T08:53:20+08:00
CSV = ("time,category,order_or_policy_id,text,kind\n"
       "1796000010,payment,ORD-1,扣款两次,complaint\n"
       "2026-11-30T08:53:40+08:00,payment,,页面卡住,\n"
       f"{T0 + 30},policy,POL-9,没收到保单,complaint\n"
       f"{T0 + 40},service,,很好用,feedback\n"
       f"{T0 + 900},premium,ORD-7,保费不对,complaint\n")


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- the contract ---

def test_a_window_round_trips_and_its_total_must_add_up() -> None:
    window = ComplaintWindow(3, T0, T0 + 900, {"payment": 2, "policy": 1}, 3, 1, "csv x.csv")
    assert ComplaintWindow.from_json(window.to_json(), "c.jsonl") == window
    data = json.loads(window.to_json())
    data["total"] = 4
    with pytest.raises(EvidenceInvalid, match="'total' is 4, but the counts"):
        ComplaintWindow.from_json(json.dumps(data), "c.jsonl", 1)


@pytest.mark.parametrize(("edit", "field"), [
    ({"counts": {"payment": 0}, "total": 0}, "counts"),
    ({"counts": {" payment": 1}, "total": 1}, "counts. payment"),
    ({"end": T0}, "end"),
    ({"error": "refused"}, "error"),                                  # an error with counts
    ({"total": None}, "total"),                                       # null without an error
    ({"total": -1}, "total"), ({"check": "3"}, "check"), ({"source": None}, "source")])
def test_a_defective_window_is_refused_naming_the_field(edit: dict[str, object],
                                                         field: str) -> None:
    data = json.loads(ComplaintWindow(3, T0, T0 + 900, {"payment": 1}, 1, 0).to_json())
    data.update(edit)
    with pytest.raises(EvidenceInvalid) as info:
        ComplaintWindow.from_json(json.dumps(data), "complaints.jsonl", 4)
    assert info.value.field == field and "complaints.jsonl:4" in str(info.value)


def test_a_failed_window_is_no_data_not_zero() -> None:
    window = failed_window(2, T0, T0 + 900, "sql postgresql://u:***@h/db",
                           "connect to postgresql://u:s3cret@h/db refused")
    back = ComplaintWindow.from_json(window.to_json(), "c.jsonl")
    assert back.total is None and back.counts == {} and "s3cret" not in window.to_json()


def test_the_windows_file_is_read_in_order_without_overlap() -> None:
    a = ComplaintWindow(0, T0, T0 + 900, {}, 0, 0)
    b = ComplaintWindow(1, T0 + 900, T0 + 1800, {"payment": 1}, 1, 0)
    assert read_windows(a.to_json() + "\n" + b.to_json() + "\n", "c.jsonl") == [a, b]
    with pytest.raises(EvidenceInvalid, match=r"c.jsonl:2: field 'check'"):
        read_windows(b.to_json() + "\n" + b.to_json() + "\n", "c.jsonl")
    overlap = ComplaintWindow(2, T0 + 1000, T0 + 2000, {}, 0, 0)
    with pytest.raises(EvidenceInvalid, match="windows overlap"):
        read_windows(b.to_json() + "\n" + overlap.to_json() + "\n", "c.jsonl")
    with pytest.raises(EvidenceInvalid, match="empty"):
        read_windows("", "c.jsonl")


def test_an_event_round_trips_and_is_strict() -> None:
    event = ComplaintEvent(T0, "payment", "ORD-1", "扣款两次")
    assert ComplaintEvent.from_json(event.to_json(), "e.jsonl") == event
    for bad in ({"kind": "praise"}, {"at": 12}, {"category": ""},
                {"order_or_policy_id": ""}):
        data = {**json.loads(event.to_json()), **bad}
        with pytest.raises(EvidenceInvalid, match=next(iter(bad))):
            ComplaintEvent.from_json(json.dumps(data), "e.jsonl")
    with pytest.raises(ValueError, match="category"):
        ComplaintEvent(T0, " payment", None, "")


# --- the producer: files ---

def test_csv_events_are_read_and_counted_per_window(tmp_path: Path) -> None:
    source = ComplaintSource.of(write(tmp_path, "complaints.csv", "\ufeff" + CSV))
    events = read_events(source)
    assert [e.category for e in events] == ["payment", "payment", "policy", "service",
                                            "premium"]
    assert events[1].at == T0 + 20 and events[1].kind == "complaint"  # ISO time, empty kind
    assert events[1].order_or_policy_id is None and events[2].text == "没收到保单"
    window = window_counts(events, T0, T0 + 900, 0, source.describe())
    # (start, end]: the premium complaint at exactly T0 + 900 is this window's
    assert (window.counts, window.total, window.feedback) == (
        {"payment": 2, "policy": 1, "premium": 1}, 4, 1)
    assert window_counts(events, T0 + 900, T0 + 1800, 1).total == 0
    ComplaintWindow.from_json(window.to_json(), "complaints.jsonl")


def test_the_id_column_may_be_called_id_and_a_header_alone_is_no_complaint(
        tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", f"Time,Category,ID,Text\n{T0},payment,ORD-1,x\n")
    assert read_events(ComplaintSource.of(path))[0].order_or_policy_id == "ORD-1"
    header = write(tmp_path, "h.csv", "time,category,order_or_policy_id,text\n")
    assert read_events(ComplaintSource.of(header)) == []


@pytest.mark.parametrize(("content", "problem"), [
    ("时间,category,text\n".encode("gbk") + f"{T0},支付,扣款两次\n".encode("gbk"),
     r"c.csv:1: byte \d+ is not UTF-8 \(a GBK"),
    ("time,text\n1796000000,x\n", r"c.csv: no column 'category' \(columns: time, text\)"),
    ("", "c.csv: is empty"),
    (" \n", "c.csv: is empty"),
    ("time,category,text\n2026-11-29T08:00:00,payment,x\n",
     "c.csv, line 2: column 'time'.*has no time zone"),
    ("time,category,text\nyesterday,payment,x\n", "line 2: column 'time'.*neither UNIX"),
    ("time,category,text\n1796000000,,x\n", "line 2: column 'category' is empty"),
    ("time,category,text,kind\n1796000000,payment,x,praise\n", "column 'kind' is 'praise'"),
    ("time,category,text\n1796000000000,payment,x\n", "column 'time'.*2000-2100"),
    ("time,category,id,order_or_policy_id,text\n", "appears twice"),
])
def test_a_bad_csv_is_refused_naming_file_and_column(tmp_path: Path, content: str | bytes,
                                                     problem: str) -> None:
    path = write(tmp_path, "c.csv", content)
    with pytest.raises(EvidenceError, match=problem):
        read_events(ComplaintSource.of(path))


def test_a_missing_file_or_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="cannot read the complaints file"):
        read_events(ComplaintSource.of(tmp_path / "absent.csv"))
    with pytest.raises(ConfigError, match="cannot tell its kind"):
        ComplaintSource.of(tmp_path / "complaints.xlsx")
    with pytest.raises(ConfigError, match="need a query"):
        ComplaintSource.of("sqlite:///x.db")


def test_parquet_events_with_zoned_timestamps(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "time": pd.to_datetime([T0 + 10, T0 + 20], unit="s", utc=True),
        "category": ["payment", "policy"], "id": ["ORD-1", None], "text": ["扣款两次", "x"]})
    path = tmp_path / "c.parquet"
    frame.to_parquet(path)
    events = read_events(ComplaintSource.of(path))
    assert [(e.at, e.category, e.order_or_policy_id) for e in events] == [
        (T0 + 10, "payment", "ORD-1"), (T0 + 20, "policy", None)]
    numeric = tmp_path / "n.pq"
    frame.assign(time=[int(T0), int(T0) + 5]).to_parquet(numeric)  # numpy int64 seconds
    assert read_events(ComplaintSource.of(numeric))[1].at == T0 + 5


def test_a_bad_parquet_is_refused(tmp_path: Path) -> None:
    naive = tmp_path / "naive.parquet"
    pd.DataFrame({"time": pd.to_datetime([T0], unit="s"), "category": ["payment"],
                  "text": ["x"]}).to_parquet(naive)
    with pytest.raises(EvidenceError, match=r"naive.parquet, row 1: column 'time'.*no time zone"):
        read_events(ComplaintSource.of(naive))
    fake = write(tmp_path, "fake.parquet", CSV)
    with pytest.raises(EvidenceError, match=r"fake.parquet: not a readable Parquet file"):
        read_events(ComplaintSource.of(fake))
    empty = write(tmp_path, "empty.parquet", b"")
    with pytest.raises(EvidenceError, match=r"empty.parquet"):
        read_events(ComplaintSource.of(empty))


# --- the producer: SQL ---

def test_sql_events_bind_the_window(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE feedback (created REAL, cat TEXT, ref TEXT, body TEXT)")
        conn.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?)",
                         [(T0 + 10, "payment", "ORD-1", "扣款两次"),
                          (T0 + 950, "policy", None, "x")])
    query = ("SELECT created AS time, cat AS category, ref AS id, body AS text FROM feedback "
             "WHERE created > :start AND created <= :end")
    source = ComplaintSource.of(f"sqlite:///{db}", query)
    events = read_events(source, T0, T0 + 900)
    assert [(e.category, e.order_or_policy_id) for e in events] == [("payment", "ORD-1")]
    with pytest.raises(ConfigError, match=r":start or :end"):
        read_events(source)
    no_text = ComplaintSource.of(f"sqlite:///{db}", "SELECT created AS time, cat AS category "
                                                    "FROM feedback")
    with pytest.raises(EvidenceError, match=r"query on sqlite:///.*no column 'text'"):
        read_events(no_text)
    with pytest.raises(EvidenceError, match=r"failed: .*no such table"):
        read_events(ComplaintSource.of(f"sqlite:///{db}", "SELECT * FROM complaints"))


def test_the_password_never_appears_in_an_sql_error() -> None:
    url = "postgresql+psycopg://shop:s3cret@127.0.0.1:1/shop?connect_timeout=2"
    source = ComplaintSource.of(url, "SELECT 1")
    assert "s3cret" not in source.describe() and "***" in source.describe()
    with pytest.raises(EvidenceError) as info:
        read_events(source)
    assert "s3cret" not in str(info.value) and "shop:***@127.0.0.1" in str(info.value)


# --- the judge ---

def windows_of(*counts: dict[str, int], length: float = 900.0) -> list[ComplaintWindow]:
    return [ComplaintWindow(i, T0 + i * length, T0 + (i + 1) * length, c, sum(c.values()), 0)
            for i, c in enumerate(counts)]


def test_the_complaint_ratio_is_complaints_per_policy_issued() -> None:
    windows = windows_of({"payment": 2}, {"policy": 1})
    ratio = complaint_ratio(windows, 1000)
    assert (ratio.status, ratio.complaints, ratio.ratio) == ("measured", 3, 0.003)
    assert "0.30%" in ratio.reason
    assert complaint_ratio(windows, 0).status == "not enough data"
    assert complaint_ratio(windows, None).status == "not enough data"
    failed = [*windows, failed_window(2, T0 + 1800, T0 + 2700, "csv c.csv", "gone")]
    assert complaint_ratio(failed, 1000).status == "no data"  # never counted as zero
    assert complaint_ratio([], 1000).status == "no data"
    with pytest.raises(ValueError, match="policies"):
        complaint_ratio(windows, -1)


def test_top_categories_over_the_windows() -> None:
    windows = windows_of({"payment": 2, "page": 1}, {"policy": 2, "payment": 1})
    assert top_categories(windows, 2) == [("payment", 3), ("policy", 2)]


def test_a_category_that_jumps_is_named_and_a_steady_one_is_not() -> None:
    # ten quiet windows with one payment complaint each, then six in the latest window
    windows = windows_of(*[{"payment": 1, "page": 1}] * 10, {"payment": 6, "page": 1,
                                                             "policy": 3})
    screen = category_jumps(windows)
    assert screen.status == "measured"
    by_name = {j.category: j for j in screen.tested}
    assert set(by_name) == {"payment", "policy"}  # "page" (1) is below min_count
    # K = 16, q = 1/11: P(X >= 6) by hand
    q = 1 / 11
    expected = sum(math.comb(16, i) * q ** i * (1 - q) ** (16 - i) for i in range(6, 17))
    assert by_name["payment"].p_value == pytest.approx(expected)
    assert by_name["payment"].expected == pytest.approx(1.0)
    assert by_name["policy"].p_value == pytest.approx(q ** 3)  # never seen before
    assert "payment: 6 complaints" in by_name["payment"].describe()
    # both are below alpha 0.01 / 2 categories at one look, not over a 288-check watch
    assert [j.category for j in category_jumps(windows, looks=1).jumps] == ["payment", "policy"]
    assert screen.jumps == ()
    # a jump far above the usual is found at the watch's level too
    big = windows_of(*[{"payment": 1}] * 10, {"payment": 14})
    assert [j.category for j in category_jumps(big).jumps] == ["payment"]
    steady = category_jumps(windows_of(*[{"payment": 3}] * 11))
    assert steady.jumps == () and steady.status == "measured"


def _steady_watch_alarms(rates: list[float], looks_corrected: int, watches: int = 400,
                         checks: int = 288, seed: int = 17) -> float:
    """Share of steady watches (Poisson counts per category and check, equal windows) in
    which the screen names a jump at any check: the same test as category_jumps, vectorised."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rates, (watches, checks, len(rates)))
    before = np.cumsum(counts, axis=1) - counts
    alarm = np.zeros(watches, dtype=bool)
    for t in range(2, checks):
        k = counts[:, t, :]
        tested = k >= 3
        per_window = 0.01 / (looks_corrected * np.maximum(tested.sum(axis=1, keepdims=True), 1))
        alarm |= (tested & (jump_p_values(k, before[:, t, :], 1 / (t + 1)) <= per_window)).any(1)
    return float(alarm.mean())


def test_a_steady_store_rarely_shows_a_jump_over_a_whole_watch() -> None:
    rates = [0.5, 1.0, 2.0, 5.0]
    watch_level = _steady_watch_alarms(rates, looks_corrected=288)
    per_check = _steady_watch_alarms(rates, looks_corrected=1)
    print(f"\nsteady complaints, 288 checks x 400 watches: false jumps {watch_level:.1%} with "
          f"the watch-level level, {per_check:.1%} at alpha 0.01 per check")
    assert watch_level <= binom.ppf(0.999, 400, 0.01) / 400
    assert per_check > 0.5  # the bad case: a per-check screen cries wolf


def test_the_vectorised_screen_is_what_category_jumps_computes() -> None:
    windows = windows_of(*[{"payment": 1, "page": 2}] * 7, {"payment": 5, "page": 4})
    by_name = {j.category: j for j in category_jumps(windows).tested}
    p = jump_p_values([5, 4], [7, 14], 1 / 8)
    assert (by_name["payment"].p_value, by_name["page"].p_value) == pytest.approx(tuple(p))


def test_jumps_follow_the_policies_when_they_are_given() -> None:
    # ten times the complaints in a window with ten times the sales is not a jump ...
    windows = windows_of(*[{"payment": 1}] * 10, {"payment": 20})
    assert category_jumps(windows, exposures=[100] * 10 + [2000]).jumps == ()
    # ... but it is one when measured against time
    assert [j.category for j in category_jumps(windows).jumps] == ["payment"]


def test_jumps_need_history_and_data() -> None:
    assert category_jumps(windows_of({"payment": 1}, {"payment": 9})).status == \
        "not enough data"
    last_failed = [*windows_of({}, {}, {}), failed_window(3, T0 + 2700, T0 + 3600, "s", "x")]
    assert category_jumps(last_failed).status == "no data"
    with pytest.raises(ValueError, match="exposures"):
        category_jumps(windows_of({}, {}), exposures=[1.0])
    with pytest.raises(ValueError, match="looks"):
        category_jumps(windows_of({}, {}), looks=0)


def test_the_complaints_contract_imports_only_the_standard_library() -> None:
    import subprocess
    import sys

    code = ("import sys, harness_contract.complaints; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('harness', "
            "'harness_watch', 'pandas', 'numpy', 'scipy', 'sqlalchemy', 'pyarrow')); "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
