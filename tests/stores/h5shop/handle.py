"""Start the H5 shop in a subprocess on free ports, wait until it answers, stop it for sure.

The child runs in its own session (process group) so `stop()` ends it and anything it started,
whatever the parent does with SIGINT; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import tests
from tests.stores.h5shop.api import SHOP_HOST

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy


@dataclass
class H5ShopHandle:
    """A running shop: `url` (API clients, 127.0.0.1), `browser_url` (what a browser opens,
    the test host name) and `host_rules` (the Chromium argument that makes it resolve)."""

    url: str
    cashier_url: str
    port: int
    cashier_port: int
    db_path: Path
    variant: str
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path
    _temp_dir: Path | None = field(default=None, repr=False)

    @property
    def browser_url(self) -> str:
        return f"http://{SHOP_HOST}:{self.port}"

    @property
    def host_rules(self) -> str:
        return f"--host-resolver-rules=MAP {SHOP_HOST} 127.0.0.1:{self.port}"

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout_s`; removes a temporary db."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout_s)
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None

    def __enter__(self) -> H5ShopHandle:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start_h5shop(variant: str = "good", db_path: str | Path | None = None, *, port: int = 0,
                 cashier_port: int = 0, timeout_s: float = 30.0) -> H5ShopHandle:
    """Start `python -m tests.stores.h5shop` and return once /h5/ping answers.

    Without `db_path` the SQLite file lives in a temporary folder that `stop()` removes.
    Raises RuntimeError (with the server's log) when it exits or does not answer in time."""
    work = Path(tempfile.mkdtemp(prefix="h5shop-"))
    db = Path(db_path) if db_path is not None else work / "h5shop.sqlite3"
    ready_file, log_path = work / "ready.json", work / "server.log"
    root = str(Path(tests.__file__).resolve().parent.parent)  # where `tests` is importable
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    cmd = [sys.executable, "-m", "tests.stores.h5shop", "--port", str(port),
           "--cashier-port", str(cashier_port), "--variant", variant, "--db", str(db),
           "--ready-file", str(ready_file)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
    handle = None
    try:
        ready = _wait_ready(proc, ready_file, log_path, timeout_s)
        handle = H5ShopHandle(url=ready["url"], cashier_url=ready["cashier_url"],
                              port=ready["port"], cashier_port=ready["cashier_port"],
                              db_path=db, variant=variant, process=proc, log_path=log_path,
                              _temp_dir=work if db_path is None else None)
        return handle
    finally:
        if handle is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def _wait_ready(proc: subprocess.Popen[bytes], ready_file: Path, log_path: Path,
                timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        if ready_file.is_file():
            ready: dict[str, Any] = json.loads(ready_file.read_text(encoding="utf-8"))
            with contextlib.suppress(OSError), _DIRECT.open(f"{ready['url']}/h5/ping",
                                                            timeout=2) as answer:
                if answer.status == 200:
                    return ready
        time.sleep(0.05)
    log = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    state = (f"exited with {proc.returncode} before it answered" if proc.poll() is not None
             else f"did not answer within {timeout_s:g} s")
    raise RuntimeError(f"h5shop {state}; its log:\n{log}")
