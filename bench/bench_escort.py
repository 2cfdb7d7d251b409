"""Benchmark: what the escort's evidence costs.

    .venv/bin/python bench/bench_escort.py [--parts check,memory,shop] [--repeat 15]
                                           [--checks 288] [--rate 300] [--rounds 2]

1. check: one check's cost (every PromQL query of the default escort criteria for two cohorts
   and the whole store, five journey steps: 39 queries, turned into EscortSamples) when each
   metric has 1, 10 and 100 series under it, against a bare loop of the same HTTP queries in the
   same run (no parsing, no samples): the ratio is the collector's own overhead. A real
   Prometheus (Debian's binary) scrapes a prometheus_client exporter with that many series
   every second.
2. memory: a simulated 72-hour watch: 288 checks (one per 15 minutes) back to back, each
   appended to samples.jsonl; the process's RSS and the Python heap's peak (tracemalloc) before
   and after, beside the same 288 rounds of bare queries.
3. shop: the demo shop's metrics on the hot path: server CPU per request with metrics on
   (prometheus_client multiprocess mode, two workers) against `--no-metrics`, paced journeys
   as a load test sends them (bench/demo_shop_paced.py), in turns.

Loopback only, bounded (about 3 minutes on two cores). Run it under `flock /tmp/heavy.lock`.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from harness_contract import escort  # noqa: E402
from harness_watch.collect import append_samples, collect_check, plan_queries  # noqa: E402
from harness_watch.prometheus import duration, start_prometheus  # noqa: E402

COHORTS = ("gray", "control")
WINDOW_S = 10.0


def rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def exporter(series: int) -> Iterator[str]:
    """Every escort metric with `series` values of a `shard` label per cohort (and per step),
    counting up in a thread, served by prometheus_client on a free loopback port."""
    from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

    registry = CollectorRegistry()
    counters = [Counter(name.removesuffix("_total"), name, ["shard", "cohort", "outcome",
                                                             "route", "status"],
                        registry=registry)
                for name in (escort.REQUESTS, escort.QUOTES, escort.PAYMENTS, escort.POLICIES,
                             escort.PAID_WITHOUT_POLICY, escort.PREMIUM_MISMATCH,
                             escort.HEALTH_ERRORS)]
    latency = Histogram(escort.REQUEST_SECONDS, "latency", ["shard", "cohort", "step"],
                        registry=registry)
    children = [(c.labels(str(s), cohort, "success", "/api/journeys/{jid}/pay", "200"), None)
                for c in counters for s in range(series) for cohort in COHORTS]
    children += [(latency.labels(str(s), cohort, step), step) for s in range(series)
                 for cohort in COHORTS for step in escort.DEFAULT_STEPS]
    stop = threading.Event()

    def tick() -> None:
        rng = random.Random(1)
        while not stop.wait(0.1):
            for child, step in children:
                if step is None:
                    child.inc(rng.randint(0, 3))
                else:
                    child.observe(rng.expovariate(20))

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    server, server_thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(2)
        server_thread.join(2)


def bare_round(client: httpx.Client, url: str, promqls: list[str], at: float) -> None:
    for promql in promqls:
        client.get(url + "/api/v1/query", params={"query": promql, "time": f"{at:.3f}"})


@contextmanager
def prometheus_for(series: int, workdir: Path) -> Iterator[str]:
    with exporter(series) as target, start_prometheus(workdir, [target], 1.0) as server:
        problem = server.wait_scraped(30)
        if problem:
            raise RuntimeError(problem)
        time.sleep(WINDOW_S + 2)  # samples over a whole window: increase() has data to read
        print(f"  Prometheus {server.binary} ({server.version.split(' (')[0]}) scraping "
              f"{series} series per criterion", flush=True)
        yield server.url


def check_cost(args: argparse.Namespace, tmp: Path) -> None:
    promqls = [q[3] for q in plan_queries(duration(WINDOW_S), escort.DEFAULT_QUERIES, COHORTS,
                                          escort.DEFAULT_STEPS)]
    print(f"\n1. one check = {len(promqls)} PromQL instant queries; median of {args.repeat}")
    rows = []
    for series in (1, 10, 100):
        with prometheus_for(series, tmp / f"check-{series}") as url, \
                httpx.Client(trust_env=False, timeout=10) as client:
            check_ms, bare_ms = [], []
            for index in range(args.repeat):
                at = time.time()
                began = time.perf_counter()
                samples = collect_check(url, index, at, WINDOW_S, escort.DEFAULT_QUERIES,
                                        COHORTS, escort.DEFAULT_STEPS, client=client)
                check_ms.append(1000 * (time.perf_counter() - began))
                began = time.perf_counter()
                bare_round(client, url, promqls, at)
                bare_ms.append(1000 * (time.perf_counter() - began))
            errors = [s.error for s in samples if s.error]
            no_data = sum(s.value is None for s in samples)
            rows.append((series, statistics.median(check_ms), statistics.median(bare_ms),
                         len(samples), no_data, errors[:1]))
    print(f"  {'series/criterion':>16} {'check ms':>10} {'bare loop ms':>13} {'ratio':>6} "
          f"{'samples':>8} {'no data':>8}")
    for series, check, bare, count, no_data, errors in rows:
        print(f"  {series:>16} {check:>10.1f} {bare:>13.1f} {check / bare:>6.2f} {count:>8} "
              f"{no_data:>8} {' '.join(errors)}")


def memory(args: argparse.Namespace, tmp: Path) -> None:
    print(f"\n2. a simulated 72-hour watch: {args.checks} checks back to back (10 series per "
          "criterion), samples appended to samples.jsonl")
    out = tmp / "samples.jsonl"
    with prometheus_for(10, tmp / "memory") as url, \
            httpx.Client(trust_env=False, timeout=10) as client:
        promqls = [q[3] for q in plan_queries(duration(WINDOW_S), escort.DEFAULT_QUERIES,
                                              COHORTS, escort.DEFAULT_STEPS)]
        for name, run in (("bare query loop", lambda i: bare_round(client, url, promqls,
                                                                    time.time())),
                          ("collect + append", lambda i: append_samples(out, collect_check(
                              url, i, time.time(), WINDOW_S, escort.DEFAULT_QUERIES, COHORTS,
                              escort.DEFAULT_STEPS, client=client)))):
            gc.collect()
            before = rss_mb()
            tracemalloc.start()
            began = time.perf_counter()
            after_first = 0.0
            for index in range(args.checks):
                run(index)
                if index == 0:
                    after_first = rss_mb()
            seconds = time.perf_counter() - began
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            gc.collect()
            after = rss_mb()
            print(f"  {name:17} {seconds:6.1f} s  RSS {before:6.1f} -> {after_first:6.1f} "
                  f"(1st) -> {after:6.1f} MB (+{after - after_first:.1f} over {args.checks - 1} "
                  f"checks)  Python heap peak {peak / 2**20:5.2f} MB")
    lines = out.read_text(encoding="utf-8").count("\n")
    print(f"  samples.jsonl: {lines} lines, {out.stat().st_size / 2**20:.2f} MB; max RSS of "
          f"this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")


def shop_overhead(args: argparse.Namespace, tmp: Path) -> None:
    from demo_shop_paced import Target, paced

    from harness_demo_shop.server import start_in_background

    print(f"\n3. demo-shop metrics on the hot path: paced journeys, {args.connections} "
          f"connections, {args.rate:g} requests/s, {args.rounds} rounds each, in turns")
    runs: dict[str, list[dict[str, Any]]] = {"metrics on": [], "metrics off": []}
    for index in range(args.rounds):
        for name in runs:
            extra = ["--no-metrics"] if name == "metrics off" else []
            handle = start_in_background(workers=2, db_url=f"sqlite:///{tmp}/shop-{index}-"
                                         f"{name[-3:].strip()}.db", extra_args=extra)
            target = Target(name, handle.urls, handle.worker_pids, handle.stop)
            try:
                runs[name].append(paced(target, args.connections, args.rate, 3.0,
                                        args.measure_s))
            finally:
                handle.stop()
            print(f"  round {index + 1} {name}: {runs[name][-1]}", flush=True)
    medians = {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
               for name, rows in runs.items()}
    on, off = medians["metrics on"], medians["metrics off"]
    cpu_on, cpu_off = on["cpu_us_per_request"], off["cpu_us_per_request"]
    print(f"  server CPU us/request: metrics on {cpu_on:.1f}, off {cpu_off:.1f}, ratio "
          f"{cpu_on / cpu_off:.3f}; requests/s {on['rps']:.0f} vs {off['rps']:.0f}; non-2xx "
          f"{on['non_2xx']} vs {off['non_2xx']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="check,memory,shop")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--checks", type=int, default=288)
    parser.add_argument("--rate", type=float, default=300.0)
    parser.add_argument("--connections", type=int, default=300)
    parser.add_argument("--measure-s", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-escort-") as name:
        tmp = Path(name)
        if "check" in parts:
            check_cost(args, tmp)
        if "memory" in parts:
            memory(args, tmp)
        if "shop" in parts:
            shop_overhead(args, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
