"""Group commit: one transaction for many requests, failures isolated per operation."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from harness_demo_shop.group_commit import GroupCommit, StoreBusy


class Recorder:
    """A real SQLite file behind a GroupCommit, counting transactions."""

    def __init__(self, path: Path, timeout: float = 0) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=timeout)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)")
        self.commits = 0
        self.writes = GroupCommit(self.begin, self.finish, self.is_busy)

    def begin(self) -> Any:
        cursor = self.conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor

    def finish(self, cursor: Any, commit: bool) -> None:
        self.conn.execute("COMMIT" if commit else "ROLLBACK")
        self.commits += int(commit)
        cursor.close()

    @staticmethod
    def is_busy(exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)

    def keys(self) -> list[str]:
        return [k for (k,) in self.conn.execute("SELECT k FROM t ORDER BY k")]


def _insert(key: str) -> Any:
    return lambda cursor: cursor.execute("INSERT INTO t (k) VALUES (?)", (key,)).rowcount


def test_concurrent_writes_share_one_commit_and_fail_alone(tmp_path: Path) -> None:
    store = Recorder(tmp_path / "g.db")

    async def main() -> list[Any]:
        keys = ["a", "b", "a", "c"]  # the second "a" violates the primary key
        return await asyncio.gather(*(store.writes.run(_insert(k)) for k in keys),
                                    return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == results[1] == results[3] == 1
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert store.keys() == ["a", "b", "c"]
    assert store.commits == 1


def test_a_write_alone_that_fails_halfway_leaves_nothing(tmp_path: Path) -> None:
    store = Recorder(tmp_path / "g.db")

    def half(cursor: Any) -> None:  # its first insert succeeds, its second one fails
        cursor.execute("INSERT INTO t (k) VALUES ('x')")
        cursor.execute("INSERT INTO t (k) VALUES ('x')")

    async def main() -> list[Any]:
        first = await store.writes.run(_insert("a"))
        failed = await asyncio.gather(store.writes.run(half), return_exceptions=True)
        return [first, *failed]

    first, failed = asyncio.run(main())
    assert first == 1 and isinstance(failed, sqlite3.IntegrityError)
    assert store.keys() == ["a"]
    assert store.commits == 1


def test_a_write_waits_for_another_process_lock_without_blocking_the_loop(
    tmp_path: Path,
) -> None:
    store = Recorder(tmp_path / "g.db")
    other = sqlite3.connect(tmp_path / "g.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.001)

    async def main() -> int:
        tick_task = asyncio.create_task(ticker())
        asyncio.get_running_loop().call_later(0.05, other.execute, "COMMIT")
        result: int = await store.writes.run(_insert("x"))
        tick_task.cancel()
        return result

    assert asyncio.run(main()) == 1
    assert store.keys() == ["x"]
    assert ticks >= 10  # the loop kept running while the lock was held elsewhere


def test_a_lock_held_too_long_is_reported_as_busy(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harness_demo_shop.group_commit.MAX_LOCK_WAIT_S", 0.05)
    store = Recorder(tmp_path / "g.db")
    other = sqlite3.connect(tmp_path / "g.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreBusy):
        asyncio.run(store.writes.run(_insert("y")))
    other.execute("ROLLBACK")
    assert store.keys() == []


def test_the_write_lock_makes_writers_take_turns(tmp_path: Path) -> None:
    from harness_demo_shop.write_lock import WriteLock

    path = str(tmp_path / "x.writelock")
    first, second = WriteLock(path), WriteLock(path)
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
    first.close()
    second.close()


def test_a_flush_waits_for_the_write_lock_in_a_thread(tmp_path: Path) -> None:
    from harness_demo_shop.write_lock import WriteLock

    store = Recorder(tmp_path / "g.db")
    store.writes.lock = WriteLock(str(tmp_path / "g.writelock"))
    holder = WriteLock(str(tmp_path / "g.writelock"))
    assert holder.try_acquire()

    async def main() -> int:
        asyncio.get_running_loop().call_later(0.05, holder.release)
        result: int = await store.writes.run(_insert("z"))
        return result

    assert asyncio.run(main()) == 1
    assert store.keys() == ["z"]
    assert holder.try_acquire()  # released again by the flush
    holder.close()
    store.writes.lock.close()
