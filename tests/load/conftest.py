"""Shared fixtures of the load tests: the captured evidence folders and a way to derive
broken evidence from them (edit one copy, never the captured files), and the stand-in shop
served on a free loopback port."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.load.standin_shop import serve

DATA = Path(__file__).resolve().parents[1] / "data" / "load"


@pytest.fixture
def evidence(tmp_path: Path) -> Callable[[str], Path]:
    """Copy a captured evidence folder (good, missing-worker, emfile, lost-policies)."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(DATA / name, target)
        return target

    return copy


@pytest.fixture
def standin() -> Iterator[tuple[str, object]]:
    """The stand-in shop (tests/load/standin_shop.py) in a thread: (base URL, handler class,
    whose `shop.connections` counts accepted TCP connections)."""
    httpd = serve(0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.RequestHandlerClass
    finally:
        httpd.shutdown()
        httpd.server_close()
