"""The validated event log of a gray comparison: integer-coded columns, ready for counting.

Readers turn a CSV, Parquet file or SQL table into this; metrics count from it. Columns are
numpy arrays of small integer codes (one row per event), so every metric is a `bincount` over
ten million rows instead of a group-by over strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["CONTROL", "EVENTS", "GRAY", "EventLog", "Provenance"]

CONTROL = 0
GRAY = 1

# the demo shop's funnel events (docs/contracts.md), in funnel order; the index is the code
EVENTS: tuple[str, ...] = (
    "product_view", "journey_start", "notice_ack", "health_view", "health_submit",
    "health_error", "health_declined", "application_view", "application_submit",
    "application_error", "confirm_view", "payment", "policy_issued", "server_error",
)
EVENT_CODE: dict[str, int] = {name: code for code, name in enumerate(EVENTS)}


@dataclass(frozen=True)
class Provenance:
    """Where the events came from and what validation removed, with counts, for the report."""

    source: str
    rows_read: int
    rows_used: int
    rows_outside_window: int = 0
    users_in_both_cohorts: int = 0
    rows_of_users_in_both: int = 0
    rows_unknown_event: int = 0
    unknown_events: tuple[str, ...] = ()
    window: tuple[str | None, str | None] = (None, None)
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class EventLog:
    """One row per kept event. `user` codes index users (0..n_users-1), `cohort` is CONTROL or
    GRAY, `event` an index into EVENTS, `value` float (nan when absent), `segments` maps a
    segment column (product, device) to (codes per row, names per code)."""

    user: NDArray[np.int64]
    cohort: NDArray[np.int8]
    event: NDArray[np.int8]
    value: NDArray[np.float64]
    n_users: int
    provenance: Provenance
    segments: dict[str, tuple[NDArray[np.int32], tuple[str, ...]]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.user)
