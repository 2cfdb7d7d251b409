"""Cells of Locust's CSV files (stats.csv, stats_history.csv, failures.csv) read one by one,
each defect an EvidenceError naming the file, the line and the column."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping
from pathlib import Path

from harness.errors import EvidenceError
from harness.readers.evidence_file import LOAD_HINT, read_evidence_text
from harness_contract.fields import MAX_COUNT


def csv_rows(path: Path, required: tuple[str, ...],
              allow_no_rows: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) pairs; header is line 1; short rows are truncation."""
    text = read_evidence_text(path, LOAD_HINT)
    lines = text.splitlines()
    reader = csv.reader(lines)
    header = next(reader)
    missing = [c for c in required if c not in header]
    if missing:
        raise EvidenceError(f"no column {missing[0]!r}; is this a Locust --csv file?",
                            path=str(path), line=1)
    count = 0
    for index, values in enumerate(reader, start=2):
        if not values:
            continue
        if len(values) != len(header):
            raise EvidenceError(f"{len(values)} cells, header has {len(header)}: the line is "
                                "truncated", path=str(path), line=index)
        count += 1
        yield index, dict(zip(header, values, strict=True))
    if not text.endswith("\n"):
        raise EvidenceError("the last line has no line end: the file is truncated",
                            path=str(path), line=len(lines))
    if not count and not allow_no_rows:
        raise EvidenceError("header but no rows: the run recorded nothing", path=str(path))


MAX_RPS = 10_000_000.0


class Cells:
    """Typed access to one CSV row that names file, line and column on any defect."""

    def __init__(self, path: Path, line: int, row: Mapping[str, str]) -> None:
        self.path, self.line, self.row = path, line, row

    def fail(self, column: str, what: str) -> EvidenceError:
        return EvidenceError(f"column {column!r} is {self.row.get(column)!r}: {what}",
                             path=str(self.path), line=self.line)

    def number(self, column: str, high: float = float(MAX_COUNT)) -> float:
        raw = self.row.get(column, "").strip()
        if raw.startswith("-"):
            raise self.fail(column, "negative")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(column, "not a number") from None
        if not math.isfinite(value):
            raise self.fail(column, "not a finite number")
        if not 0 <= value <= high:
            raise self.fail(column, f"outside the plausible range 0 to {high:g}")
        return value

    def optional_number(self, column: str, high: float = float(MAX_COUNT)) -> float | None:
        return None if self.row.get(column, "").strip() == "N/A" else self.number(column, high)

    def count(self, column: str) -> int:
        value = self.number(column)
        if value != int(value):
            raise self.fail(column, "not a count")
        return int(value)
