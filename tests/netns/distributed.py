"""A load run across hosts, done the way a user does it on real machines: the demo shop on one
host, the Locust master on another, two workers on two more, all with plain `locust` commands
(the same flags and HARNESS_LOAD_* variables `harness load` passes, see
harness_load/launcher.py); each worker keeps its purchase log on its own disk; afterwards the
files are gathered into one run directory, arranged with `python -m harness_load.collect` and
judged with `harness verdict`.

The targets are non-loopback addresses: the shop binds only with `--allow-non-local`; Locust
itself has no such check (the launcher's `check_local_target` guards `harness load`, which is
not used here). These addresses are this test's own hosts, made by tests/netns/network.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import harness_load
from tests.netns.network import Network, stop_group

REPO = Path(harness_load.__file__).resolve().parent.parent
LOCUSTFILE = REPO / "harness_load" / "locustfile.py"
SHOP_PORT = 8000
MASTER_PORT = 5557
EXPECT_WORKERS_WAIT_S = 30
# the smoke profile, as `harness load --profile smoke` runs it: 50 users, ramp 5 s, hold 20 s
PROFILE_ENV = {"HARNESS_LOAD_PROFILE": "smoke", "HARNESS_LOAD_USERS": "40",
               "HARNESS_LOAD_RAMP_S": "5", "HARNESS_LOAD_HOLD_S": "20",
               "HARNESS_LOAD_SAMPLE_S": "2", "HARNESS_LOAD_WORKERS": "2"}
RUN_TIME_S = 5 + 20 + 5       # the profile plus the launcher's 5 s margin
ROLES = ("store", "master", "w1", "w2")
WORKERS = ("w1", "w2")


@dataclass
class Outcome:
    """What the run left: the run directory, exit codes, timings."""

    run_dir: Path
    master_exit: int | None
    collect_exit: int
    verdict_exit: int
    load_s: float
    total_s: float
    verdict: dict[str, object]

    def criterion(self, text: str) -> dict[str, object]:
        found = [c for c in self.verdict["criteria"]  # type: ignore[attr-defined]
                 if text in str(c.get("scenario", "")) + " " + str(c.get("id", ""))]
        assert found, f"no criterion matching {text!r} in {self.run_dir / 'verdict.json'}"
        return dict(found[0])


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARNESS_")}
    env.update(PROFILE_ENV)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_shop(net: Network, work: Path) -> str:
    """The demo shop on the store host; returns its URL once it answers from the master."""
    store = net.hosts["store"]
    shop = work / "hosts" / "store"
    shop.mkdir(parents=True)
    ready = shop / "ready.json"
    net.start("store", [sys.executable, "-m", "harness_demo_shop.server", "--host",
                        store.address, "--port", str(SHOP_PORT), "--workers", "1",
                        "--db", f"sqlite:///{shop / 'shop.db'}", "--allow-non-local",
                        "--ready-file", str(ready)],
              base_env(), shop / "server.log", cwd=shop)
    url = f"http://{store.address}:{SHOP_PORT}"
    wait_for(ready.is_file, 30, f"the demo shop did not start: {shop / 'server.log'}")
    probe = ("import sys, time, urllib.request\n"
             "for _ in range(100):\n"
             "    try:\n"
             f"        urllib.request.urlopen('{url}/healthz', timeout=2); sys.exit(0)\n"
             "    except OSError: time.sleep(0.2)\n"
             "sys.exit(1)\n")
    code = net.run("master", [sys.executable, "-c", probe], base_env(),
                   work / "hosts" / "master" / "probe.log", cwd=work, timeout_s=40)
    assert code == 0, f"the store at {url} does not answer from the master host"
    return url


def start_master(net: Network, run_dir: Path, url: str) -> subprocess.Popen[bytes]:
    """`harness load`'s master command, bound to the master host's address."""
    load = run_dir / "raw" / "load"
    load.mkdir(parents=True)
    env = dict(base_env(), HARNESS_LOAD_DIR=str(load), HARNESS_LOAD_HOSTS=url)
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--master", "--headless",
           "--master-bind-host", net.hosts["master"].address,
           "--master-bind-port", str(MASTER_PORT), "--expect-workers", str(len(WORKERS)),
           "--expect-workers-max-wait", str(EXPECT_WORKERS_WAIT_S), "-H", url,
           "--run-time", f"{RUN_TIME_S}s", "--csv", str(load / "locust"), "--csv-full-history",
           "--html", str(load / "report.html"), "--json-file", str(load / "stats"),
           "--only-summary", "--logfile", str(load / "master.log")]
    return net.start("master", cmd, env, load / "master.out", cwd=REPO)


def start_worker(net: Network, work: Path, role: str, url: str) -> subprocess.Popen[bytes]:
    """A worker on its own host; its evidence folder stands for that machine's disk."""
    own = work / "hosts" / role / "raw" / "load"
    own.mkdir(parents=True)
    env = dict(base_env(), HARNESS_LOAD_DIR=str(own), HARNESS_LOAD_HOSTS=url)
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
           "--master-host", net.hosts["master"].address, "--master-port", str(MASTER_PORT),
           "--logfile", str(own / "worker.log")]
    return net.start(role, cmd, env, own / "worker.out", cwd=REPO)


