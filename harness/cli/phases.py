"""The evidence-producing phases of `harness run`: the target, load, gray.

Each phase returns a Source (its own exit code and a note); none of them judges. A phase
that fails is reported and the run goes on: its criteria find no evidence and are
INCONCLUSIVE.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError, ToolError
from harness.model import Source
from harness.rundir import RunDir

GRAY_EXPORT = "/api/export/events.parquet"


@dataclass(frozen=True)
class Target:
    url: str
    bundled: bool
    extra_urls: tuple[str, ...] = ()  # more addresses of the same store, to spread connections


@contextmanager
def start_target(args: argparse.Namespace, run_dir: RunDir) -> Iterator[Target]:
    """The store to gate: --target as given (checked by the caller), else a demo shop."""
    if args.target:
        yield Target(args.target.rstrip("/"), bundled=False)
        return
    from harness_demo_shop.server import start_in_background

    store = run_dir.raw / "store"
    store.mkdir(parents=True, exist_ok=True)
    print(f"[target] starting the demo shop (variant {args.variant}, "
          f"{args.gray_percent:g} % gray)", flush=True)
    shop_workers, listen = 2, []
    if args.load_profile != "smoke":  # size the shop for the profile's peak (100,000+ buyers)
        from harness_load.launcher import plan_machine

        plan = plan_machine(args.load_profile)
        shop_workers = plan.shop_workers
        listen = [f"127.0.0.{i}:0" for i in range(2, plan.destinations + 1)]
    try:
        shop = start_in_background(variant=args.variant, port=0, workers=shop_workers,
                                   gray_percent=args.gray_percent,
                                   db_url=f"sqlite:///{store / 'shop.db'}", listen=listen,
                                   timeout_s=120)
    except RuntimeError as exc:
        raise ToolError(f"the demo shop did not start: {exc}") from exc
    try:
        yield Target(str(shop.url), bundled=True,
                     extra_urls=tuple(str(u) for u in shop.urls[1:]))
    finally:
        shop.stop()


def load_phase(target: Target, run_dir: RunDir, args: argparse.Namespace) -> Source:
    from harness_load.launcher import LoadRequest, run_load

    workers = args.load_workers
    if args.load_profile != "smoke" and workers == 2:  # the default: size it for the peak
        from harness_load.launcher import plan_machine

        workers = plan_machine(args.load_profile).workers
    request = LoadRequest(profile=args.load_profile, target=target.url, run_dir=run_dir.path,
                          workers=workers, allow_non_local=args.allow_non_local,
                          extra_targets=target.extra_urls)
    try:
        result = run_load(request)
    except HarnessError as exc:
        return Source(f"load ({args.load_profile})", 4, "locust", str(exc))
    detail = (f"{result.purchases} purchases in {result.duration_s:.0f} s; workers exit "
              f"{list(result.worker_exit_codes)}")
    if result.reconciliation_error:
        detail += f"; reconciliation: {result.reconciliation_error}"
    return Source(f"load ({args.load_profile})", result.master_exit_code,
                  " ".join(result.command), detail)


def gray_phase(target: Target, run_dir: RunDir, args: argparse.Namespace) -> Source:
    """Drive the gray profile's visitors, then keep the store's event export as evidence."""
    from harness_load.launcher import LoadRequest, run_load

    gray_dir = run_dir.raw / "gray"
    gray_dir.mkdir(parents=True, exist_ok=True)
    split = {"gray_share": args.gray_percent / 100, "source": "harness run --gray-percent"}
    (gray_dir / "split.json").write_text(json.dumps(split), encoding="utf-8")
    # the gray stage proper is ~5,000 users over minutes; the gate's gray phase is a short
    # burst of distinct visitors, enough for the cohort statistics to have power
    overrides = {"HARNESS_LOAD_USERS": str(args.gray_users), "HARNESS_LOAD_RAMP_S": "10",
                 "HARNESS_LOAD_HOLD_S": str(args.gray_hold_s), "HARNESS_LOAD_THINK_SCALE": "0.02",
                 "HARNESS_LOAD_NEW_VISITOR_PER_JOURNEY": "1"}
    request = LoadRequest(profile="gray", target=target.url, run_dir=gray_dir / "driver",
                          workers=args.load_workers, allow_non_local=args.allow_non_local,
                          overrides=overrides)
    try:
        result = run_load(request)
        _download(target.url + GRAY_EXPORT, gray_dir / "events.parquet")
    except HarnessError as exc:
        return Source("gray", 4, "locust (gray profile) + event export", str(exc))
    return Source("gray", result.master_exit_code, " ".join(result.command),
                  f"{result.purchases} purchases by simulated visitors; events exported")


def _download(url: str, path: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # the target was checked
            data = response.read()
    except OSError as exc:
        raise ToolError(f"could not export the events from {url}: {exc}") from exc
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
