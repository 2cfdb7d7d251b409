"""Run by test_lean_http.py in a subprocess, gevent-patched as in a Locust worker (patching
must never happen inside pytest).

    python -m tests.load.lean_probe URL REQUESTS [NETWORK_TIMEOUT_S]

Opens 1,100 files first so every socket gets a file descriptor above 1023, then POSTs REQUESTS
journeys on one LeanConnection and prints, as JSON, the statuses, the errors (type and errno
name), the highest socket fd seen and how many connections the client opened.
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import sys  # noqa: E402

from harness_load.lean_http import LeanConnection  # noqa: E402
from harness_load.rlimit import raise_nofile_limit  # noqa: E402
from harness_load.socket_errors import classify_socket_error  # noqa: E402

FILLER_FILES = 1_100


def main(url: str, requests: int, network_timeout_s: float) -> None:
    raise_nofile_limit()
    filler = [open("/dev/null", "rb") for _ in range(FILLER_FILES)]  # noqa: SIM115
    conn = LeanConnection(url, connect_timeout_s=5.0, network_timeout_s=network_timeout_s)
    statuses: list[int] = []
    errors: list[list[str | None]] = []
    max_fd = -1
    body = json.dumps({"product": "travel", "visitor_id": "lean-probe"}).encode()
    for _ in range(requests):
        try:
            answer = conn.post_json("/api/journeys", body)
        except Exception as exc:  # the probe reports every failure
            errors.append([type(exc).__name__, classify_socket_error(exc)])
            continue
        statuses.append(answer.status)
        json.loads(answer.body)
        if conn.sock is not None:
            max_fd = max(max_fd, conn.sock.fileno())
    print(json.dumps({"filler_max_fd": max(f.fileno() for f in filler), "max_sock_fd": max_fd,
                      "statuses": statuses, "errors": errors,
                      "connections_opened": conn.connections_opened}))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 10.0)
