"""Largest valid concurrency: this harness's load generator vs plain Locust, same machine,
same run, same demo shop, same purchase journey with real think times.

    .venv/bin/python bench/bench_load.py [--steps 1000,3000] [--hold-s 20] [--ramp-s 10]

"plain" is Locust's FastHttpUser as it ships (geventhttpclient's select()-based keep-alive
check, every user on one destination, 2 worker processes); "harness" adds the poll()-based
check (loadtests/keepalive.py), spreads users over loopback destinations (<= 28,000 connections
each) and runs <= 18,000 users per worker. A step is *valid* when the generator-validity gate
passes and under 1 % of requests fail. Connections opened are counted from the kernel's TCP
table (TIME_WAIT + ESTABLISHED towards the shop's ports after the run), not from Locust.
Prints one line per run, then the largest valid concurrency of each and their ratio.
Load goes to loopback only; each run is bounded by its profile (ramp + hold).

Measured here 2026-11-21 (2 shared cores, other engineers' jobs running; realistic think
times, so a 20-second hold is front-loaded and achieved req/s exceeds the long-run plan):
    users   mode     workers dest  valid  req/s  cpu max  connections opened
    1,000   plain    2       1     yes    61     4 %      1,003
    1,000   harness  2       2     yes    61     4 %      1,005
    3,000   plain    2       1     yes    212    11 %     4,599   (1,500 users/worker > fd 1023)
    3,000   harness  2       2     yes    181    8 %      3,003   (one connection per user)
    12,000  plain    2       1     no     608    42 %     12,668  loop lag p95 226 ms
    12,000  harness  2       2     no     647    32 %     11,983  loop lag p95 315 ms
The 12,000-user step started at load average 13.5 (the machine was busy): both generators were
rightly judged invalid (event-loop lag), so no ratio could be measured there; the keep-alive
difference shows as 53 % more connections for plain Locust at 3,000 users.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo_shop.server import start_in_background  # noqa: E402
from harness.errors import HarnessError  # noqa: E402
from harness.gates.load import error_ratio_gate, generator_validity_gate  # noqa: E402
from harness.model import Status  # noqa: E402
from harness.readers.generator import read_generator_health, read_load_plan  # noqa: E402
from harness.readers.locust import read_locust_stats  # noqa: E402
from loadtests.launcher import (  # noqa: E402
    MAX_CONNECTIONS_PER_DESTINATION,
    LoadRequest,
    run_load,
    workers_for,
)

MAX_ERROR_RATIO = 0.01


@dataclass(frozen=True)
class Step:
    mode: str
    users: int
    workers: int
    destinations: int
    valid: bool
    validity: str
    error_ratio: float
    rps_achieved: float
    rps_planned: float
    cpu_percent_max: float
    connections_opened: int
    wall_s: float


def run_step(mode: str, users: int, args: argparse.Namespace) -> Step:
    harness_mode = mode == "harness"
    destinations = max(2, -(-users // MAX_CONNECTIONS_PER_DESTINATION)) if harness_mode else 1
    workers = workers_for(users) if harness_mode else 2
    listen = [f"127.0.0.{i}:0" for i in range(2, destinations + 1)]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        shop = start_in_background(variant="good", port=0, workers=args.shop_workers,
                                   listen=listen, db_url=f"sqlite:///{tmp}/shop.db")
        try:
            ports = {int(u.rsplit(":", 1)[1]) for u in shop.urls}
            overrides = {"HARNESS_LOAD_USERS": str(users), "HARNESS_LOAD_RAMP_S": str(args.ramp_s),
                         "HARNESS_LOAD_HOLD_S": str(args.hold_s),
                         "HARNESS_LOAD_KEEPALIVE_FIX": "1" if harness_mode else "0"}
            run_load(LoadRequest("gray", shop.urls[0], Path(tmp), workers=workers,
                                 overrides=overrides, extra_targets=tuple(shop.urls[1:])))
            opened = count_connections(ports)
        finally:
            shop.stop()
        return judge(mode, users, workers, destinations, Path(tmp) / "raw" / "load", opened,
                     time.monotonic() - started)


def count_connections(ports: set[int]) -> int:
    """Client ends of connections to the shop still in the kernel table: TIME_WAIT (closed
    within the last 60 s) or still open."""
    seen = set()
    for c in psutil.net_connections(kind="tcp"):
        if c.raddr and c.raddr.port in ports:
            seen.add((c.laddr, c.raddr))
    return len(seen)


def judge(mode: str, users: int, workers: int, destinations: int, load: Path, opened: int,
          wall_s: float) -> Step:
    try:
        validity = generator_validity_gate(read_generator_health(load / "generator.jsonl"),
                                           read_load_plan(load / "phases.json"))
        errors = error_ratio_gate(read_locust_stats(load / "stats.csv"), MAX_ERROR_RATIO)
    except HarnessError as exc:
        return Step(mode, users, workers, destinations, False, f"no evidence: {exc}",
                    float("nan"), 0.0, 0.0, float("nan"), opened, wall_s)
    d = validity.details
    ratio = float(errors.observed) if isinstance(errors.observed, float) else float("nan")
    valid = validity.status is Status.PASSED and errors.status is Status.PASSED
    return Step(mode, users, workers, destinations, valid, validity.message, ratio,
                float(d.get("rps_achieved", 0.0)), float(d.get("rps_planned", 0.0)),
                float(d.get("cpu_percent_max", float("nan"))), opened, round(wall_s, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="1000,3000", help="user counts, comma-separated")
    parser.add_argument("--modes", default="plain,harness")
    parser.add_argument("--ramp-s", type=float, default=10.0)
    parser.add_argument("--hold-s", type=float, default=20.0)
    parser.add_argument("--shop-workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    results: list[Step] = []
    for users in steps:
        for mode in args.modes.split(","):
            step = run_step(mode, users, args)
            results.append(step)
            print(f"{mode:<8}{users:>8,} users {step.workers} workers {step.destinations} dest: "
                  f"{'VALID' if step.valid else 'invalid'}; errors {step.error_ratio:.2%}; "
                  f"{step.rps_achieved:,.0f}/{step.rps_planned:,.0f} req/s; cpu max "
                  f"{step.cpu_percent_max:.0f}%; {step.connections_opened:,} connections; "
                  f"{step.wall_s:.0f} s", flush=True)
            if not step.valid:
                print(f"        {step.validity}", flush=True)
    best = {m: max((s.users for s in results if s.mode == m and s.valid), default=0)
            for m in args.modes.split(",")}
    print("largest valid concurrency: " + ", ".join(f"{m} {u:,}" for m, u in best.items()))
    if best.get("plain") and best.get("harness"):
        print(f"ratio harness/plain: {best['harness'] / best['plain']:.2f}")
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in results], indent=2))


if __name__ == "__main__":
    main()
