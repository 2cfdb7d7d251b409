"""Run a load profile as real Locust processes: one master and N workers on this machine.

Python API for `harness load`, `harness run` and tests (importing this module never imports
Locust or gevent, so the judge process stays un-patched):

    result = run_load(LoadRequest(profile="smoke", target="http://127.0.0.1:8000",
                                  run_dir=Path("reports/<run-id>"), workers=2))

Every run is bounded in time (the profile's length plus a margin, then SIGINT, then SIGKILL);
only loopback targets are allowed unless `allow_non_local`; SIGINT or SIGTERM (harness.cancel)
stops master and workers and keeps the evidence written so far (Locust saves its CSV/JSON/HTML
on SIGINT); each runs in its own session, and its whole process group is stopped. After the run the
per-process purchase logs are merged and the store's records are written to
`raw/store/reconciliation.json` from the integrity source (harness_load/reconciliation.py).

The user's own load test: `LoadRequest(locustfile=Path("loadtests/locustfile.py"),
user_classes=("Buyer",), ...)` runs Locust with two files, the harness's part
(harness_load/harness_part.py: the profile's shape, the generator-health listener, think times)
and the user's file (their user classes, their request names), and passes the chosen classes
to master and workers. Without `locustfile` the bundled demo-shop buyer runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import cancel
from harness.errors import ConfigError, HarnessError, ToolError
from harness_load.profiles import profile_from_env
from harness_load.purchases import merge_purchase_files
from harness_load.reconciliation import IntegritySource, reconcile, store_path
from harness_load.rlimit import raise_nofile_limit
from harness_load.target import check_local_target

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
HARNESS_PART = Path(__file__).with_name("harness_part.py")
CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
REPO_ROOT = LOCUSTFILE.parent.parent
EXPECT_WORKERS_WAIT_S = 30
# each worker holds one socket per user under a 20,000 open-file hard limit (ENVIRONMENT.md)
MAX_USERS_PER_WORKER = 18_000
# one (source, destination address, destination port) triple has 28,232 ephemeral ports
MAX_CONNECTIONS_PER_DESTINATION = 28_000
# Locust's --csv prefix output name -> the name docs/contracts.md fixes under raw/load/
CSV_NAMES = {"locust_stats.csv": "stats.csv", "locust_stats_history.csv": "stats_history.csv",
             "locust_failures.csv": "failures.csv", "locust_exceptions.csv": "exceptions.csv"}
OWN_FILES = ("generator.jsonl", "phases.json", "phase_stats.jsonl", "purchases.jsonl",
             "stats.json", "report.html", "launch.json", *CSV_NAMES.values())


@dataclass(frozen=True)
class LoadRequest:
    """What to run. `overrides` are `HARNESS_LOAD_*` variables (users, hold_s, think_s...)."""

    profile: str
    target: str
    run_dir: Path
    workers: int = 2
    allow_non_local: bool = False
    overrides: Mapping[str, str] = field(default_factory=dict)
    # more base URLs of the same store (other 127.0.0.x addresses or ports) to spread users over
    extra_targets: tuple[str, ...] = ()
    sample_interval_s: float = 2.0
    kill_grace_s: float = 20.0
    # fetch the store's reconciliation afterwards (a benchmark that judges no integrity skips it)
    reconcile: bool = True
    # the user's own locustfile (None: the bundled demo-shop buyer) and the user classes in it
    # to run (empty: every class it defines)
    locustfile: Path | None = None
    user_classes: tuple[str, ...] = ()
    # where the store's records come from; None: the target's /api/reconciliation for the
    # demo-shop buyer, none at all for the user's own locustfile (integrity INCONCLUSIVE)
    integrity: IntegritySource | None = None


@dataclass(frozen=True)
class LoadResult:
    """What happened: exit codes, timing and where the evidence is."""

    load_dir: Path
    master_exit_code: int | None
    worker_exit_codes: tuple[int | None, ...]
    duration_s: float
    timed_out: bool
    interrupted: bool
    purchases: int
    reconciliation_path: Path | None
    reconciliation_error: str | None
    command: tuple[str, ...]

    @property
    def evidence_complete(self) -> bool:
        """Locust's stats and the generator record are on disk (judging is not done here)."""
        return all((self.load_dir / n).is_file()
                   for n in ("stats.csv", "stats.json", "generator.jsonl", "phases.json"))


