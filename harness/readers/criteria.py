"""Reads criteria.jsonl (what was judged) and plan.jsonl (what should have been judged).

A missing or corrupt criteria file is an EvidenceError naming the file and line; the verdict
turns that into INCONCLUSIVE. Planned criteria that never recorded are the caller's to report.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.errors import EvidenceError
from harness.model import Criterion

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


def read_plan(path: Path) -> list[dict[str, object]]:
    """The criteria the collected scenarios promise (id, feature, scenario, tags); [] if absent."""
    if not path.is_file():
        return []
    plan: list[dict[str, object]] = []
    for number, record in _json_lines(path):
        for name in ("id", "feature", "scenario", "tags"):
            if name not in record:
                raise EvidenceError(f"plan record has no field {name!r}", path=str(path),
                                    line=number)
        plan.append(record)
    return plan


def _json_lines(path: Path) -> list[tuple[int, dict[str, object]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvidenceError(f"cannot read: {exc}", path=str(path)) from exc
    records: list[tuple[int, dict[str, object]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_reject_constant)
        except (json.JSONDecodeError, ValueError) as exc:
            raise EvidenceError(f"not valid JSON ({exc}); the file may be truncated: "
                                "re-run the features", path=str(path), line=number) from exc
        if not isinstance(record, dict):
            raise EvidenceError("each line must be a JSON object", path=str(path), line=number)
        records.append((number, record))
    return records


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a measurement")
