"""Benchmark: `harness gray` statistics on ten million synthetic events, next to DuckDB computing
the same aggregates from the same Parquet file in the same run.

    .venv/bin/python bench/bench_gray.py [--events 10000000] [--keep DIR]

Each measured side runs in its own child process, so wall time and peak resident memory
(getrusage ru_maxrss of that child) belong to it alone. Prints both and the ratios
harness/DuckDB. Targets: harness under 10 s and 3 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ("product_view", "journey_start", "notice_ack", "health_view", "health_submit",
          "health_error", "application_view", "application_submit", "confirm_view", "payment",
          "policy_issued")


def generate(path: Path, n_events: int, seed: int = 1) -> int:
    """A funnel per user with numpy, vectorised: ~6 events per user, gray 50 %, gray converts a
    little worse and dwells a little longer. Written as Parquet (string columns, like an export)."""
    rng = np.random.default_rng(seed)
    n_users = int(n_events / 5.93)
    gray = rng.random(n_users) < 0.5
    reach = {"product_view": np.ones(n_users, bool), "journey_start": np.ones(n_users, bool)}
    alive = np.ones(n_users, bool)
    for step, p in (("notice_ack", 0.9), ("application_view", 0.8), ("application_submit", 0.75),
                    ("confirm_view", 0.9), ("payment", 0.95)):
        alive = alive & (rng.random(n_users) < p)
        reach[step] = alive.copy()
    medical = rng.random(n_users) < 0.5
    reach["health_view"] = reach["notice_ack"] & medical
    reach["health_submit"] = reach["health_view"]
    reach["health_error"] = reach["health_view"] & (rng.random(n_users) < 0.05 + 0.01 * gray)
    reach["policy_issued"] = alive & (rng.random(n_users) < np.where(gray, 0.215, 0.22))
    users, codes = [], []
    for code, name in enumerate(EVENTS):
        who = np.flatnonzero(reach[name])
        if name == "health_view":  # some users come back to the declaration
            who = np.repeat(who, 1 + rng.poisson(0.2, len(who)))
        users.append(who)
        codes.append(np.full(len(who), code, np.int8))
    user = np.concatenate(users)
    event = np.concatenate(codes)
    value = np.full(len(user), np.nan)
    submit = event == EVENTS.index("application_submit")
    value[submit] = np.round(rng.lognormal(np.log(60), 0.6, submit.sum())
                             * np.where(gray[user[submit]], 1.02, 1.0), 1)
    issued = event == EVENTS.index("policy_issued")
    value[issued] = rng.choice([4800.0, 12000.0, 36000.0], issued.sum())
    order = rng.permutation(len(user))[:n_events]
    user, event, value = user[order], event[order], value[order]
    ts = (np.datetime64("2026-05-01T00:00:00", "ms") + rng.integers(0, 7 * 86_400_000, len(user)))
    table = pa.table({
        "user_id": pc.binary_join_element_wise("u", pa.array(user).cast(pa.string()), ""),
        "cohort": pa.DictionaryArray.from_arrays(gray[user].astype(np.int8),
                                                 ["control", "gray"]).cast(pa.string()),
        "event": pa.DictionaryArray.from_arrays(event, list(EVENTS)).cast(pa.string()),
        "ts": pa.array(ts).cast(pa.timestamp("ms", tz="UTC")),
        "value": pa.array(value, from_pandas=True),
        "product": pa.DictionaryArray.from_arrays(medical[user].astype(np.int8),
                                                  ["travel", "medical"]).cast(pa.string()),
    })
    pq.write_table(table, path, row_group_size=1_000_000)
    return table.num_rows


def run_harness(path: str) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from harness.gates.gray import GrayThresholds, gray_outcomes
    from harness.gray.comparison import compare
    from harness.readers.cohort import read_cohort_events

    t0 = time.perf_counter()
    log = read_cohort_events(path)
    t1 = time.perf_counter()
    comparison = compare(log, 0.5)
    t2 = time.perf_counter()
    outcomes = gray_outcomes(comparison, GrayThresholds())
    t3 = time.perf_counter()
    c = comparison
    return {"read_s": t1 - t0, "compare_s": t2 - t1, "gates_s": t3 - t2,
            "users": [c.sample_ratio.n_control, c.sample_ratio.n_gray],
            "conversion": [c.conversion.control_successes, c.conversion.control_total,
                           c.conversion.gray_successes, c.conversion.gray_total],
            "health_error": [c.health_error.control_successes, c.health_error.control_total,
                             c.health_error.gray_successes, c.health_error.gray_total],
            "views_mean": [c.health_views.control.mean, c.health_views.gray.mean],
            "duration_median_s": [c.application_duration.control_median_s,
                                  c.application_duration.gray_median_s],
            "decisions": {k: o.status.value for k, o in outcomes.items()}}


DUCKDB_SQL = """
WITH per_user AS (
  SELECT user_id, any_value(cohort) AS cohort,
         bool_or(event = 'journey_start') AS started,
         bool_or(event = 'policy_issued') AS issued,
         bool_or(event = 'health_submit') AS submitted,
         bool_or(event = 'health_error') AS errored,
         count(*) FILTER (WHERE event = 'health_view') AS views,
         avg(value) FILTER (WHERE event = 'application_submit') AS duration_s
  FROM read_parquet('{path}') GROUP BY user_id HAVING count(DISTINCT cohort) = 1)
