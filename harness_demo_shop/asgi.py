"""An app factory configured from the environment, for plain `uvicorn --factory` runs.

`harness demo-shop` is the normal way to serve the shop; this entry exists so the benchmark can
compare it with a stock one-process uvicorn serving the same shop:
`uvicorn --factory harness_demo_shop.asgi:create_app_from_environment`, with
HARNESS_DEMO_SHOP_VARIANT,
HARNESS_DEMO_SHOP_DB and HARNESS_DEMO_SHOP_GRAY_PERCENT.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import FastAPI

from harness_demo_shop.app import create_app
from harness_demo_shop.settings import DEFAULT_DB_URL, Settings


def create_app_from_environment(environ: Mapping[str, str] | None = None) -> FastAPI:
    env = os.environ if environ is None else environ
    return create_app(Settings(
        variant=env.get("HARNESS_DEMO_SHOP_VARIANT", "good"),
        db_url=env.get("HARNESS_DEMO_SHOP_DB", DEFAULT_DB_URL),
        gray_percent=float(env.get("HARNESS_DEMO_SHOP_GRAY_PERCENT", "0")),
    ))
