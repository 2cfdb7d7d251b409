"""Run the shop: pre-bound sockets shared by forked uvicorn workers, or one in the background.

Why pre-bound sockets: the load test spreads up to 100k keep-alive connections over several
(address, port) pairs and several processes, each limited to 20k open files. The master binds
every address once per worker with SO_REUSEPORT (the kernel then spreads new connections
evenly), forks the workers, and each worker raises its open-file limit to the hard limit and
serves its own sockets with uvicorn (uvloop + httptools, 75 s keep-alive, backlog 4096).

`start_in_background(...)` runs all of that in a subprocess and returns once /healthz answers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from harness_demo_shop.metrics import prepare_metrics_dir
from harness_demo_shop.options import OptionError, ServerOptions, add_arguments, options_from
from harness_demo_shop.settings import Settings
from harness_demo_shop.worker_tuning import freeze_garbage_collector, raise_open_file_limit

BACKLOG = 4096
KEEP_ALIVE_S = 75
CHECKPOINT_EVERY_S = 1.0
log = logging.getLogger("harness_demo_shop.server")


def _bind(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def bind_sockets(addresses: Sequence[tuple[str, int]], workers: int) -> list[list[socket.socket]]:
    """One list of listening sockets per worker; a port 0 becomes the same free port for all."""
    reuse_port = hasattr(socket, "SO_REUSEPORT")
    per_worker: list[list[socket.socket]] = [[] for _ in range(workers)]
    for host, port in addresses:
        try:
            if port:  # SO_REUSEPORT would silently share a port another shop listens on
                _bind(host, port, reuse_port=False).close()
            first = _bind(host, port, reuse_port)
        except OSError as exc:
            for sock in {s for socks in per_worker for s in socks}:
                sock.close()
            raise OptionError(f"cannot listen on {host}:{port}: {exc.strerror}; choose another "
                              "--port (0 picks a free one) or stop what uses it") from exc
        per_worker[0].append(first)
        bound_port = first.getsockname()[1]
        for index in range(1, workers):
            sock = _bind(host, bound_port, reuse_port) if reuse_port else first
            per_worker[index].append(sock)
    return per_worker


def urls_of(sockets: Sequence[socket.socket]) -> list[str]:
    out = []
    for sock in sockets:
        host, port = sock.getsockname()[:2]
        out.append(f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}")
    return out


def settings_of(options: ServerOptions) -> Settings:
    return Settings(variant=options.variant, gray_percent=options.gray_percent,
                    db_url=options.db_url, slow_ms_per_request=options.slow_ms_per_request,
                    sqlite_autocheckpoint=False,  # the master checkpoints (see _wait)
                    metrics=options.metrics, metrics_dir=options.metrics_dir,
                    started_at_s=options.started_at_s or time.time(),
                    degrade_after_s=options.degrade_after_s,
                    degrade_payment_fail_percent=options.degrade_payment_fail_percent,
                    degrade_lost_percent=options.degrade_lost_percent)


def prepare_database(options: ServerOptions) -> None:
    """Create (or with reset_db recreate) the tables once, before any worker starts."""
    from harness_demo_shop.storage import Store

    store = Store(options.db_url)
    try:
        if options.reset_db:
            store.drop_tables()
        store.create_tables()
    finally:
        store.close()


def run_worker(options: ServerOptions, sockets: list[socket.socket]) -> None:
    """Serve the app on `sockets` in this process until SIGTERM/SIGINT."""
    import uvicorn

    from harness_demo_shop.app import create_app
    from harness_demo_shop.http_protocol import WriteBehindHttpProtocol

    raise_open_file_limit()
    freeze_garbage_collector()
    config = uvicorn.Config(
        create_app(settings_of(options)), loop="uvloop", http=WriteBehindHttpProtocol,
        lifespan="off", backlog=BACKLOG, timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=5,
        access_log=options.access_log, log_level=options.log_level, server_header=False,
    )
    uvicorn.Server(config).run(sockets=sockets)


def _fork_workers(options: ServerOptions, per_worker: list[list[socket.socket]]) -> list[int]:
    pids = []
    everything = {s for socks in per_worker for s in socks}
    for mine in per_worker:
        pid = os.fork()
        if pid == 0:  # child: keep only its own sockets, so a dead sibling's queue is not ours
            for sock in everything - set(mine):
                sock.close()
            code = 0
            try:
                run_worker(options, mine)
            except BaseException:
                log.exception("worker %s failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        pids.append(pid)
    return pids


def serve(options: ServerOptions) -> int:
    """Bind, fork the workers and wait for them; SIGTERM/SIGINT stop them all. Returns 0 when
    stopped on request, 1 when a worker died on its own."""
    logging.basicConfig(level=options.log_level.upper(), stream=sys.stderr)
    prepare_database(options)
    metrics_dir, made = prepare_metrics_dir(options.metrics, options.metrics_dir)
    options = replace(options, metrics_dir=metrics_dir, started_at_s=time.time())
    try:
        return _serve(options)
    finally:
        if made and metrics_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _serve(options: ServerOptions) -> int:
    per_worker = bind_sockets(options.addresses(), options.workers)
    urls = urls_of(per_worker[0])
    pids = _fork_workers(options, per_worker)
    for socks in per_worker:
        for sock in socks:
            sock.close()
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in pids:
            _kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    _announce(options, urls, pids)
    return _wait(pids, lambda: stopping, options.db_url)


def _announce(options: ServerOptions, urls: list[str], pids: list[int]) -> None:
    record = {"urls": urls, "master_pid": os.getpid(), "worker_pids": pids,
              "variant": options.variant, "workers": options.workers,
              "metrics_dir": options.metrics_dir, "started_at_s": options.started_at_s}
    if options.ready_file:
        tmp = options.ready_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        os.replace(tmp, options.ready_file)
    print(f"demo shop ({options.variant}, workers: {options.workers}) on " + " ".join(urls),
          file=sys.stderr, flush=True)


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait(pids: list[int], stopping: Callable[[], bool], db_url: str) -> int:
    """Reap the workers; meanwhile checkpoint the SQLite WAL every second, off their loops."""
    from harness_demo_shop.storage import Store

    store = Store(db_url)
    alive, code, next_checkpoint = set(pids), 0, 0.0
    while alive:
        if time.monotonic() >= next_checkpoint:
            _checkpoint(store)
            next_checkpoint = time.monotonic() + CHECKPOINT_EVERY_S
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            time.sleep(0.1)
            continue
        alive.discard(pid)
        if not stopping() and code == 0:
            log.error("worker %s exited on its own; stopping the shop", pid)
            code = 1
            for other in alive:
                _kill(other, signal.SIGTERM)
    _checkpoint(store)
    store.close()
    return code


def _checkpoint(store: Any) -> None:
    try:
        store.checkpoint()
    except Exception:  # a busy or vanished database must not stop the shop
        log.warning("WAL checkpoint failed", exc_info=True)


class ServerHandle:
    """A shop running in a subprocess: `url` (first address), `urls`, `db_url`, `stop()`."""

    def __init__(self, process: subprocess.Popen[bytes], urls: list[str], db_url: str,
                 log_path: str, tmpdir: tempfile.TemporaryDirectory[str] | None) -> None:
        self.process = process
        self.urls = urls
        self.url = urls[0] if urls else ""
        self.db_url = db_url
        self.log_path = log_path
        self.worker_pids: list[int] = []
        self._tmpdir = tmpdir

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout_s: float = 15.0) -> int:
        """SIGTERM the master (it stops its workers); SIGKILL the group if it hangs. Workers a
        master left behind (it was killed on its own) are stopped too: they share its process
        group (its own session) and their pids are in the ready file."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        _stop_orphans(self.process.pid, self.worker_pids)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
        return int(self.process.returncode or 0)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _stop_orphans(pgid: int, worker_pids: Sequence[int], grace_s: float = 5.0) -> None:
    """SIGTERM, then SIGKILL, the shop's process group while any worker of it still runs."""
    for sig, wait_s in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 2.0)):
        if not any(_alive(pid) for pid in worker_pids):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and any(_alive(pid) for pid in worker_pids):
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Running (a zombie child of ours, re-parented to a subreaper, is reaped here)."""
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def start_in_background(
    variant: str = "good",
    port: int = 0,
    workers: int = 1,
    gray_percent: float = 0.0,
    db_url: str | None = None,
    host: str = "127.0.0.1",
    listen: Sequence[str] = (),
    extra_args: Sequence[str] = (),
    timeout_s: float = 30.0,
) -> ServerHandle:
    """Start `python -m harness_demo_shop.server` and return once every worker answers /healthz.

    Without `db_url` the shop uses a fresh SQLite file in a temporary directory that `stop()`
    removes. Raises RuntimeError (with the server log) if it does not come up in time.
    """
    tmpdir = tempfile.TemporaryDirectory(prefix="demo-shop-")
    db_url = db_url or f"sqlite:///{tmpdir.name}/shop.db"
    ready_file = os.path.join(tmpdir.name, "ready.json")
    log_path = os.path.join(tmpdir.name, "server.log")
    cmd = [sys.executable, "-m", "harness_demo_shop.server", "--variant", variant, "--host", host,
           "--port", str(port), "--workers", str(workers), "--gray-percent", str(gray_percent),
           "--db", db_url, "--ready-file", ready_file, *extra_args]
    for address in listen:
        cmd += ["--listen", address]
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    handle = ServerHandle(process, [], db_url, log_path, tmpdir)
    try:
        ready = _wait_ready(process, ready_file, log_path, timeout_s)
        handle.urls, handle.worker_pids = ready["urls"], ready["worker_pids"]
        handle.url = handle.urls[0]
        _wait_healthy(handle.urls, workers, time.monotonic() + timeout_s, log_path)
    except BaseException:
        handle.stop()
        raise
    return handle


def _log_tail(log_path: str) -> str:
    with open(log_path, encoding="utf-8", errors="replace") as fh:
        return fh.read()[-3000:]


def _wait_ready(process: subprocess.Popen[bytes], ready_file: str, log_path: str,
                timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            code = process.returncode
            raise RuntimeError(f"demo shop exited with {code}:\n{_log_tail(log_path)}")
        if os.path.exists(ready_file):
            with open(ready_file, encoding="utf-8") as fh:
                ready: dict[str, Any] = json.load(fh)
            return ready
        time.sleep(0.05)
    raise RuntimeError(f"demo shop not ready after {timeout_s} s:\n{_log_tail(log_path)}")


def _wait_healthy(urls: list[str], workers: int, deadline: float, log_path: str) -> None:
    """Ask /healthz on fresh connections until enough distinct answers came back."""
    import httpx

    answered = 0
    while time.monotonic() < deadline:
        try:
            response = httpx.get(urls[0] + "/healthz", timeout=2.0)
            answered += int(response.status_code == 200)
        except httpx.HTTPError:
            pass
        if answered >= max(3, 2 * workers):
            return
        time.sleep(0.05)
    raise RuntimeError(f"demo shop /healthz did not answer:\n{_log_tail(log_path)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness_demo_shop.server")
    add_arguments(parser)
    options = options_from(parser.parse_args(argv))
    return serve(options)


if __name__ == "__main__":
    sys.exit(main())
