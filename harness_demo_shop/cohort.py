"""Gray-release cohort assignment: a stable hash of the visitor id against the gray share.

sha256 (not Python's salted `hash()`) keeps a visitor in the same cohort across restarts, workers
and machines, which the gray-release comparison depends on.
"""

from __future__ import annotations

import hashlib
import re
import secrets

GRAY = "gray"
CONTROL = "control"
_SALT = b"demo-shop-gray-release:"
_BUCKETS = 10_000
VISITOR_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


def bucket_of(key: str, buckets: int = _BUCKETS) -> int:
    """Map `key` to a stable bucket in `0..buckets-1`."""
    digest = hashlib.sha256(_SALT + key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def assign_cohort(visitor_id: str, gray_percent: float) -> str:
    """Return `gray` for about `gray_percent` % of visitor ids, `control` for the rest."""
    return GRAY if bucket_of(visitor_id) < round(gray_percent * _BUCKETS / 100) else CONTROL


def new_visitor_id() -> str:
    """A fresh random visitor id for a browser without the `visitor_id` cookie."""
    return "v" + secrets.token_hex(8)


def is_valid_visitor_id(value: str) -> bool:
    """Visitor ids are short printable tokens; anything else is refused as bad input."""
    return bool(VISITOR_ID_RE.match(value))
