"""Gray-release event logs from CSV (UTF-8 or GBK), Parquet or SQL into a validated EventLog.

Every problem is an EvidenceError naming the source, the line (CSV, header = line 1) or row
(Parquet, SQL), the column and what to do. Choices where the contract is silent:
- events outside the analysis window are dropped and counted (a window is a filter, and the
  count lands in the report), not an error;
- users seen in both cohorts are dropped with all their events and counted (their exposure is
  ambiguous), not an error;
- events not in the demo shop's funnel list are ignored and counted;
- timestamps without a zone offset are taken as UTC (the export writes UTC); integer
  timestamps (`ts`, or the demo shop table's `ts_ms`) are epoch milliseconds.
Columns are decoded with pyarrow compute kernels, never a Python loop per row; the one SQL path
fetches rows through SQLAlchemy and suits tables of modest size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from harness.errors import ConfigError, EvidenceError
from harness.gray.events import CONTROL, EVENT_CODE, GRAY, EventLog, Provenance

__all__ = ["CohortLabels", "Window", "read_cohort_events"]

REQUIRED = ("user_id", "cohort", "event", "ts")
OPTIONAL = ("value", "product", "device", "segment", "journey_id")
SEGMENTS = ("product", "device", "segment")
_HINT = "expected the export columns user_id, cohort, event, ts[, value, product, journey_id]"


@dataclass(frozen=True)
class CohortLabels:
    """Which values of the `cohort` column mean control and gray (compared case-insensitively,
    surrounding blanks ignored)."""

    control: tuple[str, ...] = ("control",)
    gray: tuple[str, ...] = ("gray",)

    def __post_init__(self) -> None:
        both = {_norm(v) for v in self.control} & {_norm(v) for v in self.gray}
        if both:
            raise ConfigError(f"cohort label {sorted(both)[0]!r} is given for both control and "
                              "gray; pass distinct --control-label and --gray-label values")


@dataclass(frozen=True)
class Window:
    """Analysis window [since, until) in UTC; None leaves a side open."""

    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class _Source:
    """A loaded table and how to name one of its rows in a message."""

    name: str
    table: pa.Table
    is_csv: bool

    def error(self, row: int, message: str) -> EvidenceError:
        if self.is_csv:
            return EvidenceError(message, path=self.name, line=row + 2)
        return EvidenceError(f"row {row + 1}: {message}", path=self.name)


def _norm(label: str) -> str:
    return label.strip().casefold()


def read_cohort_events(source: str, *, labels: CohortLabels | None = None,
                       window: Window | None = None, table: str | None = None,
                       query: str | None = None) -> EventLog:
    """Read and validate the events of a gray comparison from a file path or a database URL
    (`sqlite:///events.db` with `table` or `query`)."""
    loaded = _load(source, table, query)
    return _validate(loaded, labels or CohortLabels(), window or Window())


def _load(source: str, table: str | None, query: str | None) -> _Source:
    if "://" in source:
        return _load_sql(source, table, query)
    if table or query:
        raise ConfigError("--table/--query need a database URL such as sqlite:///events.db "
                          f"as EVENTS, got the path {source!r}")
    path = Path(source)
    if not path.is_file():
        raise EvidenceError("no such events file; pass a CSV or Parquet export or a "
                            "database URL", path=source)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return _Source(source, _read_parquet(path), is_csv=False)
        return _Source(source, _read_csv(path), is_csv=True)
    except OSError as exc:  # permission denied, an I/O error: the file, not the release
        raise EvidenceError(f"cannot read the events file ({type(exc).__name__}: "
                            f"{exc.strerror or exc}); check its permissions, or export it "
                            "again", path=source) from exc


def _read_csv(path: Path) -> pa.Table:
    """UTF-8 (with or without BOM) first; GBK files fail UTF-8 validation and are re-read as
    GB18030, the superset of GBK. The delimiter (comma, tab or semicolon, as spreadsheet
    exports vary) is taken from the header line."""
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in (*REQUIRED, *OPTIONAL)},
        strings_can_be_null=True, quoted_strings_can_be_null=True)
    parse = pacsv.ParseOptions(delimiter=_delimiter(path))
    try:
        return pacsv.read_csv(path, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc):
            raise _csv_error(path, exc) from exc
    try:
        return pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding="gb18030"),
                              parse_options=parse, convert_options=convert)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise EvidenceError(f"neither UTF-8 nor GBK text ({exc}); save the file as UTF-8",
                            path=str(path)) from exc


def _delimiter(path: Path) -> str:
    with path.open("rb") as fh:
        header = fh.readline(64 * 1024)
    counts = {d: header.count(d.encode()) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_error(path: Path, exc: Exception) -> EvidenceError:
    said = "".join(c if c.isprintable() else "?" for c in str(exc))[:200]
    return EvidenceError(f"unreadable CSV ({said}); export it again with a header line and "
                         "comma-separated columns", path=str(path))


def _read_parquet(path: Path) -> pa.Table:
    try:
        names = pq.read_schema(path).names
        wanted = [c for c in (*REQUIRED, *OPTIONAL) if c in names]
        few_values = [c for c in ("cohort", "event", *SEGMENTS) if c in wanted]
        return pq.read_table(path, columns=wanted or None, read_dictionary=few_values)
    except (pa.ArrowException, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        raise EvidenceError(f"unreadable Parquet file ({exc}); export it again",
                            path=str(path)) from exc


def _load_sql(url: str, table: str | None, query: str | None) -> _Source:
    import sqlalchemy as sa  # only the SQL path needs it

    if (table is None) == (query is None):
        raise ConfigError("a database URL needs exactly one of --table NAME or --query SQL")
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise ConfigError(f"bad database URL {url!r}: {exc}") from exc
    statement = sa.text(query) if query else sa.select(sa.text("*")).select_from(
        sa.table(str(table)))
    name = f"{url} ({'query' if query else 'table ' + str(table)})"
    try:
        with engine.connect() as conn:
            result = conn.execute(statement)
            keys = list(result.keys())
            rows = result.fetchall()
    except sa.exc.SQLAlchemyError as exc:
        raise EvidenceError(f"the database refused the read: {exc.__class__.__name__}: "
                            f"{str(exc).splitlines()[0]}", path=name) from exc
    finally:
        engine.dispose()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in keys]
    as_text = {"user_id", "cohort", "event", *SEGMENTS}
    arrays = [pa.array([None if v is None else str(v) for v in col], pa.string())
              if key in as_text else pa.array(col)
              for key, col in zip(keys, columns, strict=True)]
    return _Source(name, pa.table(arrays, names=keys), is_csv=False)


def _validate(src: _Source, labels: CohortLabels, window: Window) -> EventLog:
    src = _check_shape(src)
    t = src.table
    cohort = _cohort_codes(src, labels)
    in_window = _window_mask(_timestamps_ms(src), window)
    user, user_names = _codes(t.column("user_id"))
    event, unknown_names = _event_codes(t.column("event"))
    value = _values(src)
    both_users, both_rows = _users_in_both(user, cohort, len(user_names), in_window)
    keep = ~both_rows & (event >= 0) & in_window
    prov = Provenance(
        source=src.name, rows_read=t.num_rows, rows_used=int(keep.sum()),
        rows_outside_window=int((~in_window).sum()), users_in_both_cohorts=both_users,
        rows_of_users_in_both=int((both_rows & in_window).sum()),
        rows_unknown_event=int(((event < 0) & in_window & ~both_rows).sum()),
        unknown_events=unknown_names[:10], window=(_iso(window.since), _iso(window.until)),
        labels={"control": labels.control, "gray": labels.gray})
    segments = {}
    for column in SEGMENTS:
        if column in t.column_names:
            codes, names = _codes(t.column(column))
            segments[column] = (codes[keep], tuple(str(n) for n in names.to_pylist()))
    return EventLog(user=user[keep].astype(np.int64), cohort=cohort[keep], event=event[keep],
                    value=value[keep], n_users=len(user_names), provenance=prov,
                    segments=segments)


def _check_shape(src: _Source) -> _Source:
    """Required columns present, rows present, no empty required cell. The demo shop's own
    table stores `ts_ms` (epoch milliseconds) instead of `ts`; it is accepted as such."""
    t = src.table
    if "ts" not in t.column_names and "ts_ms" in t.column_names:
        t = t.rename_columns(["ts" if c == "ts_ms" else c for c in t.column_names])
        src = _Source(src.name, t, src.is_csv)
    missing = [c for c in REQUIRED if c not in t.column_names]
    if missing:
        raise EvidenceError(f"missing column(s) {', '.join(missing)}; found "
                            f"{', '.join(t.column_names) or 'none'}; {_HINT}", path=src.name)
    if t.num_rows == 0:
        raise EvidenceError("no events: the file has a header but no rows", path=src.name)
    for column in REQUIRED:
        _require_values(src, column)
    return src


def _event_codes(col: pa.ChunkedArray) -> tuple[NDArray[np.int8], tuple[str, ...]]:
    """EVENTS index per row, -1 for events outside the funnel list, and those unknown names."""
    raw, dictionary = _codes(col)
    names = dictionary.to_pylist()
    lookup = np.array([EVENT_CODE.get(str(n), -1) for n in names] or [-1], np.int8)
    unknown = tuple(sorted({str(n) for n in names if str(n) not in EVENT_CODE}))
    return lookup[raw], unknown


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _first(mask: NDArray[np.bool_]) -> int:
    return int(np.flatnonzero(mask)[0])


def _require_values(src: _Source, column: str) -> None:
    col = src.table.column(column)
    if col.null_count:
        row = _first(pc.is_null(col).to_numpy(zero_copy_only=False))
        raise src.error(row, f"column {column!r} is empty; every event needs "
                             f"{', '.join(REQUIRED)}")


def _codes(col: pa.ChunkedArray) -> tuple[NDArray[np.int32], pa.Array]:
    """Integer code per row (-1 for null) and the distinct values (left in Arrow: a million
    user ids need not become Python strings), via Arrow's hash kernel; dictionary columns
    (Parquet categoricals) reuse their unified dictionary instead."""
    if pa.types.is_dictionary(col.type):
        col = col.unify_dictionaries()
        dictionary = col.chunk(0).dictionary if col.num_chunks else pa.array([], pa.string())
        indices: pa.ChunkedArray | pa.Array = pa.chunked_array(
            [c.indices for c in col.chunks], col.type.index_type)
        if indices.null_count:
            indices = indices.fill_null(-1)
        codes = np.concatenate([c.to_numpy(zero_copy_only=False) for c in indices.chunks]
                               or [np.zeros(0, np.int32)])
        return np.asarray(codes, np.int32), dictionary
    encoded = pc.dictionary_encode(col.combine_chunks())
    indices = encoded.indices
    if indices.null_count:
        indices = indices.fill_null(-1)
    return np.asarray(indices.to_numpy(zero_copy_only=False), np.int32), encoded.dictionary


def _cohort_codes(src: _Source, labels: CohortLabels) -> NDArray[np.int8]:
    codes, dictionary = _codes(src.table.column("cohort"))
    names = dictionary.to_pylist()
    control = {_norm(v) for v in labels.control}
    gray = {_norm(v) for v in labels.gray}
    mapped = []
    for code, name in enumerate(names):
        key = _norm(str(name))
        if key not in control and key not in gray:
            row = _first(codes == code)
            raise src.error(row, f"column 'cohort' has the unknown label {name!r}; known "
                                 f"control labels {list(labels.control)}, gray labels "
                                 f"{list(labels.gray)}: map it with --control-label or "
                                 "--gray-label")
        mapped.append(CONTROL if key in control else GRAY)
    return np.array(mapped, np.int8)[codes]


def _timestamps_ms(src: _Source) -> NDArray[np.int64]:
    col = src.table.column("ts").combine_chunks()
    if pa.types.is_timestamp(col.type):
        return np.asarray(col.cast(pa.timestamp("ms")).cast(pa.int64()).to_numpy(
            zero_copy_only=False), np.int64)
    if pa.types.is_integer(col.type):  # epoch milliseconds, as the demo shop stores them
        return np.asarray(col.cast(pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        col = col.cast(pa.string())
    for target in (pa.timestamp("ms", tz="UTC"), pa.timestamp("ms")):
        try:
            parsed = col.cast(target)
        except pa.ArrowInvalid:
            continue
        return np.asarray(parsed.cast(pa.int64()).to_numpy(zero_copy_only=False), np.int64)
    import pandas as pd  # only to locate the bad row once Arrow has refused the column

    text = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    bad = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601").isna().to_numpy()
    row = _first(bad) if bad.any() else 0
    raise src.error(row, f"column 'ts' has the unparsable timestamp {text.iloc[row]!r}; write "
                         "ISO 8601 in UTC such as 2026-05-01T12:00:00.000Z")


def _window_mask(ts_ms: NDArray[np.int64], window: Window) -> NDArray[np.bool_]:
    keep = np.ones(len(ts_ms), dtype=bool)
    if window.since is not None:
        keep &= ts_ms >= _epoch_ms(window.since)
    if window.until is not None:
        keep &= ts_ms < _epoch_ms(window.until)
    return keep


def _epoch_ms(moment: datetime) -> int:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _values(src: _Source) -> NDArray[np.float64]:
    t = src.table
    if "value" not in t.column_names:
        return np.full(t.num_rows, np.nan)
    col = t.column("value").combine_chunks()
    try:
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    except pa.ArrowException:  # invalid or not castable: locate the bad row below
        pass
    import pandas as pd  # only to locate the bad row once Arrow has refused the column

    text = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
    parsed = pd.to_numeric(text, errors="coerce")
    row = _first(parsed.isna().to_numpy() & text.notna().to_numpy())
    raise src.error(row, f"column 'value' has the non-number {text.iloc[row]!r}; write seconds "
                         "or fen as plain numbers, or leave it empty")


def _users_in_both(user: NDArray[np.int32], cohort: NDArray[np.int8], n_users: int,
                   in_window: NDArray[np.bool_]) -> tuple[int, NDArray[np.bool_]]:
    """Users with events in both cohorts within the window, and the mask of all their rows."""
    key = user.astype(np.int64) * 2 + cohort
    if not in_window.all():
        key = key[in_window]
    seen = np.bincount(key, minlength=2 * n_users).reshape(n_users, 2) > 0
    both = seen[:, 0] & seen[:, 1]
    n_both = int(both.sum())
    return n_both, (both[user] if n_both else np.zeros(len(user), dtype=bool))
