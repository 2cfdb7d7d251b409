"""A run's record of what voided it (RUN_DIR/disk-full.json, store-down.json): read back as the
Source the judge voids the verdict with, so `harness verdict RUN` re-judges it the same way."""

from __future__ import annotations

import json
from pathlib import Path

from harness.model import Source


def recorded_source(path: Path, name: str, exit_code: int, command: str,
                    unreadable: str) -> Source | None:
    """The Source `path` records ({"detail": ...}), None when there is no such file; a record
    that cannot be read still counts, saying `unreadable` and why."""
    if not path.exists():
        return None
    try:
        detail = str(json.loads(path.read_text(encoding="utf-8"))["detail"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        detail = f"{unreadable}; the record of it cannot be read ({type(exc).__name__}: {exc})"
    return Source(name, exit_code, command, f"{detail} (recorded in {path})")
