"""verdict.json: the machine-readable verdict, with a content hash over everything else in it.

`content_sha256` is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the
document without that field; `harness verify` recomputes it. The record block that
`harness.record.seal` adds (manifest hash, previous record's hash) is covered by it too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.model import Criterion, Decision, Source, Verdict

HASH_FIELD = "content_sha256"


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
    body[HASH_FIELD] = content_hash(body)
    return body


def content_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of `document` without its own `content_sha256`."""
    body = {k: v for k, v in document.items() if k != HASH_FIELD}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_verdict_json(verdict: Verdict, path: Path) -> None:
    write_document(verdict_document(verdict), path)


def write_document(document: Mapping[str, Any], path: Path) -> None:
    """Write a verdict document atomically (a reader never sees half a verdict)."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)


def read_document(path: Path) -> dict[str, Any]:
    """A verdict.json as a dict; EvidenceError naming the file when it is missing or not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvidenceError("no verdict.json: judge the run first (`harness verdict RUN`)",
                            path=str(path)) from exc
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"not readable as JSON ({exc})", path=str(path)) from exc
    if not isinstance(data, dict) or "decision" not in data:
        raise EvidenceError("not a verdict (no 'decision')", path=str(path))
    return data


def verdict_from_document(document: Mapping[str, Any], source: str = "verdict.json") -> Verdict:
    """The Verdict a verdict.json describes (to re-render it, e.g. with the history)."""
    try:
        decision = Decision(str(document["decision"]))
    except (KeyError, ValueError) as exc:
        raise EvidenceError(f"field 'decision' is {document.get('decision')!r}",
                            path=source) from exc
    criteria = tuple(Criterion.from_record(r, source=source) for r in document.get("criteria", []))
    sources = tuple(Source(str(s.get("name", "")), s.get("exit_code"), str(s.get("command", "")),
                           str(s.get("detail", ""))) for s in document.get("sources", []))
    return Verdict(decision=decision, reasons=tuple(str(r) for r in document.get("reasons", [])),
                   criteria=criteria, warnings=tuple(str(w) for w in document.get("warnings", [])),
                   sources=sources, run=dict(document.get("run") or {}))


def _counts(verdict: Verdict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for criterion in verdict.criteria:
        counts[criterion.status.value] = counts.get(criterion.status.value, 0) + 1
    return counts
