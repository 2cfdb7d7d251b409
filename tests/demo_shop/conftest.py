"""Fixtures for the demo-shop tests: the real app over HTTP on a temp SQLite file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from shop_flows import ShopClient

from harness_demo_shop.settings import Settings


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., ShopClient]]:
    clients: list[ShopClient] = []

    def make(variant: str = "good", gray_percent: float = 0.0, db_name: str = "shop.db",
             **extra: Any) -> ShopClient:
        settings = Settings(variant=variant, gray_percent=gray_percent,
                            db_url=f"sqlite:///{tmp_path / db_name}", **extra)
        clients.append(ShopClient(settings))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., ShopClient]) -> ShopClient:
    return make_client()

