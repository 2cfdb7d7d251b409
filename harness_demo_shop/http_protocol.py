"""uvicorn's httptools protocol, sending what one loop turn writes to a connection in one go.

Why: uvicorn writes a response's head and its body with two `transport.write` calls, so every
answer cost two send() calls and two packets, and on loopback each send also runs the
receiver's TCP processing: a fifth of the shop's CPU under load-test traffic. The connection's
transport is wrapped so that writes made during one turn of the event loop are joined and
written once at the end of that turn (before a close, at once). Order, content and flow control
are unchanged; an answer leaves the process one loop turn later.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class WriteBehindTransport:
    """A transport whose writes within one loop turn go out as one write."""

    __slots__ = ("_held", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._held is None:
            self._held = [data]
            self._loop.call_soon(self.flush)
        else:
            self._held.append(data)

    def flush(self) -> None:
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:  # everything else is the transport's own
        return getattr(self._transport, name)


class WriteBehindHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol on a WriteBehindTransport (for `uvicorn.Config(http=...)`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        wrapped = WriteBehindTransport(transport, self.loop)
        super().connection_made(cast(asyncio.Transport, wrapped))
