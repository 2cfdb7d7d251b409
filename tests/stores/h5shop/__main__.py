"""python -m tests.stores.h5shop --port P --cashier-port Q --variant V --db PATH"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.stores.h5shop.server import VARIANTS, ServeOptions, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.stores.h5shop",
        description="A hash-routed H5 insurance store with a log-in and a cashier on another "
                    "port, for the launch gate's tests. Browsers reach it as "
                    "http://shop.insurer.test:PORT/ with Chromium's "
                    "--host-resolver-rules='MAP shop.insurer.test 127.0.0.1:PORT'.")
    parser.add_argument("--port", type=int, default=0, help="shop port (0: a free one)")
    parser.add_argument("--cashier-port", type=int, default=0,
                        help="cashier port, another origin (0: a free one)")
    parser.add_argument("--variant", choices=VARIANTS, default="good")
    parser.add_argument("--db", type=Path, default=Path("h5shop.sqlite3"),
                        help="SQLite file (created when missing)")
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--ready-file", type=Path, default=None,
                        help="write the bound ports here as JSON once listening")
    args = parser.parse_args(argv)
    try:
        serve(ServeOptions(port=args.port, cashier_port=args.cashier_port,
                           variant=args.variant, db_path=args.db, host=args.host,
                           ready_file=args.ready_file))
    except (ValueError, OSError) as exc:
        print(f"h5shop: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
