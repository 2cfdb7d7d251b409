"""A real Prometheus server for the demo and the tests, and one-number PromQL queries of any
Prometheus over its HTTP API.

`start_prometheus(workdir, targets, scrape_interval_s)` runs Debian's `prometheus` binary (or the
one on PATH; the log line and `.binary`/`.version` say which) on 127.0.0.1 with a free port,
its configuration and time-series database inside `workdir` (the run directory), in a process
group of its own; it returns once `/-/ready` answers. `.stop()` sends SIGTERM, then SIGKILL to
the group, so no Prometheus outlives the watch.

`query(url, promql, at, timeout_s)` asks an instant query and returns one number or says why
not: several series (the escort asks for one number per quantity), NaN (a ratio or quantile
over no traffic: no data), +Inf or a negative number (not a count or a duration), an error from
Prometheus, or Prometheus unreachable (the URL is named, its password masked). It never raises
for any of those: the collector turns each into a sample the judge reads as INCONCLUSIVE.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from harness.errors import ConfigError, ToolError
from harness.secret import mask_text

log = logging.getLogger("harness_watch.prometheus")
DEBIAN_BINARY = "/usr/bin/prometheus"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
# a 72-hour escort's data must outlive the watch by a margin (Prometheus's default is 15 days)
RETENTION = "5d"


def find_binary(binary: str | None = None) -> str:
    """The Prometheus server to run: `binary` if given, else `prometheus` on PATH, else Debian's
    /usr/bin/prometheus. Raises ToolError naming how to install it."""
    candidates = (binary,) if binary else (shutil.which("prometheus"), DEBIAN_BINARY)
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and os.path.isfile(candidate):
            return candidate
    wanted = binary or "prometheus"
    raise ToolError(f"the Prometheus server {wanted!r} is not installed: run "
                    "`apt-get install -y prometheus` (Debian's package, as scripts/setup.sh does) "
                    "or put a `prometheus` binary on PATH")


def binary_version(binary: str) -> str:
    """The first line of `prometheus --version` (empty if it cannot be read)."""
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def duration(seconds: float) -> str:
    """`seconds` as a Prometheus/PromQL duration: whole milliseconds, in the largest unit that
    divides it exactly (900 -> "15m", 1.5 -> "1500ms")."""
    ms = round(seconds * 1000)
    if ms <= 0:
        raise ConfigError(f"a duration must be positive, got {seconds!r} s")
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _target(target: str) -> tuple[str, str, str]:
    """(scheme, host:port, metrics path) of "127.0.0.1:8000" or "http://127.0.0.1:8000/metrics"."""
    parts = urlsplit(target if "://" in target else "http://" + target)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.port is None:
        raise ConfigError(f"scrape target {mask_text(target)!r} is not HOST:PORT or an http(s) "
                          "URL with a port")
    return parts.scheme, parts.netloc, parts.path or "/metrics"


def config_text(targets: Sequence[str], scrape_interval_s: float) -> str:
    """prometheus.yml (YAML is a superset of JSON: written as JSON, no YAML library needed)."""
    import json

    if not targets:
        raise ConfigError("Prometheus needs at least one scrape target")
    interval = duration(scrape_interval_s)
    timeout = duration(min(scrape_interval_s, 10.0))
    groups: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        scheme, netloc, path = _target(target)
        groups.setdefault((scheme, path), []).append(netloc)
    jobs = [{"job_name": f"store-{index}" if index else "store", "scheme": scheme,
             "metrics_path": path, "static_configs": [{"targets": netlocs}]}
            for index, ((scheme, path), netlocs) in enumerate(groups.items())]
    config = {"global": {"scrape_interval": interval, "scrape_timeout": timeout,
                         "evaluation_interval": interval},
              "scrape_configs": jobs}
    return json.dumps(config, indent=2) + "\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrometheusServer:
    """A Prometheus process started by `start_prometheus`: `.url`, `.stop()`, a context manager."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, workdir: Path, binary: str,
                 version: str) -> None:
        self.process = process
        self.url = url
        self.workdir = workdir
        self.binary = binary
        self.version = version
        self.log_path = workdir / "prometheus.log"

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """SIGTERM (Prometheus flushes its head block), then SIGKILL to the whole group."""
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("Prometheus (pid %s) ignored SIGTERM for %s s: killing it",
                            self.process.pid, timeout_s)
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        return int(self.process.returncode or 0)

    def wait_scraped(self, timeout_s: float = 30.0) -> str:
        """Wait until every target has been scraped once (Prometheus starts scraping up to ~5 s
        after it is ready): '' when all answered, else what the ones that did not said."""
        deadline = time.monotonic() + timeout_s
        problem = "no answer from /api/v1/targets"
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                try:
                    targets = client.get(self.url + "/api/v1/targets").json()["data"]
                    active = targets["activeTargets"]
                    down = [f"{t['scrapeUrl']}: {t['health']} {t['lastError']}".strip()
                            for t in active if t["health"] != "up"]
                    if active and not down:
                        return ""
                    problem = "; ".join(down) or "no active targets yet"
                    if active and all(t["health"] != "unknown" for t in active):
                        return f"not every target could be scraped: {mask_text(problem)}"
                except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                    problem = f"targets unreadable: {exc}"
                time.sleep(0.2)
        return f"not every target scraped after {timeout_s:g} s: {mask_text(problem)}"

    def __enter__(self) -> PrometheusServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def start_prometheus(workdir: Path, targets: Sequence[str], scrape_interval_s: float = 15,
                     binary: str | None = None,
                     ready_timeout_s: float = READY_TIMEOUT_S) -> PrometheusServer:
    """Start Prometheus scraping `targets` every `scrape_interval_s`, config and data in
    `workdir`, listening on 127.0.0.1 (a free port); return once it is ready.
    Raises ConfigError for bad targets, ToolError when it is missing or does not come up."""
    executable = find_binary(binary)
    version = binary_version(executable)
    workdir = Path(workdir)
    (workdir / "prometheus-data").mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    config.write_text(config_text(targets, scrape_interval_s), encoding="utf-8")
    last_error = ""
    for _attempt in range(3):  # the free port may be taken between our probe and its bind
        port = _free_port()
        cmd = [executable, f"--config.file={config}",
               f"--storage.tsdb.path={workdir / 'prometheus-data'}",
               f"--storage.tsdb.retention.time={RETENTION}",
               f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]
        with open(workdir / "prometheus.log", "ab") as log_file:
            process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        server = PrometheusServer(process, f"http://127.0.0.1:{port}", workdir, executable,
                                  version)
        try:
            last_error = _wait_ready(server, ready_timeout_s)
        except BaseException:
            server.stop()
            raise
        if not last_error:
            log.info("Prometheus %s (%s) on %s, scraping %s every %s, data in %s", executable,
                     version or "version unknown", server.url, ", ".join(targets),
                     duration(scrape_interval_s), workdir / "prometheus-data")
            return server
        server.stop()
        if "address already in use" not in last_error:
            break
    raise ToolError(f"Prometheus ({executable}) did not start: {last_error}")


