"""`harness demo-shop`: serve the bundled demo insurance shop (the default gate target).

Only wiring: the options live in `harness_demo_shop.options`, the server in
`harness_demo_shop.server`, which is
imported on use so that building the `harness` parser stays cheap.
"""

from __future__ import annotations

import argparse

from harness.errors import ConfigError, TargetError
from harness_demo_shop.options import OptionError, options_from
from harness_demo_shop.options import add_arguments as _add_shop_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _add_shop_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        options = options_from(args)
        from harness_demo_shop.server import serve

        return serve(options)
    except OptionError as exc:
        if "not a loopback address" in str(exc):
            raise TargetError(str(exc)) from exc
        raise ConfigError(str(exc)) from exc
