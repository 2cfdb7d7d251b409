"""Does the store still answer after the load phase?

A store that went down under the load (crashed, killed, out of memory) would otherwise be
driven by the gray visitors and the browser journeys that follow, each failing against a dead
port and wasting minutes, and its criteria would read as if the pages were broken. After the
load phase `harness run` tries a TCP connection to the store's host and port for a few seconds;
when none is accepted, the phases that need the store are not run, the features judge what was
measured, and this Source makes the verdict INCONCLUSIVE saying so (harness.verdict.decide).
RUN_DIR/store-down.json keeps it for a re-judge (`harness verdict RUN`).

A TCP connection, not an HTTP request: any answer at all (a 404, a TLS certificate the harness
would not trust) shows the store is up; only a refused or unanswered connection shows it is not.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from harness.markers import recorded_source
from harness.model import Source
from harness.secret import mask_url

SOURCE_NAME = "store after the load"
MARKER = "store-down.json"
WAIT_S = 10.0


def store_refuses(url: str, wait_s: float = WAIT_S, connect_timeout_s: float = 2.0) -> str | None:
    """None when the store at `url` accepts a TCP connection within `wait_s`; else why not (the
    last error)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return f"no port in {mask_url(url)}: {exc}"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=connect_timeout_s):
                return None
        except OSError as exc:
            last = f"{type(exc).__name__}: {exc.strerror or exc}"
        if time.monotonic() >= deadline:
            return last
        time.sleep(0.5)


def store_down_source(run_dir: Path, url: str, why: str) -> Source:
    """The Source the judge turns into an INCONCLUSIVE blocker, recorded in the run directory."""
    detail = (f"the store at {mask_url(url)} did not answer after the load phase ({why}, for "
              f"{WAIT_S:g} s): the phases after it (the gray visitors, the browser journeys) "
              "were not run against a dead store and what they measure is missing; find out "
              "from the store's log why it stopped, then run again")
    with contextlib.suppress(OSError):
        (run_dir / MARKER).write_text(json.dumps({"url": mask_url(url), "why": why,
                                                  "detail": detail}) + "\n", encoding="utf-8")
    return Source(SOURCE_NAME, 3, mask_url(url), detail)


def recorded_store_down(run_dir: Path) -> Source | None:
    """The dead store RUN_DIR/store-down.json records, or None; unreadable, it still counts."""
    return recorded_source(Path(run_dir) / MARKER, SOURCE_NAME, 3, "store down",
                           "the store did not answer after the load phase")


def is_store_down_source(source: Source) -> bool:
    return source.name == SOURCE_NAME
