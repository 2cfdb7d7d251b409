"""Several "hosts" on this machine: one network namespace each, joined by veth pairs to a bridge
that lives in a namespace of its own, so nothing is added to the root namespace's network.

Every name is unique to the test run (`lh-<pid>-<role>`), every address is a private one that
exists only inside these namespaces (10.213.<n>.0/24), and `close()` kills every process left in
them and deletes them (which deletes their veths and the bridge with them). Needs root and
iproute2's `ip netns`; `unshare --uts` gives each host its own host name, as separate machines
have, so Locust's worker ids and the purchase-log file names name the host.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "lh-"
IP_TIMEOUT_S = 10.0


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """One iproute2 command, bounded in time."""
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check,
                          timeout=IP_TIMEOUT_S, stdin=subprocess.DEVNULL)


def why_unavailable() -> str | None:
    """None when namespaces can be made here, else the reason to skip."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add); run as root to try master and " \
               "workers on separate hosts"
    if shutil.which("ip") is None or shutil.which("unshare") is None:
        return "iproute2's `ip` and util-linux's `unshare` are needed (apt-get install " \
               "iproute2 util-linux)"
    probe = f"{PREFIX}{os.getpid()}-probe"
    try:
        made = ip("netns", "add", probe, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`ip netns add` failed: {exc}"
    if made.returncode != 0:
        return f"`ip netns add` is not available here: {made.stderr.strip()}"
    ip("netns", "del", probe, check=False)
    return None


def remove_stale() -> list[str]:
    """Delete namespaces of earlier runs of this test whose process is gone (a killed pytest
    never ran its finalizers); returns their names."""
    listed = ip("netns", "list", check=False).stdout.split()
    stale = []
    for name in listed:
        parts = name.split("-")
        if name.startswith(PREFIX) and len(parts) >= 3 and parts[1].isdigit() \
                and not Path(f"/proc/{parts[1]}").exists():
            _kill_namespace_processes(name)
            ip("netns", "del", name, check=False)
            stale.append(name)
    return stale


@dataclass
class Host:
    """One namespace with one address on the shared bridge."""

    role: str
    namespace: str
    address: str
    hostname: str
    interface: str = "eth0"

    def cut_off(self) -> None:
        """Pull the host's network cable: its link goes down, packets stop both ways."""
        ip("-n", self.namespace, "link", "set", self.interface, "down")


@dataclass
class Network:
    """A bridge namespace and hosts on it; a context manager that always cleans up."""

    run_id: str = field(default_factory=lambda: str(os.getpid()))
    subnet: str = field(default_factory=lambda: f"10.213.{os.getpid() % 250 + 1}")
    hosts: dict[str, Host] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)

    @property
    def bridge_namespace(self) -> str:
        return f"{PREFIX}{self.run_id}-lan"

    def __enter__(self) -> Network:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _namespace(self, role: str) -> str:
        name = f"{PREFIX}{self.run_id}-{role}"
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("-n", name, "link", "set", "lo", "up")
        return name

    def create(self, roles: Sequence[str]) -> Network:
        """The bridge, then one host per role at .2, .3, ... of the subnet."""
        lan = self._namespace("lan")
        ip("-n", lan, "link", "add", "br0", "type", "bridge")
        ip("-n", lan, "link", "set", "br0", "up")
        for index, role in enumerate(roles, start=2):
            namespace = self._namespace(role)
            port = f"v-{role}"[:15]
            ip("-n", lan, "link", "add", port, "type", "veth", "peer", "name", "eth0",
               "netns", namespace)
            ip("-n", lan, "link", "set", port, "master", "br0")
            ip("-n", lan, "link", "set", port, "up")
            address = f"{self.subnet}.{index}"
            ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
            ip("-n", namespace, "link", "set", "eth0", "up")
            self.hosts[role] = Host(role, namespace, address, f"lh-{self.run_id}-{role}")
        return self

    def start(self, role: str, cmd: Sequence[str], env: Mapping[str, str], log: Path,
              cwd: Path) -> subprocess.Popen[bytes]:
        """Run `cmd` on the host `role` (its namespace, its own host name), in a new process
        group whose leader is the command itself (ip, unshare and sh all exec)."""
        host = self.hosts[role]
        wrapped = ["ip", "netns", "exec", host.namespace, "unshare", "--uts", "--",
                   "sh", "-c", 'hostname "$0" && exec "$@"', host.hostname, *cmd]
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            proc = subprocess.Popen(wrapped, env=dict(env), stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)
        self.processes.append(proc)
        return proc

    def run(self, role: str, cmd: Sequence[str], env: Mapping[str, str], log: Path, cwd: Path,
            timeout_s: float) -> int:
        """Run `cmd` on the host to its end (killed at `timeout_s`); its exit code."""
        proc = self.start(role, cmd, env, log, cwd)
        try:
            return proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            stop_group(proc, grace_s=0.0)
            raise

    def close(self) -> None:
        """Stop every process started here, then every process left in the namespaces, then
        delete the namespaces (their veths and the bridge go with them)."""
        for proc in reversed(self.processes):
            stop_group(proc, grace_s=5.0)
        for name in reversed(self.namespaces):
            _kill_namespace_processes(name)
            ip("netns", "del", name, check=False)
        self.namespaces.clear()


def stop_group(proc: subprocess.Popen[bytes], grace_s: float, sig: int = signal.SIGTERM) -> None:
    """SIGTERM the process group (SIGKILL after `grace_s`), and reap the leader."""
    if proc.poll() is None and grace_s > 0:
        _signal_group(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    _signal_group(proc.pid, signal.SIGKILL)  # forked children (the shop's workers) too
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _kill_namespace_processes(namespace: str) -> None:
    """SIGKILL whatever still runs inside a namespace this test made."""
    for _ in range(3):
        listed = ip("netns", "pids", namespace, check=False).stdout.split()
        pids = [int(p) for p in listed if p.isdigit()]
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
