"""Fixtures of the across-hosts tests: skip unless namespaces can be made; a network of
namespaces that is torn down (processes killed, namespaces deleted) even when a test fails."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from tests.netns.network import Network, remove_stale, why_unavailable

_RUNS = itertools.count(1)


@pytest.fixture(scope="session")
def namespaces_available() -> None:
    reason = why_unavailable()
    if reason:
        pytest.skip(reason)
    remove_stale()


@pytest.fixture
def network(namespaces_available: None) -> Iterator[Network]:
    """Namespaces named lh-<pid>-<n>-<role>, unique to this test."""
    net = Network(run_id=f"{os.getpid()}-{next(_RUNS)}")
    try:
        yield net
    finally:
        net.close()
