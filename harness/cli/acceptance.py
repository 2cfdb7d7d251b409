"""Runs the acceptance features (pytest-bdd) as a child process against a run directory.

A child process keeps Playwright out of the judge, and is exactly what a QA engineer gets
with `pytest features/`. `offline=True` re-judges evidence already on disk (no browser,
no target): that is how `harness verdict RUN_DIR` recomputes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.errors import ConfigError
from harness.rundir import RunDir

PROJECT_ROOT = Path(__file__).resolve().parents[2]


STEPS_DIR = PROJECT_ROOT / "features" / "steps"


def areas() -> tuple[str, ...]:
    """The feature areas: one step module `features/steps/test_<area>.py` each."""
    return tuple(sorted(p.stem.removeprefix("test_") for p in STEPS_DIR.glob("test_*.py")))


# areas judged only when their evidence is asked for: the peak load takes many minutes
ON_REQUEST = frozenset({"capacity_peak"})


def default_areas(load_profile: str = "smoke") -> tuple[str, ...]:
    """Every area but those on request; the peak profile swaps `capacity` for `capacity_peak`."""
    chosen = [a for a in areas() if a not in ON_REQUEST]
    if load_profile == "peak":
        chosen = [a for a in chosen if a != "capacity"] + ["capacity_peak"]
    return tuple(chosen)


def feature_paths(selected: tuple[str, ...] = ()) -> list[str]:
    unknown = sorted(set(selected) - set(areas()))
    if unknown:
        raise ConfigError(f"unknown area(s) {', '.join(unknown)}; the areas are "
                          f"{', '.join(areas())}")
    return [str(STEPS_DIR / f"test_{area}.py") for area in (selected or default_areas())]


def run_features(run: RunDir, *, target: str | None, offline: bool, variant: str = "good",
                 allow_non_local: bool = False, selected: tuple[str, ...] = (),
                 journeys: Path | None = None, quiet: bool = True) -> int:
    command = [sys.executable, "-m", "pytest", *feature_paths(selected),
               f"--rootdir={PROJECT_ROOT}", "-p", "no:cacheprovider",
               f"--harness-run-dir={run.path}", f"--harness-variant={variant}"]
    if not offline:  # the live run's Allure results stay; a re-judge only rewrites the verdict
        command.append(f"--alluredir={run.allure_results}")
    command += ["-q", "--no-header"] if quiet else ["-v"]
    if target:
        command.append(f"--harness-target={target}")
    if allow_non_local:
        command.append("--harness-allow-non-local")
    if journeys is not None:
        if not journeys.is_dir():
            raise ConfigError(f"--journeys {journeys}: no such folder of <product>.toml files")
        command.append(f"--harness-journeys={journeys.resolve()}")
    env = dict(os.environ)
    env["HARNESS_OFFLINE"] = "1" if offline else "0"
    env["HARNESS_RUN_DIR"] = str(run.path)
    log = run.path / ("features-offline.log" if offline else "features.log")
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    return done.returncode
