"""`harness verdict RUN_DIR`: re-judge the evidence on disk and write the verdict files.

The features are re-run offline (no browser, no load) so every criterion is recomputed from
the files in raw/: a deleted or corrupted evidence file makes its criterion INCONCLUSIVE.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.cancel import recorded_cancellation
from harness.diskspace import recorded_disk_full
from harness.errors import ConfigError, EvidenceError
from harness.model import Criterion, Outcome, Source, Verdict
from harness.policy import Policy, read_waivers
from harness.project import open_project
from harness.readers.criteria import CRITERIA_FILE, PLAN_FILE, read_criteria, read_plan
from harness.record import seal
from harness.record.pages import page_lines
from harness.record.requirements import requirements_for
from harness.rundir import RunDir, open_run_dir
from harness.store_probe import recorded_store_down
from harness.verdict import decide
from harness.writers.allure import write_allure_extras
from harness.writers.compliance import cited_as
from harness.writers.json_verdict import write_verdict_json
from harness.writers.junit import write_junit
from harness.writers.markdown import write_markdown


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run directory, e.g. reports/latest")
    add_policy_arguments(parser)
    parser.add_argument("--no-rejudge", action="store_true",
                        help="decide from criteria.jsonl as it is, without re-reading evidence")
    parser.add_argument("--history", metavar="DIR",
                        help="the release history to seal this judgement into (default: the "
                             "one run.json names, else the folder holding RUN_DIR)")


def add_policy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--waivers", type=Path, help="TOML file of waivers (see README)")
    parser.add_argument("--project", metavar="DIR",
                        help="judge with the features of this project (default: the project "
                             "the run was made in, as run.json records it)")


def features_of(args: argparse.Namespace, info: dict[str, Any]) -> Path:
    """The features to re-judge with: --project's, else the run's own project's."""
    if args.project:
        return open_project(args.project).features_dir
    recorded = info.get("features")
    if isinstance(recorded, str) and Path(recorded).is_dir():
        return Path(recorded)
    raise ConfigError(f"run.json does not name a features folder that exists "
                      f"({recorded!r}): pass --project DIR, the gate project to judge with")


def run(args: argparse.Namespace) -> int:
    from harness.cli.acceptance import default_areas, run_features

    run_dir = open_run_dir(args.run_dir)
    policy = policy_from(args)  # a bad waivers file is exit 2 before anything is re-judged
    # what the run itself recorded: a cancelled run, or one whose disk filled up, stays
    # INCONCLUSIVE however often it is re-judged
    sources = [s for s in (recorded_cancellation(run_dir.path),
                           recorded_disk_full(run_dir.path),
                           recorded_store_down(run_dir.path)) if s is not None]
    if not args.no_rejudge:
        info = run_dir.read_run_info()
        features = features_of(args, info)
        _set_aside(run_dir)
        selected = areas_of(info) or default_areas(features,
                                                   str(info.get("load_profile", "smoke")))
        code = run_features(run_dir, features, target=None, offline=True, selected=selected)
        sources.append(Source("acceptance features (offline re-judge)", code,
                              "pytest features/ (offline)"))
    verdict = judge(run_dir, policy, sources)
    seal(run_dir.path, history_of(args, run_dir))
    print_summary(verdict, run_dir)
    return int(verdict.exit_code)


def history_of(args: argparse.Namespace, run_dir: RunDir) -> Path:
    """--history, else the history run.json names, else the reports folder of the run."""
    named = getattr(args, "history", None) or run_dir.read_run_info().get("history")
    return Path(str(named)) if named else run_dir.path.parent


def policy_from(args: argparse.Namespace) -> Policy:
    return Policy(waivers=read_waivers(args.waivers) if args.waivers else ())


def judge(run_dir: RunDir, policy: Policy, sources: Sequence[Source]) -> Verdict:
    """Criteria on disk + plan + policy -> Verdict; writes verdict.json/.md and junit.xml."""
    try:
        criteria = read_criteria(run_dir.path / CRITERIA_FILE)
        plan = read_plan(run_dir.path / PLAN_FILE)
    except EvidenceError as exc:
        criteria = [Criterion(id="criteria", feature="launch gate", scenario="criteria file",
                              tags=("blocker",), outcome=Outcome.inconclusive(str(exc)))]
        plan = []
    info = run_dir.read_run_info()
    criteria += requirements_for(run_dir.path, str(info.get("requirements") or ""),
                                 str(info.get("requirements_mode") or ""), criteria)
    verdict = decide(criteria, policy, plan=plan, sources=sources, run=info)
    if areas_of(info):
        note = (f"only these areas were judged: {', '.join(areas_of(info))}; this verdict "
                "says nothing about the others")
        verdict = replace(verdict, warnings=(note, *verdict.warnings))
    write_verdict_json(verdict, run_dir.path / "verdict.json")
    write_markdown(verdict, run_dir.path / "verdict.md", pages=page_lines(run_dir.path))
    write_junit(verdict, run_dir.path / "junit.xml")
    environment = {k: str(v) for k, v in info.items() if isinstance(v, str | int | float)}
    write_allure_extras(verdict, run_dir.allure_results, environment)
    return verdict


def areas_of(info: dict[str, Any]) -> tuple[str, ...]:
    """The feature areas a run was limited to (`harness run --areas`); () means all."""
    value = str(info.get("areas") or "all")
    return () if value == "all" else tuple(value.split(","))


def print_summary(verdict: Verdict, run_dir: RunDir) -> None:
    by_id = {c.id: c for c in verdict.criteria}
    print(f"\nDecision: {verdict.decision.value}  (exit {int(verdict.exit_code)})")
    for cid in verdict.reasons:
        c = by_id[cid]
        cites = f" [{cited}]" if (cited := cited_as(c.tags)) else ""
        print(f"  {c.status.value.upper():12} {cid}{cites}\n               {c.outcome.message}")
    for warning in verdict.warnings[:10]:
        print(f"  warning: {warning}")
    print(f"Verdict: {run_dir.path / 'verdict.md'}")


def _set_aside(run_dir: RunDir) -> None:
    """Keep the previous judgement beside the new one (nothing is lost)."""
    for name in (CRITERIA_FILE, "verdict.json", "verdict.md"):
        path = run_dir.path / name
        if path.exists():
            shutil.move(path, path.with_name(f"previous-{name}"))
