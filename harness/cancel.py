"""Cancellation: SIGINT or SIGTERM stops everything a run started, keeps the evidence so far and
leaves an INCONCLUSIVE verdict that says so; a second signal exits at once.

    with signals():                  # `harness` (cli.main) and the load launcher
        ...
    with guard(run_dir) as cancel:   # `harness run`: wraps the phases
        ...
    sources += cancel.sources(info)  # a Source the judge turns into an INCONCLUSIVE criterion

`signals()` installs this module's handlers for SIGINT and SIGTERM whatever was inherited (CI
runners start jobs with SIGINT ignored; SIGTERM is how they cancel one), makes this process a
child subreaper on Linux (so a grandchild whose parent died, a Chromium of a killed pytest, is
still found), and restores everything on exit. The first signal raises `Cancelled` (a
KeyboardInterrupt, so every `finally` and `except KeyboardInterrupt` cleanup runs) after taking
a snapshot of the process tree; inside `deferred()` it is held until the block ends, so a
cleanup is never cut in half. The second signal kills every process the run started with
SIGKILL and exits with 128 + the signal number, without waiting.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from harness.model import Source

if TYPE_CHECKING:  # psutil loads when a process tree is looked at (doctor works without it)
    import psutil

SIGNALS = (signal.SIGINT, signal.SIGTERM)
SOURCE_NAME = "run cancelled"
# how long a cancelled run's processes get to stop on SIGTERM before SIGKILL
CANCEL_GRACE_S = 5.0
MARKER = "cancelled.json"
_PR_SET_CHILD_SUBREAPER = 36


class Cancelled(KeyboardInterrupt):
    """The run was cancelled by a signal; `signum` says which."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"cancelled by {self.signal_name}")

    @property
    def signal_name(self) -> str:
        return signal_name(self.signum)


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


@dataclass
class _State:
    depth: int = 0
    previous: dict[int, Any] = field(default_factory=dict)
    signum: int | None = None
    received_at: float | None = None
    raised: bool = False
    deferring: int = 0
    snapshot: list[psutil.Process] = field(default_factory=list)
    run_dir: Path | None = None
    subreaper: bool = False


_STATE = _State()


def _handle(signum: int, _frame: FrameType | None) -> None:
    state = _STATE
    if state.signum is not None:  # the second signal: no more waiting
        _kill_now([*state.snapshot, *_descendants()])
        os._exit(128 + signum)
    state.signum, state.received_at = signum, time.monotonic()
    state.snapshot = _descendants()
    _say(f"harness: {signal_name(signum)} received: cancelling the run, stopping what it "
         "started and keeping the evidence so far (a second signal exits at once)")
    if not state.deferring:
        state.raised = True
        raise Cancelled(signum)


@contextlib.contextmanager
def signals() -> Iterator[None]:
    """Own SIGINT and SIGTERM for the duration (nestable; only in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    outermost = _STATE.depth == 0
    if outermost:
        _STATE.previous = {int(s): signal.getsignal(s) for s in SIGNALS}
        for sig in SIGNALS:
            signal.signal(sig, _handle)
        _STATE.subreaper = _set_subreaper(True)
    _STATE.depth += 1
    try:
        yield
    finally:
        _STATE.depth -= 1
        if outermost:
            for signum, handler in _STATE.previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
            if _STATE.subreaper:
                _set_subreaper(False)
            _STATE.__init__()  # type: ignore[misc]


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A cleanup that must not be cut short: a first signal during it is raised at its end."""
    _STATE.deferring += 1
    try:
        yield
    finally:
        _STATE.deferring -= 1
    if not _STATE.deferring and _STATE.signum is not None and not _STATE.raised:
        _STATE.raised = True
        raise Cancelled(_STATE.signum)


def cancelled_by() -> int | None:
    """The signal that cancelled this run, if one did."""
    return _STATE.signum


def current_run_dir() -> Path | None:
    """The run directory of the guarded run, if there is one (for crash logs)."""
    return _STATE.run_dir


@dataclass
class RunGuard:
    """What `guard` saw: the signal, how many processes it stopped and how long that took."""

    run_dir: Path
    signum: int | None = None
    stopped: int = 0
    stop_s: float | None = None

    @property
    def cancelled(self) -> bool:
        return self.signum is not None

    def sources(self, info: Mapping[str, Any] | None = None) -> list[Source]:
        """[] when not cancelled, else one Source the judge turns into a blocker that is
        INCONCLUSIVE (harness.verdict.decide); `info` is run.json, to name the phase."""
        if self.signum is None:
            return []
        phases = list((info or {}).get("phases_s") or {})
        during = f"during the {phases[-1]} phase" if phases else "before any phase had started"
        detail = (f"the run was cancelled by {signal_name(self.signum)} {during}; the evidence "
                  f"measured until then is kept, nothing after it ran; {self.stopped} "
                  f"process(es) the run had started were stopped within {self.stop_s or 0:.1f} s")
        _write_marker(self, detail)  # `harness verdict` re-judges it as cancelled too
        return [Source(SOURCE_NAME, 128 + self.signum, signal_name(self.signum), detail)]


