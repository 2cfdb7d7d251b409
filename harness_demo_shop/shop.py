"""The services of one shop instance, bundled for the routes (kept on `app.state.shop`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness_demo_shop.catalog import COMPLAINT_CATEGORIES, PRODUCTS
from harness_demo_shop.journey import JourneyService
from harness_demo_shop.metrics import NoMetrics, metrics_for
from harness_demo_shop.payment import PaymentService
from harness_demo_shop.settings import Settings
from harness_demo_shop.storage import Store


@dataclass
class Shop:
    settings: Settings
    store: Store
    journeys: JourneyService
    payments: PaymentService
    metrics: NoMetrics = field(default_factory=NoMetrics)

    @classmethod
    def open(cls, settings: Settings) -> Shop:
        store = Store(settings.db_url, settings.sqlite_autocheckpoint)
        store.create_tables()
        metrics = metrics_for(settings.metrics, settings.metrics_dir)
        metrics.prime(PRODUCTS, COMPLAINT_CATEGORIES)
        journeys = JourneyService(store, settings, metrics)
        return cls(settings, store, journeys, PaymentService(journeys), metrics)
