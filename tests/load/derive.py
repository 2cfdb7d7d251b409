"""Derive broken evidence from a captured copy: each helper edits one file in place."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def edit_generator(folder: Path, edit: Callable[[dict[str, Any]], None],
                   kinds: tuple[str, ...] = ("steady",)) -> None:
    """Apply `edit` to every generator.jsonl line in the given phase kinds."""
    path = folder / "generator.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if data.get("phase_kind") in kinds:
            edit(data)
            _keep_consistent(data)
        lines.append(json.dumps(data))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _keep_consistent(data: dict[str, Any]) -> None:
    """Carry an edit through to the line's own totals, as the master would have written them:
    socket errors summed over workers, users spread over workers, lag max >= lag p95."""
    totals: dict[str, int] = {}
    for w in data["workers"]:
        for kind, n in (w.get("socket_errors") or {}).items():
            totals[kind] = totals.get(kind, 0) + n
        if (w.get("loop_lag_ms_p95") or 0) > (w.get("loop_lag_ms_max") or 0):
            w["loop_lag_ms_max"] = w["loop_lag_ms_p95"]
    data["socket_errors"] = totals
    workers = data["workers"]
    if workers and sum(w["users"] for w in workers) != data["users_actual"]:
        share, rest = divmod(data["users_actual"], len(workers))
        for i, w in enumerate(workers):
            w["users"] = share + (1 if i < rest else 0)
