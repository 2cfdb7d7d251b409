"""criteria.jsonl: one criterion record per line, appended and flushed as soon as it is known,
so a crash mid-run leaves every criterion already judged on disk."""

from __future__ import annotations

import json
import os
from pathlib import Path

from harness.model import Criterion


def append_criterion(path: Path, criterion: Criterion) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(criterion.to_record(), ensure_ascii=False, allow_nan=False)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
