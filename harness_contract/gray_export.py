"""raw/gray/events.json: what the gray phase exported, written right after the export:

    {"file": "events.csv", "bytes": 812345, "sha256": "<64 hex>"}

The judge reads raw/gray/events.{csv,parquet} only when it is the file exported: an export
cut at a line boundary still parses as CSV, but no longer has the recorded size and hash. A
run whose events have no record (a producer that did not write one) is not judged either.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from harness_contract._record import dumps
from harness_contract.errors import EvidenceInvalid
from harness_contract.fields import Obj, loads

EXPORT_RECORD = "events.json"
EVENT_FILES = ("events.parquet", "events.csv")
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class EventsExport:
    file: str
    bytes: int
    sha256: str

    def to_json(self) -> str:
        text = dumps({"file": self.file, "bytes": self.bytes, "sha256": self.sha256})
        EventsExport.from_json(text, f"{EXPORT_RECORD} (to_json)")  # a producer bug fails here
        return text

    @classmethod
    def from_json(cls, text: str, file: str) -> EventsExport:
        o = Obj(loads(text, file), file)
        name = o.choice("file", EVENT_FILES)
        size = o.integer("bytes", hi=1 << 40)
        sha = o.text("sha256")
        if not _SHA.fullmatch(sha):
            raise o.fail("sha256", f"is {sha[:20]!r}, not 64 lowercase hex digits")
        return cls(name, size, sha)


def _digest(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def record_export(events: Path) -> EventsExport:
    """Write events.json beside `events` (the file just exported); returns the record."""
    size, sha = _digest(events)
    record = EventsExport(events.name, size, sha)
    (events.parent / EXPORT_RECORD).write_text(record.to_json() + "\n", encoding="utf-8")
    return record


def check_export(events: Path) -> None:
    """EvidenceInvalid unless `events` is the file its events.json records (size and hash)."""
    path = events.parent / EXPORT_RECORD
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EvidenceInvalid(str(path), "", "is missing: nothing records which events file "
                              "was exported, so the one on disk cannot be trusted; export "
                              "the events again") from None
    record = EventsExport.from_json(text, str(path))
    if record.file != events.name:
        raise EvidenceInvalid(str(path), "file", f"is {record.file!r}, but the run holds "
                              f"{events.name}: export the events again")
    try:
        size, sha = _digest(events)
    except OSError as exc:
        raise EvidenceInvalid(str(events), "", f"cannot read the events file "
                              f"({type(exc).__name__}: {exc.strerror or exc}); check its "
                              "permissions, or export it again") from None
    if (size, sha) != (record.bytes, record.sha256):
        raise EvidenceInvalid(str(events), "", f"is not the file exported: {size:,} bytes "
                              f"(sha256 {sha[:12]}…) where {EXPORT_RECORD} records "
                              f"{record.bytes:,} (sha256 {record.sha256[:12]}…); it was cut or "
                              "changed after the export: export the events again")
