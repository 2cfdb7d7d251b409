"""Generator-health evidence: is the load generator itself measuring, or is it the bottleneck?

Every process that runs users (a worker, or the single local process) samples itself every
`HARNESS_LOAD_SAMPLE_S` seconds: CPU percent (psutil, finer than Locust's 10-second sample),
event-loop lag (a greenlet measuring how late its own short sleeps wake up), garbage-collection
pauses (harness_load/gcpause.py), users, open file descriptors and client socket errors by errno;
it sends the sample to the master as a Locust message. The master (or local process) writes one
line per interval to `raw/load/generator.jsonl` with planned vs actual users, planned vs
achieved requests/s, per-worker health and missing workers, and the phase plan to
`raw/load/phases.json`. Nothing is judged here.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from harness_load import api
from harness_load.gcpause import GcPauses, freeze
from harness_load.measured_plan import MeasuredPlan
from harness_load.profiles import Profile
from harness_load.socket_errors import classify_socket_error

MESSAGE = "harness_health"
LAG_PROBE_S = 0.05
STOP_SLACK_S = 3.0


class LagMeter:
    """Event-loop lag: how much later than asked a short gevent.sleep returns (ms)."""

    def __init__(self) -> None:
        self.samples_ms: list[float] = []
        self.pending_since = time.perf_counter()

    def run(self) -> None:
        while True:
            self.pending_since = time.perf_counter()
            gevent.sleep(LAG_PROBE_S)
            late_s = time.perf_counter() - self.pending_since - LAG_PROBE_S
            self.samples_ms.append(max(0.0, late_s * 1000.0))

    def drain(self) -> dict[str, float]:
        samples, self.samples_ms = self.samples_ms, []
        if not samples:  # the probe has not woken up for the whole interval: that is lag too
            late_ms = (time.perf_counter() - self.pending_since - LAG_PROBE_S) * 1000.0
            samples = [max(0.0, late_ms)]
        samples.sort()
        return {"loop_lag_ms_max": round(samples[-1], 2),
                "loop_lag_ms_p95": round(samples[int(0.95 * (len(samples) - 1))], 2),
                "loop_lag_ms_mean": round(sum(samples) / len(samples), 2)}


class NodeSampler:
    """Runs in each process that has users; sends its health to the master every interval."""

    def __init__(self, environment: Environment, interval_s: float) -> None:
        self.environment = environment
        self.interval_s = interval_s
        self.socket_errors: Counter[str] = Counter()
        self.requests_total = 0
        self.response_ms_total = 0.0
        self.lag = LagMeter()
        self.gc = GcPauses().install()
        # freeze what is alive after every sample, so a full collection walks only what the
        # last interval made (HARNESS_LOAD_GC_FREEZE=0 leaves CPython's collector as it is)
        self.gc_freeze = os.environ.get("HARNESS_LOAD_GC_FREEZE", "1") != "0"
        self.process = psutil.Process()
        self.process.cpu_percent(None)
        environment.events.request.add_listener(self.on_request)

    def on_request(self, request_type: str = "", response_time: float | None = None,
                   exception: BaseException | None = None, **_: Any) -> None:
        if request_type == "JOURNEY":  # the whole-purchase timing is not an HTTP request
            return
        self.requests_total += 1
        self.response_ms_total += response_time or 0.0
        if exception is not None:
            kind = classify_socket_error(exception)
            if kind:
                self.socket_errors[kind] += 1

    def start(self) -> None:
        gevent.spawn(self.lag.run)
        gevent.spawn(self._loop)

    def _loop(self) -> None:
        while True:
            gevent.sleep(self.interval_s)
            runner = self.environment.runner
            if runner is None:
                continue
            cycles, think_s = api.cycle_totals()
            sample = {"sampled_at": round(time.time(), 3),
                      # a user's own locustfile: task cycles and think seconds asked for,
                      # from which the master plans the closed-loop rate (measured_plan.py)
                      "cycles_total": cycles, "think_s_total": round(think_s, 3),
                      "requests_total": self.requests_total,
                      "response_ms_total": round(self.response_ms_total, 3),
                      "cpu_percent": _measure(lambda: self.process.cpu_percent(None)),
                      # cumulative CPU seconds and resident memory: CPU per request and
                      # memory per user of the generator itself (bench/bench_load.py)
                      "cpu_s_total": _measure(self._cpu_s),
                      "rss_bytes": _measure(lambda: self.process.memory_info().rss),
                      "users": runner.user_count,
                      "open_fds": _measure(self.process.num_fds),
                      "socket_errors": dict(self.socket_errors), **self.lag.drain(),
                      **self.gc.drain()}
            if self.gc_freeze:
                sample["gc_frozen"] = freeze()
            runner.send_message(MESSAGE, sample)


    def _cpu_s(self) -> float:
        times = self.process.cpu_times()
        return round(times.user + times.system, 3)


def _measure(read: Callable[[], float]) -> float | None:
    """psutil reads /proc: out of file descriptors (EMFILE) it fails, and the sample must
    still go out, since the socket errors it carries are the point then."""
    try:
        return read()
    except (OSError, psutil.Error):
        return None


class HealthWriter:
    """Runs on the master (or the local runner): one generator.jsonl line per interval."""

    def __init__(self, environment: Environment, profile: Profile, load_dir: Path,
                 interval_s: float, workers_expected: int, measure_plan: bool = False) -> None:
        self.environment = environment
        # the user's own locustfile: requests and think time per cycle measured, not assumed
        self.measured = MeasuredPlan(profile) if measure_plan else None
        self.profile = profile
        self.load_dir = load_dir
        self.interval_s = interval_s
        self.workers_expected = workers_expected
        self.nodes: dict[str, dict[str, Any]] = {}
        self.started_at: float | None = None
        self._last: tuple[float, int, float] | None = None
        self._greenlet: gevent.Greenlet[Any, Any] | None = None
        self._snapshots: list[gevent.Greenlet[Any, Any]] = []

    def on_message(self, environment: Environment, msg: Any, **_: Any) -> None:
        now = time.time()
        self.nodes[str(msg.node_id)] = dict(msg.data, received_at=now)
        if self.measured is not None and self.started_at is not None:
            self.measured.add(str(msg.node_id), now - self.started_at, msg.data)

    def _plan_record(self) -> dict[str, Any]:
        record = dict(self.profile.to_record(), started_at=self.started_at,
                      workers_expected=self.workers_expected)
        if self.measured is not None:
            record.update(self.measured.to_record())
        return record

    def on_test_start(self, **_: Any) -> None:
        if self.started_at is not None:
            return
        self.started_at = time.time()
        self.load_dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.load_dir / "phases.json", self._plan_record())
        self._greenlet = gevent.spawn(self._loop)
        self.write_snapshot(None)
        self._snapshots = [gevent.spawn_later(p.end_s, self.write_snapshot, p.name)
                           for p in self.profile.phases]

    def on_test_stop(self, **_: Any) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
            self._greenlet = None
            self.write_line(final=True)
            for pending in self._snapshots:
                pending.kill(block=False)
            self._write_ended_phases()
            self.write_snapshot("final")

    def _write_ended_phases(self) -> None:
        """The shape stops the test the moment its last phase ends, which can beat that phase's
        own timer (a busy master runs it late): a phase that ended, or ends within the stats
        report interval, and has no snapshot yet gets one now, before the final one."""
        assert self.started_at is not None
        t_s = time.time() - self.started_at
        done = set()
        path = self.load_dir / "phase_stats.jsonl"
        if path.is_file():
            done = {json.loads(line).get("ended") for line in
                    path.read_text(encoding="utf-8").splitlines() if line.strip()}
        for phase in self.profile.phases:
            if phase.name not in done and phase.end_s <= t_s + STOP_SLACK_S:
                self.write_snapshot(phase.name)

    def write_snapshot(self, ended: str | None) -> None:
        """Cumulative per-request histograms at a phase boundary (phase_stats.jsonl), so the
        judge can compute a phase's own percentiles and error ratio by subtraction. Boundaries
        are as exact as the workers' 3-second stats reports to the master."""
        assert self.started_at is not None
        entries = {e.name: {"method": e.method, "num_requests": e.num_requests,
                            "num_failures": e.num_failures,
                            "response_times": {str(k): v for k, v in e.response_times.items()}}
                   for e in self.environment.stats.entries.values()}
        line = {"t_s": round(time.time() - self.started_at, 3), "ended": ended,
                "entries": entries}
        with (self.load_dir / "phase_stats.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")

    def _loop(self) -> None:
        while True:
            gevent.sleep(self.interval_s)
            self.write_line()

    def write_line(self, final: bool = False) -> None:
        assert self.started_at is not None
        now = time.time()
        t_s = now - self.started_at
        requests, failures, response_ms_sum = self._request_totals()
        rps, avg_ms = self._rates(now, requests, response_ms_sum)
        phase = self.profile.phase_at(t_s)
        planned = self.profile.planned_users_at(t_s)
        workers = self._workers(now)
        line = {
            "ts": round(now, 3), "t_s": round(t_s, 3), "final": final,
            "phase": phase.name if phase else None, "phase_kind": phase.kind if phase else None,
            "users_planned": planned, "users_actual": self._user_count(),
            "requests_total": requests, "failures_total": failures,
            "rps_achieved": round(rps, 3), "avg_response_ms": round(avg_ms, 3),
            "rps_planned": round(self._planned_rps(planned, avg_ms / 1000.0), 3),
            "workers_expected": self.workers_expected, "workers": workers,
            "workers_missing": sum(1 for w in workers if w["state"] == "missing"),
            "socket_errors": dict(sum((Counter(w.get("socket_errors") or {}) for w in workers),
                                      Counter())),
        }
        with (self.load_dir / "generator.jsonl").open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, allow_nan=False) + "\n")
        if self.measured is not None:  # the plan so far: a run cut short keeps a real one
            write_json_atomic(self.load_dir / "phases.json", self._plan_record())

    def _planned_rps(self, users: int, avg_response_s: float) -> float:
        if self.measured is None:
            return self.profile.planned_rps(users, avg_response_s)
        return self.measured.planned_rps(users, avg_response_s)

    def _request_totals(self) -> tuple[int, int, float]:
        """HTTP requests counted by the workers themselves (exact, timestamped per worker; the
        master's own stats arrive in 3-second lumps); failures from the master's stats."""
        requests = sum(int(n.get("requests_total", 0)) for n in self.nodes.values())
        response_ms = sum(float(n.get("response_ms_total", 0.0)) for n in self.nodes.values())
        failures = sum(e.num_failures for e in self.environment.stats.entries.values()
                       if e.method != "JOURNEY")
        return requests, failures, response_ms

    def _rates(self, now: float, requests: int, response_ms: float) -> tuple[float, float]:
        last, self._last = self._last, (now, requests, response_ms)
        if last is None:
            last = (self.started_at or now, 0, 0.0)
        dt, dn = now - last[0], requests - last[1]
        rps = dn / dt if dt > 0 else 0.0
        avg_ms = (response_ms - last[2]) / dn if dn > 0 else 0.0
        return rps, avg_ms

    def _user_count(self) -> int:
        runner = self.environment.runner
        return int(runner.user_count) if runner is not None else 0

    def _workers(self, now: float) -> list[dict[str, Any]]:
        runner = self.environment.runner
        out: list[dict[str, Any]] = []
        if isinstance(runner, MasterRunner):
            for node_id, node in runner.clients.items():
                sample = self.nodes.get(node_id, {})
                out.append(dict(sample, id=node_id, state=str(node.state),
                                users=node.user_count, locust_cpu_percent=node.cpu_usage,
                                sample_age_s=round(now - sample.get("received_at", now), 3)))
        elif "local" in self.nodes:
            sample = self.nodes["local"]
            out.append(dict(sample, id="local", state="running",
                            sample_age_s=round(now - sample["received_at"], 3)))
        for w in out:
            w.pop("received_at", None)
        return out


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def install(environment: Environment, profile: Profile, load_dir: Path, interval_s: float,
            workers_expected: int, measure_plan: bool = False) -> None:
    """Wire the sampler into user-running processes and the writer into the master/local.
    `measure_plan`: the users are the user's own, so the closed-loop plan (requests and think
    seconds per task cycle) is measured from the workers' counts, not taken from the profile."""
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        NodeSampler(environment, interval_s).start()
    if not isinstance(runner, WorkerRunner) and runner is not None:
        writer = HealthWriter(environment, profile, load_dir, interval_s, workers_expected,
                              measure_plan)
        runner.register_message(MESSAGE, writer.on_message)
        environment.events.test_start.add_listener(writer.on_test_start)
        environment.events.test_stop.add_listener(writer.on_test_stop)
