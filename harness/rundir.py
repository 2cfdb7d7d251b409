"""The run directory: where one gate run keeps its evidence, criteria and verdict.

Layout (docs/contracts.md): raw/ evidence, criteria.jsonl, plan.jsonl, verdict.*, junit.xml,
allure-results/, allure-report/, run.json (the effective configuration of the run).
`reports/latest` points at the newest run.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as metadata
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import ConfigError

TOOLS = ("launch-harness", "pytest", "pytest-bdd", "allure-pytest-bdd", "playwright", "locust",
         "pandas", "scipy", "statsmodels")


@dataclass(frozen=True)
class RunDir:
    path: Path

    @property
    def raw(self) -> Path:
        return self.path / "raw"

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def allure_results(self) -> Path:
        return self.path / "allure-results"

    @property
    def allure_report(self) -> Path:
        return self.path / "allure-report"

    def write_run_info(self, info: dict[str, Any]) -> None:
        (self.path / "run.json").write_text(json.dumps(info, ensure_ascii=False, indent=2),
                                            encoding="utf-8")

    def read_run_info(self) -> dict[str, Any]:
        path = self.path / "run.json"
        if not path.is_file():
            return {"run_id": self.run_id}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"run_id": self.run_id, "note": "run.json unreadable"}
        return data if isinstance(data, dict) else {"run_id": self.run_id}


def new_run_dir(reports: Path, slug: str, now: dt.datetime | None = None) -> RunDir:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", slug).strip("-")[:40] or "run"
    path = reports / f"{stamp}-{clean}"
    suffix = 1
    while path.exists():
        suffix += 1
        path = reports / f"{stamp}-{clean}-{suffix}"
    (path / "raw").mkdir(parents=True)
    point_latest(reports, path)
    return RunDir(path)


def open_run_dir(value: str) -> RunDir:
    path = Path(value)
    if not path.is_dir():
        raise ConfigError(f"{value}: no such run directory (see reports/ or reports/latest)")
    return RunDir(path.resolve())


def point_latest(reports: Path, path: Path) -> None:
    link = reports / "latest"
    tmp = reports / ".latest.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(path.name)
    tmp.replace(link)


def tool_versions() -> dict[str, str]:
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def git_commit(root: Path) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                           capture_output=True, text=True, timeout=10, check=False)
    commit = done.stdout.strip() or "unknown"
    return f"{commit}-dirty" if dirty.stdout.strip() else commit