SELECT cohort, count(*) AS users,
       count(*) FILTER (WHERE started AND issued) AS converted,
       count(*) FILTER (WHERE started) AS starters,
       count(*) FILTER (WHERE submitted AND errored) AS errored,
       count(*) FILTER (WHERE submitted) AS submitters,
       avg(views) FILTER (WHERE views > 0) AS views_mean,
       median(duration_s) AS duration_median_s
FROM per_user GROUP BY cohort ORDER BY cohort
"""


def run_duckdb(path: str) -> dict[str, object]:
    import duckdb

    t0 = time.perf_counter()
    rows = duckdb.sql(DUCKDB_SQL.format(path=path)).fetchall()
    return {"query_s": time.perf_counter() - t0, "rows": [list(r) for r in rows]}


def child(side: str, path: str) -> None:
    start = time.perf_counter()
    result = run_harness(path) if side == "harness" else run_duckdb(path)
    result["wall_s"] = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_s"] = usage.ru_utime + usage.ru_stime  # includes interpreter start and imports
    result["peak_rss_mb"] = usage.ru_maxrss / 1024
    print(json.dumps(result, default=float))


def measure(side: str, path: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", side, str(path)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="keep the Parquet file in this folder")
    parser.add_argument("--child", nargs=2, metavar=("SIDE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "gray_events.parquet"
        t0 = time.perf_counter()
        rows = generate(path, args.events)
        print(f"generated {rows:,} events ({path.stat().st_size / 1e6:.0f} MB Parquet) in "
              f"{time.perf_counter() - t0:.1f} s")
        harness, duck = measure("harness", path), measure("duckdb", path)
    print(f"load average before measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"harness gray : {harness['wall_s']:.2f} s wall (read {harness['read_s']:.2f} s, "
          f"compare {harness['compare_s']:.2f} s, gates {harness['gates_s']:.2f} s), "
          f"{harness['cpu_s']:.2f} s CPU, peak RSS {harness['peak_rss_mb']:.0f} MB")
    print(f"duckdb       : {duck['wall_s']:.2f} s wall (query {duck['query_s']:.2f} s), "
          f"{duck['cpu_s']:.2f} s CPU, peak RSS {duck['peak_rss_mb']:.0f} MB")
    ratios = {key: float(harness[key]) / float(duck[key])  # type: ignore[arg-type]
              for key in ("wall_s", "cpu_s", "peak_rss_mb")}
    print(f"ratio harness/duckdb: wall {ratios['wall_s']:.2f}x, CPU {ratios['cpu_s']:.2f}x, "
          f"peak memory {ratios['peak_rss_mb']:.2f}x")
    print(f"harness: users {harness['users']}, conversion {harness['conversion']}, "
          f"health_error {harness['health_error']}, views {harness['views_mean']}, "
          f"duration median {harness['duration_median_s']}")
    print(f"duckdb : {duck['rows']}")
    print(f"harness decisions: {harness['decisions']}")
    ok = float(harness["wall_s"]) < 10 and float(harness["peak_rss_mb"]) < 3072  # type: ignore[arg-type]
    print(f"targets (< 10 s, < 3 GB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
