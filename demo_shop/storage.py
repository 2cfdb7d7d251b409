"""Storage of the shop through SQLAlchemy Core: SQLite (WAL) by default, any database URL.

Why it looks like this: the shop runs several worker processes on one SQLite file, so every write
is one short `BEGIN IMMEDIATE` transaction (no read-then-upgrade deadlocks), reads run in
autocommit, and each process keeps one connection of each kind (opened lazily, after fork).
Every state change is a guarded UPDATE (`WHERE status IN (...)`), so two workers racing on the
same journey cannot both move it. All statements are parameterised Core constructs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import RowMapping, make_url
from sqlalchemy.exc import IntegrityError

from demo_shop.schema import applications, events, metadata, payments, policies, quotes

Values = Mapping[str, Any]


class StaleJourney(Exception):
    """The journey was not in an expected status any more (a concurrent or repeated request)."""


class DuplicatePayment(Exception):
    """A payment with this idempotency key exists already (the UNIQUE constraint said so)."""


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    if immediate:

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Store:
    """One process's access to the shop database: lazy connections, short write transactions."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.is_sqlite = make_url(db_url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self._write_engine = _sqlite_engine(db_url, immediate=True)
            self._read_engine = _sqlite_engine(db_url, immediate=False)
        else:
            self._write_engine = create_engine(db_url, pool_pre_ping=True)
            self._read_engine = create_engine(db_url, pool_pre_ping=True)
        self._read_engine = self._read_engine.execution_options(isolation_level="AUTOCOMMIT")
        self._pid = -1
        self._writer: Connection | None = None
        self._reader: Connection | None = None

    def create_tables(self) -> None:
        """Create missing tables (idempotent; safe to call in every worker)."""
        metadata.create_all(self._write_engine, checkfirst=True)

    def _ensure_connections(self) -> None:
        if self._pid != os.getpid():  # first use, or first use after fork
            self._write_engine.dispose(close=False)
            self._read_engine.dispose(close=False)
            self._writer = self._write_engine.connect()
            self._reader = self._read_engine.connect()
            self._pid = os.getpid()

    def reader(self) -> Connection:
        """The autocommit connection for reads (reconciliation and export use it too)."""
        self._ensure_connections()
        assert self._reader is not None
        return self._reader

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One short write transaction; rolled back on any exception."""
        self._ensure_connections()
        conn = self._writer
        assert conn is not None
        try:
            yield conn
            conn.commit()
        except BaseException:
            conn.rollback()
            raise

    def close(self) -> None:
        for conn in (self._writer, self._reader):
            if conn is not None:
                conn.close()
        self._writer = self._reader = None
        self._pid = -1
        self._write_engine.dispose()
        self._read_engine.dispose()

    # --- reads -------------------------------------------------------------------------------
    def get_journey(self, journey_id: str) -> RowMapping | None:
        stmt = select(applications).where(applications.c.journey_id == journey_id)
        return self.reader().execute(stmt).mappings().first()

    def find_payment(self, idempotency_key: str) -> RowMapping | None:
        stmt = select(payments).where(payments.c.idempotency_key == idempotency_key)
        return self.reader().execute(stmt).mappings().first()

    def first_payment_of(self, journey_id: str) -> RowMapping | None:
        stmt = (
            select(payments)
            .where(payments.c.journey_id == journey_id)
            .order_by(payments.c.created_ms)
            .limit(1)
        )
        return self.reader().execute(stmt).mappings().first()

    def get_policy(self, policy_number: str) -> RowMapping | None:
        stmt = select(policies).where(policies.c.policy_number == policy_number)
        return self.reader().execute(stmt).mappings().first()

    # --- writes ------------------------------------------------------------------------------
    def add_events(self, rows: Sequence[Values]) -> None:
        if rows:
            with self.transaction() as conn:
                conn.execute(events.insert(), list(rows))

    def start_journey(self, journey: Values, event_rows: Sequence[Values]) -> None:
        with self.transaction() as conn:
            conn.execute(applications.insert(), dict(journey))
            conn.execute(events.insert(), list(event_rows))

    def transition(
        self,
        journey_id: str,
        from_statuses: Iterable[str],
        values: Values,
        event_rows: Sequence[Values],
        quote: Values | None = None,
    ) -> None:
        """Move a journey on (guarded by its current status), with its events and quote.

        Raises StaleJourney when the journey is not in one of `from_statuses` any more.
        """
        with self.transaction() as conn:
            self._guarded_update(conn, journey_id, from_statuses, values)
            if quote is not None:
                conn.execute(quotes.insert(), dict(quote))
            if event_rows:
                conn.execute(events.insert(), list(event_rows))

    def record_payment(
        self,
        journey_id: str,
        payment_rows: Sequence[Values],
        policy_rows: Sequence[Values],
        event_rows: Sequence[Values],
        now_ms: int,
    ) -> None:
        """Payment, policies, events and the move to `paid` in one transaction.

        Raises DuplicatePayment if the idempotency key was used already, StaleJourney if the
        journey is no longer waiting for payment.
        """
        try:
            with self.transaction() as conn:
                values = {"status": "paid", "updated_ms": now_ms}
                self._guarded_update(conn, journey_id, ("confirm",), values)
                conn.execute(payments.insert(), list(payment_rows))
                if policy_rows:
                    conn.execute(policies.insert(), list(policy_rows))
                conn.execute(events.insert(), list(event_rows))
        except IntegrityError as exc:
            raise DuplicatePayment(str(exc.orig)) from exc

    def surrender_policy(self, policy_number: str, now_ms: int) -> bool:
        """Mark an active policy surrendered; False if it was not active."""
        stmt = (
            policies.update()
            .where(policies.c.policy_number == policy_number, policies.c.status == "active")
            .values(status="surrendered", surrendered_ms=now_ms)
        )
        with self.transaction() as conn:
            return conn.execute(stmt).rowcount == 1

    @staticmethod
    def _guarded_update(
        conn: Connection, journey_id: str, from_statuses: Iterable[str], values: Values
    ) -> None:
        stmt = (
            applications.update()
            .where(
                applications.c.journey_id == journey_id,
                applications.c.status.in_(list(from_statuses)),
            )
            .values(**values)
        )
        if conn.execute(stmt).rowcount != 1:
            raise StaleJourney(journey_id)
