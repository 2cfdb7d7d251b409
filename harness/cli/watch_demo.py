"""`harness watch --demo`: the bundled demo shop (optionally the degrade-after variant), visitors
buying from it, and a real Prometheus scraping it; all on loopback, their data in the watch's
run directory (demo/), everything stopped when the watch ends.

A watch killed with SIGKILL leaves these processes behind; their ids are kept in
demo/pids.json, and a resumed watch stops those that are still running (and still belong to
this run directory) before starting new ones on the same data.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.errors import ToolError

PIDS_FILE = "pids.json"
GRAY_PERCENT = 50.0
TRAFFIC_RATE = 3.0  # purchases per second (each is ~6 requests)
# the demo shop's complaint form writes this table (harness_demo_shop.schema.complaints)
COMPLAINTS_QUERY = ("SELECT ts_ms / 1000.0 AS time, category, policy_id AS order_or_policy_id, "
                    "text FROM complaints WHERE ts_ms > :start * 1000 AND ts_ms <= :end * 1000")


@contextlib.contextmanager
def demo_stack(workdir: Path, variant: str, degrade_after_s: float | None,
               scrape_interval_s: float, duration_s: float, info: dict[str, Any],
               rate_per_s: float = TRAFFIC_RATE) -> Iterator[str]:
    from harness_demo_shop.server import start_in_background
    from harness_watch.prometheus import start_prometheus
    from harness_watch.traffic import start_traffic

    workdir.mkdir(parents=True, exist_ok=True)
    stop_leftovers(workdir)
    extra = ["--degrade-after-s", f"{degrade_after_s:g}"] if degrade_after_s is not None else []
    with contextlib.ExitStack() as stack:
        try:
            shop = start_in_background(variant=variant, port=0, workers=2,
                                       gray_percent=GRAY_PERCENT,
                                       db_url=f"sqlite:///{workdir / 'shop.db'}",
                                       extra_args=extra, timeout_s=120)
        except RuntimeError as exc:
            raise ToolError(f"the demo shop did not start: {exc}") from exc
        stack.callback(shop.stop)
        netloc = urlsplit(str(shop.url)).netloc
        prometheus = start_prometheus(workdir / "prometheus", [netloc], scrape_interval_s)
        stack.callback(prometheus.stop)
        traffic = start_traffic(str(shop.url), rate_per_s, min(duration_s, 4 * 86_400.0))
        stack.callback(traffic.stop)
        info.update({"complaints_source": f"sqlite:///{workdir / 'shop.db'}",
                     "complaints_query": COMPLAINTS_QUERY, "traffic_per_s": rate_per_s,
                     "variant": variant, "shop": str(shop.url), "gray_percent": GRAY_PERCENT,
                     "degrade_after_s": degrade_after_s, "prometheus": prometheus.url,
                     "prometheus_binary": prometheus.binary,
                     "prometheus_version": prometheus.version})
        _write_pids(workdir, [_pid(shop), prometheus.pid])
        print(f"demo: shop {shop.url} (variant {variant}), Prometheus {prometheus.binary} "
              f"{prometheus.version} on {prometheus.url}, visitors running", flush=True)
        problem = prometheus.wait_scraped()
        if problem:
            raise ToolError(f"the demo's Prometheus does not scrape the shop: {problem}")
        yield prometheus.url


def _pid(thing: Any) -> int | None:
    process = getattr(thing, "process", None)
    pid = getattr(process, "pid", None) or getattr(thing, "pid", None)
    return int(pid) if isinstance(pid, int) else None


def _write_pids(workdir: Path, pids: list[int | None]) -> None:
    (workdir / PIDS_FILE).write_text(json.dumps([p for p in pids if p]), encoding="utf-8")


def stop_leftovers(workdir: Path) -> int:
    """Stop the demo processes a killed watch of this run directory left running: only those
    whose command line still names this folder (a reused process id is left alone)."""
    path = workdir / PIDS_FILE
    try:
        pids = [int(p) for p in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return 0
    stopped = 0
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if str(workdir) not in cmdline:
            continue
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
            stopped += 1
    path.unlink(missing_ok=True)
    return stopped
