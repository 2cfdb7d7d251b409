"""Requirement coverage: requirements are the `@REQ-*` tags of the criteria; an optional
requirements file lists what must be covered (id, title, owner).

A listed requirement with no criterion that ran becomes a criterion of its own, INCONCLUSIVE
and blocking (`blocker`), or only a warning (`minor`) when the project says so, so `decide`
(unchanged) treats it like any other criterion.

File forms: TOML (`[[requirement]]` tables with id, title, owner) or CSV (a header row with
id,title,owner; UTF-8 or UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.errors import ConfigError
from harness.model import Criterion, Outcome, Status

MODES = ("inconclusive", "warn")


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    owner: str = ""


@dataclass(frozen=True)
class Coverage:
    requirement: Requirement
    criteria: tuple[Criterion, ...]

    @property
    def covered(self) -> bool:
        return any(c.status not in (Status.SKIPPED, Status.NOT_APPLICABLE) and not _unrecorded(c)
                   for c in self.criteria)


def read_requirements(path: Path) -> list[Requirement]:
    """The requirements a project must cover; ConfigError naming the file, row and field."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the requirements file ({exc}); fix "
                          "[project] requirements or create it") from exc
    rows = _toml_rows(path, text) if path.suffix == ".toml" else _csv_rows(path, text)
    found: list[Requirement] = []
    for where, row in rows:
        rid = str(row.get("id") or "").strip()
        if not rid.startswith("REQ-"):
            raise ConfigError(f"{path}: {where}: id {rid!r} must be the Gherkin tag without @, "
                              "starting with REQ- (e.g. REQ-COOLING-OFF)")
        if any(r.id == rid for r in found):
            raise ConfigError(f"{path}: {where}: {rid} is listed twice")
        found.append(Requirement(rid, str(row.get("title") or "").strip(),
                                 str(row.get("owner") or "").strip()))
    return found


def _toml_rows(path: Path, text: str) -> list[tuple[str, dict[str, object]]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not TOML ({exc})") from exc
    rows = data.get("requirement", [])
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConfigError(f"{path}: expected [[requirement]] tables with id, title, owner")
    return [(f"requirement {n}", r) for n, r in enumerate(rows, start=1)]


def _csv_rows(path: Path, text: str) -> list[tuple[str, dict[str, object]]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "id" not in [f.strip() for f in reader.fieldnames]:
        raise ConfigError(f"{path}: line 1: expected a header row with id,title,owner")
    return [(f"line {n}", {k.strip(): v for k, v in r.items() if k})
            for n, r in enumerate(reader, start=2)]


def coverage(requirements: Iterable[Requirement],
             criteria: Sequence[Criterion]) -> list[Coverage]:
    return [Coverage(r, tuple(c for c in criteria if r.id in c.tags)) for r in requirements]


def requirement_criteria(requirements: Iterable[Requirement], criteria: Sequence[Criterion],
                         mode: str = "inconclusive") -> list[Criterion]:
    """One INCONCLUSIVE criterion per listed requirement that no criterion that ran covers."""
    if mode not in MODES:
        raise ConfigError(f"requirements mode {mode!r}: use one of {', '.join(MODES)}")
    severity = "blocker" if mode == "inconclusive" else "minor"
    missing = []
    for row in coverage(requirements, criteria):
        if row.covered:
            continue
        r = row.requirement
        who = f" (owner: {r.owner})" if r.owner else ""
        missing.append(Criterion(
            id=f"requirements :: {r.id}", feature="Requirement coverage",
            scenario=f"{r.id} {r.title}".strip() + " is covered by a criterion that ran",
            tags=(r.id, "requirements", severity),
            outcome=Outcome.inconclusive(
                f"requirement {r.id}{who} is listed but no criterion tagged @{r.id} ran: "
                "tag a scenario with it, or remove it from the requirements file")))
    return missing


def _unrecorded(criterion: Criterion) -> bool:
    return criterion.outcome.message.startswith("no criterion was recorded")


def requirements_for(run_dir: Path, requirements: str, mode: str,
                     criteria: Sequence[Criterion]) -> list[Criterion]:
    """The requirement criteria of a run whose run.json names a requirements file: the file is
    copied into the run directory (so it is sealed with the evidence; a re-judge elsewhere
    uses the copy). An unreadable file is one INCONCLUSIVE criterion, not a crash."""
    if not requirements:
        return []
    source = Path(requirements)
    copy = run_dir / f"requirements{source.suffix or '.csv'}"
    try:
        if source.is_file() and source.resolve() != copy.resolve():
            copy.write_bytes(source.read_bytes())
        return requirement_criteria(read_requirements(copy if copy.is_file() else source),
                                    criteria, mode or "inconclusive")
    except (ConfigError, OSError) as exc:
        return [Criterion(id="requirements :: file", feature="Requirement coverage",
                          scenario="the requirements file is readable",
                          tags=("requirements", "blocker"),
                          outcome=Outcome.inconclusive(str(exc)))]
