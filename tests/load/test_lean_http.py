"""The lean client of the simulated buyer (harness_load/lean_http.py).

Against real sockets (in a gevent-patched subprocess, as in a Locust worker): one kept
connection above fd 1023, a new connection when the store closed the idle one, a deadline when
the store never answers. The response reader is also fed byte streams directly (the socket is
the seam): split reads, chunked bodies, interim answers, bodies that end with the connection,
and the malformed answers it must refuse with a message.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from harness_load.lean_http import LeanConnection, ProtocolError, _read_answer

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = 50


def probe(url: str, requests: int = REQUESTS, timeout_s: float = 10.0) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "tests.load.lean_probe", url, str(requests),
                           str(timeout_s)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


class RawServer:
    """Accepts connections and answers each request with `answer(n)` bytes (n counts requests),
    then closes the connection when `close_after` says so; `None` never answers."""

    def __init__(self, answer: bytes | None, close_after: bool) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.answer, self.close_after = answer, close_after
        self.accepted = 0
        self.threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, rest = buf.partition(b"\r\n\r\n")
                length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length")))
                while len(rest) < length:
                    rest += conn.recv(65536)
                buf = rest[length:]
                if self.answer is None:
                    conn.recv(1)  # never answer; wait for the client to give up
                    return
                conn.sendall(self.answer)
                if self.close_after:
                    return

    def close(self) -> None:
        self.listener.close()


JSON_201 = (b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"
            b"content-length: 36\r\n\r\n"
            b'{"journey_id": "j1", "next": "pay"}\n')


def test_keeps_one_connection_above_fd_1023(standin: tuple[str, object]) -> None:
    url, handler = standin
    result = probe(url)
    assert result["errors"] == []
    assert result["statuses"] == [201] * REQUESTS
    assert int(str(result["max_sock_fd"])) > 1024
    assert result["connections_opened"] == 1
    assert handler.shop.connections == 1  # type: ignore[attr-defined]


def test_reconnects_when_the_store_closed_the_idle_connection() -> None:
    """The store closes after answering, without saying so: the next request must notice
    (poll) and open a new connection instead of failing."""
    server = RawServer(JSON_201, close_after=True)
    try:
        result = probe(server.url, requests=10)
    finally:
        server.close()
    assert result["errors"] == []
    assert result["statuses"] == [201] * 10
    assert result["connections_opened"] == 10
    assert server.accepted == 10


def test_a_new_connection_closed_without_an_answer_is_a_store_failure() -> None:
    """Sent once (the request was not on a reused connection, so no resend), and classified
    as the store's failure (ECONNRESET), not the generator's."""
    server = RawServer(b"", close_after=True)
    try:
        result = probe(server.url, requests=3)
    finally:
        server.close()
    assert result["statuses"] == []
    assert result["errors"] == [["NoAnswer", "ECONNRESET"]] * 3
    assert server.accepted == 3


def test_a_store_that_never_answers_hits_the_deadline() -> None:
    server = RawServer(None, close_after=False)
    try:
        result = probe(server.url, requests=2, timeout_s=0.5)
    finally:
        server.close()
    assert result["statuses"] == []
    assert result["errors"] == [["TimeoutError", "ETIMEDOUT"]] * 2


def test_refuses_a_base_url_it_cannot_speak_to() -> None:
    with pytest.raises(ValueError, match="http://"):
        LeanConnection("https://127.0.0.1:8443")


class Stream:
    """A socket stand-in that hands out `parts` one recv() at a time, then EOF."""

    def __init__(self, *parts: bytes) -> None:
        self.parts = list(parts)

    def recv(self, _size: int) -> bytes:
        return self.parts.pop(0) if self.parts else b""


def test_reads_a_body_split_over_many_reads() -> None:
    raw = JSON_201
    answer = _read_answer(Stream(*[raw[i:i + 7] for i in range(0, len(raw), 7)]))
    assert answer.status == 201
    assert json.loads(answer.body) == {"journey_id": "j1", "next": "pay"}
    assert answer.keep_alive


def test_reads_chunked_bodies_with_extensions_and_trailers() -> None:
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
    answer = _read_answer(Stream(raw[:30], raw[30:]))
    assert (answer.status, answer.body) == (200, b"hello world")


def test_skips_interim_answers_and_honours_connection_close() -> None:
    raw = (b"HTTP/1.1 100 Continue\r\n\r\n"
           b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno")
    answer = _read_answer(Stream(raw))
    assert (answer.status, answer.body, answer.keep_alive) == (503, b"no", False)


def test_a_body_without_length_runs_to_the_end_of_the_connection() -> None:
    answer = _read_answer(Stream(b"HTTP/1.0 200 OK\r\n\r\nab", b"cd"))
    assert (answer.body, answer.keep_alive) == (b"abcd", False)


@pytest.mark.parametrize(("raw", "error", "text"), [
    (b"", ConnectionResetError, "before answering"),
    (b"HTTP/1.1 200 OK\r\nContent-Le", ConnectionResetError, "inside the response headers"),
    (b"SMTP ready\r\n\r\n", ProtocolError, "not an HTTP/1.x status line"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", ProtocolError, "malformed header"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ProtocolError, "bad Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", ConnectionResetError,
     "after 5 of 10 body bytes"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", ProtocolError, "5 unexpected"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ProtocolError,
     "bad chunk size"),
])
def test_refuses_broken_answers_with_a_message(raw: bytes, error: type[Exception],
                                               text: str) -> None:
    with pytest.raises(error, match=text):
        _read_answer(Stream(raw))
