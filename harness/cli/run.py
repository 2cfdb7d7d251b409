"""`harness run`: one release through every gate -> GO / NO-GO / INCONCLUSIVE, with evidence.

Runs in a gate project (the current directory or --project; `harness init` makes one): its
harness.toml, features/, journeys/ and loadtests/. Everything is checked first (settings,
areas, journeys, waivers), so a typo costs seconds, not a load test. Phases: target (the
project's [target] url, else the bundled demo shop) -> load -> gray -> browser evidence ->
acceptance features (every criterion judged from the evidence on disk) -> verdict -> Allure
report. A phase that fails leaves what it measured on disk; its criteria become INCONCLUSIVE.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness.cancel import guard as cancel_guard
from harness.cli.acceptance import features_log, run_features
from harness.cli.browser_phase import browser_phase, default_workers
from harness.cli.phases import gray_phase, load_phase, start_target
from harness.cli.preflight import Plan, plan_run
from harness.cli.project_args import add_project_argument, project_from
from harness.cli.report import build_report
from harness.cli.verdict import judge, print_summary
from harness.diskspace import DiskGuard
from harness.errors import HarnessError
from harness.model import Source
from harness.record import seal, target_version
from harness.record.history import project_history
from harness.rundir import RunDir, git_commit, new_run_dir, tool_versions
from harness.store_probe import store_down_source, store_refuses

VARIANTS = ("good", "long-flow", "notice-below-fold", "notice-covered", "unclear-errors", "slow",
            "lost-policies", "gray-regression", "preticked-consent", "no-service-contact",
            "missing-disclosures", "auto-renew-preticked", "catch-all-health-question",
            "uncertainty-small-print")
# a variant that is good for minutes and then degrades: for `harness watch --demo` only
WATCH_VARIANTS = (*VARIANTS, "degrade-after")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project_argument(parser)
    parser.add_argument("--target", help="base URL of the store to gate (default: [target] url "
                        "of harness.toml, else the bundled demo shop)")
    parser.add_argument("--variant", choices=VARIANTS, metavar="VARIANT",
                        help=f"demo shop release variant (default: good): one of "
                             f"{', '.join(VARIANTS)}")
    parser.add_argument("--gray-percent", type=float,
                        help="share of demo-shop visitors on the new version (default: 50)")
    parser.add_argument("--load-profile", choices=("smoke", "peak"),
                        help="load profile of the load phase: smoke (~25 s) or peak (100,000 "
                             "purchasers, many minutes; judged by the capacity_peak features)")
    parser.add_argument("--load-workers", type=int, help="Locust worker processes (default 2)")
    parser.add_argument("--locustfile", help="your Locust file (default: [load] locustfile)")
    parser.add_argument("--gray-users", type=int,
                        help="simulated visitors of the demo gray phase (default: 3000)")
    parser.add_argument("--gray-hold-s", type=int,
                        help="seconds the demo gray phase holds its visitors (default: 20)")
    parser.add_argument("--skip", action="append", metavar="PHASES",
                        help="leave phases out: load, gray, browser (comma-separated or "
                             "repeated); the areas that need a skipped load or gray phase are "
                             "not judged and the verdict says so; without the browser phase "
                             "the features drive the browser themselves")
    parser.add_argument("--browser-workers", type=int, default=default_workers(),
                        help="Chromium processes of the browser phase (default: cores + 1, "
                             "at most 3)")
    parser.add_argument("--areas", help="judge only these feature areas, comma-separated (e.g. "
                        "disclosures,purchase_flow); the verdict says so")
    parser.add_argument("--reports", help="where run directories are made (default: reports/ "
                        "of the project)")
    parser.add_argument("--journeys", help="folder of <product>.toml / .py purchase journeys "
                        "(default: journeys/ of the project)")
    parser.add_argument("--allow-non-local", action="store_true", default=None,
                        help="allow a --target outside 127.0.0.0/8 (you must own it)")
    parser.add_argument("--waivers", help="TOML file of waivers (see README)")
    parser.add_argument("--no-report", action="store_true", help="skip the Allure report")


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    def listed(value: str | list[str] | None) -> list[str] | None:
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [p.strip() for item in items for p in item.split(",") if p.strip()]

    return {"target.url": args.target, "demo.variant": args.variant,
            "demo.gray_percent": args.gray_percent, "load.profile": args.load_profile,
            "load.workers": args.load_workers, "load.locustfile": args.locustfile,
            "gray.users": args.gray_users, "gray.hold_s": args.gray_hold_s,
            "project.skip": listed(args.skip), "project.areas": listed(args.areas),
            "project.reports": args.reports, "project.journeys": args.journeys,
            "target.allow_non_local": args.allow_non_local, "project.waivers": args.waivers}


def run(args: argparse.Namespace) -> int:
    project = project_from(args).with_flags(_flags(args))
    plan = plan_run(project)  # everything checked before anything starts (exit 2 on a typo)
    for note in plan.notes:
        print(f"note: {note}")
    if plan.browser_options:  # every browser process of this run reads it
        os.environ["HARNESS_BROWSER_OPTIONS"] = plan.browser_options
    history = project_history(project)
    run_dir = new_run_dir(project.reports_dir, plan.slug)
    info = _run_info(run_dir, project, plan)
    info["history"] = str(history)
    info["requirements"] = str(project.optional_path("project.requirements") or "")
    info["requirements_mode"] = project.settings.text("project.requirements_missing")
    (run_dir.path / "config.json").write_text(_json(project.effective_config()),
                                              encoding="utf-8")
    print(f"launch gate run {run_dir.run_id} -> {run_dir.path}")
    sources: list[Source] = []
    timer = _PhaseTimer(info)
    # DiskGuard: room set aside for the verdict (given back on the way out); a full disk ends
    # the phases
    with DiskGuard(run_dir.path) as disk, cancel_guard(run_dir.path) as cancelled, \
            start_target(project, plan, run_dir) as target:
        info["target"] = target.url
        info["target_version"] = project.settings.text("target.version") or target_version(
            target.url, project.settings.text("target.version_header") or None,
            project.settings.text("target.version_endpoint") or None)
        run_dir.write_run_info(info)
        down: Source | None = None  # the store did not answer after the load
        if "load" in plan.phases and not disk.full:
            with timer("load"), disk.watch("load"):
                sources.append(load_phase(project, plan, target, run_dir))
            down = _store_down(run_dir, target.url)
        demo_gray = not project.settings.text("gray.source")  # driven through the store
        if "gray" in plan.phases and not disk.full and not (down and demo_gray):
            with timer("gray"), disk.watch("gray"):
                sources.append(gray_phase(project, plan, target, run_dir))
        if "browser" in plan.phases and not disk.full and down is None:
            with timer("browser evidence"), disk.watch("browser evidence"):
                produced = browser_phase(target.url, run_dir, project.features_dir, plan.areas,
                                         args.browser_workers, plan.journeys,
                                         declared=plan.declared,
                                         allow_non_local=plan.allow_non_local)
                sources.extend([produced] if produced else [])
        if disk.full:  # judge what is on disk, offline, in the room set aside
            disk.release()
        with timer("acceptance features"), disk.watch("acceptance features"):
            offline = disk.full or down is not None  # judge what is on disk
            code = run_features(run_dir, project.features_dir, target=target.url,
                                offline=offline, variant=plan.variant, selected=plan.areas,
                                allow_non_local=plan.allow_non_local, journeys=plan.journeys,
                                allure=not disk.full)
            sources.append(Source("acceptance features", code, "pytest features/",
                                  f"log: {run_dir.path / features_log(offline)}"))
        sources.extend([down] if down else [])
    sources.extend(cancelled.sources(info))  # a cancelled run is INCONCLUSIVE, saying so
    sources.extend(disk.sources())  # so is one whose disk filled up
    with timer("verdict"):
        info["finished"] = dt.datetime.now(dt.UTC).isoformat()
        run_dir.write_run_info(info)
        verdict = judge(run_dir, plan.policy, sources)
    run_dir.write_run_info(info)  # sealed from here on: run.json is not rewritten
    seal(run_dir.path, history)
    if not args.no_report and not disk.full:
        with timer("allure report"):
            _report(run_dir, project.settings.text("report.allure"), history, sources)
    print_summary(verdict, run_dir)
    return int(verdict.exit_code)


def _run_info(run_dir: RunDir, project: Any, plan: Plan) -> dict[str, Any]:
    from importlib.metadata import version

    return {"run_id": run_dir.run_id, "started": dt.datetime.now(dt.UTC).isoformat(),
            "project": str(project.root), "features": str(project.features_dir),
            "variant": plan.variant if plan.bundled else None,
            "gray_percent": project.settings.get("demo.gray_percent"),
            "areas": ",".join(plan.areas) if plan.limited else "all",
            "not_judged": list(plan.not_judged),
            "load_profile": project.settings.text("load.profile"),
            "git_commit": git_commit(project.root),
            "harness_version": version("launch-harness"),
            "tools": tool_versions(), "phases_s": {}}


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def _store_down(run_dir: RunDir, url: str) -> Source | None:
    """After the load: the store's port still accepts a connection, or the Source saying it
    does not (the phases that need the store are then not run)."""
    why = store_refuses(url)
    if why is None:
        return None
    down = store_down_source(run_dir.path, url, why)
    print(f"note: {down.detail}", flush=True)
    return down


def _report(run_dir: RunDir, allure: str, history: Path, sources: list[Source]) -> None:
    try:
        report = build_report(run_dir, allure or None, history=history)
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

