"""Garbage-collection pauses and the periodic freeze (harness_load/gcpause.py, and the demo
shop's workers, harness_demo_shop/server.py)."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pytest

from harness_demo_shop.server import freeze_garbage_collector
from harness_load.gcpause import GcPauses, freeze


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """Leave pytest's own heap as it was: whatever a test froze is unfrozen after it."""
    yield
    gc.unfreeze()


def test_measures_each_collection_and_drains() -> None:
    pauses = GcPauses().install()
    try:
        gc.collect()
        gc.collect()
        first = pauses.drain()
        second = pauses.drain()
    finally:
        pauses.uninstall()
    assert first["gc_collections"] >= 2
    assert 0 < first["gc_pause_ms_max"] <= first["gc_pause_ms_total"]
    assert second == {"gc_collections": 0, "gc_pause_ms_max": 0.0, "gc_pause_ms_total": 0.0}


def test_a_frozen_heap_is_not_walked_by_a_full_collection() -> None:
    """The point of freezing: a full collection over a million live objects takes long; after
    freeze() it only walks what was made since."""
    live = [[i] for i in range(1_000_000)]
    started = time.perf_counter()
    gc.collect()
    walked_s = time.perf_counter() - started
    assert freeze() >= len(live)
    started = time.perf_counter()
    gc.collect()
    frozen_s = time.perf_counter() - started
    assert frozen_s < walked_s / 5, (frozen_s, walked_s)


def test_the_shop_freezes_periodically_until_stopped() -> None:
    stop = threading.Event()
    thread = freeze_garbage_collector(0.01, stop)
    deadline = time.monotonic() + 5
    while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(2)
    assert gc.get_freeze_count() > 0
    assert not thread.is_alive()
