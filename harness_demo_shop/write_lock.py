"""A cross-process write lock (an flock in the temp directory) so SQLite writers take turns.

Why: SQLite only lets a process poll for its write lock, and a worker that polls with back-off
can miss the short gaps between another worker's transactions again and again (its requests then
wait hundreds of milliseconds). Waiting on an flock instead is a kernel queue: the waiter wakes
the moment the holder releases. Blocking waits run in a thread, never on the event loop.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile


class WriteLock:
    """Exclusive flock shared by every process that writes to one SQLite file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1
        self._pid = -1

    @classmethod
    def for_database(cls, database_path: str) -> WriteLock:
        """The lock of one SQLite file: named after its absolute path, kept out of the repo."""
        digest = hashlib.sha256(os.path.abspath(database_path).encode()).hexdigest()[:24]
        return cls(os.path.join(tempfile.gettempdir(), f"demo-shop-{digest}.writelock"))

    def _file(self) -> int:
        # an flock belongs to the open file description, which fork() shares: reopen per process
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd

    def try_acquire(self) -> bool:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def acquire(self) -> None:
        """Block until the lock is ours (call it in a thread)."""
        fcntl.flock(self._file(), fcntl.LOCK_EX)

    def release(self) -> None:
        fcntl.flock(self._file(), fcntl.LOCK_UN)

    def close(self) -> None:
        if self._pid == os.getpid() and self._fd >= 0:
            os.close(self._fd)
        self._fd, self._pid = -1, -1
