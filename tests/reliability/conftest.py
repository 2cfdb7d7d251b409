"""Shared fixtures of the reliability tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .gate_process import GateProcess


@pytest.fixture
def gates() -> Iterator[list[GateProcess]]:
    """The `harness run` processes a test starts: nothing of them survives the test."""
    started: list[GateProcess] = []
    yield started
    for gate in started:
        gate.kill_everything()
