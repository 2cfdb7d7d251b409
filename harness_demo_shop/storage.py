"""Storage of the shop: SQLite (WAL) by default, any SQLAlchemy database URL by setting.

Why it looks like this: several worker processes share one SQLite file, so the writes of each
worker go through group commit (`harness_demo_shop.group_commit`: one `BEGIN IMMEDIATE` transaction
for all requests in flight, no read-then-upgrade deadlocks), reads run in autocommit, and each
process keeps one connection of each kind, opened lazily after fork. Every state
change is a guarded UPDATE (`WHERE status IN (...)`), so two workers racing on one journey
cannot both move it. Hot-path SQL is compiled once (`harness_demo_shop.statements`); reconciliation
and
export use SQLAlchemy Core on `reader()`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from harness_demo_shop.group_commit import GroupCommit
from harness_demo_shop.schema import metadata
from harness_demo_shop.statements import Statements
from harness_demo_shop.write_lock import WriteLock

Values = Mapping[str, Any]
Row = dict[str, Any]


class StaleJourney(Exception):
    """The journey was not in an expected status any more (a concurrent or repeated request)."""


class DuplicatePayment(Exception):
    """A payment with this idempotency key exists already (the UNIQUE constraint said so)."""


def _sqlite_engine(url: str, autocheckpoint: bool) -> Engine:
    # busy_timeout 0: a locked database raises at once (StoreBusy) instead of sleeping inside
    # sqlite, which would freeze the worker's whole event loop for 1-100 ms
    engine = create_engine(url, paramstyle="named",
                           connect_args={"check_same_thread": False, "timeout": 0})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # autocommit; writes issue BEGIN IMMEDIATE
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=0")
        if not autocheckpoint:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    return engine


class Store:
    """One process's access to the shop database: lazy connections, short write transactions."""

    def __init__(self, db_url: str, autocheckpoint: bool = True) -> None:
        self.db_url = db_url
        self.is_sqlite = make_url(db_url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(db_url, autocheckpoint)
        else:
            self.engine = create_engine(db_url, pool_pre_ping=True)
        self.sql = Statements(self.engine.dialect)
        dbapi = self.engine.dialect.loaded_dbapi
        self._integrity_errors: tuple[type[BaseException], ...] = (dbapi.IntegrityError,)
        self._operational_errors: tuple[type[BaseException], ...] = (dbapi.OperationalError,)
        database = make_url(db_url).database if self.is_sqlite else None
        on_disk = database is not None and database not in ("", ":memory:")
        self._lock = WriteLock.for_database(str(database)) if on_disk else None
        self.writes = GroupCommit(self._begin, self._finish, self._is_busy, self._lock)
        self._pid = -1
        self._raw_writer: Any = None
        self._raw_reader: Any = None
        self._driver_reader: Any = None
        self._reader: Connection | None = None

    def create_tables(self) -> None:
        """Create missing tables (idempotent)."""
        metadata.create_all(self.engine, checkfirst=True)

    def drop_tables(self) -> None:
        metadata.drop_all(self.engine)

    def _ensure_connections(self) -> None:
        if self._pid != os.getpid():  # first use, or first use after fork
            self.engine.dispose(close=False)
            self._raw_writer = self.engine.raw_connection()
            self._raw_reader = self.engine.raw_connection()
            if not self.is_sqlite:
                self._raw_reader.driver_connection.autocommit = True
            self._driver_reader = self._raw_reader.driver_connection
            autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            self._reader = autocommit.connect()
            self._pid = os.getpid()

    def reader(self) -> Connection:
        """An autocommit SQLAlchemy connection for reconciliation and export queries."""
        self._ensure_connections()
        assert self._reader is not None
        return self._reader

    def _begin(self) -> Any:
        self._ensure_connections()
        cursor = self._raw_writer.cursor()
        if self.is_sqlite:
            try:
                cursor.execute("BEGIN IMMEDIATE")
            except BaseException:
                cursor.close()
                raise
        return cursor

    def _finish(self, cursor: Any, commit: bool) -> None:
        try:
            if commit:
                self._raw_writer.commit()
            else:
                self._raw_writer.rollback()
        finally:
            cursor.close()

    def _is_busy(self, exc: BaseException) -> bool:
        text = str(exc)
        return isinstance(exc, self._operational_errors) and ("locked" in text or "busy" in text)

    def checkpoint(self) -> None:
        """Copy the SQLite WAL into the database file without blocking writers (PASSIVE)."""
        if self.is_sqlite:
            self._ensure_connections()
            cursor = self._raw_writer.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                cursor.close()

    def close(self) -> None:
        for conn in (self._raw_writer, self._raw_reader, self._reader):
            if conn is not None:
                conn.close()
        self._raw_writer = self._raw_reader = self._reader = self._driver_reader = None
        self._pid = -1
        if self._lock is not None:
            self._lock.close()
        self.engine.dispose()

    # --- reads -------------------------------------------------------------------------------
    def _one(self, sql: str, key: str) -> Row | None:
        self._ensure_connections()
        # the driver's own connection: the pool's proxy cursor costs more than the query
        cursor = self._driver_reader.execute(sql, {"key": key})
        try:
            row = cursor.fetchone()
            names = [d[0] for d in cursor.description] if row is not None else []
        finally:
            cursor.close()
        return dict(zip(names, row, strict=True)) if row is not None else None

    def get_journey(self, journey_id: str) -> Row | None:
        return self._one(self.sql.journey_by_id, journey_id)

    def find_payment(self, idempotency_key: str) -> Row | None:
        return self._one(self.sql.payment_by_key, idempotency_key)

    def first_payment_of(self, journey_id: str) -> Row | None:
        return self._one(self.sql.first_payment_of, journey_id)

    def get_policy(self, policy_number: str) -> Row | None:
        return self._one(self.sql.policy_by_number, policy_number)

    # --- writes (each one operation of the worker's next group commit) --------------------
    async def add_events(self, rows: Sequence[Values]) -> None:
        if rows:
            sql = self.sql.insert_event
            await self.writes.run(lambda cursor: cursor.executemany(sql, rows))

    async def start_journey(self, journey: Values, event_rows: Sequence[Values]) -> None:
        full = {c: None for c in _JOURNEY_COLUMNS} | dict(journey)

        def write(cursor: Any) -> None:
            cursor.execute(self.sql.insert_journey, full)
            cursor.executemany(self.sql.insert_event, event_rows)

        await self.writes.run(write)

    async def transition(
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
        statuses = list(from_statuses)

        def write(cursor: Any) -> None:
            self._guarded_update(cursor, journey_id, statuses, values)
            if quote is not None:
                cursor.execute(self.sql.insert_quote, quote)
            if event_rows:
                cursor.executemany(self.sql.insert_event, event_rows)

        await self.writes.run(write)

    async def record_payment(
        self,
        journey_id: str,
        payment_rows: Sequence[Values],
        policy_rows: Sequence[Values],
        event_rows: Sequence[Values],
        now_ms: int,
    ) -> None:
        """Payment, policies, events and the move to `paid` as one atomic operation.

        Raises DuplicatePayment if the idempotency key was used already, StaleJourney if the
        journey is no longer waiting for payment.
        """

        def write(cursor: Any) -> None:
            values = {"status": "paid", "updated_ms": now_ms}
            self._guarded_update(cursor, journey_id, ("confirm",), values)
            try:
                cursor.executemany(self.sql.insert_payment, payment_rows)
                if policy_rows:
                    cursor.executemany(self.sql.insert_policy, policy_rows)
            except self._integrity_errors as exc:
                raise DuplicatePayment(str(exc)) from exc
            cursor.executemany(self.sql.insert_event, event_rows)

        await self.writes.run(write)

    async def add_complaint(self, row: Values) -> None:
        sql = self.sql.insert_complaint
        await self.writes.run(lambda cursor: cursor.execute(sql, row))

    async def surrender_policy(self, policy_number: str, now_ms: int) -> bool:
        """Mark an active policy surrendered; False if it was not active."""
        params = {"key": policy_number, "ts": now_ms, "from_status": "active",
                  "to_status": "surrendered"}

        def write(cursor: Any) -> bool:
            cursor.execute(self.sql.surrender, params)
            return bool(cursor.rowcount == 1)

        return await self.writes.run(write)

    def _guarded_update(
        self, cursor: Any, journey_id: str, from_statuses: Iterable[str], values: Values
    ) -> None:
        statuses = list(from_statuses)
        params: dict[str, Any] = {f"v_{k}": v for k, v in values.items()}
        params |= {f"s{i}": s for i, s in enumerate(statuses)}
        params["jid"] = journey_id
        cursor.execute(self.sql.guarded_update(values.keys(), len(statuses)), params)
        if cursor.rowcount != 1:
            raise StaleJourney(journey_id)


_JOURNEY_COLUMNS = [c.name for c in metadata.tables["applications"].columns if c.name != "seq"]
