"""Seal a judged run into the record: verdict.md gains "since the last GO", manifest.json is
written, verdict.json gains the manifest's hash and the previous record's hash (a chain per
history), and the history gains the run. Call it right after the verdict is judged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.record.changes import Changes, compare, records, render_since
from harness.record.history import (
    Entry,
    append_entry,
    last_go,
    load_record,
    previous_entry,
    read_history,
)
from harness.record.manifest import MANIFEST_FILE, write_manifest
from harness.record.pages import page_lines
from harness.writers.json_verdict import (
    HASH_FIELD,
    content_hash,
    read_document,
    verdict_from_document,
    write_document,
)
from harness.writers.markdown import render_markdown

VERDICT_FILE = "verdict.json"
ALLURE_MARKDOWN = Path("allure-results") / "launch-verdict-attachment.md"


def seal(run_dir: Path, history_dir: Path) -> None:
    """Seal `run_dir` (a judged run directory) into the history folder `history_dir`."""
    run = Path(run_dir)
    history = Path(history_dir)
    history.mkdir(parents=True, exist_ok=True)
    document = read_document(run / VERDICT_FILE)
    document.pop("record", None)
    entries = read_history(history)
    since, note = since_last_go(history, entries, run.name, document)
    text = render_markdown(verdict_from_document(document, str(run / VERDICT_FILE)),
                           render_since(since, note), page_lines(run))
    (run / "verdict.md").write_text(text, encoding="utf-8")
    if (run / ALLURE_MARKDOWN).is_file():
        (run / ALLURE_MARKDOWN).write_text(text, encoding="utf-8")
    manifest_sha = write_manifest(run)
    previous = previous_entry(entries, run.name)
    document["record"] = record_block(manifest_sha, previous, history)
    document[HASH_FIELD] = content_hash(document)
    write_document(document, run / VERDICT_FILE)
    append_entry(history, _entry(run, document, manifest_sha, previous), document)


def record_block(manifest_sha: str, previous: Entry | None, history: Path) -> dict[str, Any]:
    """The `record` block of a sealed document: its manifest and the previous record's hash."""
    return {"manifest": MANIFEST_FILE, "manifest_sha256": manifest_sha,
            "previous": ({"run_id": previous.run_id, "record_sha256": previous.record_sha256}
                         if previous else None),
            "history": str(history.resolve())}


def since_last_go(history: Path, entries: list[Entry], run_id: str,
                  document: dict[str, Any]) -> tuple[Changes | None, str]:
    """The changes against the last GO before this run, and a note naming that run."""
    base = last_go(entries, run_id)
    if base is None:
        return None, f"none before this run in {history}"
    earlier = load_record(history, base)
    version = f", version {base.target_version}" if base.target_version else ""
    note = f"run {base.run_id}{version}, {base.date[:16] or 'date unknown'}"
    return compare(records(earlier), records(document), base.run_id), note


def _entry(run: Path, document: dict[str, Any], manifest_sha: str,
           previous: Entry | None) -> Entry:
    info = document.get("run") or {}
    return Entry(run_id=run.name, decision=str(document["decision"]),
                 record_sha256=str(document[HASH_FIELD]), run_dir=str(run.resolve()),
                 date=str(info.get("finished") or info.get("started") or ""),
                 target=str(info.get("target") or ""),
                 target_version=str(info.get("target_version") or ""),
                 reasons=tuple(str(r) for r in document.get("reasons") or ()),
                 manifest_sha256=manifest_sha,
                 previous_sha256=previous.record_sha256 if previous else "")
