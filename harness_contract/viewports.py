"""The named viewports every journey runs in (names and CSS pixel sizes), shared by the
browser producer (which adds scale, touch and user agent) and the features that name them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class ViewportSize:
    name: str
    width: int
    height: int
    mobile: bool


VIEWPORT_SIZES: Mapping[str, ViewportSize] = MappingProxyType({
    v.name: v for v in (
        ViewportSize("desktop", 1366, 768, False),
        ViewportSize("desktop-hd", 1920, 1080, False),
        ViewportSize("phone", 390, 844, True),
        ViewportSize("phone-small", 360, 640, True),
        ViewportSize("wechat", 414, 736, True),
    )})
VIEWPORT_NAMES: tuple[str, ...] = tuple(VIEWPORT_SIZES)
