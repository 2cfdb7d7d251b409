"""`harness run`: one release through every gate -> GO / NO-GO / INCONCLUSIVE, with evidence.

Phases: target (the demo shop unless --target) -> load (smoke profile, Locust master +
workers) -> gray (a gray profile, then the store's events) -> browser evidence (the journeys and
form checks the features read, by parallel Chromium workers) -> acceptance features (every
criterion judged from the evidence on disk) -> verdict -> Allure report.
A phase that fails leaves what it measured on disk; its criteria become INCONCLUSIVE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.cancel import guard as cancel_guard
from harness.cli.acceptance import default_areas, feature_paths, run_features
from harness.cli.browser_phase import browser_phase, default_workers
from harness.cli.phases import gray_phase, load_phase, start_target
from harness.cli.report import build_report
from harness.cli.verdict import add_policy_arguments, judge, policy_from, print_summary
from harness.errors import HarnessError
from harness.model import Source
from harness.rundir import RunDir, git_commit, new_run_dir, tool_versions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VARIANTS = ("good", "long-flow", "notice-below-fold", "notice-covered", "unclear-errors", "slow",
            "lost-policies", "gray-regression", "preticked-consent")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", help="base URL of the store to gate (default: the demo shop)")
    parser.add_argument("--variant", default="good", choices=VARIANTS,
                        help="demo shop release variant (default: good)")
    parser.add_argument("--gray-percent", type=float, default=50.0,
                        help="share of demo-shop visitors on the new version (default: 50)")
    parser.add_argument("--load-profile", default="smoke", choices=("smoke", "peak"),
                        help="load profile of the load phase: smoke (~25 s) or peak (100,000 "
                             "purchasers, many minutes; judged by the capacity_peak features)")
    parser.add_argument("--load-workers", type=int, default=2, help="Locust worker processes")
    parser.add_argument("--gray-users", type=int, default=3000,
                        help="simulated visitors of the gray phase (default: 3000)")
    parser.add_argument("--gray-hold-s", type=int, default=20,
                        help="seconds the gray phase holds its visitors (default: 20)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("load", "gray", "browser"),
                        help="leave a phase out (its criteria become INCONCLUSIVE; without the "
                             "browser phase the features drive the browser themselves)")
    parser.add_argument("--browser-workers", type=int, default=default_workers(),
                        help="Chromium processes of the browser phase (default: cores + 1, "
                             "at most 3)")
    parser.add_argument("--areas", default="",
                        help="judge only these feature areas, comma-separated (e.g. "
                             "disclosures,purchase_flow); the verdict says so")
    parser.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports",
                        help="where run directories are made (default: reports/)")
    parser.add_argument("--journeys", type=Path,
                        help="folder of <product>.toml purchase journeys for --target "
                             "(default: the demo shop's, harness_browser/journeys/demo-*.toml)")
    parser.add_argument("--allow-non-local", action="store_true",
                        help="allow a --target outside 127.0.0.0/8 (you must own it)")
    parser.add_argument("--no-report", action="store_true", help="skip the Allure report")
    add_policy_arguments(parser)


def run(args: argparse.Namespace) -> int:
    policy = policy_from(args)  # bad waivers stop the run before anything starts
    selected = tuple(a.strip() for a in args.areas.split(",") if a.strip())
    feature_paths(selected)  # an unknown area stops the run before anything starts
    selected = selected or default_areas(args.load_profile)
    if args.target:  # so does a target outside 127.0.0.0/8 without --allow-non-local
        from harness_load.target import check_local_target

        check_local_target(args.target, args.allow_non_local)
    run_dir = new_run_dir(args.reports, args.variant if not args.target else args.target)
    started = dt.datetime.now(dt.UTC)
    info: dict[str, Any] = {"run_id": run_dir.run_id, "started": started.isoformat(),
                            "variant": None if args.target else args.variant,
                            "gray_percent": args.gray_percent,
                            "areas": ",".join(selected) if args.areas else "all",
                            "load_profile": args.load_profile,
                            "git_commit": git_commit(PROJECT_ROOT),
                            "tools": tool_versions(), "phases_s": {}}
    print(f"launch gate run {run_dir.run_id} -> {run_dir.path}")
    sources: list[Source] = []
    timer = _PhaseTimer(info)
    with cancel_guard(run_dir.path) as cancelled, start_target(args, run_dir) as target:
        info["target"] = target.url
        run_dir.write_run_info(info)
        if "load" not in args.skip:
            with timer("load"):
                sources.append(load_phase(target, run_dir, args))
        if "gray" not in args.skip:
            with timer("gray"):
                sources.append(gray_phase(target, run_dir, args))
        if "browser" not in args.skip:
            with timer("browser evidence"):
                produced = browser_phase(target.url, run_dir, selected, args.browser_workers,
                                         args.journeys)
                sources.extend([produced] if produced else [])
        with timer("acceptance features"):
            code = run_features(run_dir, target=target.url, offline=False, variant=args.variant,
                                allow_non_local=args.allow_non_local, selected=selected,
                                journeys=args.journeys)
            sources.append(Source("acceptance features", code, "pytest features/",
                                  f"log: {run_dir.path / 'features.log'}"))
    sources.extend(cancelled.sources(info))  # a cancelled run is INCONCLUSIVE, saying so
    with timer("verdict"):
        info["finished"] = dt.datetime.now(dt.UTC).isoformat()
        run_dir.write_run_info(info)
        verdict = judge(run_dir, policy, sources)
    if not args.no_report:
        with timer("allure report"):
            _report(run_dir, sources)
    run_dir.write_run_info(info)
    print_summary(verdict, run_dir)
    return int(verdict.exit_code)


def _report(run_dir: RunDir, sources: list[Source]) -> None:
    try:
        report = build_report(run_dir)
        print(f"Allure report: {report / 'index.html'}")
    except HarnessError as exc:  # the verdict stands without the report; say so
        print(f"Allure report not generated: {exc}")
        sources.append(Source("allure report", 4, "allure generate", str(exc)))


class _PhaseTimer:
    """Prints each phase as it starts and ends, and records its wall time in run.json."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info

    def __call__(self, name: str) -> Any:
        return self._phase(name)

    @contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        print(f"[{name}] ...", flush=True)
        started = time.monotonic()
        try:
            yield
        finally:
            elapsed = round(time.monotonic() - started, 1)
            self.info["phases_s"][name] = elapsed
            print(f"[{name}] done in {elapsed} s", flush=True)

