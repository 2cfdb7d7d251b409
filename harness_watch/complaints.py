"""Complaint and feedback events from the store's own records, counted per check into
raw/escort/complaints.jsonl (harness_contract.complaints.ComplaintWindow). This side only
counts; the escort judge (harness/escort/complaints.py) decides what the counts mean.

Sources (`ComplaintSource`):

* a CSV file (`.csv`): UTF-8 (a byte-order mark is fine), a header line;
* a Parquet file (`.parquet`, `.pq`);
* an SQL source: an SQLAlchemy URL and a query. `:start` and `:end` in the query are bound to
  the window's bounds in UNIX seconds, so a large table is not read whole at every check.

Columns (names case-insensitive; use AS in SQL): `time`, `category`, `text`, and optionally
`order_or_policy_id` (or `id`) and `kind` (`complaint` or `feedback`; absent or empty:
complaint). `time` is UNIX seconds, or an ISO 8601 time with its zone (2026-12-01T10:00:00+08:00;
a time without a zone is ambiguous and refused). A bad file, column or row raises EvidenceError
naming the file (or the masked URL), the line or row, and the column. A password in a URL
never appears in a message or in complaints.jsonl.
"""

from __future__ import annotations

import io
import math
import numbers
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, EvidenceError
from harness.secret import mask_text, mask_url
from harness_contract.complaints import COMPLAINT, FEEDBACK, ComplaintEvent, ComplaintWindow

__all__ = ["COLUMNS", "ComplaintSource", "failed_window", "read_events", "window_counts"]

COLUMNS = ("time", "category", "order_or_policy_id", "text")
REQUIRED = ("time", "category", "text")
ALIASES = {"id": "order_or_policy_id"}
SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass(frozen=True)
class ComplaintSource:
    """Where the events are: kind "csv" or "parquet" (path) or "sql" (url, query)."""

    kind: str
    path: Path | None = None
    url: str | None = None
    query: str | None = None

    @classmethod
    def of(cls, location: str | Path, query: str | None = None) -> ComplaintSource:
        """A file by its suffix, or an SQLAlchemy URL (which needs `query`)."""
        text = str(location)
        if "://" in text:
            if not query or not query.strip():
                raise ConfigError(f"complaints from {mask_url(text)} need a query returning "
                                  f"the columns {', '.join(COLUMNS)}")
            return cls("sql", url=text, query=query)
        kind = SUFFIXES.get(Path(text).suffix.lower())
        if kind is None:
            raise ConfigError(f"complaints source {text}: cannot tell its kind; name a .csv "
                              "or .parquet file, or give an SQLAlchemy URL and a query")
        return cls(kind, path=Path(text))

    def describe(self) -> str:
        """Where the events came from, any password masked (written into complaints.jsonl)."""
        if self.kind == "sql":
            return f"sql {mask_url(self.url or '')}"
        return f"{self.kind} {self.path}"


def read_events(source: ComplaintSource, start: float | None = None,
                end: float | None = None) -> list[ComplaintEvent]:
    """Every event of the source (for SQL, `:start`/`:end` bound when the query names them)."""
    if source.kind == "sql":
        assert source.url is not None and source.query is not None
        return _sql_events(source.url, source.query, start, end)
    assert source.path is not None
    if source.kind == "csv":
        return _csv_events(source.path)
    if source.kind == "parquet":
        return _parquet_events(source.path)
    raise ConfigError(f"complaints source kind {source.kind!r} is not csv, parquet or sql")


def window_counts(events: Iterable[ComplaintEvent], start: float, end: float, check: int,
                  source: str = "") -> ComplaintWindow:
    """The window (start, end] of one check: complaints by category, and other feedback."""
    if not end > start:
        raise ValueError(f"window end {end!r} is not after its start {start!r}")
    inside = [e for e in events if start < e.at <= end]
    counts = Counter(e.category for e in inside if e.kind == COMPLAINT)
    feedback = sum(1 for e in inside if e.kind == FEEDBACK)
    return ComplaintWindow(check, start, end, dict(counts), sum(counts.values()), feedback,
                           source)


def failed_window(check: int, start: float, end: float, source: str,
                  error: str) -> ComplaintWindow:
    """A window whose source could not be read: no data, never zero complaints."""
    return ComplaintWindow(check, start, end, {}, None, None, source, mask_text(error))


# --- files ---

