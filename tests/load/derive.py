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
        lines.append(json.dumps(data))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
