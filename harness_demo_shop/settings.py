"""Settings of one demo-shop instance, passed explicitly (never read from module globals)."""

from __future__ import annotations

from dataclasses import dataclass

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

    def __post_init__(self) -> None:
        check_variant(self.variant)
        if not 0.0 <= self.gray_percent <= 100.0:
            raise ValueError(f"gray_percent must be within 0..100, got {self.gray_percent}")
