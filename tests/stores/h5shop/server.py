"""Serve the shop and its cashier from one process: one uvicorn server, two listening sockets.

Each request goes to the app of the port it arrived on (the ASGI scope's "server"), so the shop
and the cashier are two origins sharing one Store on one event loop. Port 0 picks a free port;
the ports actually bound are written to `ready_file` (JSON) once both sockets listen.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from tests.stores.h5shop.api import ShopConfig, build_shop_app
from tests.stores.h5shop.cashier import build_cashier_app
from tests.stores.h5shop.store import Store

VARIANTS = ("good", "notice-below-fold", "lost-policies")
LOSE_EVERY_NTH = 5  # lost-policies: every 5th payment issues no policy


@dataclass(frozen=True)
class ServeOptions:
    port: int
    cashier_port: int
    variant: str
    db_path: Path
    host: str = "127.0.0.1"
    ready_file: Path | None = None


class PortRouter:
    """An ASGI app that hands each connection to the app of the local port it came in on."""

    def __init__(self, by_port: dict[int, Any]) -> None:
        self.by_port = by_port

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        _host, port = scope["server"]
        await self.by_port[int(port)](scope, receive, send)


def listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def serve(opts: ServeOptions) -> None:
    """Run until SIGTERM or SIGINT. Refuses anything but a loopback address (ValueError)."""
    if opts.variant not in VARIANTS:
        raise ValueError(f"unknown variant {opts.variant!r}; use one of {', '.join(VARIANTS)}")
    if not ipaddress.ip_address(opts.host).is_loopback:
        raise ValueError(f"--host {opts.host}: the test store listens on loopback only")
    shop_sock, cashier_sock = listen(opts.host, opts.port), listen(opts.host, opts.cashier_port)
    shop_port, cashier_port = shop_sock.getsockname()[1], cashier_sock.getsockname()[1]
    lose = LOSE_EVERY_NTH if opts.variant == "lost-policies" else 0
    store = Store(opts.db_path, lose_every_nth_policy=lose)
    cashier_url = f"http://{opts.host}:{cashier_port}"
    shop = build_shop_app(ShopConfig(store=store, shop_port=shop_port,
                                     cashier_url=cashier_url, variant=opts.variant))
    app = PortRouter({shop_port: shop, cashier_port: build_cashier_app(store)})
    config = uvicorn.Config(app, lifespan="off", log_level="warning", access_log=False,
                            timeout_graceful_shutdown=3, timeout_keep_alive=30)
    if opts.ready_file is not None:
        ready = {"url": f"http://{opts.host}:{shop_port}", "cashier_url": cashier_url,
                 "port": shop_port, "cashier_port": cashier_port, "pid": os.getpid()}
        tmp = opts.ready_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready), encoding="utf-8")
        tmp.replace(opts.ready_file)
    try:
        uvicorn.Server(config).run(sockets=[shop_sock, cashier_sock])
    finally:
        store.close()
