"""Errors the shop answers on purpose: each maps to one 4xx (or, for a failed payment, 502).

    ShopError            base: status, readable message (zh-CN), the offending field if any
    +-- BadRequest       400: malformed body or field
    +-- TooLarge         413: a body over the size limit
    +-- NotFound         404: unknown product, journey, policy or page
    +-- Conflict         409: the journey is not at that step (already paid, declined, ...)
    +-- Invalid          422: field errors, as a field -> message map
    +-- PaymentFailed    502: the simulated payment channel refused (gray-regression only)

Routes turn these into a JSON body `{"error", "field"}` (API) or an HTML page; anything else is
caught by the catch-all handler of `harness_demo_shop.app` and never leaks a traceback.
"""

from __future__ import annotations


class ShopError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(ShopError):
    status = 400


class NotFound(ShopError):
    status = 404


class Conflict(ShopError):
    status = 409


class Invalid(ShopError):
    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors), None)
        super().__init__(errors[first] if first else "输入有误", first)
        self.errors = errors


class PaymentFailed(ShopError):
    status = 502


class TooLarge(ShopError):
    status = 413
