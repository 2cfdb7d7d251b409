"""Command-line options of the shop server, shared by `harness demo-shop` and
`python -m harness_demo_shop.server` (stdlib only, so building the harness parser stays cheap).
"""

from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass

from harness_demo_shop.settings import DEFAULT_DB_URL
from harness_demo_shop.variants import DEFAULT_VARIANT, SLOW_MS_PER_REQUEST, VARIANTS


class OptionError(ValueError):
    """An option cannot be used as given; the message names it and what to do."""


@dataclass(frozen=True)
class ServerOptions:
    variant: str = DEFAULT_VARIANT
    host: str = "127.0.0.1"
    port: int = 8000
    listen: tuple[tuple[str, int], ...] = ()
    workers: int = 2
    gray_percent: float = 0.0
    db_url: str = DEFAULT_DB_URL
    reset_db: bool = False
    allow_non_local: bool = False
    slow_ms_per_request: float = SLOW_MS_PER_REQUEST
    log_level: str = "warning"
    access_log: bool = False
    ready_file: str | None = None
    metrics: bool = True
    metrics_dir: str | None = None
    degrade_after_s: float = 180.0
    degrade_payment_fail_percent: float = 20.0
    degrade_lost_percent: float = 5.0
    started_at_s: float = 0.0  # set by the server as it starts: the degrade clock's zero

    def addresses(self) -> list[tuple[str, int]]:
        """Every (host, port) to listen on: --host/--port first, then each --listen."""
        out = [(self.host, self.port)]
        out += [a for a in self.listen if a not in out]
        return out


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_listen(value: str) -> tuple[str, int]:
    """'127.0.0.2:8000' -> ('127.0.0.2', 8000); argparse shows the error on a bad value."""
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        message = f"expected HOST:PORT such as 127.0.0.2:8000, got {value!r}"
        raise argparse.ArgumentTypeError(message)
    return host.strip("[]"), int(port)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--variant", default=DEFAULT_VARIANT, choices=list(VARIANTS),
                        help="release variant to serve (default: good)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback only "
                        "unless --allow-non-local)")
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument("--listen", action="append", type=parse_listen, default=[],
                        metavar="HOST:PORT", help="listen on this address too (repeatable), "
                        "e.g. --listen 127.0.0.2:8000 to spread load-test connections")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--gray-percent", type=float, default=0.0,
                        help="share of visitors (0-100) in the gray cohort")
    parser.add_argument("--db", dest="db_url", default=DEFAULT_DB_URL,
                        help=f"SQLAlchemy database URL (default {DEFAULT_DB_URL})")
    parser.add_argument("--reset-db", action="store_true", help="drop the shop's tables first")
    parser.add_argument("--allow-non-local", action="store_true",
                        help="allow binding an address that is not loopback")
    parser.add_argument("--slow-ms-per-request", type=float, default=SLOW_MS_PER_REQUEST,
                        help="slow variant: added latency per request in flight, in ms")
    parser.add_argument("--log-level", default="warning",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument("--ready-file", help=argparse.SUPPRESS)
    parser.add_argument("--no-metrics", dest="metrics", action="store_false",
                        help="do not export Prometheus metrics at /metrics")
    parser.add_argument("--metrics-dir", help="folder for the workers' metric files "
                        "(prometheus_client multiprocess mode; default: a temporary folder)")
    parser.add_argument("--degrade-after-s", type=float, default=180.0,
                        help="degrade-after variant: seconds of good service before it degrades")
    parser.add_argument("--degrade-payment-fail-percent", type=float, default=20.0,
                        help="degrade-after variant: share of payments that fail once degraded")
    parser.add_argument("--degrade-lost-percent", type=float, default=5.0,
                        help="degrade-after variant: share of paid purchases left without a "
                        "policy once degraded")


def options_from(args: argparse.Namespace) -> ServerOptions:
    """Check the parsed arguments and turn them into ServerOptions."""
    options = ServerOptions(
        variant=args.variant, host=args.host, port=args.port, listen=tuple(args.listen),
        workers=args.workers, gray_percent=args.gray_percent, db_url=args.db_url,
        reset_db=args.reset_db, allow_non_local=args.allow_non_local,
        slow_ms_per_request=args.slow_ms_per_request, log_level=args.log_level,
        access_log=args.access_log, ready_file=args.ready_file, metrics=args.metrics,
        metrics_dir=args.metrics_dir, degrade_after_s=args.degrade_after_s,
        degrade_payment_fail_percent=args.degrade_payment_fail_percent,
        degrade_lost_percent=args.degrade_lost_percent,
    )
    check(options)
    return options


def check(options: ServerOptions) -> None:
    if not 1 <= options.workers <= 64:
        raise OptionError(f"--workers must be within 1..64, got {options.workers}")
    if not 0 <= options.gray_percent <= 100:
        raise OptionError(f"--gray-percent must be within 0..100, got {options.gray_percent}")
    for flag, value in (("--degrade-payment-fail-percent", options.degrade_payment_fail_percent),
                        ("--degrade-lost-percent", options.degrade_lost_percent)):
        if not 0 <= value <= 100:
            raise OptionError(f"{flag} must be within 0..100, got {value}")
    if options.degrade_after_s < 0:
        raise OptionError(f"--degrade-after-s must be >= 0, got {options.degrade_after_s}")
    for host, port in options.addresses():
        if not 0 <= port <= 65535:
            raise OptionError(f"port {port} of {host} is out of range 0..65535")
        if not options.allow_non_local and not is_loopback(host):
            raise OptionError(
                f"refusing to listen on {host}: it is not a loopback address; the demo shop is "
                "a test target. Use 127.0.0.1 (or 127.0.0.x), or pass --allow-non-local."
            )
