"""manifest.json: the SHA-256 of every evidence file of a run, written when it is sealed.

Covered: every file under raw/, the run's settings and plan (config.json, run.json, plan.jsonl),
what was judged (criteria.jsonl), the requirements file when the run used one, and the outputs
people read (verdict.md, junit.xml). verdict.json holds the manifest's own hash; the Allure
results and report are derived and not covered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import EvidenceError

MANIFEST_FILE = "manifest.json"
SEALED_FILES = ("config.json", "run.json", "plan.jsonl", "criteria.jsonl", "verdict.md",
                "junit.xml", "escort-state.json", "escort.md", "escort-junit.xml",
                "rollback-hook.log")
# a watch's run directory (harness watch): each check's judgement
CHECK_FILES = ("checks/*/criteria.jsonl", "checks/*/plan.jsonl")
REQUIREMENTS_COPY = "requirements"  # requirements.toml / requirements.csv in the run dir


@dataclass(frozen=True)
class Problem:
    path: str     # relative to the run directory
    what: str     # "changed" | "missing" | "added" | "unreadable"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.what}" + (f" ({self.detail})" if self.detail else "")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def covered_files(run: Path) -> list[str]:
    """Relative paths of the files a manifest covers, as they are on disk now."""
    names = [n for n in SEALED_FILES if (run / n).is_file()]
    names += sorted(p.name for p in run.glob(f"{REQUIREMENTS_COPY}.*") if p.is_file())
    names += sorted(p.relative_to(run).as_posix() for pattern in CHECK_FILES
                    for p in run.glob(pattern) if p.is_file())
    raw = run / "raw"
    if raw.is_dir():
        names += sorted(p.relative_to(run).as_posix() for p in raw.rglob("*")
                        if p.is_file() and not p.is_symlink())
    return names


def build_manifest(run: Path) -> dict[str, Any]:
    """A file that cannot be read (permission denied) is listed as unreadable, without a hash:
    its criteria are INCONCLUSIVE already, and the seal must not crash over it."""
    files: dict[str, Any] = {}
    for name in covered_files(run):
        path = run / name
        try:
            files[name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
        except OSError as exc:
            files[name] = {"sha256": None, "unreadable": f"{type(exc).__name__}: "
                                                         f"{exc.strerror or exc}"}
    return {"algorithm": "sha256", "run_id": run.name, "files": files}


def write_manifest(run: Path) -> str:
    """Write manifest.json and return the SHA-256 of its bytes (verdict.json keeps it)."""
    data = (json.dumps(build_manifest(run), ensure_ascii=False, indent=1, sort_keys=True)
            + "\n").encode("utf-8")
    (run / MANIFEST_FILE).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_manifest(run: Path) -> dict[str, Any]:
    path = run / MANIFEST_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EvidenceError("no manifest.json: this run was never sealed", path=str(path)) from exc
    except (OSError, ValueError) as exc:
        raise EvidenceError(f"not readable as JSON ({exc})", path=str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        raise EvidenceError("no 'files' table", path=str(path))
    return data


def check_files(run: Path, manifest: dict[str, Any]) -> list[Problem]:
    """Every covered file that changed, went missing, or appeared since the manifest."""
    listed: dict[str, Any] = manifest["files"]
    problems = []
    for name, entry in sorted(listed.items()):
        path = run / name
        if not path.is_file():
            problems.append(Problem(name, "missing"))
            continue
        try:
            actual = file_sha256(path)
        except OSError as exc:
            problems.append(Problem(name, "unreadable", f"{type(exc).__name__}: "
                                                        f"{exc.strerror or exc}"))
            continue
        expected = str(entry.get("sha256", "")) if isinstance(entry, dict) else ""
        if actual != expected:
            problems.append(Problem(name, "changed",
                                    f"sha256 {actual[:12]}…, sealed {expected[:12]}…"))
    problems += [Problem(name, "added", "not in the manifest")
                 for name in covered_files(run) if name not in listed]
    return problems
