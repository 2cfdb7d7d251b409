"""The one error of the evidence contract: a file that does not hold what the contract says.

Producers never raise it on purpose (they write records through `to_json`); readers raise it
from `from_json` and the judge turns it into an INCONCLUSIVE criterion whose reason is this
message: which file, which line (for JSON lines and CSV), which field, what was wrong.
"""

from __future__ import annotations


class EvidenceInvalid(ValueError):
    """`file`[:`line`]: field `field`: `problem` (field "" is the record as a whole)."""

    def __init__(self, file: str, field: str, problem: str, line: int | None = None) -> None:
        self.file, self.field, self.problem, self.line = str(file), field, problem, line
        where = f"{self.file}:{line}" if line is not None else self.file
        what = f"field {field!r} {problem}" if field else problem
        super().__init__(f"{where}: {what}")
