"""Fetch the store's own account of payments and policies after a run (GET /api/reconciliation)
into raw/store/reconciliation.json, for the integrity reconciliation."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

TIMEOUT_S = 60.0


def fetch_reconciliation(target: str, path: Path) -> str | None:
    """Save the JSON answer to `path`; return None on success, else what went wrong (the
    integrity gate then reports the evidence as missing: INCONCLUSIVE)."""
    url = target.rstrip("/") + "/api/reconciliation"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            body = resp.read()
        json.loads(body)
    except (OSError, urllib.error.URLError, ValueError) as exc:
        return f"GET {url} failed: {exc}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return None
