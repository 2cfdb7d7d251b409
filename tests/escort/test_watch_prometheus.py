"""`harness watch` end to end with a real Prometheus on loopback (compressed time: checks every
15-20 s): a good release passes, the degrading variant is rolled back within two intervals
(the rollback hook called once), a Prometheus that stops mid-watch makes the watch
INCONCLUSIVE saying so, and a watch killed with SIGKILL resumes losing and repeating no check.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from harness.cli.watch_demo import COMPLAINTS_QUERY

pytestmark = pytest.mark.slow
DEADLINE_S = 240.0
ALLURE = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "allure"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("watch") / "demo"
    subprocess.run([sys.executable, "-m", "harness", "init", "--example", "demo", str(root)],
                   check=True, capture_output=True)
    with (root / "harness.toml").open("a", encoding="utf-8") as out:
        out.write('\n[escort]\nscrape_interval = "2s"\nsettle = "3s"\n'
                  f'complaints_query = "{COMPLAINTS_QUERY}"\n')
    return root


def _watch(project: Path, *args: str, new_session: bool = False,
           complaints: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "HARNESS_ALLURE": str(ALLURE)}  # the project has no node_modules
    if complaints:  # the external store's complaints table ([escort] complaints_query)
        env["HARNESS_COMPLAINTS_SOURCE"] = complaints
    return subprocess.Popen([sys.executable, "-m", "harness", "watch", "--project",
                             str(project), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=new_session,
                            env=env)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = process.communicate(timeout=DEADLINE_S)
    return process.returncode, out


def _escort(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "escort.json").read_text(encoding="utf-8"))


def _run_dir(out: str) -> Path:
    line = next(x for x in out.splitlines() if x.startswith("Escort: "))
    return Path(line.split(" ", 1)[1]).parent


def test_good_release_every_check_continues(project: Path) -> None:
    code, out = _finish(_watch(project, "--demo", "--window", "60s", "--interval", "20s",
                               "--demo-rate", "5"))
    assert code == 0, out
    doc = _escort(_run_dir(out))
    assert doc["decision"] == "ESCORT PASSED"
    assert [c["decision"] for c in doc["checks"]] == ["CONTINUE"] * 3, out
    verify = subprocess.run([sys.executable, "-m", "harness", "verify", str(_run_dir(out))],
                            capture_output=True, text=True, check=False)
    assert verify.returncode == 0, verify.stdout


def test_degrading_release_is_rolled_back_within_two_intervals(project: Path,
                                                               tmp_path: Path) -> None:
    calls = tmp_path / "calls.txt"
    hook = f"{sys.executable} -c \"open('{calls}','a').write('called\\n')\""
    code, out = _finish(_watch(project, "--demo", "--variant", "degrade-after",
                               "--degrade-after", "40s", "--window", "3m", "--interval", "20s",
                               "--demo-rate", "5", "--rollback-command", hook))
    assert code == 1, out
    doc = _escort(_run_dir(out))
    state = json.loads((_run_dir(out) / "escort-state.json").read_text(encoding="utf-8"))
    degraded_by = state["started"] + 40  # the shop started before the watch's first interval
    decisions = [c["decision"] for c in doc["checks"]]
    assert doc["decision"] == "ESCORT FAILED" and decisions[-1] == "ROLLBACK", out
    rollback = state["checks"][-1]
    assert rollback["at"] <= degraded_by + 2 * 20 + 1, out
    named = {r["criterion"].split(" :: ")[-1] for r in rollback["reasons"]}
    assert named & {"Purchases are available", "Every payment has a policy",
                    "The error budget is not burning fast"}, named
    assert calls.read_text() == "called\n"  # the hook, once
    assert "rollback hook called" in out
    report = _run_dir(out) / "allure-report"  # the escort's Allure report, made at the end
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    names = [t["name"] for t in json.loads((report / "test-results.json").read_text(
        encoding="utf-8"))["byId"].values()]
    assert summary["status"] == "failed" and "Escort: ESCORT FAILED" in names, out
    assert f"Check {len(decisions):04d} of 9: ROLLBACK" in names, names


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A demo shop with visitors, scraped by nothing yet: the tests start their Prometheus."""
    from harness_demo_shop.server import start_in_background
    from harness_watch.traffic import start_traffic

    shop = start_in_background(variant="good", port=0, workers=1, gray_percent=50.0,
                               db_url=f"sqlite:///{tmp_path / 'shop.db'}", timeout_s=120)
    traffic = start_traffic(str(shop.url), 5.0, 600.0)
    try:
        yield urlsplit(str(shop.url)).netloc, f"sqlite:///{tmp_path / 'shop.db'}"
    finally:
        traffic.stop()
        shop.stop()


