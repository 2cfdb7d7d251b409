"""Keep-alive with more than 1,024 open sockets in one process (harness_load/keepalive.py).

geventhttpclient 2.6.1 checks a pooled connection with select(), which fails for fds >= 1024,
so without the fix every request opens a new connection. The server here counts accepted
connections: 50 requests on one session must reuse one (or a handful), not open 50.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 50


def probe(url: str, mode: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "tests.load.keepalive_probe", url, mode,
                           str(REQUESTS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def connections(handler: object) -> int:
    return int(handler.shop.connections)  # type: ignore[attr-defined]


def test_patched_pool_reuses_one_connection_above_fd_1023(
        standin: tuple[str, object]) -> None:
    url, handler = standin
    result = probe(url, "patched")
    assert result["patched"] is True
    assert int(str(result["filler_max_fd"])) > 1024
    assert result["failures"] == 0
    assert connections(handler) <= 3, f"{connections(handler)} connections for {REQUESTS}"


def test_unpatched_pool_opens_a_connection_per_request(standin: tuple[str, object]) -> None:
    """The bug the fix is for: proves the test above can see it."""
    url, handler = standin
    result = probe(url, "unpatched")
    assert result["patched"] is False
    assert connections(handler) >= REQUESTS - 1