def _csv_events(path: Path) -> list[ComplaintEvent]:
    import pandas as pd

    raw = _read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise EvidenceError(f"byte {exc.start} is not UTF-8 (a GBK or other legacy encoding?); "
                            "save the file as UTF-8 (Excel: 'CSV UTF-8')", path=str(path),
                            line=line) from None
    if not text.strip():
        raise EvidenceError("is empty: a complaints CSV needs at least its header line "
                            f"({', '.join(COLUMNS)})", path=str(path))
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise EvidenceError(f"not a readable CSV: {exc}", path=str(path)) from None
    return _events(frame.columns, frame.itertuples(index=False, name=None), str(path),
                   "line", first=2)


def _parquet_events(path: Path) -> list[ComplaintEvent]:
    import pandas as pd

    _read_bytes(path)  # a missing or unreadable file says so plainly
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise EvidenceError(f"not a readable Parquet file: {exc}", path=str(path)) from None
    return _events(frame.columns, frame.itertuples(index=False, name=None), str(path), "row",
                   first=1)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"cannot read the complaints file: {exc.strerror or exc}",
                            path=str(path)) from None


# --- SQL ---

def _sql_events(url: str, query: str, start: float | None,
                end: float | None) -> list[ComplaintEvent]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    masked = mask_url(url)
    params = {name: value for name, value in (("start", start), ("end", end))
              if f":{name}" in query}
    if any(value is None for value in params.values()):
        raise ConfigError(f"the complaints query on {masked} names :start or :end, but no "
                          "window was given")
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                result = conn.execute(text(query), params)
                return _events(list(result.keys()), (tuple(r) for r in result),
                               f"the complaints query on {masked}", "row", first=1)
        finally:
            engine.dispose()
    except ImportError as exc:
        raise EvidenceError(f"the complaints query on {masked} needs the database driver "
                            f"{exc.name or exc}: install it into the harness's environment"
                            ) from None
    except SQLAlchemyError as exc:
        message = mask_text(str(exc).split("\n")[0])
        raise EvidenceError(f"the complaints query on {masked} failed: {message}") from None
    except ValueError as exc:  # an unparsable URL
        raise ConfigError(f"complaints source {masked}: {mask_text(str(exc))}") from None


# --- rows into events ---

def _columns(names: Sequence[Any], where: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        key = str(name).strip().lower()
        key = ALIASES.get(key, key)
        if key in index and key in (*COLUMNS, "kind"):
            raise EvidenceError(f"{where}: column {key!r} appears twice (or as both 'id' and "
                                "'order_or_policy_id'): ambiguous")
        index.setdefault(key, i)
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        shown = ", ".join(str(n) for n in names) or "none"
        raise EvidenceError(f"{where}: no column {missing[0]!r} (columns: {shown}); the "
                            f"source needs {', '.join(REQUIRED)} and may have "
                            "order_or_policy_id (or id) and kind")
    return index


def _events(names: Sequence[Any], rows: Iterable[tuple[Any, ...]], where: str, unit: str,
            first: int) -> list[ComplaintEvent]:
    index = _columns(names, where)
    events = []
    for number, row in enumerate(rows, start=first):
        record = {key: row[i] for key, i in index.items()}
        try:
            events.append(_event(record))
        except ValueError as exc:
            raise EvidenceError(f"{where}, {unit} {number}: {exc}") from None
    return events


def _event(record: Mapping[str, Any]) -> ComplaintEvent:
    reference = _text(record.get("order_or_policy_id"))
    kind = (_text(record.get("kind")) or COMPLAINT).lower()
    if kind not in (COMPLAINT, FEEDBACK):
        raise ValueError(f"column 'kind' is {kind!r}, not {COMPLAINT!r} or {FEEDBACK!r}")
    category = _text(record.get("category"))
    if not category:
        raise ValueError("column 'category' is empty")
    try:
        return ComplaintEvent(_time(record.get("time")), category, reference or None,
                              _text(record.get("text")), kind)
    except ValueError as exc:
        raise ValueError(f"column {str(exc).split(' ')[0]!r}: {exc}") from None


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _time(value: Any) -> float:
    """UNIX seconds from a number, a numeric text, or a zoned ISO 8601 time / datetime."""
    if isinstance(value, bool) or value is None or (isinstance(value, datetime)
                                                    and value != value):  # pandas' NaT
        raise ValueError("time is empty")
    if isinstance(value, numbers.Real):  # numpy's integers from Parquet too
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"time {value!r} is empty or not a number")
        return float(value)
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError("time is empty")
        try:
            return float(value)
        except ValueError:
            pass
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"time {value!r} is neither UNIX seconds nor an ISO 8601 time"
                             ) from None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"time {value.isoformat()!r} has no time zone: ambiguous (write "
                             "it with its offset, e.g. 2026-12-01T10:00:00+08:00)")
        return value.timestamp()
    raise ValueError(f"time {value!r} is not a time")
