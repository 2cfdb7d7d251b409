"""Synthetic gray-release event logs with known truth, generated with numpy (no row loops)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

_STEPS = (("notice_ack", 0.9), ("application_view", 0.8), ("application_submit", 0.75),
          ("confirm_view", 0.9), ("payment", 0.95))


@dataclass(frozen=True)
class Cohort:
    users: int
    conversion: float = 0.10
    health_error: float = 0.05
    duration_median_s: float = 60.0
    extra_health_views: float = 0.2


def cohort_table(label: str, spec: Cohort, rng: np.random.Generator, first_user: int) -> pa.Table:
    """Every user views and starts; a fixed path probability chain ends at `conversion`."""
    n = spec.users
    ids = np.arange(first_user, first_user + n)
    parts: list[tuple[np.ndarray, str, np.ndarray]] = []
    nan = np.full(n, np.nan)
    parts += [(ids, "product_view", nan), (ids, "journey_start", nan)]
    medical = rng.random(n) < 0.5
    alive = np.ones(n, bool)
    chain = 1.0
    for step, p in _STEPS:
        chain *= p
        alive &= rng.random(n) < p
        parts.append((ids[alive], step, _step_values(step, alive.sum(), spec, rng)))
        if step == "notice_ack":
            parts += _health(ids, alive & medical, spec, rng)
    final = min(1.0, spec.conversion / chain)
    issued = alive & (rng.random(n) < final)
    parts.append((ids[issued], "policy_issued", rng.choice([4800.0, 12000.0], issued.sum())))
    users = np.concatenate([p[0] for p in parts])
    events = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    values = np.concatenate([p[2] for p in parts])
    ts = np.datetime64("2026-05-01T00:00:00", "ms") + rng.integers(0, 86_400_000, len(users))
    return pa.table({
        "user_id": pa.array(np.char.add("u", users.astype(str))),
        "cohort": pa.array(np.full(len(users), label)),
        "event": pa.array(events),
        "ts": pa.array(ts).cast(pa.timestamp("ms", tz="UTC")),
        "value": pa.array(values, from_pandas=True),
        "product": pa.array(np.where(medical, "medical", "travel")[users - first_user]),
    })


def _step_values(step: str, k: int, spec: Cohort, rng: np.random.Generator) -> np.ndarray:
    if step == "application_submit":
        return np.round(spec.duration_median_s * rng.lognormal(0.0, 0.5, k), 1)
    return np.full(k, np.nan)


def _health(ids: np.ndarray, who: np.ndarray, spec: Cohort,
            rng: np.random.Generator) -> list[tuple[np.ndarray, str, np.ndarray]]:
    users = ids[who]
    views = 1 + rng.poisson(spec.extra_health_views, len(users))
    errored = rng.random(len(users)) < spec.health_error
    out = [(np.repeat(users, views), "health_view", np.full(int(views.sum()), np.nan)),
           (users, "health_submit", np.full(len(users), np.nan)),
           (users[errored], "health_error", np.full(int(errored.sum()), np.nan)),
           (users[errored], "health_submit", np.full(int(errored.sum()), np.nan))]
    return out


def make_events(control: Cohort, gray: Cohort, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    return pa.concat_tables([cohort_table("control", control, rng, 0),
                             cohort_table("gray", gray, rng, control.users)])


def write_events(table: pa.Table, path: Path) -> Path:
    """Parquet by suffix, else CSV with ISO 8601 UTC timestamps like the demo shop's export."""
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    else:
        pacsv.write_csv(table, path)
    return path
