"""`harness load`: run one Locust load profile against a target and keep the evidence.

Producing evidence is all this command does: exit 0 when Locust's stats and the
generator-health record are on disk, 4 when they are not. Judging belongs to the feature
files; the summary printed at the end shows what was measured and whether the generator itself
was valid (its own evidence check, not a release criterion).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from harness.cli.project_args import add_project_argument, project_from
from harness.errors import ConfigError, EvidenceError, TargetError
from harness.gates.integrity import integrity_gate
from harness.gates.load import generator_validity_gate
from harness.model import ExitCode
from harness.readers.generator import (
    GeneratorHealth,
    read_generator_health,
    read_load_plan,
    read_purchases,
    read_reconciliation,
)
from harness.readers.locust import read_locust_stats
from harness.rundir import new_run_dir

if TYPE_CHECKING:
    from harness_load.reconciliation import IntegritySource

PROFILES = ("smoke", "gray", "peak")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project_argument(parser)
    parser.add_argument("--profile", default="smoke", choices=PROFILES,
                        help="load profile (default: smoke, ~25 s, 50 users)")
    parser.add_argument("--target", help="base URL (loopback unless --allow-non-local); "
                        "default: start the demo shop")
    parser.add_argument("--run-dir", type=Path,
                        help="run directory (default: $HARNESS_RUN_DIR or a new reports/<id> "
                        "in the current folder)")
    parser.add_argument("--workers", type=int,
                        help="Locust worker processes (default: one per core, and enough for "
                        "at most 18,000 users each: 7 for peak)")
    parser.add_argument("--users", type=int, help="override the profile's users")
    parser.add_argument("--hold-s", type=float, help="override the steady-state seconds")
    parser.add_argument("--settle-s", type=float,
                        help="override the warm-up seconds at the target count after the ramp")
    parser.add_argument("--ramp-s", type=float, help="override the ramp-up seconds")
    parser.add_argument("--think-scale", type=float,
                        help="multiply every think time (smoke default 0.02, others 1)")
    parser.add_argument("--set", action="append", default=[], metavar="HARNESS_LOAD_X=VALUE",
                        help="any other profile override (see harness_load/profiles.py)")
    parser.add_argument("--extra-target", action="append", default=[], metavar="URL",
                        help="another base URL of the same store (e.g. http://127.0.0.2:8000) "
                        "to spread connections over; repeatable")
    parser.add_argument("--spread", type=int, metavar="N",
                        help="with the bundled demo shop: listen on N loopback addresses "
                        "(127.0.0.1 ... 127.0.0.N) and spread users over them (default: "
                        "enough for 28,000 connections each: 5 for peak)")
    parser.add_argument("--shop-workers", type=int, metavar="N",
                        help="with the bundled demo shop: its worker processes (default: "
                        "enough for 18,000 connections each, at least 2: 7 for peak)")
    parser.add_argument("--allow-non-local", action="store_true",
                        help="allow a target outside 127.0.0.0/8 (you must own it)")
    parser.add_argument("--locustfile", type=Path, metavar="PATH",
                        help="your own Locust file (e.g. loadtests/locustfile.py) run under the "
                        "profile, the generator-health listener and the validity gate; needs "
                        "--target (default: the bundled demo-shop buyer)")
    parser.add_argument("--user-class", action="append", default=[], metavar="NAME",
                        dest="user_classes",
                        help="a user class of --locustfile to run; repeatable (default: all)")
    parser.add_argument("--integrity-sql", metavar="URL",
                        help="reconcile purchases with the store's database: an SQLAlchemy URL "
                        "(with --integrity-query)")
    parser.add_argument("--integrity-query", metavar="SQL",
                        help="the query returning order_id, policy_number, premium_fen")
    parser.add_argument("--integrity-csv", type=Path, metavar="PATH",
                        help="reconcile purchases with the store's CSV export (order_id, "
                        "policy_number, premium_fen; UTF-8)")


def overrides_from(args: argparse.Namespace) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.startswith("HARNESS_LOAD_"):
            raise ConfigError(f"--set {item!r}: expected HARNESS_LOAD_NAME=VALUE")
        out[key] = value
    named = {"HARNESS_LOAD_USERS": args.users, "HARNESS_LOAD_HOLD_S": args.hold_s,
             "HARNESS_LOAD_RAMP_S": args.ramp_s, "HARNESS_LOAD_SETTLE_S": args.settle_s,
             "HARNESS_LOAD_THINK_SCALE": args.think_scale}
    out.update({k: str(v) for k, v in named.items() if v is not None})
    return out


def integrity_from(args: argparse.Namespace) -> IntegritySource | None:
    """--integrity-sql/--integrity-query or --integrity-csv as an integrity source; None when
    neither is given (the demo shop's endpoint for the bundled buyer)."""
    from harness_load.reconciliation import IntegritySource

    table: dict[str, str] = {}
    if args.integrity_sql or args.integrity_query:
        table = {"kind": "sql", "url": args.integrity_sql or "", "query":
                 args.integrity_query or ""}
    if args.integrity_csv:
        if table:
            raise ConfigError("--integrity-csv and --integrity-sql: choose one integrity source")
        table = {"kind": "csv", "path": str(args.integrity_csv)}
    missing = [k for k, v in table.items() if not v]
    if missing:
        raise ConfigError(f"--integrity-sql needs --integrity-{missing[0]}"
                          if missing[0] == "query" else "--integrity-query needs --integrity-sql")
    return IntegritySource.from_mapping(table, "--integrity-*") if table else None


def size_for_machine(args: argparse.Namespace, overrides: dict[str, str]) -> None:
    """Fill in --workers, --spread and --shop-workers the user left out, from the profile's
    peak users: at most 18,000 users per generator or shop process (20,000 open files), at most
    28,000 connections per address pair (ephemeral ports), one worker per core at least."""
    from harness_load.launcher import plan_machine

    plan = plan_machine(args.profile, overrides)
    args.workers = args.workers or plan.workers
    args.spread = args.spread or plan.destinations
    args.shop_workers = args.shop_workers or plan.shop_workers
    args.peak_users = plan.peak_users


def run(args: argparse.Namespace) -> int:
    from harness_load.launcher import LoadRequest, run_load

    run_dir = args.run_dir or (Path(os.environ["HARNESS_RUN_DIR"])
                               if os.environ.get("HARNESS_RUN_DIR") else None)
    if run_dir is None:
        run_dir = new_run_dir(project_from(args).reports_dir, f"load-{args.profile}").path
    overrides = overrides_from(args)
    if args.locustfile is not None and not args.target:
        raise ConfigError("--locustfile needs --target: the base URL of the store your Locust "
                          "users call")
    integrity = integrity_from(args)
    size_for_machine(args, overrides)
    with _targets(args) as targets:
        print(f"[load] {args.profile} profile ({args.peak_users:,} users at the peak) against "
              f"{', '.join(targets)}, {args.workers} workers -> {run_dir / 'raw' / 'load'}",
              flush=True)
        result = run_load(LoadRequest(profile=args.profile, target=targets[0], run_dir=run_dir,
                                      workers=args.workers, overrides=overrides,
                                      extra_targets=tuple(targets[1:]),
                                      allow_non_local=args.allow_non_local,
                                      locustfile=args.locustfile,
                                      user_classes=tuple(args.user_classes),
                                      integrity=integrity))
    print(f"[load] Locust master exit {result.master_exit_code}, workers "
          f"{list(result.worker_exit_codes)}, {result.purchases} purchases recorded, "
          f"{result.duration_s:.0f} s" + (" (TIMED OUT)" if result.timed_out else ""))
    if result.reconciliation_error:
        print(f"[load] no store reconciliation: {result.reconciliation_error}")
    elif integrity is not None:
        print(f"[load] store records from {integrity.describe()}")
    if not result.evidence_complete:
        said = locust_error(result.load_dir)
        if said:
            print(f"[load] Locust stopped: {said}")
        print("[load] evidence incomplete: see master.log, master.out and worker-*.log in "
              f"{result.load_dir}")
        return int(ExitCode.HARNESS_FAILURE)
    print_summary(result.load_dir)
    return int(ExitCode.GO)


def locust_error(load_dir: Path) -> str | None:
    """Why the master stopped, in Locust's words: its last ERROR/CRITICAL log line (an unknown
    user class ...), else the last line of its output (an exception importing a locustfile)."""
    for name, marker in (("master.log", "/ERROR/"), ("master.log", "/CRITICAL/"),
                         ("master.out", "")):
        try:
            lines = (load_dir / name).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        hits = [line for line in lines if line.strip() and marker in line]
        if hits:
            return hits[-1].split(": ", 1)[-1].strip() if marker else hits[-1].strip()
    return None


def print_summary(load_dir: Path) -> None:
    """What was measured, per request, the generator's own validity (with the gate's default
    limits) and the integrity reconciliation; the release criteria live in the features."""
    try:
        stats = read_locust_stats(load_dir / "stats.csv")
        health = read_generator_health(load_dir / "generator.jsonl")
        plan = read_load_plan(load_dir / "phases.json")
    except EvidenceError as exc:
        print(f"[load] evidence unreadable: {exc}")
        return
    print(f"{'request':<16}{'count':>9}{'fails':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for row in stats.rows:
        p = row.percentiles_ms
        cells = [_ms(p.get(q)) for q in (50.0, 95.0, 99.0)]
        print(f"{row.name:<16}{row.request_count:>9,}{row.failure_count:>8,}"
              f"{cells[0]:>9}{cells[1]:>9}{cells[2]:>9}")
    validity = generator_validity_gate(health, plan)
    print(f"[load] generator {validity.status.value}: {validity.message}")
    print(f"[load] generator cost: {generator_cost(health)}")
    try:
        purchases = read_purchases(load_dir / "purchases.jsonl")
        store = read_reconciliation(load_dir.parent / "store" / "reconciliation.json")
    except EvidenceError as exc:
        print(f"[load] integrity not reconciled: {exc}")
        return
    integrity = integrity_gate(purchases, store)
    print(f"[load] integrity {integrity.status.value}: {integrity.message}")


def generator_cost(health: GeneratorHealth) -> str:
    """CPU per request (workers' CPU seconds over their requests, first to last sample) and
    resident memory per user (at the sample with the most users), as one sentence."""
    samples = [s for s in health.samples if s.workers and not s.final]
    if len(samples) < 2:
        return "not enough samples"
    first = {w.id: w for w in samples[0].workers}
    cpu_s = requests = 0.0
    for w in samples[-1].workers:
        before = first.get(w.id)
        if before and None not in (w.cpu_s_total, before.cpu_s_total):
            cpu_s += (w.cpu_s_total or 0.0) - (before.cpu_s_total or 0.0)
            requests += (w.requests_total or 0) - (before.requests_total or 0)
    fullest = max(samples, key=lambda s: sum(w.users for w in s.workers))
    users = sum(w.users for w in fullest.workers)
    rss = sum(w.rss_bytes or 0 for w in fullest.workers)
    cpu = f"{cpu_s * 1000 / requests:.2f} ms CPU per request" if requests else "no requests"
    mem = f"{rss / 1024 / users:,.0f} KiB resident per user" if users and rss else "no memory"
    return f"{cpu}, {mem} (fixed costs included: small runs overstate both)"


def _ms(value: float | None) -> str:
    return "N/A" if value is None else f"{value:,.0f}"


@contextmanager
def _targets(args: argparse.Namespace) -> Iterator[list[str]]:
    """--target and --extra-target as given, else a demo shop on --spread loopback addresses."""
    if args.target:
        yield [u.rstrip("/") for u in (args.target, *args.extra_target)]
        return
    try:
        from harness_demo_shop.server import start_in_background
    except ImportError as exc:
        raise TargetError("no --target given and the demo shop is not installed") from exc
    listen = [f"127.0.0.{i}:0" for i in range(2, args.spread + 1)]
    print(f"[load] starting the demo shop on {args.spread} address(es), "
          f"{args.shop_workers} workers", flush=True)
    shop = start_in_background(variant="good", port=0, workers=args.shop_workers,
                               listen=listen)
    try:
        yield [str(u) for u in shop.urls]
    finally:
        shop.stop()
