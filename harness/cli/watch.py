"""`harness watch`: the 72-hour escort of a launched release (护航期).

At every interval it asks Prometheus for the escort's quantities (and reads complaints), runs the
project's escort features (features/escort, thresholds in words) on them and decides CONTINUE,
ROLLBACK (naming the criteria) or INCONCLUSIVE (saying why: no data, too little traffic,
Prometheus unreachable). It ends at the first ROLLBACK (calling the configured rollback hook
once) or at the end of the window: ESCORT PASSED (exit 0), ESCORT FAILED (1) or ESCORT
INCONCLUSIVE (3). A killed watch resumes with `--resume RUN_DIR`, losing no check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness import cancel
from harness.cli.project_args import add_project_argument, project_from
from harness.cli.run import WATCH_VARIANTS
from harness.cli.watch_parts import (
    Wiring,
    demo_or_prometheus,
    features_judge,
    new_watch_dir,
    prometheus_collector,
)
from harness.errors import ConfigError
from harness.escort.decide import CheckResult, Combined, cancelled_check, combine
from harness.escort.hook import RollbackHook
from harness.escort.loop import Clock, run_watch
from harness.escort.record import gate_link, seal_escort
from harness.escort.report import (
    JUNIT_FILE,
    MARKDOWN_FILE,
    clock,
    escort_document,
    render_markdown,
    shown,
    write_escort_json,
    write_junit,
)
from harness.escort.state import EscortState, load_state, parse_duration, save_state
from harness.policy import Policy, read_waivers
from harness.project import Project, mask_secrets
from harness.record.history import project_history
from harness.rundir import RunDir
from harness.secret import mask_url


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project_argument(parser)
    parser.add_argument("--prometheus", metavar="URL",
                        help="the Prometheus that scrapes your store (default: [escort] "
                             "prometheus; none: --demo)")
    parser.add_argument("--demo", action="store_true",
                        help="escort the bundled demo shop: start it, visitors for it and a "
                             "Prometheus scraping it, all on loopback, data in the run directory")
    parser.add_argument("--variant", choices=WATCH_VARIANTS, metavar="VARIANT",
                        help="demo shop variant (--demo), e.g. degrade-after: good, then "
                             f"payments fail and policies are lost; one of "
                             f"{', '.join(WATCH_VARIANTS)}")
    parser.add_argument("--degrade-after", metavar="DURATION",
                        help="when the degrade-after variant starts degrading (e.g. 2m)")
    parser.add_argument("--demo-rate", type=float, metavar="N",
                        help="purchases per second the demo's visitors make (default 3)")
    parser.add_argument("--window", help="how long to escort (default: [escort] window, 72h)")
    parser.add_argument("--interval", help="time between checks (default: [escort] interval, "
                                           "15m)")
    parser.add_argument("--run-dir", metavar="DIR",
                        help="the watch's run directory (made if missing; resumed if it holds "
                             "a watch)")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="resume the watch of RUN_DIR at its next check")
    parser.add_argument("--rollback-command", help="command run once on ROLLBACK (no shell)")
    parser.add_argument("--rollback-webhook", metavar="URL", help="URL POSTed once on ROLLBACK")
    parser.add_argument("--gate", metavar="RUN",
                        help="the gate run this escort follows (default: the last one in the "
                             "release history)")
    parser.add_argument("--waivers", help="TOML file of waivers (see README)")
    parser.add_argument("--no-report", action="store_true",
                        help="do not generate the Allure report at the end (`harness report "
                             "RUN_DIR` makes it later, or mid-watch)")


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    return {"escort.window": args.window, "escort.interval": args.interval,
            "escort.prometheus": args.prometheus,
            "escort.rollback_command": args.rollback_command,
            "escort.rollback_webhook": args.rollback_webhook, "project.waivers": args.waivers}


def run(args: argparse.Namespace) -> int:
    project = project_from(args).with_flags(_flags(args))
    settings = project.settings
    escort_features = project.features_dir / "escort"
    if not any(escort_features.rglob("*.feature")):
        raise ConfigError(f"{escort_features}: no escort criteria; `harness init` writes "
                          "features/escort (or copy them from a new project)")
    waivers = project.optional_path("project.waivers")
    policy = Policy(waivers=read_waivers(waivers) if waivers else ())
    hook = RollbackHook(settings.text("escort.rollback_command"),
                        settings.text("escort.rollback_webhook"))
    run_dir, state = _open_watch(args, project)
    if state.finished and not state.finished.get("cancelled"):
        print(f"watch {state.run_id} already ended: {state.finished.get('outcome')}")
        return int(combine(state.checks, state.planned).outcome.exit_code)
    history = project_history(project)
    wiring = Wiring(project, run_dir, state, demo=bool(args.demo), variant=args.variant,
                    degrade_after=args.degrade_after, rate_per_s=args.demo_rate)
    interval = state.interval_s
    settle = (parse_duration(settings.text("escort.settle"), "[escort] settle")
              if settings.text("escort.settle") else min(30.0, interval / 10))
    with cancel.guard(run_dir) as cancelled, demo_or_prometheus(wiring) as url:
        state = _started(run_dir, state, url, wiring)
        print(f"escort {state.run_id}: {state.planned} checks, one every {interval:g} s, "
              f"Prometheus {mask_url(url)}; rollback hook: {hook.describe()}", flush=True)
        demo = wiring.demo_info
        complaints = (str(demo["complaints_source"]), str(demo["complaints_query"])) \
            if demo.get("complaints_source") else None
        state = run_watch(run_dir, state,
                          prometheus_collector(url, project, run_dir, complaints),
                          features_judge(run_dir, project.features_dir, policy,
                                         state.window_s),
                          hook, Clock(), _reporter(run_dir), settle_s=settle)
    cancelled_result = None
    if cancelled.cancelled:
        state = load_state(run_dir) or state  # what was saved before the signal
        name = cancel.signal_name(cancelled.signum or 2)
        cancelled_result = cancelled_check(state.next_check, state.due(state.next_check), name)
        print(_line(cancelled_result, state), flush=True)
    code = _finish(run_dir, state, history, args.gate, cancelled_result)
    if not args.no_report:
        _report(run_dir, settings.text("report.allure"), history)
    return code


def _open_watch(args: argparse.Namespace, project: Project) -> tuple[Path, EscortState]:
    named = args.resume or args.run_dir
    if args.resume and args.run_dir:
        raise ConfigError("give either --resume RUN_DIR or --run-dir DIR, not both")
    if named:
        run_dir = Path(named).resolve()
        state = load_state(run_dir) if run_dir.is_dir() else None
        if state is not None:
            now = dt.datetime.now(dt.UTC).timestamp()
            state = replace(state, resumed=(*state.resumed, now), finished=None
                            if (state.finished or {}).get("cancelled") else state.finished)
            print(f"resuming watch {state.run_id} at check {state.next_check + 1} of "
                  f"{state.planned}", flush=True)
            return run_dir, state
        if args.resume:
            raise ConfigError(f"--resume {named}: no watch to resume there (no "
                              "escort-state.json)")
        run_dir.mkdir(parents=True, exist_ok=True)
    else:
        run_dir = new_watch_dir(project.reports_dir)
    settings = project.settings
    window = parse_duration(settings.text("escort.window"), "[escort] window")
    interval = parse_duration(settings.text("escort.interval"), "[escort] interval")
    if interval > window:
        raise ConfigError(f"[escort] interval ({interval:g} s) is longer than the window "
                          f"({window:g} s)")
    snapshot = mask_secrets({k: v for k, v in settings.values.items() if k.startswith("escort.")})
    snapshot["escort.rollback_webhook"] = "***" if settings.text("escort.rollback_webhook") \
        else ""
    snapshot["escort.rollback_command"] = "***" if settings.text("escort.rollback_command") \
        else ""
    state = EscortState(run_id=run_dir.name, started=dt.datetime.now(dt.UTC).timestamp(),
                        window_s=window, interval_s=interval, settings=snapshot)
    save_state(run_dir, state)
    RunDir(run_dir).write_run_info({"run_id": run_dir.name, "kind": "escort",
                                    "started": clock(state.started),
                                    "project": str(project.root),
                                    "features": str(project.features_dir)})
    return run_dir, state


def _started(run_dir: Path, state: EscortState, url: str, wiring: Wiring) -> EscortState:
    settings = dict(state.settings)
    settings["target"] = mask_url(url)
    settings["demo"] = wiring.demo_info
    state = replace(state, settings=settings)
    if not state.checks and not state.resumed:  # the first interval starts with the data
        state = replace(state, started=dt.datetime.now(dt.UTC).timestamp())
    save_state(run_dir, state)
    return state


def _line(result: CheckResult, state: EscortState) -> str:
    return (f"{clock(result.at)}  check {result.check + 1}/{state.planned}  "
            f"{result.summary()}")


def _reporter(run_dir: Path) -> Callable[[CheckResult, EscortState], None]:
    """One line per check, and escort.md rewritten so far (to follow a 72-hour watch)."""

    def report(result: CheckResult, state: EscortState) -> None:
        print(_line(result, state), flush=True)
        so_far = combine(state.checks, len(state.checks))
        (run_dir / MARKDOWN_FILE).write_text(render_markdown(state, so_far, running=True),
                                                  encoding="utf-8")

    return report


def _finish(run_dir: Path, state: EscortState, history: Path, gate: str | None,
            cancelled_result: CheckResult | None) -> int:
    results: Sequence[CheckResult] = state.checks
    if cancelled_result is not None:
        results = (*state.checks, cancelled_result)
    combined = combine(results, state.planned)
    finished: dict[str, Any] = {"outcome": combined.outcome.value,
                                "at": clock(dt.datetime.now(dt.UTC).timestamp())}
    if cancelled_result is not None:
        finished["cancelled"] = cancelled_result.details.get("cancelled", "signal")
    state = replace(state, finished=finished)
    save_state(run_dir, state)
    reported, combined = shown(state)  # the cancelled check included, as the report shows it
    (run_dir / MARKDOWN_FILE).write_text(render_markdown(reported, combined), encoding="utf-8")
    write_junit(reported, run_dir / JUNIT_FILE)
    document = escort_document(reported, combined, {"gate": gate_link(history, gate)})
    write_escort_json(document, run_dir)
    info = RunDir(run_dir).read_run_info()
    info.update({"finished": finished["at"], "target": state.settings.get("target", "")})
    RunDir(run_dir).write_run_info(info)
    seal_escort(run_dir, history, document, info)
    if state.hook.status != "idle":
        print(f"rollback hook {state.hook.status} at check {(state.hook.check or 0) + 1}: "
              f"{dict(state.hook.result)}")
    _summary(combined, run_dir)
    return int(combined.outcome.exit_code)


def _report(run_dir: Path, allure: str, history: Path) -> None:
    """The Allure report of the escort (a derived output: the outcome stands without it)."""
    from harness.cli.report import build_escort_report
    from harness.errors import HarnessError

    try:
        report = build_escort_report(run_dir, allure or None, history=history)
        print(f"Allure report: {report / 'index.html'}")
    except HarnessError as exc:
        print(f"Allure report not generated: {exc}")


def _summary(combined: Combined, run_dir: Path) -> None:
    print(f"\n{combined.outcome.value}  (exit {int(combined.outcome.exit_code)})")
    for reason in combined.reasons[:10]:
        print(f"  {reason}")
    print(f"Escort: {run_dir / MARKDOWN_FILE}")
    sys.stdout.flush()

