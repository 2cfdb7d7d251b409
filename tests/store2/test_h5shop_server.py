"""Starting and stopping the H5 test store: free ports, bounded waits, the whole group ended."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import httpx
import pytest

from tests.stores.h5shop import start_h5shop

pytestmark = pytest.mark.slow


def refuses(url: str) -> bool:
    try:
        httpx.get(url, timeout=2, trust_env=False)
    except httpx.TransportError:
        return True
    return False


def test_stop_ends_the_process_group_and_frees_both_ports() -> None:
    shop = start_h5shop("good")
    assert shop.port != shop.cashier_port
    assert httpx.get(f"{shop.url}/h5/ping", trust_env=False).json()["data"] == {
        "variant": "good"}
    assert os.getpgid(shop.process.pid) == shop.process.pid  # its own group
    temp_db = shop.db_path
    shop.stop()
    assert shop.process.returncode is not None
    assert refuses(f"{shop.url}/h5/ping") and refuses(f"{shop.cashier_url}/pay")
    assert not temp_db.exists()  # the temporary folder went with it
    shop.stop()  # a second stop is harmless


def test_a_given_db_file_is_kept_and_reused(tmp_path: os.PathLike[str]) -> None:
    db = os.path.join(tmp_path, "shop.sqlite3")
    with start_h5shop("notice-below-fold", db_path=db) as shop:
        assert shop.variant == "notice-below-fold"
    assert os.path.isfile(db)
    with start_h5shop("good", db_path=db):
        pass
    assert os.path.isfile(db)


def test_a_port_in_use_fails_with_the_servers_own_words() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        expected = r"(?s)exited with 2 before it answered.*Address already in use"
        with pytest.raises(RuntimeError, match=expected):
            start_h5shop("good", port=port, timeout_s=20)


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "10.1.2.3"], "loopback only"),
    (["--variant", "slow"], "invalid choice: 'slow'"),
])
def test_the_command_line_refuses_what_it_cannot_serve(args: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.stores.h5shop", *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
