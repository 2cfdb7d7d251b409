"""The demo shop on PostgreSQL (any SQLAlchemy URL): the purchase flow, an idempotent payment
and the reconciliation, against a throwaway server started for this module.

`make test` installs PostgreSQL when root (scripts/setup.sh --with-postgres); elsewhere the
test is skipped with the reason, since the server binaries are not a Python dependency.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness_demo_shop.server import start_in_background

pytestmark = pytest.mark.slow
APPLICANT = {"applicant_name": "张三", "insured_name": "张三", "id_number": "11010519850615201X",
             "phone": "13800138000", "consent": True}


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        pytest.skip("PostgreSQL server binaries are not installed (`make test` installs them "
                    "as root)")
    # not pytest's tmp_path: it is private to root, and initdb refuses to run as root
    data = Path(tempfile.mkdtemp(prefix="harness-pg-")) / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        data.parent.chmod(0o777)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run([*as_user, str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U",
                    "shop"], check=True, capture_output=True)
    options = f"-k {data.parent} -p {port} -c listen_addresses=127.0.0.1"
    subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                    "-l", str(data.parent / "pg.log"), "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://shop@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "stop"], check=False, capture_output=True)
        shutil.rmtree(data.parent, ignore_errors=True)


def test_purchase_and_idempotent_payment_on_postgres(postgres_url: str) -> None:
    shop = start_in_background(variant="good", port=0, workers=2, db_url=postgres_url)
    try:
        with httpx.Client(base_url=shop.url, timeout=10) as client:
            _buy_twice_with_one_key(client)
            summary = client.get("/api/reconciliation").json()["summary"]
        assert summary["paid"] == 1
        assert summary["policies"] == 1
        assert summary["paid_with_multiple_policies"] == 0
        assert summary["premium_mismatches"] == 0
    finally:
        shop.stop()


def _buy_twice_with_one_key(client: httpx.Client) -> None:
    started = client.post("/api/journeys", json={"product": "medical", "visitor_id": "pg1"})
    assert started.status_code == 201, started.text
    jid = started.json()["journey_id"]
    assert client.post(f"/api/journeys/{jid}/notice", json={}).json()["next"] == "health"
    answers = {f"q{i}": "no" for i in range(1, 5)}
    health = client.post(f"/api/journeys/{jid}/health", json={"answers": answers})
    assert health.json()["next"] == "application"
    quote = client.post(f"/api/journeys/{jid}/application", json=APPLICANT).json()
    pay = {"idempotency_key": "pg-key-000001", "amount_fen": quote["premium_fen"]}
    first = client.post(f"/api/journeys/{jid}/pay", json=pay)
    again = client.post(f"/api/journeys/{jid}/pay", json=pay)
    assert first.status_code == 200, first.text
    assert again.json() == first.json()
