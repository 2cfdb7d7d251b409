"""The commands offer exactly the demo shop's variants: a variant added to the shop and not to
`harness run` / `harness watch` could not be chosen; one removed would fail at start-up."""

from __future__ import annotations

import subprocess
import sys

from harness.cli.run import VARIANTS, WATCH_VARIANTS
from harness_demo_shop.variants import VARIANTS as SHOP_VARIANTS


def test_run_offers_every_variant_but_the_watch_only_one() -> None:
    assert set(WATCH_VARIANTS) == set(SHOP_VARIANTS)
    assert set(SHOP_VARIANTS) - set(VARIANTS) == {"degrade-after"}


def test_an_unknown_watch_variant_is_a_usage_error_naming_the_choices() -> None:
    done = subprocess.run([sys.executable, "-m", "harness", "watch", "--demo", "--variant",
                           "degrade"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "degrade-after" in done.stderr, done.stderr
