"""The locustfile the launcher runs: the purchase-journey user, the shape of the chosen profile
and the evidence listeners, configured only through `HARNESS_LOAD_*` environment variables.

    HARNESS_LOAD_PROFILE   smoke | gray | peak (see harness_load/profiles.py for the overrides)
    HARNESS_LOAD_DIR       where evidence goes (raw/load of the run directory)
    HARNESS_LOAD_SAMPLE_S  generator-health sample interval, seconds (default 2)
    HARNESS_LOAD_WORKERS   workers the master expects (recorded in phases.json)
    HARNESS_LOAD_HOSTS     comma-separated base URLs of the same store; users spread over them
    HARNESS_LOAD_CLIENT    lean (default: one kept socket per buyer, harness_load/lean_http.py)
                           | fasthttp (Locust's FastHttpUser)
    HARNESS_LOAD_KEEPALIVE_FIX  1 (default) patches geventhttpclient's keep-alive check for
                           fasthttp (harness_load/keepalive.py); 0 measures plain Locust (bench
                           only)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from locust import events

from harness_load import evidence, keepalive
from harness_load.journey import BUYERS, purchase_log_for
from harness_load.profiles import profile_from_env
from harness_load.rlimit import raise_nofile_limit
from harness_load.shapes import shape_for

if os.environ.get("HARNESS_LOAD_KEEPALIVE_FIX", "1") != "0":
    keepalive.apply()
raise_nofile_limit()

_CLIENT = os.environ.get("HARNESS_LOAD_CLIENT", "lean")
if _CLIENT not in BUYERS:
    raise SystemExit(f"HARNESS_LOAD_CLIENT={_CLIENT!r}: use one of {', '.join(BUYERS)}")
# the one user class Locust finds in this module
PurchaseBuyer: Any = BUYERS[_CLIENT]
PROFILE = profile_from_env(os.environ.get("HARNESS_LOAD_PROFILE", "smoke"), os.environ)
LOAD_DIR = Path(os.environ.get("HARNESS_LOAD_DIR", "reports/adhoc/raw/load"))

PurchaseBuyer.think = PROFILE.think
PurchaseBuyer.products = dict(PROFILE.products)
PurchaseBuyer.health_questions = int(os.environ.get("HARNESS_LOAD_HEALTH_QUESTIONS", "5"))
PurchaseBuyer.purchase_log = purchase_log_for(str(LOAD_DIR))
# gray profile: each journey is a new visitor (a user slot is an arrival, not one person who
# buys again until it works, which would hide a conversion regression)
PurchaseBuyer.new_visitor_per_journey = (
    os.environ.get("HARNESS_LOAD_NEW_VISITOR_PER_JOURNEY", "0") == "1")
PurchaseBuyer.hosts = tuple(
    h.strip().rstrip("/") for h in os.environ.get("HARNESS_LOAD_HOSTS", "").split(",") if h.strip())

ProfileShape = shape_for(PROFILE)

__all__ = ["ProfileShape", "PurchaseBuyer"]


@events.init.add_listener
def _install_evidence(environment: Any, **_: Any) -> None:
    evidence.install(environment, PROFILE, LOAD_DIR,
                     interval_s=float(os.environ.get("HARNESS_LOAD_SAMPLE_S", "2")),
                     workers_expected=int(os.environ.get("HARNESS_LOAD_WORKERS", "0")))


@events.quitting.add_listener
def _close_purchase_log(**_: Any) -> None:
    if PurchaseBuyer.purchase_log is not None:
        PurchaseBuyer.purchase_log.close()
