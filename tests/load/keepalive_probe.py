"""Run by test_keepalive.py in a subprocess (Locust's import monkey-patches the process with
gevent, which must never happen inside pytest).

    python -m tests.load.keepalive_probe URL patched|unpatched REQUESTS

Opens 1,100 files first so every new socket gets a file descriptor above 1023, then sends
REQUESTS requests on one FastHttpSession and prints the highest socket fd seen as JSON.
"""

from __future__ import annotations

import json
import sys

from locust.contrib.fasthttp import FastHttpSession
from locust.event import EventHook

from harness_load import keepalive
from harness_load.rlimit import raise_nofile_limit

FILLER_FILES = 1_100


def main(url: str, mode: str, requests: int) -> None:
    if mode == "patched":
        keepalive.apply()
    raise_nofile_limit()
    filler = [open("/dev/null", "rb") for _ in range(FILLER_FILES)]  # noqa: SIM115
    failures: list[object] = []
    hook = EventHook()
    hook.add_listener(lambda exception=None, **_: failures.append(exception) if exception
                      else None)
    session = FastHttpSession(url, hook, user=None)
    for _ in range(requests):
        session.get("/healthz")
    print(json.dumps({"filler_max_fd": max(f.fileno() for f in filler),
                      "patched": keepalive.is_applied(), "failures": len(failures)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
