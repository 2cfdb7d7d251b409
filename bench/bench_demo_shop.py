"""Benchmark: the demo shop as `harness demo-shop` serves it (forked workers on pre-bound
sockets) next to a stock one-process uvicorn serving the same app, in the same run.

    .venv/bin/python bench/bench_demo_shop.py [--workers 2] [--duration-s 8] [--connections 64]
                                              [--hold 36000] [--hold-s 5] [--skip-hold]

1. Throughput: wrk (Debian package `wrk`) walks whole purchase journeys over the JSON API with
   keep-alive (start, notice, health for medical, application, pay; a Lua script queues each
   journey's next call from the previous answer). Prints requests/s, journeys paid, non-2xx
   answers and server CPU per request.
2. Connections: two client processes open up to --hold keep-alive connections (split over two
   source and, for the shop, two destination addresses), ask /healthz once on each, wait
   --hold-s seconds and ask again; a connection counts as held when both answers came back.

Loopback only, bounded (about 1.5 minutes). Ratios are shop / plain uvicorn. The plain
uvicorn gets the same 75 s keep-alive, so the hold phase compares process count and open-file
limits, not timeouts.

    .venv/bin/python bench/bench_demo_shop.py --paced [--baseline REF] [--rate 500]
                                              [--paced-connections 1500] [--rounds 2]

3. Paced (instead of 1 and 2): what a load test does to the shop. Many keep-alive connections,
   each sending one journey request now and then (--rate requests/s in all), so nearly every
   request arrives alone. The shop of this checkout and the shop of git REF (default HEAD; the
   committed code, exported to a temporary directory) take turns, --rounds times each, and the
   server CPU per request is printed with the ratio this checkout / REF.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo_shop_paced import Target, cpu_seconds, paced_rounds  # noqa: E402

from harness_demo_shop.idcard import make_id_number  # noqa: E402
from harness_demo_shop.server import start_in_background  # noqa: E402

LUA = r"""
local queue = {}
started, paid, failed = 0, 0, 0
local products = {"travel", "medical", "accident"}
local json = {["Content-Type"] = "application/json"}
local threads, thread_no = {}, 0
local application = '{"applicant_name":"张三","insured_name":"张三","id_number":"ID",' ..
  '"phone":"13800138000","consent":true}'
local health = '{"answers":{"q1":"no","q2":"no","q3":"no","q4":"no"}}'

function setup(thread)
  thread_no = thread_no + 1
  thread:set("tag", "t" .. thread_no)
  table.insert(threads, thread)
end

function init(args) application = application:gsub("ID", args[1] or "") end

function request()
  local item = table.remove(queue)
  if item then return item end
  started = started + 1
  local body = '{"product":"' .. products[started % 3 + 1] .. '","visitor_id":"' .. tag ..
    "-" .. started .. '"}'
  return wrk.format("POST", "/api/journeys", json, body)
end

function response(status, headers, body)
  if status >= 400 then failed = failed + 1 return end
  if body:find('"payment_id"', 1, true) then paid = paid + 1 return end
  local jid = body:match('"journey_id":"(j%x+)"')
  local nxt = body:match('"next":"([%w-]+)"')
  if not jid or not nxt then failed = failed + 1 return end
  local path = "/api/journeys/" .. jid .. "/"
  if nxt == "notice" then table.insert(queue, wrk.format("POST", path .. "notice", json, "{}"))
  elseif nxt == "health" then
    table.insert(queue, wrk.format("POST", path .. "health", json, health))
  elseif nxt == "application" then
    table.insert(queue, wrk.format("POST", path .. "application", json, application))
  elseif nxt == "confirm" then
    local pay = '{"idempotency_key":"k-' .. jid .. '","amount_fen":' ..
      body:match('"premium_fen":(%d+)') .. '}'
    table.insert(queue, wrk.format("POST", path .. "pay", json, pay))
  else failed = failed + 1 end
