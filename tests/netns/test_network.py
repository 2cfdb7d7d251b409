"""The test network itself: hosts reach each other only inside their namespaces, a cut-off host
is unreachable, and closing it leaves no process, namespace or veth behind."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.netns.network import Network, ip

pytestmark = pytest.mark.slow

CONNECT = ("import socket, sys\n"
           "try:\n"
           "    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()\n"
           "except OSError:\n"
           "    sys.exit(1)\n")
# a server with a forked child, as the demo shop has
SERVE = ("import os, socket, time\n"
         "if os.fork():\n"
         "    server = socket.create_server(('0.0.0.0', 9000))\n"
         "time.sleep(300)\n")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_hosts_reach_each_other_only_inside_and_nothing_is_left(network: Network,
                                                                tmp_path: Path) -> None:
    network.create(("a", "b"))
    a, b = network.hosts["a"], network.hosts["b"]
    assert a.address not in ip("-4", "addr").stdout  # not in the root namespace
    server = network.start("b", [sys.executable, "-c", SERVE], {},
                           tmp_path / "b.log", cwd=tmp_path)
    time.sleep(1.5)
    in_b = [int(p) for p in ip("netns", "pids", b.namespace).stdout.split()]
    assert server.pid in in_b and len(in_b) >= 2
    reach = [sys.executable, "-c", CONNECT, b.address, "9000"]
    assert network.run("a", reach, {}, tmp_path / "a.log", tmp_path, timeout_s=20) == 0
    b.cut_off()
    assert network.run("a", reach, {}, tmp_path / "a.log", tmp_path, timeout_s=20) == 1
    names = list(network.namespaces)
    network.close()
    assert not any(_alive(pid) for pid in in_b)
    listed = ip("netns", "list").stdout
    assert not any(name in listed for name in names)
    assert "v-a" not in ip("link").stdout
    with pytest.raises(subprocess.CalledProcessError):
        ip("-n", a.namespace, "link")
