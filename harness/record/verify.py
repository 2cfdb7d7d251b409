"""`verify`: recompute a sealed run's hashes and say what changed since its verdict.

Checks, in order: verdict.json's own content hash; the manifest's hash recorded in it; every
covered file's SHA-256 (changed, missing, added under raw/); each kept page version's HTML
against the hash its pages.json recorded; and the chain: the history's entry
for this run holds this verdict's hash, and the previous record it names is in the history
with the same hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.record.history import INDEX_FILE, Entry, load_record, read_history
from harness.record.manifest import MANIFEST_FILE, Problem, check_files, read_manifest
from harness.record.pages import page_problems
from harness.writers.json_verdict import HASH_FIELD, content_hash, read_document


@dataclass
class Verification:
    run_id: str
    files_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_run(run_dir: Path, history_dir: Path | None = None) -> Verification:
    run = Path(run_dir)
    result = Verification(run.name)
    # a watch's run directory (harness watch) is sealed with escort.json instead
    name = "escort.json" if (run / "escort.json").is_file() and \
        not (run / "verdict.json").is_file() else "verdict.json"
    try:
        document = read_document(run / name)
    except EvidenceError as exc:
        result.problems.append(Problem(name, "missing", str(exc)))
        return result
    if content_hash(document) != document.get(HASH_FIELD):
        result.problems.append(Problem(name, "changed",
                                       "its content no longer matches its content_sha256"))
    record = document.get("record")
    if not isinstance(record, dict):
        result.problems.append(Problem(name, "changed",
                                       "no record block: the run was never sealed"))
        return result
    _check_manifest(run, record, result)
    history = history_dir or (Path(record["history"]) if record.get("history") else None)
    if history is None or not (history / INDEX_FILE).is_file():
        result.notes.append(f"chain not checked: no history at {history}")
    else:
        _check_chain(history, document, record, result)
    return result


def _check_manifest(run: Path, record: dict[str, Any], result: Verification) -> None:
    path = run / MANIFEST_FILE
    if not path.is_file():
        result.problems.append(Problem(MANIFEST_FILE, "missing"))
        return
    if hashlib.sha256(path.read_bytes()).hexdigest() != record.get("manifest_sha256"):
        result.problems.append(Problem(MANIFEST_FILE, "changed",
                                       "its hash differs from the one in verdict.json"))
    try:
        manifest = read_manifest(run)
    except EvidenceError as exc:
        result.problems.append(Problem(MANIFEST_FILE, "changed", str(exc)))
        return
    result.files_checked = len(manifest["files"])
    result.problems += check_files(run, manifest)
    changed = {p.path for p in result.problems}
    result.problems += [p for p in page_problems(run) if p.path not in changed]


def _check_chain(history: Path, document: dict[str, Any], record: dict[str, Any],
                 result: Verification) -> None:
    entries = read_history(history)
    mine = [e for e in entries if e.run_id == result.run_id]
    index = f"{history / INDEX_FILE}"
    if not mine:
        result.notes.append(f"this run is not in the history {index}")
    elif all(e.record_sha256 != document.get(HASH_FIELD) for e in mine):
        result.problems.append(Problem("verdict.json", "changed",
                                       f"the history {index} sealed a different verdict "
                                       f"({mine[-1].record_sha256[:12]}…)"))
    previous = record.get("previous")
    if not isinstance(previous, dict):
        return
    found = [e for e in entries if e.run_id == previous.get("run_id")
             and e.record_sha256 == previous.get("record_sha256")]
    if not found:
        result.problems.append(Problem(index, "changed", f"the previous record "
                                       f"{previous.get('run_id')} is not in it as sealed"))
        return
    _check_previous_copy(history, found[-1], result)


def _check_previous_copy(history: Path, entry: Entry, result: Verification) -> None:
    try:
        earlier = load_record(history, entry)
    except EvidenceError as exc:
        result.notes.append(f"previous record not checked: {exc}")
        return
    if earlier.get(HASH_FIELD) != entry.record_sha256 or \
            content_hash(earlier) != entry.record_sha256:
        result.problems.append(Problem(f"records/{entry.run_id}.json", "changed",
                                       "the previous record no longer matches its hash"))
