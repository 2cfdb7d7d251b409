"""Client-side record of every payment attempt, for the integrity reconciliation.

Each Locust process appends to its own file `raw/load/purchases/<node>.jsonl` (no shared file
between processes, no master round trip, a line is flushed as soon as the answer is known, so a
killed worker keeps what it saw); the launcher merges them into `raw/load/purchases.jsonl`.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import IO, Any


class PurchaseLog:
    """Append-only JSON-lines file owned by one process."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fh: IO[str] | None = None

    @property
    def path(self) -> Path:
        return self.directory / f"{socket.gethostname()}-{os.getpid()}.jsonl"

    def record(self, **fields: Any) -> None:
        if self._fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        fields.setdefault("ts", round(time.time(), 3))
        self._fh.write(json.dumps(fields, ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def merge_purchase_files(directory: Path, target: Path) -> int:
    """Concatenate every per-process file into `target`; returns the number of lines.

    A last line cut short by a killed process is dropped (it was never a complete record)."""
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for part in sorted(directory.glob("*.jsonl")) if directory.is_dir() else []:
            for line in part.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                try:
                    json.loads(line)
                except ValueError:
                    continue
                out.write(line + "\n")
                count += 1
    return count
