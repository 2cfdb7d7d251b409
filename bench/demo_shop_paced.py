"""The paced client of bench/bench_demo_shop.py --paced (also used by bench/bench_escort.py):
what a load test does to the demo shop. Many keep-alive connections, each sending one journey
request now and then, against the shop of a source tree (this checkout, or a git revision
exported to a temporary directory), the server CPU per request read from /proc."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness_demo_shop.idcard import make_id_number  # noqa: E402


class Target:
    """A running server: its URLs, the pids that do the work, and how to stop it."""

    def __init__(self, name: str, urls: list[str], pids: list[int], stop: Any) -> None:
        self.name, self.urls, self.pids, self.stop = name, urls, pids, stop


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# --- paced journeys (runs in a client process) ----------------------------------------------
HEALTH_BODY = '{"answers":{"q1":"no","q2":"no","q3":"no","q4":"no"}}'


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str,
                body: str) -> tuple[int, bytes]:
    raw = body.encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(raw)}\r\n\r\n".encode() + raw)
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"content-length: *(\d+)", head, re.I)
    return int(head[9:12]), await reader.readexactly(int(length.group(1)) if length else 0)


async def _journeys(host: str, port: int, mean_pause_s: float, until: float, window: list[float],
                    counts: dict[str, int], number: int) -> None:
    """One buyer on one connection: journey after journey, a random pause before each call."""
    loop = asyncio.get_running_loop()
    reader, writer = await asyncio.open_connection(host, port)
    application = json.dumps({"applicant_name": "张三", "insured_name": "张三", "consent": True,
                              "id_number": make_id_number(date(1990, 5, 17)),
                              "phone": "13800138000"}, ensure_ascii=False)
    rng = random.Random(number)
    product = ("travel", "medical", "accident")[number % 3]
    try:
        while loop.time() < until:
            await asyncio.sleep(rng.uniform(0, 2 * mean_pause_s))
            visitor = f"paced-{number}-{rng.getrandbits(32)}"
            calls = [("/api/journeys", f'{{"product":"{product}","visitor_id":"{visitor}"}}')]
            while calls and loop.time() < until:
                path, body = calls.pop()
                status, answer = await _post(reader, writer, path, body)
                if window[0] <= time.time() <= window[1]:
                    counts["requests"] += 1
                    counts["non_2xx"] += int(status >= 300)
                nxt = re.search(rb'"next":"([a-z0-9-]+)"', answer)
                jid = re.search(rb'"journey_id":"(j[0-9a-f]+)"', answer)
                if status >= 300 or not nxt or not jid:
                    break
                step, base = nxt.group(1).decode(), f"/api/journeys/{jid.group(1).decode()}/"
                body = {"health": HEALTH_BODY, "application": application}.get(step, "{}")
                if step == "confirm":
                    fen = re.search(rb'"premium_fen":(\d+)', answer)
                    step, body = "pay", (f'{{"idempotency_key":"k-{visitor}","amount_fen":'
                                         f'{fen.group(1).decode() if fen else 0}}}')
                calls.append((base + step, body))
                if calls:
                    await asyncio.sleep(rng.uniform(0, 2 * mean_pause_s))
    finally:
        writer.close()


def paced_in_process(url: str, connections: int, rate: float, start_at: float,
                     window: list[float]) -> dict[str, int]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host, port = url.removeprefix("http://").rsplit(":", 1)
    counts = {"requests": 0, "non_2xx": 0}

    async def run() -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + window[1] - time.time() + 0.5
        users = [_journeys(host, int(port), connections / rate, until, window, counts, n)
                 for n in range(connections)]
        await asyncio.gather(*users)

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    time.sleep(max(0.0, start_at - time.time()))
    asyncio.run(run())
    return counts


def start_tree(root: Path, db_url: str, workers: int, name: str) -> Target:
    """`python -m harness_demo_shop.server` of the code under `root` (another git revision)."""
    ready = Path(db_url.removeprefix("sqlite:///") + ".ready.json")
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, "-m", "harness_demo_shop.server", "--port", "0",
           "--workers", str(workers),
           "--db", db_url, "--ready-file", str(ready)]
    proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    record = json.loads(ready.read_text())
    for _ in range(4 * workers):
        httpx.get(record["urls"][0] + "/healthz", timeout=5)

    def stop() -> None:
        proc.terminate()
        proc.wait(15)

    return Target(name, record["urls"], record["worker_pids"], stop)


def paced(target: Target, connections: int, rate: float, warmup_s: float,
          measure_s: float) -> dict[str, Any]:
    start_at = time.time() + 0.5
    window = [start_at + warmup_s, start_at + warmup_s + measure_s]
    with ProcessPoolExecutor(1) as pool:
        job = pool.submit(paced_in_process, target.urls[0], connections, rate, start_at, window)
        time.sleep(max(0.0, window[0] - time.time()))
        before = cpu_seconds(target.pids)
        time.sleep(max(0.0, window[1] - time.time()))
        cpu_s = cpu_seconds(target.pids) - before
        counts = job.result()
    return counts | {"rps": counts["requests"] / measure_s,
                     "cpu_us_per_request": 1e6 * cpu_s / max(counts["requests"], 1)}


def paced_rounds(args: argparse.Namespace, tmp: str) -> dict[str, dict[str, Any]]:
    """This checkout and git `args.baseline` in turns; the median of each one's rounds."""
    base = Path(tmp) / "baseline"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    trees = {"this checkout": ROOT, f"git {args.baseline}": base}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for index in range(args.rounds):
        for name, root in trees.items():
            db_url = f"sqlite:///{tmp}/paced-{index}-{root.name}.db"
            target = start_tree(root, db_url, args.workers, name)
            try:
                runs[name].append(paced(target, args.paced_connections, args.rate,
                                        args.warmup_s, args.measure_s))
            finally:
                target.stop()
            print(f"  round {index + 1} {name}: {runs[name][-1]}", flush=True)
    return {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            for name, rows in runs.items()}
