"""Keep-alive above file descriptor 1023: replace geventhttpclient's select()-based check.

geventhttpclient 2.6.1 (`ConnectionPool._is_socket_alive`, connectionpool.py) decides whether a
pooled keep-alive connection is still usable with `select.select([sock], [], [], 0.0)`. Under
gevent's monkey-patching that is gevent's select, which calls the real select(2) first and so
raises ValueError("filedescriptor out of range in select()") for any fd >= 1024 (FD_SETSIZE).
The pool catches the error, treats the connection as dead, closes it and opens a new one: once
a process holds about 1,000 sockets every request opens a new TCP connection (measured here:
38,638 connections for 3,000 users in 20 s), burning ephemeral ports and generator CPU, so the
load test measures connection set-up instead of the target.

The replacement asks the same question with the un-patched poll(2), which has no fd limit and
with a zero timeout never blocks the event loop: an idle keep-alive socket must not be readable
(readable means the peer closed it, or left unread bytes) and must not report an error or
hang-up. Applied by the locustfile at import; `apply()` is idempotent.
"""

from __future__ import annotations

import select
from typing import Any

from gevent import monkey
from geventhttpclient.connectionpool import ConnectionPool

_poll: Any = monkey.get_original("select", "poll")
_BAD = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


def socket_is_idle_open(sock: Any) -> bool:
    """True when `sock` is an open, idle connection (poll-based; any fd number). Also used by
    the lean client (harness_load/lean_http.py) before it reuses a kept connection."""
    try:
        fd = sock.fileno()
        if fd < 0:
            return False
        poller = _poll()
        poller.register(fd, _BAD)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


def is_socket_alive(self: ConnectionPool, sock: Any) -> bool:
    """geventhttpclient's pool check, answered by `socket_is_idle_open`."""
    return sock is not None and socket_is_idle_open(sock)


def apply() -> None:
    """Patch ConnectionPool so every FastHttpUser session uses the poll-based check."""
    ConnectionPool._is_socket_alive = is_socket_alive  # type: ignore[method-assign]


def is_applied() -> bool:
    return ConnectionPool._is_socket_alive is is_socket_alive
