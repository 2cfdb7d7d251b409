"""verdict.json: the machine-readable verdict, with a content hash over everything else in it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from harness.model import Verdict


def verdict_document(verdict: Verdict) -> dict[str, Any]:
    body: dict[str, Any] = {
        "decision": verdict.decision.value,
        "exit_code": int(verdict.exit_code),
        "reasons": list(verdict.reasons),
        "warnings": list(verdict.warnings),
        "counts": _counts(verdict),
        "run": dict(verdict.run),
        "sources": [{"name": s.name, "exit_code": s.exit_code, "command": s.command,
                     "detail": s.detail} for s in verdict.sources],
        "criteria": [c.to_record() for c in verdict.criteria],
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    body["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return body


def write_verdict_json(verdict: Verdict, path: Path) -> None:
    document = verdict_document(verdict)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def _counts(verdict: Verdict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for criterion in verdict.criteria:
        counts[criterion.status.value] = counts.get(criterion.status.value, 0) + 1
    return counts
