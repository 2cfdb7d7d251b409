"""Health-declaration error prompts: measured on a good form and on bad ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from harness_browser.form_errors import check_form_errors, run_axe

pytestmark = pytest.mark.browser


def test_accessible_form_passes_every_measurement(desktop_page: Page, site: str,
                                                   tmp_path: Path) -> None:
    desktop_page.goto(f"{site}/forms/good.html")
    check = check_form_errors(desktop_page, screenshot_path=tmp_path / "errors.png")
    assert check.expected_invalid == ["q1", "q2", "q3"]
    assert check.missing_aria_invalid == [] and check.missing_error_message == []
    assert check.first_invalid == "q1" and check.focus_on_first_invalid
    assert check.summary_present and "3 处问题" in check.summary_text
    assert check.axe.version == "4.11.0" and check.axe.error is None
    assert check.axe.violations == [] and check.axe.incomplete == []
    assert check.problems() == []
    q2 = next(f for f in check.fields if f.name == "q2")
    assert q2.error_message == "请回答第2项" and q2.error_source == "aria-describedby"
    assert (tmp_path / "errors.png").is_file()


def test_generic_error_only_fails_them(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/forms/generic.html")
    check = check_form_errors(desktop_page)
    assert check.missing_aria_invalid == ["q1", "q2"]
    assert check.missing_error_message == ["q1", "q2"]
    assert not check.focus_on_first_invalid and not check.summary_present
    assert {v["id"] for v in check.axe.violations} >= {"label"}
    problems = " | ".join(check.problems())
    assert "aria-invalid" in problems and "role=alert" in problems and "axe label" in problems


def test_server_rendered_errors_and_label_association(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/forms/server.html")
    check = check_form_errors(desktop_page)
    assert check.url_path == "/forms/server_result.html"
    assert check.missing_aria_invalid == [] and check.missing_error_message == []
    phone = next(f for f in check.fields if f.name == "phone")
    assert phone.error_source == "label" and phone.error_message == "请填写11位手机号"
    assert check.focus == "input#applicant_name" and check.focus_on_first_invalid
    assert check.summary_present


def test_unlinked_message_and_invalid_aria_value(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/forms/unlinked.html")
    check = check_form_errors(desktop_page)
    assert check.missing_aria_invalid == ["height"] and check.missing_error_message == ["height"]
    ids = {v["id"] for v in check.axe.violations}
    assert {"aria-valid-attr-value", "autocomplete-valid", "color-contrast"} <= ids


def test_configured_invalid_answer_and_expected_fields(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/forms/good.html")
    check = check_form_errors(desktop_page, prepare=lambda p: p.check("#q1-no"),
                              expect_invalid=["q2", "q3"])
    assert check.first_invalid == "q2" and check.focus_on_first_invalid
    assert check.problems() == []


def test_axe_reaches_into_iframes(desktop_page: Page, site: str) -> None:
    desktop_page.goto(f"{site}/notice/iframe_visible.html")
    desktop_page.evaluate("""() => { const d = document.querySelector('iframe').contentDocument;
        const i = d.createElement('input'); d.body.appendChild(i); }""")
    result = run_axe(desktop_page, ["label"])
    [label] = result.violations
    assert label["targets"] == ["iframe >>> input"]
