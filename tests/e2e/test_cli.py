"""`python -m harness_browser`: measurements by hand, as JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness_browser.__main__ import main


def test_notice_without_selector_or_pattern_is_a_usage_error() -> None:
    assert main(["notice", "http://127.0.0.1:9/"]) == 2


@pytest.mark.browser
def test_notice_check_prints_json(site: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness_browser", "--viewport", "phone", "notice",
         f"{site}/notice/sticky_header.html", "--selector", "#notice"],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["passed"] is False and result["observations"]["uncovered"] is False
    assert result["viewport"]["width"] == 390
