"""Reconciliation of payments against policies, for the integrity gate after a load test.

Per paid journey: the quoted premium, every payment and every policy. The summary counts are
computed in SQL over the whole table (or since a time), so they stay cheap at 100k journeys;
the per-journey rows are paged by a cursor (`after`) or streamed as JSON lines.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from harness_demo_shop.schema import applications, payments, policies

SUMMARY_KEYS = (
    "paid",
    "payments",
    "policies",
    "paid_without_policy",
    "paid_with_multiple_policies",
    "paid_with_multiple_payments",
    "duplicate_policy_numbers",
    "premium_mismatches",
)


def _paid_journeys(since_ms: int | None) -> Any:
    query = select(applications.c.journey_id).where(applications.c.status == "paid")
    if since_ms is not None:
        query = query.where(applications.c.updated_ms >= since_ms)
    return query


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def summarize(conn: Connection, since_ms: int | None = None) -> dict[str, int]:
    """Counts over all paid journeys (or those paid since `since_ms`); all zero but the first
    three when the store is consistent."""
    paid = _paid_journeys(since_ms)
    pay_in = payments.c.journey_id.in_(paid)
    pol_in = policies.c.journey_id.in_(paid)
    policy_counts = select(policies.c.journey_id).where(pol_in).group_by(policies.c.journey_id)
    payment_counts = select(payments.c.journey_id).where(pay_in).group_by(payments.c.journey_id)
    with_policy = select(policies.c.journey_id).where(pol_in).distinct()
    without_policy = applications.c.journey_id.not_in(with_policy)
    mismatched = (
        select(payments.c.payment_id)
        .join(applications, applications.c.journey_id == payments.c.journey_id)
        .where(pay_in, payments.c.charged_fen != applications.c.premium_fen)
    )
    duplicated_numbers = (
        select(policies.c.policy_number)
        .where(pol_in)
        .group_by(policies.c.policy_number)
        .having(func.count() > 1)
    )
    return {
        "paid": _count(conn, paid),
        "payments": _count(conn, select(payments.c.payment_id).where(pay_in)),
        "policies": _count(conn, select(policies.c.policy_number).where(pol_in)),
        "paid_without_policy": _count(conn, paid.where(without_policy)),
        "paid_with_multiple_policies": _count(conn, policy_counts.having(func.count() > 1)),
        "paid_with_multiple_payments": _count(conn, payment_counts.having(func.count() > 1)),
        "duplicate_policy_numbers": _count(conn, duplicated_numbers),
        "premium_mismatches": _count(conn, mismatched),
    }


def journeys_page(
    conn: Connection, after: int = 0, limit: int = 1000, since_ms: int | None = None
) -> tuple[list[dict[str, Any]], int | None]:
    """Up to `limit` paid journeys with `seq > after`, and the cursor of the next page."""
    query = (
        select(
            applications.c.seq,
            applications.c.journey_id,
            applications.c.product,
            applications.c.cohort,
            applications.c.premium_fen,
        )
        .where(applications.c.status == "paid", applications.c.seq > after)
        .order_by(applications.c.seq)
        .limit(limit)
    )
    if since_ms is not None:
        query = query.where(applications.c.updated_ms >= since_ms)
    rows = conn.execute(query).mappings().all()
    pays, pols = _payments_and_policies(conn, after, rows[-1]["seq"]) if rows else ({}, {})
    out = [
        {
            "journey_id": r["journey_id"],
            "product": r["product"],
            "cohort": r["cohort"],
            "premium_fen": r["premium_fen"],
            "charged_fen": sum(p["charged_fen"] for p in pays.get(r["journey_id"], [])),
            "payments": pays.get(r["journey_id"], []),
            "policy_numbers": pols.get(r["journey_id"], []),
        }
        for r in rows
    ]
    next_after = rows[-1]["seq"] if len(rows) == limit else None
    return out, next_after


def _payments_and_policies(
    conn: Connection, after: int, last_seq: int
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[str]]]:
    """Payments and policy numbers of the paid journeys with `after < seq <= last_seq`.

    The page is a range of seq: joining on it beats binding thousands of journey ids.
    """
    in_page = (
        applications.c.seq > after,
        applications.c.seq <= last_seq,
        applications.c.status == "paid",
    )
    pays: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pols: dict[str, list[str]] = defaultdict(list)
    pay_cols = (payments.c.journey_id, payments.c.payment_id, payments.c.idempotency_key)
    pay_query = (
        select(*pay_cols, payments.c.charged_fen)
        .join(applications, applications.c.journey_id == payments.c.journey_id)
        .where(*in_page)
        .order_by(payments.c.created_ms)
    )
    for p in conn.execute(pay_query).mappings():
        pays[p["journey_id"]].append({k: p[k] for k in p if k != "journey_id"})
    pol_query = (
        select(policies.c.journey_id, policies.c.policy_number)
        .join(applications, applications.c.journey_id == policies.c.journey_id)
        .where(*in_page)
        .order_by(policies.c.created_ms)
    )
    for journey_id, number in conn.execute(pol_query):
        pols[journey_id].append(number)
    return pays, pols
