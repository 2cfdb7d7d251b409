"""Which targets a load run may hit: loopback only, unless the operator consents explicitly.
The rule itself is the evidence contract's (harness_contract.loopback); this keeps the old
name and raises the harness's TargetError."""

from __future__ import annotations

from harness.errors import TargetError
from harness_contract.loopback import NotLoopback
from harness_contract.loopback import check_local_target as _check


def check_local_target(url: str, allow_non_local: bool) -> None:
    """Raise TargetError unless every address `url`'s host resolves to is in 127.0.0.0/8 or
    ::1 (or `allow_non_local`). A name that does not resolve is refused too."""
    try:
        _check(url, allow_non_local)
    except NotLoopback as exc:
        raise TargetError(str(exc)) from exc
