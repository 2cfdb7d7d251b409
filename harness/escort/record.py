"""The escort in the release record: its own sealed record, linked to the gate's.

A gate run's verdict is sealed once (its hash is in the history and in the next record's
`previous`), so the escort is not written into it. The watch's run directory is sealed the
same way instead: manifest.json over its evidence (raw/escort/*, the state, every check's
criteria), escort.json with the manifest's hash, the previous record's hash (the history's
chain goes on through it) and `gate`: the gate run it escorts, by run id and record hash.
`harness verify WATCH_RUN` checks it like a gate run; `harness history` lists it beside the
gate's verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.record.history import Entry, append_entry, previous_entry, read_history
from harness.record.manifest import write_manifest
from harness.record.seal import record_block
from harness.writers.json_verdict import HASH_FIELD, content_hash, write_document

ESCORT_JSON = "escort.json"
GATE_DECISIONS = ("GO", "NO-GO", "INCONCLUSIVE")


def gate_link(history: Path, named: str | None) -> dict[str, Any] | None:
    """The gate run this escort follows: `named` (a run id or run directory), else the last
    gate run sealed in the history; None when there is none."""
    entries = [e for e in read_history(history) if e.decision in GATE_DECISIONS]
    if named:
        wanted = Path(named).name
        entries = [e for e in entries if e.run_id == wanted]
        if not entries:
            return {"run_id": wanted, "record_sha256": None,
                    "note": f"not sealed in the history {history}"}
    if not entries:
        return None
    gate = entries[-1]
    return {"run_id": gate.run_id, "record_sha256": gate.record_sha256,
            "decision": gate.decision, "target_version": gate.target_version}


def seal_escort(run_dir: Path, history: Path, document: dict[str, Any],
                info: Mapping[str, Any]) -> dict[str, Any]:
    """Seal the finished watch into `history`; returns the document written as escort.json."""
    history.mkdir(parents=True, exist_ok=True)
    manifest_sha = write_manifest(run_dir)
    entries = read_history(history)
    previous = previous_entry(entries, run_dir.name)
    document.pop(HASH_FIELD, None)
    document["record"] = record_block(manifest_sha, previous, history)
    document[HASH_FIELD] = content_hash(document)
    write_document(document, run_dir / ESCORT_JSON)
    gate = document.get("gate") or {}
    entry = Entry(run_id=run_dir.name, decision=str(document["decision"]),
                  record_sha256=str(document[HASH_FIELD]), run_dir=str(run_dir.resolve()),
                  date=str(info.get("finished") or ""), target=str(info.get("target") or ""),
                  target_version=str(gate.get("target_version") or ""),
                  reasons=tuple(str(r) for r in document.get("reasons") or ()),
                  manifest_sha256=manifest_sha,
                  previous_sha256=previous.record_sha256 if previous else "")
    append_entry(history, entry, document)
    return document
