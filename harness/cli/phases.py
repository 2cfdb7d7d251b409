"""The evidence-producing phases of `harness run`: the target, load, gray.

Each phase returns a Source (its own exit code and a note); none of them judges. A phase
that fails is reported and the run goes on: its criteria find no evidence and are
INCONCLUSIVE.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.cli.preflight import Plan
from harness.errors import ConfigError, HarnessError, ToolError
from harness.model import Source
from harness.project import Project
from harness.rundir import RunDir
from harness.secret import mask_text, mask_url
from harness_contract.gray_export import record_export

GRAY_EXPORT = "/api/export/events.parquet"


@dataclass(frozen=True)
class Target:
    url: str
    bundled: bool
    extra_urls: tuple[str, ...] = ()  # more addresses of the same store, to spread connections


@contextmanager
def start_target(project: Project, plan: Plan, run_dir: RunDir) -> Iterator[Target]:
    """The store to gate: the project's target as given (checked by the planner), else a demo
    shop sized for the load profile."""
    if plan.target_url:
        yield Target(plan.target_url, bundled=False)
        return
    from harness_demo_shop.server import start_in_background

    settings = project.settings
    store = run_dir.raw / "store"
    store.mkdir(parents=True, exist_ok=True)
    gray_percent = float(settings.get("demo.gray_percent"))
    print(f"[target] starting the demo shop (variant {plan.variant}, "
          f"{gray_percent:g} % gray)", flush=True)
    shop_workers, listen = 2, []
    profile = settings.text("load.profile")
    if profile != "smoke":  # size the shop for the profile's peak (100,000+ buyers)
        from harness_load.launcher import plan_machine

        sized = plan_machine(profile)
        shop_workers = sized.shop_workers
        listen = [f"127.0.0.{i}:0" for i in range(2, sized.destinations + 1)]
    try:
        shop = start_in_background(variant=plan.variant, port=0, workers=shop_workers,
                                   gray_percent=gray_percent,
                                   db_url=f"sqlite:///{store / 'shop.db'}", listen=listen,
                                   timeout_s=120)
    except RuntimeError as exc:
        raise ToolError(f"the demo shop did not start: {exc}") from exc
    try:
        yield Target(str(shop.url), bundled=True,
                     extra_urls=tuple(str(u) for u in shop.urls[1:]))
    finally:
        shop.stop()


def load_phase(project: Project, plan: Plan, target: Target, run_dir: RunDir) -> Source:
    from harness_load.launcher import LoadRequest, run_load

    settings = project.settings
    profile = settings.text("load.profile")
    workers = int(settings.get("load.workers"))
    if profile != "smoke" and settings.origin["load.workers"] == "default":
        from harness_load.launcher import plan_machine  # size it for the peak

        workers = plan_machine(profile).workers
    request = LoadRequest(profile=profile, target=target.url, run_dir=run_dir.path,
                          workers=workers, allow_non_local=plan.allow_non_local,
                          extra_targets=target.extra_urls, overrides=load_overrides(project),
                          locustfile=plan.locustfile, user_classes=plan.user_classes,
                          integrity=plan.integrity)
    try:
        result = run_load(request)
    except HarnessError as exc:
        return Source(f"load ({profile})", 4, "locust", str(exc))
    detail = (f"{result.purchases} purchases in {result.duration_s:.0f} s; workers exit "
              f"{list(result.worker_exit_codes)}")
    if result.reconciliation_error:
        detail += f"; reconciliation: {result.reconciliation_error}"
    return Source(f"load ({profile})", result.master_exit_code,
                  " ".join(result.command), detail)


def load_overrides(project: Project) -> dict[str, str]:
    """[load] users / ramp_s / hold_s / think_scale as the profile's HARNESS_LOAD_* overrides
    (0 keeps the profile's own value)."""
    names = {"users": "HARNESS_LOAD_USERS", "ramp_s": "HARNESS_LOAD_RAMP_S",
             "hold_s": "HARNESS_LOAD_HOLD_S", "think_scale": "HARNESS_LOAD_THINK_SCALE"}
    out = {}
    for key, env in names.items():
        value = project.settings.get(f"load.{key}")
        if value:
            out[env] = str(value)
    return out


def gray_phase(project: Project, plan: Plan, target: Target, run_dir: RunDir) -> Source:
    """The gray cohorts' events: the project's [gray] source, else (demo shop) visitors driven
    through it and its event export."""
    gray_dir = run_dir.raw / "gray"
    gray_dir.mkdir(parents=True, exist_ok=True)
    settings = project.settings
    source = settings.text("gray.source")
    if source:
        share = float(settings.get("gray.gray_share"))
        _write_split(gray_dir, share, f"{settings.source}: [gray] gray_share")
        try:
            record_export(copy_events(source, settings.text("gray.table"),
                                      settings.text("gray.query"), gray_dir, project.root))
        except HarnessError as exc:
            return Source("gray", 4, "gray events", str(exc))
        return Source("gray", 0, "gray events", f"events from {mask_url(source)}")
    return _demo_gray_phase(project, plan, target, gray_dir)


def _demo_gray_phase(project: Project, plan: Plan, target: Target, gray_dir: Path) -> Source:
    from harness_load.launcher import LoadRequest, run_load

    settings = project.settings
    gray_percent = float(settings.get("demo.gray_percent"))
    _write_split(gray_dir, gray_percent / 100, "harness run --gray-percent")
    # the gray stage proper is ~5,000 users over minutes; the gate's gray phase is a short
    # burst of distinct visitors, enough for the cohort statistics to have power
    overrides = {"HARNESS_LOAD_USERS": str(settings.get("gray.users")),
                 "HARNESS_LOAD_RAMP_S": "10",
                 "HARNESS_LOAD_HOLD_S": str(settings.get("gray.hold_s")),
                 "HARNESS_LOAD_THINK_SCALE": "0.02", "HARNESS_LOAD_NEW_VISITOR_PER_JOURNEY": "1"}
    request = LoadRequest(profile="gray", target=target.url, run_dir=gray_dir / "driver",
                          workers=int(settings.get("load.workers")),
                          allow_non_local=plan.allow_non_local, overrides=overrides)
    try:
        result = run_load(request)
        _download(target.url + GRAY_EXPORT, gray_dir / "events.parquet")
        record_export(gray_dir / "events.parquet")
    except HarnessError as exc:
        return Source("gray", 4, "locust (gray profile) + event export", str(exc))
    return Source("gray", result.master_exit_code, " ".join(result.command),
                  f"{result.purchases} purchases by simulated visitors; events exported")


def _write_split(gray_dir: Path, share: float, origin: str) -> None:
    if not 0.0 < share < 1.0:
        raise ConfigError(f"{origin} = {share:g}: the configured gray share must lie strictly "
                          "between 0 and 1")
    split = {"gray_share": share, "source": origin}
    (gray_dir / "split.json").write_text(json.dumps(split), encoding="utf-8")


def copy_events(source: str, table: str, query: str, gray_dir: Path, root: Path) -> Path:
    """The events as evidence: a file is copied as it is; an SQL source is read once into
    events.parquet (the query or the whole table)."""
    if "://" not in source:
        path = (root / source).resolve()
        if not path.is_file() or path.suffix.lower() not in (".csv", ".parquet"):
            raise ConfigError(f"[gray] source = {source}: expected an existing .csv or "
                              ".parquet file, or an SQL URL")
        out = gray_dir / f"events{path.suffix.lower()}"
        shutil.copyfile(path, out)
        return out
    if not (table or query):
        raise ConfigError("[gray] source is an SQL URL: set [gray] table or query too")
    import pandas as pd
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(source)
        with engine.connect() as connection:
            frame = pd.read_sql(sqlalchemy.text(query or f"select * from {table}"), connection)
    except Exception as exc:  # any driver error: say which source, never its password
        raise ToolError(f"could not read the gray events from {mask_url(source)}: "
                        f"{type(exc).__name__}: {mask_text(str(exc))[:300]}") from exc
    out = gray_dir / "events.parquet"
    frame.to_parquet(out, index=False)
    return out


def _download(url: str, path: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # the target was checked
            data = response.read()
    except OSError as exc:
        raise ToolError(f"could not export the events from {url}: {exc}") from exc
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
