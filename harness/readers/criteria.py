"""Reads criteria.jsonl (what was judged) and plan.jsonl (what should have been judged).

A missing or corrupt criteria file is an EvidenceError naming the file and line; the verdict
turns that into INCONCLUSIVE. Planned criteria that never recorded are the caller's to report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.errors import EvidenceError
from harness.model import Criterion
from harness.readers.evidence_file import read_json_lines

CRITERIA_FILE = "criteria.jsonl"
PLAN_FILE = "plan.jsonl"


def read_criteria(path: Path) -> list[Criterion]:
    """Every criterion in a criteria.jsonl; the last record of an id wins (a re-run replaces)."""
    if not path.is_file():
        raise EvidenceError("criteria file is missing: run the acceptance features first "
                            "(`harness run`, or `pytest features/ --harness-run-dir DIR`)",
                            path=str(path))
    by_id: dict[str, Criterion] = {}
    for number, record in _json_lines(path):
        criterion = Criterion.from_record(record, source=str(path), line=number)
        by_id[criterion.id] = criterion
    return list(by_id.values())


def read_plan(path: Path) -> list[dict[str, Any]]:
    """The criteria the collected scenarios promise (id, feature, scenario, tags); [] if absent."""
    if not path.is_file():
        return []
    plan: list[dict[str, Any]] = []
    for number, record in _json_lines(path):
        for name in ("id", "feature", "scenario", "tags"):
            if name not in record:
                raise EvidenceError(f"plan record has no field {name!r}", path=str(path),
                                    line=number)
        plan.append(record)
    return plan


def _json_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    records = []
    for number, record in read_json_lines(path, "run the acceptance features first"):
        if not isinstance(record, dict):
            raise EvidenceError("each line must be a JSON object", path=str(path), line=number)
        records.append((number, record))
    return records
