"""A second insurance store for the gate's tests, built unlike the demo shop on purpose.

A single-page H5 app with hash routes (#/products ... #/insure ... #/result), no h1 and no
data-flow-step markers; a log-in before buying; a JSON API under /h5/api/v2 answering
{"code", "msg", "data"}; a cashier on another origin (port) that redirects back to #/result;
page assets and API calls addressed to shop.insurer.test, which only Chromium's
--host-resolver-rules maps to loopback; orders and policies in SQLite with a CSV export.
Variants: good, notice-below-fold, lost-policies. See README.md beside this file.
"""

from tests.stores.h5shop.handle import H5ShopHandle, start_h5shop
from tests.stores.h5shop.server import VARIANTS

__all__ = ["VARIANTS", "H5ShopHandle", "start_h5shop"]
