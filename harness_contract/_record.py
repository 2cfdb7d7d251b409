"""What every record shares: parse a whole file's text, serialise to JSON with no NaN."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dumps(data: Mapping[str, Any], indent: int | None = 2) -> str:
    """JSON text of a record; NaN or infinity is a producer bug and raises ValueError."""
    return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
