"""The bundled demo insurance shop: the default target of the launch gate.

It sells three products through a regulated purchase flow (pages and a JSON API) and ships
deliberately broken release variants, so that every gate of the harness can be seen to pass on
`good` and to fail on the variant built to break it. Start it with `harness demo-shop`, build the
ASGI app with `create_app(Settings(...))`, or run it in a subprocess with
`harness_demo_shop.server.start_in_background(...)`.
"""

from __future__ import annotations

from harness_demo_shop.settings import Settings
from harness_demo_shop.variants import VARIANTS

__all__ = ["VARIANTS", "Settings"]
