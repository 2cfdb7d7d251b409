"""Evidence files land where docs/contracts.md says, and pytest-playwright can use our browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.errors import ConfigError
from harness_browser.evidence import record_form_errors, record_journey, run_dir_from


@pytest.mark.browser
def test_journey_and_form_error_evidence(chromium: Browser, shop_site: str,
                                         tmp_path: Path) -> None:
    record = record_journey(chromium, run_dir=tmp_path, journey="demo-travel", folder="travel",
                            viewport_name="phone-small", base_url=shop_site)
    out = tmp_path / "raw" / "browser" / "travel" / "phone-small"
    assert record.completed and (out / "journey.json").is_file()
    assert (out / "step-01.png").is_file() and (out / "notice.png").is_file()
    check = record_form_errors(chromium, run_dir=tmp_path, viewport_name="desktop",
                               base_url=shop_site)
    saved = json.loads((tmp_path / "raw/browser/health-medical/desktop/form-errors.json")
                       .read_text(encoding="utf-8"))
    # the stand-in shop's health form has no error handling at all: it submits and moves on
    assert check is not None and saved["reached"] is True
    assert saved["expected_invalid"] == ["q1", "q2", "q3"] and saved["problems"]
    assert saved["form_found"] is True and saved["screenshot"].endswith("form-errors.png")


def test_run_dir_comes_from_the_environment(tmp_path: Path) -> None:
    assert run_dir_from({"HARNESS_RUN_DIR": str(tmp_path)}) == tmp_path
    with pytest.raises(ConfigError, match="HARNESS_RUN_DIR"):
        run_dir_from({})


@pytest.mark.browser
@pytest.mark.slow
def test_pytest_playwright_uses_the_harness_browser(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from harness_browser.pytest_fixtures import (  # noqa: F401\n"
                          "    base_url, browser_type_launch_args, viewport_page)\n")
    pytester.makepyfile("""
        def test_page(page, viewport_page):
            page.set_content("<p>ok</p>")
            assert page.text_content("p") == "ok"
            phone = viewport_page("wechat")
            assert "MicroMessenger" in phone.evaluate("navigator.userAgent")
            assert phone.viewport_size == {"width": 414, "height": 736}
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:harness",
                                           "-W", "error")
    result.assert_outcomes(passed=1)
