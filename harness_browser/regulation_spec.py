"""The journey file's [regulation] table: how to find what the sales-page rules need on a store
(harness_browser.regulation measures it). No Playwright, so journey files validate without it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.errors import ConfigError

# industry wording of the 可回溯 entry prompt: 「您即将进入投保流程……您在销售页面的操作将会被记录」
TRACE_PATTERN = r"可回溯|即将进入投保流程|操作(?:将|会|将会)?被?(?:记录|录屏)"
EXCLUSIONS_PATTERN = r"责任免除|免除责任|除外责任"
SURRENDER_PATTERN = r"退保"
POLICY_LINK_PATTERN = r"保单|polic"


@dataclass(frozen=True)
class RegulationSpec:
    """How to find the regulated things on a store (the journey file's [regulation] table)."""

    traceability: str = TRACE_PATTERN
    exclusions_selector: str | None = None
    exclusions: str = EXCLUSIONS_PATTERN
    surrender: str = SURRENDER_PATTERN
    policy_link: str = POLICY_LINK_PATTERN

    @classmethod
    def from_table(cls, raw: Mapping[str, Any], source: str) -> RegulationSpec:
        unknown = set(raw) - set(cls.__dataclass_fields__)
        if unknown:
            raise ConfigError(f"{source}: [regulation] has unknown key(s) {sorted(unknown)}; "
                              f"known: {', '.join(cls.__dataclass_fields__)}")
        wrong = sorted(k for k, v in raw.items() if not isinstance(v, str) or not v)
        if wrong:
            raise ConfigError(f"{source}: [regulation] {', '.join(wrong)} must be a non-empty "
                              "string (a regular expression, or a selector)")
        return cls(**raw)