end

function done(summary, latency, requests)
  local p, f = 0, 0
  for _, t in ipairs(threads) do p = p + t:get("paid"); f = f + t:get("failed") end
  io.write(string.format("JOURNEYS_PAID %d\nJOURNEY_FAILURES %d\n", p, f))
  io.write(string.format("LATENCY_P50_MS %.2f\nLATENCY_P99_MS %.2f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def start_shop(db_url: str, workers: int) -> Target:
    handle = start_in_background(workers=workers, db_url=db_url, listen=["127.0.0.2:0"])
    return Target(f"harness demo-shop --workers {workers}", handle.urls, handle.worker_pids,
                  handle.stop)


def start_plain(db_url: str) -> Target:
    """Stock uvicorn, one process, default options but the shop's 75 s keep-alive (with the
    default 5 s every idle connection is gone before the hold phase asks again), on a socket we
    bound (port 0)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    env = dict(os.environ, HARNESS_DEMO_SHOP_DB=db_url, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "uvicorn", "--factory",
           "harness_demo_shop.asgi:create_app_from_environment", "--fd", str(sock.fileno()),
           "--timeout-keep-alive", "75", "--no-access-log", "--log-level", "error"]
    proc = subprocess.Popen(cmd, env=env, pass_fds=[sock.fileno()], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    sock.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    return Target("uvicorn (1 process, keep-alive 75s)", [url], [proc.pid], stop)


def throughput(target: Target, lua: Path, duration_s: int, connections: int) -> dict[str, Any]:
    id_number = make_id_number(date(1990, 5, 17))
    before = cpu_seconds(target.pids)
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration_s}s", "-s", str(lua),
                           target.urls[0], "--", id_number], capture_output=True, text=True,
                          check=True)
    cpu_s = cpu_seconds(target.pids) - before
    out = done.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def number(key: str) -> float:
        return float(re.search(rf"{key}\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    return {"rps": number("Requests/sec:"), "requests": requests,
            "paid": int(number("JOURNEYS_PAID")), "failed": int(number("JOURNEY_FAILURES")),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "p50_ms": number("LATENCY_P50_MS"), "p99_ms": number("LATENCY_P99_MS"),
            "cpu_us_per_request": 1e6 * cpu_s / max(requests, 1)}


# --- connection holding (runs in client processes) -----------------------------------------
async def _ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> bool:
    writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"content-length: *(\d+)", head, re.I)
    await reader.readexactly(int(length.group(1)) if length else 0)
    return head.startswith(b"HTTP/1.1 200")


IP_BIND_ADDRESS_NO_PORT = 24  # Linux: pick the source port at connect(), not by a bind() search


KEEP_SOCKETS: list[socket.socket] = []  # uvloop transports do not own a passed socket object


async def _connect(source: str, host: str, port: int) -> tuple[Any, Any]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((source, 0))
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
    except BaseException:
        sock.close()
        raise
    KEEP_SOCKETS.append(sock)  # else garbage collection closes the fd under the transport
    return await asyncio.open_connection(sock=sock)


async def _hold(source: str, host: str, port: int, count: int, hold_s: float) -> dict[str, int]:
    gate = asyncio.Semaphore(1000)
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def open_one() -> None:
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(_connect(source, host, port), 15)
                if await asyncio.wait_for(_ask(reader, writer, host), 15):
                    streams.append((reader, writer))
                else:
                    writer.close()
            except (TimeoutError, OSError, RuntimeError, asyncio.IncompleteReadError):
                pass  # not opened: counted by its absence

    await asyncio.gather(*(open_one() for _ in range(count)))
    opened = len(streams)
    await asyncio.sleep(hold_s)

    async def again(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            return await asyncio.wait_for(_ask(reader, writer, host), 15)
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            return False

    held = sum(await asyncio.gather(*(again(r, w) for r, w in streams)))
    for _, writer in streams:
        writer.close()
    return {"opened": opened, "held": held}


def hold_in_process(source: str, host: str, port: int, count: int,
                    hold_s: float) -> dict[str, int]:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    return asyncio.run(_hold(source, host, port, count, hold_s))


def hold(target: Target, total: int, hold_s: float) -> dict[str, int]:
    per_client = total // 2
    jobs = []
    for index in range(2):
        url = target.urls[index % len(target.urls)]
        host, port = url.removeprefix("http://").rsplit(":", 1)
        jobs.append((f"127.0.0.{10 + index}", host, int(port), per_client, hold_s))
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(hold_in_process, *zip(*jobs, strict=True)))
    return {k: sum(r[k] for r in results) for k in ("opened", "held")}


def report(rows: dict[str, dict[str, Any]], keys: list[tuple[str, str]]) -> None:
    names = list(rows)
    print(f"  {'':28}" + "".join(f"{n:>38}" for n in names) + f"{'ratio':>10}")
    for key, label in keys:
        values = [rows[n][key] for n in names]
        ratio = f"{values[0] / values[1]:.2f}" if values[1] else "-"
        cells = "".join(f"{v:>38,.1f}" if isinstance(v, float) else f"{v:>38,}" for v in values)
        print(f"  {label:28}{cells}{ratio:>10}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration-s", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--hold", type=int, default=36_000)
    parser.add_argument("--hold-s", type=float, default=5.0)
    parser.add_argument("--skip-hold", action="store_true")
    parser.add_argument("--paced", action="store_true", help="paced mode (see above)")
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with")
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--paced-connections", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--warmup-s", type=float, default=8.0)
    parser.add_argument("--measure-s", type=float, default=20.0)
    args = parser.parse_args()
    if args.paced:
        with tempfile.TemporaryDirectory(prefix="bench-shop-") as tmp:
            rows = paced_rounds(args, tmp)
        print(f"\npaced journeys: {args.paced_connections} keep-alive connections, "
              f"{args.rate:g} requests/s in all, median of {args.rounds} rounds")
        report(rows, [("rps", "requests/s"), ("non_2xx", "non-2xx answers"),
                      ("cpu_us_per_request", "server CPU us/request")])
        return 0
    if shutil.which("wrk") is None:
        print("bench: wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
          f"open files soft/hard {resource.getrlimit(resource.RLIMIT_NOFILE)}")
    with tempfile.TemporaryDirectory(prefix="bench-shop-") as tmp:
        lua = Path(tmp) / "journey.lua"
        lua.write_text(LUA, encoding="utf-8")
        starters = [lambda db: start_shop(db, args.workers), start_plain]
        rates: dict[str, dict[str, Any]] = {}
        holds: dict[str, dict[str, Any]] = {}
        for index, start in enumerate(starters):
            target = start(f"sqlite:///{tmp}/shop{index}.db")
            try:
                rates[target.name] = throughput(target, lua, args.duration_s, args.connections)
                if not args.skip_hold:
                    started = time.monotonic()
                    holds[target.name] = hold(target, args.hold, args.hold_s)
                    holds[target.name]["seconds"] = round(time.monotonic() - started, 1)
            finally:
                target.stop()
    print(f"\npurchase journeys over the JSON API, wrk -t2 -c{args.connections} "
          f"-d{args.duration_s}s, keep-alive")
    report(rates, [("rps", "requests/s"), ("paid", "journeys paid"),
                   ("failed", "journey failures"), ("non_2xx", "non-2xx answers"),
                   ("p50_ms", "latency p50 ms"), ("p99_ms", "latency p99 ms"),
                   ("cpu_us_per_request", "server CPU us/request")])
    if holds:
        print(f"\nkeep-alive connections held ({args.hold:,} attempted, {args.hold_s:g} s hold)")
        report(holds, [("opened", "opened + answered"), ("held", "still answering"),
                       ("seconds", "phase seconds")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