def _prometheus(workdir: Path, target: str) -> Any:
    from harness_watch.prometheus import start_prometheus

    server = start_prometheus(workdir, [target], 2.0)
    assert server.wait_scraped() == ""
    return server


def _wait_checks(run_dir: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        try:
            state = json.loads((run_dir / "escort-state.json").read_text(encoding="utf-8"))
            if len(state["checks"]) >= count:
                return
        except (OSError, ValueError, KeyError):
            pass
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        time.sleep(0.5)
    raise AssertionError(f"no {count} checks within {DEADLINE_S} s")


def test_prometheus_stopped_mid_watch_is_inconclusive(project: Path, store: tuple[str, str],
                                                       tmp_path: Path) -> None:
    prometheus = _prometheus(tmp_path / "prom", store[0])
    run_dir = tmp_path / "watch"
    try:
        watch = _watch(project, "--prometheus", prometheus.url, "--run-dir", str(run_dir),
                       "--window", "45s", "--interval", "15s", complaints=store[1])
        _wait_checks(run_dir, 1, watch)
    finally:
        prometheus.stop()
    code, out = _finish(watch)
    assert code == 3, out
    doc = _escort(run_dir)
    assert doc["decision"] == "ESCORT INCONCLUSIVE"
    assert doc["checks"][0]["decision"] == "CONTINUE", out
    assert [c["decision"] for c in doc["checks"][1:]] == ["INCONCLUSIVE"] * 2, out
    assert "unreachable" in json.dumps(doc["checks"][-1]["reasons"]), out


def test_killed_watch_resumes_losing_and_repeating_no_check(project: Path,
                                                            store: tuple[str, str],
                                                            tmp_path: Path) -> None:
    prometheus = _prometheus(tmp_path / "prom", store[0])
    run_dir = tmp_path / "watch"
    try:
        args = ("--prometheus", prometheus.url, "--window", "60s", "--interval", "15s")
        first = _watch(project, "--run-dir", str(run_dir), *args, new_session=True,
                       complaints=store[1])
        _wait_checks(run_dir, 1, first)
        os.killpg(first.pid, signal.SIGKILL)  # the whole job, as a machine reboot would
        first.communicate(timeout=10)  # reaped, its pipe closed
        killed_at = time.time()
        state = json.loads((run_dir / "escort-state.json").read_text(encoding="utf-8"))
        while time.time() < state["started"] + 2 * 15 + 5:  # a check falls due while dead
            time.sleep(0.5)
        code, out = _finish(_watch(project, "--resume", str(run_dir), *args,
                                   complaints=store[1]))
    finally:
        prometheus.stop()
    assert code == 0, out
    assert "resuming watch" in out
    final = json.loads((run_dir / "escort-state.json").read_text(encoding="utf-8"))
    assert [c["check"] for c in final["checks"]] == [0, 1, 2, 3]
    assert [c["decision"] for c in final["checks"]] == ["CONTINUE"] * 4, out
    assert final["resumed"] and final["resumed"][0] >= killed_at
    samples = [json.loads(line) for line in
               (run_dir / "raw" / "escort" / "samples.jsonl").read_text().splitlines()]
    per_check = [sum(1 for s in samples if s["check"] == c) for c in range(4)]
    assert len(set(per_check)) == 1, per_check  # no check collected twice


def test_sigterm_stops_the_watch_inconclusive_and_it_can_resume(project: Path,
                                                                 tmp_path: Path) -> None:
    run_dir = tmp_path / "watch"
    args = ("--prometheus", "http://127.0.0.1:9", "--window", "10m", "--interval", "5s")
    watch = _watch(project, "--run-dir", str(run_dir), *args)
    _wait_checks(run_dir, 1, watch)
    watch.send_signal(signal.SIGTERM)
    code, out = _finish(watch)
    assert code == 3, out
    doc = _escort(run_dir)
    assert doc["decision"] == "ESCORT INCONCLUSIVE" and doc["finished"]["cancelled"] == "SIGTERM"
    assert "cancelled by SIGTERM" in json.dumps(doc["checks"][-1]["reasons"]), out
    assert doc["checks"][0]["decision"] == "INCONCLUSIVE"  # port 9: unreachable, said
    assert "unreachable" in doc["checks"][0]["reasons"][0]["message"]
    made = json.loads((run_dir / "escort-state.json").read_text())["checks"]
    resumed = _watch(project, "--resume", str(run_dir), *args)
    _wait_checks(run_dir, len(made) + 1, resumed)  # it goes on from the next check
    resumed.send_signal(signal.SIGINT)
    code, out = _finish(resumed)
    assert code == 3 and "resuming watch" in out, out
