"""Which targets load may be sent to: loopback (127.0.0.0/8, ::1) only, unless the operator
consents explicitly. Producers (the load launcher, the browser) and the judge apply the same
rule; `harness_load.target.check_local_target` re-exports it with the harness's TargetError."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit


class NotLoopback(ValueError):
    """The target is not an http(s) URL, does not resolve, or resolves off loopback."""


def check_local_target(url: str, allow_non_local: bool) -> None:
    """Raise NotLoopback unless every address `url`'s host resolves to is in 127.0.0.0/8 or
    ::1 (or `allow_non_local`). A name that does not resolve is refused too."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NotLoopback(f"target {url!r} is not an http(s) URL such as http://127.0.0.1:8000")
    if allow_non_local:
        return
    try:
        port = parts.port
    except ValueError as exc:
        raise NotLoopback(f"target {url!r} has an invalid port: {exc}") from None
    try:
        infos = socket.getaddrinfo(parts.hostname, port or 80, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise NotLoopback(f"target host {parts.hostname!r} does not resolve: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_loopback:
            raise NotLoopback(
                f"target {url!r} resolves to {address}, which is not loopback: load is only "
                "sent to 127.0.0.0/8 unless you pass --allow-non-local (and own that system)")