def run_load(request: LoadRequest) -> LoadResult:
    """Run master + workers for the profile; returns when Locust ended or was stopped.

    Raises TargetError (non-local target without consent), ConfigError (bad profile settings),
    ToolError (Locust could not start). SIGINT and SIGTERM (handled here whatever was
    inherited) stop master and workers, and the KeyboardInterrupt (harness.cancel.Cancelled)
    is re-raised after the evidence is saved."""
    for target in (request.target, *request.extra_targets):
        check_local_target(target, request.allow_non_local)
    check_locustfile(request)
    env = _environment(request)
    try:
        profile = profile_from_env(request.profile, env)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    check_capacity(profile.peak_users, request.workers, 1 + len(request.extra_targets))
    load_dir = request.run_dir / "raw" / "load"
    _prepare(load_dir)
    raise_nofile_limit()
    port = _free_port()
    run_time_s = int(profile.duration_s) + 5
    master_cmd = [*_master_command(request, load_dir, port, run_time_s),
                  *request.user_classes]
    deadline_s = run_time_s + EXPECT_WORKERS_WAIT_S + request.kill_grace_s
    started = time.monotonic()
    started_ms = int(time.time() * 1000)
    processes = _Processes(load_dir)
    interrupted: KeyboardInterrupt | None = None
    timed_out = False
    with cancel.signals():  # ours, whatever was inherited: CI starts jobs with SIGINT ignored
        try:
            processes.start("master", master_cmd, env)
            for i in range(request.workers):
                processes.start(f"worker-{i + 1}",
                                [*_worker_command(request, load_dir, port, i + 1),
                                 *request.user_classes], env)
            timed_out = not processes.wait_master(deadline_s)
        except KeyboardInterrupt as exc:  # SIGINT or SIGTERM (harness.cancel.Cancelled)
            interrupted = exc
        except BaseException:  # Locust could not start: stop what did
            processes.stop_all(request.kill_grace_s)
            raise
        with cancel.deferred():  # a signal now is held until the evidence is collected
            grace_s = request.kill_grace_s
            processes.stop_all(min(grace_s, cancel.CANCEL_GRACE_S) if interrupted else grace_s)
            result = _collect(request, load_dir, processes, master_cmd,
                              time.monotonic() - started, timed_out, interrupted is not None,
                              started_ms)
    if interrupted is not None:
        raise interrupted
    return result


def check_locustfile(request: LoadRequest) -> None:
    """The user's locustfile exists and ends in .py; class names are names; no extra targets
    (spreading users over addresses is the bundled buyer's). Before anything starts."""
    if request.user_classes and request.locustfile is None:
        raise ConfigError("user classes were given without a locustfile (--locustfile PATH)")
    for name in request.user_classes:
        if not CLASS_NAME.fullmatch(name):
            raise ConfigError(f"user class {name!r} is not a Python class name")
    if request.locustfile is None:
        return
    path = request.locustfile
    if path.suffix != ".py" or not path.is_file():
        raise ConfigError(f"locustfile {path}: no such .py file; point --locustfile (or "
                          "[load] locustfile) at your Locust file, e.g. loadtests/locustfile.py")
    if request.extra_targets:
        raise ConfigError("extra targets spread the bundled buyer over addresses; with your own "
                          "locustfile give one target")


