"""The H5 shop's records in SQLite: quotes, orders, payments and issued policies.

Column names are the shop's own (order_no, policy_no, premium_fen, status), so a gate reads them
through its own SQL (project_files/integrity.sql) or the CSV export. One connection, used only
from the server's event loop (one thread), in WAL mode. The policy number told to the buyer is
kept on the order (`h5_order.policy_no`); the policy the core system issued is a row of
`h5_policy`. A consistent store has one for every paid order.
"""

from __future__ import annotations

import csv
import io
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
create table if not exists h5_quote (
    quote_no text primary key, product_code text not null, plan_code text not null,
    premium_fen integer not null, created_at real not null);
create table if not exists h5_order (
    order_no text primary key, quote_no text not null references h5_quote(quote_no),
    login_name text not null, product_code text not null, plan_code text not null,
    applicant_name text not null, id_no_masked text not null, mobile_masked text not null,
    premium_fen integer not null, status text not null, return_url text,
    policy_no text unique, created_at real not null, paid_at real);
create table if not exists h5_payment (
    trade_no text primary key, order_no text not null unique references h5_order(order_no),
    paid_fen integer not null, paid_at real not null);
create table if not exists h5_policy (
    policy_no text primary key, order_no text not null unique references h5_order(order_no),
    premium_fen integer not null, status text not null, issued_at real not null);
"""

# Paid orders with what the core system issued for them: the reconciliation's view.
PAID_ORDERS_SQL = """
select o.order_no, p.policy_no, pay.paid_fen as premium_fen, o.status
from h5_order o join h5_payment pay on pay.order_no = o.order_no
left join h5_policy p on p.order_no = o.order_no
order by pay.paid_at, o.order_no
"""


@dataclass(frozen=True)
class Order:
    order_no: str
    login_name: str
    product_code: str
    plan_code: str
    applicant_name: str
    premium_fen: int
    status: str  # CREATED -> PAYING -> PAID
    return_url: str | None
    policy_no: str | None


class StepError(Exception):
    """An order asked to move from the wrong status (answered 409)."""


class Store:
    """Every read and write of the shop's SQLite file."""

    def __init__(self, path: str | Path, lose_every_nth_policy: int = 0) -> None:
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")
        self.db.executescript(SCHEMA)
        self.lose_every_nth_policy = lose_every_nth_policy

    def close(self) -> None:
        self.db.close()

    def add_quote(self, product_code: str, plan_code: str, premium_fen: int) -> str:
        quote_no = "Q" + secrets.token_hex(8).upper()
        self.db.execute("insert into h5_quote values (?, ?, ?, ?, ?)",
                        (quote_no, product_code, plan_code, premium_fen, time.time()))
        return quote_no

    def quote(self, quote_no: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            "select * from h5_quote where quote_no = ?", (quote_no,)).fetchone()
        return row

    def add_order(self, quote: sqlite3.Row, login_name: str, applicant_name: str,
                  id_no_masked: str, mobile_masked: str) -> Order:
        order_no = time.strftime("H5%Y%m%d") + secrets.token_hex(5).upper()
        self.db.execute(
            "insert into h5_order (order_no, quote_no, login_name, product_code, plan_code,"
            " applicant_name, id_no_masked, mobile_masked, premium_fen, status, created_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'CREATED', ?)",
            (order_no, quote["quote_no"], login_name, quote["product_code"],
             quote["plan_code"], applicant_name, id_no_masked, mobile_masked,
             quote["premium_fen"], time.time()))
        order = self.order(order_no)
        assert order is not None
        return order

    def order(self, order_no: str) -> Order | None:
        row = self.db.execute("select * from h5_order where order_no = ?", (order_no,)).fetchone()
        if row is None:
            return None
        return Order(**{k: row[k] for k in Order.__dataclass_fields__})

    def submit(self, order_no: str, return_url: str) -> None:
        """CREATED -> PAYING, remembering where the cashier sends the buyer back to."""
        done = self.db.execute(
            "update h5_order set status = 'PAYING', return_url = ?"
            " where order_no = ? and status in ('CREATED', 'PAYING')", (return_url, order_no))
        if done.rowcount != 1:
            raise StepError(f"order {order_no} cannot be submitted now")

    def pay(self, order_no: str) -> str:
        """PAYING -> PAID: records the payment, allocates the policy number told to the buyer
        and issues the policy, in one transaction; returns the trade number.

        With `lose_every_nth_policy` = N, every Nth payment issues no policy (the bug of the
        lost-policies variant): the buyer is still told the number."""
        self.db.execute("begin immediate")
        try:
            order = self.order(order_no)
            if order is None or order.status != "PAYING":
                raise StepError(f"order {order_no} is not waiting for payment")
            trade_no = "T" + secrets.token_hex(8).upper()
            now = time.time()
            self.db.execute("insert into h5_payment values (?, ?, ?, ?)",
                            (trade_no, order_no, order.premium_fen, now))
            policy_no = "P" + order_no[2:]
            self.db.execute("update h5_order set status = 'PAID', paid_at = ?, policy_no = ?"
                            " where order_no = ?", (now, policy_no, order_no))
            payments = self.db.execute("select count(*) from h5_payment").fetchone()[0]
            n = self.lose_every_nth_policy
            if not (n and payments % n == 0):
                self.db.execute("insert into h5_policy values (?, ?, ?, 'ISSUED', ?)",
                                (policy_no, order_no, order.premium_fen, now))
            self.db.execute("commit")
        except BaseException:
            self.db.execute("rollback")
            raise
        return trade_no

    def trade_no(self, order_no: str) -> str | None:
        row = self.db.execute("select trade_no from h5_payment where order_no = ?",
                              (order_no,)).fetchone()
        return None if row is None else str(row[0])

    def export_csv(self) -> str:
        """Paid orders as CSV: order_id, policy_number (empty when none was issued),
        premium_fen (charged), status."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["order_id", "policy_number", "premium_fen", "status"])
        for row in self.db.execute(PAID_ORDERS_SQL):
            writer.writerow([row["order_no"], row["policy_no"] or "", row["premium_fen"],
                             row["status"]])
        return out.getvalue()
