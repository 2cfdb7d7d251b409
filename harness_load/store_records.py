"""The store's orders and policies as rows (order_id, policy_number, premium_fen), from an SQL
query or a CSV export, and the reconciliation record they make (harness_contract's
ReconciliationRecord: harness_load/reconciliation.py writes it, harness/gates/integrity.py
judges it).

One row per policy; an order without a policy is one row with an empty policy_number (NULL).
Rows of one order are one journey of the document: `policy_numbers` the distinct non-empty
numbers, `payments` one charge per distinct premium (a store that charged one order two
different amounts shows as two payments and a premium defect).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness_contract.fields import MAX_FEN
from harness_contract.reconciliation import ReconciliationRecord, StoreJourney, summary_of

COLUMNS = ("order_id", "policy_number", "premium_fen")


@dataclass(frozen=True)
class StoreRow:
    order_id: str
    policy_number: str | None
    premium_fen: int


def record(rows: Iterable[StoreRow], source: Mapping[str, Any]) -> ReconciliationRecord:
    """The contract's record of these rows, one journey per order, with the summary counts the
    rows imply and `source` (which query or file, password masked, rows read) kept beside."""
    orders: dict[str, tuple[list[int], list[str]]] = {}
    count = 0
    for row in rows:
        count += 1
        premiums, policies = orders.setdefault(row.order_id, ([], []))
        if row.premium_fen not in premiums:
            premiums.append(row.premium_fen)
        if row.policy_number and row.policy_number not in policies:
            policies.append(row.policy_number)
    journeys = tuple(StoreJourney(order, premiums[0], tuple(premiums), tuple(policies))
                     for order, (premiums, policies) in orders.items())
    return ReconciliationRecord(journeys, summary_of(journeys),
                                raw={"source": {**source, "rows": count}})


def csv_rows(path: Path) -> list[StoreRow]:
    """Rows of a UTF-8 CSV export (a byte-order mark is fine) with a header naming at least
    order_id, policy_number and premium_fen; other columns are ignored. Every defect is an
    EvidenceError naming the file, the line and the column."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise EvidenceError(f"cannot read the CSV export: {exc.strerror or exc}; check "
                            "[integrity] path", path=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise EvidenceError(f"byte {exc.start} is not UTF-8; export the file as UTF-8 (Excel: "
                            "'CSV UTF-8')", path=str(path), line=line) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise EvidenceError(f"the header has no column {missing[0]!r} (columns: "
                            f"{', '.join(header) or 'none'}); the export needs "
                            f"{', '.join(COLUMNS)}", path=str(path), line=1)
    reader.fieldnames = header
    out = []
    for record in reader:
        try:
            if None in record:
                raise ValueError("more cells than header columns")
            out.append(_row(record))
        except ValueError as exc:
            raise EvidenceError(str(exc), path=str(path), line=reader.line_num) from None
    return out


def sql_rows(url: str, query: str, since_ms: int | None = None) -> list[StoreRow]:
    """Rows of `query` through the SQLAlchemy `url`; the result must have the columns
    order_id, policy_number, premium_fen (use AS to name them). `:since_ms` in the query is
    bound to the run's start (epoch milliseconds). Errors never show the password."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    parsed = make_url(url)
    masked = parsed.render_as_string(hide_password=True)
    params = {"since_ms": since_ms or 0} if ":since_ms" in query else {}
    rows: list[StoreRow] = []
    try:
        engine = create_engine(parsed)
        try:
            with engine.connect() as conn:
                result = conn.execute(text(query), params)
                names = result.keys()
                keys = [str(k).lower() for k in names]
                missing = [c for c in COLUMNS if c not in keys]
                if missing:
                    raise EvidenceError(f"the [integrity] query on {masked} returns no column "
                                        f"{missing[0]!r} (columns: {', '.join(keys)}); name "
                                        f"them with AS: {', '.join(COLUMNS)}")
                for number, values in enumerate(result, start=1):
                    try:
                        rows.append(_row(dict(zip(keys, values, strict=True))))
                    except ValueError as exc:
                        raise EvidenceError(f"the [integrity] query on {masked}, row {number}: "
                                            f"{exc}") from None
        finally:
            engine.dispose()
    except ImportError as exc:
        raise EvidenceError(f"the [integrity] query on {masked} needs the database driver "
                            f"{exc.name or exc}: install it (pip install {exc.name or '...'}) "
                            "into the harness's environment") from None
    except SQLAlchemyError as exc:
        message = str(exc).split("\n")[0]
        if parsed.password:
            message = message.replace(str(parsed.password), "***")
        raise EvidenceError(f"the [integrity] query on {masked} failed: {message}") from None
    return rows


def _row(record: Mapping[str, Any]) -> StoreRow:
    """One row; ValueError saying which column is wrong and how."""
    order = record.get("order_id")
    if order is None or not str(order).strip():
        raise ValueError("column 'order_id' is empty")
    policy = record.get("policy_number")
    policy_text = str(policy).strip() if policy is not None else ""
    return StoreRow(str(order).strip(), policy_text or None,
                    _fen(record.get("premium_fen")))


def _fen(value: Any) -> int:
    """A whole number of fen from an int, an integral Decimal/float or a digit string."""
    if isinstance(value, bool):
        raise ValueError(f"column 'premium_fen' is {value!r}, not a whole number of fen")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise ValueError(f"column 'premium_fen' is {value!r}: expected a whole number of fen "
                    "(1 yuan = 100 fen; 12.50 yuan is 1250)")
    if not 0 < number <= MAX_FEN:
        raise ValueError(f"column 'premium_fen' is {number}: a premium is more than 0 and at "
                         f"most {MAX_FEN:,} fen")
    return number
