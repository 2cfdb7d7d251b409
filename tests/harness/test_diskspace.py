"""A full disk under the run directory (harness.diskspace): a phase that hits it ends, the room
set aside is given back for the verdict, and the verdict is INCONCLUSIVE saying so, even when
a criterion failed (a store whose database was on that disk failed for that reason). The live
run on a 20 MB tmpfs is tests/reliability/test_faults.py."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from harness import diskspace
from harness.diskspace import RESERVE_NAME, DiskFull, DiskGuard
from harness.model import Decision, Status
from harness.policy import Policy
from harness.verdict import CANCELLED_ID, DISK_ID, decide
from tests.harness.factories import criterion


def test_the_reserve_is_set_aside_and_given_back(tmp_path: Path) -> None:
    disk = DiskGuard(tmp_path)
    assert (tmp_path / RESERVE_NAME).stat().st_size == diskspace.RESERVE_BYTES
    disk.release()
    assert not (tmp_path / RESERVE_NAME).exists()
    assert disk.sources() == []


def test_no_space_in_a_phase_ends_it_and_voids_the_run(tmp_path: Path) -> None:
    disk = DiskGuard(tmp_path)
    ran_after = False
    with disk.watch("load"):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "purchases.jsonl"))
        ran_after = True  # pragma: no cover
    assert disk.full and not ran_after
    (source,) = disk.sources()
    assert "filled up during the load phase (No space left on device writing" in source.detail
    verdict = decide([criterion(status=Status.FAILED), criterion("flow :: other")], Policy(),
                     sources=[source])
    assert verdict.decision is Decision.INCONCLUSIVE  # not the NO-GO of the failed criterion
    assert verdict.reasons == (DISK_ID, "flow :: steps")


def test_other_errors_go_on_up(tmp_path: Path) -> None:
    disk = DiskGuard(tmp_path)
    with pytest.raises(PermissionError), disk.watch("gray"):
        raise PermissionError(errno.EACCES, "Permission denied")
    assert not disk.full


def test_almost_no_space_left_after_a_phase_counts_as_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disk = DiskGuard(tmp_path)
    with disk.watch("load"):
        pass
    assert not disk.full  # plenty of room here
    monkeypatch.setattr(diskspace, "free_bytes", lambda _path: 4096)
    with disk.watch("browser evidence"):
        pass
    assert disk.full
    assert "during the browser evidence phase (only 4 KiB were left free" in \
        disk.sources()[0].detail


def test_no_room_for_the_reserve_is_a_disk_full_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_fd: int, _offset: int, _length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(diskspace.os, "posix_fallocate", full)
    with pytest.raises(DiskFull, match="has less than 2 MiB free"):
        DiskGuard(tmp_path)
    assert not (tmp_path / RESERVE_NAME).exists()


def test_a_cancelled_run_on_a_full_disk_names_both(tmp_path: Path) -> None:
    from harness.model import Source

    disk = DiskGuard(tmp_path)
    with disk.watch("load"):
        raise OSError(errno.EDQUOT, "Disk quota exceeded")
    cancelled = Source("run cancelled", 143, "SIGTERM", "cancelled by SIGTERM")
    verdict = decide([criterion()], Policy(), sources=[cancelled, *disk.sources()])
    assert verdict.decision is Decision.INCONCLUSIVE
    assert verdict.reasons == (CANCELLED_ID, DISK_ID)
