"""Without root, or without iproute2 and unshare, the across-hosts tests are skipped with a
reason that says what is needed (not failed, not silently passed)."""

from __future__ import annotations

import pytest

from tests.netns import network


def test_not_root_is_a_reason_to_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network.os, "geteuid", lambda: 1000)
    reason = network.why_unavailable()
    assert reason is not None and "need root" in reason


def test_missing_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network.os, "geteuid", lambda: 0)
    monkeypatch.setattr(network.shutil, "which", lambda _name: None)
    reason = network.why_unavailable()
    assert reason is not None and "iproute2" in reason and "unshare" in reason
