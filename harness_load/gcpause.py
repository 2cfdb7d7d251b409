"""Garbage-collection pauses in a process that holds tens of thousands of connections.

CPython's collector runs a full (generation 2) collection whenever the objects that survived
into generation 2 have grown by a quarter since the last one, and a full collection walks every
tracked object. A load-generator worker with 18,000 buyers (or a shop worker with as many
connections) holds about a million of them, so each full collection stops the process for
hundreds of milliseconds, and while the users ramp up such collections come one after another:
the generator is late (event-loop lag) and the store looks slow, for a reason that belongs to
neither the store's code nor the load.

`GcPauses` measures every collection (gc.callbacks) so the evidence can show it; `freeze()`
moves everything alive now into CPython's permanent generation (gc.freeze), which the collector
no longer walks, so later collections only walk objects made since. Done every few seconds, a
full collection costs what the last few seconds allocated, not the whole heap. The price: a
reference cycle among frozen objects that later becomes garbage is never freed; in a bounded
load test, and in the demo shop, that is a little memory (the generator's resident memory per
user is in the evidence).

Stdlib only, so the demo shop can use it without importing Locust or gevent.
"""

from __future__ import annotations

import gc
import time
from typing import Any


class GcPauses:
    """Collections since the last `drain()`: how many, the longest and the total, in ms."""

    def __init__(self) -> None:
        self._started = 0.0
        self.count = 0
        self.max_ms = 0.0
        self.total_ms = 0.0

    def install(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause_ms = (time.perf_counter() - self._started) * 1000.0
        self.count += 1
        self.total_ms += pause_ms
        self.max_ms = max(self.max_ms, pause_ms)

    def drain(self) -> dict[str, float]:
        out = {"gc_collections": self.count, "gc_pause_ms_max": round(self.max_ms, 2),
               "gc_pause_ms_total": round(self.total_ms, 2)}
        self.count, self.max_ms, self.total_ms = 0, 0.0, 0.0
        return out


def freeze() -> int:
    """Move every object alive now out of the collector's reach; returns how many are frozen
    in all."""
    gc.freeze()
    return gc.get_freeze_count()
