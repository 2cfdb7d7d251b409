"""A full disk under the run directory: the run stops measuring, judges what it has, and its
verdict is INCONCLUSIVE saying so, never a NO-GO blamed on the store or a crash.

    with DiskGuard(run_dir) as disk:     # sets RESERVE_BYTES aside, gives it back at the end
        with disk.watch("load"):         # ENOSPC in a phase ends it (and the phases after it)
            ...
    sources += disk.sources()            # a Source the judge turns into an INCONCLUSIVE blocker

A phase whose child process hit the full disk (Locust, the shop's database, Chromium's
screenshots) raises nothing here: the free space left after each phase tells.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from harness.markers import recorded_source
from harness.model import Source

SOURCE_NAME = "run directory disk"
RESERVE_NAME = ".disk-reserve"
MARKER = "disk-full.json"
RESERVE_BYTES = 2 * 1024 * 1024  # criteria.jsonl, verdict.json/.md, junit.xml of a whole run
LOW_BYTES = 256 * 1024  # less than this free after a phase: the disk filled up during it
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL_ERRNOS


def free_bytes(path: Path) -> int:
    try:
        return int(shutil.disk_usage(path).free)
    except OSError:
        return -1


class DiskFull(OSError):
    """Raised when not even the reserve fits: nothing worth measuring can be written."""


@dataclass
class DiskGuard:
    run_dir: Path
    full_in: str | None = None  # the phase during which the disk filled up
    what: str = ""
    reserved: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        path = self.run_dir / RESERVE_NAME
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.posix_fallocate(fd, 0, RESERVE_BYTES)
            finally:
                os.close(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            if is_disk_full(exc):
                raise DiskFull(exc.errno, f"the disk holding {self.run_dir} has less than "
                               f"{RESERVE_BYTES // 1024 // 1024} MiB free ({exc.strerror}): "
                               "the evidence of a run would not fit; free some space or "
                               "choose another --reports") from exc
            return  # no fallocate here (an odd file system): run without a reserve
        self.reserved = True

    def __enter__(self) -> DiskGuard:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    @property
    def full(self) -> bool:
        return self.full_in is not None

    @contextlib.contextmanager
    def watch(self, phase: str) -> Iterator[None]:
        """Run one phase: a full disk (ENOSPC raised, or nearly no space left after it) ends
        it and marks the run; any other exception goes on up."""
        try:
            yield
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self._mark(phase, f"{exc.strerror}" + (f" writing {exc.filename}"
                                                   if exc.filename else ""))
            return
        left = free_bytes(self.run_dir)
        if 0 <= left < LOW_BYTES and not self.full:
            self._mark(phase, f"only {left // 1024:,} KiB were left free after it")

    def _mark(self, phase: str, what: str) -> None:
        if not self.full:
            self.full_in, self.what = phase, what
            print(f"harness: the disk of {self.run_dir} is full ({what}) during the {phase} "
                  "phase: no more phases run; judging the evidence written so far", flush=True)

    def release(self) -> None:
        """Give the reserve back (before the verdict files are written)."""
        if self.reserved:
            with contextlib.suppress(OSError):
                (self.run_dir / RESERVE_NAME).unlink()
            self.reserved = False

    def sources(self) -> list[Source]:
        """[] when the disk had room, else one Source the judge turns into an INCONCLUSIVE
        blocker (harness.verdict.decide)."""
        if not self.full:
            return []
        detail = (f"the disk holding the run directory {self.run_dir} filled up during the "
                  f"{self.full_in} phase ({self.what}); the evidence written after that is "
                  "missing or cut, and the phases after it did not run; free some space (or "
                  "choose another --reports) and run again")
        with contextlib.suppress(OSError):  # `harness verdict` re-judges it so too
            (self.run_dir / MARKER).write_text(json.dumps({"phase": self.full_in, "what":
                                                           self.what, "detail": detail}) + "\n",
                                               encoding="utf-8")
        return [Source(SOURCE_NAME, 4, "disk full", detail)]


def recorded_disk_full(run_dir: Path) -> Source | None:
    """The full disk RUN_DIR/disk-full.json records, or None; unreadable, it still counts."""
    return recorded_source(Path(run_dir) / MARKER, SOURCE_NAME, 4, "disk full",
                           "the run directory's disk filled up during the run")


def is_disk_source(source: Source) -> bool:
    return source.name == SOURCE_NAME
