import json
from pathlib import Path

import pytest

from harness.errors import EvidenceError
from harness.model import Criterion, Status
from harness.readers.criteria import read_criteria, read_plan
from harness.writers.criteria import append_criterion

from .factories import criterion


def test_round_trip_through_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "criteria.jsonl"
    original = criterion("a :: x", Status.FAILED, observed=7.0)
    append_criterion(path, original)
    [read] = read_criteria(path)
    assert read == original


def test_last_record_of_an_id_wins(tmp_path: Path) -> None:
    path = tmp_path / "criteria.jsonl"
    append_criterion(path, criterion("a :: x", Status.FAILED))
    append_criterion(path, criterion("a :: x", Status.PASSED))
    assert [c.status for c in read_criteria(path)] == [Status.PASSED]


def test_missing_file_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match=r"criteria\.jsonl.*missing.*harness run"):
        read_criteria(tmp_path / "criteria.jsonl")


def test_truncated_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "criteria.jsonl"
    append_criterion(path, criterion("a :: x"))
    with path.open("a") as fh:
        fh.write('{"id": "b :: y", "status": "pas')
    with pytest.raises(EvidenceError, match=r"criteria\.jsonl:2: not valid JSON"):
        read_criteria(path)


def test_nan_is_rejected(tmp_path: Path) -> None:
    record = criterion("a :: x").to_record()
    text = json.dumps(record).replace('"observed": 5', '"observed": NaN')
    path = tmp_path / "criteria.jsonl"
    path.write_text(text + "\n")
    with pytest.raises(EvidenceError, match="NaN is not a number the harness accepts"):
        read_criteria(path)


def test_nan_observed_is_written_as_null() -> None:
    record = criterion("a :: x", observed=float("nan")).to_record()
    assert record["observed"] is None


@pytest.mark.parametrize(("field", "value", "match"), [
    ("status", "green", "field 'status' is 'green'"),
    ("tags", ["major"], "unknown severity tag 'major'"),
])
def test_invalid_fields_are_named(tmp_path: Path, field: str, value: object, match: str) -> None:
    record = criterion("a :: x").to_record()
    record[field] = value
    path = tmp_path / "criteria.jsonl"
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(EvidenceError, match=match):
        read_criteria(path)


def test_record_missing_a_field(tmp_path: Path) -> None:
    record = criterion("a :: x").to_record()
    del record["scenario"]
    with pytest.raises(EvidenceError, match="no field 'scenario'"):
        Criterion.from_record(record, source="x.jsonl", line=3)


def test_plan_absent_is_empty_and_bad_plan_is_named(tmp_path: Path) -> None:
    assert read_plan(tmp_path / "plan.jsonl") == []
    (tmp_path / "plan.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(EvidenceError, match=r"plan\.jsonl:1: plan record has no field"):
        read_plan(tmp_path / "plan.jsonl")