def gather(net: Network, work: Path, run_dir: Path) -> None:
    """Copy each worker host's purchase log into purchases/<host name>/ of the run."""
    for role in WORKERS:
        source = work / "hosts" / role / "raw" / "load" / "purchases"
        target = run_dir / "raw" / "load" / "purchases" / net.hosts[role].hostname
        if source.is_dir():
            shutil.copytree(source, target)


def judge(run_dir: Path, project: Path, work: Path) -> tuple[int, dict[str, object]]:
    """`harness verdict RUN_DIR --project DIR` on the capacity and integrity areas."""
    (run_dir / "run.json").write_text(json.dumps(
        {"run_id": run_dir.name, "areas": "capacity,integrity", "load_profile": "smoke",
         "features": str(project / "features")}), encoding="utf-8")
    with (work / "verdict.log").open("wb") as log:
        code = subprocess.run([sys.executable, "-m", "harness", "verdict", str(run_dir),
                               "--project", str(project)], env=base_env(), stdout=log,
                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=work,
                              timeout=300, check=False).returncode
    verdict_path = run_dir / "verdict.json"
    assert verdict_path.is_file(), f"no verdict.json; see {work / 'verdict.log'}"
    return code, json.loads(verdict_path.read_text(encoding="utf-8"))


def run_across_hosts(net: Network, work: Path, project: Path,
                     cut_after_s: float | None = None) -> Outcome:
    """The whole run; with `cut_after_s`, w2's link goes down that long into the test."""
    started = time.monotonic()
    net.create(ROLES)
    url = start_shop(net, work)
    run_dir = work / "run"
    master = start_master(net, run_dir, url)
    workers = [start_worker(net, work, role, url) for role in WORKERS]
    load_started = time.monotonic()
    if cut_after_s is not None:
        wait_for((run_dir / "raw" / "load" / "phases.json").is_file,
                 EXPECT_WORKERS_WAIT_S + 10, "the master never started the test")
        time.sleep(cut_after_s)
        net.hosts["w2"].cut_off()
    try:
        master_exit: int | None = master.wait(timeout=RUN_TIME_S + EXPECT_WORKERS_WAIT_S + 30)
    except subprocess.TimeoutExpired:
        master_exit = None
        stop_group(master, grace_s=20.0, sig=2)  # SIGINT: Locust writes its reports
    load_s = time.monotonic() - load_started
    for worker in workers:
        stop_group(worker, grace_s=10.0)
    gather(net, work, run_dir)
    collect_exit = net.run("master", [sys.executable, "-m", "harness_load.collect",
                                      str(run_dir), "--store", url], base_env(),
                           work / "collect.log", cwd=work, timeout_s=120)
    net.close()  # the shop and everything else: judging needs no network
    verdict_exit, verdict = judge(run_dir, project, work)
    return Outcome(run_dir, master_exit, collect_exit, verdict_exit, round(load_s, 1),
                   round(time.monotonic() - started, 1), verdict)


def collect_and_judge(run_dir: Path, project: Path, work: Path) -> dict[str, object]:
    """Re-arrange a copied run (no store: the reconciliation is already there) and judge it."""
    subprocess.run([sys.executable, "-m", "harness_load.collect", str(run_dir)], env=base_env(),
                   capture_output=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    return judge(run_dir, project, work)[1]


def wait_for(condition: Callable[[], bool], timeout_s: float, message: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)
