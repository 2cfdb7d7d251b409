"""Which targets a load run may hit: loopback only, unless the operator consents explicitly."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from harness.errors import TargetError


def check_local_target(url: str, allow_non_local: bool) -> None:
    """Raise TargetError unless every address `url`'s host resolves to is in 127.0.0.0/8 or
    ::1 (or `allow_non_local`). A name that does not resolve is refused too."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"target {url!r} is not an http(s) URL such as http://127.0.0.1:8000")
    if allow_non_local:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise TargetError(f"target host {parts.hostname!r} does not resolve: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_loopback:
            raise TargetError(
                f"target {url!r} resolves to {address}, which is not loopback: load is only "
                "sent to 127.0.0.0/8 unless you pass --allow-non-local (and own that system)")
