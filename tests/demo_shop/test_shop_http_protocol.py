"""The write-behind transport under the shop's uvicorn protocol: one write per loop turn, in
order, and nothing lost on close."""

from __future__ import annotations

import asyncio
from typing import Any

from harness_demo_shop.http_protocol import WriteBehindTransport


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str) -> Any:
        return f"extra {name}"


def test_writes_of_one_loop_turn_leave_as_one() -> None:
    async def main() -> FakeTransport:
        inner = FakeTransport()
        wrapped = WriteBehindTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
        wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
        wrapped.write(b"body")
        assert inner.writes == []
        await asyncio.sleep(0)
        wrapped.write(b"next")
        await asyncio.sleep(0)
        assert wrapped.get_extra_info("peername") == "extra peername"
        return inner

    assert asyncio.run(main()).writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]


def test_close_sends_what_is_held_first() -> None:
    async def main() -> FakeTransport:
        inner = FakeTransport()
        wrapped = WriteBehindTransport(inner, asyncio.get_running_loop())  # type: ignore[arg-type]
        wrapped.write(b"last words")
        wrapped.close()
        await asyncio.sleep(0)
        return inner

    inner = asyncio.run(main())
    assert inner.writes == [b"last words"] and inner.closed
