"""raw/gray/events.json: the judge trusts the events file only as exported (size and hash)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness_contract.errors import EvidenceInvalid
from harness_contract.gray_export import EXPORT_RECORD, check_export, record_export


def test_the_exported_file_passes_and_a_changed_one_does_not(tmp_path: Path) -> None:
    events = tmp_path / "events.csv"
    events.write_text("user_id,cohort\nu1,gray\nu2,control\n", encoding="utf-8")
    record = record_export(events)
    assert record.bytes == events.stat().st_size and len(record.sha256) == 64
    check_export(events)
    events.write_text("user_id,cohort\nu1,gray\n", encoding="utf-8")  # cut at a line
    with pytest.raises(EvidenceInvalid, match="is not the file exported"):
        check_export(events)


def test_a_missing_or_damaged_record_is_not_trusted(tmp_path: Path) -> None:
    events = tmp_path / "events.parquet"
    events.write_bytes(b"PAR1")
    with pytest.raises(EvidenceInvalid, match="is missing"):
        check_export(events)
    (tmp_path / EXPORT_RECORD).write_text('{"file": "events.csv", "bytes": 4, "sha256": "'
                                          + "0" * 64 + '"}', encoding="utf-8")
    with pytest.raises(EvidenceInvalid, match=r"but the run holds events\.parquet"):
        check_export(events)
    (tmp_path / EXPORT_RECORD).write_text('{"file": "events.parquet", "bytes": 4}',
                                          encoding="utf-8")
    with pytest.raises(EvidenceInvalid, match="sha256"):
        check_export(events)