def _wait_ready(server: PrometheusServer, timeout_s: float) -> str:
    """'' once /-/ready answers 200; else why not (its exit and log tail, or the timeout)."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                return f"it exited with {server.process.returncode}: {_tail(server.log_path)}"
            try:
                if client.get(server.url + "/-/ready").status_code == 200:
                    return ""
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    return f"not ready after {timeout_s:g} s: {_tail(server.log_path)}"


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:].strip()
    except OSError:
        return "(no log)"


# --- queries -------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueryResult:
    """One number from an instant query, or why there is none.

    value None + error None: no data (no series, or NaN; `note` says which).
    error set: the query could not be answered as one number (value is None)."""

    value: float | None
    series: int
    error: str | None = None
    note: str | None = None


def query(url: str, promql: str, at: float | None = None, timeout_s: float = 10.0,
          client: httpx.Client | None = None) -> QueryResult:
    """Ask Prometheus at `url` the instant query `promql` at UNIX time `at` (now if None)."""
    params: dict[str, str] = {"query": promql}
    if at is not None:
        params["time"] = f"{at:.3f}"
    endpoint = url.rstrip("/") + "/api/v1/query"
    where = mask_text(url)
    try:
        if client is None:
            with httpx.Client(trust_env=False) as own:
                response = own.get(endpoint, params=params, timeout=timeout_s)
        else:
            response = client.get(endpoint, params=params, timeout=timeout_s)
    except httpx.TimeoutException:
        return QueryResult(None, 0, f"Prometheus at {where} did not answer within {timeout_s:g} s")
    except httpx.HTTPError as exc:
        reason = mask_text(str(exc)) or type(exc).__name__
        return QueryResult(None, 0, f"Prometheus at {where} is unreachable: {reason}")
    return _result(response, where)


def _result(response: httpx.Response, where: str) -> QueryResult:
    try:
        body: Any = response.json()
    except ValueError:
        return QueryResult(None, 0, f"Prometheus at {where} answered HTTP "
                                    f"{response.status_code} without JSON")
    if not isinstance(body, dict):
        return QueryResult(None, 0, f"Prometheus at {where} answered an unexpected JSON body")
    if body.get("status") != "success":
        kind, error = body.get("errorType", "error"), body.get("error", "no reason given")
        return QueryResult(None, 0, f"Prometheus at {where} refused the query "
                                    f"(HTTP {response.status_code}, {kind}): {error}")
    data = body.get("data")
    if not isinstance(data, dict):
        return QueryResult(None, 0, f"Prometheus at {where} answered without data")
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return _number(result, 1)
    if kind != "vector" or not isinstance(result, list):
        return QueryResult(None, 0, f"query returned a {kind} result; the escort needs an "
                                    "instant vector with one series, or a scalar")
    if not result:
        return QueryResult(None, 0, note="the query returned no series: no data")
    if len(result) > 1:
        return QueryResult(None, len(result), f"query returned {len(result)} series, expected "
                                              "one (aggregate it, e.g. with sum(...))")
    item = result[0]
    return _number(item.get("value") if isinstance(item, dict) else None, 1)


def _number(pair: Any, series: int) -> QueryResult:
    try:
        value = float(pair[1])
    except (TypeError, ValueError, IndexError, KeyError):
        return QueryResult(None, 0, f"query returned a malformed sample {pair!r}")
    if math.isnan(value):
        return QueryResult(None, 0, note="the query returned NaN (a ratio or quantile over no "
                                         "traffic): no data")
    if math.isinf(value):
        return QueryResult(None, 0, f"query returned {value} (for a quantile: above the "
                                    "histogram's highest finite bucket), not a number to judge")
    if value < 0:
        return QueryResult(None, 0, f"query returned {value:g}; counts and durations are never "
                                    "negative")
    return QueryResult(value, series)
