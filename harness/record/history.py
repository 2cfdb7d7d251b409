"""The release history of a project: one line per sealed run in `launch-history.jsonl`, a copy
of every sealed verdict in `records/`, and Allure 3's own history file, all in one folder.

The folder is the project's reports/ by default, or one the user names (`--history DIR`,
`[project] history`) so that CI, where every run starts on a fresh machine, keeps it between
runs (restore and save it like a cache). Nothing here needs the run directories themselves:
the copies in records/ are enough for `harness history`, `harness diff` and "since the last GO".
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError

INDEX_FILE = "launch-history.jsonl"
RECORDS_DIR = "records"
ALLURE_HISTORY_FILE = "allure-history.jsonl"
ESCORT_ALLURE_HISTORY_FILE = "allure-escort-history.jsonl"  # escorts trend apart from gates


@dataclass(frozen=True)
class Entry:
    """One sealed judgement of a run (a re-judged run has a later entry of its own)."""

    run_id: str
    decision: str
    record_sha256: str
    run_dir: str = ""
    date: str = ""
    target: str = ""
    target_version: str = ""
    reasons: tuple[str, ...] = ()
    manifest_sha256: str = ""
    previous_sha256: str = ""
    sealed: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, rec: Mapping[str, Any], source: str, line: int) -> Entry:
        try:
            return cls(run_id=str(rec["run_id"]), decision=str(rec["decision"]),
                       record_sha256=str(rec["record_sha256"]),
                       run_dir=str(rec.get("run_dir") or ""), date=str(rec.get("date") or ""),
                       target=str(rec.get("target") or ""),
                       target_version=str(rec.get("target_version") or ""),
                       reasons=tuple(str(r) for r in rec.get("reasons") or ()),
                       manifest_sha256=str(rec.get("manifest_sha256") or ""),
                       previous_sha256=str(rec.get("previous_sha256") or ""))
        except (KeyError, TypeError) as exc:
            raise EvidenceError(f"history entry lacks {exc}", path=source, line=line) from exc

    def to_record(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("extra")
        data.pop("sealed")
        data["reasons"] = list(self.reasons)
        return data


def read_history(history: Path) -> list[Entry]:
    """Every entry of the history, oldest first ([] when the folder has none yet)."""
    path = history / INDEX_FILE
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise EvidenceError(f"not JSON ({exc}); the history was edited by hand?",
                                path=str(path), line=number) from exc
        if not isinstance(rec, dict):
            raise EvidenceError("each line must be a JSON object", path=str(path), line=number)
        entries.append(Entry.from_record(rec, str(path), number))
    return entries


def releases(history: Path) -> list[Entry]:
    """One entry per run (its latest judgement), oldest run first, plus run directories in the
    folder that hold a verdict but were never sealed (sealed=False)."""
    latest: dict[str, Entry] = {}
    for entry in read_history(history):
        latest[entry.run_id] = entry  # a re-judge replaces, the run keeps its place
    found = list(latest.values())
    for run in sorted(p for p in history.iterdir() if (p / "verdict.json").is_file()) \
            if history.is_dir() else []:
        if run.name not in latest and not run.is_symlink():
            found.append(_unsealed(run))
    return found


def _unsealed(run: Path) -> Entry:
    try:
        doc = json.loads((run / "verdict.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        doc = {}
    info = doc.get("run") or {}
    return Entry(run_id=run.name, decision=str(doc.get("decision", "?")),
                 record_sha256=str(doc.get("content_sha256", "")), run_dir=str(run),
                 date=str(info.get("finished") or info.get("started") or ""),
                 target=str(info.get("target") or ""),
                 target_version=str(info.get("target_version") or ""),
                 reasons=tuple(str(r) for r in doc.get("reasons") or ()), sealed=False)


def before(entries: Sequence[Entry], run_id: str) -> list[Entry]:
    """The entries made before `run_id` was first sealed (all of them when it never was)."""
    for index, entry in enumerate(entries):
        if entry.run_id == run_id:
            return list(entries[:index])
    return list(entries)


def previous_entry(entries: Sequence[Entry], run_id: str) -> Entry | None:
    earlier = before(entries, run_id)
    return earlier[-1] if earlier else None


def last_go(entries: Sequence[Entry], run_id: str) -> Entry | None:
    gos = [e for e in before(entries, run_id) if e.decision == "GO"]
    return gos[-1] if gos else None


def append_entry(history: Path, entry: Entry, document: Mapping[str, Any]) -> None:
    """Keep a copy of the sealed verdict and add its line to the index (locked: two runs may
    seal into one history at once)."""
    records = history / RECORDS_DIR
    records.mkdir(parents=True, exist_ok=True)
    copy = records / f"{entry.run_id}.json"
    copy.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    line = json.dumps(entry.to_record(), ensure_ascii=False) + "\n"
    with (history / INDEX_FILE).open("a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        fh.write(line)
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_UN)


def load_record(history: Path, entry: Entry) -> dict[str, Any]:
    """The verdict document of an entry: its copy in records/, else its run directory's."""
    for path in (history / RECORDS_DIR / f"{entry.run_id}.json",
                 Path(entry.run_dir) / "verdict.json" if entry.run_dir else None):
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise EvidenceError(f"not readable as JSON ({exc})", path=str(path)) from exc
            if isinstance(data, dict):
                return data
    raise EvidenceError(f"the verdict of run {entry.run_id} is neither in "
                        f"{history / RECORDS_DIR} nor in {entry.run_dir or 'its run directory'}",
                        path=str(history / INDEX_FILE))


def history_dir(reports: Path, configured: str = "", root: Path | None = None) -> Path:
    """The history folder: `configured` (relative to the project root `root`), else `reports`."""
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() or root is None else root / path
    return reports


def project_history(project: Any) -> Path:
    """The history folder of a gate project (harness.project.Project): `[project] history`
    when the settings declare it, else the project's reports folder."""
    configured = str(project.settings.values.get("project.history") or "")
    return history_dir(project.reports_dir, configured, project.root)
