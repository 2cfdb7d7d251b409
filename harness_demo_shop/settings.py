"""Settings of one demo-shop instance, passed explicitly (never read from module globals)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from harness_demo_shop.variants import DEFAULT_VARIANT, SLOW_MS_PER_REQUEST, check_variant

DEFAULT_DB_URL = "sqlite:///demo_shop.db"


@dataclass(frozen=True)
class Settings:
    """What a shop instance needs to know: its variant, the gray share and where to store data.

    `gray_percent` is the share (0-100) of visitors put in the gray cohort; `slow_ms_per_request`
    is the extra latency per request in flight used by the `slow` variant.
    """

    variant: str = DEFAULT_VARIANT
    gray_percent: float = 0.0
    db_url: str = DEFAULT_DB_URL
    slow_ms_per_request: float = SLOW_MS_PER_REQUEST
    max_body_bytes: int = 16_384
    # False when a separate process checkpoints the SQLite WAL (the server's master does), so
    # that no request ever waits for a checkpoint's fsync
    sqlite_autocheckpoint: bool = True
    # Prometheus metrics (/metrics); with metrics_dir, prometheus_client's multiprocess mode
    metrics: bool = True
    metrics_dir: str | None = None
    # the degrade-after variant: from started_at_s + degrade_after_s on, this share of payments
    # fail and this share of paid purchases issue no policy
    started_at_s: float = field(default_factory=time.time)
    degrade_after_s: float = 180.0
    degrade_payment_fail_percent: float = 20.0
    degrade_lost_percent: float = 5.0

    def __post_init__(self) -> None:
        check_variant(self.variant)
        if not 0.0 <= self.gray_percent <= 100.0:
            raise ValueError(f"gray_percent must be within 0..100, got {self.gray_percent}")
        for name in ("degrade_payment_fail_percent", "degrade_lost_percent"):
            if not 0.0 <= getattr(self, name) <= 100.0:
                raise ValueError(f"{name} must be within 0..100, got {getattr(self, name)}")
        if self.degrade_after_s < 0:
            raise ValueError(f"degrade_after_s must be >= 0, got {self.degrade_after_s}")

    def degraded(self, now_s: float | None = None) -> bool:
        """True once the degrade-after variant has started to degrade."""
        if self.variant != "degrade-after":
            return False
        now = time.time() if now_s is None else now_s
        return now >= self.started_at_s + self.degrade_after_s
