"""Tables of the shop (SQLAlchemy Core): journeys, quotes, payments, policies, funnel events,
complaints.

The UNIQUE constraints are the last line of defence of payment idempotency: one payment per
idempotency key and one policy per payment, whatever the application code does.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

applications = Table(
    "applications",  # one row per purchase journey
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("journey_id", String(32), nullable=False, unique=True),
    Column("visitor_id", String(64), nullable=False),
    Column("cohort", String(8), nullable=False),
    Column("product", String(16), nullable=False),
    Column("plan", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Column("application_view_ms", BigInteger),
    Column("applicant_name", String(64)),
    Column("insured_name", String(64)),
    Column("id_masked", String(18)),
    Column("birth_date", String(10)),
    Column("phone_masked", String(11)),
    Column("quote_id", String(32)),
    Column("premium_fen", Integer),
)

quotes = Table(
    "quotes",
    metadata,
    Column("quote_id", String(32), primary_key=True),
    Column("journey_id", String(32), nullable=False, index=True),
    Column("product", String(16), nullable=False),
    Column("plan", String(16), nullable=False),
    Column("age_band", String(8), nullable=False),
    Column("premium_fen", Integer, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    Column("payment_id", String(32), primary_key=True),
    Column("journey_id", String(32), nullable=False, index=True),
    Column("idempotency_key", String(80), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("charged_fen", Integer, nullable=False),
    Column("policy_number", String(32)),  # what the buyer was told
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("idempotency_key", name="uq_payment_idempotency_key"),
)

policies = Table(
    "policies",
    metadata,
    Column("policy_number", String(32), primary_key=True),
    Column("payment_id", String(32), nullable=False),
    Column("journey_id", String(32), nullable=False, index=True),
    Column("product", String(16), nullable=False),
    Column("premium_fen", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("surrendered_ms", BigInteger),
    UniqueConstraint("payment_id", name="uq_policy_per_payment"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts_ms", BigInteger, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("cohort", String(8), nullable=False),
    Column("event", String(32), nullable=False),
    Column("value", Float),
    Column("product", String(16)),
    Column("journey_id", String(32)),
)

Index("ix_events_ts", events.c.ts_ms)

complaints = Table(
    "complaints",  # the complaint form (the voice of the customer the escort reads)
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("complaint_id", String(32), nullable=False, unique=True),
    Column("time", String(24), nullable=False),  # ISO 8601 UTC, ms: 2026-12-01T10:30:00.123Z
    Column("ts_ms", BigInteger, nullable=False, index=True),
    Column("category", String(16), nullable=False),
    Column("policy_id", String(32)),  # the policy number or order (journey) id, if given
    Column("text", String(500), nullable=False),
    Column("cohort", String(8), nullable=False),
)