def check_capacity(peak_users: int, workers: int, destinations: int) -> None:
    """Refuse a plan this machine cannot generate validly, before burning minutes on it."""
    if workers < 1:
        raise ConfigError("--workers must be at least 1")
    needed = -(-peak_users // MAX_USERS_PER_WORKER)
    if workers < needed:
        raise ConfigError(
            f"{peak_users:,} users need at least {needed} workers (at most "
            f"{MAX_USERS_PER_WORKER:,} users each: one socket per user under the 20,000 "
            f"open-file limit); got {workers}")
    spread = -(-peak_users // MAX_CONNECTIONS_PER_DESTINATION)
    if destinations < spread:
        raise ConfigError(
            f"{peak_users:,} connections need at least {spread} destination addresses or "
            f"ports (28,232 ephemeral ports per address pair); got {destinations}: start the "
            "store with more --listen addresses and pass them as extra targets")


def workers_for(peak_users: int, cores: int | None = None) -> int:
    """Workers to run: enough for the per-worker user limit, at least one per core."""
    return max(-(-peak_users // MAX_USERS_PER_WORKER), cores or os.cpu_count() or 1)


def destinations_for(peak_users: int) -> int:
    """Store addresses (or ports) to spread connections over: <= 28,000 per address pair."""
    return max(1, -(-peak_users // MAX_CONNECTIONS_PER_DESTINATION))


def shop_workers_for(peak_users: int) -> int:
    """Demo-shop processes: each holds one socket per user under the same open-file limit."""
    return max(2, -(-peak_users // MAX_USERS_PER_WORKER))


@dataclass(frozen=True)
class MachinePlan:
    """How to lay a profile out on this machine (see `plan_machine`)."""

    peak_users: int
    workers: int
    destinations: int
    shop_workers: int


def plan_machine(profile: str, overrides: Mapping[str, str] | None = None) -> MachinePlan:
    """Workers, store addresses and demo-shop processes for the profile's peak users (the
    spike included): peak -> 120,000 users, 7 workers, 5 addresses, 7 shop processes.
    Raises ConfigError for a bad profile or override."""
    try:
        peak = profile_from_env(profile, {**os.environ, **(overrides or {})}).peak_users
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    return MachinePlan(peak, workers_for(peak), destinations_for(peak), shop_workers_for(peak))


def _environment(request: LoadRequest) -> dict[str, str]:
    env = dict(os.environ)
    bad = [k for k in request.overrides if not k.startswith("HARNESS_LOAD_")]
    if bad:
        raise ConfigError(f"load overrides must be HARNESS_LOAD_* variables, not {bad[0]!r}")
    env.update(request.overrides)
    env.update({
        "HARNESS_LOAD_PROFILE": request.profile,
        "HARNESS_LOAD_DIR": str((request.run_dir / "raw" / "load").resolve()),
        "HARNESS_LOAD_WORKERS": str(request.workers),
        "HARNESS_LOAD_SAMPLE_S": str(request.sample_interval_s),
        "HARNESS_LOAD_HOSTS": ",".join(t.rstrip("/") for t in
                                       (request.target, *request.extra_targets)),
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def _prepare(load_dir: Path) -> None:
    """Start from an empty evidence folder so two runs never mix in one file."""
    load_dir.mkdir(parents=True, exist_ok=True)
    for name in OWN_FILES:
        (load_dir / name).unlink(missing_ok=True)
    parts = load_dir / "purchases"
    if parts.is_dir():
        for part in parts.glob("*.jsonl"):
            part.unlink()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _locust(request: LoadRequest) -> list[str]:
    """Locust with the bundled locustfile, or the harness's part and the user's file (Locust
    2.47 merges the user classes and shapes of comma-separated files)."""
    files = (str(LOCUSTFILE) if request.locustfile is None else
             f"{HARNESS_PART},{request.locustfile.resolve()}")
    return [sys.executable, "-m", "locust", "-f", files]


def _master_command(request: LoadRequest, load_dir: Path, port: int,
                    run_time_s: int) -> list[str]:
    return [*_locust(request), "--master", "--headless", "--master-bind-host", "127.0.0.1",
            "--master-bind-port", str(port), "--expect-workers", str(request.workers),
            "--expect-workers-max-wait", str(EXPECT_WORKERS_WAIT_S), "-H", request.target,
            "--run-time", f"{run_time_s}s", "--csv", str(load_dir / "locust"),
            "--csv-full-history", "--html", str(load_dir / "report.html"),
            "--json-file", str(load_dir / "stats"), "--only-summary",
            "--logfile", str(load_dir / "master.log")]


def _worker_command(request: LoadRequest, load_dir: Path, port: int,
                    index: int) -> list[str]:
    return [*_locust(request), "--worker", "--master-host", "127.0.0.1", "--master-port", str(port),
            "--logfile", str(load_dir / f"worker-{index}.log")]


class _Processes:
    """The Locust processes of one run, each in its own session so a terminal Ctrl-C reaches
    only the launcher, which then stops them in order (master first: it saves the reports)."""

    def __init__(self, load_dir: Path) -> None:
        self.load_dir = load_dir
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, cmd: Sequence[str], env: Mapping[str, str]) -> None:
        out = (self.load_dir / f"{name}.out").open("wb")
        try:
            self.procs[name] = subprocess.Popen(cmd, env=dict(env), stdout=out,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True, cwd=REPO_ROOT)
        except OSError as exc:
            raise ToolError(f"could not start Locust ({cmd[0]}): {exc}") from exc
        finally:
            out.close()

    def wait_master(self, timeout_s: float) -> bool:
        try:
            self.procs["master"].wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop_all(self, grace_s: float) -> None:
        """Master first (SIGINT: it saves its reports), then the workers (SIGTERM), each by
        process group; SIGKILL whatever did not stop in time, and anything they left behind."""
        master = self.procs.get("master")
        if master is not None and master.poll() is None:
            master.send_signal(signal.SIGINT)   # Locust writes HTML, JSON and CSV on SIGINT
            _wait_or_kill(master, grace_s)
        for name, proc in self.procs.items():
            if name != "master" and proc.poll() is None:
                _wait_or_kill(proc, min(grace_s, 5.0), first=signal.SIGTERM)
        for proc in self.procs.values():  # a process group outliving its leader
            _signal_group(proc.pid, signal.SIGKILL)

    def exit_codes(self) -> tuple[int | None, tuple[int | None, ...]]:
        master = self.procs.get("master")
        workers = tuple(p.returncode for n, p in self.procs.items() if n != "master")
        return (master.returncode if master else None), workers


def _wait_or_kill(proc: subprocess.Popen[bytes], grace_s: float,
                  first: signal.Signals | None = None) -> None:
    try:
        if first is not None:
            _signal_group(proc.pid, first)
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _signal_group(pgid: int, sig: int) -> None:
    """Signal a Locust process's session (it leads its own group); gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _collect(request: LoadRequest, load_dir: Path, processes: _Processes,
             master_cmd: Sequence[str], duration_s: float, timed_out: bool,
             interrupted: bool, started_ms: int) -> LoadResult:
    """Rename Locust's CSVs to the contract names, merge purchases, fetch reconciliation."""
    for src, dst in CSV_NAMES.items():
        if (load_dir / src).is_file():
            os.replace(load_dir / src, load_dir / dst)
    purchases = merge_purchase_files(load_dir / "purchases", load_dir / "purchases.jsonl")
    store_path, recon_error = _reconcile(request, started_ms)
    master_code, worker_codes = processes.exit_codes()
    result = LoadResult(load_dir, master_code, worker_codes, round(duration_s, 3), timed_out,
                        interrupted, purchases, store_path,
                        recon_error, tuple(master_cmd))
    record = {"profile": request.profile, "target": request.target,
              "workers": request.workers, "overrides": dict(request.overrides),
              "locustfile": str(request.locustfile) if request.locustfile else None,
              "user_classes": list(request.user_classes),
              "integrity_source": request.integrity.describe() if request.integrity else None,
              "master_exit_code": master_code, "worker_exit_codes": list(worker_codes),
              "duration_s": result.duration_s, "timed_out": timed_out,
              "interrupted": interrupted, "purchases": purchases,
              "reconciliation_error": recon_error, "command": list(master_cmd)}
    (load_dir / "launch.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
    return result


def _reconcile(request: LoadRequest, started_ms: int) -> tuple[Path | None, str | None]:
    """(raw/store/reconciliation.json, None), or (None, why there is none)."""
    source = request.integrity
    store_path(request.run_dir).unlink(missing_ok=True)  # never judge an earlier run's records
    if not request.reconcile:
        return None, "not fetched (reconcile=False)"
    if source is None and request.locustfile is not None:
        return None, ("no integrity source for your own locustfile: configure [integrity] "
                      "(kind = \"sql\", \"csv\" or \"endpoint\")")
    try:
        path = reconcile(source or IntegritySource(), request.run_dir, request.target,
                         since_ms=started_ms - 1000)
    except HarnessError as exc:
        return None, str(exc)
    return path, None
