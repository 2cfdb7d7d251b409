"""The real server: forked uvicorn workers on pre-bound sockets, several addresses, restarts."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import httpx
import pytest

from harness_demo_shop.idcard import make_id_number
from harness_demo_shop.options import OptionError, ServerOptions, add_arguments, check, options_from
from harness_demo_shop.server import start_in_background

pytestmark = pytest.mark.slow


def _buy(base: str, visitor: str) -> dict[str, object]:
    with httpx.Client(base_url=base, timeout=10) as http:
        start = http.post("/api/journeys", json={"product": "accident", "visitor_id": visitor})
        assert start.status_code == 201
        jid = start.json()["journey_id"]
        assert http.post(f"/api/journeys/{jid}/notice", json={}).json()["next"] == "application"
        body = {"applicant_name": "张三", "insured_name": "张三", "phone": "13800138000",
                "id_number": make_id_number(date(1985, 3, 3)), "consent": True}
        quote = http.post(f"/api/journeys/{jid}/application", json=body).json()
        pay = {"idempotency_key": "srv-" + jid, "amount_fen": quote["premium_fen"]}
        receipt = http.post(f"/api/journeys/{jid}/pay", json=pay)
        assert receipt.status_code == 200
        return {"cohort": start.json()["cohort"], **receipt.json()}


def test_two_workers_serve_two_addresses_and_raise_their_file_limit(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shop.db'}"
    with start_in_background(workers=2, gray_percent=50, db_url=db_url,
                             listen=["127.0.0.2:0"]) as shop:
        assert len(shop.urls) == 2 and "127.0.0.2" in shop.urls[1]
        assert len(shop.worker_pids) == 2
        for url in shop.urls:
            health = httpx.get(url + "/healthz").json()
            assert health == {"ok": True, "variant": "good", "gray_percent": 50.0}
            assert _buy(url, "v-server")["policy_number"]
        for pid in shop.worker_pids:
            limits = Path(f"/proc/{pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
            soft, hard = line.split()[3:5]
            assert soft == hard
        summary = httpx.get(shop.url + "/api/reconciliation?summary=only").json()["summary"]
        assert summary["paid"] == summary["policies"] == 2
        home = httpx.get(shop.url + "/")
        assert home.status_code == 200 and home.headers.get("connection", "") != "keep-alive"


def test_cohort_of_a_visitor_survives_a_restart(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shop.db'}"
    visitors = [f"restart-{n}" for n in range(12)]
    cohorts = []
    for _ in range(2):
        with start_in_background(workers=1, gray_percent=50, db_url=db_url) as shop:
            cohorts.append([_buy(shop.url, v)["cohort"] for v in visitors[:6]])
    assert cohorts[0] == cohorts[1]
    assert set(cohorts[0]) <= {"gray", "control"}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_a_non_loopback_address_is_refused_without_consent(host: str) -> None:
    with pytest.raises(OptionError, match="not a loopback address"):
        options_from(_parse(["--host", host]))
    with pytest.raises(OptionError, match="not a loopback address"):
        options_from(_parse(["--listen", f"{host}:8000"]))
    assert options_from(_parse(["--host", host, "--allow-non-local"])).host == host


def test_the_harness_command_maps_a_refusal_to_a_target_error() -> None:
    from harness.cli import demo_shop as command
    from harness.errors import ConfigError, TargetError

    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    with pytest.raises(TargetError):
        command.run(parser.parse_args(["--host", "10.0.0.1"]))
    with pytest.raises(ConfigError):
        command.run(parser.parse_args(["--workers", "0"]))


def test_options_list_every_address() -> None:
    options = options_from(_parse(["--port", "8001", "--listen", "127.0.0.2:8001",
                                   "--listen", "127.0.0.1:8002"]))
    assert options.addresses() == [("127.0.0.1", 8001), ("127.0.0.2", 8001), ("127.0.0.1", 8002)]
    with pytest.raises(SystemExit):
        _parse(["--listen", "no-port"])
    check(ServerOptions(host="127.0.0.3"))


def test_two_workers_writing_concurrently_lose_nothing(tmp_path: Path) -> None:
    import asyncio

    from harness_demo_shop.idcard import make_id_number as make_id

    async def buy(http: httpx.AsyncClient, n: int) -> int:
        start = await http.post("/api/journeys", json={"product": "travel", "visitor_id": f"c{n}"})
        jid = start.json()["journey_id"]
        await http.post(f"/api/journeys/{jid}/notice", json={})
        body = {"applicant_name": "张三", "insured_name": "张三", "phone": "13800138000",
                "id_number": make_id(date(1990, 1, 1)), "consent": True}
        quote = (await http.post(f"/api/journeys/{jid}/application", json=body)).json()
        pay = {"idempotency_key": f"c-{jid}", "amount_fen": quote["premium_fen"]}
        return (await http.post(f"/api/journeys/{jid}/pay", json=pay)).status_code

    async def run(base: str) -> list[int]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
            return list(await asyncio.gather(*(buy(http, n) for n in range(120))))

    with start_in_background(workers=2, db_url=f"sqlite:///{tmp_path / 'c.db'}") as shop:
        assert set(asyncio.run(run(shop.url))) == {200}
        summary = httpx.get(shop.url + "/api/reconciliation?summary=only").json()["summary"]
    assert summary["paid"] == summary["payments"] == summary["policies"] == 120
    assert summary["paid_without_policy"] == summary["premium_mismatches"] == 0


def test_a_port_in_use_is_refused_not_shared() -> None:
    import socket

    from harness_demo_shop.server import bind_sockets

    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # even another shop's
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OptionError, match=r"cannot listen on 127\.0\.0\.1"):
            bind_sockets([("127.0.0.1", port)], workers=2)
    per_worker = bind_sockets([("127.0.0.1", 0), ("127.0.0.2", 0)], workers=2)
    try:
        assert [len(socks) for socks in per_worker] == [2, 2]
        ports = {s.getsockname() for socks in per_worker for s in socks}
        assert len(ports) == 2  # each address: one port shared by both workers' sockets
    finally:
        for socks in per_worker:
            for sock in socks:
                sock.close()
