"""What each shop worker does to itself before serving: a higher open-file limit, and a garbage
collector that does not walk a million long-lived objects on every full collection."""

from __future__ import annotations

import gc
import resource
import threading

# gc.freeze() this often in each worker: see freeze_garbage_collector
GC_FREEZE_EVERY_S = 5.0


def raise_open_file_limit() -> int:
    """Raise this process's soft RLIMIT_NOFILE to the hard limit; return the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1_048_576)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]



def freeze_garbage_collector(every_s: float = GC_FREEZE_EVERY_S,
                             stop: threading.Event | None = None) -> threading.Thread:
    """Every `every_s`, move what is alive into CPython's permanent generation (gc.freeze).

    A worker holding ~18,000 keep-alive connections has about a million tracked objects, and a
    full collection walks them all: a pause of hundreds of milliseconds for every request on
    that worker, again and again while connections pile up during a load test's ramp. Frozen
    objects are not walked, so a collection costs what the last seconds allocated. Cycles among
    frozen objects that die later are never freed: a little memory, in a demo shop."""
    stopped = stop or threading.Event()

    def loop() -> None:
        while not stopped.wait(every_s):
            gc.freeze()

    thread = threading.Thread(target=loop, name="gc-freeze", daemon=True)
    thread.start()
    return thread
