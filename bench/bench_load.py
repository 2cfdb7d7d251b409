"""Largest valid concurrency: this harness's load generator vs plain Locust, same machine,
same run, same demo shop, same purchase journey with real think times (tens of seconds).

    .venv/bin/python bench/bench_load.py --harness-stairs 40000,70000,100000 \\
        --plain-stairs 10000,25000 --ramp-s 40 --hold-s 180 --json bench-load.json

Each mode runs once, as a staircase (harness_load/profiles.py, HARNESS_LOAD_STAIRS): ramp to a
level, let it settle `--settle-s` (warm-up: the last buyers to start are still in the quick
first steps of a purchase), hold it `--hold-s`, ramp to the next. Each stair's steady phase
is judged on its own by the real `generator_validity_gate` (CPU per worker, users held,
event-loop lag, missing workers, socket limits; evidence up to the end of that stair) plus an
error ratio under 1 %:
the largest valid stair is the figure. Per stair it also reports the generator's CPU per
request (workers' CPU seconds over their requests), its memory per user (workers' resident
memory over users, and the marginal memory between stairs) and how busy the whole machine was.

"plain": `locust --processes 2` with Locust's FastHttpUser as it ships (geventhttpclient's
select()-based keep-alive check, every user on one destination address, Locust's own worker
count), running the same locustfile and journey (HARNESS_LOAD_CLIENT=fasthttp) so the same
evidence is written and judged.
Figures of 2026-11-21 in README "Performance".

"harness": `harness_load.launcher` (master + one worker per 18,000 users, users spread over one
shop address per 28,000 connections, each buyer on the lean one-socket client of
harness_load/lean_http.py).
"fasthttp": the same launcher with each buyer on Locust's FastHttpUser (HARNESS_LOAD_CLIENT=
fasthttp, the poll()-based keep-alive check): what the lean client saves, in the same run
(`--modes harness,fasthttp --harness-stairs 1500 --fasthttp-stairs 1500 --think-scale 0.1`).
The demo shop is the same for both: enough processes and loopback addresses for the larger
stair. Loopback only; each mode is bounded by its profile plus a margin.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.errors import HarnessError  # noqa: E402
from harness.gates.load import error_ratio_gate, generator_validity_gate  # noqa: E402
from harness.model import Status  # noqa: E402
from harness.readers.generator import (  # noqa: E402
    GeneratorHealth,
    PlanPhase,
    read_generator_health,
    read_load_plan,
)
from harness.readers.locust_phases import read_phase_stats  # noqa: E402
from harness_demo_shop.server import start_in_background  # noqa: E402
from harness_load.launcher import (  # noqa: E402
    CSV_NAMES,
    LOCUSTFILE,
    LoadRequest,
    destinations_for,
    run_load,
    shop_workers_for,
    workers_for,
)

MAX_ERROR_RATIO = 0.01


@dataclass(frozen=True)
class Stair:
    mode: str
    users: int
    valid: bool
    why: str
    error_ratio: float
    rps_achieved: float
    cpu_percent_max: float
    loop_lag_ms_p95_max: float
    cpu_ms_per_request: float
    rss_kib_per_user: float
    machine_busy_percent: float
    shop_cpu_percent: float
    gc_pause_ms_max: float = float("nan")


class MachineSampler(threading.Thread):
    """Every 5 s: whole-machine CPU busy share and the shop's CPU seconds: is the machine, not
    one worker, the limit, and how much of it does the store under test take?"""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float, float]] = []
        self.stopped = threading.Event()
        self.shop: list[psutil.Process] = []

    def run(self) -> None:
        psutil.cpu_percent(None)
        while not self.stopped.wait(5.0):
            self.samples.append((time.time(), psutil.cpu_percent(None), self._shop_cpu_s()))

    def _shop_cpu_s(self) -> float:
        total = 0.0
        for proc in self.shop:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def busy_between(self, start: float, end: float) -> tuple[float, float]:
        """(machine busy %, shop CPU % of one core) averaged over [start, end]."""
        inside = [x for x in self.samples if start <= x[0] <= end]
        if len(inside) < 2:
            return float("nan"), float("nan")
        busy = sum(x[1] for x in inside) / len(inside)
        shop = (inside[-1][2] - inside[0][2]) / (inside[-1][0] - inside[0][0]) * 100
        return busy, shop


def overrides(stairs: list[int], args: argparse.Namespace) -> dict[str, str]:
    """The stairs as profile settings; a ramp never faster than --max-spawn-rate buyers/s (the
    run of 2026-11-21 ramped 1,200/s and the shop's backlog spoiled every stair's start)."""
    step = max(b - a for a, b in zip([0, *stairs], stairs, strict=False))
    ramp_s = max(args.ramp_s, step / args.max_spawn_rate)
    return {"HARNESS_LOAD_STAIRS": ",".join(map(str, stairs)),
            "HARNESS_LOAD_RAMP_S": str(ramp_s), "HARNESS_LOAD_HOLD_S": str(args.hold_s),
            "HARNESS_LOAD_SETTLE_S": str(args.settle_s),
            "HARNESS_LOAD_SPIKE_USERS": "0", "HARNESS_LOAD_THINK_SCALE": str(args.think_scale)}


def run_harness(urls: list[str], stairs: list[int], run_dir: Path,
                args: argparse.Namespace, client: str = "lean") -> Path:
    run_load(LoadRequest("peak", urls[0], run_dir, workers=workers_for(max(stairs)),
                         overrides={**overrides(stairs, args), "HARNESS_LOAD_CLIENT": client},
                         extra_targets=tuple(urls[1:]), reconcile=False))
    return run_dir / "raw" / "load"


def run_plain(url: str, stairs: list[int], run_dir: Path, args: argparse.Namespace) -> Path:
    """`locust --processes 2` on the same locustfile, without the keep-alive fix."""
    load = run_dir / "raw" / "load"
    load.mkdir(parents=True)
    duration_s = len(stairs) * (float(overrides(stairs, args)["HARNESS_LOAD_RAMP_S"])
                                + args.settle_s + args.hold_s)
    env = dict(os.environ, **overrides(stairs, args), HARNESS_LOAD_PROFILE="peak",
               HARNESS_LOAD_DIR=str(load), HARNESS_LOAD_WORKERS="2",
               HARNESS_LOAD_CLIENT="fasthttp", HARNESS_LOAD_KEEPALIVE_FIX="0", PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--processes", "2",
           "--headless", "-H", url, "--run-time", f"{int(duration_s) + 5}s",
           "--csv", str(load / "locust"), "--csv-full-history", "--json-file",
           str(load / "stats"), "--only-summary", "--logfile", str(load / "locust.log")]
    with (load / "locust.out").open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=duration_s + 90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for src, dst in CSV_NAMES.items():
        if (load / src).is_file():
            os.replace(load / src, load / dst)
    return load


def judge_stairs(mode: str, load: Path, machine: MachineSampler) -> list[Stair]:
    try:
        health = read_generator_health(load / "generator.jsonl")
        plan = read_load_plan(load / "phases.json")
    except HarnessError as exc:
        print(f"{mode}: no evidence: {exc}", flush=True)
        return []
    out = []
    for phase in plan.phases_of("steady"):
        upto = replace(health, samples=tuple(s for s in health.samples
                                             if s.t_s <= phase.end_s + 1))
        validity = generator_validity_gate(upto, replace(plan, phases=(phase,)))
        try:
            errors = error_ratio_gate(read_phase_stats(load / "phase_stats.jsonl",
                                                       [phase.name]), MAX_ERROR_RATIO)
        except HarnessError as exc:
            out.append(Stair(mode, phase.users, False, f"no stats: {exc}", *[float("nan")] * 8))
            continue
        ratio = float(errors.observed) if isinstance(errors.observed, float) else float("nan")
        valid = validity.status is Status.PASSED and errors.status is Status.PASSED
        why = "valid" if valid else "; ".join(
            [*validity.details.get("reasons", []),
             *([errors.message] if errors.status is not Status.PASSED else [])])
        d = validity.details
        cpu_ms, rss_kib = generator_cost(health, phase)
        busy, shop = machine.busy_between(plan.started_at + phase.start_s,
                                          plan.started_at + phase.end_s)
        out.append(Stair(mode, phase.users, valid, why or validity.message, ratio,
                         float(d.get("rps_achieved", float("nan"))),
                         float(d.get("cpu_percent_max", float("nan"))),
                         float(d.get("loop_lag_ms_p95_max", float("nan"))), cpu_ms, rss_kib, busy,
                         shop, gc_pause_max(load / "generator.jsonl", phase)))
    return out


def gc_pause_max(path: Path, phase: PlanPhase) -> float:
    """The longest garbage-collection pause any worker reported in the phase (ms); NaN when the
    evidence has none (a generator before harness_load/gcpause.py)."""
    pauses = [float(w["gc_pause_ms_max"])
              for line in path.read_text().splitlines() if line.strip()
              for sample in [json.loads(line)]
              if phase.start_s <= sample.get("t_s", -1) <= phase.end_s
              for w in sample.get("workers", []) if "gc_pause_ms_max" in w]
    return max(pauses, default=float("nan"))


def generator_cost(health: GeneratorHealth, phase: PlanPhase) -> tuple[float, float]:
    """(CPU ms per request, resident KiB per user) of all workers over one steady phase."""
    inside = [s for s in health.samples if phase.start_s <= s.t_s <= phase.end_s and not s.final]
    if len(inside) < 2:
        return float("nan"), float("nan")
    first, last = inside[0], inside[-1]
    cpu_s = requests = 0.0
    for w in last.workers:
        before = next((b for b in first.workers if b.id == w.id), None)
        if before is None or None in (w.cpu_s_total, before.cpu_s_total, w.requests_total,
                                      before.requests_total):
            continue
        cpu_s += (w.cpu_s_total or 0.0) - (before.cpu_s_total or 0.0)
        requests += (w.requests_total or 0) - (before.requests_total or 0)
    rss = sum(w.rss_bytes or 0 for w in last.workers)
    users = sum(w.users for w in last.workers)
    return (cpu_s * 1000 / requests if requests else float("nan"),
            rss / 1024 / users if users else float("nan"))


def print_stairs(stairs: list[Stair]) -> None:
    print(f"{'mode':<8}{'users':>9}  {'valid':<6}{'err %':>7}{'req/s':>8}{'cpu%max':>8}"
          f"{'lag ms':>8}{'ms cpu/req':>11}{'KiB/user':>9}{'machine%':>9}{'shop%':>7}"
          f"{'gc ms':>7}")
    for s in stairs:
        print(f"{s.mode:<8}{s.users:>9,}  {'yes' if s.valid else 'no':<6}"
              f"{s.error_ratio * 100:>7.2f}{s.rps_achieved:>8,.0f}{s.cpu_percent_max:>8.0f}"
              f"{s.loop_lag_ms_p95_max:>8.0f}{s.cpu_ms_per_request:>11.3f}"
              f"{s.rss_kib_per_user:>9.1f}{s.machine_busy_percent:>9.0f}"
              f"{s.shop_cpu_percent:>7.0f}{s.gc_pause_ms_max:>7.0f}")
        if not s.valid:
            print(f"        why: {s.why}")
    for mode in dict.fromkeys(s.mode for s in stairs):
        mine = [s for s in stairs if s.mode == mode]
        best = max((s.users for s in mine if s.valid), default=0)
        print(f"largest valid concurrency, {mode}: {best:,}")
        if len(mine) >= 2 and mine[-1].users > mine[0].users:
            marginal = marginal_kib_per_user(mine[0], mine[-1])
            print(f"  marginal memory per user between stairs, {mode}: {marginal:.1f} KiB")


def marginal_kib_per_user(low: Stair, high: Stair) -> float:
    total_low, total_high = low.rss_kib_per_user * low.users, high.rss_kib_per_user * high.users
    return (total_high - total_low) / (high.users - low.users)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--harness-stairs", default="1000,3000")
    parser.add_argument("--plain-stairs", default="1000,3000")
    parser.add_argument("--modes", default="harness,plain",
                        help="comma-separated: harness, plain, fasthttp")
    parser.add_argument("--fasthttp-stairs", default="1500")
    parser.add_argument("--ramp-s", type=float, default=10.0)
    parser.add_argument("--hold-s", type=float, default=20.0)
    parser.add_argument("--settle-s", type=float, default=60.0,
                        help="warm-up at each stair's count before its steady state is judged")
    parser.add_argument("--max-spawn-rate", type=float, default=200.0,
                        help="buyers started per second at most (longer ramps if needed)")
    parser.add_argument("--think-scale", type=float, default=1.0)
    parser.add_argument("--json", type=Path, help="also write the stairs here")
    parser.add_argument("--keep-evidence", type=Path,
                        help="copy each mode's raw/load evidence here (else it is deleted)")
    args = parser.parse_args()
    plan = {"plain": [int(x) for x in args.plain_stairs.split(",")],
            "harness": [int(x) for x in args.harness_stairs.split(",")],
            "fasthttp": [int(x) for x in args.fasthttp_stairs.split(",")]}
    peak = max(max(plan[m]) for m in args.modes.split(","))
    print(f"load average before: {' / '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} cores; {psutil.virtual_memory().total / 2**30:.0f} GiB", flush=True)
    machine = MachineSampler()
    machine.start()
    results: list[Stair] = []
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        listen = [f"127.0.0.{i}:0" for i in range(2, destinations_for(peak) + 1)]
        shop = start_in_background(variant="good", port=0, workers=shop_workers_for(peak),
                                   listen=listen, db_url=f"sqlite:///{tmp}/shop.db",
                                   timeout_s=60)
        print(f"demo shop: {shop_workers_for(peak)} workers on {', '.join(shop.urls)}",
              flush=True)
        machine.shop = [psutil.Process(pid) for pid in shop.worker_pids]
        try:
            for mode in args.modes.split(","):
                run_dir = Path(tmp) / mode
                started = time.monotonic()
                load = (run_plain(shop.urls[0], plan[mode], run_dir, args) if mode == "plain"
                        else run_harness(shop.urls, plan[mode], run_dir, args,
                                         "fasthttp" if mode == "fasthttp" else "lean"))
                print(f"{mode}: ran {time.monotonic() - started:.0f} s", flush=True)
                if args.keep_evidence:
                    shutil.copytree(load, args.keep_evidence / mode, dirs_exist_ok=True)
                results += judge_stairs(mode, load, machine)
                print_stairs([s for s in results if s.mode == mode])  # each mode at once:
                if args.json:  # a run cut short by its time bound keeps what it measured
                    args.json.write_text(json.dumps([asdict(s) for s in results], indent=2))
        finally:
            shop.stop()
            machine.stopped.set()
    print_stairs(results)


if __name__ == "__main__":
    main()
