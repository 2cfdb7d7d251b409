"""The shop's hot-path SQL: SQLAlchemy Core statements compiled once per dialect.

Why: building and caching a Core statement costs tens of microseconds per execution, more than
SQLite needs to run it. Compiling each statement once to the dialect's SQL (named parameters)
and running it on the DBAPI cursor keeps every query parameterised and prepared (sqlite3 keeps
its own prepared-statement cache) while the journey endpoints stay within their budget.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from harness_demo_shop.schema import (
    applications,
    complaints,
    events,
    payments,
    policies,
    quotes,
)

AUTOINCREMENT_KEYS = ("seq", "id")  # applications.seq, events.id: assigned by the database


def _insert(table: Table) -> ClauseElement:
    columns = [c.name for c in table.columns if c.name not in AUTOINCREMENT_KEYS]
    return table.insert().values({c: bindparam(c) for c in columns})


def _by(table: Table, column: str, order: str | None = None) -> ClauseElement:
    query = select(table).where(table.c[column] == bindparam("key"))
    if order is not None:
        query = query.order_by(table.c[order])
    return query  # callers fetch one row; LIMIT would add an unnamed parameter


class Statements:
    """Compiled SQL strings for one dialect; updates are compiled on first use per shape."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.insert_journey = self._compile(_insert(applications))
        self.insert_quote = self._compile(_insert(quotes))
        self.insert_payment = self._compile(_insert(payments))
        self.insert_policy = self._compile(_insert(policies))
        self.insert_event = self._compile(_insert(events))
        self.insert_complaint = self._compile(_insert(complaints))
        self.journey_by_id = self._compile(_by(applications, "journey_id"))
        self.payment_by_key = self._compile(_by(payments, "idempotency_key"))
        self.first_payment_of = self._compile(_by(payments, "journey_id", "created_ms"))
        self.policy_by_number = self._compile(_by(policies, "policy_number"))
        self.surrender = self._compile(
            policies.update()
            .where(policies.c.policy_number == bindparam("key"),
                   policies.c.status == bindparam("from_status"))
            .values(status=bindparam("to_status"), surrendered_ms=bindparam("ts"))
        )
        self._updates: dict[tuple[tuple[str, ...], int], str] = {}

    def _compile(self, stmt: ClauseElement) -> str:
        compiled = stmt.compile(dialect=self.dialect)
        constants = [k for k, v in compiled.params.items() if v is not None]
        # every value must come from the caller, by name
        if getattr(compiled, "positiontup", None) or constants:
            raise RuntimeError(f"{self.dialect.name}: every parameter must be named: {stmt}")
        return str(compiled)

    def guarded_update(self, keys: Iterable[str], statuses: int) -> str:
        """UPDATE applications SET <keys> WHERE journey_id = :jid AND status IN (:s0..)."""
        shape = (tuple(sorted(keys)), statuses)
        sql = self._updates.get(shape)
        if sql is None:
            stmt = (
                applications.update()
                .where(
                    applications.c.journey_id == bindparam("jid"),
                    applications.c.status.in_([bindparam(f"s{i}") for i in range(statuses)]),
                )
                .values({k: bindparam(f"v_{k}") for k in shape[0]})
            )
            sql = self._updates[shape] = self._compile(stmt)
        return sql