def recorded_cancellation(run_dir: Path) -> Source | None:
    """The cancellation RUN_DIR/cancelled.json records (a re-judged cancelled run stays
    INCONCLUSIVE), or None when there is no such file. A marker that cannot be read still
    counts: the run was cancelled, only the details are lost."""
    path = Path(run_dir) / MARKER
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        name = str(record["signal"])
        detail = str(record.get("detail") or f"the run was cancelled by {name}; the evidence "
                     "measured until then is kept, nothing after it ran")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        name = "a signal"
        detail = (f"{path} says the run was cancelled, but it cannot be read "
                  f"({type(exc).__name__}: {exc}); the run counts as cancelled")
    number = getattr(signal.Signals, name, None) if name.startswith("SIG") else None
    code = 128 + int(number) if number is not None else 128 + int(signal.SIGINT)
    return Source(SOURCE_NAME, code, name, f"{detail} (recorded in {path})")


def is_cancellation(source: Source) -> bool:
    return source.name == SOURCE_NAME


@contextlib.contextmanager
def guard(run_dir: Path) -> Iterator[RunGuard]:
    """Run the phases of one run: a cancellation ends them, every process the run started is
    stopped (Locust's own sessions, the demo shop and its workers, Chromium), RUN_DIR/
    cancelled.json records it, and the caller goes on to judge what is on disk. Any other
    exception stops those processes too, and goes on up (a crash: exit 4)."""
    result = RunGuard(Path(run_dir))
    with signals():
        _STATE.run_dir = result.run_dir
        try:
            yield result
        except KeyboardInterrupt as exc:
            result.signum = getattr(exc, "signum", None) or _STATE.signum or signal.SIGINT
            result.stopped = stop_descendants()
            started = _STATE.received_at or time.monotonic()
            result.stop_s = round(time.monotonic() - started, 2)
            _write_marker(result)
        except BaseException:  # a crash leaves no orphans either
            stop_descendants()
            raise


def stop_descendants(grace_s: float = CANCEL_GRACE_S) -> int:
    """SIGTERM every process this one started (and the process groups they lead), SIGKILL what
    is left after `grace_s`; returns how many there were."""
    import psutil

    procs = {p.pid: p for p in [*_STATE.snapshot, *_descendants()] if _running(p)}
    if not procs:
        return 0
    groups = _groups(procs.values())
    _send(procs.values(), groups, signal.SIGTERM)
    _, alive = psutil.wait_procs(list(procs.values()), timeout=grace_s)
    if alive or _any_group_alive(groups):
        _kill_now(alive, groups)
        psutil.wait_procs(alive, timeout=5.0)
    return len(procs)


def _descendants() -> list[psutil.Process]:
    try:
        import psutil

        return list(psutil.Process().children(recursive=True))
    except Exception:  # no psutil, or the tree changed while it was read (psutil.Error)
        return []


def _running(proc: psutil.Process) -> bool:
    import psutil

    try:
        return bool(proc.is_running()) and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _groups(procs: Iterable[psutil.Process]) -> set[int]:
    """Process groups led by our descendants (Locust and the shop run in their own sessions)."""
    own = os.getpgrp()
    groups = set()
    for proc in procs:
        with contextlib.suppress(OSError):
            if os.getpgid(proc.pid) == proc.pid != own:
                groups.add(proc.pid)
    return groups


def _send(procs: Iterable[psutil.Process], groups: Iterable[int], sig: int) -> None:
    for group in groups:
        with contextlib.suppress(OSError):
            os.killpg(group, sig)
    for proc in procs:
        with contextlib.suppress(Exception):  # psutil.NoSuchProcess: it is gone already
            proc.send_signal(sig)


def _kill_now(procs: Iterable[psutil.Process], groups: Iterable[int] | None = None) -> None:
    procs = list(procs)
    _send(procs, _groups(procs) if groups is None else groups, signal.SIGKILL)


def _any_group_alive(groups: Iterable[int]) -> bool:
    for group in groups:
        try:
            os.killpg(group, 0)
        except OSError:
            continue
        return True
    return False


def _set_subreaper(on: bool) -> bool:
    """Orphaned grandchildren are re-parented to us, so they can still be found and reaped."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, int(on), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _write_marker(result: RunGuard, detail: str | None = None) -> None:
    record = {"signal": signal_name(result.signum or 0), "processes_stopped": result.stopped,
              "seconds_to_stop": result.stop_s, "detail": detail}
    with contextlib.suppress(OSError):  # a full disk must not turn a cancel into a crash
        (result.run_dir / MARKER).write_text(json.dumps(record) + "\n", encoding="utf-8")


def _say(text: str) -> None:
    """Straight to fd 2: a signal may arrive while sys.stderr is in the middle of a write."""
    with contextlib.suppress(OSError):
        os.write(2, (text + "\n").encode("utf-8", "replace"))
