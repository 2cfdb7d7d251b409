"""Group commit: the writes of all requests in flight in one worker share one transaction.

Why: several worker processes write to one SQLite file, and handing its write lock from process
to process costs far more than the writes themselves. Each worker therefore queues its
requests' write operations; one flush takes the lock (waiting asynchronously, never inside
sqlite's sleeping busy handler, which would freeze the event loop), runs every queued operation
in its own SAVEPOINT (one failing operation - a stale journey, a duplicate payment key - is
rolled back alone and its exception goes to its own request; an operation alone in its batch
needs none: its failure rolls the transaction back), commits once and wakes the requests. A
request still sees its write committed before it is answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from harness_demo_shop.write_lock import WriteLock

T = TypeVar("T")
Operation = Callable[[Any], Any]
MAX_LOCK_WAIT_S = 10.0


class StoreBusy(Exception):
    """The database stayed locked by another process for longer than MAX_LOCK_WAIT_S."""


class GroupCommit:
    """Queue of write operations of one process, flushed in shared transactions."""

    def __init__(self, begin: Callable[[], Any], finish: Callable[[Any, bool], None],
                 is_busy: Callable[[BaseException], bool], lock: WriteLock | None = None) -> None:
        """`begin()` opens a write transaction and returns its cursor (raising an error for
        which `is_busy(error)` is true while another process holds the lock);
        `finish(cursor, commit)` commits or rolls back and closes the cursor; `lock`, when
        given, is taken around each transaction so that the writing processes take turns."""
        self._begin = begin
        self._finish = finish
        self.is_busy = is_busy
        self.lock = lock
        self._pending: list[tuple[Operation, asyncio.Future[Any]]] = []
        self._flushing = False

    async def run(self, operation: Callable[[Any], T]) -> T:
        """Run `operation(cursor)` in the next shared transaction; return or raise its result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((operation, future))
        if not self._flushing:
            self._flushing = True
            self._task = loop.create_task(self._flush_all())
        result: T = await future
        return result

    async def _flush_all(self) -> None:
        try:
            await asyncio.sleep(0)  # let the requests that are ready now join this batch
            while self._pending:
                batch, self._pending = self._pending, []
                await self._flush(batch)
        finally:
            self._flushing = False

    async def _flush(self, batch: list[tuple[Operation, asyncio.Future[Any]]]) -> None:
        lock = self.lock
        if lock is not None and not lock.try_acquire():
            await asyncio.get_running_loop().run_in_executor(None, lock.acquire)
        try:
            await self._commit(batch)
        finally:
            if lock is not None:
                lock.release()

    async def _commit(self, batch: list[tuple[Operation, asyncio.Future[Any]]]) -> None:
        try:
            cursor = await self._locked_cursor()
        except BaseException as exc:
            for _, future in batch:
                future.set_exception(exc)
            return
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        alone = len(batch) == 1  # its own transaction serves as its savepoint
        try:
            for operation, future in batch:
                outcomes.append((future, *self._apply(cursor, operation, not alone)))
            self._finish(cursor, not alone or outcomes[0][2] is None)
        except BaseException as exc:  # the commit itself failed: nobody's write happened
            self._finish(cursor, False)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result, error in outcomes:
            if future.cancelled():
                continue
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    @staticmethod
    def _apply(cursor: Any, operation: Operation,
               savepoint: bool) -> tuple[Any, BaseException | None]:
        """Run one operation, in a SAVEPOINT when it shares the transaction (a failed one is
        rolled back alone); without, the caller rolls the whole transaction back on failure."""
        if savepoint:
            cursor.execute("SAVEPOINT op")
        try:
            result = operation(cursor)
        except Exception as exc:
            if savepoint:
                cursor.execute("ROLLBACK TO SAVEPOINT op")
                cursor.execute("RELEASE SAVEPOINT op")
            return None, exc
        if savepoint:
            cursor.execute("RELEASE SAVEPOINT op")
        return result, None

    async def _locked_cursor(self) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_LOCK_WAIT_S
        attempt = 0
        while True:
            try:
                return self._begin()
            except Exception as exc:
                if not self.is_busy(exc):
                    raise
                if loop.time() > deadline:
                    raise StoreBusy("the database stayed locked by another process") from exc
            await asyncio.sleep(0 if attempt < 2 else min(0.0002 * 2 ** (attempt - 2), 0.005))
            attempt += 1
