"""A lean keep-alive HTTP/1.1 client for the simulated buyer: one socket per user, JSON POSTs.

Why not Locust's FastHttpSession: measured here at ~500 requests/s, a buyer on FastHttpUser cost
~0.61 ms of generator CPU per request, most of it in general-purpose machinery the journey does
not need (URL parsing, header objects, cookie jars, connection pools, response wrappers); on two
shared cores that CPU is taken from the store under test, so it caps how many buyers one machine
can simulate. This client does one thing: it keeps one connection to one store address, sends a
pre-formatted POST with a JSON body and reads one response (Content-Length or chunked), under
one deadline per request. bench/bench_load.py measures both side by side.

Keep-alive: a kept socket is reused only when poll(2) (any fd number: no select() limit at
1024, see harness_load/keepalive.py) says it is idle and open; a socket the store closed while the
buyer was thinking is replaced by a new connection before sending. Socket errors are raised as
they are (OSError with errno: EADDRNOTAVAIL, EMFILE...), so the validity gate can tell a
generator failure from a store failure; a deadline raises `TimeoutError`.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import gevent

from harness_load.keepalive import socket_is_idle_open

MAX_HEADER_BYTES = 64 * 1024
RECV_BYTES = 65536


class ProtocolError(Exception):
    """The store's answer is not HTTP/1.1 this client understands (it says what it saw)."""


class NoAnswer(ConnectionResetError):
    """The connection ended before the first byte of an answer."""


def _closed(message: str, cls: type[ConnectionResetError] = ConnectionResetError,
            ) -> ConnectionResetError:
    """The store ended the connection (errno ECONNRESET: a store-side failure, not the
    generator's, for harness_load/socket_errors.py)."""
    return cls(errno.ECONNRESET, message)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    keep_alive: bool


class LeanConnection:
    """One buyer's connection to one store address (`http://127.0.0.2:8000`)."""

    def __init__(self, base_url: str, connect_timeout_s: float = 10.0,
                 network_timeout_s: float = 30.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"lean client needs an http:// base URL, not {base_url!r}")
        self.address = (parts.hostname, parts.port or 80)
        self.prefix = parts.path.rstrip("/")
        self._host_header = parts.netloc
        self.connect_timeout_s = connect_timeout_s
        self.network_timeout_s = network_timeout_s
        self.sock: socket.socket | None = None
        self.connections_opened = 0

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def post_json(self, path: str, body: bytes) -> Answer:
        """POST `body` (JSON bytes) to `path`; one response, or OSError/TimeoutError/
        ProtocolError. The connection is closed after any error.

        A kept connection the store closed just as it was reused (its FIN still in flight when
        poll looked) fails before any answer byte; like a browser, the request is then sent
        once more on a new connection: the store never read it."""
        head = (f"POST {self.prefix}{path} HTTP/1.1\r\nHost: {self._host_header}\r\n"
                f"Content-Type: application/json\r\nAccept: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode("ascii")
        try:
            with gevent.Timeout(self.network_timeout_s, TimeoutError("timed out")):
                reused = self.sock is not None and socket_is_idle_open(self.sock)
                try:
                    answer = self._exchange(reused, head + body)
                except NoAnswer:
                    if not reused:
                        raise
                    self.close()
                    answer = self._exchange(False, head + body)
        except BaseException:
            self.close()
            raise
        if not answer.keep_alive:
            self.close()
        return answer

    def _exchange(self, reuse: bool, request: bytes) -> Answer:
        sock = self.sock if reuse and self.sock is not None else self._connect()
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _closed(f"no answer: {exc}", NoAnswer) from exc
        return _read_answer(sock)

    def _connect(self) -> socket.socket:
        self.close()
        sock = socket.create_connection(self.address, timeout=self.connect_timeout_s)
        sock.settimeout(None)  # the per-request deadline above bounds every wait
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.connections_opened += 1
        return sock



def _read_answer(sock: Any) -> Answer:
    """Read one HTTP/1.1 response: status line, headers, then the body by Content-Length or
    chunked transfer coding (1xx interim answers are skipped)."""
    buf = b""
    while True:
        end = buf.find(b"\r\n\r\n")
        while end < 0:
            if len(buf) > MAX_HEADER_BYTES:
                raise ProtocolError(f"response headers longer than {MAX_HEADER_BYTES} bytes")
            try:
                chunk = sock.recv(RECV_BYTES)
            except ConnectionResetError as exc:
                if buf:
                    raise
                raise _closed(f"no answer: {exc}", NoAnswer) from exc
            if not chunk and not buf:
                raise _closed("the store closed the connection before answering", NoAnswer)
            if not chunk:
                raise _closed("the store closed the connection inside the response headers")
            buf += chunk
            end = buf.find(b"\r\n\r\n")
        status, headers = _parse_head(buf[:end])
        buf = buf[end + 4:]
        if not 100 <= status < 200:
            break
    keep_alive = headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body, rest = _read_chunked(sock, buf)
    elif "content-length" in headers:
        body, rest = _read_exactly(sock, buf, _content_length(headers["content-length"]))
    elif status in (204, 304):
        body, rest = b"", buf
    else:  # no length: the body runs to the end of the connection
        body, rest, keep_alive = _read_to_close(sock, buf), b"", False
    if rest:
        raise ProtocolError(f"{len(rest)} unexpected bytes after the response")
    return Answer(status, body, keep_alive)


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ProtocolError(f"malformed header line: {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return int(code), headers


def _content_length(raw: str) -> int:
    if not raw.isdigit():
        raise ProtocolError(f"bad Content-Length {raw[:40]!r}")
    return int(raw)


def _read_exactly(sock: Any, buf: bytes, size: int) -> tuple[bytes, bytes]:
    while len(buf) < size:
        chunk = sock.recv(max(RECV_BYTES, size - len(buf)))
        if not chunk:
            raise _closed(f"the store closed the connection after {len(buf)} of {size} body bytes")
        buf += chunk
    return buf[:size], buf[size:]


def _read_line(sock: Any, buf: bytes) -> tuple[bytes, bytes]:
    end = buf.find(b"\r\n")
    while end < 0:
        if len(buf) > MAX_HEADER_BYTES:
            raise ProtocolError("chunk-size line too long")
        chunk = sock.recv(RECV_BYTES)
        if not chunk:
            raise _closed("the store closed the connection inside a chunked body")
        buf += chunk
        end = buf.find(b"\r\n")
    return buf[:end], buf[end + 2:]


def _read_chunked(sock: Any, buf: bytes) -> tuple[bytes, bytes]:
    parts: list[bytes] = []
    while True:
        line, buf = _read_line(sock, buf)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size {size_text[:20]!r}") from None
        if size == 0:
            while True:  # trailer fields up to the empty line
                line, buf = _read_line(sock, buf)
                if not line:
                    return b"".join(parts), buf
        data, buf = _read_exactly(sock, buf, size + 2)
        if data[-2:] != b"\r\n":
            raise ProtocolError("chunk not followed by CRLF")
        parts.append(data[:-2])


def _read_to_close(sock: Any, buf: bytes) -> bytes:
    parts = [buf]
    while chunk := sock.recv(RECV_BYTES):
        parts.append(chunk)
    return b"".join(parts)
