"""Runs a project's acceptance features (pytest-bdd) as a child process against a run directory.

A child process keeps Playwright out of the judge, and is exactly what a QA engineer gets with
`pytest features/` in their project. The areas are the sub-folders of the project's features
folder. `offline=True` re-judges evidence already on disk (no browser, no target): that is how
`harness verdict RUN_DIR` recomputes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.errors import ConfigError
from harness.rundir import RunDir

# areas judged only when asked for by name: the peak load takes many minutes
ON_REQUEST = frozenset({"capacity_peak", "escort"})  # escort: `harness watch` judges it


def areas(features_dir: Path) -> tuple[str, ...]:
    """The feature areas: the sub-folders of `features_dir` that hold .feature files."""
    if not features_dir.is_dir():
        raise ConfigError(f"{features_dir}: no features folder (make a project with "
                          "`harness init`, or set [project] features in harness.toml)")
    return tuple(sorted(p.name for p in features_dir.iterdir()
                        if p.is_dir() and any(p.rglob("*.feature"))))


def default_areas(features_dir: Path, load_profile: str = "smoke") -> tuple[str, ...]:
    """Every area but those on request; the peak profile swaps `capacity` for `capacity_peak`."""
    found = areas(features_dir)
    chosen = [a for a in found if a not in ON_REQUEST]
    if load_profile == "peak" and "capacity_peak" in found:
        chosen = [a for a in chosen if a != "capacity"] + ["capacity_peak"]
    return tuple(chosen)


def check_areas(features_dir: Path, selected: tuple[str, ...]) -> None:
    unknown = sorted(set(selected) - set(areas(features_dir)))
    if unknown:
        raise ConfigError(f"unknown area(s) {', '.join(unknown)}; the areas of "
                          f"{features_dir} are {', '.join(areas(features_dir)) or 'none'}")


def features_log(offline: bool) -> str:
    return "features-offline.log" if offline else "features.log"


def run_features(run: RunDir, features_dir: Path, *, target: str | None, offline: bool,
                 selected: tuple[str, ...], variant: str = "good",
                 allow_non_local: bool = False, journeys: Path | None = None,
                 quiet: bool = True, env_extra: dict[str, str] | None = None,
                 log_name: str | None = None, allure: bool | None = None) -> int:
    """pytest over the project's features, limited to `selected` areas; returns its exit code.
    `allure`: write Allure results (default: a live run does, an offline re-judge does not)."""
    project = features_dir.parent
    command = [sys.executable, "-m", "pytest", str(features_dir), f"--rootdir={project}",
               "-p", "no:cacheprovider", "-p", "no:allure_pytest", "-p", "no:locust",
               "-o", f"bdd_features_base_dir={features_dir}",
               f"--harness-run-dir={run.path}", f"--harness-variant={variant}",
               f"--harness-areas={','.join(selected)}"]
    if not offline if allure is None else allure:  # a re-judge only rewrites the verdict
        command.append(f"--alluredir={run.allure_results}")
    command += ["-q", "--no-header"] if quiet else ["-v"]
    if target:
        command.append(f"--harness-target={target}")
    if allow_non_local:
        command.append("--harness-allow-non-local")
    if journeys is not None:
        command.append(f"--harness-journeys={journeys}")
    env = dict(os.environ)
    env["HARNESS_OFFLINE"] = "1" if offline else "0"
    env["HARNESS_RUN_DIR"] = str(run.path)
    env.update(env_extra or {})
    log = run.path / (log_name or features_log(offline))
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=project, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    return done.returncode
