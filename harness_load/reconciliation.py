"""Fetch the store's own account of payments and policies after a run (GET /api/reconciliation,
followed page by page through `next_after`) into raw/store/reconciliation.json as one
{"summary": ..., "journeys": [...]} document, for the integrity reconciliation."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

TIMEOUT_S = 60.0
PAGE_LIMIT = 10_000
MAX_PAGES = 1_000


def fetch_reconciliation(target: str, path: Path, since_ms: int | None = None) -> str | None:
    """Save the merged answer to `path`; return None on success, else what went wrong (the
    integrity gate then finds no store evidence: INCONCLUSIVE). `since_ms` limits it to
    journeys paid since the run started, when the store keeps older ones."""
    base = target.rstrip("/") + "/api/reconciliation"
    journeys: list[Any] = []
    summary: Any = None
    after: int | None = 0
    pages = 0
    try:
        while after is not None and pages < MAX_PAGES:
            query = {"after": after, "limit": PAGE_LIMIT}
            if since_ms is not None:
                query["since"] = since_ms
            page = _get_json(f"{base}?{urllib.parse.urlencode(query)}")
            summary = page.get("summary", summary)
            journeys.extend(page.get("journeys") or [])
            after = page.get("next_after")
            pages += 1
    except (OSError, urllib.error.URLError, ValueError, AttributeError) as exc:
        return f"GET {base} failed: {exc}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"summary": summary or {}, "journeys": journeys},
                              ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return None


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
        data = json.loads(resp.read())
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    return data
