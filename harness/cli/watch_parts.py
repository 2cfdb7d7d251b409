"""The real parts `harness watch` wires into the escort loop: the Prometheus collector (plus
complaints), the judge (the escort features run by pytest, one process per check) and, with
--demo, the demo shop with visitors and its own Prometheus, all on loopback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.cli.acceptance import run_features
from harness.errors import ConfigError, EvidenceError, HarnessError
from harness.escort.decide import CheckResult, judge_check
from harness.escort.evidence import COMPLAINTS_FILE, ESCORT_DIR
from harness.escort.loop import Collector, Judge
from harness.escort.state import EscortState, parse_duration
from harness.model import Source
from harness.policy import Policy
from harness.project import Project
from harness.readers.criteria import CRITERIA_FILE, PLAN_FILE, read_criteria, read_plan
from harness.rundir import RunDir
from harness_contract.escort import DEFAULT_QUERIES, EscortSample

CHECKS_DIR = "checks"
DEMO_DIR = "demo"
RUN_DIR_ENV = "HARNESS_ESCORT_RUN_DIR"
CHECK_ENV = "HARNESS_ESCORT_CHECK"
WINDOW_ENV = "HARNESS_ESCORT_WINDOW_S"


@dataclass
class Wiring:
    project: Project
    run_dir: Path
    state: EscortState
    demo: bool = False
    variant: str | None = None
    degrade_after: str | None = None
    rate_per_s: float | None = None
    demo_info: dict[str, Any] = field(default_factory=dict)


def new_watch_dir(reports: Path) -> Path:
    """reports/<UTC stamp>-escort (reports/latest stays the last gate run)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    path, suffix = reports / f"{stamp}-escort", 1
    while path.exists():
        suffix += 1
        path = reports / f"{stamp}-escort-{suffix}"
    path.mkdir(parents=True)
    return path


def features_judge(run_dir: Path, features_dir: Path, policy: Policy,
                   window_s: float) -> Judge:
    """Each check: pytest over features/escort with the watch's run directory and the check's
    index in the environment; its criteria land in checks/NNNN/ (with Allure results)."""

    def judge(check: int, at: float, collection_errors: Sequence[str]) -> CheckResult:
        check_dir = run_dir / CHECKS_DIR / f"{check:04d}"
        if check_dir.exists():  # a watch killed while judging this check: judged again
            shutil.rmtree(check_dir)
        check_dir.mkdir(parents=True)
        code = run_features(RunDir(check_dir), features_dir, target=None, offline=False,
                            selected=("escort",), log_name="features.log",
                            env_extra={RUN_DIR_ENV: str(run_dir), CHECK_ENV: str(check),
                                       WINDOW_ENV: f"{window_s:g}"})
        try:
            criteria = read_criteria(check_dir / CRITERIA_FILE)
            plan = read_plan(check_dir / PLAN_FILE)
        except EvidenceError:
            criteria, plan = [], []
        source = Source("escort features", code, "pytest features/escort",
                        f"log: {check_dir / 'features.log'}")
        return judge_check(check, at, criteria, plan, policy, collection_errors, [source])

    return judge


def complaints_reader(project: Project, run_dir: Path,
                      demo_source: tuple[str, str] | None) -> Any:
    """A function (check, start, end) appending that window's complaints to
    raw/escort/complaints.jsonl; None when no source is configured (the criteria then say so).
    """
    from harness_watch.complaints import (
        ComplaintSource,
        failed_window,
        read_events,
        window_counts,
    )

    settings = project.settings
    location, query = settings.text("escort.complaints"), settings.text("escort.complaints_query")
    if not location and demo_source is not None:
        location, query = demo_source
    if not location:
        return None
    table = settings.text("escort.complaints_table")
    if "://" in location and not query and table:
        query = f"select * from {table}"
    if "://" not in location:
        location = str((project.root / location).resolve())
    source = ComplaintSource.of(location, query or None)
    path = run_dir / ESCORT_DIR / COMPLAINTS_FILE

    def read(check: int, start: float, end: float) -> None:
        try:
            window = window_counts(read_events(source, start, end), start, end, check,
                                   source.describe())
        except HarnessError as exc:
            window = failed_window(check, start, end, source.describe(), str(exc))
        except Exception as exc:  # any driver or file error: no data, said
            window = failed_window(check, start, end, source.describe(),
                                   f"{type(exc).__name__}: {exc}")
        append_text(path, window.to_json() + "\n")

    return read


def append_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())


def prometheus_collector(url: str, project: Project, run_dir: Path,
                         demo_complaints: tuple[str, str] | None = None) -> Collector:
    from harness_watch.collect import collect_check

    settings = project.settings
    queries = {**DEFAULT_QUERIES, **dict(settings.get("escort.queries"))}
    unknown = sorted(set(settings.get("escort.queries")) - set(DEFAULT_QUERIES))
    if unknown:
        raise ConfigError(f"[escort] queries: unknown quantity {', '.join(unknown)}; the "
                          f"quantities are {', '.join(DEFAULT_QUERIES)}")
    cohorts = tuple(settings.get("escort.cohorts"))
    steps = tuple(settings.get("escort.steps"))

    complaints = complaints_reader(project, run_dir, demo_complaints)

    def collect(check: int, at: float, window_s: float) -> Sequence[EscortSample]:
        if complaints is not None:
            complaints(check, at - window_s, at)
        return collect_check(url, check, at, window_s, queries, cohorts, steps)

    return collect


@contextlib.contextmanager
def demo_or_prometheus(wiring: Wiring) -> Iterator[str]:
    """The Prometheus URL: the configured one, else (--demo, or no URL and no [target] url)
    the demo stack's own."""
    settings = wiring.project.settings
    url = settings.text("escort.prometheus").rstrip("/")
    if url and not wiring.demo:
        yield url
        return
    if settings.text("target.url") and not wiring.demo:
        raise ConfigError("no Prometheus to read: set [escort] prometheus (or --prometheus "
                          "URL), or pass --demo to escort the bundled demo shop")
    from harness.cli.watch_demo import TRAFFIC_RATE, demo_stack

    after = parse_duration(wiring.degrade_after, "--degrade-after") \
        if wiring.degrade_after else None
    scrape = parse_duration(settings.text("escort.scrape_interval"), "[escort] scrape_interval")
    left = wiring.state.due(wiring.state.planned - 1) - dt.datetime.now(dt.UTC).timestamp()
    with demo_stack(wiring.run_dir / DEMO_DIR, wiring.variant or "good", after, scrape,
                    max(60.0, left + 120.0), wiring.demo_info,
                    wiring.rate_per_s or TRAFFIC_RATE) as demo_url:
        yield demo_url
